// The azure target on Microsoft's Blob emulator (azurite, npm, started by the azurite_start CTest
// fixture with azurite.sh): the conformance kit, the credential failures with their status and
// message, nothing visible before the block list. No message or output may contain the key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "core/host/standalone_host.h"
#include "plugins/target_azure/src/azure_client.h"
#include "plugins/target_azure/src/azure_target.h"
#include "target-check/target_client.h"
#include "tests/support/process/child_process.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using KV = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kAccount = "devstoreaccount1";
// azurite's well-known development key (public, documented by Microsoft for the emulator).
constexpr const char* kKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
// Another valid base64 key of the same length: the service must refuse its signatures.
constexpr const char* kWrongKey =
    "AAAAvdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
constexpr const char* kContainer = "kit-container";

class AzureOnAzurite : public ::testing::Test {
 protected:
  void SetUp() override {
    endpoint_ = readFile(std::string(AZURITE_DIR) + "/endpoint");
    while (!endpoint_.empty() && endpoint_.back() == '\n') {
      endpoint_.pop_back();
    }
    ASSERT_FALSE(endpoint_.empty()) << "azurite is not running: azurite_start starts it";
    const KV kv = good();
    std::vector<mysqlop_type_kv> items;
    for (const auto& [k, v] : kv) {
      items.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
    }
    try {
      targetazure::AzureTarget::createContainer({}, Credentials({items.data(), items.size()}),
                                                kContainer);
    } catch (const mysqlop::Error& e) {
      ASSERT_EQ(e.status(), mysqlop_status_AlreadyExists) << e.what();
    }
  }

  KV good() const {
    return {{"AZUREBLOB_ACCOUNT", kAccount},
            {"AZUREBLOB_KEY", kKey},
            {"AZUREBLOB_ENDPOINT", endpoint_ + "/" + kAccount}};
  }

  targetcheck::TargetClient client(const KV& credentials, const std::string& config = "{}") {
    auto p = host_.loadBackupTarget(AZURE_TARGET_PATH, config);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return targetcheck::TargetClient(**p, credentials);
  }

  std::string endpoint_;
  host::StandaloneHost host_;
  TempDir dir_;
};

TEST_F(AzureOnAzurite, TheKitPassesAndNoKeyIsPrinted) {
  ::setenv("AZUREBLOB_KEY", kKey, 1);  // read by --credentials-env, not on argv
  SpawnSpec spec;
  spec.argv = {KIT_PATH,
               AZURE_TARGET_PATH,
               "--url",
               std::string("azure://") + kContainer + "/backups/",
               "--config",
               R"({"blockSize":1048576})",
               "--large-size",
               "32M",
               "--credentials",
               std::string("AZUREBLOB_ACCOUNT=") + kAccount,
               "--credentials-env",
               "AZUREBLOB_KEY",
               "--credentials",
               "AZUREBLOB_ENDPOINT=" + endpoint_ + "/" + kAccount,
               "--bad-credentials",
               std::string("AZUREBLOB_KEY=") + kWrongKey};
  spec.stdoutPath = dir_.file("out");
  spec.stderrPath = dir_.file("out");
  const pid_t pid = spawnProcess(spec);
  const auto code = waitForExit(pid, std::chrono::minutes(3));
  const std::string out = readFile(dir_.file("out"));
  ASSERT_TRUE(code) << out;
  EXPECT_EQ(*code, 0) << out;
  EXPECT_THAT(out, HasSubstr("\nPASS bad_credentials_forbidden: answered Forbidden (\"committing "
                             "azure://kit-container/backups/"));
  EXPECT_THAT(out, HasSubstr("/denied/object: the service refused the credentials "
                             "(AuthorizationFailure): check AZUREBLOB_ACCOUNT and "
                             "AZUREBLOB_KEY\")\n"));
  EXPECT_THAT(out, HasSubstr("\nPASS large_object_bounded_memory: 32.0 MiB written at "));
  EXPECT_THAT(out, ::testing::EndsWith("\nmysqlop-target-check: 14 passed, 0 failed, 1 skipped\n"));
  EXPECT_THAT(out, Not(HasSubstr(kKey)));
  EXPECT_THAT(out, Not(HasSubstr(kWrongKey)));
}

