#pragma once

// A blocking HTTP/1.1 GET (Poco Net), for the sidecar's GET /xbackup/progress. One request per
// connection; connecting, sending and each read are bounded by the timeout, since it runs on a
// worker of the operator's queue.

#include <chrono>
#include <cstdint>
#include <string>

namespace mysqlop::backup {

struct HttpAnswer {
  int status = 0;    // 0 when there was no answer (error says why)
  std::string body;  // at most kMaxBody bytes
  std::string error;
};

constexpr std::size_t kMaxBody = std::size_t{64} * 1024;

// GET http://host:port<path>. host is a name or an address (IPv4 or IPv6).
HttpAnswer httpGet(const std::string& host, std::uint16_t port, const std::string& path,
                   std::chrono::milliseconds timeout);

}  // namespace mysqlop::backup
