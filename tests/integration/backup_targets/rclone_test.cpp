// The rclone target with Debian's real rclone: the conformance kit on a local-directory remote
// (`rclone://kit/...`, RCLONE_CONFIG_KIT_TYPE=local), the exact messages for a URL of a scheme it
// does not serve, missing credentials and a failing rclone; and, through a recording stand-in for
// rclone, that the remote's settings reach rclone in its environment only (never argv), that
// nothing of the host's environment does, and that a secret rclone prints is blanked out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>

#include "core/host/standalone_host.h"
#include "target-check/target_client.h"
#include "tests/support/process/child_process.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using KV = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kSecret = "SECRET-service-account-json";

class RcloneTargetTest : public ::testing::Test {
 protected:
  // Loads the plugin through the operator's loader; the client of its C table.
  targetcheck::TargetClient client(const KV& credentials, const std::string& config = "{}") {
    auto p = host_.loadBackupTarget(RCLONE_TARGET_PATH, config);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return targetcheck::TargetClient(**p, credentials);
  }
  std::string local(const std::string& name) const {
    return "rclone://kit" + dir_.path() + "/" + name;
  }

  host::StandaloneHost host_;
  TempDir dir_;
};

TEST_F(RcloneTargetTest, TheKitPassesOnALocalRemote) {
  SpawnSpec spec;
  spec.argv = {KIT_PATH,        RCLONE_TARGET_PATH,
               "--url",         local("backups/"),
               "--large-size",  "32M",
               "--credentials", "RCLONE_CONFIG_KIT_TYPE=local"};
  spec.stdoutPath = dir_.file("out");
  spec.stderrPath = dir_.file("out");
  const pid_t pid = spawnProcess(spec);
  const auto code = waitForExit(pid, std::chrono::minutes(3));
  const std::string out = readFile(dir_.file("out"));
  ASSERT_TRUE(code) << out;
  EXPECT_EQ(*code, 0) << out;
  EXPECT_THAT(out, HasSubstr("\nPASS failed_commit_leaves_nothing: commit answered InvalidConfig"));
  EXPECT_THAT(out, ::testing::EndsWith("\nmysqlop-target-check: 14 passed, 0 failed, 1 skipped\n"));
}

TEST_F(RcloneTargetTest, WritesReadsListsAndRemovesThroughRclone) {
  auto c = client({{"RCLONE_CONFIG_KIT_TYPE", "local"}});
  ASSERT_TRUE(c.put(local("b/one"), "hello").ok());
  std::string data;
  ASSERT_TRUE(c.get(local("b/one"), &data).ok());
  EXPECT_EQ(data, "hello");
  EXPECT_EQ(readFile(dir_.file("b/one")), "hello");
  std::vector<targetcheck::Listed> listed;
  ASSERT_TRUE(c.list(local("b/"), &listed).ok());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].url, local("b/one"));
  EXPECT_EQ(listed[0].size, 5u);
  ASSERT_TRUE(c.remove(local("b/one")).ok());
  const auto o = c.remove(local("b/one"));
  EXPECT_EQ(o.status, mysqlop_status_NotFound);
  EXPECT_EQ(o.message, "object " + local("b/one") + " does not exist");
}

TEST_F(RcloneTargetTest, ASchemeItDoesNotServeIsInvalidConfigNamingTheUrl) {
  auto c = client({});
  auto o = c.put("s3://bucket/x", "x");
  EXPECT_EQ(o.status, mysqlop_status_InvalidConfig);
  EXPECT_EQ(o.message,
            "URL s3://bucket/x: the rclone target serves gd://, hdfs://, http:// and rclone:// "
            "only");
  o = c.probe("rclone:///x");
  EXPECT_EQ(o.status, mysqlop_status_InvalidConfig);
  EXPECT_EQ(o.message,
            "URL rclone:///x: expected rclone://REMOTE/path, REMOTE defined by "
            "RCLONE_CONFIG_REMOTE_TYPE");
  o = c.put("http://bucket/x", "x");
  EXPECT_EQ(o.status, mysqlop_status_InvalidConfig);
  EXPECT_EQ(o.message, "writing http://bucket/x: http:// is read-only (rclone's http remote)");
}

TEST_F(RcloneTargetTest, MissingCredentialsNameTheKey) {
  auto c = client({});
  auto o = c.put("gd://folder/x", "x");
  EXPECT_EQ(o.status, mysqlop_status_InvalidConfig);
  EXPECT_EQ(o.message, "credentials: GDRIVE_SERVICE_ACCOUNT is not set");
  o = c.put("hdfs://folder/x", "x");
  EXPECT_EQ(o.message, "credentials: HDFS_NAMENODE is not set");
  o = c.probe("rclone://kit/x");
  EXPECT_EQ(o.status, mysqlop_status_InvalidConfig);
  EXPECT_EQ(o.message,
            "credentials: RCLONE_CONFIG_KIT_TYPE is not set (rclone://kit/ names the remote kit)");
}

