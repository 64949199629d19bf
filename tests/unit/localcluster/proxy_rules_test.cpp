// The Service proxy's pure rules (ports, backends, round robin) and its socket helpers on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "localcluster/proxy/proxy_rules.h"
#include "localcluster/proxy/tcp.h"

namespace mysqlop::local::proxy {
namespace {

using nlohmann::json;

json service(const json& spec) {
  return {{"metadata", {{"name", "api"}, {"namespace", "db"}}}, {"spec", spec}};
}

TEST(ProxyRules, ProxiedPortsAreTheTcpPortsOfAClusterIp) {
  json s = service({{"clusterIP", "198.19.0.9"},
                    {"ports",
                     {{{"name", "mysql"}, {"port", 3306}, {"protocol", "TCP"}},
                      {{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}},
                      {{"name", "admin"}, {"port", 33062}}}}});  // protocol defaults to TCP
  EXPECT_EQ(proxiedPorts(s), (std::vector<ServicePort>{{"db/api", "mysql", "198.19.0.9", 3306},
                                                       {"db/api", "admin", "198.19.0.9", 33062}}));
  EXPECT_EQ(proxiedPorts(s)[0].listenKey(), "198.19.0.9:3306");
}

TEST(ProxyRules, NoPortsWithoutAClusterIp) {
  json ports = {{{"port", 80}}};
  EXPECT_TRUE(proxiedPorts(service({{"clusterIP", "None"}, {"ports", ports}})).empty());
  EXPECT_TRUE(proxiedPorts(service({{"ports", ports}})).empty());
  EXPECT_TRUE(
      proxiedPorts(
          service({{"type", "ExternalName"}, {"clusterIP", "198.19.0.9"}, {"ports", ports}}))
          .empty());
  EXPECT_TRUE(proxiedPorts(json::object()).empty());
}

json slice(const std::string& svc, const json& endpoints, const json& ports) {
  return {{"metadata",
           {{"name", svc + "-x"},
            {"namespace", "db"},
            {"labels", {{"kubernetes.io/service-name", svc}}}}},
          {"addressType", "IPv4"},
          {"endpoints", endpoints},
          {"ports", ports}};
}

TEST(ProxyRules, SliceView) {
  json s = slice("api",
                 {{{"addresses", {"198.18.0.5"}}, {"conditions", {{"ready", true}}}},
                  {{"addresses", {"198.18.0.6"}}, {"conditions", {{"ready", false}}}}},
                 {{{"name", "mysql"}, {"port", 13306}, {"protocol", "TCP"}},
                  {{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}}});
  SliceView v = sliceView(s);
  EXPECT_EQ(v.serviceKey, "db/api");
  EXPECT_EQ(v.readyIps, std::vector<std::string>{"198.18.0.5"});
  EXPECT_EQ(v.ports, (std::map<std::string, int>{{"mysql", 13306}}));
  EXPECT_EQ(sliceView(json{{"metadata", {{"name", "x"}, {"namespace", "db"}}}}).serviceKey, "");
}

TEST(ProxyRules, BackendsResolveThePortPerSliceByName) {
  SliceView a{"db/api", {"198.18.0.6", "198.18.0.5"}, {{"mysql", 13306}}};
  SliceView b{"db/api", {"198.18.0.7", "198.18.0.5"}, {{"mysql", 23306}, {"admin", 33062}}};
  SliceView dup{"db/api", {"198.18.0.5"}, {{"mysql", 13306}}};
  EXPECT_EQ(backendsFor("mysql", {&a, &b, &dup}), (std::vector<Backend>{{"198.18.0.5", 13306},
                                                                        {"198.18.0.5", 23306},
                                                                        {"198.18.0.6", 13306},
                                                                        {"198.18.0.7", 23306}}));
  EXPECT_EQ(backendsFor("admin", {&a, &b}),
            (std::vector<Backend>{{"198.18.0.5", 33062}, {"198.18.0.7", 33062}}));
  EXPECT_TRUE(backendsFor("other", {&a, &b}).empty());
}

TEST(ProxyRules, RoundRobinRotatesPerKeyAndFallsBackToTheRest) {
  RoundRobin rr;
  std::vector<Backend> three = {{"a", 1}, {"b", 1}, {"c", 1}};
  EXPECT_EQ(rr.next("k", three), (std::vector<Backend>{{"a", 1}, {"b", 1}, {"c", 1}}));
  EXPECT_EQ(rr.next("k", three), (std::vector<Backend>{{"b", 1}, {"c", 1}, {"a", 1}}));
  EXPECT_EQ(rr.next("other", three)[0], (Backend{"a", 1}));
  EXPECT_EQ(rr.next("k", three)[0], (Backend{"c", 1}));
  EXPECT_EQ(rr.next("k", three)[0], (Backend{"a", 1}));
  // Fewer backends than the cursor: it wraps instead of skipping anything.
  EXPECT_EQ(rr.next("k", {{"z", 1}}), (std::vector<Backend>{{"z", 1}}));
  EXPECT_TRUE(rr.next("k", {}).empty());
}

int boundPort(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

TEST(ProxyTcp, ListenAndConnectFailuresNameTheAddress) {
  EXPECT_EQ(listenOn("300.1.1.1", 80).error().message,
            "not an IPv4 address and port: 300.1.1.1:80");
  EXPECT_EQ(listenOn("127.0.0.1", 0).error().message, "not an IPv4 address and port: 127.0.0.1:0");

  // A port of ours that nobody listens on: bound, not listening.
  int held = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(held, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  int port = boundPort(held);
  auto refused = connectWithin("127.0.0.1", port, std::chrono::seconds(5), -1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");

  ::close(held);
  auto l = listenOn("127.0.0.1", port);
  ASSERT_TRUE(l.ok()) << l.error().message;
  auto again = listenOn("127.0.0.1", port);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message,
            "cannot listen on 127.0.0.1:" + std::to_string(port) + ": Address already in use");
  ::close(l.value());
}

// A listener whose accept queue is full drops further SYNs: a connect to it gets no answer.
TEST(ProxyTcp, ConnectGivesUpAtItsDeadlineOrWhenStopping) {
  int l = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(l, 0), 0);
  int port = boundPort(l);
  // Fill the queue (backlog 0 holds one; a second may fit): connects that are never accepted.
  std::vector<int> queued;
  for (int i = 0; i < 2; ++i) {
    auto c = connectWithin("127.0.0.1", port, std::chrono::milliseconds(300), -1);
    if (c.ok()) {
      queued.push_back(c.value());
    }
  }
  auto r = connectWithin("127.0.0.1", port, std::chrono::milliseconds(300), -1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "cannot connect to 127.0.0.1:" + std::to_string(port) + ": no answer within 300 ms");
  EXPECT_EQ(r.code(), Errc::Timeout);

  int stop = ::eventfd(1, EFD_CLOEXEC);  // already readable: the proxy is stopping
  auto stopped = connectWithin("127.0.0.1", port, std::chrono::seconds(30), stop);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().message,
            "cannot connect to 127.0.0.1:" + std::to_string(port) + ": the proxy is stopping");
  ::close(stop);
  for (int fd : queued) {
    ::close(fd);
  }
  ::close(l);
}

}  // namespace
}  // namespace mysqlop::local::proxy
