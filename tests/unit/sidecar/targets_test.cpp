// The sidecar's target list (MYSQLOP_BACKUP_TARGETS, the plugin directory) and the credentials
// it hands the targets (the environment minus its own variables): every refusal's exact text.
#include "sidecar/targets.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/support/temp_dir.h"

namespace mysqlop::sidecar {
namespace {

using mysqlop::testing::TempDir;

EnvLookup targetsEnv(std::map<std::string, std::string> env) {
  return [env](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

std::string specsError(const std::string& value, const std::string& dir = "/plugins") {
  auto r = targetSpecs(targetsEnv({{"MYSQLOP_BACKUP_TARGETS", value}}), dir);
  return r ? "" : r.error().message;
}

TEST(SidecarTargets, InlineJsonKeepsAnExistingAbsolutePathAndConfig) {
  TempDir dir;
  std::string s3 = dir.write("op/mysqlop_target_s3.so", "x");
  auto r = targetSpecs(
      targetsEnv(
          {{"MYSQLOP_BACKUP_TARGETS",
            R"({"targets":[{"name":"s3","path":")" + s3 +
                R"(","config":{"partSize":5242880}},{"name":"acme","path":"/operator/plugins/libacme.so"},)"
                R"({"name":"rel","path":"mysqlop_target_rel.so","config":{}}]})"}}),
      dir.path() + "/sidecar-plugins");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].name, "s3");
  EXPECT_EQ((*r)[0].path, s3);
  EXPECT_EQ((*r)[0].configJson, R"({"partSize":5242880})");
  // Absent in this image: the plugin of the same file name in the sidecar's plugin directory.
  EXPECT_EQ((*r)[1].name, "acme");
  EXPECT_EQ((*r)[1].path, dir.path() + "/sidecar-plugins/libacme.so");
  EXPECT_EQ((*r)[1].configJson, "{}");
  EXPECT_EQ((*r)[2].path, dir.path() + "/sidecar-plugins/mysqlop_target_rel.so");
}

