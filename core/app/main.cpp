// mysql-operator: flags, logging and signals around mysqlop::Operator.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "core/config/operator_config.h"
#include "core/log/logging.h"
#include "core/operator/kube_runtime.h"
#include "core/operator/operator.h"

namespace {

std::string exeDir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

}  // namespace

int main(int argc, char** argv) {
  // Block the shutdown signals before any thread starts, so that only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  mysqlop::config::OperatorConfig cfg;
  try {
    if (!mysqlop::config::loadConfig(argc, argv, exeDir(), &cfg)) {
      return 0;  // --help
    }
  } catch (const mysqlop::config::ConfigError& e) {
    std::fprintf(stderr, "mysql-operator: %s\n", e.what());
    return 2;
  }
  mysqlop::log::Format format = mysqlop::log::Format::Text;
  mysqlop::log::parseFormat(cfg.logFormat, &format);
  mysqlop::log::init(format, cfg.debug ? spdlog::level::debug : spdlog::level::info);
  // Without --standalone the operator needs an API server; a missing or broken configuration is
  // a usage error (exit 2, one line), as a config error is.
  std::shared_ptr<mysqlop::kube::HttpTransport> kube;
  if (!cfg.standalone) {
    auto t = mysqlop::connectKube(cfg);
    if (!t.ok()) {
      std::fprintf(stderr, "mysql-operator: %s\n", t.error().message.c_str());
      return 2;
    }
    kube = std::move(t).value();
  }
  spdlog::info("mysql-operator starting (plugin ABI {}.{}, {} plugin entries)", MYSQLOP_ABI_MAJOR,
               MYSQLOP_ABI_MINOR, cfg.plugins.size());

  mysqlop::Operator op(std::move(cfg), std::move(kube));
  if (auto r = op.start(); !r.ok()) {
    spdlog::critical("{}", r.error().message);
    return 1;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received signal {}, shutting down", sig);
  op.stop();
  spdlog::info("stopped");
  return 0;
}
