#include "localcluster/apiserver/quantity.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mysqlop::local {
namespace {

// The canonical forms themselves are kube::Quantity's (tests/unit/cluster/kube_quantity_test.cpp);
// here: what the API server does with text that is not a quantity, and where it canonicalises.
TEST(Quantity, TextThatIsNotAQuantityIsLeftAsWritten) {
  EXPECT_EQ(canonicalQuantity("1024Mi"), "1Gi");
  EXPECT_FALSE(canonicalQuantity("").has_value());
  EXPECT_FALSE(canonicalQuantity("abc").has_value());
  EXPECT_FALSE(canonicalQuantity("1Zi").has_value());
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

TEST(Quantity, CanonicalizesPodsPvcsAndEmptyDirs) {
  auto pod = nlohmann::json::parse(R"({"spec":{"containers":[
      {"name":"m","resources":{"requests":{"memory":"0.5Gi","cpu":0.25}}}],
    "initContainers":[{"name":"i","resources":{"limits":{"memory":"2048Ki","other":"x y"}}}],
    "volumes":[{"name":"v","emptyDir":{"sizeLimit":"1000M"}}]}})");
  canonicalizeQuantities("", "pods", pod);
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["requests"]["memory"], "512Mi");
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["requests"]["cpu"], "250m");
  EXPECT_EQ(pod["spec"]["initContainers"][0]["resources"]["limits"]["memory"], "2Mi");
  EXPECT_EQ(pod["spec"]["initContainers"][0]["resources"]["limits"]["other"], "x y");
  EXPECT_EQ(pod["spec"]["volumes"][0]["emptyDir"]["sizeLimit"], "1G");
  auto pvc = nlohmann::json::parse(R"({"spec":{"resources":{"requests":{"storage":"1e3"}}}})");
  canonicalizeQuantities("", "persistentvolumeclaims", pvc);
  EXPECT_EQ(pvc["spec"]["resources"]["requests"]["storage"], "1e3");
  auto other = nlohmann::json::parse(R"({"spec":{"resources":{"requests":{"storage":"1024Mi"}}}})");
  canonicalizeQuantities("", "configmaps", other);
  EXPECT_EQ(other["spec"]["resources"]["requests"]["storage"], "1024Mi");
}

}  // namespace
}  // namespace mysqlop::local
