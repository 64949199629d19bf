// The s3 target on a real S3 server (Ceph RGW, started by the s3_rgw_start CTest fixture): the
// conformance kit, and each credential and endpoint failure with its status and message. No
// message or output may contain a secret value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "core/host/standalone_host.h"
#include "plugins/target_s3/src/s3_client.h"
#include "plugins/target_s3/src/s3_target.h"
#include "target-check/target_client.h"
#include "tests/support/process/child_process.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using KV = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kBucket = "kit-bucket";
constexpr const char* kSecret = "TESTSECRET";
constexpr const char* kWrongSecret = "wrong-secret-value";

class S3OnRgw : public ::testing::Test {
 protected:
  void SetUp() override {
    endpoint_ = readFile(std::string(RGW_DIR) + "/endpoint");
    while (!endpoint_.empty() && endpoint_.back() == '\n') {
      endpoint_.pop_back();
    }
    ASSERT_FALSE(endpoint_.empty()) << "RGW is not running: the s3_rgw_start test starts it";
    KV kv = good();
    std::vector<mysqlop_type_kv> items;
    for (const auto& [k, v] : kv) {
      items.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
    }
    try {
      targets3::S3Target::createBucket({}, Credentials({items.data(), items.size()}), kBucket);
    } catch (const mysqlop::Error& e) {
      ASSERT_EQ(e.status(), mysqlop_status_AlreadyExists) << e.what();
    }
  }

  KV good() const {
    return {{"AWS_ACCESS_KEY_ID", "TESTKEY"},
            {"AWS_SECRET_ACCESS_KEY", kSecret},
            {"S3_ENDPOINT", endpoint_}};
  }

  // Loads the plugin through the operator's loader and writes one object with credentials.
  targetcheck::Outcome put(const KV& credentials, const std::string& url,
                           const std::string& config = "{}", std::size_t size = 10) {
    auto p = host_.loadBackupTarget(S3_TARGET_PATH, config);
    if (!p.ok()) {
      return {mysqlop_status_Internal, p.error().message};
    }
    targetcheck::TargetClient client(**p, credentials);
    return client.put(url, std::string(size, 'x'), 1 << 20);
  }

  // A client of the store that bypasses the plugin, to look at what it left.
  targets3::S3Client raw() const {
    targets3::Settings s;
    s.https = false;
    s.host = "127.0.0.1";
    s.port = static_cast<unsigned short>(std::stoi(endpoint_.substr(endpoint_.rfind(':') + 1)));
    s.pathStyle = true;
    s.key = {"TESTKEY", kSecret, "us-east-1", "s3"};
    return targets3::S3Client(s, 30);
  }

  std::string endpoint_;
  host::StandaloneHost host_;
  TempDir dir_;
};

TEST_F(S3OnRgw, TheKitPassesAndNoSecretIsPrinted) {
  SpawnSpec spec;
  spec.argv = {KIT_PATH,
               S3_TARGET_PATH,
               "--url",
               std::string("s3://") + kBucket + "/backups/",
               "--config",
               R"({"partSize":5242880,"uploadConcurrency":3})",
               "--large-size",
               "64M",
               "--credentials",
               "AWS_ACCESS_KEY_ID=TESTKEY",
               "--credentials",
               std::string("AWS_SECRET_ACCESS_KEY=") + kSecret,
               "--credentials",
               "S3_ENDPOINT=" + endpoint_,
               "--bad-credentials",
               std::string("AWS_SECRET_ACCESS_KEY=") + kWrongSecret};
  spec.stdoutPath = dir_.file("out");
  spec.stderrPath = dir_.file("out");
  const pid_t pid = spawnProcess(spec);
  const auto code = waitForExit(pid, std::chrono::minutes(5));
  const std::string out = readFile(dir_.file("out"));
  ASSERT_TRUE(code) << out;
  EXPECT_EQ(*code, 0) << out;
  EXPECT_THAT(out, HasSubstr("\nPASS bad_credentials_forbidden: answered Forbidden (\"committing "
                             "s3://kit-bucket/backups/"));
  EXPECT_THAT(out, HasSubstr("/denied/object: the store refused the credentials "
                             "(SignatureDoesNotMatch): check AWS_ACCESS_KEY_ID and "
                             "AWS_SECRET_ACCESS_KEY\")\n"));
  EXPECT_THAT(out, HasSubstr("\nPASS large_object_bounded_memory: 64.0 MiB written at "));
  EXPECT_THAT(out, HasSubstr("\nSKIP failed_commit_leaves_nothing: the store accepts an object "
                             "beside a prefix of the same name, so this commit cannot be made to "
                             "fail\n"));
  EXPECT_THAT(out, ::testing::EndsWith("\nmysqlop-target-check: 14 passed, 0 failed, 1 skipped\n"));
  EXPECT_THAT(out, Not(HasSubstr(kSecret)));
  EXPECT_THAT(out, Not(HasSubstr(kWrongSecret)));
}

