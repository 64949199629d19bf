// Service ClusterIPs from the Service CIDR, the kubernetes Service, and the serving certificate's
// extra SANs (an ApiServer / HttpFront in this process, clients over LocalTransport).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/kube/client.h"
#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/http_server.h"
#include "localcluster/apiserver/local_transport.h"
#include "localcluster/apiserver/tls.h"

namespace mysqlop::local {
namespace {

using nlohmann::json;
namespace res = kube::resources;

std::filesystem::path freshDir(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() /
             ("service-ips-" + std::to_string(::getpid()) + "-" + tag + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json service(const std::string& name, const json& spec = {{"ports", {{{"port", 80}}}}}) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec", spec}};
}

// A server on one data dir that can be reopened (a restart) with other options.
class ServiceIpTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = freshDir("data"); }
  void TearDown() override {
    close();
    std::filesystem::remove_all(dir_);
  }

  void open(const std::string& cidr) {
    close();
    server_ = std::make_unique<ApiServer>();
    ApiServer::Options o;
    o.dataDir = dir_.string();
    o.serviceCidr = cidr;
    auto r = server_->open(o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    client_ = std::make_unique<kube::Client>(std::make_shared<LocalTransport>(*server_));
  }
  void close() {
    client_.reset();
    if (server_) {
      server_->shutdown();
      server_->store().close();
      server_.reset();
    }
  }

  // The ClusterIP given to a new Service, or the failure's message prefixed with "error: ".
  std::string create(const std::string& name, const json& spec = {{"ports", {{{"port", 80}}}}}) {
    auto r = client_->create(res::kServices, service(name, spec));
    if (!r.ok()) {
      return "error: " + r.error().message;
    }
    return (*r)["spec"].value("clusterIP", "<none>");
  }

  std::filesystem::path dir_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<kube::Client> client_;
};

TEST(ServiceCidrTest, BadCidrsAreRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "service CIDR \"\" is not an IPv4 CIDR such as 198.19.0.0/16"},
      {"abc", "service CIDR \"abc\" is not an IPv4 CIDR such as 198.19.0.0/16"},
      {"198.19.0.0", "service CIDR \"198.19.0.0\" is not an IPv4 CIDR such as 198.19.0.0/16"},
      {"198.19.0.0/33", "service CIDR \"198.19.0.0/33\" is not an IPv4 CIDR such as 198.19.0.0/16"},
      {"198.19.0.256/24",
       "service CIDR \"198.19.0.256/24\" is not an IPv4 CIDR such as 198.19.0.0/16"},
      {"fd00::/108", "service CIDR \"fd00::/108\" is not an IPv4 CIDR such as 198.19.0.0/16"},
      {"198.19.0.5/16",
       "service CIDR \"198.19.0.5/16\" has host bits set; the network is 198.19.0.0/16"},
      {"10.0.0.0/8", "service CIDR \"10.0.0.0/8\" is too large: the prefix must be /12 or longer"},
      {"198.19.0.0/31",
       "service CIDR \"198.19.0.0/31\" is too small: the prefix must be /30 or shorter"},
      {"10.96.0.0/12",
       "service CIDR \"10.96.0.0/12\" is outside 198.18.0.0/15, the range the local cluster may "
       "use (it is reserved for network tests)"},
      {"198.16.0.0/14",
       "service CIDR \"198.16.0.0/14\" is outside 198.18.0.0/15, the range the local cluster may "
       "use (it is reserved for network tests)"},
  };
  for (const auto& [cidr, message] : cases) {
    ApiServer server;
    ApiServer::Options o;
    o.dataDir = freshDir("bad").string();
    o.serviceCidr = cidr;
    auto r = server.open(o);
    ASSERT_FALSE(r.ok()) << cidr;
    EXPECT_EQ(r.error().message, message);
    EXPECT_TRUE(r.is(Errc::Invalid));
    std::filesystem::remove_all(o.dataDir);
  }
}

TEST_F(ServiceIpTest, AllocatesFreeAddressesOnly) {
  open("198.19.255.0/29");  // .1 kubernetes, .2-.6 usable, .0 and .7 not
  std::set<std::string> given;
  for (int i = 0; i < 5; ++i) {
    given.insert(create("s" + std::to_string(i)));
  }
  EXPECT_EQ(given, (std::set<std::string>{"198.19.255.2", "198.19.255.3", "198.19.255.4",
                                          "198.19.255.5", "198.19.255.6"}));
  EXPECT_EQ(create("full"),
            "error: Internal error occurred: failed to allocate a serviceIP: range is full");
  // Headless and ExternalName Services take no address.
  EXPECT_EQ(create("headless", {{"clusterIP", "None"}, {"ports", {{{"port", 80}}}}}), "None");
  EXPECT_EQ(create("external", {{"type", "ExternalName"}, {"externalName", "db.example"}}),
            "<none>");
  // Released on delete, and given again.
  auto s2 = client_->get(res::kServices, "default", "s2");
  ASSERT_TRUE(s2.ok());
  const std::string freed = (*s2)["spec"]["clusterIP"];
  ASSERT_TRUE(client_->remove(res::kServices, "default", "s2").ok());
  EXPECT_EQ(create("again"), freed);
}

