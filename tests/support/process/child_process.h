#pragma once

// Child processes of a test (servers, the operator, kubectl): started with fork + exec so that
// they can die with the test (PR_SET_PDEATHSIG), stopped by PID, their output in files.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace mysqlop::testing {

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is the program's path
  std::vector<std::string> env;   // NAME=VALUE entries that override the parent's; "NAME=" unsets
  std::string stdinPath = "/dev/null";
  std::string stdoutPath = "/dev/null";
  std::string stderrPath = "/dev/null";  // may name the same file as stdoutPath
  bool appendStdout = false;             // O_APPEND rather than truncating the file
  bool appendStderr = false;
  bool dieWithParent = true;  // SIGKILL when the test process dies, even by a crash
};

// Starts the process with an empty signal mask; its output files exist (truncated unless
// appended to) when this returns. Throws std::runtime_error naming the program when it is not
// executable, an output file cannot be opened, or fork fails.
pid_t spawnProcess(const SpawnSpec& spec);

// The exit code of a waitpid status: the code, or 128 + the signal that killed it.
int exitCodeOf(int status);

// Waits up to `timeout` for pid to exit and reaps it: its exit code, or nullopt while it runs
// (-1 when pid is not a child of ours).
std::optional<int> waitForExit(pid_t pid, std::chrono::milliseconds timeout);

// SIGTERM, SIGKILL after `grace`; reaps it and returns its exit code.
int terminateProcess(pid_t pid, std::chrono::milliseconds grace);

// SIGKILL; reaps it and returns its exit code.
int killProcess(pid_t pid);

// A whole file ("" when it cannot be read).
std::string readFile(const std::string& path);

}  // namespace mysqlop::testing
