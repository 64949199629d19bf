#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "localcluster/node/network.h"
#include "tests/integration/node/node_fixture.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::local::node::it {
namespace {

using mysqlop::testing::eventually;

constexpr const char* kUidA = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";
constexpr const char* kUidB = "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901";

class NetworkTest : public NodeTest {
 protected:
  void TearDown() override {
    if (network_) {
      auto r = network_->tearDown();
      EXPECT_TRUE(r.ok()) << r.error().message;
      const int slot = network_->subnets().slot;
      network_.reset();
      expectSlotClean(slot);
    }
    NodeTest::TearDown();
  }

  void setUpNetwork() {
    NetworkOptions options;
    options.dataDir = dir_;
    auto r = Network::setUp(options, *records_);
    ASSERT_TRUE(r.ok()) << r.error().message;
    network_ = std::move(r.value());
  }

  std::unique_ptr<Network> network_;
};

// A listening TCP socket on ip:port of the host (the test plays the Service proxy).
int listenOn(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(NetworkOptionsTest, RejectsRangesOutsideTheTestRange) {
  const std::string dir = makeTempDir();
  auto records = Records::open(dir);
  ASSERT_TRUE(records.ok());
  struct Case {
    std::string pod, service, message;
  };
  for (const auto& c : std::vector<Case>{
           {"10.0.0.0/16", "198.19.0.0/16",
            "podCidr 10.0.0.0/16 is outside 198.18.0.0/15: local clusters use only the RFC 2544 "
            "test range"},
           {"198.18.0.0/16", "198.20.0.0/16",
            "serviceCidr 198.20.0.0/16 is outside 198.18.0.0/15: local clusters use only the RFC "
            "2544 test range"},
           {"198.18.0.0/14", "198.19.0.0/16",
            "podCidr 198.18.0.0/14 is outside 198.18.0.0/15: local clusters use only the RFC 2544 "
            "test range"},
           {"198.18.0/16", "198.19.0.0/16",
            "podCidr \"198.18.0/16\" is not an IPv4 CIDR (a.b.c.d/n)"},
           {"198.18.0.0/25", "198.19.0.0/16",
            "podCidr 198.18.0.0/25 is smaller than a /24: each cluster takes one /24"},
       }) {
    NetworkOptions options;
    options.dataDir = "/nonexistent";
    options.podCidr = c.pod;
    options.serviceCidr = c.service;
    auto r = Network::setUp(options, **records);
    ASSERT_FALSE(r.ok()) << c.pod << " " << c.service;
    EXPECT_EQ(r.error().message, c.message);
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_F(NetworkTest, BridgeAndServiceDeviceExistNamedAfterTheSlot) {
  setUpNetwork();
  const auto& s = network_->subnets();
  ASSERT_GE(s.slot, 0);
  const std::string n = std::to_string(s.slot);
  EXPECT_EQ(s.bridge, "mol" + n);
  EXPECT_EQ(s.podSubnet, "198.18." + n + ".0/24");
  EXPECT_EQ(s.gateway, "198.18." + n + ".1");
  EXPECT_EQ(s.serviceSubnet, "198.19." + n + ".0/24");
  EXPECT_TRUE(linkExists("mol" + n));
  EXPECT_TRUE(linkExists("mol" + n + "svc"));
  std::ifstream slotFile(dir_ + "/node/slot");
  int remembered = -1;
  slotFile >> remembered;
  EXPECT_EQ(remembered, s.slot);
}

TEST_F(NetworkTest, PodsReachEachOtherTheHostReachesThemAndTheyReachServiceIps) {
  setUpNetwork();
  auto a = network_->addPod(kUidA);
  ASSERT_TRUE(a.ok()) << a.error().message;
  auto b = network_->addPod(kUidB);
  ASSERT_TRUE(b.ok()) << b.error().message;
  const std::string n = std::to_string(network_->subnets().slot);
  EXPECT_EQ(a->ip, "198.18." + n + ".2");
  EXPECT_EQ(b->ip, "198.18." + n + ".3");
  EXPECT_EQ(a->netns, "mol" + n + "-0a1b2c3d4e5f");
  EXPECT_EQ(a->hostVeth, "mol" + n + "h2");
  EXPECT_TRUE(netnsExists(a->netns));
  EXPECT_EQ(network_->netnsOf(kUidA), a->netns);
  EXPECT_EQ(network_->netnsOf("9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0"), "");  // never added
  // Idempotent per uid.
  auto again = network_->addPod(kUidA);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ip, a->ip);

  // A server in pod A answers pod B and the host.
  CommandSpec server;
  server.argv = {"ip",
                 "netns",
                 "exec",
                 a->netns,
                 "python3",
                 "-c",
                 "import socket\n"
                 "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                 "s.bind(('0.0.0.0', 8080)); s.listen()\n"
                 "for i in range(2):\n"
                 "    c, _ = s.accept(); c.sendall(b'from-a'); c.close()\n"};
  std::thread serverThread([&] { (void)runCommand(server); });
  std::string fromB, fromHost;
  EXPECT_TRUE(eventually(
      "pod B connects to pod A",
      [&] {
        auto out = runIn(b->netns, {"python3", "-c", tcpClient(a->ip, 8080)});
        fromB = out.output;
        return out.exitCode == 0;
      },
      [&] { return fromB; }));
  EXPECT_EQ(fromB, "from-a\n");
  CommandSpec client;
  client.argv = {"python3", "-c", tcpClient(a->ip, 8080)};
  auto host = runCommand(client);
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->output, "from-a\n");
  serverThread.join();

  // A Service IP bound on the host is reached from a pod through its default route.
  const std::string serviceIp = "198.19." + n + ".10";
  ASSERT_TRUE(network_->addServiceIp(serviceIp).ok());
  ASSERT_TRUE(network_->addServiceIp(serviceIp).ok());  // idempotent
  int listener = listenOn(serviceIp, 3306);
  ASSERT_GE(listener, 0);
  std::thread accepter([&] {
    int c = ::accept(listener, nullptr, nullptr);
    if (c >= 0) {
      (void)::write(c, "svc", 3);
      ::close(c);
    }
  });
  auto viaService = runIn(b->netns, {"python3", "-c", tcpClient(serviceIp, 3306)});
  accepter.join();
  ::close(listener);
  EXPECT_EQ(viaService.exitCode, 0) << viaService.output;
  EXPECT_EQ(viaService.output, "svc\n");
  ASSERT_TRUE(network_->removeServiceIp(serviceIp).ok());
  EXPECT_EQ(listenOn(serviceIp, 3306), -1);  // no longer an address of the host

  ASSERT_TRUE(network_->removePod(kUidA).ok());
  ASSERT_TRUE(network_->removePod(kUidA).ok());  // gone already: success
  EXPECT_EQ(network_->netnsOf(kUidA), "");
  EXPECT_FALSE(netnsExists(a->netns));
  EXPECT_FALSE(linkExists(a->hostVeth));
  // The freed address is reused, a preferred free address is kept.
  auto c = network_->addPod("2c3d4e5f-6071-8293-a4b5-c6d7e8f90123", "198.18." + n + ".77");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->ip, "198.18." + n + ".77");
  auto d = network_->addPod("3d4e5f60-7182-93a4-b5c6-d7e8f9012345", b->ip);  // taken: lowest free
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->ip, "198.18." + n + ".2");
}

