// HttpConnection against a local Poco HTTP server: whole answers, streamed bodies, lower-case
// headers, a new connection per endpoint, and the one retry.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <tuple>

#include "plugins/target_http/src/http_connection.h"

namespace mysqlop::testing {
namespace {

using namespace targethttp;

// Answers /missing with 404 "no", anything else with 200 and the request's method and body.
class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    std::string body(std::istreambuf_iterator<char>(request.stream()), {});
    response.set("X-Mixed-Case", "Value");
    if (request.getURI() == "/missing") {
      response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      response.send() << "no";
      return;
    }
    response.send() << request.getMethod() << " " << body;
  }
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler;
  }
};

class Server {
 public:
  Server()
      : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)),
        server_(new Factory, socket_, new Poco::Net::HTTPServerParams) {
    server_.start();
  }
  ~Server() { server_.stopAll(true); }
  unsigned short port() const { return socket_.address().port(); }

 private:
  Poco::Net::ServerSocket socket_;
  Poco::Net::HTTPServer server_;
};

Poco::Net::HTTPRequest post(const std::string& uri, std::size_t length) {
  Poco::Net::HTTPRequest r(Poco::Net::HTTPRequest::HTTP_POST, uri,
                           Poco::Net::HTTPMessage::HTTP_1_1);
  r.setContentLength(static_cast<std::streamsize>(length));
  return r;
}

TEST(TargetHttpConnection, WholeAnswersAndStreamedBodies) {
  Server a;
  Server b;
  HttpConnection c(10);
  auto r1 = post("/x", 5);
  const HttpResult whole = c.request(false, "127.0.0.1", a.port(), r1, "hello");
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, "POST hello");
  EXPECT_EQ(whole.headers.at("x-mixed-case"), "Value");

  // Another port: another connection.
  Poco::Net::HTTPRequest get(Poco::Net::HTTPRequest::HTTP_GET, "/y",
                             Poco::Net::HTTPMessage::HTTP_1_1);
  std::istream* stream = nullptr;
  const HttpResult head = c.request(false, "127.0.0.1", b.port(), get, "", &stream);
  ASSERT_NE(stream, nullptr);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(*stream), {}), "GET ");

  // Not 200: the body is read even when a stream was asked for.
  Poco::Net::HTTPRequest missing(Poco::Net::HTTPRequest::HTTP_GET, "/missing",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  stream = nullptr;
  const HttpResult error = c.request(false, "127.0.0.1", b.port(), missing, "", &stream);
  EXPECT_EQ(stream, nullptr);
  EXPECT_EQ(error.status, 404);
  EXPECT_EQ(error.body, "no");
}

TEST(TargetHttpConnection, OneRetryAsAllowedThenRetryError) {
  HttpConnection c(10);
  int tries = 0;
  auto refused = [&]() -> int {
    ++tries;
    throw Poco::Net::ConnectionRefusedException("127.0.0.1:9");
  };
  auto timeout = [&]() -> int {
    ++tries;
    throw Poco::TimeoutException("slow");
  };
  const std::string expected = "writing x: cannot reach here: Connection refused: 127.0.0.1:9";
  for (const auto& [retry, attempt, expectedTries] :
       {std::tuple<RetryOn, std::function<int()>, int>{RetryOn::Nothing, refused, 1},
        {RetryOn::NetErrors, refused, 2},
        {RetryOn::AnyError, refused, 2}}) {
    tries = 0;
    try {
      c.withOneRetry(retry, "writing x: cannot reach here", attempt);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.status(), mysqlop_status_Retry);
      EXPECT_EQ(std::string(e.what()), expected);
    }
    EXPECT_EQ(tries, expectedTries);
  }
  for (const auto& [retry, expectedTries] :
       {std::pair{RetryOn::NetErrors, 1}, std::pair{RetryOn::AnyError, 2}}) {
    tries = 0;
    EXPECT_THROW(c.withOneRetry(retry, "x", timeout), Error);
    EXPECT_EQ(tries, expectedTries);
  }
  // A second try that succeeds.
  tries = 0;
  EXPECT_EQ(c.withOneRetry(RetryOn::NetErrors, "x",
                           [&] {
                             if (++tries == 1) {
                               throw Poco::Net::ConnectionResetException("reset");
                             }
                             return 7;
                           }),
            7);
}

}  // namespace
}  // namespace mysqlop::testing
