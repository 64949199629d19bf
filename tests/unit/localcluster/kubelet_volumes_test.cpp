#include <gtest/gtest.h>

#include "kubelet_objects.h"
#include "localcluster/kubelet/container_plan.h"
#include "localcluster/kubelet/downward_api.h"

namespace mysqlop::local::kubelet {
namespace {

using testing::Objects;
using testing::testPod;

// path -> (content, mode) of a projection, for whole-value comparisons.
using Files = std::map<std::string, std::pair<std::string, int>>;

class ProjectVolume : public ::testing::Test {
 protected:
  Result<Files> project(const std::string& volumeJson) {
    auto files = projectVolume(nlohmann::json::parse(volumeJson), pod_, lookups_, sa_);
    if (!files) {
      return files.error();
    }
    Files out;
    for (const auto& f : *files) {
      out[f.path] = {f.content, f.mode};
    }
    return out;
  }
  std::string error(const std::string& volumeJson) {
    auto r = project(volumeJson);
    return r ? "projected" : r.error().message;
  }

  Objects objects_;
  Lookups lookups_ = objects_.lookups();
  nlohmann::json pod_ = testPod();
  ServiceAccountFiles sa_{"tok3n", "-----BEGIN CERTIFICATE-----\n", nullptr};
};

TEST_F(ProjectVolume, ConfigMapEveryKeyWithDefaultMode) {
  objects_.configMap("shop", "cfg", {{"my.cnf", "[mysqld]\n"}, {"b", "2"}}, {{"blob", "\x01\x02"}});
  auto files = project(R"({"name": "v", "configMap": {"name": "cfg"}})");
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(
      *files,
      (Files{{"my.cnf", {"[mysqld]\n", 0644}}, {"b", {"2", 0644}}, {"blob", {"\x01\x02", 0644}}}));
  files = project(R"({"name": "v", "configMap": {"name": "cfg", "defaultMode": 256}})");
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->at("b").second, 0400);
}

TEST_F(ProjectVolume, ConfigMapItemsMapKeysToPathsAndModes) {
  objects_.configMap("shop", "cfg", {{"a", "1"}, {"b", "2"}}, {{"blob", "x"}});
  auto files = project(R"({"name": "v", "configMap": {"name": "cfg", "defaultMode": 288,
      "items": [{"key": "a", "path": "conf/a.cnf"}, {"key": "blob", "path": "bin", "mode": 448}]}})");
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(*files, (Files{{"conf/a.cnf", {"1", 0440}}, {"bin", {"x", 0700}}}));
}

TEST_F(ProjectVolume, ConfigMapMissingObjectOrKey) {
  objects_.configMap("shop", "cfg", {{"a", "1"}});
  EXPECT_EQ(error(R"({"name": "v", "configMap": {"name": "none"}})"),
            "configmap \"none\" not found");
  EXPECT_EQ(
      error(R"({"name": "v", "configMap": {"name": "cfg", "items": [{"key": "z", "path": "z"}]}})"),
      "configmap references non-existent config key: z");
  auto optional = project(R"({"name": "v", "configMap": {"name": "none", "optional": true,
      "items": [{"key": "z", "path": "z"}]}})");
  ASSERT_TRUE(optional) << optional.error().message;
  EXPECT_TRUE(optional->empty());
  optional = project(R"({"name": "v", "configMap": {"name": "cfg", "optional": true,
      "items": [{"key": "z", "path": "z"}, {"key": "a", "path": "a"}]}})");
  ASSERT_TRUE(optional) << optional.error().message;
  EXPECT_EQ(*optional, (Files{{"a", {"1", 0644}}}));
}

TEST_F(ProjectVolume, SecretDecodedWithItemsAndModes) {
  objects_.secret("shop", "creds", {{"password", "p@ss\n"}, {"user", "root"}});
  auto files = project(R"({"name": "v", "secret": {"secretName": "creds", "defaultMode": 384}})");
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(*files, (Files{{"password", {"p@ss\n", 0600}}, {"user", {"root", 0600}}}));
  files = project(R"({"name": "v", "secret": {"secretName": "creds",
      "items": [{"key": "user", "path": "u/name", "mode": 256}]}})");
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(*files, (Files{{"u/name", {"root", 0400}}}));
}

