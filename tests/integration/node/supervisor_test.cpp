#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>

#include "localcluster/node/network.h"
#include "localcluster/node/proc.h"
#include "localcluster/node/supervisor.h"
#include "tests/integration/node/node_fixture.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::local::node::it {
namespace {

using mysqlop::testing::eventually;
using namespace std::chrono_literals;

constexpr const char* kUid = "5e6f7081-92a3-b4c5-d6e7-f8091a2b3c4d";

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The text of the CRI records of one stream, after checking each record's shape. The regex sees
// the prefix only: std::regex recurses per character and a 16 KiB line overflows the stack.
std::string streamText(const std::string& log, const std::string& stream) {
  static const std::regex prefix(
      R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) (F|P) $)");
  std::stringstream in(log);
  std::string line, out;
  while (std::getline(in, line)) {
    std::smatch m;
    const std::string head = line.substr(0, std::min<size_t>(line.size(), 40));
    if (!std::regex_match(head, m, prefix)) {
      ADD_FAILURE() << "not a CRI log record: " << line.substr(0, 200);
      continue;
    }
    if (m[1] == stream) {
      out += line.substr(40) + (m[2] == "F" ? "\n" : "");
    }
  }
  return out;
}

class SupervisorTest : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    supervisor_ = std::make_unique<Supervisor>(
        *records_, [this](const std::string& key, const ExitStatus& status) {
          std::lock_guard<std::mutex> lock(mutex_);
          exits_[key].push_back(status);
        });
  }
  void TearDown() override {
    supervisor_.reset();  // kills what is left and joins its threads
    if (network_) {
      EXPECT_TRUE(network_->tearDown().ok());
      network_.reset();
    }
    NodeTest::TearDown();
  }

  SpawnSpec shell(const std::string& key, const std::string& script) {
    SpawnSpec spec;
    spec.key = key;
    spec.argv = {"sh", "-c", script};
    spec.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "FOO=bar"};
    spec.logPath = dir_ + "/pods/" + key + ".log";
    return spec;
  }

  std::vector<ExitStatus> exitsOf(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    return exits_[key];
  }
  // Waits for the n-th exit of key and returns it.
  ExitStatus awaitExit(const std::string& key, size_t n = 1) {
    EXPECT_TRUE(eventually("exit " + std::to_string(n) + " of " + key,
                           [&] { return exitsOf(key).size() >= n; }));
    auto all = exitsOf(key);
    return all.size() >= n ? all[n - 1] : ExitStatus{-1, 0, "", {}, {}};
  }
  bool logHas(const std::string& key, const std::string& text) {
    return readText(dir_ + "/pods/" + key + ".log").find(text) != std::string::npos;
  }
  PodNetwork addPod() {
    NetworkOptions options;
    options.dataDir = dir_;
    auto n = Network::setUp(options, *records_);
    EXPECT_TRUE(n.ok()) << n.error().message;
    network_ = std::move(n.value());
    auto pod = network_->addPod(kUid);
    EXPECT_TRUE(pod.ok()) << pod.error().message;
    return *pod;
  }

  std::unique_ptr<Network> network_;
  std::unique_ptr<Supervisor> supervisor_;
  std::mutex mutex_;
  std::map<std::string, std::vector<ExitStatus>> exits_;
};

TEST_F(SupervisorTest, ExitCodeAndCriLogLines) {
  auto pid = supervisor_->spawn(shell("p/c", "echo out; echo err >&2; printf tail; exit 3"));
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  EXPECT_GT(*pid, 0);
  auto status = awaitExit("p/c");
  EXPECT_EQ(status.exitCode, 3);
  EXPECT_EQ(status.signal, 0);
  EXPECT_EQ(status.reason, "Error");
  EXPECT_LE(status.startedAt, status.finishedAt);
  EXPECT_FALSE(supervisor_->running("p/c"));
  EXPECT_EQ(supervisor_->pidOf("p/c"), 0);
  // onExit runs after the output is written and the record is gone.
  const std::string log = readText(dir_ + "/pods/p/c.log");
  EXPECT_EQ(streamText(log, "stdout"), "out\ntail\n");
  EXPECT_EQ(streamText(log, "stderr"), "err\n");
  EXPECT_TRUE(records_->all().empty());

  ASSERT_TRUE(supervisor_->spawn(shell("p/ok", "exit 0")).ok());
  EXPECT_EQ(awaitExit("p/ok").reason, "Completed");
}

