// Every refusal of the kubelet with its exact message: a bad image-profile file, mounts of
// undeclared volumes, subPath escapes, unsupported volume types, a program that does not exist.
#include "tests/integration/kubelet/kubelet_env.h"

namespace mysqlop::local::kubelet::it {
namespace {

std::string waitingMessage(const json& p) {
  return KubeletEnv::containerStatus(p)
      .value("state", json::object())
      .value("waiting", json::object())
      .value("message", "");
}

TEST_F(KubeletEnv, StartFailsOnAnInvalidProfileFileNamingFileAndLine) {
  std::string file = dir_ + "/profiles.yaml";
  std::ofstream(file) << "- images: [tool]\n  entrypoint: 3\n";
  KubeletOptions ko;
  ko.nodeName = "other";
  ko.dataDir = dir_;
  ko.imageProfileFiles = {kShippedProfiles, file};
  Kubelet second(*client_, *informers_, *network_, *records_, *names_, ko);
  auto r = second.start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, file + ":2: entrypoint must be a list of strings");
  // Nothing was registered for it.
  EXPECT_TRUE(client_->get(kube::Resource{"", "v1", "Node", "nodes", false}, "", "other")
                  .is(Errc::NotFound));
}

TEST_F(KubeletEnv, MountOfAnUndeclaredVolumeIsCreateContainerConfigError) {
  json p = shellPod("ghost", "exec sleep 100041");
  p["spec"]["containers"][0]["volumeMounts"] =
      json::array({{{"name", "ghost"}, {"mountPath", dir_ + "/mnt/ghost"}}});
  create(p);
  ASSERT_TRUE(waitPod("ghost", "CreateContainerConfigError", [](const json& q) {
    return waitingReason(q) == "CreateContainerConfigError";
  }));
  EXPECT_EQ(waitingMessage(pod("ghost")),
            "cannot find volume \"ghost\" to mount into container \"main\"");
  EXPECT_TRUE(hasEvent("ghost", "Failed",
                       "Error: cannot find volume \"ghost\" to mount into container \"main\""));
}

TEST_F(KubeletEnv, SubPathLeavingTheVolumeIsRefused) {
  json p = shellPod("escape", "exec sleep 100042");
  p["spec"]["volumes"] = json::array({{{"name", "v"}, {"emptyDir", json::object()}}});
  p["spec"]["containers"][0]["volumeMounts"] =
      json::array({{{"name", "v"}, {"mountPath", dir_ + "/mnt/v"}, {"subPath", "../../etc"}}});
  create(p);
  ASSERT_TRUE(waitPod("escape", "CreateContainerConfigError", [](const json& q) {
    return waitingReason(q) == "CreateContainerConfigError";
  }));
  EXPECT_EQ(waitingMessage(pod("escape")),
            "subPath \"../../etc\" must be a relative path without '..'");
}

TEST_F(KubeletEnv, UnsupportedVolumeTypeIsCreateContainerConfigError) {
  json p = shellPod("nfs", "exec sleep 100043");
  p["spec"]["volumes"] =
      json::array({{{"name", "share"}, {"nfs", {{"server", "198.18.99.9"}, {"path", "/x"}}}}});
  create(p);
  ASSERT_TRUE(waitPod("nfs", "CreateContainerConfigError", [](const json& q) {
    return waitingReason(q) == "CreateContainerConfigError";
  }));
  EXPECT_EQ(waitingMessage(pod("nfs")),
            "volume \"share\": its type is not supported by the local kubelet (emptyDir, "
            "hostPath, configMap, secret, downwardAPI, projected, persistentVolumeClaim are)");
  EXPECT_EQ(phase(pod("nfs")), "Pending");
}

TEST_F(KubeletEnv, ProgramThatDoesNotExistIsStartError) {
  json p = shellPod("noprog", "", "Never");
  p["spec"]["containers"][0]["command"] = json::array({"no-such-program-4711"});
  create(p);
  ASSERT_TRUE(waitPod("noprog", "Failed", [](const json& q) { return phase(q) == "Failed"; }));
  json t = containerStatus(pod("noprog"))["state"]["terminated"];
  EXPECT_EQ(t["reason"], "StartError");
  EXPECT_EQ(t["exitCode"], 128);
  EXPECT_NE(t.value("message", "").find("no-such-program-4711"), std::string::npos) << t.dump();
}

TEST_F(KubeletEnv, UnboundClaimWaitsUntilBoundThenMountsTheVolumesDirectory) {
  std::string pvDir = dir_ + "/pv/data-1";
  const kube::Resource pvs{"", "v1", "PersistentVolume", "persistentvolumes", false};
  const kube::Resource pvcs{"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true};
  create(pvcs, {{"apiVersion", "v1"},
                {"kind", "PersistentVolumeClaim"},
                {"metadata", {{"name", "data"}, {"namespace", "default"}}},
                {"spec",
                 {{"accessModes", {"ReadWriteOnce"}},
                  {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}});
  json p = shellPod("claimer", "echo kept > " + dir_ + "/mnt/data/file; exec sleep 100044");
  p["spec"]["volumes"] =
      json::array({{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data"}}}}});
  p["spec"]["containers"][0]["volumeMounts"] =
      json::array({{{"name", "data"}, {"mountPath", dir_ + "/mnt/data"}}});
  create(p);
  ASSERT_TRUE(eventually(
      "FailedMount event",
      [&] {
        return hasEvent("claimer", "FailedMount",
                        "Unable to attach or mount volumes: volume \"data\": persistentvolumeclaim "
                        "\"data\" is not bound (phase Pending): waiting for the provisioner");
      },
      [&] { return dump("claimer"); }));
  EXPECT_EQ(waitingReason(pod("claimer")), "ContainerCreating");
  // Play the provisioner: a PV with a hostPath, the claim bound to it.
  create(pvs, {{"apiVersion", "v1"},
               {"kind", "PersistentVolume"},
               {"metadata", {{"name", "pv-data"}}},
               {"spec",
                {{"capacity", {{"storage", "1Gi"}}},
                 {"accessModes", {"ReadWriteOnce"}},
                 {"hostPath", {{"path", pvDir}}}}}});
  auto claim = client_->get(pvcs, "default", "data");
  ASSERT_TRUE(claim.ok());
  (*claim)["spec"]["volumeName"] = "pv-data";
  auto updated = client_->update(pvcs, *claim);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  (*updated)["status"] = {{"phase", "Bound"}};
  auto bound = client_->updateStatus(pvcs, *updated);
  ASSERT_TRUE(bound.ok()) << bound.error().message;
  ASSERT_TRUE(waitPod("claimer", "Running", [](const json& q) { return phase(q) == "Running"; }));
  ASSERT_TRUE(eventually("data in the PV's directory", [&] {
    std::ifstream in(pvDir + "/file");
    std::string line;
    std::getline(in, line);
    return line == "kept";
  }));
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
