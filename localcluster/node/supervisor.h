#pragma once
// Process supervision for the process kubelet: a container is one process tree started under
// bubblewrap (new pid namespace, --die-with-parent) in its pod's network namespace. Spawns are
// recorded (records.h) with the pid and its start time before anything else can happen to them,
// so that a crash leaves nothing that `down` or the next `up` cannot find and stop.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local::node {

class Records;

struct Bind {
  std::string source;  // host path
  std::string target;  // path inside the container
  bool readOnly = false;
};

struct SpawnSpec {
  std::string key;                // stable and unique: "<pod uid>/<container name>"
  std::vector<std::string> argv;  // argv[0] is looked up in PATH of env when it has no '/'
  std::vector<std::string> env;   // the whole environment, "K=V"
  std::string workingDir;         // "" = "/"
  std::string netns;              // "" = the host's network namespace
  std::string hostname;           // "" = the host's (else a UTS namespace with this name)
  std::vector<Bind> binds;        // applied in order over a --dev-bind of / (e.g. /etc/hosts)
  // Output of stdout and stderr, one line per record in the CRI log format that `kubectl logs`
  // reads: "<RFC 3339 nano UTC> stdout|stderr F|P <text>". The file is appended to.
  std::string logPath;
};

struct ExitStatus {
  int exitCode = 0;    // 128+signal when killed by a signal, as a container runtime reports
  int signal = 0;      // the signal that ended it, 0 if it exited
  std::string reason;  // "Completed" (0), "Error" (nonzero), "OOMKilled" never here
  std::chrono::system_clock::time_point startedAt;
  std::chrono::system_clock::time_point finishedAt;
};

struct ExecResult {
  int exitCode = 0;
  std::string output;  // stdout and stderr, at most 10 KiB kept
  bool timedOut = false;
};

class Supervisor {
 public:
  // onExit runs on the supervisor's reaper thread, once per spawned process, after it and its
  // whole tree are gone and its record was removed. It must not block for long.
  using ExitCallback = std::function<void(const std::string& key, const ExitStatus& status)>;
  Supervisor(Records& records, ExitCallback onExit);
  ~Supervisor();  // stops every process (SIGKILL) and joins its threads
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Starts the process; fails (naming the key and the cause) when the key is running, the
  // namespace does not exist, or bwrap cannot start argv[0] (no such program: a clear message,
  // not an exit status). Returns the host pid of the sandboxed process.
  Result<int> spawn(const SpawnSpec& spec);
  bool running(const std::string& key) const;
  // Host pid of the sandboxed process (what nsenter targets), 0 if not running.
  int pidOf(const std::string& key) const;
  // The environment the key's process was started with ("K=V"), empty if the key is unknown:
  // what `kubectl exec` gives a command, as CRI exec does.
  std::vector<std::string> envOf(const std::string& key) const;
  // True while the key has a process or its output is still being copied to its log: false
  // means the last instance's log file is complete (a log follower can stop).
  bool active(const std::string& key) const;
  // Sends a signal to the sandboxed process. False if the key is not running.
  bool signal(const std::string& key, int sig);
  // SIGTERM, then SIGKILL when grace passes; returns once the tree is gone (onExit has run).
  void stop(const std::string& key, std::chrono::milliseconds grace);
  // Runs argv inside the running container's namespaces (mount, network, pid, uts), as exec
  // probes and `kubectl exec` need. Fails when the key is not running.
  Result<ExecResult> exec(const std::string& key, const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout);
  // Stops everything: SIGTERM to all, SIGKILL to what is left after grace.
  void stopAll(std::chrono::milliseconds grace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mysqlop::local::node
