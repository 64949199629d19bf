#pragma once
// The pieces of a spawn that are not process supervision: bwrap's command line, argv[0] checked
// as the container will resolve it, what bwrap reports on its info fd, and whether its child has
// exec'd the program. Internal to local_node.

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "localcluster/node/supervisor.h"

namespace mysqlop::local::node {

constexpr int kInfoFd = 3;  // bwrap's --info-fd in the child

// `bwrap --die-with-parent --unshare-pid --as-pid-1 ... -- argv` (README: why --as-pid-1).
std::vector<std::string> bwrapArgv(const std::string& bwrap, const SpawnSpec& spec);
// argv[0] as the container will find it, with Kubernetes' messages, checked before any fork.
Result<void> checkProgram(const SpawnSpec& spec);
// The host path that a path inside the container shows (the last bind covering it wins).
std::string hostPathOf(const std::string& inside, const std::vector<Bind>& binds);
// A descriptor read to its end or the deadline.
std::string readAll(int fd, std::chrono::steady_clock::time_point deadline);
// "child-pid" of bwrap's info JSON; 0 when absent (bwrap died before writing it).
int childPidOf(const std::string& info);
// Waits until pid's executable is no longer bwrap's (the program was exec'd): true then; false
// when it died first or the deadline passed.
bool awaitExec(pid_t pid, const struct stat& bwrap, std::chrono::steady_clock::time_point deadline);
// The last non-empty line of a text (bwrap's message).
std::string lastLine(std::string text);

}  // namespace mysqlop::local::node
