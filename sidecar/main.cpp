// mysql-operator-sidecar: the helper of every MySQL pod (README.md). Subcommands as bitpoke's:
//   clone-and-init                  init container: clone or restore the data directory if
//                                   empty, write the config
//   config-and-serve                (alias run) serve /health and /xbackup on :8080
//   take-backup-to <srcHost> <url>  backup Job: /xbackup of srcHost → compression → the target
//   remove-backup <url>             cleanup Job: remove the object (absent is fine)
// Exit codes: 0 done, 1 bad environment, configuration failure or failed backup/removal, 2 usage,
// 8 clone or restore failure.

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "sidecar/backup_job.h"
#include "sidecar/clone.h"
#include "sidecar/config_files.h"
#include "sidecar/server.h"

extern char** environ;  // NOLINT: the targets' credentials are the process environment

namespace {

constexpr int kExitUsage = 2;

int usage(const std::string& message) {
  std::fprintf(stderr,
               "mysql-operator-sidecar: %s\nusage: mysql-operator-sidecar [--debug] "
               "clone-and-init|config-and-serve|run|take-backup-to <srcHost> <url>|"
               "remove-backup <url>\n",
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

// take-backup-to stops cleanly instead: its writer is aborted (nothing left in the store) and the
// report says Terminated. A second signal exits at once.
void stopBackupOnSignal(int sig) {
  mysqlop::sidecar::requestBackupStop();
  std::signal(sig, exitOnSignal);
}

int failed(int code, const std::string& message) {
  std::fprintf(stderr, "mysql-operator-sidecar: %s\n", message.c_str());
  return code;
}

// take-backup-to: the report goes to the termination message (contract16 4) and, as one line,
// to stderr (the log tail is the message when the termination file cannot be written).
int takeBackupCommand(const std::string& sourceHost, const std::string& url) {
  using namespace mysqlop::sidecar;
  auto env = processEnv();
  BackupReport report;
  auto settings = takeBackupSettings(env, sourceHost, url);
  if (!settings) {
    report.url = url;
    report.reason = "InvalidConfig";
    report.message = settings.error().message;
  } else {
    report = takeBackupTo(*settings, env, environ);
  }
  std::string json = reportJson(report);
  writeTerminationMessage(env, json);
  if (!report.complete) {
    return failed(1, "backup failed: " + json);
  }
  spdlog::info("backup complete: {}", json);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mysqlop::sidecar;
  std::string command;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--debug") {
      spdlog::set_level(spdlog::level::debug);
    } else if (command.empty()) {
      command = a;
    } else {
      args.push_back(a);
    }
  }
  if (command.empty()) {
    return usage("no subcommand");
  }
  const std::map<std::string, size_t> kArgCount = {{"clone-and-init", 0},
                                                   {"config-and-serve", 0},
                                                   {"run", 0},
                                                   {"take-backup-to", 2},
                                                   {"remove-backup", 1}};
  auto known = kArgCount.find(command);
  if (known == kArgCount.end()) {
    return usage("unknown subcommand \"" + command + "\"");
  }
  if (args.size() > known->second) {
    return usage("unexpected argument \"" + args[known->second] + "\"");
  }
  if (args.size() < known->second) {
    return usage(command + " needs " + std::to_string(known->second) + " argument" +
                 (known->second == 1 ? "" : "s"));
  }
  // A reader that goes away (mbstream, an HTTP client) is an error to report, not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGTERM, exitOnSignal);
  std::signal(SIGINT, exitOnSignal);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l sidecar: %v");

  if (command == "take-backup-to") {
    std::signal(SIGTERM, stopBackupOnSignal);
    std::signal(SIGINT, stopBackupOnSignal);
    return takeBackupCommand(args[0], args[1]);
  }
  if (command == "remove-backup") {
    if (auto r = removeBackup(args[0], processEnv(), environ); !r) {
      return failed(1, r.error().message);
    }
    return 0;
  }

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
    auto source = cloneOrRestore(*cfg, processEnv());
    if (!source) {
      return failed(kExitCloneFailed, source.error().message);
    }
    if (auto r = writeConfigFiles(*cfg, *source == FillSource::Bucket); !r) {
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
