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

std::string canonical(const char* text) {
  auto q = Quantity::parse(text);
  EXPECT_TRUE(q.has_value()) << text;
  return q ? q->canonical().value_or("<none>") : "<invalid>";
}

TEST(Quantity, CanonicalBinarySuffixes) {
  EXPECT_EQ(canonical("1024Mi"), "1Gi");
  EXPECT_EQ(canonical("1Gi"), "1Gi");
  EXPECT_EQ(canonical("1536Mi"), "1536Mi");
  EXPECT_EQ(canonical("1.5Gi"), "1536Mi");
  EXPECT_EQ(canonical("0.5Gi"), "512Mi");
  EXPECT_EQ(canonical("2048Ki"), "2Mi");
  EXPECT_EQ(canonical("1025Ki"), "1025Ki");
  EXPECT_EQ(canonical("1.5Ki"), "1536");      // binary SI without a suffix
  EXPECT_EQ(canonical("0.5Ki"), "512");       // below 1024: decimal SI
  EXPECT_EQ(canonical("0.9765625Ki"), "1k");  // 1000 bytes, below 1024: decimal SI
  EXPECT_EQ(canonical("0.1Ki"), "102400m");   // not a whole number of bytes: decimal SI
  EXPECT_EQ(canonical("0Gi"), "0");
  EXPECT_EQ(canonical("-2048Ki"), "-2Mi");
  EXPECT_EQ(canonical("1024Ei"), "1024Ei");
}

TEST(Quantity, CanonicalDecimalSuffixes) {
  EXPECT_EQ(canonical("1000m"), "1");
  EXPECT_EQ(canonical("0.5"), "500m");
  EXPECT_EQ(canonical("1500m"), "1500m");
  EXPECT_EQ(canonical("100m"), "100m");
  EXPECT_EQ(canonical("1000"), "1k");
  EXPECT_EQ(canonical("1500"), "1500");
  EXPECT_EQ(canonical("+2"), "2");
  EXPECT_EQ(canonical("-0.5"), "-500m");
  EXPECT_EQ(canonical("1G"), "1G");
  EXPECT_EQ(canonical("1000M"), "1G");
  EXPECT_EQ(canonical("0.1m"), "100u");
  EXPECT_EQ(canonical("0.0000000001"), "1n");  // rounded up to nano units
  EXPECT_EQ(canonical("1000E"), "1000E");      // no suffix above E
  EXPECT_EQ(canonical("0m"), "0");
}

TEST(Quantity, CanonicalExponents) {
  EXPECT_EQ(canonical("1e3"), "1e3");
  EXPECT_EQ(canonical("1E3"), "1e3");
  EXPECT_EQ(canonical("12e2"), "1200");
  EXPECT_EQ(canonical("1500e3"), "1500e3");
  EXPECT_EQ(canonical("1e-3"), "1e-3");
  EXPECT_EQ(canonical("100e-2"), "1");
  EXPECT_EQ(Quantity::parse("1e3")->format(), Quantity::Format::DecimalExponent);
  EXPECT_EQ(Quantity::parse("1Ki")->format(), Quantity::Format::BinarySI);
  EXPECT_EQ(Quantity::parse("1k")->format(), Quantity::Format::DecimalSI);
}

TEST(Quantity, CanonicalOfAValueTooLargeToPrintIsNone) {
  // Parses (below the parser's bound) but nano units would overflow: no canonical text.
  EXPECT_EQ(canonical("1000000000000000000000000000000"), "<none>");
  EXPECT_EQ(canonical("100000000000000000000000000000"), "100000000000E");
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
