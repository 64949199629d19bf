#pragma once

// Runs kubectl against a kubeconfig with a fresh discovery cache (a temp HOME and --cache-dir
// per Kubectl object), capturing exit code, stdout and stderr.
//
//   mysqlop::testing::Kubectl k(api.kubeconfigPath());                  // /usr/bin/kubectl
//   auto r = k.run({"apply", "-f", "-"}, yamlText);                      // r.exitCode, r.out,
//   r.err mysqlop::testing::Kubectl old(api.kubeconfigPath(), Kubectl::debian120());  //
//   kubectl 1.20 auto w = k.start({"get", "configmaps", "-w"});  ...  auto r2 = w->stop();

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace mysqlop::testing {

struct CommandResult {
  int exitCode = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

// Runs a program with arguments, environment overrides (NAME=VALUE) and optional stdin; kills it
// after timeoutSeconds.
CommandResult runCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {},
                         const std::string& stdinData = "", int timeoutSeconds = 120);

class Kubectl {
 public:
  // kubectl 1.20 unpacked by scripts/fetch-tools into <source>/tools/kubectl-1.20/.
  static std::string debian120();
  // "" if `binary` exists and runs, else a message saying what is missing (for ADD_FAILURE).
  static std::string missing(const std::string& binary);

  explicit Kubectl(std::string kubeconfig, std::string binary = "/usr/bin/kubectl");
  ~Kubectl();  // removes the temp HOME
  Kubectl(const Kubectl&) = delete;
  Kubectl& operator=(const Kubectl&) = delete;

  CommandResult run(const std::vector<std::string>& args, const std::string& stdinData = "",
                    int timeoutSeconds = 120) const;

  // A kubectl left running (get -w): read its output so far, then stop it.
  class Background {
   public:
    Background(pid_t pid, std::string outFile, std::string errFile);
    ~Background();
    std::string out() const;
    std::string err() const;
    // Waits until stdout contains `text` (false after timeoutSeconds or if the process ended).
    bool waitForOutput(const std::string& text, int timeoutSeconds = 60) const;
    CommandResult stop();  // SIGTERM (SIGKILL after 5 s)

   private:
    pid_t pid_;
    std::string outFile_;
    std::string errFile_;
    mutable bool done_ = false;
    mutable int exitCode_ = -1;
  };
  std::unique_ptr<Background> start(const std::vector<std::string>& args) const;

  const std::string& home() const { return home_; }

 private:
  std::vector<std::string> argv(const std::vector<std::string>& args) const;
  std::vector<std::string> env() const;

  std::string kubeconfig_;
  std::string binary_;
  std::string home_;
};

}  // namespace mysqlop::testing
