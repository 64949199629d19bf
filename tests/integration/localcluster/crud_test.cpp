// CRUD through the HTTP API: system fields, exact Status errors, updates, patches, no-op writes.
#include "tests/integration/localcluster/fixture.h"

namespace mysqlop::local::it {
namespace {

TEST_F(ApiTest, CreateSetsSystemFieldsAndGetReturnsTheObject) {
  auto c = call("POST", kCmPath, configMap("c1"));
  ASSERT_EQ(c.status, 201) << c.body;
  json obj = c.json();
  EXPECT_EQ(obj["metadata"]["namespace"], "default");
  EXPECT_EQ(obj["metadata"]["uid"].get<std::string>().size(), 36u);
  EXPECT_FALSE(obj["metadata"]["creationTimestamp"].get<std::string>().empty());
  EXPECT_FALSE(obj["metadata"].contains("generation"));  // ConfigMaps do not track generation
  EXPECT_EQ(obj["metadata"]["resourceVersion"], rv());
  auto g = call("GET", std::string(kCmPath) + "/c1");
  ASSERT_EQ(g.status, 200);
  EXPECT_EQ(g.json(), obj);
  EXPECT_EQ(g.header("Content-Type")[0], "application/json");
}

TEST_F(ApiTest, ExactStatusErrorsOnCreate) {
  ASSERT_EQ(call("POST", kCmPath, configMap("c1")).status, 201);
  auto dup = call("POST", kCmPath, configMap("c1"));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.json(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","message":"configmaps \"c1\" already exists","reason":"AlreadyExists",
      "details":{"name":"c1","kind":"configmaps"},"code":409})"));

  json withRv = configMap("c2");
  withRv["metadata"]["resourceVersion"] = "5";
  auto r = call("POST", kCmPath, withRv);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.json()["message"],
            "Internal error occurred: resourceVersion should not be set on objects to be created");

  auto noNs = call("POST", "/api/v1/namespaces/nope/configmaps", configMap("c3"));
  EXPECT_EQ(noNs.status, 404);
  EXPECT_EQ(noNs.json()["message"], "namespaces \"nope\" not found");

  json otherNs = configMap("c4");
  otherNs["metadata"]["namespace"] = "kube-system";
  auto mismatch = call("POST", kCmPath, otherNs);
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(mismatch.json()["message"],
            "the namespace of the provided object does not match the namespace sent on the "
            "request");

  json noName = configMap("");
  auto nn = call("POST", kCmPath, noName);
  EXPECT_EQ(nn.status, 422);
  EXPECT_EQ(nn.json()["message"],
            "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is "
            "required");

  auto bad = call("POST", kCmPath, configMap("Bad_Name"));
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["message"],
            "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a "
            "lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
            "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
            "regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  EXPECT_EQ(bad.json()["details"]["causes"][0]["field"], "metadata.name");

  json wrongKind = configMap("c5");
  wrongKind["kind"] = "Secret";
  auto wk = call("POST", kCmPath, wrongKind);
  EXPECT_EQ(wk.status, 400);
  EXPECT_EQ(wk.json()["message"],
            "the kind in the data (Secret) does not match the expected kind (ConfigMap)");

  auto garbage = call("POST", kCmPath, std::string("{not json"));
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(garbage.json()["reason"], "BadRequest");
}

TEST_F(ApiTest, GenerateName) {
  json obj = configMap("");
  obj["metadata"]["generateName"] = "gen-";
  auto r = call("POST", kCmPath, obj);
  ASSERT_EQ(r.status, 201);
  std::string name = r.json()["metadata"]["name"];
  EXPECT_EQ(name.size(), 9u);
  EXPECT_EQ(name.substr(0, 4), "gen-");
  EXPECT_EQ(name.find_first_not_of("bcdfghjklmnpqrstvwxz2456789", 4), std::string::npos);
}