TEST_F(ProjectVolume, SecretMissingObjectOrKey) {
  objects_.secret("shop", "creds", {{"user", "root"}});
  EXPECT_EQ(error(R"({"name": "v", "secret": {"secretName": "none"}})"),
            "secret \"none\" not found");
  EXPECT_EQ(
      error(
          R"({"name": "v", "secret": {"secretName": "creds", "items": [{"key": "pw", "path": "pw"}]}})"),
      "references non-existent secret key: pw");
  auto optional = project(R"({"name": "v", "secret": {"secretName": "none", "optional": true}})");
  ASSERT_TRUE(optional) << optional.error().message;
  EXPECT_TRUE(optional->empty());
}

TEST_F(ProjectVolume, DownwardApiItems) {
  lookups_.nodeAllocatableCpu = "4";
  auto files = project(R"({"name": "v", "downwardAPI": {"defaultMode": 420, "items": [
      {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
      {"path": "./meta/../name", "fieldRef": {"fieldPath": "metadata.name"}, "mode": 256},
      {"path": "tier", "fieldRef": {"fieldPath": "metadata.labels['tier']"}},
      {"path": "cpu_limit", "resourceFieldRef": {"containerName": "side", "resource": "limits.cpu", "divisor": "1m"}},
      {"path": "mem_request", "resourceFieldRef": {"containerName": "app", "resource": "requests.memory", "divisor": "1Mi"}}]}})");
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(*files, (Files{{"labels", {"app=\"web\"\ntier=\"front\"", 0644}},
                           {"name", {"web", 0400}},  // the path is cleaned first
                           {"tier", {"front", 0644}},
                           {"cpu_limit", {"4000", 0644}},
                           {"mem_request", {"128", 0644}}}));
}

TEST_F(ProjectVolume, DownwardApiVolumesOfferMetadataOnly) {
  // Env offers spec.nodeName and status.podIP; a downwardAPI volume does not (the kubelet's
  // CollectData reads fields with ExtractFieldPathAsString alone).
  EXPECT_EQ(error(R"({"name": "v", "downwardAPI": {"items": [
      {"path": "node", "fieldRef": {"fieldPath": "spec.nodeName"}}]}})"),
            "unsupported fieldPath: spec.nodeName");
  EXPECT_EQ(error(R"({"name": "v", "downwardAPI": {"items": [
      {"path": "ip", "fieldRef": {"fieldPath": "status.podIP"}},
      {"path": "x", "resourceFieldRef": {"resource": "limits.cpu"}},
      {"path": "y", "fieldRef": {"fieldPath": "spec.nodeName['a']"}},
      {"path": "ip2", "fieldRef": {"fieldPath": "status.podIP"}}]}})"),
            "[unsupported fieldPath: status.podIP, container  not found, fieldPath "
            "\"spec.nodeName['a']\" does not support subscript]");
  EXPECT_EQ(error(R"({"name": "v", "downwardAPI": {"items": [
      {"path": "a", "fieldRef": {"fieldPath": "metadata.annotations['a/b/c']"}}]}})"),
            "invalid key subscript in metadata.annotations['a/b/c']: a qualified name must "
            "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
            "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
            "subdomain prefix and '/' (e.g. 'example.com/MyName')");
  EXPECT_EQ(error(R"({"name": "v", "downwardAPI": {"items": [
      {"path": "a", "fieldRef": {"fieldPath": "metadata.labels['Bad_/x']"}}]}})"),
            "invalid key subscript in metadata.labels['Bad_/x']: prefix part a lowercase RFC 1123 "
            "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
            "start and end with an alphanumeric character (e.g. 'example.com', regex used for "
            "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  EXPECT_EQ(error(R"({"name": "v", "downwardAPI": {"items": [
      {"path": "a", "fieldRef": {"fieldPath": "metadata.labels['/x']"}}]}})"),
            "invalid key subscript in metadata.labels['/x']: prefix part must be non-empty");
}

