#pragma once

// The backup programs run as children: fork + execvp, one end of a pipe kept by the sidecar
// (the child's stdin or its stdout), stderr shared with the sidecar so their logs reach the pod's.

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::sidecar {

enum class PipeTo { ChildStdin, ChildStdout };

struct Child {
  pid_t pid = -1;
  int fd = -1;  // our end of the pipe
};

// Starts argv[0] (looked up in PATH). The child dies with the sidecar (PR_SET_PDEATHSIG).
// Fails naming the program when it cannot be started. stderrFd >= 0: the child's stderr (else
// the sidecar's own).
Result<Child> spawnChild(const std::vector<std::string>& argv, PipeTo pipe, int stderrFd = -1);

// Waits for the child and returns its exit code, or 128 + the signal that ended it.
int waitChild(pid_t pid);

// Runs argv with stdin from /dev/null and returns its exit code (127 when it cannot be started).
int runChild(const std::vector<std::string>& argv);

// "prog arg1 arg2", with --password=... shown as --password=*** (for logs and messages).
std::string commandLine(const std::vector<std::string>& argv);

}  // namespace mysqlop::sidecar
