#include "tests/unit/backup/json_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace mysqlop::backup::testing {

JsonServer::JsonServer() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(fd_, 16) != 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("JsonServer: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { run(); });
}

JsonServer::~JsonServer() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

void JsonServer::answer(int status, std::string body) {
  std::lock_guard<std::mutex> lock(mutex_);
  status_ = status;
  body_ = std::move(body);
}

std::string JsonServer::lastPath() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lastPath_;
}

void JsonServer::run() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) {
      continue;
    }
    const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) {
      continue;
    }
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) {
        break;
      }
      request.append(buf, static_cast<std::size_t>(n));
    }
    std::string out;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const auto sp = request.find(' ');
      lastPath_ = request.substr(sp + 1, request.find(' ', sp + 1) - sp - 1);
      out = "HTTP/1.1 " + std::to_string(status_) +
            " X\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
    }
    ++requests_;
    (void)!write(c, out.data(), out.size());
    close(c);
  }
}

}  // namespace mysqlop::backup::testing