TEST_F(ProjectVolume, AnnotationSubscriptsAreCheckedInLowerCase) {
  pod_["metadata"]["annotations"]["Example.com/Owner"] = "x";
  auto files = project(R"({"name": "v", "downwardAPI": {"items": [
      {"path": "a", "fieldRef": {"fieldPath": "metadata.annotations['Example.com/Owner']"}}]}})");
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->at("a").first, "x");
}

TEST_F(ProjectVolume, ProjectedSourcesMergeInOrder) {
  objects_.configMap("shop", "cfg", {{"a", "from-cm"}, {"same", "cm"}});
  objects_.secret("shop", "creds", {{"same", "secret"}, {"pw", "p"}});
  auto files = project(R"({"name": "v", "projected": {"defaultMode": 416, "sources": [
      {"configMap": {"name": "cfg"}},
      {"secret": {"name": "creds", "items": [{"key": "same", "path": "same", "mode": 384}]}},
      {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]}},
      {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}}]}})");
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(*files, (Files{{"a", {"from-cm", 0640}},
                           {"same", {"secret", 0600}},
                           {"ns", {"shop", 0640}},
                           {"token", {"tok3n", 0640}}}));
}

TEST_F(ProjectVolume, TokensComeFromTokenForWithTheSourcesAudienceAndLifetime) {
  std::vector<std::string> asked;
  sa_.tokenFor = [&](const std::string& audience, long long lifetime) -> Result<std::string> {
    asked.push_back(audience + "/" + std::to_string(lifetime));
    if (audience == "vault") {
      return fail(Errc::NotFound, "serviceaccounts \"runner\" not found");
    }
    return "jwt-for-" + (audience.empty() ? std::string("api") : audience);
  };
  auto files = project(R"({"name": "v", "projected": {"sources": [
      {"serviceAccountToken": {"path": "api"}},
      {"serviceAccountToken": {"path": "db", "audience": "db", "expirationSeconds": 7200}}]}})");
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->at("api").first, "jwt-for-api");
  EXPECT_EQ(files->at("db").first, "jwt-for-db");
  EXPECT_EQ(asked, (std::vector<std::string>{"/3600", "db/7200"}));
  EXPECT_EQ(error(R"({"name": "v", "projected": {"sources": [
      {"serviceAccountToken": {"path": "t", "audience": "vault"}}]}})"),
            "failed to fetch token: serviceaccounts \"runner\" not found");
}

TEST_F(ProjectVolume, ProjectedErrorsAreAggregated) {
  objects_.configMap("shop", "cfg", {{"a", "1"}});
  EXPECT_EQ(error(R"({"name": "v", "projected": {"sources": [
      {"configMap": {"name": "none"}}, {"configMap": {"name": "cfg"}}]}})"),
            "configmap \"none\" not found");
  EXPECT_EQ(error(R"({"name": "v", "projected": {"sources": [
      {"configMap": {"name": "none"}}, {"secret": {"name": "none"}},
      {"configMap": {"name": "cfg", "items": [{"key": "b", "path": "b"}]}},
      {"secret": {"name": "none"}}]}})"),
            "[configmap \"none\" not found, secret \"none\" not found, configmap references "
            "non-existent config key: b]");
  sa_.token.clear();
  EXPECT_EQ(
      error(R"({"name": "v", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}})"),
      "failed to fetch token: no token for service account \"runner\"");
  auto optional = project(R"({"name": "v", "projected": {"sources": [
      {"configMap": {"name": "none", "optional": true}},
      {"secret": {"name": "none", "optional": true}}]}})");
  ASSERT_TRUE(optional) << optional.error().message;
  EXPECT_TRUE(optional->empty());
}

TEST_F(ProjectVolume, ServiceAccountVolumeGivesTokenCaAndNamespace) {
  const nlohmann::json volume = serviceAccountVolume("kube-api-access-x1");
  EXPECT_EQ(volume["name"], "kube-api-access-x1");
  auto files = projectVolume(volume, pod_, lookups_, sa_);
  ASSERT_TRUE(files) << files.error().message;
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].path, "ca.crt");
  EXPECT_EQ((*files)[0].content, "-----BEGIN CERTIFICATE-----\n");
  EXPECT_EQ((*files)[1].path, "namespace");
  EXPECT_EQ((*files)[1].content, "shop");
  EXPECT_EQ((*files)[2].path, "token");
  EXPECT_EQ((*files)[2].content, "tok3n");
  for (const auto& f : *files) {
    EXPECT_EQ(f.mode, 0644) << f.path;
  }
}

