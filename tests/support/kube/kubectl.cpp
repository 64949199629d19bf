#include "tests/support/kube/kubectl.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace mysqlop::testing {

namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string tempDir(const char* prefix) {
  std::string tmpl = (fs::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
  char* made = mkdtemp(tmpl.data());
  return made ? std::string(made) : std::string();
}

int exitCodeOf(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

// Spawns argv with stdin/stdout/stderr redirected to files; env entries override the parent's.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::string& inFile, const std::string& outFile, const std::string& errFile) {
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& o : env) {
      overridden = overridden || o.substr(0, o.find('=')) == name;
    }
    if (!overridden) {
      envs.push_back(entry);
    }
  }
  for (const auto& o : env) {
    if (o.find('=') != std::string::npos && o.back() != '=') {
      envs.push_back(o);
    }
  }
  std::vector<char*> cargv;
  for (const auto& a : argv) {
    cargv.push_back(const_cast<char*>(a.c_str()));
  }
  cargv.push_back(nullptr);
  std::vector<char*> cenv;
  for (const auto& e : envs) {
    cenv.push_back(const_cast<char*>(e.c_str()));
  }
  cenv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, inFile.empty() ? "/dev/null" : inFile.c_str(), O_RDONLY,
                                   0);
  posix_spawn_file_actions_addopen(&fa, 1, outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -1;
}

// Waits for pid up to timeoutSeconds (then SIGKILL); returns the exit code.
int waitFor(pid_t pid, int timeoutSeconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      return exitCodeOf(status);
    }
    if (r < 0) {
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return exitCodeOf(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

CommandResult runCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         const std::string& stdinData, int timeoutSeconds) {
  CommandResult result;
  std::string dir = tempDir("mysqlop-cmd-");
  std::string in = dir + "/stdin";
  std::string out = dir + "/stdout";
  std::string err = dir + "/stderr";
  {
    std::ofstream f(in);
    f << stdinData;
  }
  pid_t pid = spawn(argv, env, in, out, err);
  if (pid < 0) {
    result.err = "cannot start " + argv[0] + ": " + std::strerror(errno);
  } else {
    result.exitCode = waitFor(pid, timeoutSeconds);
    result.out = slurp(out);
    result.err = slurp(err);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return result;
}

std::string Kubectl::debian120() {
#ifdef MYSQLOP_SOURCE_DIR
  return std::string(MYSQLOP_SOURCE_DIR) + "/tools/kubectl-1.20/usr/bin/kubectl";
#else
  return "tools/kubectl-1.20/usr/bin/kubectl";
#endif
}

std::string Kubectl::missing(const std::string& binary) {
  if (::access(binary.c_str(), X_OK) != 0) {
    if (binary == debian120()) {
      return binary + " is missing: run scripts/fetch-tools (it unpacks Debian's kubectl 1.20)";
    }
    return binary + " is missing or not executable";
  }
  return "";
}

Kubectl::Kubectl(std::string kubeconfig, std::string binary)
    : kubeconfig_(std::move(kubeconfig)),
      binary_(std::move(binary)),
      home_(tempDir("kubectl-home-")) {}

Kubectl::~Kubectl() {
  std::error_code ec;
  fs::remove_all(home_, ec);
}

std::vector<std::string> Kubectl::argv(const std::vector<std::string>& args) const {
  std::vector<std::string> a = {binary_, "--kubeconfig", kubeconfig_, "--cache-dir",
                                home_ + "/cache"};
  a.insert(a.end(), args.begin(), args.end());
  return a;
}

std::vector<std::string> Kubectl::env() const {
  return {"HOME=" + home_, "KUBECONFIG=", "KUBECTL_EXTERNAL_DIFF=", "NO_COLOR=1"};
}

CommandResult Kubectl::run(const std::vector<std::string>& args, const std::string& stdinData,
                           int timeoutSeconds) const {
  return runCommand(argv(args), env(), stdinData, timeoutSeconds);
}

std::unique_ptr<Kubectl::Background> Kubectl::start(const std::vector<std::string>& args) const {
  static int counter = 0;
  std::string base = home_ + "/bg" + std::to_string(++counter);
  pid_t pid = spawn(argv(args), env(), "", base + ".out", base + ".err");
  return std::make_unique<Background>(pid, base + ".out", base + ".err");
}

Kubectl::Background::Background(pid_t pid, std::string outFile, std::string errFile)
    : pid_(pid), outFile_(std::move(outFile)), errFile_(std::move(errFile)) {}

Kubectl::Background::~Background() {
  if (!done_ && pid_ > 0) {
    stop();
  }
}

std::string Kubectl::Background::out() const { return slurp(outFile_); }
std::string Kubectl::Background::err() const { return slurp(errFile_); }

bool Kubectl::Background::waitForOutput(const std::string& text, int timeoutSeconds) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (out().find(text) != std::string::npos) {
      return true;
    }
    int status = 0;
    if (pid_ <= 0 || done_) {
      return out().find(text) != std::string::npos;
    }
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      done_ = true;
      exitCode_ = exitCodeOf(status);
      return out().find(text) != std::string::npos;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

CommandResult Kubectl::Background::stop() {
  CommandResult r;
  if (!done_ && pid_ > 0) {
    ::kill(pid_, SIGTERM);
    exitCode_ = waitFor(pid_, 5);
    done_ = true;
  }
  r.exitCode = exitCode_;
  r.out = out();
  r.err = err();
  return r;
}

}  // namespace mysqlop::testing
