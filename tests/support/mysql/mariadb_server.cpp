#include "tests/support/mysql/mariadb_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/process/child_process.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Generous: a loaded 2-core machine running several suites can be slow to start a server. This is
// a failure deadline, not an assertion on speed.
constexpr auto kStartDeadline = std::chrono::seconds(90);
constexpr auto kStopDeadline = std::chrono::seconds(60);
constexpr int kPortAttempts = 8;

// Servers still running when the process exits are killed, so that a failed test (an assertion
// that calls exit, a test binary that returns early) leaves nothing behind.
std::mutex& registryMutex() {
  static std::mutex mu;
  return mu;
}
std::set<pid_t>& liveServers() {
  static std::set<pid_t> pids;
  return pids;
}
void killLiveServers() {
  std::lock_guard<std::mutex> lock(registryMutex());
  for (pid_t pid : liveServers()) {
    ::kill(pid, SIGKILL);
  }
  liveServers().clear();
}
void registerServer(pid_t pid) {
  static std::once_flag once;
  std::call_once(once, [] {
    // The registry first: exit runs handlers and destroys statics in the reverse order of their
    // registration, so killLiveServers runs while the set still exists.
    registryMutex();
    liveServers();
    std::atexit(killLiveServers);
  });
  std::lock_guard<std::mutex> lock(registryMutex());
  liveServers().insert(pid);
}
void unregisterServer(pid_t pid) {
  std::lock_guard<std::mutex> lock(registryMutex());
  liveServers().erase(pid);
}

std::string findProgram(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/usr/bin:/sbin:/bin";
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) {
      continue;
    }
    fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  throw std::runtime_error("MariaDbServer: program " + name +
                           " not found (install mariadb-server and mariadb-client)");
}

