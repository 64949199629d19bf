#include "localcluster/kubelet/node_streams.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "localcluster/kubelet/container_exec.h"
#include "localcluster/kubelet/container_logs.h"
#include "localcluster/kubelet/kubelet_internal.h"
#include "localcluster/kubelet/log_source.h"
#include "localcluster/node/network.h"
#include "localcluster/node/supervisor.h"

namespace mysqlop::local::kubelet {

using nlohmann::json;

namespace {

// How often a follower looks for more output or for the end of its container: short enough for
// an interactive `kubectl logs -f`, long enough to cost nothing.
constexpr std::chrono::milliseconds kFollowPoll{100};
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;

std::string podUid(const json& pod) {
  return pod.value("metadata", json::object()).value("uid", "");
}

// The container's process key in the supervisor (pod_containers.cpp names it so).
std::string processKey(const json& pod, const std::string& container) {
  return podUid(pod) + "/" + container;
}

// Reads what the file holds past *offset (at most kReadChunk); "" at its end.
std::string readMore(int fd, off_t* offset) {
  std::string buf(kReadChunk, '\0');
  const ssize_t n = ::pread(fd, buf.data(), buf.size(), *offset);
  if (n <= 0) {
    return "";
  }
  *offset += n;
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

// Writes lines through the byte limit; false when the output is over (client gone, limit hit).
bool sendLines(const std::vector<LogLine>& lines, bool timestamps, ByteLimit& limit,
               TextSink& out) {
  for (const auto& l : lines) {
    const std::string text = formatLine(l, timestamps);
    const std::string_view piece = limit.take(text);
    if (!piece.empty() && !out.write(piece)) {
      return false;
    }
    if (limit.exhausted()) {
      return false;
    }
  }
  return true;
}

bool hostNetwork(const json& pod) {
  const json spec = pod.value("spec", json::object());
  auto it = spec.find("hostNetwork");
  return it != spec.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

Result<void> NodeStreams::logs(const json& pod, const PodLogOptions& options, TextSink& out) {
  auto source = containerLogSource(pod, options.container, options.previous);
  if (!source.ok()) {
    return source.error();
  }
  std::optional<std::chrono::system_clock::time_point> since;
  if (options.sinceSeconds) {
    since = std::chrono::system_clock::now() - std::chrono::seconds(*options.sinceSeconds);
  } else if (options.sinceTime) {
    since = parseRfc3339Nano(*options.sinceTime);
    if (!since) {
      return fail(Errc::Invalid, "sinceTime \"" + *options.sinceTime + "\" is not RFC 3339");
    }
  }
  const std::string path =
      containerLogPath(ctx_.options.dataDir, pod, options.container, source->instance);
  // A container that never wrote (or could not start) has no file: an empty log.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct FdCloser {
    int fd;
    ~FdCloser() {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  } closer{fd};
  // As the kubelet's zero-byte write: the answer starts (200) before any output may exist.
  if (!out.write("")) {
    return {};
  }
  CriLogDecoder decoder;
  ByteLimit limit(options.limitBytes);
  off_t offset = 0;
  std::vector<LogLine> lines;
  for (std::string chunk = fd >= 0 ? readMore(fd, &offset) : ""; !chunk.empty();
       chunk = readMore(fd, &offset)) {
    auto more = decoder.feed(chunk);
    lines.insert(lines.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
  }
  if (!options.follow) {
    auto rest = decoder.finish();
    lines.insert(lines.end(), rest.begin(), rest.end());
    (void)sendLines(selectLines(std::move(lines), options.tailLines, since), options.timestamps,
                    limit, out);
    return {};
  }
  if (!sendLines(selectLines(std::move(lines), options.tailLines, since), options.timestamps, limit,
                 out)) {
    return {};
  }
  // Follow: the instance ends when its process is gone and its output copied (the supervisor
  // forgets it), or when a newer instance's file exists (it was restarted meanwhile).
  const std::string key = processKey(pod, options.container);
  const std::string next =
      containerLogPath(ctx_.options.dataDir, pod, options.container, source->instance + 1);
  auto ended = [&] {
    node::Supervisor* s = ctx_.supervisor;
    if (s == nullptr || !s->active(key)) {
      return true;
    }
    std::error_code ec;
    return std::filesystem::exists(next, ec);
  };
  int followFd = fd;
  while (true) {
    const bool over = ended();  // before the read: what was written until now is read below
    if (followFd < 0) {
      followFd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);  // created by the container's start
      closer.fd = followFd;
    }
    bool progress = false;
    for (std::string chunk = followFd >= 0 ? readMore(followFd, &offset) : ""; !chunk.empty();
         chunk = readMore(followFd, &offset)) {
      progress = true;
      std::vector<LogLine> fresh = decoder.feed(chunk);
      if (!sendLines(selectLines(std::move(fresh), std::nullopt, since), options.timestamps, limit,
                     out)) {
        return {};
      }
    }
    if (over) {
      (void)sendLines(selectLines(decoder.finish(), std::nullopt, since), options.timestamps, limit,
                      out);
      return {};
    }
    if (!progress) {
      if (out.clientGone()) {
        return {};
      }
      std::this_thread::sleep_for(kFollowPoll);
    }
  }
}

Result<std::unique_ptr<PodProcess>> NodeStreams::exec(const json& pod,
                                                      const PodExecOptions& options) {
  node::Supervisor* s = ctx_.supervisor;
  if (s == nullptr) {
    return fail(Errc::Unavailable, "the kubelet is not running");
  }
  const std::string key = processKey(pod, options.container);
  const int pid = s->pidOf(key);
  if (pid <= 0) {
    return fail(Errc::Invalid, "container not found (\"" + options.container + "\")");
  }
  auto p = execInContainer(pid, s->envOf(key), options);
  if (!p.ok() && p.is(Errc::Unavailable) && s->pidOf(key) != pid) {
    // It ended while we entered it.
    return fail(Errc::Invalid, "container not found (\"" + options.container + "\")");
  }
  return p;
}

Result<int> NodeStreams::connectPort(const json& pod, std::uint16_t port) {
  const std::string what =
      "error forwarding port " + std::to_string(port) + " to pod " + podDescription(pod);
  std::string netns;
  if (!hostNetwork(pod)) {
    if (ctx_.network == nullptr) {
      return fail(Errc::Unavailable, what + ": the kubelet is not running");
    }
    netns = ctx_.network->netnsOf(podUid(pod));
    if (netns.empty()) {
      return fail(Errc::Unavailable, what + ": the pod has no network namespace (not running)");
    }
  }
  // A socket belongs to the network namespace of the thread that created it: a short-lived
  // thread enters the pod's namespace (setns affects that thread only), creates and connects it.
  int fd = -1;
  int error = 0;
  std::string step;
  std::thread dialer([&] {
    if (!netns.empty()) {
      const int nsFd = ::open(("/var/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
      if (nsFd < 0 || ::setns(nsFd, CLONE_NEWNET) != 0) {
        error = errno;
        step = "entering network namespace \"" + netns + "\"";
        if (nsFd >= 0) {
          ::close(nsFd);
        }
        return;
      }
      ::close(nsFd);
    }
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = errno;
      step = "socket";
      return;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int r = 0;
    do {
      r = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    } while (r != 0 && errno == EINTR);
    if (r != 0) {
      error = errno;
      step = "dial tcp4 127.0.0.1:" + std::to_string(port);
      ::close(fd);
      fd = -1;
    }
  });
  dialer.join();
  if (fd < 0) {
    const std::string where =
        netns.empty() ? "the host's network namespace" : "network namespace \"" + netns + "\"";
    return fail(Errc::Unavailable,
                what + ": failed to connect to localhost:" + std::to_string(port) + " inside " +
                    where + ": " + step + ": " + std::strerror(error));
  }
  return fd;
}

}  // namespace mysqlop::local::kubelet
