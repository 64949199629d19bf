// The pure half of the NameService: exact hosts and resolv.conf text, and reading the objects.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "localcluster/proxy/hosts_render.h"

namespace mysqlop::local::names {
namespace {

using nlohmann::json;

const std::string kHeader =
    "# Kubernetes-managed hosts file.\n"
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "fe00::0\tip6-mcastprefix\n"
    "fe00::1\tip6-allnodes\n"
    "fe00::2\tip6-allrouters\n";

PodNames pod(const std::string& subdomain = "") {
  return PodNames{"db", "mysql-0", "mysql-0", subdomain, "198.18.0.5", {}};
}

TEST(NamesRender, PodWithoutSubdomainAndNoServices) {
  EXPECT_EQ(renderHosts(pod(), {}, "cluster.local"), kHeader + "198.18.0.5\tmysql-0\n");
}

TEST(NamesRender, PodWithSubdomainGetsItsFullName) {
  EXPECT_EQ(renderHosts(pod("mysql"), {}, "cluster.local"),
            kHeader + "198.18.0.5\tmysql-0.mysql.db.svc.cluster.local\tmysql-0\n");
}

TEST(NamesRender, ClusterDomainIsUsedEverywhere) {
  ClusterNames c;
  c.services = {{"db", "api", "198.19.0.9", false}};
  EXPECT_EQ(renderHosts(pod("mysql"), c, "example.test"),
            kHeader + "198.18.0.5\tmysql-0.mysql.db.svc.example.test\tmysql-0\n" +
                "\n# Services (cluster DNS of the local cluster).\n"
                "198.19.0.9\tapi.db.svc.example.test\tapi.db.svc\tapi.db\tapi\n");
}

TEST(NamesRender, ServicesSortedAndShortNameOnlyInOwnNamespace) {
  ClusterNames c;
  c.services = {{"default", "kubernetes", "198.19.0.1", false},
                {"db", "mysql-primary", "198.19.0.20", false},
                {"db", "api", "198.19.0.9", false}};
  EXPECT_EQ(renderHosts(pod(), c, "cluster.local"),
            kHeader + "198.18.0.5\tmysql-0\n" +
                "\n# Services (cluster DNS of the local cluster).\n"
                "198.19.0.9\tapi.db.svc.cluster.local\tapi.db.svc\tapi.db\tapi\n"
                "198.19.0.20\tmysql-primary.db.svc.cluster.local\tmysql-primary.db.svc\t"
                "mysql-primary.db\tmysql-primary\n"
                "198.19.0.1\tkubernetes.default.svc.cluster.local\tkubernetes.default.svc\t"
                "kubernetes.default\n");
}

TEST(NamesRender, HeadlessServiceListsReadyAddressesWithHostnames) {
  ClusterNames c;
  c.services = {{"db", "mysql", "", true}, {"other", "peers", "", true}};
  c.endpoints["db/mysql"] = {{"198.18.0.7", "mysql-1"},
                             {"198.18.0.5", "mysql-0"},
                             {"198.18.0.5", "mysql-0"}};  // duplicate from a second slice
  c.endpoints["other/peers"] = {{"198.18.0.30", ""}};
  EXPECT_EQ(renderHosts(pod("mysql"), c, "cluster.local"),
            kHeader + "198.18.0.5\tmysql-0.mysql.db.svc.cluster.local\tmysql-0\n" +
                "\n# Services (cluster DNS of the local cluster).\n"
                "198.18.0.5\tmysql-0.mysql.db.svc.cluster.local\tmysql-0.mysql.db.svc\t"
                "mysql-0.mysql.db\tmysql-0.mysql\t"
                "mysql.db.svc.cluster.local\tmysql.db.svc\tmysql.db\tmysql\n"
                "198.18.0.7\tmysql-1.mysql.db.svc.cluster.local\tmysql-1.mysql.db.svc\t"
                "mysql-1.mysql.db\tmysql-1.mysql\t"
                "mysql.db.svc.cluster.local\tmysql.db.svc\tmysql.db\tmysql\n"
                "198.18.0.30\tpeers.other.svc.cluster.local\tpeers.other.svc\tpeers.other\n");
}

TEST(NamesRender, HeadlessServiceWithoutEndpointsHasNoLine) {
  ClusterNames c;
  c.services = {{"db", "mysql", "", true}};
  EXPECT_EQ(
      renderHosts(pod(), c, "cluster.local"),
      kHeader + "198.18.0.5\tmysql-0\n" + "\n# Services (cluster DNS of the local cluster).\n");
}

TEST(NamesRender, HostAliasesAsTheKubeletWritesThem) {
  PodNames p = pod();
  p.hostAliases = {{"198.18.0.99", {"foo.local", "bar.local"}}};
  EXPECT_EQ(renderHosts(p, {}, "cluster.local"),
            kHeader + "198.18.0.5\tmysql-0\n" +
                "\n# Entries added by HostAliases.\n198.18.0.99\tfoo.local\tbar.local\n");
}

TEST(NamesRender, OrderDoesNotDependOnInputOrder) {
  ClusterNames a;
  a.services = {
      {"db", "b", "198.19.0.2", false}, {"db", "a", "198.19.0.1", false}, {"db", "h", "", true}};
  a.endpoints["db/h"] = {{"198.18.0.9", ""}, {"198.18.0.8", "x"}};
  ClusterNames b;
  b.services = {a.services[2], a.services[1], a.services[0]};
  b.endpoints["db/h"] = {{"198.18.0.8", "x"}, {"198.18.0.9", ""}};
  EXPECT_EQ(renderHosts(pod(), a, "cluster.local"), renderHosts(pod(), b, "cluster.local"));
}

TEST(NamesRender, ResolvConf) {
  EXPECT_EQ(renderResolvConf("db", "cluster.local"),
            "search db.svc.cluster.local svc.cluster.local cluster.local\n"
            "nameserver 127.0.0.1\n"
            "options ndots:5\n");
}

json podJson() {
  return {{"metadata", {{"name", "mysql-0"}, {"namespace", "db"}, {"uid", "u1"}}},
          {"spec", {{"hostname", "h0"}, {"subdomain", "mysql"}}},
          {"status", {{"podIP", "198.18.0.5"}}}};
}

TEST(NamesParse, PodNamesFromObject) {
  auto p = podNamesFrom(podJson(), "");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p.value(), (PodNames{"db", "mysql-0", "h0", "mysql", "198.18.0.5", {}}));
}

TEST(NamesParse, GivenIpWinsAndNameIsTheDefaultHostname) {
  json j = podJson();
  j["spec"].erase("hostname");
  auto p = podNamesFrom(j, "198.18.0.77");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->ip, "198.18.0.77");
  EXPECT_EQ(p->hostname, "mysql-0");
}

