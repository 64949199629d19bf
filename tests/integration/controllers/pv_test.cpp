// The local PV provisioner against a real API server: volumes are directories under DIR/pv/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "localcluster/controllers/pv_provisioner.h"
#include "tests/integration/controllers/fixture.h"

namespace mysqlop::local::controllers::it {
namespace {

namespace fs = std::filesystem;

json claim(const std::string& name, const std::string& size, const std::string& className = "",
           const json& annotations = json::object()) {
  json c = {{"apiVersion", "v1"},
            {"kind", "PersistentVolumeClaim"},
            {"metadata", {{"name", name}, {"namespace", kNs}}},
            {"spec",
             {{"accessModes", json::array({"ReadWriteOnce"})},
              {"resources", {{"requests", {{"storage", size}}}}}}}};
  if (!className.empty()) {
    c["spec"]["storageClassName"] = className;
  }
  if (!annotations.empty()) {
    c["metadata"]["annotations"] = annotations;
  }
  return c;
}

class PvTest : public ControllersTest {
 protected:
  json claimStatus(const std::string& name) {
    auto c = get(r::kClaims, name);
    return c ? c->value("status", json::object()) : json::object();
  }
  bool bound(const std::string& name) { return claimStatus(name).value("phase", "") == "Bound"; }
  std::string pvDir(const std::string& pv) { return api_.dataDir() + "/pv/" + pv; }
};

TEST_F(PvTest, PendingClaimGetsADirectoryVolumeAndBothAreBound) {
  json created = create(r::kClaims, claim("data", "2Gi"));
  const std::string uid = created["metadata"]["uid"];
  const std::string pvName = "pvc-" + uid;
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(bound("data")));
  json c = *get(r::kClaims, "data");
  EXPECT_EQ(c["spec"]["volumeName"], pvName);
  EXPECT_EQ(c["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"], "yes");
  EXPECT_EQ(c["status"], (json{{"phase", "Bound"},
                               {"capacity", {{"storage", "2Gi"}}},
                               {"accessModes", json::array({"ReadWriteOnce"})}}));

  json pv = *get(r::kVolumes, pvName);
  EXPECT_EQ(pv["status"]["phase"], "Bound");
  EXPECT_EQ(pv["spec"]["capacity"], (json{{"storage", "2Gi"}}));
  EXPECT_EQ(pv["spec"]["accessModes"], json::array({"ReadWriteOnce"}));
  EXPECT_EQ(pv["spec"]["persistentVolumeReclaimPolicy"], "Delete");
  EXPECT_EQ(pv["spec"]["hostPath"]["path"], pvDir(pvName));
  EXPECT_EQ(pv["spec"]["claimRef"], (json{{"apiVersion", "v1"},
                                          {"kind", "PersistentVolumeClaim"},
                                          {"namespace", kNs},
                                          {"name", "data"},
                                          {"uid", uid}}));
  EXPECT_TRUE(fs::is_directory(pvDir(pvName)));

  // Reclaim policy Delete: the claim goes, the volume and its directory go.
  std::ofstream(pvDir(pvName) + "/file") << "data";
  remove(r::kClaims, "data");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!get(r::kVolumes, pvName).has_value()));
  EXPECT_FALSE(fs::exists(pvDir(pvName)));
}

TEST_F(PvTest, StorageClassRetainKeepsTheReleasedVolumeAndItsData) {
  create(r::kStorageClasses, {{"apiVersion", "storage.k8s.io/v1"},
                              {"kind", "StorageClass"},
                              {"metadata", {{"name", "keep"}}},
                              {"provisioner", "local.mysqlop.io/local-path"},
                              {"reclaimPolicy", "Retain"}});
  json created = create(r::kClaims, claim("kept", "1Gi", "keep"));
  const std::string pvName = "pvc-" + created["metadata"]["uid"].get<std::string>();
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(bound("kept")));
  json pv = *get(r::kVolumes, pvName);
  EXPECT_EQ(pv["spec"]["persistentVolumeReclaimPolicy"], "Retain");
  EXPECT_EQ(pv["spec"]["storageClassName"], "keep");
  std::ofstream(pvDir(pvName) + "/file") << "data";
  remove(r::kClaims, "kept");
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(get(r::kVolumes, pvName).has_value() &&
                         (*get(r::kVolumes, pvName))["status"].value("phase", "") == "Released"));
  EXPECT_TRUE(fs::exists(pvDir(pvName) + "/file"));
}

TEST_F(PvTest, ClaimAnnotationRetainKeepsTheVolume) {
  json created =
      create(r::kClaims, claim("own", "1Gi", "", {{kReclaimPolicyAnnotation, "Retain"}}));
  const std::string pvName = "pvc-" + created["metadata"]["uid"].get<std::string>();
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(bound("own")));
  EXPECT_EQ((*get(r::kVolumes, pvName))["spec"]["persistentVolumeReclaimPolicy"], "Retain");
  remove(r::kClaims, "own");
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY((*get(r::kVolumes, pvName))["status"].value("phase", "") == "Released"));
  EXPECT_TRUE(fs::is_directory(pvDir(pvName)));
}

TEST_F(PvTest, EveryClaimGetsItsOwnVolume) {
  create(r::kClaims, claim("a", "1Gi"));
  create(r::kClaims, claim("b", "3Gi"));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(bound("a") && bound("b")));
  EXPECT_EQ(list(r::kVolumes).size(), 2u);
  EXPECT_EQ(claimStatus("b")["capacity"]["storage"], "3Gi");
}

TEST_F(PvTest, ClaimWithoutASizeIsRefused) {
  json c = claim("nosize", "1Gi");
  c["spec"].erase("resources");
  create(r::kClaims, c);
  std::string message;
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(hasEvent("nosize", "ProvisioningFailed", &message)));
  EXPECT_EQ(message,
            "failed to provision volume: the claim has no spec.resources.requests.storage");
  EXPECT_EQ(claimStatus("nosize").value("phase", ""), "Pending");
  EXPECT_TRUE(list(r::kVolumes).empty());
}

TEST_F(PvTest, ProvisioningFailureIsReportedOnTheClaim) {
  // DIR/pv is a file: no volume directory can be made under it.
  std::ofstream(api_.dataDir() + "/pv") << "not a directory";
  json created = create(r::kClaims, claim("nodir", "1Gi"));
  const std::string pvName = "pvc-" + created["metadata"]["uid"].get<std::string>();
  std::string message;
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(hasEvent("nodir", "ProvisioningFailed", &message)));
  EXPECT_EQ(message,
            "failed to provision volume: cannot create " + pvDir(pvName) + ": Not a directory");
  EXPECT_EQ(claimStatus("nodir").value("phase", ""), "Pending");
  EXPECT_FALSE(get(r::kVolumes, pvName).has_value());
  // Fixed, the retry provisions it.
  fs::remove(api_.dataDir() + "/pv");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(bound("nodir")));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(hasEvent("nodir", "ProvisioningSucceeded", &message)));
  EXPECT_EQ(message, "Successfully provisioned volume " + pvName);
}

}  // namespace
}  // namespace mysqlop::local::controllers::it
