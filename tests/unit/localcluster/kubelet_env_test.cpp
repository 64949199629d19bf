#include <gtest/gtest.h>

#include "kubelet_objects.h"
#include "localcluster/kubelet/container_plan.h"
#include "plugins/common/kube/quantity.h"

namespace mysqlop::local::kubelet {
namespace {

using testing::Objects;
using testing::testPod;
using Env = std::map<std::string, std::string>;

ImageProfile profileWithEnv(std::vector<std::pair<std::string, std::string>> env) {
  ImageProfile p;
  p.images = {"x"};
  p.env = std::move(env);
  return p;
}

class ResolveEnv : public ::testing::Test {
 protected:
  Result<Env> resolve(const nlohmann::json& env, const nlohmann::json& envFrom = nullptr,
                      const ImageProfile& profile = profileWithEnv({})) {
    nlohmann::json container = pod_["spec"]["containers"][0];
    if (!env.is_null()) {
      container["env"] = env;
    }
    if (!envFrom.is_null()) {
      container["envFrom"] = envFrom;
    }
    return resolveEnv(pod_, container, profile, lookups_);
  }
  std::string error(const nlohmann::json& env, const nlohmann::json& envFrom = nullptr) {
    auto r = resolve(env, envFrom);
    return r ? "resolved" : r.error().message;
  }

  Objects objects_;
  Lookups lookups_ = objects_.lookups();
  nlohmann::json pod_ = testPod();
};

TEST_F(ResolveEnv, ProfileEnvIsTheBaseAndContainerEnvReplacesIt) {
  auto env = resolve(nlohmann::json::parse(R"([{"name": "PATH", "value": "/opt/bin"},
                                               {"name": "A", "value": "1"}])"),
                     nullptr, profileWithEnv({{"PATH", "/bin"}, {"LANG", "C.UTF-8"}}));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(*env, (Env{{"PATH", "/opt/bin"}, {"LANG", "C.UTF-8"}, {"A", "1"}}));
}

TEST_F(ResolveEnv, ValuesExpandEarlierVariablesOnly) {
  lookups_.serviceEnv = {{"KUBERNETES_SERVICE_HOST", "198.19.0.1"}};
  auto env = resolve(nlohmann::json::parse(R"j([
      {"name": "HOST", "value": "db"},
      {"name": "URL", "value": "mysql://$(HOST):$(PORT)/$(LANG)"},
      {"name": "PORT", "value": "3306"},
      {"name": "ESCAPED", "value": "$$(HOST)"},
      {"name": "SVC", "value": "$(KUBERNETES_SERVICE_HOST)"},
      {"name": "EMPTY", "value": ""},
      {"name": "AGAIN", "value": "$(HOST)"},
      {"name": "HOST", "value": "db2"}])j"),
                     nullptr, profileWithEnv({{"LANG", "C"}}));
  ASSERT_TRUE(env) << env.error().message;
  // PORT comes later and LANG is the image's: both stay verbatim, as the kubelet leaves them.
  EXPECT_EQ(env->at("URL"), "mysql://db:$(PORT)/$(LANG)");
  EXPECT_EQ(env->at("ESCAPED"), "$(HOST)");
  EXPECT_EQ(env->at("SVC"), "198.19.0.1");
  EXPECT_EQ(env->at("EMPTY"), "");
  EXPECT_EQ(env->at("AGAIN"), "db");
  EXPECT_EQ(env->at("HOST"), "db2");  // the last of a repeated name wins
  EXPECT_EQ(env->at("KUBERNETES_SERVICE_HOST"), "198.19.0.1");
}

TEST_F(ResolveEnv, ContainerEnvWinsOverServiceEnv) {
  lookups_.serviceEnv = {{"KUBERNETES_SERVICE_HOST", "198.19.0.1"},
                         {"KUBERNETES_SERVICE_PORT", "443"}};
  auto env =
      resolve(nlohmann::json::parse(R"([{"name": "KUBERNETES_SERVICE_PORT", "value": "8443"}])"));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->at("KUBERNETES_SERVICE_PORT"), "8443");
  EXPECT_EQ(env->at("KUBERNETES_SERVICE_HOST"), "198.19.0.1");
}