// What a log follower relies on: active() stays true until the output is in the file; envOf()
// is what the key was started with.
TEST_F(SupervisorTest, ActiveUntilTheOutputIsWrittenAndEnvOfTheSpawn) {
  EXPECT_FALSE(supervisor_->active("p/a"));
  EXPECT_TRUE(supervisor_->envOf("p/a").empty());
  const std::string gate = dir_ + "/gate";
  ASSERT_TRUE(supervisor_
                  ->spawn(shell("p/a", "while [ ! -f " + gate +
                                           " ]; do sleep 0.05; done; head -c 200000 /dev/zero | "
                                           "tr '\\0' y; echo; echo done"))
                  .ok());
  EXPECT_TRUE(supervisor_->active("p/a"));
  EXPECT_EQ(supervisor_->envOf("p/a"),
            (std::vector<std::string>{"PATH=/usr/local/bin:/usr/bin:/bin", "FOO=bar"}));
  std::ofstream(gate) << "go";
  ASSERT_TRUE(eventually("p/a no longer active", [&] { return !supervisor_->active("p/a"); }));
  // Checked at once: nothing of the output may still be on its way.
  EXPECT_EQ(streamText(readText(dir_ + "/pods/p/a.log"), "stdout"),
            std::string(200000, 'y') + "\ndone\n");
  EXPECT_TRUE(supervisor_->envOf("p/a").empty());
}

TEST_F(SupervisorTest, LongLinesAreCutIntoPartialRecords) {
  ASSERT_TRUE(
      supervisor_->spawn(shell("p/long", "head -c 40000 /dev/zero | tr '\\0' x; echo; echo after"))
          .ok());
  awaitExit("p/long");
  const std::string log = readText(dir_ + "/pods/p/long.log");
  std::stringstream in(log);
  std::string line;
  std::vector<std::pair<char, size_t>> records;
  while (std::getline(in, line)) {
    const auto tag = line.find(" stdout ");
    ASSERT_NE(tag, std::string::npos) << line.substr(0, 100);
    records.emplace_back(line[tag + 8], line.size() - tag - 10);
  }
  using R = std::vector<std::pair<char, size_t>>;
  EXPECT_EQ(records, (R{{'P', 16384}, {'P', 16384}, {'F', 7232}, {'F', 5}}));
  EXPECT_EQ(streamText(log, "stdout"), std::string(40000, 'x') + "\nafter\n");
}

TEST_F(SupervisorTest, SigtermReachesTheProgram) {
  ASSERT_TRUE(
      supervisor_
          ->spawn(
              shell("p/trap",
                    "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.05; done"))
          .ok());
  ASSERT_TRUE(eventually("the trap is set", [&] { return logHas("p/trap", "ready"); }));
  EXPECT_TRUE(supervisor_->running("p/trap"));
  EXPECT_TRUE(supervisor_->signal("p/trap", SIGTERM));
  auto status = awaitExit("p/trap");
  EXPECT_EQ(status.exitCode, 7);
  EXPECT_TRUE(logHas("p/trap", " stdout F got-term\n"));
  EXPECT_FALSE(supervisor_->signal("p/trap", SIGTERM));  // not running
}

TEST_F(SupervisorTest, StopEscalatesToSigkillAfterGrace) {
  auto pid = supervisor_->spawn(
      shell("p/stubborn", "trap '' TERM; echo ready; while :; do sleep 0.05; done"));
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(eventually("the trap is set", [&] { return logHas("p/stubborn", "ready"); }));
  supervisor_->stop("p/stubborn", 200ms);
  // stop returns after onExit ran.
  auto exits = exitsOf("p/stubborn");
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].exitCode, 137);
  EXPECT_EQ(exits[0].signal, SIGKILL);
  EXPECT_TRUE(processGone(*pid));
  EXPECT_FALSE(supervisor_->running("p/stubborn"));

  // A program that handles SIGTERM ends within the grace period with its own code.
  ASSERT_TRUE(
      supervisor_
          ->spawn(shell("p/polite", "trap 'exit 0' TERM; echo ready; while :; do sleep 0.05; done"))
          .ok());
  ASSERT_TRUE(eventually("the trap is set", [&] { return logHas("p/polite", "ready"); }));
  supervisor_->stop("p/polite", 60s);
  ASSERT_EQ(exitsOf("p/polite").size(), 1u);
  EXPECT_EQ(exitsOf("p/polite")[0].exitCode, 0);
  supervisor_->stop("p/never-started", 1s);  // nothing to do
}

