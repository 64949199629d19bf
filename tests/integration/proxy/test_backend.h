#pragma once
// A backend for proxy tests: each connection first gets "<name>\n", then an echo of what it
// sends; the client's FIN is answered with a FIN (so half-close through the proxy is visible).
// Blocking sockets, one thread per connection: small and obviously correct.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mysqlop::local::proxy::it {

class TestBackend {
 public:
  TestBackend() = default;
  TestBackend(const TestBackend&) = delete;
  TestBackend& operator=(const TestBackend&) = delete;
  ~TestBackend() { stop(); }

  // Listens on ip:port (0 = any free port). False when it cannot.
  bool start(const std::string& ip, const std::string& name, int port = 0) {
    name_ = name;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 128) != 0) {
      return false;
    }
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { acceptLoop(); });
    return true;
  }

  void stop() {
    if (fd_ < 0) {
      return;
    }
    ::shutdown(fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(fd_);
    fd_ = -1;
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (int c : conns_) {
        ::shutdown(c, SHUT_RDWR);
      }
      threads.swap(threads_);
    }
    for (auto& t : threads) {
      t.join();
    }
  }

  int port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  void acceptLoop() {
    for (;;) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) {
        if (errno == EINTR || errno == ECONNABORTED) {
          continue;
        }
        return;
      }
      connections_++;
      std::lock_guard lock(mu_);
      conns_.push_back(c);
      threads_.emplace_back([this, c] { serve(c); });
    }
  }

  void serve(int c) {
    std::string hello = name_ + "\n";
    ::send(c, hello.data(), hello.size(), MSG_NOSIGNAL);
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) {
        break;
      }
      if (::send(c, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) {
        break;
      }
    }
    ::shutdown(c, SHUT_WR);
    // Closed by stop(), or here once the peer is gone too.
    char drain;
    while (::recv(c, &drain, 1, 0) > 0) {
    }
    std::lock_guard lock(mu_);
    for (auto& fd : conns_) {
      if (fd == c) {
        fd = -1;
      }
    }
    ::close(c);
  }

  std::string name_;
  int fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> conns_;
  std::vector<std::thread> threads_;
  std::atomic<int> connections_{0};
};

// A blocking client connection with a receive timeout (a generous bound, never asserted on).
class TestClient {
 public:
  ~TestClient() { close(); }
  bool connect(const std::string& ip, int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  // One line without its "\n"; "" at EOF or on error.
  std::string line() {
    std::string out;
    char ch;
    while (::recv(fd_, &ch, 1, 0) == 1) {
      if (ch == '\n') {
        return out;
      }
      out += ch;
    }
    return out;
  }
  bool send(const std::string& s) {
    return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }
  void shutdownWrite() { ::shutdown(fd_, SHUT_WR); }
  // Everything until EOF.
  std::string rest() {
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        return out;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  void close() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_ = -1;
};

// Which backend answers a new connection to ip:port ("" when the proxy closed it).
inline std::string backendOf(const std::string& ip, int port) {
  TestClient c;
  if (!c.connect(ip, port)) {
    return "";
  }
  return c.line();
}

}  // namespace mysqlop::local::proxy::it