// Holds a loopback address for one server across every test process: an flock on
// $TMPDIR/mysqlop-loopback/<address>.lock, released when the fd is closed (or the process dies).
// Without it, a server whose bind lost a race could see another process's server answer on "its"
// address and port, and its test would talk to the wrong server.
int lockAddress(const std::string& host) {
  const char* tmp = std::getenv("TMPDIR");
  const fs::path dir = fs::path(tmp != nullptr ? tmp : "/tmp") / "mysqlop-loopback";
  std::error_code ec;
  fs::create_directories(dir, ec);
  const int fd = ::open((dir / (host + ".lock")).c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) {
    throw std::runtime_error("MariaDbServer: cannot open the lock of " + host + " in " +
                             dir.string() + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A random loopback address 127.0.0.2 .. 127.0.0.254 that no other server holds (see
// lockAddress) and a port free on it (`port`, or any). *lockFd receives the held lock.
std::pair<std::string, std::uint16_t> pickAddress(std::uint16_t port, int* lockFd) {
  static std::mutex mu;
  static std::mt19937 rng(std::random_device{}());
  std::lock_guard<std::mutex> lock(mu);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::uniform_int_distribution<int> last(2, 254);
    std::string host = "127.0.0." + std::to_string(last(rng));
    const int held = lockAddress(host);
    if (held < 0) {
      continue;
    }
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      ::close(held);
      throw std::runtime_error(std::string("MariaDbServer: socket: ") + std::strerror(errno));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      socklen_t len = sizeof addr;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
      ::close(fd);
      *lockFd = held;
      return {host, ntohs(addr.sin_port)};
    }
    ::close(fd);
    ::close(held);
  }
  throw std::runtime_error("MariaDbServer: no free loopback address and port");
}

bool tcpAnswers(const std::string& host, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Runs argv, feeding nothing on stdin, and collects stdout and stderr.
SqlRun runProcess(const std::vector<std::string>& argv) {
  std::array<int, 2> outPipe{};
  std::array<int, 2> errPipe{};
  if (::pipe2(outPipe.data(), O_CLOEXEC) != 0 || ::pipe2(errPipe.data(), O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("MariaDbServer: pipe: ") + std::strerror(errno));
  }
  std::vector<char*> args;
  for (const std::string& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error(std::string("MariaDbServer: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(outPipe[1], 1);
    ::dup2(errPipe[1], 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(outPipe[1]);
  ::close(errPipe[1]);
  SqlRun run;
  std::array<pollfd, 2> fds{pollfd{outPipe[0], POLLIN, 0}, pollfd{errPipe[0], POLLIN, 0}};
  int open = 2;
  std::array<char, 4096> buf{};
  while (open > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) {
        continue;
      }
      ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
      if (n > 0) {
        (i == 0 ? run.out : run.err).append(buf.data(), static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

// A SQL string literal for test setup statements (the server's own escaping rules).
std::string sqlLiteral(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out + "'";
}

}  // namespace

MariaDbServer::MariaDbServer(MariaDbOptions options) : options_(std::move(options)) {
  std::string base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string templ = base + "/mysqlop-mariadb-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::runtime_error("MariaDbServer: mkdtemp " + templ + ": " + std::strerror(errno));
  }
  dir_ = templ;
  fs::create_directories(fs::path(dir_) / "data");
  fs::create_directories(fs::path(dir_) / "tmp");
  try {
    std::tie(host_, port_) = pickAddress(options_.port, &addressLock_);
    writeConfig();
    if (options_.useTemplate) {
      installFromTemplate();
    } else {
      install();
    }
    for (int attempt = 1;; ++attempt) {
      try {
        start();
        break;
      } catch (const std::runtime_error&) {
        // Another process may have taken the port between our probe and mariadbd's bind.
        if (attempt >= kPortAttempts ||
            errorLogTail().find("already in use") == std::string::npos) {
          throw;
        }
        releaseAddress();
        std::tie(host_, port_) = pickAddress(options_.port, &addressLock_);
        writeConfig();
      }
    }
  } catch (...) {
    kill();
    releaseAddress();
    if (!options_.keepDirectory) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
    throw;
  }
}

void MariaDbServer::releaseAddress() {
  if (addressLock_ >= 0) {
    ::close(addressLock_);
    addressLock_ = -1;
  }
}

MariaDbServer::~MariaDbServer() {
  try {
    stop();
  } catch (...) {  // a destructor must not throw; fall back to SIGKILL
    kill();
  }
  releaseAddress();
  if (!options_.keepDirectory) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

void MariaDbServer::writeConfig() const {
  std::ofstream cnf(fs::path(dir_) / "my.cnf", std::ios::trunc);
  cnf << "[mariadbd]\n"
      << "user=root\n"
      << "datadir=" << dir_ << "/data\n"
      << "tmpdir=" << dir_ << "/tmp\n"
      << "socket=" << dir_ << "/mysqld.sock\n"
      << "pid-file=" << dir_ << "/mysqld.pid\n"
      << "log-error=" << dir_ << "/error.log\n"
      << "port=" << port_ << "\n"
      << "bind-address=" << host_ << "\n"
      << "skip-name-resolve\n"
      << "server_id=" << options_.serverId << "\n"
      << "log_bin=" << dir_ << "/data/mysql-bin\n"
      << "binlog_format=ROW\n"
      << "gtid_domain_id=0\n"
      << "innodb_buffer_pool_size=16M\n"
      << "innodb_log_file_size=8M\n"
      << "innodb_log_buffer_size=1M\n"
      << "key_buffer_size=1M\n"
      << "aria_pagecache_buffer_size=1M\n"
      << "performance_schema=OFF\n"
      << "max_connections=60\n"
      << "table_open_cache=200\n"
      << "table_definition_cache=200\n"
      << "thread_cache_size=4\n"
      << "tmp_table_size=4M\n"
      << "max_heap_table_size=4M\n"
      << "sort_buffer_size=256K\n"
      << "character-set-server=utf8mb4\n"
      << "collation-server=utf8mb4_general_ci\n";
  for (const std::string& line : options_.extraConfig) {
    cnf << line << "\n";
  }
  if (!cnf) {
    throw std::runtime_error("MariaDbServer: cannot write " + dir_ + "/my.cnf");
  }
}

void MariaDbServer::install() {
  SqlRun run = runProcess({findProgram("mariadb-install-db"), "--defaults-file=" + dir_ + "/my.cnf",
                           "--auth-root-authentication-method=normal", "--skip-test-db"});
  if (!run.ok()) {
    throw std::runtime_error("MariaDbServer: mariadb-install-db failed (exit " +
                             std::to_string(run.exitCode) + "): " + run.err + run.out);
  }
}

void MariaDbServer::installFromTemplate() {
  // The template depends on the server binary and on any option that shapes the datadir.
  struct stat st {};
  const std::string mariadbd = findProgram("mariadbd");
  ::stat(mariadbd.c_str(), &st);
  std::string extra;
  for (const std::string& line : options_.extraConfig) {
    extra += line + "\n";
  }
  std::string base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  const std::string templ = base + "/mysqlop-mariadb-template-v1-" + std::to_string(st.st_size) +
                            "-" + std::to_string(st.st_mtime) + "-" +
                            std::to_string(std::hash<std::string>{}(extra));
  if (!fs::exists(templ + "/ready")) {
    // One process builds it; the others wait on the lock and then find it ready.
    int lock = ::open((templ + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lock < 0) {
      throw std::runtime_error("MariaDbServer: cannot open " + templ + ".lock");
    }
    ::flock(lock, LOCK_EX);
    if (!fs::exists(templ + "/ready")) {
      std::error_code ec;
      fs::remove_all(templ, ec);
      install();  // into our own datadir, with our config
      const std::string staging = templ + ".staging-" + std::to_string(::getpid());
      fs::remove_all(staging, ec);
      fs::create_directories(staging);
      fs::copy(fs::path(dir_) / "data", fs::path(staging) / "data", fs::copy_options::recursive);
      std::ofstream(fs::path(staging) / "ready") << "ok\n";
      fs::rename(staging, templ);
      ::flock(lock, LOCK_UN);
      ::close(lock);
      return;
    }
    ::flock(lock, LOCK_UN);
    ::close(lock);
  }
  std::error_code ec;
  fs::remove_all(fs::path(dir_) / "data", ec);
  fs::copy(fs::path(templ) / "data", fs::path(dir_) / "data", fs::copy_options::recursive);
}

void MariaDbServer::start() {
  if (running()) {
    return;
  }
  launch();
  waitUntilAnswering();
  if (!passwordSet_) {
    // root starts without a password; give every root account the configured one, as the MySQL
    // images do from MYSQL_ROOT_PASSWORD, and allow root from any host.
    const std::string pw = sqlLiteral(options_.rootPassword);
    SqlRun run = runProcess(
        {findProgram("mariadb"), "--no-defaults", "--socket=" + dir_ + "/mysqld.sock", "-uroot",
         "--batch", "-e",
         "ALTER USER IF EXISTS root@localhost IDENTIFIED BY " + pw +
             "; ALTER USER IF EXISTS root@'127.0.0.1' IDENTIFIED BY " + pw +
             "; ALTER USER IF EXISTS root@'::1' IDENTIFIED BY " + pw +
             "; CREATE USER root@'%' IDENTIFIED BY " + pw +
             "; GRANT ALL PRIVILEGES ON *.* TO root@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;"});
    if (!run.ok()) {
      throw std::runtime_error("MariaDbServer: setting the root password failed: " + run.err);
    }
    passwordSet_ = true;
  }
}

void MariaDbServer::launch() {
  SpawnSpec spec;
  spec.argv = {findProgram("mariadbd"), "--defaults-file=" + dir_ + "/my.cnf"};
  spec.stdoutPath = spec.stderrPath = dir_ + "/stdout.log";
  spec.appendStdout = spec.appendStderr = true;
  pid_ = spawnProcess(spec);
  registerServer(pid_);
}

void MariaDbServer::waitUntilAnswering() {
  bool exited = false;
  const bool answers = pollUntil(
      [&] {
        exited = waitForExit(pid_, std::chrono::milliseconds(0)).has_value();
        return exited || tcpAnswers(host_, port_);
      },
      Poll{std::chrono::duration_cast<std::chrono::milliseconds>(kStartDeadline),
           std::chrono::milliseconds(20)});
  if (exited) {
    unregisterServer(pid_);
    pid_ = -1;
    throw std::runtime_error("MariaDbServer: mariadbd exited during startup: " + errorLogTail());
  }
  if (!answers) {
    kill();
    throw std::runtime_error("MariaDbServer: mariadbd did not answer on " + host_ + ":" +
                             std::to_string(port_) + ": " + errorLogTail());
  }
}

void MariaDbServer::stop() {
  if (!running()) {
    return;
  }
  ::kill(pid_, SIGTERM);
  auto nextTerm = Clock::now() + std::chrono::milliseconds(500);
  const bool ended = pollUntil(
      [&] {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_ || (r < 0 && errno == ECHILD)) {
          return true;
        }
        // A SIGTERM that arrives while mariadbd is still starting can go unhandled: repeat it.
        if (Clock::now() > nextTerm) {
          ::kill(pid_, SIGTERM);
          nextTerm = Clock::now() + std::chrono::milliseconds(500);
        }
        return false;
      },
      Poll{std::chrono::duration_cast<std::chrono::milliseconds>(kStopDeadline),
           std::chrono::milliseconds(5)});
  if (!ended) {
    int status = 0;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  unregisterServer(pid_);
  pid_ = -1;
}

void MariaDbServer::kill() {
  if (!running()) {
    return;
  }
  killProcess(pid_);
  unregisterServer(pid_);
  pid_ = -1;
}

namespace {

// True when every task of pid is in the stopped state ('T' in /proc/<pid>/task/<tid>/stat).
bool allThreadsStopped(pid_t pid) {
  std::error_code ec;
  bool any = false;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'T') {
      return false;
    }
    any = true;
  }
  return any && !ec;
}

}  // namespace

void MariaDbServer::freeze() {
  if (!running() || ::kill(pid_, SIGSTOP) != 0) {
    throw std::runtime_error("MariaDbServer: cannot stop pid " + std::to_string(pid_));
  }
  if (!pollUntil([&] { return allThreadsStopped(pid_); },
                 Poll{std::chrono::seconds(5), std::chrono::milliseconds(5)})) {
    throw std::runtime_error("MariaDbServer: pid " + std::to_string(pid_) +
                             " did not stop within 5 s of SIGSTOP");
  }
}

void MariaDbServer::thaw() {
  if (running()) {
    ::kill(pid_, SIGCONT);
  }
}

SqlRun MariaDbServer::sql(const std::string& statements) const {
  return sqlAs("root", options_.rootPassword, statements);
}

SqlRun MariaDbServer::sqlAs(const std::string& user, const std::string& password,
                            const std::string& statements, const std::string& database) const {
  std::vector<std::string> argv = {findProgram("mariadb"),
                                   "--no-defaults",
                                   "--protocol=TCP",
                                   "--host=" + host_,
                                   "--port=" + std::to_string(port_),
                                   "--user=" + user,
                                   "--password=" + password,
                                   "--default-character-set=utf8mb4",
                                   "--connect-timeout=10",
                                   "--batch",
                                   "--raw",
                                   "--skip-column-names",
                                   "-e",
                                   statements};
  if (!database.empty()) {
    argv.push_back(database);
  }
  return runProcess(argv);
}

std::string MariaDbServer::query(const std::string& statements) const {
  SqlRun run = sql(statements);
  if (!run.ok()) {
    throw std::runtime_error("MariaDbServer: query failed: " + statements + ": " + run.err);
  }
  return run.out;
}

long long MariaDbServer::globalStatus(const std::string& name) const {
  std::string out = query("SHOW GLOBAL STATUS LIKE " + sqlLiteral(name));
  std::size_t tab = out.find('\t');
  if (tab == std::string::npos) {
    throw std::runtime_error("MariaDbServer: no global status " + name);
  }
  return std::stoll(out.substr(tab + 1));
}

std::string MariaDbServer::errorLogTail() const {
  std::ifstream in(fs::path(dir_) / "error.log");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.size() > 2000) {
    all = all.substr(all.size() - 2000);
  }
  return all;
}

}  // namespace mysqlop::testing