TEST_F(ServiceIpTest, RequestedAddressesMustBeFreeAndInRange) {
  open("198.19.255.0/29");
  EXPECT_EQ(create("a", {{"clusterIP", "198.19.255.5"}, {"ports", {{{"port", 80}}}}}),
            "198.19.255.5");
  // Only clusterIPs given: its first entry is the request.
  EXPECT_EQ(create("b", {{"clusterIPs", {"198.19.255.6"}}, {"ports", {{{"port", 80}}}}}),
            "198.19.255.6");
  auto refused = [&](const std::string& ip, const std::string& why) {
    EXPECT_EQ(create("c", {{"clusterIP", ip}, {"ports", {{{"port", 80}}}}}),
              "error: Service \"c\" is invalid: spec.clusterIPs: Invalid value: []string{\"" + ip +
                  "\"}: failed to allocate IP " + ip + ": " + why);
  };
  refused("198.19.255.5", "provided IP is already allocated");
  refused("198.19.255.1", "provided IP is already allocated");  // the kubernetes Service's
  const std::string range = "The range of valid IPs is 198.19.255.0/29";
  refused("198.19.0.9", "the provided IP (198.19.0.9) is not in the valid range. " + range);
  refused("198.19.255.0", "the provided IP (198.19.255.0) is not in the valid range. " + range);
  refused("198.19.255.7", "the provided IP (198.19.255.7) is not in the valid range. " + range);
  EXPECT_EQ(
      create("c", {{"clusterIP", "abc"}, {"ports", {{{"port", 80}}}}}),
      "error: Service \"c\" is invalid: spec.clusterIPs[0]: Invalid value: \"abc\": must be a "
      "valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
  // Still immutable once given.
  auto patched = client_->patch(res::kServices, "default", "a", kube::PatchType::Merge,
                                R"({"spec":{"clusterIP":"198.19.255.4"}})");
  ASSERT_FALSE(patched.ok());
  EXPECT_EQ(patched.error().message,
            "Service \"a\" is invalid: spec.clusterIP: Invalid value: \"198.19.255.4\": field is "
            "immutable");
}

TEST_F(ServiceIpTest, FailedAndDryRunWritesDoNotKeepTheAddress) {
  open("198.19.255.0/30");  // one usable address: .2
  kube::HttpRequest dry;
  dry.method = "POST";
  dry.target = "/api/v1/namespaces/default/services?dryRun=All";
  dry.body = service("d").dump();
  auto r = LocalTransport(*server_).send(dry);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(json::parse(r->body)["spec"]["clusterIP"], "198.19.255.2");
  EXPECT_EQ(create("s"), "198.19.255.2");
  EXPECT_EQ(create("s2"),
            "error: Internal error occurred: failed to allocate a serviceIP: range is full");
  ASSERT_TRUE(client_->remove(res::kServices, "default", "s").ok());
  // A create refused after the address was handed out (an invalid name) gives it back.
  EXPECT_EQ(create("Bad_Name").rfind("error: Service \"Bad_Name\" is invalid: metadata.name: ", 0),
            0u);
  EXPECT_EQ(create("t"), "198.19.255.2");
  // An ExternalName Service turned into a ClusterIP one gets an address then.
  ASSERT_TRUE(client_->remove(res::kServices, "default", "t").ok());
  create("x", {{"type", "ExternalName"}, {"externalName", "db.example"}});
  auto changed = client_->patch(res::kServices, "default", "x", kube::PatchType::Merge,
                                R"({"spec":{"type":"ClusterIP","externalName":null,
                                    "ports":[{"port":80}]}})");
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_EQ((*changed)["spec"]["clusterIP"], "198.19.255.2");
}

TEST_F(ServiceIpTest, AllocationsSurviveARestart) {
  open("198.19.255.0/29");
  for (int i = 0; i < 5; ++i) {
    create("s" + std::to_string(i));
  }
  open("198.19.255.0/29");
  EXPECT_EQ(create("more"),
            "error: Internal error occurred: failed to allocate a serviceIP: range is full");
  ASSERT_TRUE(client_->remove(res::kServices, "default", "s0").ok());
  EXPECT_NE(create("more").rfind("198.19.255.", 0), std::string::npos);
}

