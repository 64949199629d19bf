#include "localcluster/streams/client_conn.h"

#include <Poco/Exception.h>
#include <Poco/Net/StreamSocket.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace mysqlop::local::streams {

namespace {

class PocoConn : public ClientConn {
 public:
  explicit PocoConn(const Poco::Net::StreamSocket& socket) : socket_(socket) {
    socket_.setBlocking(true);
    socket_.setNoDelay(true);
    // The HTTP server's 60 s timeouts are for requests. The loop polls before it reads (no
    // receive timeout); a client that stops reading for 5 minutes while we have data for it is
    // taken as gone.
    socket_.setReceiveTimeout(Poco::Timespan(0));
    socket_.setSendTimeout(Poco::Timespan(300, 0));
    fd_ = static_cast<int>(socket_.impl()->sockfd());
  }
  ~PocoConn() override { close(); }

  int fd() const override { return fd_; }

  bool pending() override {
    try {
      return !closed_ && socket_.available() > 0;
    } catch (const Poco::Exception&) {
      return false;
    }
  }

  long read(char* buf, std::size_t n) override {
    try {
      return socket_.receiveBytes(buf, static_cast<int>(n));
    } catch (const Poco::Exception&) {
      return -1;
    }
  }

  bool writeAll(std::string_view data) override {
    try {
      while (!data.empty()) {
        int n = socket_.sendBytes(data.data(), static_cast<int>(data.size()));
        if (n <= 0) {
          return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
      }
      return true;
    } catch (const Poco::Exception&) {
      return false;
    }
  }

  void close() override {
    if (closed_) {
      return;
    }
    closed_ = true;
    try {
      socket_.close();
    } catch (const Poco::Exception&) {
    }
  }

 private:
  Poco::Net::StreamSocket socket_;
  int fd_ = -1;
  bool closed_ = false;
};

class FdConn : public ClientConn {
 public:
  explicit FdConn(int fd) : fd_(fd) {}
  ~FdConn() override { close(); }
  int fd() const override { return fd_; }
  bool pending() override { return false; }
  long read(char* buf, std::size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r < 0 && errno == EINTR) {
        continue;
      }
      return static_cast<long>(r);
    }
  }
  bool writeAll(std::string_view data) override {
    while (!data.empty()) {
      ssize_t w = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) {
        continue;
      }
      if (w <= 0) {
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(w));
    }
    return true;
  }
  void close() override {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<ClientConn> makePocoConn(const Poco::Net::StreamSocket& socket) {
  return std::make_unique<PocoConn>(socket);
}

std::unique_ptr<ClientConn> makeFdConn(int fd) { return std::make_unique<FdConn>(fd); }

}  // namespace mysqlop::local::streams
