// The gs target against gcs_server.py (a minimal JSON API written for these tests, started per
// test suite): the token endpoint checks the JWT's RS256 signature with the account's key, so a
// pass means the plugin's JWT is what Google verifies. The conformance kit, a refused account,
// nothing visible before the last chunk. No message or output may contain the private key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/host/standalone_host.h"
#include "target-check/target_client.h"
#include "tests/support/process/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait/eventually.h"
#include "tests/unit/target_gs/test_key.h"

namespace mysqlop::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using KV = std::vector<std::pair<std::string, std::string>>;

class GsOnTestServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string account = nlohmann::json{
        {"client_email", "kit@project.iam.gserviceaccount.com"},
        {"private_key",
         targetgs::testkey::kPem}}.dump();
    SpawnSpec spec;
    spec.argv = {"/usr/bin/python3", GCS_SERVER, dir_->write("account.json", account), "kit-bucket",
                 dir_->file("port")};
    spec.stderrPath = dir_->file("server.log");
    pid_ = spawnProcess(spec);
  }
  static void TearDownTestSuite() {
    killProcess(pid_);
    delete dir_;
  }
  void SetUp() override {
    ASSERT_TRUE(eventually(
        "gcs_server.py listens", [] { return !readFile(dir_->file("port")).empty(); },
        [] { return readFile(dir_->file("server.log")); }));
    base_ = "http://127.0.0.1:" + readFile(dir_->file("port"));
  }

  std::string accountJson(const std::string& email = "kit@project.iam.gserviceaccount.com") const {
    return nlohmann::json{{"type", "service_account"},
                          {"client_email", email},
                          {"private_key", targetgs::testkey::kPem},
                          {"token_uri", base_ + "/token"}}
        .dump();
  }
  std::string config() const { return R"({"chunkSize":262144,"endpoint":")" + base_ + R"("})"; }

  // The plugin is loaded once per host (a scheme has one target); each client has its credentials.
  targetcheck::TargetClient client(const KV& credentials) {
    if (plugin_ == nullptr) {
      auto p = host_.loadBackupTarget(GS_TARGET_PATH, config());
      EXPECT_TRUE(p.ok()) << p.error().message;
      plugin_ = *p;
    }
    return targetcheck::TargetClient(*plugin_, credentials);
  }

  static TempDir* dir_;
  static pid_t pid_;
  std::string base_;
  host::StandaloneHost host_;
  host::StandalonePlugin* plugin_ = nullptr;
};

TempDir* GsOnTestServer::dir_ = nullptr;
pid_t GsOnTestServer::pid_ = -1;

TEST_F(GsOnTestServer, TheKitPassesAndNoKeyIsPrinted) {
  SpawnSpec spec;
  spec.argv = {
      KIT_PATH,
      GS_TARGET_PATH,
      "--url",
      "gs://kit-bucket/backups/",
      "--config",
      config(),
      "--large-size",
      "16M",
      "--credentials-env",
      "GCS_SERVICE_ACCOUNT_JSON_KEY",
      "--bad-credentials",
      "GCS_SERVICE_ACCOUNT_JSON_KEY=" + accountJson("intruder@project.iam.gserviceaccount.com")};
  spec.env = {"GCS_SERVICE_ACCOUNT_JSON_KEY=" + accountJson()};  // not on argv
  spec.stdoutPath = dir_->file("kit.out");
  spec.stderrPath = dir_->file("kit.out");
  const pid_t pid = spawnProcess(spec);
  const auto code = waitForExit(pid, std::chrono::minutes(3));
  const std::string out = readFile(dir_->file("kit.out"));
  ASSERT_TRUE(code) << out;
  EXPECT_EQ(*code, 0) << out;
  EXPECT_THAT(out, HasSubstr("\nPASS bad_credentials_forbidden: answered Forbidden (\"committing "
                             "gs://kit-bucket/backups/"));
  EXPECT_THAT(out, HasSubstr("/denied/object: the token endpoint refused the service account "
                             "(invalid_grant): check GCS_SERVICE_ACCOUNT_JSON_KEY\")\n"));
  EXPECT_THAT(out, HasSubstr("\nPASS large_object_bounded_memory: 16.0 MiB written at "));
  EXPECT_THAT(out, ::testing::EndsWith("\nmysqlop-target-check: 14 passed, 0 failed, 1 skipped\n"));
  EXPECT_THAT(out, Not(HasSubstr("PRIVATE KEY")));
}

