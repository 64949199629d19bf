#include "plugins/backup/src/http_get.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace mysqlop::backup {
namespace {

using Clock = std::chrono::steady_clock;

int msLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for fd to be ready for events; false at the deadline or on an error.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int rc = poll(&p, 1, msLeft(deadline));
    if (rc < 0 && errno == EINTR) {
      continue;
    }
    return rc > 0;
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Connects to one of host's addresses before the deadline; -1 with *error otherwise.
int connectBefore(const std::string& host, std::uint16_t port, Clock::time_point deadline,
                  std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    *error = "cannot resolve " + host + ": " + gai_strerror(rc);
    return -1;
  }
  *error = "no address for " + host;
  int connected = -1;
  for (addrinfo* a = res; a != nullptr && connected < 0; a = a->ai_next) {
    const int fd =
        socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      *error = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    int err = 0;
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        err = ETIMEDOUT;
        if (waitFor(fd, POLLOUT, deadline)) {
          socklen_t len = sizeof err;
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        }
      }
    }
    if (err == 0) {
      connected = fd;
    } else {
      *error = "connecting to " + host + ":" + std::to_string(port) + ": " + std::strerror(err);
      close(fd);
    }
  }
  freeaddrinfo(res);
  if (connected >= 0) {
    error->clear();
  }
  return connected;
}

}  // namespace

HttpAnswer httpGet(const std::string& host, std::uint16_t port, const std::string& path,
                   std::chrono::milliseconds timeout) {
  HttpAnswer answer;
  const auto deadline = Clock::now() + timeout;
  Fd fd(connectBefore(host, port, deadline, &answer.error));
  if (fd.get() < 0) {
    return answer;
  }
  const bool v6 = host.find(':') != std::string::npos;
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: " + (v6 ? "[" + host + "]" : host) + ":" +
      std::to_string(port) + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!waitFor(fd.get(), POLLOUT, deadline)) {
        answer.error = "sending to " + host + ": timed out";
        return answer;
      }
    } else {
      answer.error = "sending to " + host + ": " + std::strerror(errno);
      return answer;
    }
  }
  std::string raw;
  char buf[8192];
  for (;;) {
    const ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
    if (n > 0) {
      raw.append(buf, static_cast<std::size_t>(n));
      if (raw.size() > kMaxBody + std::size_t{16} * 1024) {
        break;  // more than any progress answer: parse what we have
      }
    } else if (n == 0) {
      break;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!waitFor(fd.get(), POLLIN, deadline)) {
        answer.error = "reading from " + host + ": timed out";
        return answer;
      }
    } else {
      answer.error = "reading from " + host + ": " + std::strerror(errno);
      return answer;
    }
  }
  const std::size_t headEnd = raw.find("\r\n\r\n");
  // "HTTP/1.x NNN reason"
  int status = 0;
  const bool statusLine = raw.size() > 12 && raw.compare(0, 7, "HTTP/1.") == 0 && raw[8] == ' ';
  if (statusLine) {
    const char* digits = raw.data() + 9;
    const auto parsed = std::from_chars(digits, digits + 3, status);
    if (parsed.ec != std::errc() || parsed.ptr != digits + 3) {
      status = 0;
    }
  }
  if (headEnd == std::string::npos || status < 100) {
    answer.error = "the answer of " + host + " is not HTTP";
    return answer;
  }
  answer.status = status;
  answer.body = raw.substr(headEnd + 4, kMaxBody);
  return answer;
}

}  // namespace mysqlop::backup