TEST_F(AzureOnAzurite, AWrongKeyIsForbiddenAndNamesTheKeysNotTheValue) {
  KV kv = good();
  kv[1].second = kWrongKey;
  auto c = client(kv);
  const auto o = c.put("azure://kit-container/denied/x", "x");
  EXPECT_EQ(o.status, mysqlop_status_Forbidden);
  EXPECT_EQ(o.message,
            "committing azure://kit-container/denied/x: the service refused the credentials "
            "(AuthorizationFailure): check AZUREBLOB_ACCOUNT and AZUREBLOB_KEY");
}

TEST_F(AzureOnAzurite, AMissingContainerIsNotFoundNamingIt) {
  auto c = client(good());
  auto o = c.put("azure://no-such-container/x", "x");
  EXPECT_EQ(o.status, mysqlop_status_NotFound);
  EXPECT_EQ(o.message, "committing azure://no-such-container/x: the container does not exist");
  o = c.probe("azure://no-such-container/x");
  EXPECT_EQ(o.status, mysqlop_status_NotFound);
  EXPECT_EQ(o.message, "reading azure://no-such-container/x: the container does not exist");
}

TEST_F(AzureOnAzurite, AnUnreachableEndpointIsRetry) {
  KV kv = good();
  kv[2].second = "http://127.0.0.1:1/devstoreaccount1";
  auto c = client(kv);
  const auto o = c.put("azure://kit-container/x", "x");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message,
            "committing azure://kit-container/x: cannot reach 127.0.0.1:1: Connection refused");
}

// Blocks put before the block list are invisible to list and to readers, also for an object
// that already exists (it keeps its old bytes until the block list replaces them).
TEST_F(AzureOnAzurite, NothingIsVisibleBeforeTheBlockList) {
  auto c = client(good(), R"({"blockSize":65536})");
  ASSERT_TRUE(c.put("azure://kit-container/blocks/old", "old").ok());
  for (const std::string name : {"new", "old"}) {
    const std::string url = "azure://kit-container/blocks/" + name;
    std::unique_ptr<targetcheck::TargetClient::Writer> w;
    ASSERT_TRUE(c.openWriter(url, &w).ok());
    const std::string data(3 * 65536 + 10, 'b');
    ASSERT_TRUE(w->write(data.data(), data.size()).ok());  // three blocks are up
    std::vector<targetcheck::Listed> listed;
    ASSERT_TRUE(c.list("azure://kit-container/blocks/", &listed).ok());
    // "new" (committed in the first round) sorts before "old", which still has its 3 bytes.
    ASSERT_EQ(listed.size(), name == "new" ? 1u : 2u);
    EXPECT_EQ(listed.back().url, "azure://kit-container/blocks/old");
    EXPECT_EQ(listed.back().size, 3u);
    std::string read;
    if (name == "new") {
      EXPECT_EQ(c.probe(url).status, mysqlop_status_NotFound);
    } else {
      ASSERT_TRUE(c.get(url, &read).ok());
      EXPECT_EQ(read, "old");
    }
    ASSERT_TRUE(w->commit().ok());
    ASSERT_TRUE(c.get(url, &read).ok());
    EXPECT_EQ(read, data);
  }
  ASSERT_TRUE(c.remove("azure://kit-container/blocks/old").ok());
  ASSERT_TRUE(c.remove("azure://kit-container/blocks/new").ok());
  const auto o = c.remove("azure://kit-container/blocks/new");
  EXPECT_EQ(o.status, mysqlop_status_NotFound);
  EXPECT_EQ(o.message, "object azure://kit-container/blocks/new does not exist");
}

}  // namespace
}  // namespace mysqlop::testing
