#include "core/kube/status.h"

#include <gtest/gtest.h>

namespace mysqlop::kube {
namespace {

TEST(Status, ParsesNotFound) {
  const ApiError e = parseApiError(
      404,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"mysqlclusters.mysql.presslabs.org \"mc\" not found","reason":"NotFound","details":{"name":"mc","group":"mysql.presslabs.org","kind":"mysqlclusters"},"code":404})");
  EXPECT_EQ(e.code, 404);
  EXPECT_EQ(e.reason, "NotFound");
  const Failure f = e.toFailure();
  EXPECT_EQ(f.code, Errc::NotFound);
  EXPECT_EQ(f.message, "mysqlclusters.mysql.presslabs.org \"mc\" not found");
}

TEST(Status, ReasonsMapToErrc) {
  struct Case {
    int code;
    const char* reason;
    Errc want;
  };
  const Case cases[] = {
      {409, "AlreadyExists", Errc::AlreadyExists},
      {409, "Conflict", Errc::Conflict},
      {422, "Invalid", Errc::Invalid},
      {400, "BadRequest", Errc::Invalid},
      {401, "Unauthorized", Errc::Unauthorized},
      {403, "Forbidden", Errc::Forbidden},
      {410, "Expired", Errc::Gone},
      {410, "Gone", Errc::Gone},
      {429, "TooManyRequests", Errc::TooManyRequests},
      {504, "Timeout", Errc::Timeout},
      {500, "ServerTimeout", Errc::Timeout},
      {415, "UnsupportedMediaType", Errc::Unsupported},
      {405, "MethodNotAllowed", Errc::Unsupported},
      {406, "NotAcceptable", Errc::Unsupported},
      {503, "ServiceUnavailable", Errc::Unavailable},
      {500, "InternalError", Errc::Internal},
      {404, "", Errc::NotFound},
      {409, "", Errc::Conflict},
      {422, "", Errc::Invalid},
      {502, "", Errc::Internal},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(errcForStatus(c.code, c.reason), c.want) << c.code << " " << c.reason;
  }
}

TEST(Status, KeepsCausesAndRetryAfter) {
  const ApiError e = parseApiError(
      504,
      R"({"kind":"Status","status":"Failure","message":"Too large resource version: 20, current: 10","reason":"Timeout","details":{"causes":[{"reason":"ResourceVersionTooLarge","message":"Too large resource version"}],"retryAfterSeconds":1},"code":504})");
  EXPECT_EQ(e.retryAfterSeconds, 1);
  ASSERT_EQ(e.causes.size(), 1u);
  EXPECT_EQ(e.causes[0].reason, "ResourceVersionTooLarge");
  EXPECT_TRUE(isTooLargeResourceVersion(e));
  EXPECT_TRUE(isTooLargeResourceVersion(e.toFailure()));
  EXPECT_FALSE(isTooLargeResourceVersion(
      parseApiError(504, R"({"kind":"Status","message":"x","reason":"Timeout"})")));
  // kube-apiserver's own wording, without the cause (as after toFailure()).
  const ApiError real = parseApiError(
      504,
      R"({"kind":"Status","message":"Timeout: Too large resource version: 20, current: 10","reason":"Timeout","code":504})");
  EXPECT_TRUE(isTooLargeResourceVersion(real));
  EXPECT_TRUE(isTooLargeResourceVersion(real.toFailure()));
  EXPECT_FALSE(isTooLargeResourceVersion(Failure{Errc::Internal, real.message}));
}

TEST(Status, NonStatusBodies) {
  EXPECT_EQ(parseApiError(502, "<html>Bad\ngateway</html>").message,
            "the server responded with HTTP 502: <html>Bad gateway</html>");
  EXPECT_EQ(parseApiError(500, "").message, "the server responded with HTTP 500");
  EXPECT_EQ(parseApiError(404, R"({"kind":"Status","reason":"NotFound"})").message,
            "the server responded with HTTP 404 (NotFound) and no message");
  EXPECT_EQ(parseApiError(503, std::string(300, 'x')).message,
            "the server responded with HTTP 503: " + std::string(200, 'x') + "...");
  EXPECT_EQ(parseApiError(503, std::string(300, 'x')).toFailure().code, Errc::Unavailable);
}

}  // namespace
}  // namespace mysqlop::kube
