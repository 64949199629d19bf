// The kubelet's side of pods/log, pods/exec and pods/portforward (Kubelet::streams()) on real
// pods: log files read as `kubectl logs` shows them, commands in a container's namespaces with
// pipes or a terminal, connections to 127.0.0.1 inside a pod's network namespace.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>

#include "localcluster/apiserver/pod_streams.h"
#include "tests/integration/kubelet/kubelet_env.h"

namespace mysqlop::local::kubelet::it {
namespace {

// Collects what logs() writes; the client "leaves" once `leaveAfter` appeared.
class CaptureSink : public TextSink {
 public:
  explicit CaptureSink(std::string leaveAfter = "") : leaveAfter_(std::move(leaveAfter)) {}
  bool write(std::string_view text) override {
    std::lock_guard lock(mu_);
    ++writes_;
    text_.append(text);
    return true;
  }
  bool clientGone() override {
    std::lock_guard lock(mu_);
    return !leaveAfter_.empty() && text_.find(leaveAfter_) != std::string::npos;
  }
  std::string text() {
    std::lock_guard lock(mu_);
    return text_;
  }
  int writes() {
    std::lock_guard lock(mu_);
    return writes_;
  }

 private:
  std::mutex mu_;
  std::string leaveAfter_;
  std::string text_;
  int writes_ = 0;
};

// Reads fd until `want` appears in what was read or the deadline passes; what was read.
std::string readUntil(int fd, const std::string& want,
                      std::chrono::seconds timeout = std::chrono::seconds(20)) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.find(want) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) {
      continue;
    }
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) {
      break;  // end of file (pipe) or EIO (terminal without a slave)
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string readToEnd(int fd) { return readUntil(fd, std::string(1, '\0')); }

void writeAll(int fd, const std::string& s) {
  ASSERT_EQ(::write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
}

PodLogOptions logOptions(const std::string& container = "main") {
  PodLogOptions o;
  o.container = container;
  return o;
}

std::string readLogs(PodStreams& s, const json& pod, const PodLogOptions& o) {
  CaptureSink sink;
  auto r = s.logs(pod, o, sink);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return sink.text();
}

TEST_F(KubeletEnv, StreamsLogsOfRunningRestartedFinishedAndInitContainers) {
  PodStreams& streams = kubelet_->streams();
  // Two instances: the first says "first run" and a 40000-byte line (cut into 16 KiB P pieces
  // by the supervisor), fails; the second runs on.
  const std::string marker = dir_ + "/ran-once";
  json p = shellPod("talk", "if [ -f " + marker +
                                " ]; then echo second run; exec sleep 100011; fi; touch " + marker +
                                "; echo first run; echo more words; head -c 40000 /dev/zero "
                                "| tr '\\0' x; echo; exit 1");
  p["spec"]["initContainers"] =
      json::array({{{"name", "setup"},
                    {"image", "busybox:1.36"},
                    {"command", json::array({"sh", "-c", "echo init says hi >&2"})}}});
  create(p);
  ASSERT_TRUE(waitPod("talk", "restarted once and running", [](const json& q) {
    json cs = containerStatus(q);
    return cs.value("restartCount", 0) == 1 && cs["state"].contains("running");
  }));
  json pod = this->pod("talk");
  EXPECT_TRUE(eventually("second run logged",
                         [&] { return readLogs(streams, pod, logOptions()) == "second run\n"; }));
  PodLogOptions previous = logOptions();
  previous.previous = true;
  EXPECT_EQ(readLogs(streams, pod, previous),
            "first run\nmore words\n" + std::string(40000, 'x') + "\n");
  EXPECT_EQ(readLogs(streams, pod, logOptions("setup")), "init says hi\n");

  // tail, limitBytes, timestamps, since.
  PodLogOptions tail = previous;
  tail.tailLines = 1;
  EXPECT_EQ(readLogs(streams, pod, tail), std::string(40000, 'x') + "\n");
  PodLogOptions limited = previous;
  limited.limitBytes = 12;
  EXPECT_EQ(readLogs(streams, pod, limited), "first run\nmo");
  PodLogOptions stamped = previous;
  stamped.timestamps = true;
  stamped.tailLines = 2;
  stamped.limitBytes = 45;
  const std::string withTime = readLogs(streams, pod, stamped);
  // "<RFC 3339 with nanoseconds>Z more words\n<...>Z xxx"
  ASSERT_GE(withTime.size(), 42u) << withTime;
  EXPECT_EQ(withTime.substr(30, 12), " more words\n") << withTime;
  EXPECT_EQ(withTime[29], 'Z') << withTime;
  PodLogOptions future = previous;
  future.sinceTime = "2200-01-01T00:00:00Z";
  EXPECT_EQ(readLogs(streams, pod, future), "");
  PodLogOptions recent = previous;
  recent.sinceSeconds = 3600;
  EXPECT_EQ(readLogs(streams, pod, recent).substr(0, 10), "first run\n");

  // Follow on a container that runs on: the client leaving ends it.
  PodLogOptions follow = logOptions();
  follow.follow = true;
  CaptureSink leaving("second run");
  ASSERT_TRUE(streams.logs(pod, follow, leaving).ok());
  EXPECT_EQ(leaving.text(), "second run\n");
  // The first (zero-byte) write answers before there is output.
  CaptureSink first;
  PodLogOptions none = logOptions("setup");
  none.sinceTime = "2200-01-01T00:00:00Z";
  ASSERT_TRUE(streams.logs(pod, none, first).ok());
  EXPECT_EQ(first.writes(), 1);
  EXPECT_EQ(first.text(), "");

  // No previous instance of the init container.
  PodLogOptions noPrevious = logOptions("setup");
  noPrevious.previous = true;
  CaptureSink unused;
  auto r = streams.logs(pod, noPrevious, unused);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "previous terminated container \"setup\" in pod \"talk\" not found");
  EXPECT_EQ(unused.writes(), 0);
}

TEST_F(KubeletEnv, FollowEndsWhenTheContainerEndsAndWaitingContainersSayWhy) {
  PodStreams& streams = kubelet_->streams();
  const std::string gate = dir_ + "/go";
  create(shellPod("ticker",
                  "echo start; while [ ! -f " + gate +
                      " ]; do sleep 0.1; done; echo tick 1; "
                      "echo tick 2",
                  "Never"));
  ASSERT_TRUE(waitPod("ticker", "running", [](const json& q) {
    return containerStatus(q)["state"].contains("running");
  }));
  PodLogOptions follow = logOptions();
  follow.follow = true;
  CaptureSink sink;
  json pod = this->pod("ticker");
  std::thread follower([&] { EXPECT_TRUE(streams.logs(pod, follow, sink).ok()); });
  EXPECT_TRUE(eventually("start followed", [&] { return sink.text() == "start\n"; }));
  std::ofstream(gate) << "go";
  follower.join();  // returns by itself: the container ended and everything was sent
  EXPECT_EQ(sink.text(), "start\ntick 1\ntick 2\n");
  ASSERT_TRUE(
      waitPod("ticker", "Succeeded", [](const json& q) { return phase(q) == "Succeeded"; }));
  EXPECT_EQ(readLogs(streams, this->pod("ticker"), logOptions()), "start\ntick 1\ntick 2\n");

  // A follower of an instance that ends and is restarted at once (the first restart has no
  // back-off) ends too, though the container's key runs again: the next instance's file exists.
  const std::string gate2 = dir_ + "/go2";
  const std::string ran = dir_ + "/ran";
  create(shellPod("phoenix",
                  "if [ -f " + ran + " ]; then echo again; exec sleep 100014; fi; touch " + ran +
                      "; echo once; while [ ! -f " + gate2 + " ]; do sleep 0.1; done; exit 1"));
  ASSERT_TRUE(waitPod("phoenix", "running", [](const json& q) {
    return containerStatus(q)["state"].contains("running");
  }));
  CaptureSink first;
  json phoenix = this->pod("phoenix");
  std::thread firstFollower([&] { EXPECT_TRUE(streams.logs(phoenix, follow, first).ok()); });
  EXPECT_TRUE(eventually("once followed", [&] { return first.text() == "once\n"; }));
  std::ofstream(gate2) << "go";
  firstFollower.join();
  EXPECT_EQ(first.text(), "once\n");
  ASSERT_TRUE(waitPod("phoenix", "running again", [](const json& q) {
    return containerStatus(q).value("restartCount", 0) == 1 &&
           containerStatus(q)["state"].contains("running");
  }));
  EXPECT_TRUE(eventually("again logged", [&] {
    return readLogs(streams, this->pod("phoenix"), logOptions()) == "again\n";
  }));

  // A container that cannot start: the kubelet's waiting text.
  json stuck = shellPod("stuck", "true");
  stuck["spec"]["containers"][0]["image"] = "nosuch/image:1";
  create(stuck);
  ASSERT_TRUE(waitPod("stuck", "waiting", [](const json& q) {
    return waitingReason(q) == "ImageNotAvailableLocally";
  }));
  CaptureSink unused;
  auto r = streams.logs(this->pod("stuck"), logOptions(), unused);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.is(Errc::Invalid));
  EXPECT_EQ(r.error().message,
            "container \"main\" in pod \"stuck\" is waiting to start: ImageNotAvailableLocally");
}

