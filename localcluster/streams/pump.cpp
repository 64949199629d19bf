#include "localcluster/streams/pump.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace mysqlop::local::streams {

namespace {
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
}

Pump::Pump(ClientConn& conn, std::size_t maxBuffered) : conn_(conn), maxBuffered_(maxBuffered) {
  if (::pipe2(wakeFds_, O_NONBLOCK | O_CLOEXEC) != 0) {
    wakeFds_[0] = wakeFds_[1] = -1;
  }
}

Pump::~Pump() {
  for (int fd : wakeFds_) {
    if (fd >= 0) {
      ::close(fd);
    }
  }
}

int Pump::add(int fd, LocalFn onRead) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) {
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  }
  int id = nextId_++;
  Local& l = locals_[id];
  l.fd = fd;
  l.reading = static_cast<bool>(onRead);
  l.onRead = std::move(onRead);
  return id;
}

void Pump::stopReading(int id) {
  auto it = locals_.find(id);
  if (it != locals_.end()) {
    it->second.reading = false;
  }
}

void Pump::write(int id, std::string_view data) {
  auto it = locals_.find(id);
  if (it == locals_.end() || data.empty()) {
    return;
  }
  Local& l = it->second;
  if (l.outOff == l.out.size()) {
    l.out.clear();
    l.outOff = 0;
  }
  l.out += data;
  flush(l);
}

void Pump::afterFlush(int id, std::function<void()> then) {
  auto it = locals_.find(id);
  if (it == locals_.end()) {
    if (then) {
      then();
    }
    return;
  }
  it->second.afterFlush = std::move(then);
  flush(it->second);
}

void Pump::remove(int id) { locals_.erase(id); }

void Pump::wake() {
  if (wakeFds_[1] >= 0) {
    char c = 1;
    [[maybe_unused]] ssize_t n = ::write(wakeFds_[1], &c, 1);
  }
}

bool Pump::flush(Local& l) {
  while (l.outOff < l.out.size()) {
    ssize_t n = ::write(l.fd, l.out.data() + l.outOff, l.out.size() - l.outOff);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    }
    if (n <= 0) {
      // The reader is gone (EPIPE): what is queued can never be delivered.
      l.out.clear();
      l.outOff = 0;
      break;
    }
    l.outOff += static_cast<std::size_t>(n);
  }
  l.out.clear();
  l.outOff = 0;
  if (l.afterFlush) {
    auto then = std::move(l.afterFlush);
    l.afterFlush = nullptr;
    then();
  }
  return true;
}

std::size_t Pump::buffered() const {
  std::size_t total = 0;
  for (const auto& [id, l] : locals_) {
    total += l.out.size() - l.outOff;
  }
  return total;
}

// One read; false when the descriptor has nothing now (EAGAIN) or reached its end.
bool Pump::readLocal(int id) {
  auto it = locals_.find(id);
  if (it == locals_.end() || !it->second.reading) {
    return false;
  }
  char buf[kReadChunk];
  ssize_t n = ::read(it->second.fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    return false;
  }
  it->second.reading = n > 0;
  LocalFn fn = it->second.onRead;  // the callback may remove the entry
  fn(n > 0 ? std::string_view(buf, static_cast<std::size_t>(n)) : std::string_view());
  return n > 0;
}

bool Pump::drain(int id) {
  while (readLocal(id)) {
  }
  auto it = locals_.find(id);
  return it == locals_.end() || !it->second.reading;
}

void Pump::run(const ClientFn& onClient, const std::function<bool()>& until, int pollMs) {
  std::vector<pollfd> fds;
  std::vector<int> ids;
  char buf[kReadChunk];
  while (!stopped_ && !until()) {
    fds.clear();
    ids.clear();
    const bool readClient = !clientClosed_ && buffered() < maxBuffered_;
    fds.push_back({conn_.fd(), static_cast<short>(readClient ? POLLIN : 0), 0});
    ids.push_back(0);
    fds.push_back({wakeFds_[0], POLLIN, 0});
    ids.push_back(-1);
    for (const auto& [id, l] : locals_) {
      short events = 0;
      if (l.reading) {
        events |= POLLIN;
      }
      if (l.outOff < l.out.size()) {
        events |= POLLOUT;
      }
      if (events != 0) {
        fds.push_back({l.fd, events, 0});
        ids.push_back(id);
      }
    }
    const int timeout = readClient && conn_.pending() ? 0 : pollMs;
    int rc = ::poll(fds.data(), fds.size(), timeout);
    if (rc < 0 && errno != EINTR) {
      break;
    }
    if (readClient && (conn_.pending() || (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0)) {
      long n = conn_.read(buf, sizeof buf);
      if (n <= 0) {
        clientClosed_ = true;
        onClient(std::string_view());
        break;
      }
      onClient(std::string_view(buf, static_cast<std::size_t>(n)));
    }
    if ((fds[1].revents & POLLIN) != 0) {
      char drainBuf[64];
      while (::read(wakeFds_[0], drainBuf, sizeof drainBuf) > 0) {
      }
    }
    for (std::size_t i = 2; i < fds.size() && !stopped_; ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      auto it = locals_.find(ids[i]);
      if (it == locals_.end()) {
        continue;
      }
      if ((fds[i].revents & POLLOUT) != 0 || ((fds[i].revents & (POLLERR | POLLHUP)) != 0 &&
                                              it->second.outOff < it->second.out.size())) {
        flush(it->second);
      }
      it = locals_.find(ids[i]);
      if (it != locals_.end() && it->second.reading &&
          (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        readLocal(ids[i]);
      }
    }
  }
}

}  // namespace mysqlop::local::streams
