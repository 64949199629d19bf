#pragma once
// The single-threaded loop of a stream session: it polls the client connection and the local
// descriptors (a process's pipes or terminal, backend sockets). Local writes are non-blocking
// and buffered, so that a process blocked on a full stdout pipe never deadlocks against our
// write to its stdin; while the buffered bytes exceed a limit the loop stops reading the client
// (back-pressure over TCP instead of unbounded memory). Writes to the client block.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "localcluster/streams/client_conn.h"

namespace mysqlop::local::streams {

class Pump {
 public:
  // Client bytes; an empty view means the client closed its connection.
  using ClientFn = std::function<void(std::string_view)>;
  // Bytes read from a local descriptor; an empty view means end of file (or EIO of a terminal
  // whose last process exited).
  using LocalFn = std::function<void(std::string_view)>;

  explicit Pump(ClientConn& conn, std::size_t maxBuffered = 8u << 20);
  ~Pump();
  Pump(const Pump&) = delete;
  Pump& operator=(const Pump&) = delete;

  // Registers a descriptor (made non-blocking; not owned). With onRead set it is polled for
  // reading until its end of file. Returns its id.
  int add(int fd, LocalFn onRead);
  // Stops reading a descriptor (it stays for writes).
  void stopReading(int id);
  // Queues bytes for a descriptor.
  void write(int id, std::string_view data);
  // Once everything queued is written, calls `then` (close stdin, shut a socket's write side).
  void afterFlush(int id, std::function<void()> then);
  // Forgets a descriptor (queued bytes are dropped).
  void remove(int id);
  // Reads whatever a descriptor has now without waiting (EAGAIN ends it); true at end of file.
  bool drain(int id);
  // Any thread: makes run() look at `until` now.
  void wake();

  // Loops until `until` returns true, the client closed (after its EOF callback) or stop().
  // `until` is also asked after each poll timeout (pollMs).
  void run(const ClientFn& onClient, const std::function<bool()>& until, int pollMs = 500);
  void stop() { stopped_ = true; }
  bool clientClosed() const { return clientClosed_; }

 private:
  struct Local {
    int fd = -1;
    LocalFn onRead;
    bool reading = false;
    std::string out;
    std::size_t outOff = 0;
    std::function<void()> afterFlush;
  };
  bool flush(Local& local);
  std::size_t buffered() const;
  bool readLocal(int id);

  ClientConn& conn_;
  std::size_t maxBuffered_;
  std::map<int, Local> locals_;
  int nextId_ = 1;
  int wakeFds_[2] = {-1, -1};
  bool stopped_ = false;
  bool clientClosed_ = false;
};

}  // namespace mysqlop::local::streams
