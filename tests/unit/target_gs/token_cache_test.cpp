// The gs target's token cache: kept until a minute before expiry, per account, dropped after a
// 401 unless another operation stored a fresher token meanwhile.
#include "plugins/target_gs/src/token_cache.h"

#include <gtest/gtest.h>

#include "plugins/target_gs/src/gs_config.h"

namespace mysqlop::targetgs {
namespace {

using std::chrono::seconds;
const TokenCache::Clock::time_point t0{seconds(1000)};

TEST(TokenCache, ATokenIsReusedUntilAMinuteBeforeItExpires) {
  TokenCache c;
  c.put("a", "tok", 3599, t0);
  EXPECT_EQ(c.find("a", t0), "tok");
  EXPECT_EQ(c.find("a", t0 + seconds(3538)), "tok");
  EXPECT_EQ(c.find("a", t0 + seconds(3539)), std::nullopt);
  EXPECT_EQ(c.find("b", t0), std::nullopt);
}

TEST(TokenCache, AShortLivedTokenIsNotKept) {
  TokenCache c;
  c.put("a", "tok", 60, t0);
  EXPECT_EQ(c.find("a", t0), std::nullopt);
  EXPECT_EQ(c.size(), 0u);
  c.put("a", "tok", 0, t0);
  EXPECT_EQ(c.size(), 0u);
}

TEST(TokenCache, DropForgetsOnlyTheTokenThatWasRefused) {
  TokenCache c;
  c.put("a", "old", 3600, t0);
  c.drop("a", "old");
  EXPECT_EQ(c.find("a", t0), std::nullopt);
  c.put("a", "new", 3600, t0);
  c.drop("a", "old");  // a late 401 of an operation that still held the old one
  EXPECT_EQ(c.find("a", t0), "new");
}

TEST(TokenCache, TheKeyChangesWithTheAccountItsTokenUriAndItsPrivateKey) {
  const Account a{"sa@p.iam.gserviceaccount.com", "KEY1", "https://oauth2.googleapis.com/token", "",
                  ""};
  Account rotated = a;
  rotated.privateKey = "KEY2";
  Account other = a;
  other.clientEmail = "other@p.iam.gserviceaccount.com";
  Account elsewhere = a;
  elsewhere.tokenUri = "http://127.0.0.1:1/token";
  EXPECT_EQ(tokenCacheKey(a), tokenCacheKey(a));
  EXPECT_NE(tokenCacheKey(a), tokenCacheKey(rotated));
  EXPECT_NE(tokenCacheKey(a), tokenCacheKey(other));
  EXPECT_NE(tokenCacheKey(a), tokenCacheKey(elsewhere));
  EXPECT_EQ(tokenCacheKey(a).find("KEY1"), std::string::npos);  // never the key itself
}

}  // namespace
}  // namespace mysqlop::targetgs