// Virtual-hosted addressing against the real store: the bucket is in the Host header
// (<bucket>.s3.test, RGW's rgw_dns_name in rgw.sh). The kit runs under bwrap with a private
// /etc/hosts that maps those names to loopback, so no name leaves the machine and the host's
// resolver is untouched.
TEST_F(S3OnRgw, TheKitPassesWithVirtualHostedAddressing) {
  const std::string port = endpoint_.substr(endpoint_.rfind(':') + 1);
  const std::string hosts = dir_.file("hosts");
  std::ofstream(hosts) << "127.0.0.1 s3.test " << kBucket << ".s3.test\n";
  SpawnSpec spec;
  spec.argv = {"/usr/bin/bwrap",
               "--dev-bind",
               "/",
               "/",
               "--ro-bind",
               hosts,
               "/etc/hosts",
               KIT_PATH,
               S3_TARGET_PATH,
               "--url",
               std::string("s3://") + kBucket + "/virtual/",
               "--config",
               R"({"addressing":"virtual"})",
               "--large-size",
               "16M",
               "--credentials",
               "AWS_ACCESS_KEY_ID=TESTKEY",
               "--credentials",
               std::string("AWS_SECRET_ACCESS_KEY=") + kSecret,
               "--credentials",
               "S3_ENDPOINT=http://s3.test:" + port,
               "--bad-credentials",
               std::string("AWS_SECRET_ACCESS_KEY=") + kWrongSecret};
  spec.stdoutPath = dir_.file("out");
  spec.stderrPath = dir_.file("out");
  const pid_t pid = spawnProcess(spec);
  const auto code = waitForExit(pid, std::chrono::minutes(5));
  const std::string out = readFile(dir_.file("out"));
  ASSERT_TRUE(code) << out;
  EXPECT_EQ(*code, 0) << out;
  EXPECT_THAT(out, HasSubstr("\nPASS write_commit_read"));
  EXPECT_THAT(out, ::testing::EndsWith("\nmysqlop-target-check: 14 passed, 0 failed, 1 skipped\n"));
  EXPECT_THAT(out, Not(HasSubstr(kSecret)));
}

