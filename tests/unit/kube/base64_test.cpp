#include "core/kube/base64.h"

#include <gtest/gtest.h>

#include <vector>

namespace mysqlop::kube {
namespace {

TEST(Base64, RoundTrips) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                       "foobar", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(decodeBase64(encodeBase64(s)).value(), s);
  }
  EXPECT_EQ(encodeBase64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(encodeBase64("fo"), "Zm8=");
}

TEST(Base64, IgnoresWhitespaceAndRejectsGarbage) {
  EXPECT_EQ(decodeBase64("Zm9v\nYmFy\n").value(), "foobar");
  EXPECT_FALSE(decodeBase64("Zm9").has_value());
  EXPECT_FALSE(decodeBase64("Zm9v!mFy").has_value());
  EXPECT_FALSE(decodeBase64("Zm=v").has_value());
  EXPECT_FALSE(decodeBase64("=m9v").has_value());
  EXPECT_FALSE(decodeBase64("Zg==Zg==").has_value());
}

}  // namespace
}  // namespace mysqlop::kube