TEST_F(NetworkTest, RejectsBadPodUidsAndForeignServiceIps) {
  setUpNetwork();
  auto bad = network_->addPod("pod-a");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "pod uid \"pod-a\" is not a UUID");
  auto shortUid = network_->addPod("abc-def");
  ASSERT_FALSE(shortUid.ok());
  EXPECT_EQ(shortUid.error().message, "pod uid \"abc-def\" has fewer than 12 hex digits");
  auto ip = network_->addServiceIp("10.96.0.1");
  ASSERT_FALSE(ip.ok());
  EXPECT_EQ(ip.error().message,
            "Service IP \"10.96.0.1\" is not in this cluster's Service subnet " +
                network_->subnets().serviceSubnet);
}

TEST_F(NetworkTest, TwoNetworksInOneProcessGetDifferentSlots) {
  setUpNetwork();
  const std::string otherDir = makeTempDir();
  auto otherRecords = Records::open(otherDir);
  ASSERT_TRUE(otherRecords.ok());
  NetworkOptions options;
  options.dataDir = otherDir;
  auto other = Network::setUp(options, **otherRecords);
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_NE((*other)->subnets().slot, network_->subnets().slot);
  EXPECT_TRUE(linkExists(network_->subnets().bridge));  // the second did not reclaim the first's
  ASSERT_TRUE((*other)->tearDown().ok());
  std::filesystem::remove_all(otherDir);
}

