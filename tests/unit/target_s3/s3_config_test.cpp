// The s3 target's URLs, configuration, credential keys and error answers, without a store.
#include <gtest/gtest.h>

#include "plugins/target_s3/src/s3_client.h"
#include "plugins/target_s3/src/s3_config.h"

namespace mysqlop::testing {
namespace {

using namespace targets3;

template <class F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const mysqlop::Error& e) {
    return std::string(mysqlop::statusName(e.status())) + ": " + e.what();
  }
  return "accepted";
}

struct Creds {
  std::vector<std::pair<std::string, std::string>> kv;
  std::vector<mysqlop_type_kv> items;
  mysqlop::Credentials get() {
    items.clear();
    for (const auto& [k, v] : kv) {
      items.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
    }
    return mysqlop::Credentials({items.data(), items.size()});
  }
};

TEST(S3Url, BucketAndKey) {
  const Location l = parseUrl("s3://backups/c1/full.xbackup.gz", true);
  EXPECT_EQ(l.bucket, "backups");
  EXPECT_EQ(l.key, "c1/full.xbackup.gz");
  EXPECT_EQ(parseUrl("s3://backups", false).key, "");
  EXPECT_EQ(parseUrl("s3://backups/c1/", false).key, "c1/");
}

TEST(S3Url, EachBadUrlIsNamed) {
  EXPECT_EQ(errorOf([] { parseUrl("gs://b/k", true); }),
            "InvalidConfig: URL gs://b/k does not start with s3://");
  EXPECT_EQ(errorOf([] { parseUrl("s3:b/k", true); }),
            "InvalidConfig: URL s3:b/k does not start with s3://");
  EXPECT_EQ(errorOf([] { parseUrl("s3:///k", true); }),
            "InvalidConfig: URL s3:///k names no bucket (s3://bucket/key)");
  EXPECT_EQ(errorOf([] { parseUrl("s3://Bad_Bucket/k", true); }),
            "InvalidConfig: URL s3://Bad_Bucket/k: \"Bad_Bucket\" is not a valid bucket name (3 "
            "to 63 lower-case letters, digits, '.' and '-')");
  EXPECT_EQ(errorOf([] { parseUrl("s3://backups/c1/", true); }),
            "InvalidConfig: URL s3://backups/c1/ names no object (s3://bucket/key)");
}

TEST(S3Options, KeysAreChecked) {
  EXPECT_EQ(parseOptions("{}").partSize, 8u << 20);
  EXPECT_EQ(parseOptions(R"({"partSize":5242880,"addressing":"virtual"})").addressing, "virtual");
  EXPECT_EQ(errorOf([] { parseOptions(R"({"partSize":1024})"); }),
            "InvalidConfig: config.partSize: expected a number of bytes from 5 MiB (5242880) to 5 "
            "GiB");
  EXPECT_EQ(errorOf([] { parseOptions(R"({"addressing":"dns"})"); }),
            "InvalidConfig: config.addressing: expected \"auto\", \"path\" or \"virtual\"");
  EXPECT_EQ(errorOf([] { parseOptions(R"({"timeoutSeconds":0})"); }),
            "InvalidConfig: config.timeoutSeconds: expected 1 to 3600");
  EXPECT_EQ(errorOf([] { parseOptions(R"({"region":"x"})"); }),
            "InvalidConfig: config: unknown key \"region\" (known: partSize, addressing, "
            "endpoint, timeoutSeconds, uploadConcurrency)");
  EXPECT_EQ(parseOptions(R"({"uploadConcurrency":4})").uploadConcurrency, 4U);
  EXPECT_EQ(errorOf([] { parseOptions(R"({"uploadConcurrency":0})"); }),
            "InvalidConfig: config.uploadConcurrency: expected 1 to 16");
  EXPECT_EQ(errorOf([] { parseOptions(R"({"uploadConcurrency":17})"); }),
            "InvalidConfig: config.uploadConcurrency: expected 1 to 16");
}