TEST_F(ApiTest, NotFoundUnknownPathMethodAndAccept) {
  auto nf = call("GET", std::string(kCmPath) + "/missing");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.json(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","message":"configmaps \"missing\" not found","reason":"NotFound",
      "details":{"name":"missing","kind":"configmaps"},"code":404})"));
  auto sts = call("GET", "/apis/apps/v1/namespaces/default/statefulsets/db");
  EXPECT_EQ(sts.json()["message"], "statefulsets.apps \"db\" not found");
  EXPECT_EQ(sts.json()["details"]["group"], "apps");
  auto path = call("GET", "/apis/nope.example.com/v1/things");
  EXPECT_EQ(path.status, 404);
  EXPECT_EQ(path.json()["message"], "the server could not find the requested resource");
  auto put = call("PUT", kCmPath, configMap("x"));
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.json()["reason"], "MethodNotAllowed");
  auto proto = api_.request("GET", kCmPath, "", "application/json", "\x01",
                            {{"Accept", "application/vnd.kubernetes.protobuf"}});
  ASSERT_TRUE(proto.ok());
  EXPECT_EQ(proto->status, 406);
  EXPECT_EQ(proto->json()["reason"], "NotAcceptable");
  auto table =
      api_.request("GET", kCmPath, "", "application/json", "\x01",
                   {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}});
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->status, 200);
  EXPECT_EQ(table->json()["kind"], "Table");  // server-side printing for kubectl get
}

TEST_F(ApiTest, UpdateChecksResourceVersionAndKeepsSystemFields) {
  json created = call("POST", kCmPath, configMap("c1")).json();
  json upd = created;
  upd["data"]["k"] = "v2";
  upd["metadata"]["uid"] = created["metadata"]["uid"];
  upd["metadata"]["creationTimestamp"] = "2000-01-01T00:00:00Z";
  auto r = call("PUT", std::string(kCmPath) + "/c1", upd);
  ASSERT_EQ(r.status, 200) << r.body;
  json stored = r.json();
  EXPECT_EQ(stored["data"]["k"], "v2");
  EXPECT_EQ(stored["metadata"]["creationTimestamp"], created["metadata"]["creationTimestamp"]);
  EXPECT_GT(std::stoull(stored["metadata"]["resourceVersion"].get<std::string>()),
            std::stoull(created["metadata"]["resourceVersion"].get<std::string>()));

  // Stale resourceVersion: 409 with the optimistic-lock message.
  auto stale = call("PUT", std::string(kCmPath) + "/c1", upd);
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.json(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","message":"Operation cannot be fulfilled on configmaps \"c1\": the object has been modified; please apply your changes to the latest version and try again",
      "reason":"Conflict","details":{"name":"c1","kind":"configmaps"},"code":409})"));

  // ConfigMaps allow unconditional updates (no resourceVersion).
  json blind = configMap("c1", {{"k", "v3"}});
  EXPECT_EQ(call("PUT", std::string(kCmPath) + "/c1", blind).status, 200);

  json uidChange = call("GET", std::string(kCmPath) + "/c1").json();
  uidChange["metadata"]["uid"] = "00000000-0000-4000-8000-000000000000";
  auto u = call("PUT", std::string(kCmPath) + "/c1", uidChange);
  EXPECT_EQ(u.status, 422);
  EXPECT_EQ(u.json()["message"],
            "ConfigMap \"c1\" is invalid: metadata.uid: Invalid value: "
            "\"00000000-0000-4000-8000-000000000000\": field is immutable");

  auto nameMismatch = call("PUT", std::string(kCmPath) + "/c1", configMap("other"));
  EXPECT_EQ(nameMismatch.status, 400);
  EXPECT_EQ(nameMismatch.json()["message"],
            "the name of the object (other) does not match the name on the URL (c1)");
  auto missing = call("PUT", std::string(kCmPath) + "/nope", configMap("nope"));
  EXPECT_EQ(missing.status, 404);
}

TEST_F(ApiTest, NoOpWritesKeepTheResourceVersion) {
  json created = call("POST", kCmPath, configMap("c1")).json();
  std::string before = rv();
  auto same = call("PUT", std::string(kCmPath) + "/c1", created);
  ASSERT_EQ(same.status, 200);
  EXPECT_EQ(same.json()["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"]);
  auto patch = call("PATCH", std::string(kCmPath) + "/c1", json{{"data", {{"k", "v"}}}},
                    "application/merge-patch+json");
  ASSERT_EQ(patch.status, 200);
  EXPECT_EQ(patch.json()["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"]);
  EXPECT_EQ(rv(), before);  // nothing was written
}

