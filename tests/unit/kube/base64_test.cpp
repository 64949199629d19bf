#include "core/kube/base64.h"

#include <gtest/gtest.h>

#include <vector>

namespace mysqlop::kube {
namespace {

TEST(Base64, RoundTrips) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                       "foobar", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(base64Decode(base64Encode(s)).value(), s);
  }
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
}

TEST(Base64, IgnoresWhitespaceAndRejectsGarbage) {
  EXPECT_EQ(base64Decode("Zm9v\nYmFy\n").value(), "foobar");
  EXPECT_FALSE(base64Decode("Zm9").has_value());
  EXPECT_FALSE(base64Decode("Zm9v!mFy").has_value());
  EXPECT_FALSE(base64Decode("Zm=v").has_value());
  EXPECT_FALSE(base64Decode("=m9v").has_value());
  EXPECT_FALSE(base64Decode("Zg==Zg==").has_value());
}

}  // namespace
}  // namespace mysqlop::kube
