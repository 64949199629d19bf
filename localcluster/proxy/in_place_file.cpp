#include "localcluster/proxy/in_place_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mysqlop::local::names {

namespace {

Failure ioFailure(const std::string& what, const std::string& path) {
  return fail(Errc::Unavailable, what + " " + path + ": " + std::strerror(errno));
}

// The file's content, or nullopt-like false when it cannot be read (missing: treated as empty
// and different, so that it gets written).
bool readAll(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      ::close(fd);
      return n == 0;
    }
    out->append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

Result<bool> writeInPlace(const std::string& path, const std::string& content) {
  std::string current;
  if (readAll(path, &current) && current == content) {
    return false;
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return ioFailure("cannot open", path);
  }
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      auto f = ioFailure("cannot write", path);
      ::close(fd);
      return f;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    return ioFailure("cannot close", path);
  }
  return true;
}

}  // namespace mysqlop::local::names
