// Stopping the API server ends open stream sessions: the HTTP front's stop() returns, the exec'd
// process is killed and kubectl ends.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/integration/streams/stream_fixture.h"

namespace mysqlop::streams_it {
namespace {

TEST(StreamShutdown, StoppingTheServerEndsAnOpenExec) {
  StreamServer shared;  // its own server: this test stops it
  int before = shared.streams().started.load();
  Background exec(clients()[0],
                  "bash -c '$KUBECTL exec streampod -c main -- sleep 600; echo rc=$?'", shared);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (shared.streams().started.load() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GT(shared.streams().started.load(), before);
  const pid_t pid = shared.streams().lastPid.load();
  shared.stopServer();  // returns only once every session thread has ended
  EXPECT_TRUE(exec.waitFor("rc=", 60)) << exec.err();
  EXPECT_EQ(exec.out().find("rc=0"), std::string::npos) << exec.out();
  // The session's end destroyed the process: it was killed and reaped.
  EXPECT_NE(::kill(pid, 0), 0);
}

}  // namespace
}  // namespace mysqlop::streams_it
