// Clone of a replica from a peer through the sidecar (config-and-serve -> HTTP -> clone-and-init,
// prepare and config included) against the same copy run by hand on the same machine:
// `mariadb-backup --backup --stream=xbstream | mbstream -x` and `mariadb-backup --prepare`.
// The source is a real mariadbd with the operated users; each round clones into a fresh
// directory, alternating the two ways, and the best and median times are printed (the machine is
// shared, so both matter). No assertion on time; checked (exit 1 otherwise): every clone exits 0.
//
// Size: --size-mib N (default 1024; --short: 32), rounds: --rounds N (default 3; --short: 1).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/bench/common/bench_main.h"
#include "tests/integration/sidecar/sidecar_env.h"
#include "tests/support/process/child_process.h"

namespace {

namespace fs = std::filesystem;
using namespace mysqlop;
using namespace mysqlop::testing;
using namespace mysqlop::testing::sidecar;
using Clock = std::chrono::steady_clock;

// Rows of ~1 KiB (an id and 1 KiB of hex), inserted in batches of 16384 (16 MiB).
constexpr int kBatchRows = 16384;

std::uint64_t treeBytes(const std::string& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) {
      total += e.file_size(ec);
    }
  }
  return total;
}

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void fillSource(SourcePod& source, int sizeMib) {
  source.server().query(
      "CREATE TABLE app.big (id INT PRIMARY KEY, v VARCHAR(1024)) ENGINE=InnoDB;");
  const int batches = std::max(1, sizeMib / 16);
  for (int b = 0; b < batches; ++b) {
    source.server().query(
        "INSERT INTO app.big SELECT seq, CONCAT(seq, REPEAT(MD5(seq), 31)) FROM seq.seq_" +
        std::to_string(b * kBatchRows + 1) + "_to_" + std::to_string((b + 1) * kBatchRows) + ";");
  }
  source.server().query("FLUSH TABLES;");
}

// The copy by hand, as an operator would type it.
bool cloneByHand(SourcePod& source, ClonePod& pod) {
  const std::string xb = pod.dir() + "/xb";
  const std::string cmd =
      "mkdir -p " + xb +
      " && mariadb-backup --no-defaults --backup --slave-info --stream=xbstream --datadir=" +
      source.server().directory() + "/data --host=" + source.server().host() +
      " --port=" + std::to_string(source.server().port()) +
      " --user=sys_replication --password=" + kReplicationPassword + " --target-dir=" + xb +
      " 2>/dev/null | mbstream -x -C " + pod.dataDir() +
      " && mariadb-backup --no-defaults --prepare --target-dir=" + pod.dataDir() + " 2>/dev/null";
  SpawnSpec spec;
  spec.argv = {"/bin/sh", "-c", cmd};
  return waitForExit(spawnProcess(spec), std::chrono::minutes(30)).value_or(-1) == 0;
}

void show(const char* what, std::vector<double> t, double mib) {
  std::sort(t.begin(), t.end());
  const double median = t[t.size() / 2];
  std::printf("%-58s best %6.2f s (%5.0f MiB/s)  median %6.2f s (%5.0f MiB/s)\n", what, t[0],
              mib / t[0], median, mib / median);
}

double median(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void run(int sizeMib, int rounds) {
  SourcePod source(
      {"innodb_buffer_pool_size=128M", "innodb_log_file_size=64M", "max_allowed_packet=64M"});
  const auto fillStart = Clock::now();
  fillSource(source, sizeMib);
  std::printf("source filled in %.1f s\n", since(fillStart));
  source.startSidecar();

  std::vector<double> viaSidecar, byHand;
  std::uint64_t dataBytes = 0;  // what a clone holds (no binlogs): the bytes that travel
  for (int round = 0; round < rounds; ++round) {
    {
      ClonePod pod(1);
      const auto t0 = Clock::now();
      const SidecarRun r = pod.cloneAndInit(source.url());
      viaSidecar.push_back(since(t0));
      if (r.exitCode != 0) {
        bench::fail("clone-and-init exited " + std::to_string(r.exitCode) + ": " + r.output);
        return;
      }
      dataBytes = treeBytes(pod.dataDir());
    }
    {
      ClonePod pod(1);
      const auto t0 = Clock::now();
      if (!cloneByHand(source, pod)) {
        bench::fail("mariadb-backup | mbstream -x by hand failed");
        return;
      }
      byHand.push_back(since(t0));
    }
  }
  const double mib = static_cast<double>(dataBytes) / (1 << 20);
  std::printf("cloned data directory: %.0f MiB, %d round(s)\n", mib, rounds);
  show("via the sidecar (HTTP, clone-and-init, prepare, config)", viaSidecar, mib);
  show("by hand (mariadb-backup | mbstream -x, prepare)", byHand, mib);
  std::sort(viaSidecar.begin(), viaSidecar.end());
  std::sort(byHand.begin(), byHand.end());
  std::printf("ratio sidecar / by hand: best %.2f, median %.2f\n", viaSidecar[0] / byHand[0],
              median(viaSidecar) / median(byHand));
}

}  // namespace

int main(int argc, char** argv) {
  bench::parseArgs(&argc, argv);
  const int sizeMib = bench::takeIntOption(&argc, argv, "--size-mib", bench::scaled(1024, 32));
  const int rounds = bench::takeIntOption(&argc, argv, "--rounds", bench::scaled(3, 1));
  try {
    run(sizeMib, rounds);
  } catch (const std::exception& e) {
    bench::fail(e.what());
  }
  return bench::finish();
}