TEST_F(ResolveEnv, EnvFromWithPrefixThenEnvOverrides) {
  objects_.configMap("shop", "cfg",
                     {{"MODE", "fast"}, {"LEVEL", "3"}, {"1bad", "x"}, {"a.b-c", "ok"}},
                     {{"BIN", "binary"}});
  objects_.secret("shop", "creds", {{"PASSWORD", "s3cret"}, {"bad key", "x"}});
  auto env = resolve(nlohmann::json::parse(R"j([{"name": "LEVEL", "value": "9:$(CFG_MODE)"}])j"),
                     nlohmann::json::parse(R"([
                       {"configMapRef": {"name": "cfg"}, "prefix": "CFG_"},
                       {"secretRef": {"name": "creds"}},
                       {"configMapRef": {"name": "cfg"}}])"));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->at("CFG_MODE"), "fast");
  EXPECT_EQ(env->at("CFG_1bad"), "x");  // the prefix makes it a valid name
  EXPECT_EQ(env->at("MODE"), "fast");
  EXPECT_EQ(env->at("LEVEL"), "9:fast");
  EXPECT_EQ(env->at("a.b-c"), "ok");
  EXPECT_EQ(env->at("PASSWORD"), "s3cret");  // base64-decoded
  EXPECT_EQ(env->count("BIN"), 0u);          // binaryData is not offered as env
  EXPECT_EQ(env->count("1bad"), 0u);
  ASSERT_EQ(objects_.warnings.size(), 2u);
  EXPECT_EQ(objects_.warnings[0].first, "InvalidEnvironmentVariableNames");
  EXPECT_EQ(objects_.warnings[0].second,
            "Keys [bad key] from the EnvFrom secret shop/creds were skipped since they are "
            "considered invalid environment variable names.");
  EXPECT_EQ(objects_.warnings[1].second,
            "Keys [1bad] from the EnvFrom configMap shop/cfg were skipped since they are "
            "considered invalid environment variable names.");
}

TEST_F(ResolveEnv, InvalidKeysAreListedSorted) {
  objects_.configMap("shop", "cfg", {{"2b", "x"}, {"1a", "y"}, {"ok", "z"}});
  ASSERT_TRUE(resolve(nullptr, nlohmann::json::parse(R"([{"configMapRef": {"name": "cfg"}}])")));
  ASSERT_EQ(objects_.warnings.size(), 1u);
  EXPECT_EQ(objects_.warnings[0].second,
            "Keys [1a, 2b] from the EnvFrom configMap shop/cfg were skipped since they are "
            "considered invalid environment variable names.");
}

TEST_F(ResolveEnv, MissingEnvFromObjects) {
  EXPECT_EQ(error(nullptr, nlohmann::json::parse(R"([{"configMapRef": {"name": "nope"}}])")),
            "configmap \"nope\" not found");
  EXPECT_EQ(error(nullptr, nlohmann::json::parse(R"([{"secretRef": {"name": "nope"}}])")),
            "secret \"nope\" not found");
  auto optional = resolve(nullptr, nlohmann::json::parse(R"([
      {"configMapRef": {"name": "nope", "optional": true}},
      {"secretRef": {"name": "nope", "optional": true}}])"));
  ASSERT_TRUE(optional) << optional.error().message;
  EXPECT_TRUE(optional->empty());
}

TEST_F(ResolveEnv, KeyRefs) {
  objects_.configMap("shop", "cfg", {{"mode", "fast"}}, {{"bin", "b"}});
  objects_.secret("shop", "creds", {{"password", "p@ss"}});
  auto env = resolve(nlohmann::json::parse(R"([
      {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "mode"}}},
      {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
      {"name": "OPT1", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "x", "optional": true}}},
      {"name": "OPT2", "valueFrom": {"configMapKeyRef": {"name": "no", "key": "x", "optional": true}}},
      {"name": "OPT3", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "x", "optional": true}}},
      {"name": "OPT4", "valueFrom": {"secretKeyRef": {"name": "no", "key": "x", "optional": true}}},
      {"name": "NOEXPAND", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "mode"}}}])"));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(*env, (Env{{"MODE", "fast"}, {"PW", "p@ss"}, {"NOEXPAND", "fast"}}));
}

