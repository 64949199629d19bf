#pragma once

// The little HTTP/1.1 the sidecar speaks, on plain sockets: Poco 1.11's HTTP server and client
// neither send nor expose chunked trailers, and the clone depends on the X-Backup-Status trailer.
// One request per connection (Connection: close), GET only.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/common/result.h"

namespace mysqlop::sidecar {

std::string base64Encode(std::string_view in);

struct Url {
  std::string host;
  std::uint16_t port = 80;
};
// "http://host[:port][/]". Fails on another scheme, a path, or a bad port.
Result<Url> parseUrl(const std::string& url);

// Writes everything (MSG_NOSIGNAL); false when the peer is gone.
bool sendAll(int fd, std::string_view data);
// Sends data as one HTTP/1.1 chunk (size line, data, CRLF) in one syscall when the socket takes it.
bool sendChunk(int fd, std::string_view data);

// --- server side ---
struct Request {
  std::string method, path;
  std::map<std::string, std::string> headers;  // lower-case names
};
// Reads the request line and headers (at most 64 KiB). Fails on a malformed request.
Result<Request> readRequest(int fd);
// A complete response with a small body and Connection: close.
bool sendSimpleResponse(int fd, int status, std::string_view reason, std::string_view body);

// --- client side ---
// Connects to url within `timeout`; reads then time out after `idle` without data.
Result<int> connectTo(const Url& url, std::chrono::milliseconds timeout, std::chrono::seconds idle);

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;   // lower-case names
  std::map<std::string, std::string> trailers;  // lower-case names
  bool complete = false;  // the body ended as framed (last chunk, or Content-Length reached)
  std::uint64_t bodyBytes = 0;
};

// GET path; the body goes to sink as it arrives (sink returns false to stop). A connection cut
// in the middle of the body is not a failure: Response.complete says whether the body ended.
// Fails when the server cannot be reached or the response head is malformed.
using BodySink = std::function<bool(const char* data, std::size_t size)>;
Result<Response> httpGet(const std::string& baseUrl, const std::string& path,
                         const std::string& authorization, const BodySink& sink,
                         std::chrono::milliseconds connectTimeout, std::chrono::seconds idle);

}  // namespace mysqlop::sidecar
