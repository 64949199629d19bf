#include "localcluster/node/log_pump.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "localcluster/node/cri_log.h"

namespace mysqlop::local::node {

namespace {
void writeAll(int fd, const std::string& text) {
  size_t done = 0;
  while (fd >= 0 && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;  // a full disk loses log lines, never the container
    }
    done += static_cast<size_t>(n);
  }
}
}  // namespace

// One container: two pipes into one file.
struct LogPump::Source {
  int fds[2] = {-1, -1};
  CriLineSplitter splitters[2] = {CriLineSplitter("stdout"), CriLineSplitter("stderr")};
  int logFd = -1;
  std::function<void()> onClosed;
  int open = 2;
};

LogPump::LogPump() : wakeFd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  thread_ = std::thread([this] { run(); });
}

LogPump::~LogPump() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  const uint64_t one = 1;
  (void)::write(wakeFd_, &one, sizeof one);
  thread_.join();
  ::close(wakeFd_);
}

void LogPump::add(int stdoutFd, int stderrFd, int logFd, std::function<void()> onClosed,
                  const std::string& earlyStderr) {
  auto source = std::make_shared<Source>();
  if (!earlyStderr.empty()) {
    writeAll(logFd, source->splitters[1].feed(earlyStderr, std::chrono::system_clock::now()));
  }
  source->fds[0] = stdoutFd;
  source->fds[1] = stderrFd;
  source->logFd = logFd;
  source->onClosed = std::move(onClosed);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    incoming_.push_back(std::move(source));
  }
  const uint64_t one = 1;
  (void)::write(wakeFd_, &one, sizeof one);
}

void LogPump::run() {
  std::vector<std::shared_ptr<Source>> sources;
  std::vector<char> buf(std::size_t{64} * 1024);
  for (;;) {
    bool stopping = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& s : incoming_) {
        sources.push_back(std::move(s));
      }
      incoming_.clear();
      stopping = stopping_;
    }
    if (stopping) {
      break;
    }
    std::vector<pollfd> polls{{wakeFd_, POLLIN, 0}};
    std::vector<std::pair<Source*, int>> owners{{nullptr, 0}};
    for (auto& s : sources) {
      for (int i = 0; i < 2; ++i) {
        if (s->fds[i] >= 0) {
          polls.push_back({s->fds[i], POLLIN, 0});
          owners.emplace_back(s.get(), i);
        }
      }
    }
    if (::poll(polls.data(), polls.size(), -1) < 0) {
      continue;  // EINTR
    }
    if ((polls[0].revents & POLLIN) != 0) {
      uint64_t count = 0;
      (void)::read(wakeFd_, &count, sizeof count);
    }
    for (size_t p = 1; p < polls.size(); ++p) {
      if (polls[p].revents == 0) {
        continue;
      }
      auto [source, i] = owners[p];
      const ssize_t n = ::read(source->fds[i], buf.data(), buf.size());
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        continue;
      }
      const auto now = std::chrono::system_clock::now();
      if (n > 0) {
        writeAll(source->logFd, source->splitters[i].feed(
                                    std::string_view(buf.data(), static_cast<size_t>(n)), now));
        continue;
      }
      writeAll(source->logFd, source->splitters[i].finish(now));
      ::close(source->fds[i]);
      source->fds[i] = -1;
      if (--source->open == 0) {
        if (source->logFd >= 0) {
          ::close(source->logFd);
          source->logFd = -1;
        }
        if (source->onClosed) {
          source->onClosed();
        }
      }
    }
    std::erase_if(sources, [](const std::shared_ptr<Source>& s) { return s->open == 0; });
  }
  for (auto& s : sources) {
    for (int fd : {s->fds[0], s->fds[1], s->logFd}) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
}

}  // namespace mysqlop::local::node