TEST(NamesParse, LongHostnameTruncatedAsTheKubeletDoes) {
  json j = podJson();
  j["spec"]["hostname"] = std::string(62, 'a') + "-b";  // 64 chars: cut to 63, trailing '-' trimmed
  auto p = podNamesFrom(j, "");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->hostname, std::string(62, 'a'));
}

TEST(NamesParse, HostAliases) {
  json j = podJson();
  j["spec"]["hostAliases"] = json::array({{{"ip", "198.18.0.99"}, {"hostnames", {"a", "b"}}}});
  auto p = podNamesFrom(j, "");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->hostAliases.size(), 1u);
  EXPECT_EQ(p->hostAliases[0], (HostAlias{"198.18.0.99", {"a", "b"}}));
}

TEST(NamesParse, BadPods) {
  json noName = podJson();
  noName["metadata"].erase("name");
  EXPECT_EQ(podNamesFrom(noName, "").error().message, "pod has no metadata.name");
  EXPECT_EQ(podNamesFrom(noName, "").code(), Errc::Invalid);

  json noNs = podJson();
  noNs["metadata"].erase("namespace");
  EXPECT_EQ(podNamesFrom(noNs, "").error().message, "pod mysql-0 has no metadata.namespace");

  json noIp = podJson();
  noIp.erase("status");
  EXPECT_EQ(podNamesFrom(noIp, "").error().message,
            "pod db/mysql-0 has no IP (status.podIP is empty and none was given)");

  json badAliases = podJson();
  badAliases["spec"]["hostAliases"] = "x";
  EXPECT_EQ(podNamesFrom(badAliases, "").error().message,
            "pod db/mysql-0: spec.hostAliases is not a list");

  json aliasNoIp = podJson();
  aliasNoIp["spec"]["hostAliases"] = json::array({{{"hostnames", {"a"}}}});
  EXPECT_EQ(podNamesFrom(aliasNoIp, "").error().message,
            "pod db/mysql-0: spec.hostAliases[0].ip is missing");

  EXPECT_EQ(podNamesFrom(json::array(), "").error().message, "pod has no metadata.name");
}

json service(const json& spec) {
  return {{"metadata", {{"name", "api"}, {"namespace", "db"}}}, {"spec", spec}};
}

TEST(NamesParse, Services) {
  EXPECT_EQ(serviceNamesFrom(service({{"clusterIP", "198.19.0.9"}})),
            (ServiceNames{"db", "api", "198.19.0.9", false}));
  EXPECT_EQ(serviceNamesFrom(service({{"clusterIP", "None"}})),
            (ServiceNames{"db", "api", "", true}));
  EXPECT_EQ(serviceNamesFrom(service(json::object())), std::nullopt);
  EXPECT_EQ(serviceNamesFrom(service({{"type", "ExternalName"}, {"externalName", "x.example"}})),
            std::nullopt);
  EXPECT_EQ(serviceNamesFrom(json::object()), std::nullopt);
}

TEST(NamesParse, SliceAddresses) {
  json slice = {
      {"metadata", {{"name", "mysql-abc"}, {"labels", {{"kubernetes.io/service-name", "mysql"}}}}},
      {"addressType", "IPv4"},
      {"endpoints",
       {{{"addresses", {"198.18.0.5"}}, {"hostname", "mysql-0"}, {"conditions", {{"ready", true}}}},
        {{"addresses", {"198.18.0.6"}},
         {"hostname", "mysql-1"},
         {"conditions", {{"ready", false}}}},
        {{"addresses", {"198.18.0.7"}}}}}};  // no conditions: ready, as the API documents
  EXPECT_EQ(sliceServiceName(slice), "mysql");
  EXPECT_EQ(readyAddressesFrom(slice),
            (std::vector<EndpointAddress>{{"198.18.0.5", "mysql-0"}, {"198.18.0.7", ""}}));

  json v6 = slice;
  v6["addressType"] = "IPv6";
  EXPECT_TRUE(readyAddressesFrom(v6).empty());
  EXPECT_EQ(sliceServiceName(json{{"metadata", {{"name", "x"}}}}), "");
}

}  // namespace
}  // namespace mysqlop::local::names