TEST_F(ApiTest, PatchTypes) {
  call("POST", kCmPath, configMap("c1", {{"a", "1"}, {"b", "2"}}));
  auto merge = call("PATCH", std::string(kCmPath) + "/c1",
                    json::parse(R"({"data":{"a":null,"c":"3"}})"), "application/merge-patch+json");
  ASSERT_EQ(merge.status, 200);
  EXPECT_EQ(merge.json()["data"], json::parse(R"({"b":"2","c":"3"})"));
  auto jp = call("PATCH", std::string(kCmPath) + "/c1",
                 json::parse(R"([{"op":"replace","path":"/data/b","value":"20"}])"),
                 "application/json-patch+json");
  ASSERT_EQ(jp.status, 200);
  EXPECT_EQ(jp.json()["data"]["b"], "20");
  auto smp = call("PATCH", std::string(kCmPath) + "/c1",
                  json::parse(R"({"metadata":{"finalizers":["x.io/f"]},"data":{"d":"4"}})"),
                  "application/strategic-merge-patch+json");
  ASSERT_EQ(smp.status, 200);
  EXPECT_EQ(smp.json()["metadata"]["finalizers"], json::parse(R"(["x.io/f"])"));
  EXPECT_EQ(smp.json()["data"]["d"], "4");

  auto failedTest = call("PATCH", std::string(kCmPath) + "/c1",
                         json::parse(R"([{"op":"test","path":"/data/b","value":"nope"}])"),
                         "application/json-patch+json");
  EXPECT_EQ(failedTest.status, 422);
  EXPECT_EQ(failedTest.json(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","message":"the server rejected our request due to an error in our request",
      "reason":"Invalid","code":422})"));

  auto unknown = call("PATCH", std::string(kCmPath) + "/c1", std::string("{}"), "text/plain");
  EXPECT_EQ(unknown.status, 415);
  EXPECT_EQ(unknown.json()["message"],
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, "
            "application/apply-patch+yaml, application/strategic-merge-patch+json");

  auto force = call("PATCH", std::string(kCmPath) + "/c1?force=true", std::string("{}"),
                    "application/merge-patch+json");
  EXPECT_EQ(force.status, 422);
  EXPECT_EQ(force.json()["message"],
            "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for "
            "non-apply patch");
  auto noManager = call("PATCH", std::string(kCmPath) + "/c1", std::string("{}"),
                        "application/apply-patch+yaml");
  EXPECT_EQ(noManager.status, 422);
  EXPECT_EQ(noManager.json()["message"],
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
            "for apply patch");

  // A patch carrying a stale resourceVersion conflicts.
  auto stale = call("PATCH", std::string(kCmPath) + "/c1",
                    json::parse(R"({"metadata":{"resourceVersion":"1"},"data":{"e":"5"}})"),
                    "application/merge-patch+json");
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.json()["reason"], "Conflict");
}

TEST_F(ApiTest, ServerSideApplyCreatesUpdatesAndConflicts) {
  std::string path = std::string(kCmPath) + "/sa";
  std::string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sa\ndata:\n  k: v\n";
  auto created = call("PATCH", path + "?fieldManager=one", yaml, "application/apply-patch+yaml");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()["metadata"]["managedFields"][0]["manager"], "one");
  auto again = call("PATCH", path + "?fieldManager=one", yaml, "application/apply-patch+yaml");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json()["metadata"]["resourceVersion"],
            created.json()["metadata"]["resourceVersion"]);
  std::string other = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sa\ndata:\n  k: w\n";
  auto conflict = call("PATCH", path + "?fieldManager=two", other, "application/apply-patch+yaml");
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.json()["message"],
            "Apply failed with 1 conflict: conflict with \"one\": .data.k");
  auto forced =
      call("PATCH", path + "?fieldManager=two&force=true", other, "application/apply-patch+yaml");
  EXPECT_EQ(forced.status, 200);
  EXPECT_EQ(forced.json()["data"]["k"], "w");
}