TEST_F(SupervisorTest, SameKeyRestartsAfterExitButNotWhileRunning) {
  auto first = supervisor_->spawn(shell("p/r", "echo run; sleep 0.3"));
  ASSERT_TRUE(first.ok());
  auto twice = supervisor_->spawn(shell("p/r", "true"));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().message, "p/r: already running (pid " + std::to_string(*first) + ")");
  awaitExit("p/r");
  auto second = supervisor_->spawn(shell("p/r", "echo run; exit 2"));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(awaitExit("p/r", 2).exitCode, 2);
  EXPECT_EQ(streamText(readText(dir_ + "/pods/p/r.log"), "stdout"), "run\nrun\n");  // appended
}

TEST_F(SupervisorTest, ConcurrentSpawnsOfOneKeyStartItOnce) {
  std::vector<Result<int>> results(4, fail(Errc::Internal, "not run"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back(
        [&, i] { results[i] = supervisor_->spawn(shell("p/once", "sleep 1000")); });
  }
  for (auto& t : threads) {
    t.join();
  }
  int started = 0;
  for (const auto& r : results) {
    if (r.ok()) {
      ++started;
    } else {
      EXPECT_TRUE(r.error().message == "p/once: already being started" ||
                  r.error().message.rfind("p/once: already running (pid ", 0) == 0)
          << r.error().message;
    }
  }
  EXPECT_EQ(started, 1);
}

TEST_F(SupervisorTest, RefusesWhatCannotStartWithAMessage) {
  SpawnSpec spec = shell("p/bad", "");
  spec.argv = {"nosuch-program"};
  auto r = supervisor_->spawn(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "p/bad: exec: \"nosuch-program\": executable file not found in $PATH");

  spec.argv = {"/no/such/program"};
  r = supervisor_->spawn(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "p/bad: exec: \"/no/such/program\": stat /no/such/program: no such file or directory");

  spec.argv = {"sh"};
  spec.env = {"PATH=/nonexistent"};
  r = supervisor_->spawn(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "p/bad: exec: \"sh\": executable file not found in $PATH");

  spec = shell("p/bad", "true");
  spec.netns = "mol999-000000000000";
  r = supervisor_->spawn(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "p/bad: network namespace \"mol999-000000000000\" does not exist");

  // bwrap's own refusal (a bind source that does not exist) is the message, not an exit status.
  spec = shell("p/bad", "true");
  spec.binds = {{"/nonexistent-source", "/tmp", false}};
  r = supervisor_->spawn(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "p/bad: bwrap: Can't find source path /nonexistent-source: No such file or directory");
  EXPECT_FALSE(supervisor_->running("p/bad"));
  EXPECT_TRUE(exitsOf("p/bad").empty());  // spawn waited for the reaper: no onExit for a refusal
  EXPECT_TRUE(records_->all().empty());

  spec.argv.clear();
  r = supervisor_->spawn(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "spawn \"p/bad\": the key and argv[0] are required");
}

TEST_F(SupervisorTest, RunsInThePodNetworkWithHostnameBindsAndWorkingDir) {
  const PodNetwork pod = addPod();
  const std::string data = dir_ + "/data";
  const std::string target =
      dir_ + "/inside";  // exists: bwrap would make a missing one on the host
  std::filesystem::create_directories(data);
  std::filesystem::create_directories(target);
  std::ofstream(data + "/greeting") << "hello from a bind\n";
  // A server that answers each connection with the bound file (http.server would spend seconds
  // on a reverse DNS lookup that a pod without DNS cannot answer).
  SpawnSpec spec =
      shell("p/web",
            "cat greeting; exec python3 -c \"\nimport socket\n"
            "s = socket.socket(); s.bind(('" +
                pod.ip +
                "', 8080)); s.listen()\n"
                "while True:\n"
                "    c, _ = s.accept(); c.sendall(open('greeting', 'rb').read()); c.close()\n\"");
  spec.netns = pod.netns;
  spec.hostname = "web-0";
  spec.workingDir = target;
  spec.binds = {{data, target, true}};
  spec.env.push_back("HOME=/");
  auto pid = supervisor_->spawn(spec);
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  EXPECT_EQ(supervisor_->pidOf("p/web"), *pid);
  EXPECT_TRUE(eventually("the output of the bound file",
                         [&] { return logHas("p/web", "hello from a bind"); }));
  std::string answer;
  EXPECT_TRUE(eventually(
      "the host reaches the server on the pod IP",
      [&] {
        CommandSpec client;
        client.argv = {"python3", "-c", tcpClient(pod.ip, 8080)};
        auto r = runCommand(client);
        answer = r.ok() ? r->output : r.error().message;
        return r.ok() && r->exitCode == 0;
      },
      [&] { return answer; }));
  EXPECT_EQ(answer, "hello from a bind\n\n");

  auto inside =
      supervisor_->exec("p/web",
                        {"sh", "-c",
                         "hostname; pwd; echo $FOO; cat /proc/1/comm; "
                         "cat /sys/class/net/eth0/address >/dev/null && echo eth0; exit 4"},
                        20s);
  ASSERT_TRUE(inside.ok()) << inside.error().message;
  EXPECT_EQ(inside->exitCode, 4);
  EXPECT_FALSE(inside->timedOut);
  EXPECT_EQ(inside->output, "web-0\n" + target + "\nbar\npython3\neth0\n");

  supervisor_->stop("p/web", 100ms);  // python3 as pid 1 ignores SIGTERM, as in a container
  EXPECT_EQ(exitsOf("p/web").at(0).exitCode, 137);
  EXPECT_TRUE(std::filesystem::is_empty(target));  // the bind was the container's only
}

TEST_F(SupervisorTest, ExecTimesOutAndKillsWhatItStarted) {
  ASSERT_TRUE(supervisor_->spawn(shell("p/x", "echo ready; while :; do sleep 0.05; done")).ok());
  ASSERT_TRUE(eventually("started", [&] { return logHas("p/x", "ready"); }));
  auto r = supervisor_->exec("p/x", {"sh", "-c", "echo started; exec sleep 1000"}, 300ms);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->timedOut);
  EXPECT_EQ(r->output, "started\n");
  EXPECT_TRUE(eventually("no sleep 1000 left in the container", [&] {
    auto ps =
        supervisor_->exec("p/x", {"sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"}, 20s);
    return ps.ok() && ps->output.find("sleep 1000") == std::string::npos;
  }));
  // Closing its output does not let a command outlive the timeout.
  auto quiet = supervisor_->exec("p/x", {"sh", "-c", "exec >&- 2>&-; exec sleep 1000"}, 300ms);
  ASSERT_TRUE(quiet.ok()) << quiet.error().message;
  EXPECT_TRUE(quiet->timedOut);
  auto missing = supervisor_->exec("p/none", {"true"}, 1s);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "p/none: not running");
  auto notFound = supervisor_->exec("p/x", {"nosuch-program"}, 20s);
  ASSERT_TRUE(notFound.ok());
  EXPECT_NE(notFound->exitCode, 0);
}

