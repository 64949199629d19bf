// mysqlop-target-check: the conformance kit for backup-target plugins (README.md).
//   mysqlop-target-check PLUGIN.so --url URL [--config JSON] [--credentials KEY=VALUE ...] ...
// Exit status: 0 every check passed (or was skipped), 1 a check failed, 2 bad arguments or the
// plugin could not be loaded. The last line is the summary scripts read.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "core/host/standalone_host.h"
#include "target-check/args.h"
#include "target-check/checks.h"

using namespace mysqlop;

int main(int argc, char** argv) {
  if (targetcheck::wantsHelp(argc, argv)) {
    std::cout << targetcheck::kUsage << "\n" << targetcheck::kHelp << "\n";
    return 0;
  }
  targetcheck::Options options;
  if (auto bad = targetcheck::parseArgs(argc, argv, &options)) {
    std::cerr << "mysqlop-target-check: " << *bad << "\n" << targetcheck::kUsage << "\n";
    return 2;
  }
  host::StandaloneHost host;
  auto loaded = host.loadBackupTarget(options.pluginPath, options.configJson);
  if (!loaded.ok()) {
    std::cerr << "mysqlop-target-check: " << loaded.error().message << "\n";
    return 2;
  }
  host::StandalonePlugin& plugin = **loaded;
  const std::string scheme = options.url.substr(0, options.url.find("://"));
  if (!host.backupTargets().find(scheme)) {
    std::string served;
    for (const auto& s : host.backupTargets().schemes()) {
      served += (served.empty() ? "" : ", ") + s;
    }
    std::cerr << "mysqlop-target-check: --url " << options.url << ": plugin \"" << plugin.name
              << "\" serves " << served << ", not " << scheme << "\n";
    return 2;
  }
  std::cout << "mysqlop-target-check: plugin \"" << plugin.name << "\" "
            << std::string(plugin.library.descriptor.version.ptr,
                           plugin.library.descriptor.version.len)
            << " from " << options.pluginPath << std::endl;

  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::string run = options.url + (options.url.back() == '/' ? "" : "/") + "kit-" +
                          std::to_string(::getpid()) + "-" + std::to_string(now) + "/";
  targetcheck::TargetClient client(plugin, options.credentials);
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  targetcheck::runChecks(client, options, run, [&](const targetcheck::CheckResult& r) {
    const char* tag = r.verdict == targetcheck::Verdict::Pass   ? "PASS"
                      : r.verdict == targetcheck::Verdict::Fail ? "FAIL"
                                                                : "SKIP";
    (r.verdict == targetcheck::Verdict::Pass   ? passed
     : r.verdict == targetcheck::Verdict::Fail ? failed
                                               : skipped)++;
    std::cout << tag << " " << r.name << (r.detail.empty() ? "" : ": " + r.detail) << std::endl;
  });
  std::cout << "mysqlop-target-check: " << passed << " passed, " << failed << " failed, " << skipped
            << " skipped" << std::endl;
  return failed == 0 ? 0 : 1;
}
