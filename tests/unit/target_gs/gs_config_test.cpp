// The gs target's config, URLs and service-account parsing: every refusal with its exact message.
#include <gtest/gtest.h>

#include "plugins/target_gs/src/gs_config.h"

namespace mysqlop::targetgs {
namespace {

using KV = std::vector<std::pair<std::string, std::string>>;

Account account(const KV& kv) {
  std::vector<mysqlop_type_kv> items;
  for (const auto& [k, v] : kv) {
    items.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
  }
  return accountFor(Credentials({items.data(), items.size()}));
}

template <class F>
std::string messageOf(F f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), mysqlop_status_InvalidConfig);
    return e.what();
  }
  return "no error";
}

TEST(GsConfig, Options) {
  EXPECT_EQ(parseOptions(R"({"chunkSize":262144})").chunkSize, 262144u);
  EXPECT_EQ(parseOptions(R"({"endpoint":"http://127.0.0.1:1/"})").endpoint, "http://127.0.0.1:1");
  EXPECT_EQ(messageOf([] { parseOptions(R"({"chunkSize":1000})"); }),
            "config.chunkSize: expected a multiple of 256 KiB (262144) up to 256 MiB");
  EXPECT_EQ(messageOf([] { parseOptions(R"({"endpoint":"storage"})"); }),
            "config.endpoint: expected a URL such as https://storage.googleapis.com");
  EXPECT_EQ(messageOf([] { parseOptions(R"({"x":1})"); }),
            "config: unknown key \"x\" (known: chunkSize, endpoint, timeoutSeconds)");
}

TEST(GsConfig, Urls) {
  const Location l = parseUrl("gs://bucket/db/x.xbackup.gz", true);
  EXPECT_EQ(l.bucket, "bucket");
  EXPECT_EQ(l.object, "db/x.xbackup.gz");
  EXPECT_EQ(messageOf([] { parseUrl("s3://bucket/x", true); }),
            "URL s3://bucket/x: expected gs://bucket/object");
  EXPECT_EQ(messageOf([] { parseUrl("gs:///x", true); }),
            "URL gs:///x: expected gs://bucket/object");
  EXPECT_EQ(messageOf([] { parseUrl("gs://bucket/dir/", true); }),
            "URL gs://bucket/dir/: expected an object name, not a directory");
}

TEST(GsConfig, ServiceAccount) {
  const Account a = account({{"GCS_SERVICE_ACCOUNT_JSON_KEY",
                              R"({"client_email":"e","private_key":"k","token_uri":"t"})"},
                             {"GCS_OBJECT_ACL", "projectPrivate"},
                             {"GCS_STORAGE_CLASS", "NEARLINE"}});
  EXPECT_EQ(a.clientEmail, "e");
  EXPECT_EQ(a.objectAcl, "projectPrivate");
  EXPECT_EQ(a.storageClass, "NEARLINE");
  EXPECT_EQ(messageOf([] { account({}); }), "credentials: GCS_SERVICE_ACCOUNT_JSON_KEY is not set");
  EXPECT_EQ(messageOf([] {
              account({{"GCS_SERVICE_ACCOUNT_JSON_KEY", "SECRET{"}});
            }),
            "credentials: GCS_SERVICE_ACCOUNT_JSON_KEY is not a JSON object");
  EXPECT_EQ(
      messageOf([] {
        account({{"GCS_SERVICE_ACCOUNT_JSON_KEY", R"({"client_email":"e","token_uri":"t"})"}});
      }),
      "credentials: GCS_SERVICE_ACCOUNT_JSON_KEY has no private_key");
}

}  // namespace
}  // namespace mysqlop::targetgs