TEST_F(ResolveEnv, MissingKeyRefsGiveTheKubeletsMessages) {
  objects_.configMap("shop", "cfg", {{"mode", "fast"}}, {{"bin", "b"}});
  objects_.secret("shop", "creds", {{"password", "p"}});
  EXPECT_EQ(error(nlohmann::json::parse(R"([{"name": "A", "valueFrom":
                {"configMapKeyRef": {"name": "none", "key": "k"}}}])")),
            "configmap \"none\" not found");
  EXPECT_EQ(error(nlohmann::json::parse(R"([{"name": "A", "valueFrom":
                {"configMapKeyRef": {"name": "cfg", "key": "k"}}}])")),
            "couldn't find key k in ConfigMap shop/cfg");
  EXPECT_EQ(error(nlohmann::json::parse(R"([{"name": "A", "valueFrom":
                {"configMapKeyRef": {"name": "cfg", "key": "bin"}}}])")),
            "couldn't find key bin in ConfigMap shop/cfg");  // binaryData is not env
  EXPECT_EQ(error(nlohmann::json::parse(R"([{"name": "A", "valueFrom":
                {"secretKeyRef": {"name": "none", "key": "k"}}}])")),
            "secret \"none\" not found");
  EXPECT_EQ(error(nlohmann::json::parse(R"([{"name": "A", "valueFrom":
                {"secretKeyRef": {"name": "creds", "key": "k"}}}])")),
            "couldn't find key k in Secret shop/creds");
  auto r = resolve(nlohmann::json::parse(R"([{"name": "A", "valueFrom":
                {"secretKeyRef": {"name": "none", "key": "k"}}}])"));
  EXPECT_TRUE(r.is(Errc::NotFound));
}

TEST_F(ResolveEnv, WithoutLookupsTheKubeletHasNoClient) {
  lookups_ = Lookups{};
  EXPECT_EQ(error(nlohmann::json::parse(R"([{"name": "A", "valueFrom":
                {"configMapKeyRef": {"name": "cfg", "key": "k"}}}])")),
            "couldn't get configMap shop/cfg, no kubeClient defined");
  EXPECT_EQ(error(nlohmann::json::parse(R"([{"name": "A", "valueFrom":
                {"secretKeyRef": {"name": "s", "key": "k"}}}])")),
            "couldn't get secret shop/s, no kubeClient defined");
}