TEST(S3Settings, BitpokesKeysAndTheirDefaults) {
  Creds c{{{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_KEY", "fallback-secret"}}, {}};
  Settings s = settingsFor({}, c.get(), "backups");
  EXPECT_EQ(s.key.secretAccessKey, "fallback-secret");  // AWS_SECRET_KEY is the fallback
  EXPECT_EQ(s.key.region, "us-east-1");
  EXPECT_EQ(s.host, "s3.amazonaws.com");
  EXPECT_TRUE(s.https);
  EXPECT_FALSE(s.pathStyle);                                            // AWS: virtual-hosted
  EXPECT_TRUE(settingsFor({}, c.get(), "my.dotted.bucket").pathStyle);  // TLS names

  c.kv = {{"AWS_ACCESS_KEY_ID", "AKID"},
          {"AWS_SECRET_ACCESS_KEY", "primary"},
          {"AWS_SECRET_KEY", "ignored"},
          {"AWS_REGION", "eu-west-1"},
          {"S3_ENDPOINT", "http://127.0.0.1:7480"},
          {"AWS_ACL", "private"},
          {"AWS_STORAGE_CLASS", "STANDARD_IA"},
          {"AWS_SESSION_TOKEN", "tok"}};
  s = settingsFor({}, c.get(), "backups");
  EXPECT_EQ(s.key.secretAccessKey, "primary");
  EXPECT_EQ(s.key.region, "eu-west-1");
  EXPECT_FALSE(s.https);
  EXPECT_EQ(s.host, "127.0.0.1");
  EXPECT_EQ(s.port, 7480);
  EXPECT_TRUE(s.pathStyle);  // a custom endpoint: path-style
  EXPECT_EQ(s.acl, "private");
  EXPECT_EQ(s.storageClass, "STANDARD_IA");
  EXPECT_EQ(s.sessionToken, "tok");
  Options virtualHosted;
  virtualHosted.addressing = "virtual";
  EXPECT_FALSE(settingsFor(virtualHosted, c.get(), "backups").pathStyle);

  c.kv = {
      {"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "s"}, {"AWS_REGION", "eu-west-1"}};
  EXPECT_EQ(settingsFor({}, c.get(), "b").host, "s3.eu-west-1.amazonaws.com");
  c.kv.push_back({"S3_ENDPOINT", "minio.example.com:9000"});
  s = settingsFor({}, c.get(), "b");
  EXPECT_TRUE(s.https);  // a bare host is https, as rclone reads it
  EXPECT_EQ(s.port, 9000);
}

TEST(S3Settings, MissingOrBadKeysAreNamedAndNoValueIsShown) {
  Creds c{{{"AWS_SECRET_ACCESS_KEY", "very-secret-value"}}, {}};
  EXPECT_EQ(errorOf([&] { settingsFor({}, c.get(), "b"); }),
            "InvalidConfig: credentials: AWS_ACCESS_KEY_ID is not set");
  c.kv = {{"AWS_ACCESS_KEY_ID", "AKID"}};
  EXPECT_EQ(errorOf([&] { settingsFor({}, c.get(), "b"); }),
            "InvalidConfig: credentials: neither AWS_SECRET_ACCESS_KEY nor AWS_SECRET_KEY is set");
  c.kv = {{"AWS_ACCESS_KEY_ID", "AKID"},
          {"AWS_SECRET_ACCESS_KEY", "very-secret-value"},
          {"S3_ENDPOINT", "ftp://store"}};
  EXPECT_EQ(errorOf([&] { settingsFor({}, c.get(), "b"); }),
            "InvalidConfig: S3_ENDPOINT \"ftp://store\" is not an endpoint URL "
            "(http[s]://host[:port])");
}

TEST(S3Errors, EachAnswerGetsItsStatusAndNoStoreTextForRefusals) {
  Settings s;
  auto answer = [&](int status, const std::string& code, const std::string& message) {
    HttpResult r{status,
                 "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>" + message +
                     "</Message></Error>",
                 {}};
    return errorOf([&] { throwForStatus(r, "writing s3://b/k", s); });
  };
  EXPECT_EQ(answer(403, "SignatureDoesNotMatch", "echoes AKIDSECRETISH"),
            "Forbidden: writing s3://b/k: the store refused the credentials "
            "(SignatureDoesNotMatch): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(answer(403, "InvalidAccessKeyId", ""),
            "Forbidden: writing s3://b/k: the store refused the credentials (InvalidAccessKeyId): "
            "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(answer(403, "AccessDenied", ""),
            "Forbidden: writing s3://b/k: the store refused the credentials (AccessDenied): the "
            "user of AWS_ACCESS_KEY_ID may not do this");
  s.sessionToken = "tok";
  EXPECT_EQ(answer(400, "ExpiredToken", ""),
            "Forbidden: writing s3://b/k: the store refused the credentials (ExpiredToken): check "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN");
  EXPECT_EQ(answer(404, "NoSuchBucket", "x"),
            "NotFound: writing s3://b/k: the bucket does not exist (NoSuchBucket)");
  EXPECT_EQ(answer(503, "SlowDown", "Please reduce your request rate."),
            "Retry: writing s3://b/k: the store answered 503 (SlowDown): Please reduce your "
            "request rate.");
  EXPECT_EQ(answer(400, "EntityTooSmall", "too small"),
            "InvalidConfig: writing s3://b/k: the store answered 400 (EntityTooSmall): too small");
}

TEST(S3Xml, ValuesAreUnescapedAndFoundInOrder) {
  const std::string xml =
      "<R><Contents><Key>a&amp;b</Key></Contents><Contents><Key>c&lt;d</Key></Contents></R>";
  std::size_t end = 0;
  const std::string first = xmlValue(xml, "Contents", 0, &end);
  EXPECT_EQ(xmlValue(first, "Key"), "a&b");
  EXPECT_EQ(xmlValue(xmlValue(xml, "Contents", end), "Key"), "c<d");
  EXPECT_EQ(xmlValue(xml, "Missing"), "");
  EXPECT_EQ(xmlEscape("\"a&b<c>\""), "&quot;a&amp;b&lt;c&gt;&quot;");
}

}  // namespace
}  // namespace mysqlop::testing
