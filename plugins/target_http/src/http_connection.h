#pragma once

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>

#include <istream>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"

namespace mysqlop::targethttp {

// A whole answer: the status, the body read to its end, the headers by lower-case name.
struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// One TLS client context for every session: the system's CAs, the server's certificate and name
// verified. Built here rather than by Poco's SSLManager, which wants an application configuration
// that a plugin does not have.
Poco::Net::Context::Ptr tlsContext();

// Which failures of a request are tried once more on a fresh connection (a kept-alive
// connection the server closed meanwhile fails the next request).
enum class RetryOn {
  Nothing,
  NetErrors,  // Poco::Net::NetException and its kinds only
  AnyError,   // every Poco::Exception
};

// The client side of one keep-alive HTTP(S) connection, opened lazily with the given timeout
// per exchange, and opened anew when a request goes to another scheme, host or port or after a
// failure. Not thread-safe: a writer or reader owns its connection.
class HttpConnection {
 public:
  explicit HttpConnection(int timeoutSeconds);
  ~HttpConnection();

  // Sends message and body to http[s]://host:port and reads the answer: its status, headers
  // (lower-case names) and whole body; but when stream is given and the status is 200, *stream
  // is set to the body stream instead (valid until the next request). Throws Poco::Exception as
  // Poco does (withOneRetry handles them).
  HttpResult request(bool https, const std::string& host, unsigned short port,
                     Poco::Net::HTTPRequest& message, std::string_view body,
                     std::istream** stream = nullptr);

  // Runs attempt() (which makes the request); on a Poco::Exception it drops the connection and,
  // where retry allows, runs attempt() once more; a failure it does not retry throws
  // mysqlop::Error(Retry) "<unreachable>: <Poco's text>".
  template <class Attempt>
  auto withOneRetry(RetryOn retry, const std::string& unreachable, Attempt&& attempt)
      -> decltype(attempt()) {
    for (int tried = 0;; ++tried) {
      try {
        return attempt();
      } catch (const Poco::Exception& e) {
        reset();
        if (tried == 0 && retries(retry, e)) {
          continue;
        }
        throw Error(mysqlop_status_Retry, unreachable + ": " + e.displayText());
      }
    }
  }

  // Closes the connection; the next request opens a new one.
  void reset();

 private:
  static bool retries(RetryOn retry, const Poco::Exception& e) {
    return retry == RetryOn::AnyError ||
           (retry == RetryOn::NetErrors &&
            dynamic_cast<const Poco::Net::NetException*>(&e) != nullptr);
  }
  Poco::Net::HTTPClientSession& session(bool https, const std::string& host, unsigned short port);

  int timeoutSeconds_;
  std::string sessionKey_;  // "https://host:port" of session_
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  Poco::Net::HTTPResponse response_;
};

}  // namespace mysqlop::targethttp
