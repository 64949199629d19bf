#include "core/kube/token_source.h"

#include <gtest/gtest.h>

#include "core/log/redactor.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::kube {
namespace {

using namespace std::chrono_literals;
using mysqlop::testing::TempDir;

TEST(TokenSource, FixedAndAnonymous) {
  EXPECT_EQ(TokenSource().token(), "");
  TokenSource t = TokenSource::fixed("static-token-1234");
  EXPECT_EQ(t.token(), "static-token-1234");
  EXPECT_FALSE(t.resetOlderThan(TokenSource::Clock::now() + 1h));
  EXPECT_EQ(log::Redactor::global().redact("Bearer static-token-1234"), "Bearer ***");
}

TEST(TokenSource, FileIsReReadOncePerPeriod) {
  TempDir d;
  const std::string path = d.write("token", "first-token-abcdef\n");
  TokenSource t = TokenSource::file(path);
  TokenSource::Clock::time_point now{std::chrono::hours(5)};
  t.setClock([&] { return now; });
  EXPECT_EQ(t.token(), "first-token-abcdef");  // newline trimmed
  d.write("token", "second-token-abcdef");
  now += 59s;
  EXPECT_EQ(t.token(), "first-token-abcdef");  // cached for a minute
  now += 1s;
  EXPECT_EQ(t.token(), "second-token-abcdef");
  EXPECT_EQ(log::Redactor::global().redact("x second-token-abcdef y"), "x *** y");
}

TEST(TokenSource, A401ForcesAReReadOfAnOlderToken) {
  TempDir d;
  const std::string path = d.write("token", "old-token-abcdef");
  TokenSource t = TokenSource::file(path);
  TokenSource::Clock::time_point now{std::chrono::hours(5)};
  t.setClock([&] { return now; });
  EXPECT_EQ(t.token(), "old-token-abcdef");
  d.write("token", "new-token-abcdef");
  now += 5s;
  // A request that started before the token was read does not reset it (client-go's rule).
  EXPECT_FALSE(t.resetOlderThan(now - 10s));
  EXPECT_EQ(t.token(), "old-token-abcdef");
  EXPECT_TRUE(t.resetOlderThan(now));
  EXPECT_EQ(t.token(), "new-token-abcdef");
}

TEST(TokenSource, UnreadableFileKeepsTheLastToken) {
  TempDir d;
  const std::string path = d.write("token", "kept-token-abcdef");
  TokenSource t = TokenSource::file(path, 1s);
  TokenSource::Clock::time_point now{std::chrono::hours(5)};
  t.setClock([&] { return now; });
  EXPECT_EQ(t.token(), "kept-token-abcdef");
  std::filesystem::remove(path);
  now += 2s;
  EXPECT_EQ(t.token(), "kept-token-abcdef");
}

}  // namespace
}  // namespace mysqlop::kube