TEST_F(GsOnTestServer, NothingIsVisibleBeforeTheLastChunk) {
  auto c = client({{"GCS_SERVICE_ACCOUNT_JSON_KEY", accountJson()}});
  std::unique_ptr<targetcheck::TargetClient::Writer> w;
  ASSERT_TRUE(c.openWriter("gs://kit-bucket/chunks/x", &w).ok());
  const std::string data(3 * 262144 + 7, 'g');
  ASSERT_TRUE(w->write(data.data(), data.size()).ok());  // three chunks are in the session
  std::vector<targetcheck::Listed> listed;
  ASSERT_TRUE(c.list("gs://kit-bucket/chunks/", &listed).ok());
  EXPECT_TRUE(listed.empty());
  EXPECT_EQ(c.probe("gs://kit-bucket/chunks/x").status, mysqlop_status_NotFound);
  ASSERT_TRUE(w->commit().ok());
  std::string read;
  ASSERT_TRUE(c.get("gs://kit-bucket/chunks/x", &read).ok());
  EXPECT_EQ(read, data);
  ASSERT_TRUE(c.remove("gs://kit-bucket/chunks/x").ok());
}

// One token serves every operation of a target until it expires; a token the service no longer
// accepts (401) is replaced once, transparently.
TEST_F(GsOnTestServer, OneTokenServesManyOperationsAndAnExpiredOneIsReplaced) {
  auto issued = [this] {
    Poco::Net::HTTPClientSession s(
        "127.0.0.1", static_cast<Poco::UInt16>(std::stoi(base_.substr(base_.rfind(':') + 1))));
    Poco::Net::HTTPRequest req("GET", "/_test/tokens", Poco::Net::HTTPMessage::HTTP_1_1);
    s.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(s.receiveResponse(resp), body);
    return nlohmann::json::parse(body).at("issued").get<int>();
  };
  auto c = client({{"GCS_SERVICE_ACCOUNT_JSON_KEY", accountJson()}});
  const int before = issued();
  for (int i = 0; i < 3; ++i) {
    const std::string url = "gs://kit-bucket/cache/" + std::to_string(i);
    const auto put = c.put(url, "data");
    ASSERT_TRUE(put.ok()) << put.status << " " << put.message;
    std::string read;
    const auto got = c.get(url, &read);
    ASSERT_TRUE(got.ok()) << got.message;
    std::vector<targetcheck::Listed> listed;
    const auto list = c.list("gs://kit-bucket/cache/", &listed);
    ASSERT_TRUE(list.ok()) << list.message;
  }
  EXPECT_EQ(issued(), before + 1);

  Poco::Net::HTTPClientSession s(
      "127.0.0.1", static_cast<Poco::UInt16>(std::stoi(base_.substr(base_.rfind(':') + 1))));
  Poco::Net::HTTPRequest revoke("POST", "/_test/revoke", Poco::Net::HTTPMessage::HTTP_1_1);
  revoke.setContentLength(0);
  s.sendRequest(revoke);
  Poco::Net::HTTPResponse resp;
  s.receiveResponse(resp).ignore(1 << 20);
  ASSERT_EQ(resp.getStatus(), 200);

  std::string read;
  const auto got = c.get("gs://kit-bucket/cache/0", &read);
  ASSERT_TRUE(got.ok()) << got.message;
  EXPECT_EQ(read, "data");
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(c.remove("gs://kit-bucket/cache/" + std::to_string(i)).ok());
  }
  EXPECT_EQ(issued(), before + 2);
}

TEST_F(GsOnTestServer, AMissingBucketAndAnUnreachableTokenEndpoint) {
  auto c = client({{"GCS_SERVICE_ACCOUNT_JSON_KEY", accountJson()}});
  auto o = c.put("gs://no-bucket/x", "x");
  EXPECT_EQ(o.status, mysqlop_status_NotFound);
  EXPECT_EQ(o.message, "committing gs://no-bucket/x: not found");
  auto account = nlohmann::json::parse(accountJson());
  account["token_uri"] = "http://127.0.0.1:1/token";
  auto d = client({{"GCS_SERVICE_ACCOUNT_JSON_KEY", account.dump()}});
  o = d.put("gs://kit-bucket/x", "x");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message,
            "committing gs://kit-bucket/x (token): cannot reach 127.0.0.1:1: Connection refused");
}

}  // namespace
}  // namespace mysqlop::testing