TEST_F(S3OnRgw, AWrongSecretIsForbiddenAndNamesTheKeysNotTheValue) {
  KV kv = good();
  kv[1].second = kWrongSecret;
  const auto o = put(kv, "s3://kit-bucket/denied/x");
  EXPECT_EQ(o.status, mysqlop_status_Forbidden);
  EXPECT_EQ(o.message,
            "committing s3://kit-bucket/denied/x: the store refused the credentials "
            "(SignatureDoesNotMatch): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
}

TEST_F(S3OnRgw, AnUnknownAccessKeyIsForbidden) {
  KV kv = good();
  kv[0].second = "NOSUCHKEY";
  const auto o = put(kv, "s3://kit-bucket/denied/x");
  EXPECT_EQ(o.status, mysqlop_status_Forbidden);
  EXPECT_EQ(o.message,
            "committing s3://kit-bucket/denied/x: the store refused the credentials "
            "(InvalidAccessKeyId): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
}

TEST_F(S3OnRgw, AMissingKeyIsInvalidConfigBeforeAnyRequest) {
  KV kv = good();
  kv.erase(kv.begin());
  const auto o = put(kv, "s3://kit-bucket/x");
  EXPECT_EQ(o.status, mysqlop_status_InvalidConfig);
  EXPECT_EQ(o.message, "credentials: AWS_ACCESS_KEY_ID is not set");
}

TEST_F(S3OnRgw, TheLegacySecretKeyNameWorks) {
  const KV kv = {{"AWS_ACCESS_KEY_ID", "TESTKEY"},  {"AWS_SECRET_KEY", kSecret},
                 {"S3_ENDPOINT", endpoint_},        {"AWS_ACL", "private"},
                 {"AWS_STORAGE_CLASS", "STANDARD"}, {"AWS_REGION", "us-east-1"}};
  const auto o = put(kv, "s3://kit-bucket/legacy/x");
  EXPECT_TRUE(o.ok()) << o.message;
}

TEST_F(S3OnRgw, AMissingBucketIsNotFound) {
  const auto o = put(good(), "s3://no-such-bucket-kit/x");
  EXPECT_EQ(o.status, mysqlop_status_NotFound);
  EXPECT_EQ(o.message,
            "committing s3://no-such-bucket-kit/x: the bucket does not exist (NoSuchBucket)");
}

TEST_F(S3OnRgw, AnEndpointThatDoesNotAnswerIsRetry) {
  KV kv = good();
  kv[2].second = "http://127.0.0.1:1";
  const auto o = put(kv, "s3://kit-bucket/x");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_THAT(o.message, ::testing::StartsWith("committing s3://kit-bucket/x: cannot reach the S3 "
                                               "endpoint http://127.0.0.1:1: "));
  EXPECT_THAT(o.message, HasSubstr("refused"));
}

TEST_F(S3OnRgw, HttpsToAPlainHttpStoreFailsTheHandshakeAsRetry) {
  KV kv = good();
  kv[2].second = "https" + endpoint_.substr(endpoint_.find("://"));
  const auto o = put(kv, "s3://kit-bucket/x");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_THAT(o.message, ::testing::StartsWith("committing s3://kit-bucket/x: cannot reach the S3 "
                                               "endpoint " +
                                               kv[2].second + ": "));
  EXPECT_THAT(o.message, HasSubstr("SSL"));
}

TEST_F(S3OnRgw, AbortRemovesTheMultipartUploadFromTheStore) {
  auto p = host_.loadBackupTarget(S3_TARGET_PATH, R"({"partSize":5242880})");
  ASSERT_TRUE(p.ok()) << p.error().message;
  targetcheck::TargetClient client(**p, good());
  std::unique_ptr<targetcheck::TargetClient::Writer> w;
  ASSERT_TRUE(client.openWriter("s3://kit-bucket/aborted/big", &w).ok());
  const std::string chunk(1 << 20, 'y');
  for (int i = 0; i < 6; ++i) {  // one part uploaded: a multipart upload exists
    ASSERT_TRUE(w->write(chunk.data(), chunk.size()).ok());
  }
  targets3::S3Client raw = this->raw();
  auto uploads = raw.send("GET", kBucket, "", {{"uploads", ""}}, {}, "", "listing uploads");
  ASSERT_EQ(uploads.status, 200);
  EXPECT_THAT(uploads.body, HasSubstr("<Key>aborted/big</Key>"));
  w->abort();
  uploads = raw.send("GET", kBucket, "", {{"uploads", ""}}, {}, "", "listing uploads");
  ASSERT_EQ(uploads.status, 200);
  EXPECT_THAT(uploads.body, Not(HasSubstr("<Key>aborted/big</Key>")));
  EXPECT_EQ(client.probe("s3://kit-bucket/aborted/big").status, mysqlop_status_NotFound);
}

TEST_F(S3OnRgw, ACommitTheStoreRefusesLeavesNothingVisible) {
  auto p = host_.loadBackupTarget(S3_TARGET_PATH, R"({"partSize":5242880})");
  ASSERT_TRUE(p.ok()) << p.error().message;
  targetcheck::TargetClient client(**p, good());
  std::unique_ptr<targetcheck::TargetClient::Writer> w;
  ASSERT_TRUE(client.openWriter("s3://kit-bucket/failed/big", &w).ok());
  const std::string chunk(1 << 20, 'z');
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(w->write(chunk.data(), chunk.size()).ok());
  }
  // Someone (a lifecycle rule, an operator) aborts the upload under the writer.
  targets3::S3Client store = raw();
  const auto uploads = store.send("GET", kBucket, "", {{"uploads", ""}}, {}, "", "listing");
  std::size_t at = uploads.body.find("<Key>failed/big</Key>");
  ASSERT_NE(at, std::string::npos) << uploads.body;
  const std::string id = targets3::xmlValue(uploads.body, "UploadId", at);
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(
      store.send("DELETE", kBucket, "failed/big", {{"uploadId", id}}, {}, "", "aborting").status,
      204);
  const auto o = w->commit();
  EXPECT_EQ(o.status, mysqlop_status_NotFound);
  EXPECT_EQ(o.message, "committing s3://kit-bucket/failed/big (part 2): not found (NoSuchUpload)");
  EXPECT_EQ(client.probe("s3://kit-bucket/failed/big").status, mysqlop_status_NotFound);
  std::vector<targetcheck::Listed> listed;
  ASSERT_TRUE(client.list("s3://kit-bucket/failed/", &listed).ok());
  EXPECT_TRUE(listed.empty());
}

// With parts in flight on other threads: a failure of any part fails the writer, the abort waits
// for the parts still running, and nothing is left.
TEST_F(S3OnRgw, WithPartsInFlightAnAbortedUploadFailsTheCommitAndLeavesNothing) {
  auto p = host_.loadBackupTarget(S3_TARGET_PATH, R"({"partSize":5242880,"uploadConcurrency":2})");
  ASSERT_TRUE(p.ok()) << p.error().message;
  targetcheck::TargetClient client(**p, good());
  std::unique_ptr<targetcheck::TargetClient::Writer> w;
  ASSERT_TRUE(client.openWriter("s3://kit-bucket/parallel/big", &w).ok());
  const std::string chunk(1 << 20, 'p');
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(w->write(chunk.data(), chunk.size()).ok());
  }
  targets3::S3Client store = raw();
  const auto uploads = store.send("GET", kBucket, "", {{"uploads", ""}}, {}, "", "listing");
  const std::size_t at = uploads.body.find("<Key>parallel/big</Key>");
  ASSERT_NE(at, std::string::npos) << uploads.body;
  const std::string id = targets3::xmlValue(uploads.body, "UploadId", at);
  ASSERT_EQ(
      store.send("DELETE", kBucket, "parallel/big", {{"uploadId", id}}, {}, "", "aborting").status,
      204);
  const auto o = w->commit();
  EXPECT_EQ(o.status, mysqlop_status_NotFound);
  // Part 1 may have failed on its thread (writing) or part 2 at commit (committing).
  EXPECT_THAT(o.message, HasSubstr("s3://kit-bucket/parallel/big (part "));
  EXPECT_THAT(o.message, ::testing::EndsWith("): not found (NoSuchUpload)"));
  EXPECT_EQ(client.probe("s3://kit-bucket/parallel/big").status, mysqlop_status_NotFound);
}

TEST_F(S3OnRgw, ManyPartsInFlightReadBackInOrder) {
  auto p = host_.loadBackupTarget(S3_TARGET_PATH, R"({"partSize":5242880,"uploadConcurrency":4})");
  ASSERT_TRUE(p.ok()) << p.error().message;
  targetcheck::TargetClient client(**p, good());
  std::string data;
  for (int i = 0; i < 23 * 1024; ++i) {  // 23 MiB in 1 KiB blocks that name their position
    std::string block = std::to_string(i);
    block.resize(1024, static_cast<char>('a' + i % 26));
    data += block;
  }
  ASSERT_TRUE(client.put("s3://kit-bucket/parallel/ordered", data, 1 << 20).ok());
  std::string back;
  ASSERT_TRUE(client.get("s3://kit-bucket/parallel/ordered", &back, 1 << 20).ok());
  EXPECT_EQ(back.size(), data.size());
  EXPECT_TRUE(back == data) << "the parts were assembled out of order";
  EXPECT_TRUE(client.remove("s3://kit-bucket/parallel/ordered").ok());
}

}  // namespace
}  // namespace mysqlop::testing