TEST_F(ApiTest, GenerationFollowsSpecChangesOnly) {
  json sts = json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db"},
    "spec":{"serviceName":"db","selector":{"matchLabels":{"app":"db"}},
      "template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"m","image":"mariadb:10.11"}]}}},
    "status":{"replicas":7}})");
  std::string base = "/apis/apps/v1/namespaces/default/statefulsets";
  auto c = call("POST", base, sts);
  ASSERT_EQ(c.status, 201) << c.body;
  json obj = c.json();
  EXPECT_EQ(obj["metadata"]["generation"], 1);
  EXPECT_EQ(obj["status"], json::parse(R"({"replicas":0,"availableReplicas":0})"));
  // Defaults (kube-api.md §2.9).
  EXPECT_EQ(obj["spec"]["replicas"], 1);
  EXPECT_EQ(obj["spec"]["podManagementPolicy"], "OrderedReady");
  EXPECT_EQ(obj["spec"]["template"]["spec"]["restartPolicy"], "Always");
  EXPECT_EQ(obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
  auto labels = call("PATCH", base + "/db", json::parse(R"({"metadata":{"labels":{"a":"b"}}})"),
                     "application/merge-patch+json");
  EXPECT_EQ(labels.json()["metadata"]["generation"], 1);
  auto spec = call("PATCH", base + "/db", json::parse(R"({"spec":{"replicas":3}})"),
                   "application/merge-patch+json");
  EXPECT_EQ(spec.json()["metadata"]["generation"], 2);
  auto status = call("PATCH", base + "/db/status",
                     json::parse(R"({"status":{"replicas":3},"spec":{"replicas":9}})"),
                     "application/merge-patch+json");
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(status.json()["metadata"]["generation"], 2);
  EXPECT_EQ(status.json()["status"]["replicas"], 3);
  EXPECT_EQ(status.json()["spec"]["replicas"], 3);  // spec ignored through /status
  // Status through the main endpoint is ignored.
  auto main = call("PATCH", base + "/db", json::parse(R"({"status":{"replicas":1}})"),
                   "application/merge-patch+json");
  EXPECT_EQ(main.json()["status"]["replicas"], 3);
  auto immutable = call("PATCH", base + "/db", json::parse(R"({"spec":{"serviceName":"x"}})"),
                        "application/merge-patch+json");
  EXPECT_EQ(immutable.status, 422);
  EXPECT_EQ(immutable.json()["message"],
            "StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for "
            "fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
            "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
            "'minReadySeconds' are forbidden");
}