// --die-with-parent follows the thread that forked bwrap: a container spawned from a thread that
// ends right after must keep running (the supervisor forks on its own thread).
TEST_F(SupervisorTest, OutlivesTheThreadThatSpawnedIt) {
  Result<int> pid = fail(Errc::Internal, "not run");
  std::thread caller([&] { pid = supervisor_->spawn(shell("p/t", "echo ready; sleep 1000")); });
  caller.join();
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  ASSERT_TRUE(eventually("started", [&] { return logHas("p/t", "ready"); }));
  auto r = supervisor_->exec("p/t", {"echo", "alive"}, 20s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->output, "alive\n");
  EXPECT_TRUE(supervisor_->running("p/t"));
  EXPECT_TRUE(exitsOf("p/t").empty());
}

// The kubelet restarts a container from onExit: spawn on the reaper's own thread must neither
// deadlock when it succeeds nor when bwrap refuses.
TEST_F(SupervisorTest, OnExitMaySpawnAgain) {
  supervisor_.reset();
  std::mutex mutex;
  std::vector<std::string> events;
  std::unique_ptr<Supervisor> supervisor;
  supervisor = std::make_unique<Supervisor>(
      *records_, [&](const std::string& key, const ExitStatus& status) {
        std::lock_guard<std::mutex> lock(mutex);
        events.push_back(key + " " + std::to_string(status.exitCode));
        if (events.size() == 1) {
          SpawnSpec bad = shell("p/again", "true");
          bad.binds = {{"/nonexistent-source", "/tmp", false}};
          auto refused = supervisor->spawn(bad);
          events.push_back(refused.ok() ? "spawned" : refused.error().message);
          auto again = supervisor->spawn(shell("p/again", "exit 5"));
          events.push_back(again.ok() ? "spawned" : again.error().message);
        }
      });
  ASSERT_TRUE(supervisor->spawn(shell("p/again", "exit 4")).ok());
  auto count = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return events.size();
  };
  ASSERT_TRUE(eventually("the restarted container exits", [&] { return count() >= 4; }));
  supervisor.reset();
  EXPECT_EQ(events, (std::vector<std::string>{
                        "p/again 4",
                        "p/again: bwrap: Can't find source path /nonexistent-source: No such file "
                        "or directory",
                        "spawned", "p/again 5"}));
}

