#pragma once
// The socket work of the Service proxy: listening on a ClusterIP:port, connecting to a backend
// with a deadline, and copying a connection both ways with splice(2).

#include <chrono>
#include <cstdint>
#include <string>

#include "core/common/result.h"

namespace mysqlop::local::proxy {

// A non-blocking listening TCP socket on ip:port (SO_REUSEADDR, backlog 512). Failures name the
// address and errno's text.
Result<int> listenOn(const std::string& ip, int port);

// A connected TCP socket (non-blocking, TCP_NODELAY) to ip:port, or a failure naming the address
// after `timeout` or the connect error. Gives up early when stopFd becomes readable.
Result<int> connectWithin(const std::string& ip, int port, std::chrono::milliseconds timeout,
                          int stopFd);

struct PumpCounts {
  std::uint64_t toBackend = 0;
  std::uint64_t toClient = 0;
};

// Copies bytes both ways between two connected non-blocking sockets until both directions have
// ended (a FIN is passed on as shutdown(SHUT_WR), so half-closed protocols work), a socket fails,
// or stopFd becomes readable. Runs on the caller's thread: one thread per connection, which is
// simple and fine for the tens of connections a local cluster carries; the bytes move through a
// pipe with splice(2) and never enter user space. Does not close the sockets.
PumpCounts pump(int client, int backend, int stopFd);

}  // namespace mysqlop::local::proxy