TEST_F(KubeletEnv, ExecRunsInTheContainerWithPipesOrATerminal) {
  PodStreams& streams = kubelet_->streams();
  json p = shellPod("box", "exec sleep 100012");
  p["spec"]["containers"][0]["env"] = json::array({{{"name", "GREETING"}, {"value", "hello"}}});
  p["spec"]["containers"][0]["workingDir"] = "/tmp";
  create(p);
  ASSERT_TRUE(waitPod("box", "running", [](const json& q) {
    return containerStatus(q)["state"].contains("running");
  }));
  json pod = this->pod("box");

  // Pipes: stdout, stderr, the exit code; the container's env, working dir and hostname.
  PodExecOptions o;
  o.container = "main";
  o.command = {"sh", "-c", "echo $GREETING from $(pwd) on $(hostname); echo oops >&2; exit 3"};
  auto proc = streams.exec(pod, o);
  ASSERT_TRUE(proc.ok()) << proc.error().message;
  EXPECT_EQ((*proc)->stdinFd(), -1);
  EXPECT_EQ(readToEnd((*proc)->stdoutFd()), "hello from /tmp on box\n");
  EXPECT_EQ(readToEnd((*proc)->stderrFd()), "oops\n");
  EXPECT_EQ((*proc)->wait(), 3);
  // The container's pid namespace: its first process is the container's.
  o.command = {"cat", "/proc/1/cmdline"};
  proc = streams.exec(pod, o);
  ASSERT_TRUE(proc.ok()) << proc.error().message;
  EXPECT_NE(readToEnd((*proc)->stdoutFd()).find("100012"), std::string::npos);
  EXPECT_EQ((*proc)->wait(), 0);

  // stdin: closing it is the command's end of file.
  o.command = {"cat"};
  o.stdin = true;
  o.stderr = false;
  proc = streams.exec(pod, o);
  ASSERT_TRUE(proc.ok()) << proc.error().message;
  EXPECT_EQ((*proc)->stderrFd(), -1);
  writeAll((*proc)->stdinFd(), "piped\n");
  (*proc)->closeStdin();
  EXPECT_EQ(readToEnd((*proc)->stdoutFd()), "piped\n");
  EXPECT_EQ((*proc)->wait(), 0);

  // A terminal: stdin and stdout are its master side, resize reaches the command, the EOF
  // character ends `cat`.
  o.tty = true;
  o.command = {"sh", "-c", "read line; stty size; echo \"got $line on $(tty)\"; cat; echo bye"};
  proc = streams.exec(pod, o);
  ASSERT_TRUE(proc.ok()) << proc.error().message;
  EXPECT_EQ((*proc)->stdinFd(), (*proc)->stdoutFd());
  EXPECT_EQ((*proc)->stderrFd(), -1);
  (*proc)->resize(100, 40);
  writeAll((*proc)->stdinFd(), "hi\n");
  std::string screen = readUntil((*proc)->stdoutFd(), "got hi on /dev/pts/");
  EXPECT_NE(screen.find("40 100\r\n"), std::string::npos) << screen;
  (*proc)->closeStdin();
  screen += readUntil((*proc)->stdoutFd(), "bye");
  EXPECT_NE(screen.find("bye"), std::string::npos) << screen;
  EXPECT_EQ((*proc)->wait(), 0);

  // A command killed by a signal: 128 + the signal.
  o.tty = false;
  o.stdin = false;
  o.command = {"sh", "-c", "kill -TERM $$"};
  proc = streams.exec(pod, o);
  ASSERT_TRUE(proc.ok()) << proc.error().message;
  EXPECT_EQ((*proc)->wait(), 128 + SIGTERM);

  // A command left running is killed with its process object.
  o.command = {"sleep", "100013"};
  proc = streams.exec(pod, o);
  ASSERT_TRUE(proc.ok()) << proc.error().message;
  EXPECT_FALSE(pidsWith("100013").empty());
  proc->reset();
  EXPECT_TRUE(eventually("exec'd sleep gone", [] { return pidsWith("100013").empty(); }));

  // Commands that do not exist.
  o.command = {"no-such-command"};
  auto missing = streams.exec(pod, o);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.is(Errc::NotFound));
  EXPECT_EQ(missing.error().message,
            "exec: \"no-such-command\": executable file not found in $PATH");
  o.command = {"/no/such/program"};
  missing = streams.exec(pod, o);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "exec: \"/no/such/program\": stat /no/such/program: no such file or directory");

  // A container that does not run.
  create(shellPod("done", "true", "Never"));
  ASSERT_TRUE(waitPod("done", "Succeeded", [](const json& q) { return phase(q) == "Succeeded"; }));
  o.command = {"true"};
  auto notRunning = streams.exec(this->pod("done"), o);
  ASSERT_FALSE(notRunning.ok());
  EXPECT_TRUE(notRunning.is(Errc::Invalid));
  EXPECT_EQ(notRunning.error().message, "container not found (\"main\")");
}

