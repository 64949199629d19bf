// pods/log on the API server alone (no kubelet): the query's validation and parsing errors, the
// pod and container checks, an unscheduled pod's empty answer, and 503 without a node.
#include "tests/integration/localcluster/fixture.h"

namespace mysqlop::local::it {
namespace {

const char* kLogPods = "/api/v1/namespaces/default/pods";

json logTestPod(const std::string& name, const std::string& node) {
  json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"initContainers", json::array({{{"name", "init"}, {"image", "i"}}})},
              {"containers",
               json::array({{{"name", "a"}, {"image", "i"}}, {{"name", "b"}, {"image", "i"}}})}}}};
  if (!node.empty()) {
    p["spec"]["nodeName"] = node;
  }
  return p;
}

std::string statusMessage(const HttpResult& r) { return r.json().value("message", ""); }

TEST_F(ApiTest, PodLogChecksBeforeTheNode) {
  ASSERT_EQ(call("POST", kLogPods, logTestPod("p", "local")).status, 201);
  ASSERT_EQ(call("POST", kLogPods, logTestPod("unscheduled", "")).status, 201);
  const std::string log = std::string(kLogPods) + "/p/log";

  // ValidatePodLogOptions: 422 with every field's error.
  auto r = call("GET", log + "?container=a&tailLines=-1&limitBytes=0&sinceSeconds=0");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(statusMessage(r),
            "PodLogOptions \"p\" is invalid: [tailLines: Invalid value: -1: must be greater than "
            "or equal to 0, limitBytes: Invalid value: 0: must be greater than 0, sinceSeconds: "
            "Invalid value: 0: must be greater than 0]");
  EXPECT_EQ(r.json()["details"]["kind"], "PodLogOptions");
  r = call("GET", log + "?container=a&sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(statusMessage(r),
            "PodLogOptions \"p\" is invalid: : Forbidden: at most one of `sinceTime` or "
            "`sinceSeconds` may be specified");
  // The parameter codec's parse errors: 400.
  r = call("GET", log + "?container=a&tailLines=ten");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(statusMessage(r), "strconv.ParseInt: parsing \"ten\": invalid syntax");
  r = call("GET", log + "?container=a&limitBytes=99999999999999999999");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(statusMessage(r),
            "strconv.ParseInt: parsing \"99999999999999999999\": value out of range");
  r = call("GET", log + "?container=a&sinceTime=yesterday");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(statusMessage(r),
            "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
            "\"yesterday\" as \"2006\"");

  // The pod and its containers (pod_stream_target.h).
  r = call("GET", std::string(kLogPods) + "/nope/log");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(statusMessage(r), "pods \"nope\" not found");
  r = call("GET", log);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(statusMessage(r),
            "a container name must be specified for pod p, choose one of: [init a b]");
  r = call("GET", log + "?container=c");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(statusMessage(r), "container c is not valid for pod p");
  r = call("POST", log + "?container=a");
  EXPECT_EQ(r.status, 405);

  // An unscheduled pod: nothing, as kube-apiserver answers (whatever the Accept header).
  r = call("GET", std::string(kLogPods) + "/unscheduled/log?container=a&follow=true");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("Content-Type"), std::vector<std::string>{"text/plain"});

  // No kubelet serves this server's pods: 503 (booleans parse as the codec does: "1", "True").
  r = call("GET", log + "?container=init&follow=1&previous=True");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(statusMessage(r), "no node serves the logs of pod \"p\" (the kubelet is not running)");
}

}  // namespace
}  // namespace mysqlop::local::it
