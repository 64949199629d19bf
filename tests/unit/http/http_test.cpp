// The router and the HTTP server, over a real socket.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <gtest/gtest.h>

#include <sstream>

#include "core/http/server.h"

namespace mysqlop::http {
namespace {

struct Reply {
  int status;
  std::string contentType;
  std::string body;
};

Reply call(std::uint16_t port, const std::string& method, const std::string& path,
           const std::string& body = "") {
  Poco::Net::HTTPClientSession s("127.0.0.1", port);
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentLength64(static_cast<Poco::Int64>(body.size()));
  s.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  std::stringstream text;
  text << in.rdbuf();
  return {static_cast<int>(resp.getStatus()), resp.getContentType(), text.str()};
}

TEST(Router, ExactPrefixAndMethodMatching) {
  Router r;
  EXPECT_TRUE(r.add("GET", "/a", [](const Request&, Response& o) { o.body = "exact"; }));
  EXPECT_TRUE(
      r.add("GET", "/a/*", [](const Request& i, Response& o) { o.body = "prefix " + i.path; }));
  EXPECT_TRUE(r.add("GET", "/a/b/*", [](const Request&, Response& o) { o.body = "longer"; }));
  EXPECT_FALSE(r.add("GET", "/a", [](const Request&, Response&) {}));
  Response o;
  r.dispatch({"GET", "/a", "", "", {}}, o);
  EXPECT_EQ(o.body, "exact");
  r.dispatch({"GET", "/a/x", "", "", {}}, o);
  EXPECT_EQ(o.body, "prefix /a/x");
  r.dispatch({"GET", "/a/b/c", "", "", {}}, o);
  EXPECT_EQ(o.body, "longer");
  Response missing;
  r.dispatch({"GET", "/nope", "", "", {}}, missing);
  EXPECT_EQ(missing.status, 404);
  Response wrongMethod;
  r.dispatch({"POST", "/a", "", "", {}}, wrongMethod);
  EXPECT_EQ(wrongMethod.status, 405);
  r.removePrefix("/a/");
  Response gone;
  r.dispatch({"GET", "/a/x", "", "", {}}, gone);
  EXPECT_EQ(gone.status, 404);
}

TEST(Server, ServesTheRouterOnAnEphemeralPort) {
  Router r;
  r.add("POST", "/echo", [](const Request& i, Response& o) {
    o.contentType = "application/json";
    o.body = i.body + "|" + i.query;
  });
  Server s(r);
  ASSERT_TRUE(s.start(*parseAddress("127.0.0.1:0")).ok());
  ASSERT_NE(s.port(), 0);
  Reply ok = call(s.port(), "POST", "/echo?x=1", "hello");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.contentType, "application/json");
  EXPECT_EQ(ok.body, "hello|x=1");
  EXPECT_EQ(call(s.port(), "GET", "/missing").status, 404);
  // A body announced larger than the limit is refused before it is read.
  Poco::Net::HTTPClientSession big("127.0.0.1", s.port());
  Poco::Net::HTTPRequest req("POST", "/echo", Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentLength64(static_cast<Poco::Int64>(Server::kMaxBody + 1));
  big.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  big.receiveResponse(resp);
  EXPECT_EQ(resp.getStatus(), 413);
  s.stop();
}

TEST(Server, HandlerExceptionsBecome500) {
  Router r;
  r.add("GET", "/boom", [](const Request&, Response&) { throw std::runtime_error("boom"); });
  Server s(r);
  ASSERT_TRUE(s.start(*parseAddress("127.0.0.1:0")).ok());
  Reply boom = call(s.port(), "GET", "/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.body, "internal error\n");
}

TEST(Server, ListenFailureNamesTheAddress) {
  Router r;
  Server a(r);
  ASSERT_TRUE(a.start(*parseAddress("127.0.0.1:0")).ok());
  Server b(r);
  auto res = b.start(*parseAddress("127.0.0.1:" + std::to_string(a.port())));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(
      res.error().message.rfind("cannot listen on 127.0.0.1:" + std::to_string(a.port()) + ": ", 0),
      0U)
      << res.error().message;
}

TEST(Address, BitpokeForms) {
  EXPECT_EQ(parseAddress(":8080")->port, 8080);
  EXPECT_EQ(parseAddress(":8080")->host, "");
  EXPECT_EQ(parseAddress("127.0.0.1:0")->host, "127.0.0.1");
  EXPECT_EQ(parseAddress("[::1]:9")->host, "::1");
  EXPECT_TRUE(parseAddress("0")->disabled);
  EXPECT_EQ(parseAddress("8080").error().message, "address \"8080\": expected [host]:port or 0");
  EXPECT_EQ(parseAddress(":99999").error().message,
            "address \":99999\": port must be a number from 0 to 65535");
  EXPECT_EQ(parseAddress("host:").error().message,
            "address \"host:\": port must be a number from 0 to 65535");
}

}  // namespace
}  // namespace mysqlop::http