TEST_F(SupervisorTest, RecordsNameBothPidsWithStartTimes) {
  auto pid = supervisor_->spawn(shell("p/rec", "sleep 1000"));
  ASSERT_TRUE(pid.ok());
  auto all = records_->all();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].kind, "process");
  EXPECT_EQ(all[0].name, "p/rec");
  std::stringstream in(all[0].detail);
  int bwrapPid = 0, childPid = 0;
  uint64_t bwrapStart = 0, childStart = 0;
  in >> bwrapPid >> bwrapStart >> childPid >> childStart;
  EXPECT_EQ(childPid, *pid);
  EXPECT_EQ(processStartTime(childPid), childStart);
  EXPECT_EQ(processStartTime(bwrapPid), bwrapStart);
  EXPECT_EQ(readText("/proc/" + std::to_string(bwrapPid) + "/comm"), "bwrap\n");
}

// A local cluster process that dies by SIGKILL leaves its namespace and links; its processes die
// with it (--die-with-parent); cleanUp from the records leaves nothing.
TEST_F(SupervisorTest, CrashLeavesNothingAfterCleanUp) {
  supervisor_.reset();  // the child is the only supervisor here
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t crashing = ::fork();
  ASSERT_GE(crashing, 0);
  if (crashing == 0) {
    ::close(ready[0]);
    auto records = Records::open(dir_);
    NetworkOptions options;
    options.dataDir = dir_;
    auto network = Network::setUp(options, **records);
    if (!network.ok()) {
      ::_exit(2);
    }
    auto pod = (*network)->addPod(kUid);
    Supervisor supervisor(**records, nullptr);
    SpawnSpec spec;
    spec.key = "crash/c";
    spec.argv = {"sleep", "1000"};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.netns = pod.ok() ? pod->netns : "";
    auto pid = supervisor.spawn(spec);
    int slot = (*network)->subnets().slot;
    (void)::write(ready[1], &slot, sizeof slot);
    for (;;) {
      ::pause();
    }
  }
  ::close(ready[1]);
  int slot = -1;
  ASSERT_EQ(::read(ready[0], &slot, sizeof slot), static_cast<ssize_t>(sizeof slot));
  ::close(ready[0]);
  int bwrapPid = 0, childPid = 0;
  for (const auto& r : records_->all()) {
    if (r.kind == "process") {
      uint64_t s = 0;
      std::stringstream(r.detail) >> bwrapPid >> s >> childPid;
    }
  }
  ASSERT_GT(childPid, 0);
  ::kill(crashing, SIGKILL);
  int status = 0;
  ::waitpid(crashing, &status, 0);
  const std::string podNetns = "mol" + std::to_string(slot) + "-5e6f708192a3";
  EXPECT_TRUE(eventually("the container died with its supervisor",
                         [&] { return processGone(childPid) && processGone(bwrapPid); }));

  auto r = cleanUp(*records_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(netnsExists(podNetns));
  expectSlotClean(slot);
  EXPECT_TRUE(records_->all().empty());
}

TEST_F(SupervisorTest, CleanUpKillsRecordedProcessesOnlyWhenTheirStartTimeMatches) {
  supervisor_.reset();
  auto spawnSleeper = [] {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid;
  };
  const pid_t matching = spawnSleeper();
  const pid_t other = spawnSleeper();
  ASSERT_TRUE(eventually("both sleepers run", [&] {
    return processStartTime(matching).has_value() && processStartTime(other).has_value();
  }));
  ASSERT_TRUE(
      records_->add({"process", "a", processDetail(matching, *processStartTime(matching))}).ok());
  ASSERT_TRUE(
      records_->add({"process", "b", processDetail(other, *processStartTime(other) + 1)}).ok());
  std::thread reaper([&] { ::waitpid(matching, nullptr, 0); });
  auto r = cleanUp(*records_);
  reaper.join();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(processGone(matching));
  EXPECT_FALSE(processGone(other));  // a reused pid is never signalled
  EXPECT_TRUE(records_->all().empty());
  ::kill(other, SIGKILL);
  ::waitpid(other, nullptr, 0);
}

}  // namespace
}  // namespace mysqlop::local::node::it
