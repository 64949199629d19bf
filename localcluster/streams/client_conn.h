#pragma once
// The client's connection after the HTTP upgrade: a byte stream the session reads and writes
// from one thread (OpenSSL does not allow a TLS connection to be read and written from two
// threads at once, so every session runs a single-threaded loop).

#include <cstddef>
#include <memory>
#include <string_view>

namespace Poco::Net {  // NOLINT(readability-identifier-naming): Poco's name, not ours
class StreamSocket;
}  // namespace Poco::Net

namespace mysqlop::local::streams {

class ClientConn {
 public:
  virtual ~ClientConn() = default;
  // The descriptor to poll for readability.
  virtual int fd() const = 0;
  // True when bytes were already read from the socket and wait in a buffer (TLS records): the
  // loop reads them without polling.
  virtual bool pending() = 0;
  // Reads up to n bytes: > 0 bytes read, 0 the client closed, < 0 an error.
  virtual long read(char* buf, std::size_t n) = 0;
  // Writes everything (blocking). False when the client is gone.
  virtual bool writeAll(std::string_view data) = 0;
  // Closes the connection (idempotent).
  virtual void close() = 0;
};

// A detached Poco socket (plain or TLS).
std::unique_ptr<ClientConn> makePocoConn(const Poco::Net::StreamSocket& socket);
// A plain socket descriptor, owned (tests).
std::unique_ptr<ClientConn> makeFdConn(int fd);

}  // namespace mysqlop::local::streams
