#include "localcluster/apiserver/api_error.h"

#include <gtest/gtest.h>

namespace mysqlop::local {
namespace {

using nlohmann::json;

TEST(ApiError, NotFoundCoreAndNamedGroup) {
  EXPECT_EQ(errNotFound({"", "pods"}, "p1").status(),
            json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
              "message":"pods \"p1\" not found","reason":"NotFound",
              "details":{"name":"p1","kind":"pods"},"code":404})"));
  EXPECT_EQ(errNotFound({"mysql.presslabs.org", "mysqlclusters"}, "mc").status()["message"],
            "mysqlclusters.mysql.presslabs.org \"mc\" not found");
  EXPECT_EQ(errPathNotFound().status(),
            json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
              "message":"the server could not find the requested resource","reason":"NotFound",
              "details":{},"code":404})"));
}

TEST(ApiError, AlreadyExistsAndConflict) {
  EXPECT_EQ(errAlreadyExists({"apps", "statefulsets"}, "db").status(),
            json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
              "message":"statefulsets.apps \"db\" already exists","reason":"AlreadyExists",
              "details":{"name":"db","group":"apps","kind":"statefulsets"},"code":409})"));
  EXPECT_EQ(errOptimisticLock({"", "configmaps"}, "c").status()["message"],
            "Operation cannot be fulfilled on configmaps \"c\": the object has been modified; "
            "please apply your changes to the latest version and try again");
}

TEST(ApiError, InvalidSingleAndMultiple) {
  auto one = errInvalid("MysqlCluster", "mysql.presslabs.org", "mc",
                        {fieldInvalid("spec.replicas", -1, "must be greater than or equal to 0")});
  EXPECT_EQ(one.code, 422);
  EXPECT_EQ(one.status()["message"],
            "MysqlCluster.mysql.presslabs.org \"mc\" is invalid: spec.replicas: Invalid value: -1: "
            "must be greater than or equal to 0");
  EXPECT_EQ(one.status()["details"],
            json::parse(R"({"name":"mc","group":"mysql.presslabs.org","kind":"MysqlCluster",
              "causes":[{"reason":"FieldValueInvalid",
                "message":"Invalid value: -1: must be greater than or equal to 0",
                "field":"spec.replicas"}]})"));
  auto two =
      errInvalid("Pod", "", "p",
                 {fieldRequired("spec.containers"), fieldNotSupported("spec.x", "a", {"\"b\""})});
  EXPECT_EQ(two.status()["message"],
            "Pod \"p\" is invalid: [spec.containers: Required value, spec.x: Unsupported value: "
            "\"a\": supported values: \"b\"]");
}

TEST(ApiError, OtherReasons) {
  EXPECT_EQ(errUnauthorized().status(),
            json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
              "message":"Unauthorized","reason":"Unauthorized","code":401})"));
  EXPECT_EQ(
      errInternal("resourceVersion should not be set on objects to be created").status()["message"],
      "Internal error occurred: resourceVersion should not be set on objects to be created");
  auto big = errTooLargeResourceVersion(9000, 1200);
  EXPECT_EQ(big.code, 504);
  EXPECT_EQ(big.retryAfterSeconds, 1);
  EXPECT_EQ(big.status()["message"], "Timeout: Too large resource version: 9000, current: 1200");
  EXPECT_EQ(errExpired("too old resource version: 1 (2)").status()["reason"], "Expired");
  EXPECT_EQ(errMethodNotAllowed().code, 405);
  EXPECT_EQ(errNotAcceptable().code, 406);
  EXPECT_EQ(errUnsupportedMediaType("x").status()["reason"], "UnsupportedMediaType");
  EXPECT_EQ(fieldTooLong("a", 5).str(), "a: Too long: may not be longer than 5");
  EXPECT_EQ(fieldForbidden("spec", "no").str(), "spec: Forbidden: no");
}

}  // namespace
}  // namespace mysqlop::local