TEST_F(ServiceIpTest, TheKubernetesServiceIsMadeAndRepaired) {
  open("198.19.0.0/16");
  auto k = client_->get(res::kServices, "default", "kubernetes");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ((*k)["spec"]["clusterIP"], "198.19.0.1");
  EXPECT_EQ((*k)["spec"]["clusterIPs"], json::array({"198.19.0.1"}));
  EXPECT_EQ((*k)["spec"]["ports"],
            json::parse(R"([{"name":"https","port":443,"protocol":"TCP","targetPort":6443}])"));
  EXPECT_FALSE((*k)["spec"].contains("selector"));
  EXPECT_EQ((*k)["metadata"]["labels"],
            json({{"component", "apiserver"}, {"provider", "kubernetes"}}));

  // Changed by someone: fixed at the next start.
  ASSERT_TRUE(client_
                  ->patch(res::kServices, "default", "kubernetes", kube::PatchType::Merge,
                          R"({"spec":{"selector":{"a":"b"},"ports":[{"name":"x","port":1}]}})")
                  .ok());
  open("198.19.0.0/16");
  k = client_->get(res::kServices, "default", "kubernetes");
  ASSERT_TRUE(k.ok());
  EXPECT_FALSE((*k)["spec"].contains("selector"));
  EXPECT_EQ((*k)["spec"]["ports"][0]["name"], "https");

  // Deleted: made again.
  ASSERT_TRUE(client_->remove(res::kServices, "default", "kubernetes").ok());
  open("198.19.0.0/16");
  EXPECT_TRUE(client_->get(res::kServices, "default", "kubernetes").ok());

  // Another Service CIDR: the kubernetes Service moves to its first address; others keep theirs.
  const std::string old = create("old");
  open("198.18.200.0/24");
  k = client_->get(res::kServices, "default", "kubernetes");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ((*k)["spec"]["clusterIP"], "198.18.200.1");
  EXPECT_EQ((*client_->get(res::kServices, "default", "old"))["spec"]["clusterIP"], old);
  EXPECT_EQ(create("new").rfind("198.18.200.", 0), 0u);
}

TEST(ServingCertificateTest, ExtraSansAndReissue) {
  const auto dir = freshDir("tls");
  const auto cert = dir / "pki" / "apiserver.crt";
  std::string caBefore;
  {
    HttpFront front;
    HttpFront::Options o;
    o.dataDir = dir.string();
    o.extraSans = {"198.19.0.1", "kubernetes.default.svc.cluster.local", "db.example"};
    auto r = front.start(o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(certificateHasIp(cert.string(), "198.19.0.1"));
    EXPECT_TRUE(certificateHasIp(cert.string(), "127.0.0.1"));
    EXPECT_TRUE(certificateHasDns(cert.string(), "db.example"));
    EXPECT_TRUE(certificateHasDns(cert.string(), "kubernetes.default.svc"));
    EXPECT_FALSE(certificateHasDns(cert.string(), "other.example"));
    caBefore = readFile(dir / "pki" / "ca.crt");
    front.stop();
  }
  const std::string certBefore = readFile(cert);
  {
    // Same SANs: the stored certificate is kept.
    HttpFront front;
    HttpFront::Options o;
    o.dataDir = dir.string();
    o.extraSans = {"db.example"};
    ASSERT_TRUE(front.start(o).ok());
    EXPECT_EQ(readFile(cert), certBefore);
    front.stop();
  }
  {
    // A new SAN: reissued from the same CA.
    HttpFront front;
    HttpFront::Options o;
    o.dataDir = dir.string();
    o.extraSans = {"198.19.0.99", "api.example"};
    ASSERT_TRUE(front.start(o).ok());
    EXPECT_NE(readFile(cert), certBefore);
    EXPECT_EQ(readFile(dir / "pki" / "ca.crt"), caBefore);
    EXPECT_TRUE(certificateHasIp(cert.string(), "198.19.0.99"));
    EXPECT_TRUE(certificateHasDns(cert.string(), "api.example"));
    front.stop();
  }
  for (const std::string bad : {"bad name!", "", "-x.example", "a..b"}) {
    HttpFront front;
    HttpFront::Options o;
    o.dataDir = dir.string();
    o.extraSans = {bad};
    auto r = front.start(o);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message,
              "certificate SAN \"" + bad + "\" is neither an IP address nor a DNS name");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mysqlop::local
