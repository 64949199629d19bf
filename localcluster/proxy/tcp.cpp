#include "localcluster/proxy/tcp.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mysqlop::local::proxy {

namespace {

// 1 MiB pipes: a 64 KiB default pipe caps each splice at 16 pages and costs throughput.
constexpr int kPipeSize = 1 << 20;

Result<sockaddr_in> addressOf(const std::string& ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (port <= 0 || port > 65535 || ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1) {
    return fail(Errc::Invalid, "not an IPv4 address and port: " + ip + ":" + std::to_string(port));
  }
  return a;
}

std::string where(const std::string& ip, int port) { return ip + ":" + std::to_string(port); }

// One direction of a connection: bytes read from `from` wait in a pipe until `to` takes them.
struct Half {
  int from = -1;
  int to = -1;
  int pipeRead = -1;
  int pipeWrite = -1;
  std::size_t buffered = 0;
  std::uint64_t moved = 0;
  bool eof = false;     // `from` sent its FIN
  bool closed = false;  // FIN passed on to `to`
  bool failed = false;

  bool wantsRead() const { return !eof && buffered < static_cast<std::size_t>(kPipeSize); }
  bool wantsWrite() const { return buffered > 0; }

  void readSome() {
    ssize_t n =
        ::splice(from, nullptr, pipeWrite, nullptr, static_cast<std::size_t>(kPipeSize) - buffered,
                 SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n > 0) {
      buffered += static_cast<std::size_t>(n);
    } else if (n == 0) {
      eof = true;
    } else if (errno != EAGAIN && errno != EINTR) {
      failed = true;
    }
  }
  void writeSome() {
    ssize_t n =
        ::splice(pipeRead, nullptr, to, nullptr, buffered, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n > 0) {
      buffered -= static_cast<std::size_t>(n);
      moved += static_cast<std::uint64_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      failed = true;
    }
  }
  void passFin() {
    if (eof && buffered == 0 && !closed) {
      ::shutdown(to, SHUT_WR);
      closed = true;
    }
  }
};

struct Pipe {
  int fds[2] = {-1, -1};
  bool open() {
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
      return false;
    }
    ::fcntl(fds[1], F_SETPIPE_SZ, kPipeSize);  // best effort: the default still works
    return true;
  }
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
};

}  // namespace

Result<int> listenOn(const std::string& ip, int port) {
  auto a = addressOf(ip, port);
  if (!a.ok()) {
    return a.error();
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return fail(Errc::Unavailable,
                "cannot listen on " + where(ip, port) + ": " + std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a.value()), sizeof(sockaddr_in)) != 0 ||
      ::listen(fd, 512) != 0) {
    auto f = fail(Errc::Unavailable,
                  "cannot listen on " + where(ip, port) + ": " + std::strerror(errno));
    ::close(fd);
    return f;
  }
  return fd;
}

Result<int> connectWithin(const std::string& ip, int port, std::chrono::milliseconds timeout,
                          int stopFd) {
  auto a = addressOf(ip, port);
  if (!a.ok()) {
    return a.error();
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return fail(Errc::Unavailable,
                "cannot connect to " + where(ip, port) + ": " + std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto failWith = [&](Errc code, const std::string& why) {
    ::close(fd);
    return fail(code, "cannot connect to " + where(ip, port) + ": " + why);
  };
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a.value()), sizeof(sockaddr_in)) == 0) {
    return fd;
  }
  if (errno != EINPROGRESS) {
    return failWith(Errc::Unavailable, std::strerror(errno));
  }
  pollfd p[2] = {{fd, POLLOUT, 0}, {stopFd, POLLIN, 0}};
  int n;
  do {
    n = ::poll(p, stopFd >= 0 ? 2 : 1, static_cast<int>(timeout.count()));
  } while (n < 0 && errno == EINTR);
  if (n == 0) {
    return failWith(Errc::Timeout, "no answer within " + std::to_string(timeout.count()) + " ms");
  }
  if (stopFd >= 0 && (p[1].revents & POLLIN) != 0) {
    return failWith(Errc::Unavailable, "the proxy is stopping");
  }
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    return failWith(Errc::Unavailable, std::strerror(err));
  }
  return fd;
}

PumpCounts pump(int client, int backend, int stopFd) {
  Pipe up;
  Pipe down;
  if (!up.open() || !down.open()) {
    return {};
  }
  Half toBackend{client, backend, up.fds[0], up.fds[1]};
  Half toClient{backend, client, down.fds[0], down.fds[1]};
  while (!(toBackend.closed && toClient.closed) && !toBackend.failed && !toClient.failed) {
    // An fd nobody waits on is left out (-1): poll reports HUP whatever the events asked for.
    short clientEvents = static_cast<short>((toBackend.wantsRead() ? POLLIN : 0) |
                                            (toClient.wantsWrite() ? POLLOUT : 0));
    short backendEvents = static_cast<short>((toClient.wantsRead() ? POLLIN : 0) |
                                             (toBackend.wantsWrite() ? POLLOUT : 0));
    pollfd p[3] = {{clientEvents != 0 ? client : -1, clientEvents, 0},
                   {backendEvents != 0 ? backend : -1, backendEvents, 0},
                   {stopFd, POLLIN, 0}};
    if (::poll(p, stopFd >= 0 ? 3 : 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    if (stopFd >= 0 && (p[2].revents & POLLIN) != 0) {
      break;
    }
    constexpr short kReadable = POLLIN | POLLHUP | POLLERR;
    constexpr short kWritable = POLLOUT | POLLHUP | POLLERR;
    if ((p[0].revents & kReadable) != 0 && toBackend.wantsRead()) {
      toBackend.readSome();
    }
    if ((p[1].revents & kReadable) != 0 && toClient.wantsRead()) {
      toClient.readSome();
    }
    if ((p[1].revents & kWritable) != 0 && toBackend.wantsWrite()) {
      toBackend.writeSome();
    }
    if ((p[0].revents & kWritable) != 0 && toClient.wantsWrite()) {
      toClient.writeSome();
    }
    toBackend.passFin();
    toClient.passFin();
  }
  return {toBackend.moved, toClient.moved};
}

}  // namespace mysqlop::local::proxy
