#include "sidecar/http.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace mysqlop::sidecar {
namespace {

// The most a request or response head, or a trailer field, may take.
constexpr size_t kMaxHead = 64UL * 1024;

std::string lower(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) {
    return {};
  }
  auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// Header lines "Name: value" into a map with lower-case names.
void parseFields(std::string_view block, std::map<std::string, std::string>& into) {
  size_t pos = 0;
  while (pos < block.size()) {
    size_t eol = block.find("\r\n", pos);
    if (eol == std::string_view::npos) {
      eol = block.size();
    }
    std::string_view line = block.substr(pos, eol - pos);
    pos = eol + 2;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    into[lower(std::string(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
}

// Buffered reads from a socket.
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}
  // Reads more into the buffer; false at EOF or error.
  bool fill() {
    char tmp[1 << 16];
    for (;;) {
      ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return false;
      }
      buf_.append(tmp, static_cast<size_t>(n));
      return true;
    }
  }
  // Reads up to and including `delim`; false when the connection ends first or limit is passed.
  bool readUntil(std::string_view delim, std::string& out, size_t limit) {
    for (;;) {
      auto at = buf_.find(delim);
      if (at != std::string::npos) {
        out = buf_.substr(0, at + delim.size());
        buf_.erase(0, at + delim.size());
        return true;
      }
      if (buf_.size() > limit || !fill()) {
        return false;
      }
    }
  }
  std::string& buffer() { return buf_; }
  // With the buffer empty: receives up to max bytes straight into a scratch area (no copy into
  // the buffer), for chunk bodies. Returns the bytes, or an empty view at EOF or error.
  std::string_view receiveDirect(size_t max) {
    scratch_.resize(kScratch);
    for (;;) {
      ssize_t n = recv(fd_, scratch_.data(), std::min(max, scratch_.size()), 0);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      return n <= 0 ? std::string_view()
                    : std::string_view(scratch_.data(), static_cast<size_t>(n));
    }
  }

 private:
  static constexpr size_t kScratch = 1 << 20;
  int fd_;
  std::string buf_;
  std::vector<char> scratch_;
};

}  // namespace

std::string base64Encode(std::string_view in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto byte = [&](size_t i) { return i < in.size() ? static_cast<unsigned char>(in[i]) : 0u; };
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    unsigned v = byte(i) << 16U | byte(i + 1) << 8U | byte(i + 2);
    out += t[v >> 18U & 63U];
    out += t[v >> 12U & 63U];
    out += i + 1 < in.size() ? t[v >> 6U & 63U] : '=';
    out += i + 2 < in.size() ? t[v & 63U] : '=';
  }
  return out;
}

Result<Url> parseUrl(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    return fail(Errc::Invalid, "URL \"" + url + "\": want http://host[:port]");
  }
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') {
    rest.pop_back();
  }
  if (rest.empty() || rest.find('/') != std::string::npos) {
    return fail(Errc::Invalid, "URL \"" + url + "\": want http://host[:port]");
  }
  Url u;
  auto colon = rest.rfind(':');
  u.host = rest.substr(0, colon);
  if (colon != std::string::npos) {
    std::string p = rest.substr(colon + 1);
    if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(p) < 1 || std::stoi(p) > 65535) {
      return fail(Errc::Invalid, "URL \"" + url + "\": bad port");
    }
    u.port = static_cast<std::uint16_t>(std::stoi(p));
  }
  if (u.host.empty()) {
    return fail(Errc::Invalid, "URL \"" + url + "\": no host");
  }
  return u;
}

bool sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool sendChunk(int fd, std::string_view data) {
  char size[32];
  const int len = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  char crlf[] = "\r\n";
  // One sendmsg for the size line, the data and the CRLF: three small sends per chunk would
  // cost three syscalls and leave Nagle's algorithm small segments to hold back.
  iovec iov[3] = {
      {size, static_cast<size_t>(len)}, {const_cast<char*>(data.data()), data.size()}, {crlf, 2}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 3;
  while (msg.msg_iovlen > 0) {
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    auto left = static_cast<size_t>(n);
    while (msg.msg_iovlen > 0 && left >= msg.msg_iov->iov_len) {
      left -= msg.msg_iov->iov_len;
      ++msg.msg_iov;
      --msg.msg_iovlen;
    }
    if (msg.msg_iovlen > 0) {
      msg.msg_iov->iov_base = static_cast<char*>(msg.msg_iov->iov_base) + left;
      msg.msg_iov->iov_len -= left;
    }
  }
  return true;
}

Result<Request> readRequest(int fd) {
  Reader r(fd);
  std::string head;
  if (!r.readUntil("\r\n\r\n", head, kMaxHead)) {
    return fail(Errc::Invalid, "incomplete or too long request head");
  }
  auto eol = head.find("\r\n");
  std::string line = head.substr(0, eol);
  auto sp1 = line.find(' ');
  auto sp2 = line.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) {
    return fail(Errc::Invalid, "malformed request line");
  }
  Request req;
  req.method = line.substr(0, sp1);
  req.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (auto q = req.path.find('?'); q != std::string::npos) {
    req.path.resize(q);
  }
  parseFields(std::string_view(head).substr(eol + 2), req.headers);
  return req;
}

