#pragma once
// Shared pieces of the node layer's tests: a temporary DIR, commands run in a pod's namespace, and
// what exists on the machine for a slot (for "nothing is left" assertions).

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "localcluster/node/addresses.h"
#include "localcluster/node/command.h"
#include "localcluster/node/records.h"

namespace mysqlop::local::node::it {

inline std::string makeTempDir() {
  std::string templ = "/tmp/mysqlop-node-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
  }
  return templ;
}

// Everything of slot N that exists on the machine: namespaces and links named after it.
inline std::vector<std::string> leftoversOfSlot(int slot) {
  std::vector<std::string> out;
  for (const auto& ns : namedNetns()) {
    if (netnsOfSlot(slot, ns)) {
      out.push_back("netns " + ns);
    }
  }
  for (const auto& link : hostLinks()) {
    if (linkOfSlot(slot, link)) {
      out.push_back("link " + link);
    }
  }
  return out;
}

// Nothing of slot N is left on the machine. Checked while holding the slot's lock: once released,
// another local cluster on this machine (a parallel test) may take the slot and make its own
// links under the same names; then there is nothing of ours to check.
inline void expectSlotClean(int slot) {
  auto fd = tryLockSlot("/run/mysqlop-local", slot);
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  if (*fd < 0) {
    return;
  }
  std::string left;
  for (const auto& l : leftoversOfSlot(slot)) {
    left += l + "\n";
  }
  EXPECT_EQ(left, "") << "slot " << slot;
  ::close(*fd);
}

inline std::string joinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    out += l + "\n";
  }
  return out;
}

// A python3 client that connects to ip:port and prints what the server sends.
inline std::string tcpClient(const std::string& ip, int port) {
  return "import socket; s = socket.create_connection(('" + ip + "', " + std::to_string(port) +
         "), timeout=10); print(s.recv(100).decode())";
}

// Runs argv in a named network namespace with a timeout (a client of a test).
inline CommandOutput runIn(const std::string& netns, std::vector<std::string> argv,
                           std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  CommandSpec spec;
  spec.argv = {"ip", "netns", "exec", netns};
  spec.argv.insert(spec.argv.end(), argv.begin(), argv.end());
  spec.timeout = timeout;
  auto r = runCommand(spec);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : CommandOutput{-1, "", false};
}

// A DIR with its Records, removed (with whatever it recorded) after the test.
class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = makeTempDir();
    auto r = Records::open(dir_);
    ASSERT_TRUE(r.ok()) << r.error().message;
    records_ = std::move(r.value());
  }
  void TearDown() override {
    if (records_) {
      auto r = cleanUp(*records_);
      EXPECT_TRUE(r.ok()) << r.error().message;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string dir_;
  std::unique_ptr<Records> records_;
};

}  // namespace mysqlop::local::node::it