TEST_F(NetworkTest, TwoProcessesGetDifferentSlots) {
  int toParent[2];
  int toChild[2];
  ASSERT_EQ(::pipe(toParent), 0);
  ASSERT_EQ(::pipe(toChild), 0);
  const std::string childDir = makeTempDir();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child holds a slot until the parent closes its pipe.
    ::close(toChild[1]);
    ::close(toParent[0]);
    auto records = Records::open(childDir);
    NetworkOptions options;
    options.dataDir = childDir;
    auto network = records.ok() ? Network::setUp(options, **records)
                                : Result<std::unique_ptr<Network>>(records.error());
    int slot = network.ok() ? (*network)->subnets().slot : -1;
    (void)::write(toParent[1], &slot, sizeof slot);
    char c;
    (void)::read(toChild[0], &c, 1);
    if (network.ok()) {
      (void)(*network)->tearDown();
    }
    ::_exit(0);
  }
  ::close(toParent[1]);
  ::close(toChild[0]);
  int childSlot = -1;
  ASSERT_EQ(::read(toParent[0], &childSlot, sizeof childSlot),
            static_cast<ssize_t>(sizeof childSlot));
  ASSERT_GE(childSlot, 0);
  setUpNetwork();
  EXPECT_NE(network_->subnets().slot, childSlot);
  ::close(toChild[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(status, 0);
  expectSlotClean(childSlot);
  ::close(toParent[0]);
  std::filesystem::remove_all(childDir);
}

TEST_F(NetworkTest, ADeadClustersSlotIsCleanedByNameAndReused) {
  setUpNetwork();
  auto pod = network_->addPod(kUidA);
  ASSERT_TRUE(pod.ok()) << pod.error().message;
  const int slot = network_->subnets().slot;
  // Leftovers no record knows of (as after a crash between two writes).
  ASSERT_TRUE(runIp({"netns", "add", "mol" + std::to_string(slot) + "-ffffffffffff"}).ok());
  network_.reset();  // releases the slot, leaves the machine as it is

  setUpNetwork();  // the same DIR: its remembered slot
  // Unless a parallel test's cluster took the free slot first: then it removed the leftovers.
  EXPECT_FALSE(netnsExists(pod->netns));
  EXPECT_FALSE(netnsExists("mol" + std::to_string(slot) + "-ffffffffffff"));
  if (network_->subnets().slot == slot) {
    EXPECT_FALSE(linkExists(pod->hostVeth));
    auto again = network_->addPod(kUidA, pod->ip);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->ip, pod->ip);
  }
}

TEST_F(NetworkTest, CleanUpRemovesWhatRecordsName) {
  setUpNetwork();
  ASSERT_TRUE(network_->addPod(kUidA).ok());
  ASSERT_TRUE(
      network_->addServiceIp("198.19." + std::to_string(network_->subnets().slot) + ".5").ok());
  const int slot = network_->subnets().slot;
  // While the slot is held, cleanUp leaves the network alone and says so.
  auto held = cleanUp(*records_);
  ASSERT_FALSE(held.ok());
  EXPECT_NE(held.error().message.find("link mol" + std::to_string(slot) + ": slot " +
                                      std::to_string(slot) +
                                      " is held by a Network of this process (tear it down first)"),
            std::string::npos)
      << held.error().message;
  network_.reset();
  auto r = cleanUp(*records_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  expectSlotClean(slot);
  EXPECT_TRUE(records_->all().empty());
}

}  // namespace
}  // namespace mysqlop::local::node::it

namespace mysqlop::local::node::it {
namespace {

// After a crash another cluster may take the slot (removing our leftovers by name first): cleanUp
// of the dead cluster's records must then leave the new holder's links alone and forget its own.
TEST_F(NetworkTest, CleanUpLeavesASlotAnotherProcessHoldsAlone) {
  int toParent[2];
  int toChild[2];
  ASSERT_EQ(::pipe(toParent), 0);
  ASSERT_EQ(::pipe(toChild), 0);
  const std::string childDir = makeTempDir();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(toChild[1]);
    ::close(toParent[0]);
    auto records = Records::open(childDir);
    NetworkOptions options;
    options.dataDir = childDir;
    auto network = records.ok() ? Network::setUp(options, **records)
                                : Result<std::unique_ptr<Network>>(records.error());
    int slot = network.ok() ? (*network)->subnets().slot : -1;
    (void)::write(toParent[1], &slot, sizeof slot);
    char c;
    (void)::read(toChild[0], &c, 1);
    if (network.ok()) {
      (void)(*network)->tearDown();
    }
    ::_exit(0);
  }
  ::close(toParent[1]);
  ::close(toChild[0]);
  int slot = -1;
  ASSERT_EQ(::read(toParent[0], &slot, sizeof slot), static_cast<ssize_t>(sizeof slot));
  ::close(toParent[0]);
  ASSERT_GE(slot, 0);
  const std::string n = std::to_string(slot);
  // What a crashed cluster of the same slot would have recorded.
  ASSERT_TRUE(records_->add({"slot", "slot", n + " /run/mysqlop-local"}).ok());
  ASSERT_TRUE(records_->add({"link", "mol" + n, ""}).ok());
  ASSERT_TRUE(records_->add({"netns", "mol" + n + "-000000000000", ""}).ok());
  auto r = cleanUp(*records_);
  EXPECT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(records_->all().empty());
  EXPECT_TRUE(linkExists("mol" + n));  // the holder's bridge
  ::close(toChild[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(status, 0);
  std::filesystem::remove_all(childDir);
}

}  // namespace
}  // namespace mysqlop::local::node::it
