#include "localcluster/apiserver/quantity.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mysqlop::local {
namespace {

std::string q(const std::string& s) { return canonicalQuantity(s).value_or("<invalid>"); }

TEST(Quantity, BinarySuffixes) {
  EXPECT_EQ(q("1024Mi"), "1Gi");
  EXPECT_EQ(q("1Gi"), "1Gi");
  EXPECT_EQ(q("1536Mi"), "1536Mi");
  EXPECT_EQ(q("1.5Gi"), "1536Mi");
  EXPECT_EQ(q("0.5Gi"), "512Mi");
  EXPECT_EQ(q("2048Ki"), "2Mi");
  EXPECT_EQ(q("0.5Ki"), "512");
  EXPECT_EQ(q("0Gi"), "0");
}

TEST(Quantity, DecimalSuffixes) {
  EXPECT_EQ(q("1000m"), "1");
  EXPECT_EQ(q("0.5"), "500m");
  EXPECT_EQ(q("1500m"), "1500m");
  EXPECT_EQ(q("100m"), "100m");
  EXPECT_EQ(q("1000"), "1k");
  EXPECT_EQ(q("1500"), "1500");
  EXPECT_EQ(q("2"), "2");
  EXPECT_EQ(q("1G"), "1G");
  EXPECT_EQ(q("1000M"), "1G");
  EXPECT_EQ(q("0.1m"), "100u");
  EXPECT_EQ(q("0.1Ki"), "102400m");  // not a whole number of bytes: decimal SI
}

TEST(Quantity, NotAQuantity) {
  EXPECT_FALSE(canonicalQuantity("").has_value());
  EXPECT_FALSE(canonicalQuantity("abc").has_value());
  EXPECT_FALSE(canonicalQuantity("1Zi").has_value());
  EXPECT_FALSE(canonicalQuantity("1e3").has_value());  // decimal exponents stay as written
  EXPECT_FALSE(canonicalQuantity("99999999999999999999999999Ei").has_value());  // too large
  EXPECT_FALSE(canonicalQuantity("1.000000000000000000000000000000000000001").has_value());
}

TEST(Quantity, CanonicalizesContainerAndPvcResources) {
  auto sts = nlohmann::json::parse(R"({"spec":{"template":{"spec":{"containers":[
      {"name":"m","resources":{"requests":{"memory":"1024Mi","cpu":"1000m"},"limits":{"cpu":2}}}]}},
    "volumeClaimTemplates":[{"spec":{"resources":{"requests":{"storage":"1024Gi"}}}}]}})");
  canonicalizeQuantities("apps", "statefulsets", sts);
  auto& c = sts["spec"]["template"]["spec"]["containers"][0]["resources"];
  EXPECT_EQ(c["requests"]["memory"], "1Gi");
  EXPECT_EQ(c["requests"]["cpu"], "1");
  EXPECT_EQ(c["limits"]["cpu"], "2");
  EXPECT_EQ(sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
            "1Ti");
}

}  // namespace
}  // namespace mysqlop::local
