// Clone throughput of ~256 MiB through the sidecar (config-and-serve -> HTTP -> clone-and-init,
// prepare included) against `mariadb-backup --backup --stream=xbstream | mbstream -x` and the
// same prepare run by hand. Skipped unless MYSQLOP_SIDECAR_BENCH=1 (it takes a minute or two).

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "tests/integration/sidecar/sidecar_env.h"
#include "tests/support/process/child_process.h"

namespace mysqlop::testing::sidecar {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::uint64_t treeBytes(const std::string& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  return total;
}

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

TEST(SidecarCloneBench, SidecarAgainstMariadbBackupByHand) {
  if (std::getenv("MYSQLOP_SIDECAR_BENCH") == nullptr)
    GTEST_SKIP() << "set MYSQLOP_SIDECAR_BENCH=1";
  SourcePod source(
      {"innodb_buffer_pool_size=128M", "innodb_log_file_size=64M", "max_allowed_packet=64M"});
  source.server().query(
      "CREATE TABLE app.big (id INT PRIMARY KEY, v VARCHAR(1024)) ENGINE=InnoDB;");
  for (int batch = 0; batch < 16; ++batch)
    source.server().query(
        "INSERT INTO app.big SELECT seq, CONCAT(seq, REPEAT(MD5(seq), 31)) FROM seq.seq_" +
        std::to_string(batch * 16384 + 1) + "_to_" + std::to_string((batch + 1) * 16384) + ";");
  source.server().query("FLUSH TABLES;");
  source.startSidecar();

  std::vector<double> viaSidecar, byHand;
  std::uint64_t dataBytes = 0;  // what a clone holds (no binlogs): the bytes that travel
  for (int round = 0; round < 5; ++round) {
    {
      ClonePod pod(1);
      auto t0 = std::chrono::steady_clock::now();
      SidecarRun run = pod.cloneAndInit(source.url());
      viaSidecar.push_back(seconds(std::chrono::steady_clock::now() - t0));
      ASSERT_EQ(run.exitCode, 0) << run.output;
      dataBytes = treeBytes(pod.dataDir());
    }
    {
      ClonePod pod(1);
      std::string xb = pod.dir() + "/xb";
      std::string cmd =
          "mariadb-backup --no-defaults --backup --slave-info --stream=xbstream "
          "--datadir=" +
          source.server().directory() + "/data --host=" + source.server().host() +
          " --port=" + std::to_string(source.server().port()) +
          " --user=sys_replication --password=" + kReplicationPassword + " --target-dir=" + xb +
          " 2>/dev/null | mbstream -x -C " + pod.dataDir() +
          " && mariadb-backup --no-defaults --prepare --target-dir=" + pod.dataDir() +
          " 2>/dev/null";
      SpawnSpec spec;
      spec.argv = {"/bin/sh", "-c", "mkdir -p " + xb + " && " + cmd};
      auto t0 = std::chrono::steady_clock::now();
      auto code = waitForExit(spawnProcess(spec), 10min);
      byHand.push_back(seconds(std::chrono::steady_clock::now() - t0));
      ASSERT_EQ(code.value_or(-1), 0);
    }
  }
  std::sort(viaSidecar.begin(), viaSidecar.end());
  std::sort(byHand.begin(), byHand.end());
  double mib = static_cast<double>(dataBytes) / (1 << 20);
  std::printf("cloned data directory: %.0f MiB\n", mib);
  // 5 rounds, alternating; the machine is shared, so the best and the median are both shown.
  auto show = [&](const char* what, const std::vector<double>& t) {
    std::printf("%s: best %.2f s (%.0f MiB/s), median %.2f s (%.0f MiB/s)\n", what, t[0],
                mib / t[0], t[2], mib / t[2]);
  };
  show("via the sidecar (HTTP, clone-and-init, prepare, config)", viaSidecar);
  show("by hand (mariadb-backup | mbstream -x, prepare)", byHand);
  std::printf("ratio sidecar / by hand: best %.2f, median %.2f\n", viaSidecar[0] / byHand[0],
              viaSidecar[2] / byHand[2]);
}

}  // namespace
}  // namespace mysqlop::testing::sidecar
