// The azure target's config, URLs and credentials: every refusal with its exact message, and no
// message holding the key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugins/target_azure/src/azure_config.h"

namespace mysqlop::targetazure {
namespace {

using KV = std::vector<std::pair<std::string, std::string>>;

Settings settings(const KV& kv, const Options& o = {}) {
  std::vector<mysqlop_type_kv> items;
  for (const auto& [k, v] : kv) {
    items.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
  }
  return settingsFor(o, Credentials({items.data(), items.size()}));
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

TEST(AzureConfig, OptionsAndTheirRefusals) {
  const Options o = parseOptions(R"({"blockSize":1048576,"endpoint":"http://h:1/a"})");
  EXPECT_EQ(o.blockSize, 1048576u);
  EXPECT_EQ(messageOf([] { parseOptions(R"({"blockSize":10})"); }),
            "config.blockSize: expected a number of bytes from 64 KiB (65536) to 100 MiB "
            "(104857600)");
  EXPECT_EQ(messageOf([] { parseOptions(R"({"bucket":1})"); }),
            "config: unknown key \"bucket\" (known: blockSize, endpoint, timeoutSeconds)");
  EXPECT_EQ(messageOf([] { parseOptions("[]"); }), "config: expected a JSON object");
}

TEST(AzureConfig, Urls) {
  const Location l = parseUrl("azure://backups/db/x.xbackup.gz", true);
  EXPECT_EQ(l.container, "backups");
  EXPECT_EQ(l.blob, "db/x.xbackup.gz");
  EXPECT_EQ(parseUrl("azure://backups", false).blob, "");
  EXPECT_EQ(messageOf([] { parseUrl("s3://backups/x", true); }),
            "URL s3://backups/x: expected azure://container/blob");
  EXPECT_EQ(messageOf([] { parseUrl("azure:///x", true); }),
            "URL azure:///x: expected azure://container/blob");
  EXPECT_EQ(messageOf([] { parseUrl("azure://Backups/x", true); }),
            "URL azure://Backups/x: the container name must be 3 to 63 lower-case letters, "
            "digits and '-'");
  EXPECT_EQ(messageOf([] { parseUrl("azure://backups/dir/", true); }),
            "URL azure://backups/dir/: expected a blob name, not a directory");
}

TEST(AzureConfig, CredentialsAndEndpoints) {
  Settings s = settings({{"AZUREBLOB_ACCOUNT", "acct"}, {"AZUREBLOB_KEY", "YWI="}});
  EXPECT_TRUE(s.https);
  EXPECT_EQ(s.host, "acct.blob.core.windows.net");
  EXPECT_EQ(s.port, 443);
  EXPECT_EQ(s.key, "ab");
  s = settings({{"AZUREBLOB_ACCOUNT", "devstoreaccount1"},
                {"AZUREBLOB_KEY", "YWI="},
                {"AZUREBLOB_ENDPOINT", "http://127.0.0.1:10000/devstoreaccount1/"}});
  EXPECT_FALSE(s.https);
  EXPECT_EQ(s.host, "127.0.0.1");
  EXPECT_EQ(s.port, 10000);
  EXPECT_EQ(s.basePath, "/devstoreaccount1");
  Options o;
  o.endpoint = "https://blob.example:8443";
  s = settings({{"AZUREBLOB_ACCOUNT", "a"}, {"AZUREBLOB_KEY", "YWI="}}, o);
  EXPECT_EQ(s.host, "blob.example");
  EXPECT_EQ(s.port, 8443);

  EXPECT_EQ(messageOf([] {
              settings({{"AZUREBLOB_KEY", "YWI="}});
            }),
            "credentials: AZUREBLOB_ACCOUNT is not set");
  EXPECT_EQ(messageOf([] {
              settings({{"AZUREBLOB_ACCOUNT", "a"}});
            }),
            "credentials: AZUREBLOB_KEY is not set");
  EXPECT_EQ(messageOf([] {
              settings({{"AZUREBLOB_ACCOUNT", "a"}, {"AZUREBLOB_KEY", "secret-not-b64"}});
            }),
            "credentials: AZUREBLOB_KEY is not base64");
  EXPECT_EQ(messageOf([] {
              settings({{"AZUREBLOB_ACCOUNT", "a"},
                        {"AZUREBLOB_KEY", "YWI="},
                        {"AZUREBLOB_ENDPOINT", "ftp://x"}});
            }),
            "credentials: AZUREBLOB_ENDPOINT: expected a URL such as "
            "http://127.0.0.1:10000/account");
}

}  // namespace
}  // namespace mysqlop::targetazure
