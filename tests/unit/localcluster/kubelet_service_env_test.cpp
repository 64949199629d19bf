#include <gtest/gtest.h>

#include "localcluster/kubelet/container_plan.h"

namespace mysqlop::local::kubelet {
namespace {

using Env = std::map<std::string, std::string>;

nlohmann::json service(const std::string& ns, const std::string& name, const std::string& ip,
                       nlohmann::json ports) {
  return {{"metadata", {{"namespace", ns}, {"name", name}}},
          {"spec", {{"clusterIP", ip}, {"ports", std::move(ports)}}}};
}

nlohmann::json podIn(const std::string& ns) {
  return {{"metadata", {{"namespace", ns}, {"name", "p"}}}, {"spec", nlohmann::json::object()}};
}

const nlohmann::json kKubernetes =
    service("default", "kubernetes", "198.19.0.1",
            nlohmann::json::parse(R"([{"name": "https", "port": 443, "protocol": "TCP"}])"));

TEST(ServiceEnv, KubernetesServiceAsTheKubeletWritesIt) {
  EXPECT_EQ(serviceEnv(podIn("shop"), {kKubernetes}),
            (Env{{"KUBERNETES_SERVICE_HOST", "198.19.0.1"},
                 {"KUBERNETES_SERVICE_PORT", "443"},
                 {"KUBERNETES_SERVICE_PORT_HTTPS", "443"},
                 {"KUBERNETES_PORT", "tcp://198.19.0.1:443"},
                 {"KUBERNETES_PORT_443_TCP", "tcp://198.19.0.1:443"},
                 {"KUBERNETES_PORT_443_TCP_PROTO", "tcp"},
                 {"KUBERNETES_PORT_443_TCP_PORT", "443"},
                 {"KUBERNETES_PORT_443_TCP_ADDR", "198.19.0.1"}}));
}

TEST(ServiceEnv, ServicesOfThePodsNamespaceWithClusterIps) {
  auto env = serviceEnv(
      podIn("shop"),
      {kKubernetes, service("shop", "my-db", "198.19.0.7", nlohmann::json::parse(R"([
           {"port": 3306}, {"name": "metrics-port", "port": 9104, "protocol": "UDP"}])")),
       service("shop", "headless", "None", nlohmann::json::parse(R"([{"port": 3306}])")),
       service("other", "elsewhere", "198.19.0.8", nlohmann::json::parse(R"([{"port": 80}])"))});
  EXPECT_EQ(env.at("MY_DB_SERVICE_HOST"), "198.19.0.7");
  EXPECT_EQ(env.at("MY_DB_SERVICE_PORT"), "3306");
  EXPECT_EQ(env.at("MY_DB_SERVICE_PORT_METRICS_PORT"), "9104");
  EXPECT_EQ(env.at("MY_DB_PORT"), "tcp://198.19.0.7:3306");
  EXPECT_EQ(env.at("MY_DB_PORT_3306_TCP_ADDR"), "198.19.0.7");
  EXPECT_EQ(env.at("MY_DB_PORT_9104_UDP"), "udp://198.19.0.7:9104");
  EXPECT_EQ(env.at("MY_DB_PORT_9104_UDP_PROTO"), "udp");
  EXPECT_EQ(env.count("HEADLESS_SERVICE_HOST"), 0u);
  EXPECT_EQ(env.count("ELSEWHERE_SERVICE_HOST"), 0u);
  EXPECT_EQ(env.at("KUBERNETES_SERVICE_HOST"), "198.19.0.1");
}

TEST(ServiceEnv, ServiceLinksOffKeepsOnlyKubernetes) {
  auto pod = podIn("shop");
  pod["spec"]["enableServiceLinks"] = false;
  auto env = serviceEnv(
      pod, {service("shop", "db", "198.19.0.7", nlohmann::json::parse(R"([{"port": 3306}])")),
            kKubernetes});
  EXPECT_EQ(env.count("DB_SERVICE_HOST"), 0u);
  EXPECT_EQ(env.at("KUBERNETES_SERVICE_HOST"), "198.19.0.1");
}

TEST(ServiceEnv, ANamespacesOwnKubernetesServiceWins) {
  auto env =
      serviceEnv(podIn("shop"), {kKubernetes, service("shop", "kubernetes", "198.19.0.9",
                                                      nlohmann::json::parse(R"([{"port": 80}])"))});
  EXPECT_EQ(env.at("KUBERNETES_SERVICE_HOST"), "198.19.0.9");
  EXPECT_EQ(env.at("KUBERNETES_PORT"), "tcp://198.19.0.9:80");
}

TEST(ServiceEnv, Ipv6AddressesAreBracketed) {
  auto env =
      serviceEnv(podIn("default"),
                 {service("default", "v6", "fd00::1", nlohmann::json::parse(R"([{"port": 80}])"))});
  EXPECT_EQ(env.at("V6_PORT"), "tcp://[fd00::1]:80");
  EXPECT_EQ(env.at("V6_SERVICE_HOST"), "fd00::1");
}

TEST(ServiceEnv, FeedsExpansionOfContainerEnv) {
  Lookups lookups;
  lookups.serviceEnv = serviceEnv(podIn("shop"), {kKubernetes});
  const auto container = nlohmann::json::parse(R"j({"name": "c", "env": [
      {"name": "API", "value": "https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)"}]})j");
  auto env = resolveEnv(podIn("shop"), container, ImageProfile{}, lookups);
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->at("API"), "https://198.19.0.1:443");
  EXPECT_EQ(env->at("KUBERNETES_PORT_443_TCP_PORT"), "443");
}

}  // namespace
}  // namespace mysqlop::local::kubelet