TEST_F(ResolveEnv, FieldRefs) {
  auto env = resolve(nlohmann::json::parse(R"([
      {"name": "NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
      {"name": "NS", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
      {"name": "UID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.uid"}}},
      {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
      {"name": "NOLABEL", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['none']"}}},
      {"name": "OWNER", "valueFrom": {"fieldRef": {"fieldPath": "metadata.annotations['example.com/owner']"}}},
      {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
      {"name": "HOSTFIELD", "valueFrom": {"fieldRef": {"fieldPath": "spec.host"}}},
      {"name": "SA", "valueFrom": {"fieldRef": {"fieldPath": "spec.serviceAccountName"}}},
      {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
      {"name": "IPS", "valueFrom": {"fieldRef": {"fieldPath": "status.podIPs"}}},
      {"name": "HOSTIP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
      {"name": "HOSTIPS", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIPs"}}},
      {"name": "LABELS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels"}}},
      {"name": "ANN", "valueFrom": {"fieldRef": {"fieldPath": "metadata.annotations"}}}])"));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->at("NAME"), "web");
  EXPECT_EQ(env->at("NS"), "shop");
  EXPECT_EQ(env->at("UID"), "u-1");
  EXPECT_EQ(env->at("APP"), "web");
  EXPECT_EQ(env->at("NOLABEL"), "");
  EXPECT_EQ(env->at("OWNER"), "ops");
  EXPECT_EQ(env->at("NODE"), "local");
  EXPECT_EQ(env->at("HOSTFIELD"), "local");
  EXPECT_EQ(env->at("SA"), "runner");
  EXPECT_EQ(env->at("IP"), "198.18.0.5");
  EXPECT_EQ(env->at("IPS"), "198.18.0.5");
  EXPECT_EQ(env->at("HOSTIP"), "198.18.0.1");
  EXPECT_EQ(env->at("HOSTIPS"), "198.18.0.1");
  EXPECT_EQ(env->at("LABELS"), "app=\"web\"\ntier=\"front\"");
  EXPECT_EQ(env->at("ANN"), "example.com/owner=\"ops\"\nnote=\"say \\\"hi\\\"\\n\"");
}

TEST_F(ResolveEnv, PodIpsFromEitherStatusField) {
  pod_["status"] = {{"podIP", "198.18.0.9"}, {"hostIP", "198.18.0.1"}};
  auto env = resolve(nlohmann::json::parse(R"([
      {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
      {"name": "IPS", "valueFrom": {"fieldRef": {"fieldPath": "status.podIPs"}}},
      {"name": "HOSTIPS", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIPs"}}}])"));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->at("IP"), "198.18.0.9");
  EXPECT_EQ(env->at("IPS"), "198.18.0.9");
  EXPECT_EQ(env->at("HOSTIPS"), "198.18.0.1");
  pod_["status"] = {{"podIPs", {{{"ip", "198.18.0.7"}}, {{"ip", "fd00::7"}}}}};
  env = resolve(nlohmann::json::parse(R"([
      {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
      {"name": "IPS", "valueFrom": {"fieldRef": {"fieldPath": "status.podIPs"}}}])"));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->at("IP"), "198.18.0.7");
  EXPECT_EQ(env->at("IPS"), "198.18.0.7,fd00::7");
}

std::string fieldRefEnv(const std::string& fieldPath, const std::string& apiVersion = "v1") {
  return R"([{"name": "A", "valueFrom": {"fieldRef": {"apiVersion": ")" + apiVersion +
         R"(", "fieldPath": ")" + fieldPath + R"("}}}])";
}