TEST_F(ApiTest, BuiltinDefaulting) {
  auto svc = call("POST", "/api/v1/namespaces/default/services",
                  json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"db"},
                    "spec":{"selector":{"app":"db"},"ports":[{"port":3306}]}})"));
  ASSERT_EQ(svc.status, 201) << svc.body;
  json spec = svc.json()["spec"];
  EXPECT_EQ(spec["type"], "ClusterIP");
  EXPECT_EQ(spec["sessionAffinity"], "None");
  EXPECT_EQ(spec["ports"][0], json::parse(R"({"port":3306,"protocol":"TCP","targetPort":3306})"));
  std::string ip = spec["clusterIP"];
  EXPECT_EQ(ip.rfind("198.19.", 0), 0u);  // the default Service CIDR
  EXPECT_NE(ip, "198.19.0.1");            // the kubernetes Service's
  EXPECT_EQ(spec["clusterIPs"], json::array({ip}));
  // A PUT without clusterIP keeps the allocated one.
  json put = svc.json();
  put["spec"].erase("clusterIP");
  put["spec"].erase("clusterIPs");
  auto r = call("PUT", "/api/v1/namespaces/default/services/db", put);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["spec"]["clusterIP"], ip);
  auto headless = call("POST", "/api/v1/namespaces/default/services",
                       json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"h"},
                         "spec":{"clusterIP":"None","ports":[{"port":1}]}})"));
  EXPECT_EQ(headless.json()["spec"]["clusterIP"], "None");

  auto secret = call("POST", "/api/v1/namespaces/default/secrets",
                     json::parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},
                       "stringData":{"ROOT_PASSWORD":"pw"}})"));
  ASSERT_EQ(secret.status, 201);
  EXPECT_EQ(secret.json()["type"], "Opaque");
  EXPECT_EQ(secret.json()["data"]["ROOT_PASSWORD"], "cHc=");
  EXPECT_FALSE(secret.json().contains("stringData"));

  auto ns = call("GET", "/api/v1/namespaces/default");
  EXPECT_EQ(ns.json()["metadata"]["labels"]["kubernetes.io/metadata.name"], "default");
  EXPECT_EQ(ns.json()["status"]["phase"], "Active");

  auto job = call("POST", "/apis/batch/v1/namespaces/default/jobs",
                  json::parse(R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},
                    "spec":{"template":{"spec":{"restartPolicy":"Never",
                      "containers":[{"name":"c","image":"busybox:latest"}]}}}})"));
  ASSERT_EQ(job.status, 201) << job.body;
  json js = job.json()["spec"];
  std::string uid = job.json()["metadata"]["uid"];
  EXPECT_EQ(js["backoffLimit"], 6);
  EXPECT_EQ(js["completions"], 1);
  EXPECT_EQ(js["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"], uid);
  EXPECT_EQ(js["template"]["metadata"]["labels"]["job-name"], "j");
  EXPECT_EQ(js["template"]["spec"]["containers"][0]["imagePullPolicy"], "Always");

  auto pod = call("POST", "/api/v1/namespaces/default/pods",
                  json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                    "spec":{"containers":[{"name":"c","image":"busybox"}]}})"));
  ASSERT_EQ(pod.status, 201);
  EXPECT_EQ(pod.json()["status"], json::parse(R"({"phase":"Pending","qosClass":"BestEffort"})"));
  EXPECT_EQ(pod.json()["spec"]["enableServiceLinks"], true);
  auto pvc = call("POST", "/api/v1/namespaces/default/persistentvolumeclaims",
                  json::parse(R"({"apiVersion":"v1","kind":"PersistentVolumeClaim",
                    "metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],
                    "resources":{"requests":{"storage":"1024Mi"}}}})"));
  ASSERT_EQ(pvc.status, 201) << pvc.body;
  EXPECT_EQ(pvc.json()["spec"]["resources"]["requests"]["storage"], "1Gi");
  EXPECT_EQ(pvc.json()["spec"]["volumeMode"], "Filesystem");
  EXPECT_EQ(pvc.json()["status"]["phase"], "Pending");
  auto noContainers = call("POST", "/api/v1/namespaces/default/pods",
                           json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"q"},
                             "spec":{}})"));
  EXPECT_EQ(noContainers.status, 422);
  EXPECT_EQ(noContainers.json()["message"],
            "Pod \"q\" is invalid: spec.containers: Required value");
}

TEST_F(ApiTest, DryRunPersistsNothing) {
  std::string before = rv();
  auto r = call("POST", std::string(kCmPath) + "?dryRun=All", configMap("dry"));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(call("GET", std::string(kCmPath) + "/dry").status, 404);
  EXPECT_EQ(rv(), before);
}

}  // namespace
}  // namespace mysqlop::local::it

namespace mysqlop::local::it {
namespace {

TEST(ApiServerProcessTest, ServiceCidrFlag) {
  LocalApiServer bad;
  LocalApiServer::Options o;
  o.extraArgs = {"--service-cidr", "10.96.0.0/12"};
  auto r = bad.start(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.error().message,
      "mysql-operator-local exited: mysql-operator-local: service CIDR \"10.96.0.0/12\" is "
      "outside 198.18.0.0/15, the range the local cluster may use (it is reserved for network "
      "tests)\n");

  LocalApiServer good;
  o.extraArgs = {"--service-cidr", "198.18.64.0/20", "--tls-san", "198.18.64.1"};
  ASSERT_TRUE(good.start(o).ok());
  auto k = good.request("GET", "/api/v1/namespaces/default/services/kubernetes");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->json()["spec"]["clusterIP"], "198.18.64.1");
}

}  // namespace
}  // namespace mysqlop::local::it