TEST_F(ProjectVolume, PublishedRootCaConfigMapWins) {
  objects_.configMap("shop", "kube-root-ca.crt", {{"ca.crt", "published"}});
  auto files = projectVolume(serviceAccountVolume("v"), pod_, lookups_, sa_);
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ((*files)[0].content, "published");
  // Without a CA of its own nor a published one, the kubelet's message for the configMap.
  sa_.caCrt.clear();
  objects_ = Objects();
  lookups_ = objects_.lookups();
  EXPECT_EQ(error(serviceAccountVolume("v").dump()), "configmap \"kube-root-ca.crt\" not found");
}

TEST_F(ProjectVolume, OtherVolumeKindsAreNotProjected) {
  EXPECT_EQ(error(R"({"name": "data", "emptyDir": {}})"),
            "volume \"data\" is not a configMap, secret, downwardAPI or projected volume");
  EXPECT_EQ(mountFailureMessage("cfg", "configmap \"x\" not found"),
            "MountVolume.SetUp failed for volume \"cfg\" : configmap \"x\" not found");
}

}  // namespace
}  // namespace mysqlop::local::kubelet

namespace mysqlop::local::kubelet {
namespace {

// Objects that cannot come from an API server (it validates base64) still fail with a message
// that names the object and the key, not a crash or garbage.
TEST(ObjectData, BadBase64IsNamed) {
  Lookups lookups;
  lookups.secret = [](const std::string&, const std::string&) -> std::optional<nlohmann::json> {
    return nlohmann::json{{"data", {{"pw", "***"}}}};
  };
  lookups.configMap = [](const std::string&, const std::string&) -> std::optional<nlohmann::json> {
    return nlohmann::json{{"data", {{"a", "1"}}}, {"binaryData", {{"bin", "not base64!"}}}};
  };
  const auto pod = testing::testPod();
  auto secret = projectVolume(
      nlohmann::json::parse(R"({"name": "v", "secret": {"secretName": "s"}})"), pod, lookups, {});
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error().message, "secret shop/s: data[pw] is not valid base64");
  auto cm = projectVolume(nlohmann::json::parse(R"({"name": "v", "configMap": {"name": "c"}})"),
                          pod, lookups, {});
  ASSERT_FALSE(cm);
  EXPECT_EQ(cm.error().message, "configmap shop/c: binaryData[bin] is not valid base64");
}

TEST(QualifiedName, LengthLimits) {
  EXPECT_EQ(qualifiedNameError("example.com/MyName"), "");
  EXPECT_EQ(qualifiedNameError(std::string(63, 'a')), "");
  EXPECT_EQ(qualifiedNameError(std::string(64, 'a')),
            "name part must be no more than 63 characters");
  EXPECT_EQ(qualifiedNameError(std::string(254, 'a') + "/x"),
            "prefix part must be no more than 253 characters");
  EXPECT_EQ(qualifiedNameError(""),
            "name part must be non-empty;name part must consist of alphanumeric characters, '-', "
            "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  "
            "or 'my.name',  or '123-abc', regex used for validation is "
            "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
}

TEST(GoQuote, EscapesAsGo) {
  EXPECT_EQ(goQuote("plain"), "\"plain\"");
  EXPECT_EQ(goQuote("a\"b\\c\n\t\r"), "\"a\\\"b\\\\c\\n\\t\\r\"");
  EXPECT_EQ(goQuote(std::string("\x01\x7f", 2)), "\"\\x01\\x7f\"");
  EXPECT_EQ(goQuote("\a\b\f\v"), "\"\\a\\b\\f\\v\"");
  EXPECT_EQ(goQuote("h\xc3\xa9"), "\"h\xc3\xa9\"");  // UTF-8 kept
}

}  // namespace
}  // namespace mysqlop::local::kubelet
