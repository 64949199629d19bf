// mysql-operator-sidecar: the helper of every MySQL pod (README.md). Subcommands as bitpoke's:
//   clone-and-init     init container: clone the data directory if empty, write the config
//   config-and-serve   (alias run) serve /health and /xbackup on :8080
// Exit codes: 0 done, 1 bad environment or configuration failure, 2 usage, 8 clone failure.

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>

#include "sidecar/clone.h"
#include "sidecar/config_files.h"
#include "sidecar/server.h"

namespace {

constexpr int kExitUsage = 2;

int usage(const std::string& message) {
  std::fprintf(stderr,
               "mysql-operator-sidecar: %s\nusage: mysql-operator-sidecar [--debug] "
               "clone-and-init|config-and-serve|run\n",
               message.c_str());
  return kExitUsage;
}

// In a container the sidecar is PID 1, which the kernel never kills with a signal the process
// does not handle: without this, SIGTERM on pod deletion would be ignored and the pod would wait
// out its whole grace period for the SIGKILL. Children (the backup tool, mbstream) get SIGTERM
// through their parent-death signal; a clone cut here is redone on the next start (the marker).
void exitOnSignal(int sig) {
  static const char kMessage[] = "mysql-operator-sidecar: terminated by a signal\n";
  (void)!write(2, kMessage, sizeof kMessage - 1);
  _exit(128 + sig);
}

int failed(int code, const std::string& message) {
  std::fprintf(stderr, "mysql-operator-sidecar: %s\n", message.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mysqlop::sidecar;
  std::string command;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--debug") {
      spdlog::set_level(spdlog::level::debug);
    } else if (!command.empty()) {
      return usage("unexpected argument \"" + a + "\"");
    } else {
      command = a;
    }
  }
  if (command.empty()) {
    return usage("no subcommand");
  }
  if (command != "clone-and-init" && command != "config-and-serve" && command != "run") {
    return usage("unknown subcommand \"" + command + "\"");
  }
  // A reader that goes away (mbstream, an HTTP client) is an error to report, not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGTERM, exitOnSignal);
  std::signal(SIGINT, exitOnSignal);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l sidecar: %v");

  auto cfg = loadConfig(processEnv());
  if (!cfg) {
    return failed(kExitConfigFailed, cfg.error().message);
  }

  if (command == "clone-and-init") {
    auto creds = requireCredentials(
        *cfg, {Role::Operator, Role::Replication, Role::Exporter, Role::OrcTopology, Role::Backup});
    if (!creds) {
      return failed(kExitConfigFailed, creds.error().message);
    }
    if (auto r = cloneIfNeeded(*cfg); !r) {
      return failed(kExitCloneFailed, r.error().message);
    }
    if (auto r = writeConfigFiles(*cfg); !r) {
      return failed(kExitConfigFailed, r.error().message);
    }
    return 0;
  }
  auto creds = requireCredentials(*cfg, {Role::Replication, Role::Backup});
  if (!creds) {
    return failed(kExitConfigFailed, creds.error().message);
  }
  auto r = serve(*cfg);
  return failed(kExitConfigFailed, r.error().message);
}