TEST_F(ResolveEnv, BadFieldRefsGiveTheKubeletsMessages) {
  EXPECT_EQ(error(nlohmann::json::parse(fieldRefEnv("metadata.name", "v2"))),
            "unsupported pod version: v2");
  EXPECT_EQ(error(nlohmann::json::parse(fieldRefEnv("spec.containers"))),
            "field label not supported: spec.containers");
  EXPECT_EQ(error(nlohmann::json::parse(fieldRefEnv("spec.nodeName['x']"))),
            "field label does not support subscript: spec.nodeName['x']");
  EXPECT_EQ(error(nlohmann::json::parse(fieldRefEnv("status.phase"))),
            "unsupported fieldPath: status.phase");
  EXPECT_EQ(error(nlohmann::json::parse(fieldRefEnv("spec.restartPolicy"))),
            "unsupported fieldPath: spec.restartPolicy");
  EXPECT_EQ(error(nlohmann::json::parse(fieldRefEnv("metadata.labels['-bad']"))),
            "invalid key subscript in metadata.labels['-bad']: name part must consist of "
            "alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
            "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
}

TEST_F(ResolveEnv, ResourceFieldRefs) {
  lookups_.nodeAllocatableCpu = "2";
  lookups_.nodeAllocatableMemory = "8Gi";
  auto env = resolve(nlohmann::json::parse(R"([
      {"name": "CPU_LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
      {"name": "CPU_LIMIT_M", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
      {"name": "CPU_REQ", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu", "divisor": "0"}}},
      {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}},
      {"name": "MEM_MI", "valueFrom": {"resourceFieldRef": {"resource": "requests.memory", "divisor": "1Mi"}}},
      {"name": "MEM_G", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1G"}}},
      {"name": "SIDE_CPU", "valueFrom": {"resourceFieldRef": {"containerName": "side", "resource": "limits.cpu"}}},
      {"name": "SIDE_MEM", "valueFrom": {"resourceFieldRef": {"containerName": "side", "resource": "limits.memory", "divisor": "1Gi"}}},
      {"name": "SIDE_REQ", "valueFrom": {"resourceFieldRef": {"containerName": "side", "resource": "requests.cpu"}}},
      {"name": "SIDE_EPH", "valueFrom": {"resourceFieldRef": {"containerName": "side", "resource": "limits.ephemeral-storage"}}},
      {"name": "INIT_REQ", "valueFrom": {"resourceFieldRef": {"containerName": "init", "resource": "requests.cpu", "divisor": "1m"}}}])"));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->at("CPU_LIMIT"), "1");  // 500m rounded up
  EXPECT_EQ(env->at("CPU_LIMIT_M"), "500");
  EXPECT_EQ(env->at("CPU_REQ"), "1");  // divisor 0 means 1
  EXPECT_EQ(env->at("MEM"), "268435456");
  EXPECT_EQ(env->at("MEM_MI"), "128");
  EXPECT_EQ(env->at("MEM_G"), "1");     // 0.268 G rounded up
  EXPECT_EQ(env->at("SIDE_CPU"), "2");  // no limit: the node's allocatable
  EXPECT_EQ(env->at("SIDE_MEM"), "8");
  EXPECT_EQ(env->at("SIDE_REQ"), "0");     // no request and no limit
  EXPECT_EQ(env->at("SIDE_EPH"), "0");     // no allocatable given
  EXPECT_EQ(env->at("INIT_REQ"), "2000");  // the request defaults to the limit
}

TEST_F(ResolveEnv, BadResourceFieldRefs) {
  EXPECT_EQ(error(nlohmann::json::parse(R"([{"name": "A", "valueFrom": {"resourceFieldRef":
                {"resource": "limits.gpu"}}}])")),
            "unsupported container resource : limits.gpu");
  EXPECT_EQ(error(nlohmann::json::parse(R"([{"name": "A", "valueFrom": {"resourceFieldRef":
                {"resource": "cpu"}}}])")),
            "unsupported container resource : cpu");
  EXPECT_EQ(error(nlohmann::json::parse(R"([{"name": "A", "valueFrom": {"resourceFieldRef":
                {"containerName": "ghost", "resource": "limits.cpu"}}}])")),
            "container ghost not found");
  EXPECT_EQ(error(nlohmann::json::parse(R"([{"name": "A", "valueFrom": {"resourceFieldRef":
                {"resource": "limits.cpu", "divisor": "x"}}}])")),
            "invalid divisor \"x\": not a valid quantity");
}

}  // namespace
}  // namespace mysqlop::local::kubelet

namespace mysqlop::kube {
namespace {

// kube::Quantity::ceilRatio, added for the downward API (its other rules are tested in
// tests/unit/cluster/kube_quantity_test.cpp).
std::int64_t ratio(const char* q, const char* divisor) {
  return Quantity::parse(q)->ceilRatio(*Quantity::parse(divisor));
}

TEST(QuantityCeilRatio, ExactCeilingOfTheQuotient) {
  EXPECT_EQ(ratio("500m", "1"), 1);
  EXPECT_EQ(ratio("500m", "1m"), 500);
  EXPECT_EQ(ratio("1", "3m"), 334);
  EXPECT_EQ(ratio("256Mi", "1Mi"), 256);
  EXPECT_EQ(ratio("256Mi", "1G"), 1);
  EXPECT_EQ(ratio("3Gi", "1Gi"), 3);
  EXPECT_EQ(ratio("3Gi", "1G"), 4);  // 3.22 G
  EXPECT_EQ(ratio("1n", "1E"), 1);
  EXPECT_EQ(ratio("0", "1"), 0);
  EXPECT_EQ(ratio("-1", "1"), 0);
  EXPECT_EQ(ratio("1", "-1"), 0);
  EXPECT_EQ(ratio("1E", "1n"), INT64_MAX);  // 1e27: saturated
}

}  // namespace
}  // namespace mysqlop::kube
