#include "tests/support/kube/kubectl.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/process/child_process.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing {

namespace fs = std::filesystem;

namespace {

std::string tempDir(const char* prefix) {
  std::string tmpl = (fs::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
  char* made = mkdtemp(tmpl.data());
  return made ? std::string(made) : std::string();
}

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::string& inFile, const std::string& outFile, const std::string& errFile) {
  SpawnSpec spec;
  spec.argv = argv;
  spec.env = env;
  if (!inFile.empty()) {
    spec.stdinPath = inFile;
  }
  spec.stdoutPath = outFile;
  spec.stderrPath = errFile;
  return spawnProcess(spec);
}

// Waits for pid up to timeoutSeconds (then SIGKILL); returns the exit code.
int waitFor(pid_t pid, int timeoutSeconds) {
  if (auto code = waitForExit(pid, std::chrono::seconds(timeoutSeconds))) {
    return *code;
  }
  return killProcess(pid);
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
  try {
    const pid_t pid = spawn(argv, env, in, out, err);
    result.exitCode = waitFor(pid, timeoutSeconds);
    result.out = readFile(out);
    result.err = readFile(err);
  } catch (const std::runtime_error& e) {
    result.err = e.what();
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

std::string Kubectl::Background::out() const { return readFile(outFile_); }
std::string Kubectl::Background::err() const { return readFile(errFile_); }

bool Kubectl::Background::waitForOutput(const std::string& text, int timeoutSeconds) const {
  // Done when the text is there or kubectl has ended (then its output is all there will be).
  pollUntil(
      [&] {
        if (out().find(text) != std::string::npos || pid_ <= 0 || done_) {
          return true;
        }
        if (auto code = waitForExit(pid_, std::chrono::milliseconds(0))) {
          done_ = true;
          exitCode_ = *code;
          return true;
        }
        return false;
      },
      Poll{std::chrono::seconds(timeoutSeconds), std::chrono::milliseconds(20)});
  return out().find(text) != std::string::npos;
}

CommandResult Kubectl::Background::stop() {
  CommandResult r;
  if (!done_ && pid_ > 0) {
    exitCode_ = terminateProcess(pid_, std::chrono::seconds(5));
    done_ = true;
  }
  r.exitCode = exitCode_;
  r.out = out();
  r.err = err();
  return r;
}

}  // namespace mysqlop::testing
