#pragma once
// Runs a host program (ip, nsenter) with an argv, never through a shell, and captures its output.
// Internal to local_node.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local::node {

struct CommandOutput {
  int exitCode = 0;    // 128+N when killed by signal N
  std::string output;  // stdout and stderr interleaved, at most maxOutput bytes kept
  bool timedOut = false;
};

struct CommandSpec {
  std::vector<std::string> argv;                // argv[0] is looked up in PATH
  std::optional<std::vector<std::string>> env;  // the whole environment; unset = ours
  std::string input;                            // written to stdin, then closed
  std::chrono::milliseconds timeout{30000};     // then the process group gets SIGKILL
  size_t maxOutput = size_t{64} * 1024;
};

// Fails only when the program cannot be started; a nonzero exit is a CommandOutput.
Result<CommandOutput> runCommand(const CommandSpec& spec);

// `ip ARGS...`: the output on success, else a failure "ip ARGS: <ip's stderr>".
Result<std::string> runIp(const std::vector<std::string>& args);
// `ip [-n NS] -batch -` with one command per line: the same, one process for many commands.
// force: `-force`, going on past failed lines (the result is then ip's output, never a failure).
Result<std::string> runIpBatch(const std::string& netns, const std::vector<std::string>& lines,
                               bool force = false);

// The path of program in the colon-separated search path ("" when not found); a name with a '/'
// is returned when it is an executable file.
std::string findProgram(const std::string& program, const std::string& searchPath);

}  // namespace mysqlop::local::node
