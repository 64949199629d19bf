#pragma once

// A real, throw-away MariaDB server for tests and benchmarks.
//
//   mysqlop::testing::MariaDbServer db;            // datadir initialised, mariadbd running
//   db.host(), db.port(), db.rootPassword()          // where and how to connect as root
//   db.sql("SELECT 1")                               // runs SQL as root through the mariadb CLI
//   db.sqlAs("app", "secret", "SELECT 1")            // ... or as another account
//   db.stop(); ... db.start();                       // simulate an unreachable server
//
// Each server gets its own temporary directory, its own loopback address 127.0.0.X and a free
// port, and the small configuration of shared/docs/toolchain.md section 2, so that it starts in
// well under a second and many can run at once (ctest -j). Servers are stopped by PID (SIGTERM,
// then SIGKILL) on destruction; a server whose test process dies is killed by the kernel
// (PR_SET_PDEATHSIG), and servers still running at exit() are killed by an atexit handler.
//
// Thread-safety: one MariaDbServer may be used from one thread at a time. Construct it on a
// thread that outlives it (the test's main thread): the parent-death signal is tied to the thread
// that started mariadbd.
//
// Errors (install or start failures, a CLI that cannot be run) throw std::runtime_error with the
// tail of the server's error log.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mysqlop::testing {

struct MariaDbOptions {
  // The root password set on every root account (root@localhost, root@127.0.0.1, root@'%').
  std::string rootPassword = "root-test-password";
  // server_id of the instance.
  int serverId = 1;
  // Extra lines appended to the [mariadbd] section, e.g. "max_connections=200".
  std::vector<std::string> extraConfig;
  // Keep the temporary directory after destruction (for debugging a failed test).
  bool keepDirectory = false;
  // The TCP port; 0 picks a free one. The address is always a loopback 127.0.0.X of its own, so a
  // fixed port (3306, as a pod's MySQL port) can be shared by many servers.
  std::uint16_t port = 0;
  // Copy the datadir from a per-machine template made once by mariadb-install-db (keyed by the
  // mariadbd binary and extraConfig) instead of running mariadb-install-db for every server.
  bool useTemplate = true;
};

// What a command-line client run returned.
struct SqlRun {
  int exitCode = -1;
  std::string out;  // tab-separated rows, no column headers
  std::string err;

  bool ok() const { return exitCode == 0; }
};

class MariaDbServer {
 public:
  explicit MariaDbServer(MariaDbOptions options = {});
  ~MariaDbServer();
  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;

  // Starts mariadbd on the same datadir, address and port, and waits until it answers.
  void start();
  // Stops it gracefully (SIGTERM) and waits for the process to exit.
  void stop();
  // Kills it (SIGKILL): a crash.
  void kill();
  // Freezes it (SIGSTOP) and returns once every thread of it is stopped (kill() only queues the
  // stop: a query sent right after it could still be answered); throws after 5 s. thaw() resumes.
  void freeze();
  void thaw();
  bool running() const { return pid_ > 0; }

  // The loopback address ("127.0.0.X") and TCP port the server listens on.
  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }
  const std::string& rootPassword() const { return options_.rootPassword; }
  const std::string& directory() const { return dir_; }
  pid_t pid() const { return pid_; }

  // Runs SQL with the `mariadb` command-line client over TCP as root / as user:password.
  SqlRun sql(const std::string& statements) const;
  SqlRun sqlAs(const std::string& user, const std::string& password, const std::string& statements,
               const std::string& database = {}) const;
  // Runs SQL as root and returns its output; throws when it fails.
  std::string query(const std::string& statements) const;
  // SHOW GLOBAL STATUS LIKE name, as a number.
  long long globalStatus(const std::string& name) const;

 private:
  void writeConfig() const;
  void install();
  void installFromTemplate();
  void launch();
  void waitUntilAnswering();
  void releaseAddress();
  std::string errorLogTail() const;

  MariaDbOptions options_;
  std::string dir_;
  std::string host_;
  std::uint16_t port_ = 0;
  int addressLock_ = -1;  // held for the server's life: no other test server takes host_
  pid_t pid_ = -1;
  bool passwordSet_ = false;
};

}  // namespace mysqlop::testing
