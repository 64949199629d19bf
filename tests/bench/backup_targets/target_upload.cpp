// bench_target_upload: streams standard input into one object of a backup target, through the
// operator's loader, and prints the throughput and the process's peak RSS. s3_vs_rclone.sh runs it
// against `rclone rcat` on the same bytes.
//   bench_target_upload PLUGIN.so --url URL [--config JSON] [--credentials KEY=VALUE ...]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <vector>

#include "core/host/standalone_host.h"
#include "mysqlop/plugin.hpp"
#include "target-check/args.h"
#include "target-check/checks.h"
#include "target-check/target_client.h"

using namespace mysqlop;

int main(int argc, char** argv) {
  targetcheck::Options o;
  if (auto bad = targetcheck::parseArgs(argc, argv, &o)) {
    std::cerr << "bench_target_upload: " << *bad << "\n";
    return 2;
  }
  host::StandaloneHost host;
  auto plugin = host.loadBackupTarget(o.pluginPath, o.configJson);
  if (!plugin.ok()) {
    std::cerr << "bench_target_upload: " << plugin.error().message << "\n";
    return 2;
  }
  targetcheck::TargetClient client(**plugin, o.credentials);
  std::unique_ptr<targetcheck::TargetClient::Writer> w;
  const auto start = std::chrono::steady_clock::now();
  auto r = client.openWriter(o.url, &w);
  std::vector<char> buf(1 << 20);
  std::uint64_t total = 0;
  while (r.ok()) {
    const ssize_t n = ::read(0, buf.data(), buf.size());
    if (n <= 0) {
      break;
    }
    total += static_cast<std::uint64_t>(n);
    r = w->write(buf.data(), static_cast<std::size_t>(n));
  }
  if (r.ok()) {
    r = w->commit();
  }
  if (!r.ok()) {
    std::cerr << "bench_target_upload: " << statusName(r.status) << ": " << r.message << "\n";
    return 1;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("uploaded %llu bytes in %.2f s: %.1f MiB/s; peak RSS %.1f MiB\n",
              static_cast<unsigned long long>(total), s,
              static_cast<double>(total) / (1024.0 * 1024.0) / s,
              static_cast<double>(targetcheck::peakRss()) / (1024.0 * 1024.0));
  return 0;
}
