#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::kube {

struct HttpRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string target;  // path and query, already escaped: "/api/v1/namespaces/a/pods?limit=5"
  std::string body;
  std::string contentType;  // of the body
  std::string accept = "application/json";
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // per read
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string contentType;
  std::vector<std::string> warnings;  // texts of the Warning headers
};

// A response body read line by line while it arrives (watch streams).
class HttpStream {
 public:
  virtual ~HttpStream() = default;
  // Reads the next line, without its '\n'. Returns false at the clean end of the body, and a
  // failure (Errc::Unavailable) when the connection breaks or was cancelled.
  virtual Result<bool> readLine(std::string* line) = 0;
  // Makes a readLine blocked in another thread return at once. Idempotent.
  virtual void cancel() = 0;
};

// How a Client reaches an API server: HttpTransport over the network, or an in-process transport
// (localcluster/apiserver/local_transport.h) that calls the server directly. Thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;
  // Sends a request and reads the whole response. A non-2xx status is not a failure here; only
  // transport errors are (Errc::Unavailable, or Errc::Timeout when the server did not answer).
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
  // Sends a request whose response is streamed. On 2xx returns the stream and fills head (status,
  // headers); otherwise returns nullptr with head holding the whole response.
  virtual Result<std::unique_ptr<HttpStream>> stream(const HttpRequest& request,
                                                     HttpResponse* head) = 0;
  // The server's URL, for messages ("https://127.0.0.1:6443", "local://...").
  virtual const std::string& server() const = 0;
};

// The text of a Warning header: "299 - \"text\"" -> text; anything else is kept whole.
std::string warningHeaderText(const std::string& header);

}  // namespace mysqlop::kube