TEST_F(KubeletEnv, ConnectPortDialsLoopbackInsideThePod) {
  PodStreams& streams = kubelet_->streams();
  // A server on the pod's 127.0.0.1 only: reachable from inside its namespace, not from the host.
  json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", "srv"}, {"namespace", "default"}}},
            {"spec",
             {{"terminationGracePeriodSeconds", 1},
              {"containers",
               json::array({{{"name", "main"},
                             {"image", "python:3.11"},
                             {"command",
                              json::array({"python3", "-c",
                                           "import socket\n"
                                           "s=socket.socket()\n"
                                           "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                                           "s.bind(('127.0.0.1',17017))\n"
                                           "s.listen()\n"
                                           "print('listening',flush=True)\n"
                                           "while True:\n"
                                           "  c,_=s.accept()\n"
                                           "  d=c.recv(100)\n"
                                           "  c.sendall(b'pod says '+d)\n"
                                           "  c.close()\n"})}}})}}}};
  create(p);
  ASSERT_TRUE(waitPod("srv", "running", [](const json& q) {
    return containerStatus(q)["state"].contains("running");
  }));
  json pod = this->pod("srv");
  ASSERT_TRUE(eventually("listening",
                         [&] { return readLogs(streams, pod, logOptions()) == "listening\n"; }));
  auto fd = streams.connectPort(pod, 17017);
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  writeAll(*fd, "hi");
  EXPECT_EQ(readToEnd(*fd), "pod says hi");
  ::close(*fd);

  const std::string uid = pod["metadata"]["uid"];
  auto refused = streams.connectPort(pod, 17018);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.is(Errc::Unavailable));
  EXPECT_EQ(refused.error().message,
            "error forwarding port 17018 to pod srv_default(" + uid +
                "): failed to connect to localhost:17018 inside network namespace \"" +
                network_->netnsOf(uid) + "\": dial tcp4 127.0.0.1:17018: Connection refused");
}

