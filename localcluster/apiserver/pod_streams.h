#pragma once
// What the API server asks of the node for the streaming pod subresources: pods/log, pods/exec
// and pods/portforward. kube-apiserver reaches the kubelet over HTTP for these; our API server
// and kubelet share one process, so the kubelet implements this interface and the cluster hands
// it to the API server (HttpFront::setPodStreams, ApiServer::setPodStreams). The API server
// checks the pod and the container names first (kube-apiserver's error texts); the node answers
// for what only it knows (is the container running, is there a previous instance, ...).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.h"

namespace mysqlop::local {

// The query of GET .../pods/NAME/log, parsed and checked (kube-apiserver's PodLogOptions).
struct PodLogOptions {
  std::string container;  // never empty here: the API server picked or checked it
  bool follow = false;
  bool previous = false;
  bool timestamps = false;
  std::optional<std::int64_t> tailLines;     // >= 0
  std::optional<std::int64_t> limitBytes;    // >= 1
  std::optional<std::int64_t> sinceSeconds;  // >= 1; never set together with sinceTime
  std::optional<std::string> sinceTime;      // RFC 3339
};

// Where log text goes. The first write sends the response headers (200, text/plain, chunked):
// an error returned by PodStreams::logs before any write becomes an HTTP error instead.
class TextSink {
 public:
  virtual ~TextSink() = default;
  // Sends text at once (flushed). False when the client is gone.
  virtual bool write(std::string_view text) = 0;
  // True when the client closed its side (a follower polls it while it waits for more).
  virtual bool clientGone() = 0;
};

// The query of POST/GET .../pods/NAME/exec: `command` repeated, stdin/stdout/stderr/tty.
struct PodExecOptions {
  std::string container;  // never empty here
  std::vector<std::string> command;
  bool stdin = false;
  bool stdout = true;
  bool stderr = true;
  bool tty = false;  // with tty, stderr is merged into the terminal (kubectl sends stderr=false)
};

// A process started in a running container. The streams layer reads and writes its file
// descriptors; the process object owns them and closes them when destroyed.
class PodProcess {
 public:
  virtual ~PodProcess() = default;  // SIGKILLs the process tree if it still runs, closes fds
  // The process's stdin, -1 when not requested. With a tty: the terminal's master side (the
  // same fd as stdoutFd()).
  virtual int stdinFd() const = 0;
  // -1 when not requested. With a tty: the terminal's master side.
  virtual int stdoutFd() const = 0;
  // -1 when not requested or with a tty.
  virtual int stderrFd() const = 0;
  // The client closed stdin: the process reads EOF (without a tty: the pipe is closed; with a
  // tty: the terminal's EOF character is written).
  virtual void closeStdin() = 0;
  // The terminal's window size (TIOCSWINSZ, so that the process gets SIGWINCH); no-op without a
  // tty.
  virtual void resize(std::uint16_t width, std::uint16_t height) = 0;
  // Blocks until the process has exited; its exit code (128 + signal when a signal ended it).
  virtual int wait() = 0;
};

class PodStreams {
 public:
  virtual ~PodStreams() = default;

  // Writes the container's log as `kubectl logs` shows it. With follow, keeps writing until the
  // container has ended and everything it wrote was sent, or the client is gone. Errors (before
  // any write): Invalid for "container "c" in pod "p" is waiting to start: ContainerCreating",
  // "previous terminated container "c" in pod "p" not found", ...
  virtual Result<void> logs(const nlohmann::json& pod, const PodLogOptions& options,
                            TextSink& out) = 0;

  // Starts options.command in the container's namespaces (as `kubectl exec`). Errors: Invalid
  // when the container is not running ("container not found ("c")" as the kubelet says),
  // NotFound when the command does not exist in the container.
  virtual Result<std::unique_ptr<PodProcess>> exec(const nlohmann::json& pod,
                                                   const PodExecOptions& options) = 0;

  // A TCP connection to localhost:port inside the pod's network namespace (as the kubelet's
  // port-forward dials), so that a server listening on 127.0.0.1 in the pod is reached. The
  // caller owns the returned socket fd. Errors: Unavailable naming the pod and port when nothing
  // listens.
  virtual Result<int> connectPort(const nlohmann::json& pod, std::uint16_t port) = 0;
};

}  // namespace mysqlop::local
