#include <gtest/gtest.h>

#include "plugins/common/kube/quantity.h"

namespace mysqlop::kube {
namespace {

std::int64_t bytes(const char* text) {
  auto q = Quantity::parse(text);
  EXPECT_TRUE(q.has_value()) << text;
  return q ? q->value() : -1;
}

TEST(Quantity, ParsesBinaryDecimalAndExponentSuffixes) {
  EXPECT_EQ(bytes("1Gi"), 1LL << 30);
  EXPECT_EQ(bytes("1024Mi"), 1LL << 30);
  EXPECT_EQ(bytes("512Ki"), 512 * 1024);
  EXPECT_EQ(bytes("1G"), 1000000000);
  EXPECT_EQ(bytes("1k"), 1000);
  EXPECT_EQ(bytes("2e3"), 2000);
  EXPECT_EQ(bytes("1E3"), 1000);
  EXPECT_EQ(bytes("12345"), 12345);
  EXPECT_EQ(bytes("+5"), 5);
  EXPECT_EQ(bytes("1Ti"), 1LL << 40);
}

TEST(Quantity, RoundsFractionsUpLikeKubernetesValue) {
  // 4.8Gi is 5153960755.2 bytes; resource.Quantity.Value() rounds up.
  EXPECT_EQ(bytes("4.8Gi"), 5153960756LL);
  EXPECT_EQ(bytes("1.5Gi"), 1610612736LL);
  EXPECT_EQ(bytes("0.5Ki"), 512);
  EXPECT_EQ(bytes("1.1k"), 1100);  // exact decimal arithmetic, no binary floating error
  EXPECT_EQ(bytes(".5"), 1);
}

TEST(Quantity, MilliValues) {
  EXPECT_EQ(Quantity::parse("500m")->milliValue(), 500);
  EXPECT_EQ(Quantity::parse("2")->milliValue(), 2000);
  EXPECT_EQ(Quantity::parse("1.5")->milliValue(), 1500);
  EXPECT_EQ(Quantity::parse("100n")->milliValue(), 1);
  EXPECT_EQ(Quantity::parse("500m")->value(), 1);
}

TEST(Quantity, ComparesValues) {
  EXPECT_EQ(*Quantity::parse("1Gi"), *Quantity::parse("1024Mi"));
  EXPECT_EQ(*Quantity::parse("1000m"), *Quantity::parse("1"));
  EXPECT_FALSE(*Quantity::parse("1G") == *Quantity::parse("1Gi"));
  EXPECT_TRUE(*Quantity::parse("1G") < *Quantity::parse("1Gi"));
  EXPECT_TRUE(Quantity::parse("-1")->isNegative());
  EXPECT_TRUE(Quantity::parse("0Gi")->isZero());
}

TEST(Quantity, RefusesBadTextWithReason) {
  for (const char* bad :
       {"", "abc", "1GB", "1gi", "Gi", "1.2.3", "--1", "1e", "1e1.5", "1 Gi", "0x10", "1i", "."}) {
    std::string error;
    EXPECT_FALSE(Quantity::parse(bad, &error).has_value()) << bad;
    EXPECT_EQ(error, "not a valid quantity") << bad;
  }
  std::string error;
  EXPECT_FALSE(Quantity::parse("99999999999999999999999999999999999Ei", &error).has_value());
  EXPECT_EQ(error, "too large");
}

TEST(Quantity, HumanizesAsBitpoke) {
  EXPECT_EQ(humanizeBytes(Quantity::parse("1.5Gi")->value()), "1536M");
  EXPECT_EQ(humanizeBytes(Quantity::parse("2Gi")->value()), "2G");
  EXPECT_EQ(humanizeBytes(Quantity::parse("2048Mi")->value()), "2G");
  EXPECT_EQ(humanizeBytes(Quantity::parse("2097152Ki")->value()), "2G");
  EXPECT_EQ(humanizeBytes(Quantity::parse("1.5Mi")->value()), "1536K");
  EXPECT_EQ(humanizeBytes(Quantity::parse("128Mi")->value()), "128M");
  EXPECT_EQ(humanizeBytes(Quantity::parse("4096Ki")->value()), "4M");
  EXPECT_EQ(humanizeBytes(Quantity::parse("0.5Ki")->value()), "512");
  EXPECT_EQ(humanizeBytes(Quantity::parse("1200Ki")->value()), "1200K");
}

}  // namespace
}  // namespace mysqlop::kube