// Reads fd to its end: byte count and a position-weighted checksum (a lost or reordered piece
// changes it).
std::pair<std::size_t, std::uint64_t> drain(int fd) {
  std::vector<char> buf(std::size_t{1} << 16);
  std::size_t total = 0;
  std::uint64_t sum = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n <= 0) {
      break;
    }
    for (ssize_t i = 0; i < n; ++i) {
      sum += static_cast<unsigned char>(buf[static_cast<std::size_t>(i)]) * ((total + i) % 251 + 1);
    }
    total += static_cast<std::size_t>(n);
  }
  return {total, sum};
}

// Not a benchmark with limits (no timed assertion): 64 MiB through exec's stdout, through a
// port connection and straight to the pod IP, checked intact; the rates are recorded as test
// properties (and printed) for the notes.
TEST_F(KubeletEnv, LargeTransfersArriveIntactThroughExecAndPortConnections) {
  PodStreams& streams = kubelet_->streams();
  constexpr std::size_t kBytes = std::size_t{64} << 20;
  json p = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "bulk"}, {"namespace", "default"}}},
      {"spec",
       {{"terminationGracePeriodSeconds", 1},
        {"containers",
         json::array({{{"name", "main"},
                       {"image", "python:3.11"},
                       {"command",
                        json::array({"python3", "-c",
                                     "import socket\n"
                                     "data=bytes(range(256))*(" +
                                         std::to_string(kBytes / 256) +
                                         ")\n"
                                         "s=socket.socket()\n"
                                         "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                                         "s.bind(('0.0.0.0',17020))\n"
                                         "s.listen()\n"
                                         "print('listening',flush=True)\n"
                                         "while True:\n"
                                         "  c,_=s.accept()\n"
                                         "  c.sendall(data)\n"
                                         "  c.close()\n"})}}})}}}};
  create(p);
  ASSERT_TRUE(waitPod("bulk", "running", [](const json& q) {
    return containerStatus(q)["state"].contains("running");
  }));
  json pod = this->pod("bulk");
  ASSERT_TRUE(eventually("listening",
                         [&] { return readLogs(streams, pod, logOptions()) == "listening\n"; }));
  std::uint64_t want = 0;
  for (std::size_t i = 0; i < kBytes; ++i) {
    want += (i % 256) * (i % 251 + 1);
  }
  auto rate = [&](const char* what, const std::function<int()>& open) {
    const auto start = std::chrono::steady_clock::now();
    const int fd = open();
    if (fd < 0) {
      ADD_FAILURE() << what << ": no connection";
      return;
    }
    auto [n, sum] = drain(fd);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ::close(fd);
    EXPECT_EQ(n, kBytes) << what;
    EXPECT_EQ(sum, want) << what;
    const double mibs = static_cast<double>(n) / (1 << 20) / s;
    std::printf("%s: %.0f MiB/s\n", what, mibs);
    RecordProperty(what, std::to_string(static_cast<int>(mibs)) + " MiB/s");
  };
  rate("pod_ip", [&]() {
    const std::string ip = pod["status"].value("podIP", "");
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(17020);
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  });
  rate("connect_port", [&]() {
    auto fd = streams.connectPort(pod, 17020);
    return fd.ok() ? *fd : -1;
  });
  // exec's stdout: the same bytes from a command in the container.
  PodExecOptions o;
  o.container = "main";
  o.stderr = false;
  o.command = {"python3", "-c",
               "import sys\nsys.stdout.buffer.write(bytes(range(256))*" +
                   std::to_string(kBytes / 256) + ")"};
  std::unique_ptr<PodProcess> proc;
  rate("exec_stdout", [&]() {
    auto r = streams.exec(pod, o);
    if (!r.ok()) {
      return -1;
    }
    proc = std::move(*r);
    return ::dup(proc->stdoutFd());
  });
  ASSERT_TRUE(proc);
  EXPECT_EQ(proc->wait(), 0);
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
