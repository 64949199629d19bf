#pragma once

// What the sidecar's integration tests share: a source MariaDB "pod" (a real mariadbd with the
// operated users, and `mysql-operator-sidecar config-and-serve` beside it on the server's own
// loopback address, port 8080), and runs of `clone-and-init` into fresh directories, whose result
// is then started as a real mariadbd with the configuration the sidecar wrote.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/mysql/mariadb_server.h"

namespace mysqlop::testing::sidecar {

std::string sidecarBinary();

// The environment of a pod of cluster "c" in namespace "ns" with MariaDB 10.11.
std::map<std::string, std::string> podEnv(int ordinal);

struct SidecarRun {
  int exitCode = -1;
  std::string output;  // stdout and stderr
};
// Runs the sidecar to completion with env (the parent's environment minus HOSTNAME and the
// variables the sidecar reads, plus env).
SidecarRun runSidecar(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env, const std::string& logPath);

// A MariaDB pod: mariadbd with data and the operated users, and config-and-serve on host:8080.
class SourcePod {
 public:
  explicit SourcePod(std::vector<std::string> extraConfig = {});
  ~SourcePod();

  // Starts config-and-serve (extra env on top of the pod's) and waits for /health.
  void startSidecar(const std::map<std::string, std::string>& extraEnv = {});
  void stopSidecar();  // SIGKILL
  // SIGTERM (SIGKILL after grace); the sidecar's exit code.
  int terminateSidecar(std::chrono::milliseconds grace);
  std::string url() const;
  MariaDbServer& server() { return *server_; }
  const std::string& dir() const { return dir_; }
  pid_t sidecarPid() const { return sidecarPid_; }
  std::string sidecarLog() const;

 private:
  std::unique_ptr<MariaDbServer> server_;
  std::string dir_;
  pid_t sidecarPid_ = -1;
};

// A pod being cloned: its data, conf and /mnt/conf directories, and a mariadbd on the result.
class ClonePod {
 public:
  explicit ClonePod(int ordinal);
  ~ClonePod();

  // clone-and-init with the replicas URL (the master URL answers nothing unless given).
  SidecarRun cloneAndInit(const std::string& replicasUrl,
                          const std::map<std::string, std::string>& extraEnv = {},
                          const std::string& masterUrl = {});
  // Starts mariadbd with <conf>/my.cnf as clone-and-init left it; waits until the operator user
  // can log in (the init-file has run). Throws on failure with the error log.
  void startServer();
  void stopServer();
  // Runs SQL through the mariadb CLI as user/password over TCP; throws on failure.
  std::string query(const std::string& user, const std::string& password,
                    const std::string& sql) const;

  std::string dataDir() const { return dir_ + "/data"; }
  std::string confDir() const { return dir_ + "/conf"; }
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }
  std::map<std::string, std::string> env;  // the pod's environment

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// The operated credentials of every test pod.
inline const char* kOperatorPassword = "operatorpw1";
inline const char* kReplicationPassword = "replpw1";
inline const char* kBackupPassword = "backuppw1";

// Lists the files under dir, recursively ("" when it does not exist).
std::vector<std::string> listTree(const std::string& dir);

}  // namespace mysqlop::testing::sidecar