TEST_F(RcloneTargetTest, AFailingRcloneIsRetryWithItsMessage) {
  auto c = client({{"RCLONE_CONFIG_KIT_TYPE", "nosuch"}});
  auto o = c.probe("rclone://kit/x");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message,
            "reading rclone://kit/x: rclone lsjson failed (exit 1): Failed to create file system "
            "for \"kit:x\": didn't find backend called \"nosuch\"");
  o = c.put("rclone://kit/x", std::string(1 << 20, 'x'), 65536);
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  // 1 MiB is more than the socket holds: the write sees rclone gone and reports its message.
  EXPECT_EQ(o.message,
            "writing rclone://kit/x: rclone rcat failed (exit 1): Failed to create file system "
            "for \"kit:\": didn't find backend called \"nosuch\"");
}

TEST_F(RcloneTargetTest, AMissingRcloneBinaryIsNamed) {
  auto c = client({{"RCLONE_CONFIG_KIT_TYPE", "local"}}, R"({"rclone":"/nonexistent/rclone"})");
  const auto o = c.probe("rclone://kit/x");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message,
            "reading rclone://kit/x: cannot run /nonexistent/rclone: No such file or "
            "directory");
}

TEST_F(RcloneTargetTest, BadConfigIsRefusedAtLoad) {
  auto p = host_.loadBackupTarget(RCLONE_TARGET_PATH, R"({"rclone":"rclone"})");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.error().message,
              HasSubstr("config.rclone: expected the absolute path of the rclone binary"));
  p = host_.loadBackupTarget(RCLONE_TARGET_PATH, R"({"remote":"x"})");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.error().message,
              HasSubstr("config: unknown key \"remote\" (known: rclone, timeoutSeconds)"));
}

// A stand-in for rclone that records its argv and environment and fails printing the secret.
TEST_F(RcloneTargetTest, SettingsGoThroughTheEnvironmentOnlyAndSecretsAreBlanked) {
  const std::string script =
      dir_.write("rclone", "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + dir_.file("argv") + "\nenv > " +
                               dir_.file("env") + "\necho \"2026/12/03 12:00:00 ERROR : token " +
                               kSecret + " was refused\" >&2\nexit 1\n");
  ::chmod(script.c_str(), 0755);
  ::setenv("MYSQLOP_TEST_HOST_ONLY", "leak", 1);
  auto c = client({{"GDRIVE_SERVICE_ACCOUNT", kSecret},
                   {"GDRIVE_ROOT_FOLDER_ID", "root-folder"},
                   {"RCLONE_CONFIG_GD_CHUNK_SIZE", "16M"}},
                  R"({"rclone":")" + script + R"("})");
  const auto o = c.probe("gd://backups/db/x.xbackup.gz");
  ::unsetenv("MYSQLOP_TEST_HOST_ONLY");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message,
            "reading gd://backups/db/x.xbackup.gz: rclone lsjson failed (exit 1): token *** was "
            "refused");
  const std::string argv = readFile(dir_.file("argv"));
  EXPECT_THAT(argv, HasSubstr("lsjson\n--stat\ngd:backups/db/x.xbackup.gz\n"));
  EXPECT_THAT(argv, Not(HasSubstr(kSecret)));
  EXPECT_THAT(argv, Not(HasSubstr("root-folder")));
  const std::string env = readFile(dir_.file("env"));
  EXPECT_THAT(env, HasSubstr("RCLONE_CONFIG_GD_TYPE=drive\n"));
  EXPECT_THAT(env, HasSubstr("RCLONE_CONFIG_GD_SCOPE=drive\n"));
  EXPECT_THAT(env, HasSubstr(std::string("RCLONE_CONFIG_GD_SERVICE_ACCOUNT_CREDENTIALS=") +
                             kSecret + "\n"));
  EXPECT_THAT(env, HasSubstr("RCLONE_CONFIG_GD_ROOT_FOLDER_ID=root-folder\n"));
  EXPECT_THAT(env, HasSubstr("RCLONE_CONFIG_GD_CHUNK_SIZE=16M\n"));
  EXPECT_THAT(env, Not(HasSubstr("MYSQLOP_TEST_HOST_ONLY")));
  EXPECT_THAT(env, Not(HasSubstr("GDRIVE_")));
}

}  // namespace
}  // namespace mysqlop::testing
