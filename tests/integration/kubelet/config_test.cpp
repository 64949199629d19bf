// Configuration of containers: env from ConfigMaps, configMap volumes updated in place, missing
// references, the service-account volume, emptyDir shared between containers. Mount paths are
// under the test's DIR: bwrap creates missing bind targets on the host (the root is the host's /).
#include <algorithm>

#include "tests/integration/kubelet/kubelet_env.h"

namespace mysqlop::local::kubelet::it {
namespace {

json configMap(const std::string& name, const json& data) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"data", data}};
}

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(KubeletEnv, EnvAndConfigMapVolumeAreUpdatedInPlace) {
  create(kube::resources::kConfigMaps, configMap("settings", {{"greeting", "hello"}}));
  std::string out = dir_ + "/out";
  // The container copies what it sees every 0.2 s: env once, the file each time.
  json p =
      shellPod("configured", "echo \"$GREETING $POD_IP $KUBERNETES_SERVICE_HOST\" > " + out +
                                 ".env; while true; do cat " + dir_ + "/mnt/settings/greeting > " +
                                 out + ".tmp; mv " + out + ".tmp " + out + "; sleep 0.2; done");
  p["spec"]["containers"][0]["env"] = json::array(
      {{{"name", "GREETING"},
        {"valueFrom", {{"configMapKeyRef", {{"name", "settings"}, {"key", "greeting"}}}}}},
       {{"name", "POD_IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}}});
  p["spec"]["containers"][0]["volumeMounts"] =
      json::array({{{"name", "settings"}, {"mountPath", dir_ + "/mnt/settings"}}});
  p["spec"]["volumes"] =
      json::array({{{"name", "settings"}, {"configMap", {{"name", "settings"}}}}});
  create(p);
  ASSERT_TRUE(
      waitPod("configured", "Running", [](const json& q) { return phase(q) == "Running"; }));
  ASSERT_TRUE(eventually(
      "the file as mounted", [&] { return readAll(out) == "hello"; },
      [&] { return readAll(out); }));
  std::string ip = pod("configured")["status"].value("podIP", "");
  EXPECT_EQ(readAll(out + ".env"), "hello " + ip + " 198.19.0.1\n");

  auto cm = client_->get(kube::resources::kConfigMaps, "default", "settings");
  ASSERT_TRUE(cm.ok());
  (*cm)["data"]["greeting"] = "bonjour";
  ASSERT_TRUE(client_->update(kube::resources::kConfigMaps, *cm).ok());
  ASSERT_TRUE(eventually(
      "the file updated in place", [&] { return readAll(out) == "bonjour"; },
      [&] { return readAll(out); }));
  EXPECT_EQ(containerStatus(pod("configured"))["restartCount"], 0);
}

TEST_F(KubeletEnv, SecretAsEnvAndAsFileWithItsMode) {
  create(kube::resources::kSecrets, {{"apiVersion", "v1"},
                                     {"kind", "Secret"},
                                     {"metadata", {{"name", "creds"}, {"namespace", "default"}}},
                                     {"stringData", {{"password", "s3cret"}}}});
  std::string out = dir_ + "/secret-env";
  json p = shellPod("secretive", "echo \"$PASSWORD\" > " + out + "; exec sleep 100025");
  p["spec"]["containers"][0]["env"] =
      json::array({{{"name", "PASSWORD"},
                    {"valueFrom", {{"secretKeyRef", {{"name", "creds"}, {"key", "password"}}}}}}});
  p["spec"]["containers"][0]["volumeMounts"] =
      json::array({{{"name", "creds"}, {"mountPath", dir_ + "/mnt/creds"}, {"readOnly", true}}});
  p["spec"]["volumes"] = json::array(
      {{{"name", "creds"},
        {"secret",
         {{"secretName", "creds"},
          {"items", json::array({{{"key", "password"}, {"path", "pw"}, {"mode", 0400}}})}}}}});
  create(p);
  ASSERT_TRUE(waitPod("secretive", "Running", [](const json& q) { return phase(q) == "Running"; }));
  ASSERT_TRUE(eventually(
      "env written", [&] { return readAll(out) == "s3cret\n"; }, [&] { return readAll(out); }));
  std::string uid = pod("secretive")["metadata"]["uid"];
  std::string file = dir_ + "/pods/" + uid + "/volumes/creds/pw";
  EXPECT_EQ(readAll(file), "s3cret");
  auto perms = std::filesystem::status(file).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_read);
}

TEST_F(KubeletEnv, ServicesOfTheNamespaceBecomeEnvironmentVariables) {
  auto svc = client_->create(kube::resources::kServices,
                             {{"apiVersion", "v1"},
                              {"kind", "Service"},
                              {"metadata", {{"name", "db"}, {"namespace", "default"}}},
                              {"spec",
                               {{"selector", {{"app", "db"}}},
                                {"ports", json::array({{{"port", 3306}, {"protocol", "TCP"}}})}}}});
  ASSERT_TRUE(svc.ok()) << svc.error().message;
  std::string ip = (*svc)["spec"].value("clusterIP", "");
  std::string out = dir_ + "/svc-env";
  // The kubelet's Service cache may lag the create by a moment: without the variable the
  // container fails and its (immediate) restart sees it.
  json p = shellPod("linked",
                    "test -n \"$DB_SERVICE_HOST\" || exit 1; echo "
                    "\"$DB_SERVICE_HOST:$DB_SERVICE_PORT $DB_PORT\" > " +
                        out + "; exec sleep 100026");
  create(p);
  ASSERT_TRUE(eventually(
      "env written", [&] { return !readAll(out).empty(); }, [&] { return dump("linked"); }));
  EXPECT_EQ(readAll(out), ip + ":3306 tcp://" + ip + ":3306\n");
}

TEST_F(KubeletEnv, MissingConfigMapKeyIsCreateContainerConfigErrorUntilItExists) {
  json p = shellPod("needs", "exec sleep 100021");
  p["spec"]["containers"][0]["env"] = json::array(
      {{{"name", "X"}, {"valueFrom", {{"configMapKeyRef", {{"name", "later"}, {"key", "x"}}}}}}});
  create(p);
  ASSERT_TRUE(waitPod("needs", "CreateContainerConfigError", [](const json& q) {
    return waitingReason(q) == "CreateContainerConfigError";
  }));
  EXPECT_EQ(containerStatus(pod("needs"))["state"]["waiting"]["message"],
            "configmap \"later\" not found");
  create(kube::resources::kConfigMaps, configMap("later", {{"x", "1"}}));
  ASSERT_TRUE(waitPod("needs", "Running", [](const json& q) { return phase(q) == "Running"; }));
}

TEST_F(KubeletEnv, ServiceAccountVolumeAndEmptyDirBetweenContainers) {
  std::string out = dir_ + "/sa";
  json p = shellPod("sa", "cat /var/run/secrets/kubernetes.io/serviceaccount/namespace > " + out +
                              "; echo shared > " + dir_ + "/mnt/scratch/note; exec sleep 100022");
  p["spec"]["containers"][0]["volumeMounts"] =
      json::array({{{"name", "scratch"}, {"mountPath", dir_ + "/mnt/scratch"}}});
  p["spec"]["containers"].push_back(
      {{"name", "reader"},
       {"image", "busybox"},
       {"command",
        json::array({"sh", "-c",
                     "while ! test -f " + dir_ + "/mnt/data/note; do sleep 0.1; done; cp " + dir_ +
                         "/mnt/data/note " + out + ".note; exec sleep 100023"})},
       {"volumeMounts",
        json::array(
            {{{"name", "scratch"}, {"mountPath", dir_ + "/mnt/data"}, {"readOnly", true}}})}});
  p["spec"]["volumes"] = json::array({{{"name", "scratch"}, {"emptyDir", json::object()}}});
  create(p);
  ASSERT_TRUE(eventually(
      "namespace file read", [&] { return readAll(out) == "default"; },
      [&] { return dump("sa"); }));
  ASSERT_TRUE(eventually(
      "note shared", [&] { return readAll(out + ".note") == "shared\n"; },
      [&] { return dump("sa"); }));
  // The token is the pod's ServiceAccount's (TokenRequest, bound to the pod), not the admin's:
  // the API server knows it as system:serviceaccount:default:default, which has no rights.
  json uid = pod("sa")["metadata"]["uid"];
  const std::string token =
      readAll(dir_ + "/pods/" + uid.get<std::string>() + "/volumes/.kube-api-access/token");
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;
  EXPECT_NE(token, readAll(api_.dataDir() + "/token"));
  auto denied =
      api_.request("GET", "/api/v1/namespaces/default/pods", "", "application/json", token);
  ASSERT_TRUE(denied.ok()) << denied.error().message;
  EXPECT_EQ(denied->status, 403);
  EXPECT_EQ(denied->json()["message"],
            "pods is forbidden: User \"system:serviceaccount:default:default\" cannot list "
            "resource \"pods\" in API group \"\" in the namespace \"default\"");
  // Bound to the pod: once the pod is gone, the token no longer authenticates.
  ASSERT_TRUE(client_->remove(kube::resources::kPods, "default", "sa").ok());
  ASSERT_TRUE(eventually("pod gone", [&] { return podGone("sa"); }));
  auto refused =
      api_.request("GET", "/api/v1/namespaces/default/pods", "", "application/json", token);
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->status, 401);
}

TEST_F(KubeletEnv, UnboundClaimKeepsThePodWaitingWithAnEvent) {
  json p = shellPod("claims", "exec sleep 100024");
  p["spec"]["volumes"] =
      json::array({{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "nosuch"}}}}});
  create(p);
  ASSERT_TRUE(eventually(
      "FailedMount event",
      [&] {
        return hasEvent("claims", "FailedMount",
                        "Unable to attach or mount volumes: volume \"data\": persistentvolumeclaim "
                        "\"nosuch\" not found");
      },
      [&] { return dump("claims"); }));
  json q = pod("claims");
  EXPECT_EQ(phase(q), "Pending");
  EXPECT_EQ(waitingReason(q), "ContainerCreating");
}