TEST(SidecarTargets, UnsetMeansEveryBundledTargetOfThePluginDirectory) {
  TempDir dir;
  dir.write("mysqlop_target_s3.so", "x");
  dir.write("mysqlop_target_file.so", "x");
  dir.write("mysqlop_backup.so", "x");         // not a target
  dir.write("mysqlop_target_gs.so.bak", "x");  // not a library
  auto r = targetSpecs(targetsEnv({}), dir.path());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "file");
  EXPECT_EQ((*r)[0].path, dir.file("mysqlop_target_file.so"));
  EXPECT_EQ((*r)[0].configJson, "{}");
  EXPECT_EQ((*r)[1].name, "s3");
  // A plugin directory that does not exist: no targets (the URL lookup then says so).
  auto none = targetSpecs(targetsEnv({}), dir.file("nothing"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(SidecarTargets, BadInlineJsonIsRefusedNamingTheEntry) {
  EXPECT_EQ(specsError("{"), "MYSQLOP_BACKUP_TARGETS is not valid JSON");
  EXPECT_EQ(specsError("[]"),
            R"(MYSQLOP_BACKUP_TARGETS: expected {"targets":[{"name","path","config"}]})");
  EXPECT_EQ(specsError(R"({"targets":{}})"),
            R"(MYSQLOP_BACKUP_TARGETS: expected {"targets":[{"name","path","config"}]})");
  EXPECT_EQ(specsError(R"({"targets":["s3"]})"),
            "MYSQLOP_BACKUP_TARGETS: targets[0] must be an object");
  EXPECT_EQ(specsError(R"({"targets":[{"name":"a","path":"/a.so"},{"path":"/b.so"}]})"),
            R"(MYSQLOP_BACKUP_TARGETS: targets[1]: "name" must be a non-empty string)");
  EXPECT_EQ(specsError(R"({"targets":[{"name":"a","path":""}]})"),
            R"(MYSQLOP_BACKUP_TARGETS: targets[0]: "path" must be a non-empty string)");
  EXPECT_EQ(specsError(R"({"targets":[{"name":"a","path":"/a.so","config":"x"}]})"),
            R"(MYSQLOP_BACKUP_TARGETS: targets[0] ("a"): "config" must be an object)");
}

TEST(SidecarTargets, PluginDirDefaultsBesideTheBinary) {
  EXPECT_EQ(pluginDir(targetsEnv({{"MYSQLOP_PLUGIN_DIR", "/opt/p"}})), "/opt/p");
  std::string own = pluginDir(targetsEnv({}));
  EXPECT_EQ(std::filesystem::path(own).filename(), "plugins");
  EXPECT_TRUE(std::filesystem::path(own).is_absolute()) << own;
}

TEST(SidecarTargets, CredentialsAreTheEnvironmentMinusTheSidecarsOwn) {
  const char* env[] = {"AWS_ACCESS_KEY_ID=AK",
                       "AWS_SECRET_ACCESS_KEY=S=cret",  // '=' in a value is kept
                       "S3_ENDPOINT=http://198.18.0.5:9000",
                       "GCS_SERVICE_ACCOUNT_JSON_KEY={}",
                       "BACKUP_USER=sys_backup",
                       "BACKUP_PASSWORD=pw",
                       "OPERATOR_PASSWORD=x",
                       "REPLICATION_PASSWORD=x",
                       "METRICS_EXPORTER_PASSWORD=x",
                       "ORC_TOPOLOGY_PASSWORD=x",
                       "MY_NAMESPACE=ns",
                       "MYSQLOP_BACKUP_TARGETS={}",
                       "INIT_BUCKET_URI=s3://b/x",
                       "XTRABACKUP_EXTRA_ARGS=",
                       "HOSTNAME=c-mysql-0",
                       "PATH=/bin",
                       "HOME=/root",
                       "KUBERNETES_SERVICE_HOST=10.0.0.1",
                       "C_MYSQL_MASTER_SERVICE_PORT=3306",
                       "C_MYSQL_MASTER_PORT=tcp://10.0.0.9:3306",
                       "C_MYSQL_MASTER_PORT_3306_TCP_ADDR=10.0.0.9",
                       "=nameless",
                       "NOEQUALS",
                       "RCLONE_CONFIG_S3_TYPE=s3",
                       nullptr};
  KeyValues want = {{"AWS_ACCESS_KEY_ID", "AK"},
                    {"AWS_SECRET_ACCESS_KEY", "S=cret"},
                    {"S3_ENDPOINT", "http://198.18.0.5:9000"},
                    {"GCS_SERVICE_ACCOUNT_JSON_KEY", "{}"},
                    {"RCLONE_CONFIG_S3_TYPE", "s3"}};
  EXPECT_EQ(targetCredentials(env), want);
  EXPECT_TRUE(targetCredentials(nullptr).empty());
}

TEST(SidecarTargets, UrlSchemeAndRedaction) {
  EXPECT_EQ(*urlScheme("s3://bucket/a.xbackup.gz"), "s3");
  EXPECT_EQ(*urlScheme("file:///var/b/x"), "file");
  EXPECT_EQ(urlScheme("bucket/a.gz").error().message,
            R"("bucket/a.gz" is not a URL (scheme://...))");
  EXPECT_EQ(urlScheme("://x").error().message, R"("://x" is not a URL (scheme://...))");
  EXPECT_EQ(redactUrl("s3://bucket/a.gz"), "s3://bucket/a.gz");
  EXPECT_EQ(redactUrl("s3://key:secret@bucket/a@b.gz?sig=1"), "s3://bucket/a@b.gz");
  EXPECT_EQ(statusName(mysqlop_status_Forbidden), "Forbidden");
}

}  // namespace
}  // namespace mysqlop::sidecar