bool sendSimpleResponse(int fd, int status, std::string_view reason, std::string_view body) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                    "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  out += body;
  return sendAll(fd, out);
}

Result<int> connectTo(const Url& url, std::chrono::milliseconds timeout,
                      std::chrono::seconds idle) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &res);
  if (rc != 0) {
    return fail(Errc::Unavailable, "cannot resolve " + url.host + ": " + gai_strerror(rc));
  }
  std::string lastError = "no address";
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      continue;
    }
    int c = connect(fd, a->ai_addr, a->ai_addrlen);
    if (c != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int pr = poll(&p, 1, static_cast<int>(timeout.count()));
      int soErr = 0;
      socklen_t len = sizeof soErr;
      if (pr == 1) {
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soErr, &len);
      }
      c = pr == 1 && soErr == 0 ? 0 : -1;
      errno = pr == 0 ? ETIMEDOUT : soErr;
    }
    if (c == 0) {
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      timeval tv{static_cast<time_t>(idle.count()), 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      freeaddrinfo(res);
      return fd;
    }
    lastError = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(res);
  return fail(Errc::Unavailable,
              "cannot connect to " + url.host + ":" + std::to_string(url.port) + ": " + lastError);
}

Result<Response> httpGet(const std::string& baseUrl, const std::string& path,
                         const std::string& authorization, const BodySink& sink,
                         std::chrono::milliseconds connectTimeout, std::chrono::seconds idle) {
  auto url = parseUrl(baseUrl);
  if (!url) {
    return url.error();
  }
  auto fd = connectTo(*url, connectTimeout, idle);
  if (!fd) {
    return fd.error();
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{*fd};

  std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + url->host + ":" +
                    std::to_string(url->port) + "\r\nUser-Agent: mysql-operator-sidecar\r\n" +
                    "TE: trailers\r\nConnection: close\r\n";
  if (!authorization.empty()) {
    req += "Authorization: " + authorization + "\r\n";
  }
  req += "\r\n";
  if (!sendAll(*fd, req)) {
    return fail(Errc::Unavailable, "GET " + baseUrl + path + ": cannot send the request");
  }

  Reader r(*fd);
  std::string head;
  if (!r.readUntil("\r\n\r\n", head, kMaxHead)) {
    return fail(Errc::Unavailable, "GET " + baseUrl + path + ": no response");
  }
  Response resp;
  if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) {
    return fail(Errc::Unavailable, "GET " + baseUrl + path + ": malformed response");
  }
  resp.status = static_cast<int>(std::strtol(head.c_str() + 9, nullptr, 10));
  auto eol = head.find("\r\n");
  parseFields(std::string_view(head).substr(eol + 2), resp.headers);

  bool stopped = false;
  auto deliver = [&](const char* d, size_t n) {
    resp.bodyBytes += n;
    if (!stopped && n > 0 && !sink(d, n)) {
      stopped = true;
    }
  };
  std::string& buf = r.buffer();
  if (lower(resp.headers["transfer-encoding"]) == "chunked") {
    for (;;) {
      std::string sizeLine;
      if (!r.readUntil("\r\n", sizeLine, 1024)) {
        return resp;  // cut: incomplete
      }
      unsigned long long size = std::strtoull(sizeLine.c_str(), nullptr, 16);
      if (size == 0) {
        // Trailer fields, one a line, up to an empty line.
        for (std::string field;;) {
          if (!r.readUntil("\r\n", field, kMaxHead)) {
            return resp;
          }
          if (field == "\r\n") {
            break;
          }
          parseFields(field, resp.trailers);
        }
        resp.complete = true;
        return resp;
      }
      while (size > 0) {
        if (buf.empty()) {
          const std::string_view got =
              r.receiveDirect(static_cast<size_t>(std::min<unsigned long long>(size, 1ULL << 20)));
          if (got.empty()) {
            return resp;
          }
          deliver(got.data(), got.size());
          size -= got.size();
          if (stopped) {
            return resp;
          }
          continue;
        }
        size_t take = static_cast<size_t>(std::min<unsigned long long>(size, buf.size()));
        deliver(buf.data(), take);
        buf.erase(0, take);
        size -= take;
        if (stopped) {
          return resp;
        }
      }
      std::string crlf;
      if (!r.readUntil("\r\n", crlf, 2)) {
        return resp;
      }
    }
  }
  // Content-Length or read-to-close bodies (the /health answer): no trailers.
  long long want = resp.headers.count("content-length")
                       ? std::strtoll(resp.headers["content-length"].c_str(), nullptr, 10)
                       : -1;
  for (;;) {
    if (!buf.empty()) {
      deliver(buf.data(), buf.size());
      buf.clear();
    }
    if (want >= 0 && static_cast<long long>(resp.bodyBytes) >= want) {
      resp.complete = true;
      return resp;
    }
    if (stopped || !r.fill()) {
      resp.complete = want < 0 && !stopped;
      return resp;
    }
  }
}

}  // namespace mysqlop::sidecar