TEST_F(KubeletEnv, MissingServiceAccountKeepsThePodWaitingUntilItExists) {
  json p = shellPod("nosa", "exec sleep 100025");
  p["spec"]["serviceAccountName"] = "later";
  create(p);
  ASSERT_TRUE(eventually(
      "FailedMount event",
      [&] {
        return hasEvent("nosa", "FailedMount",
                        "MountVolume.SetUp failed for volume \".kube-api-access\" : failed to "
                        "fetch token: serviceaccounts \"later\" not found");
      },
      [&] { return dump("nosa"); }));
  EXPECT_EQ(phase(pod("nosa")), "Pending");
  create(kube::Resource{"", "v1", "ServiceAccount", "serviceaccounts", true},
         {{"apiVersion", "v1"},
          {"kind", "ServiceAccount"},
          {"metadata", {{"name", "later"}, {"namespace", "default"}}}});
  ASSERT_TRUE(waitPod("nosa", "Running", [](const json& q) { return phase(q) == "Running"; }));
}

// TokenRequest grants 5 s here: the kubelet must replace the projected token at 80% of that.
class KubeletShortTokens : public KubeletEnv {
 protected:
  KubeletShortTokens() {
    apiOptions_.extraArgs = {"--service-account-max-token-expiration-seconds", "5"};
  }
};

TEST_F(KubeletShortTokens, TheProjectedTokenIsReplacedBeforeItExpires) {
  create(shellPod("rotating", "exec sleep 100027"));
  ASSERT_TRUE(waitPod("rotating", "Running", [](const json& q) { return phase(q) == "Running"; }));
  const std::string path = dir_ + "/pods/" + pod("rotating")["metadata"]["uid"].get<std::string>() +
                           "/volumes/.kube-api-access/token";
  const std::string first = readAll(path);
  ASSERT_EQ(std::count(first.begin(), first.end(), '.'), 2) << first;
  std::string next;
  ASSERT_TRUE(eventually(
      "a new token in the volume",
      [&] {
        next = readAll(path);
        return !next.empty() && next != first;
      },
      [&] { return dump("rotating"); }));
  // The new one authenticates (403 for a list: the default account has no rights, but is known).
  auto r = api_.request("GET", "/api/v1/namespaces/default/pods", "", "application/json", next);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 403) << r->body;
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
