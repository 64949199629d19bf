#include "sidecar/http.h"

#include <gtest/gtest.h>

namespace mysqlop::sidecar {
namespace {

TEST(SidecarHttp, Base64) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("sys_backup:pw"), "c3lzX2JhY2t1cDpwdw==");
}

TEST(SidecarHttp, Urls) {
  auto u = parseUrl("http://c-mysql-replicas:8080");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "c-mysql-replicas");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(parseUrl("http://h/")->port, 80);
  EXPECT_EQ(parseUrl("https://h").error().message, "URL \"https://h\": want http://host[:port]");
  EXPECT_EQ(parseUrl("http://h/x").error().message, "URL \"http://h/x\": want http://host[:port]");
  EXPECT_EQ(parseUrl("http://h:99999").error().message, "URL \"http://h:99999\": bad port");
  EXPECT_EQ(parseUrl("http://:80").error().message, "URL \"http://:80\": no host");
}

TEST(SidecarHttp, AnUnreachableServerIsAFailure) {
  auto r = httpGet(
      "http://127.0.0.1:1", "/health", "", [](const char*, size_t) { return true; },
      std::chrono::seconds(5), std::chrono::seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot connect to 127.0.0.1:1: Connection refused");
  auto bad = httpGet(
      "ftp://x", "/health", "", [](const char*, size_t) { return true; }, std::chrono::seconds(5),
      std::chrono::seconds(5));
  EXPECT_EQ(bad.error().message, "URL \"ftp://x\": want http://host[:port]");
}

}  // namespace
}  // namespace mysqlop::sidecar
