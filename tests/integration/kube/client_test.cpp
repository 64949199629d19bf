// The client against the project's local API server: CRUD, paging, patches, subresources,
// deletion options, and every error type with the server's exact message.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/kube/status.h"
#include "tests/integration/kube/kube_env.h"
#include "tests/integration/kube/test_crd.h"

namespace mysqlop::kube::testing {
namespace {

using nlohmann::json;
using resources::kConfigMaps;

class ClientTest : public KubeEnv {};

TEST_F(ClientTest, CreateGetUpdateDelete) {
  auto created = client_->create(kConfigMaps, configMap("default", "a", {{"k", "v"}}));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ((*created)["metadata"]["namespace"], "default");
  const std::string rv = (*created)["metadata"]["resourceVersion"];
  EXPECT_FALSE(rv.empty());

  auto got = client_->get(kConfigMaps, "default", "a");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ((*got)["data"]["k"], "v");

  json changed = *got;
  changed["data"]["k"] = "w";
  auto updated = client_->update(kConfigMaps, changed);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ((*updated)["data"]["k"], "w");
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], rv);

  ASSERT_TRUE(client_->remove(kConfigMaps, "default", "a").ok());
  auto gone = client_->get(kConfigMaps, "default", "a");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.code(), Errc::NotFound);
  EXPECT_EQ(gone.error().message, "configmaps \"a\" not found");
}

TEST_F(ClientTest, ErrorsCarryTheServersMessage) {
  ASSERT_TRUE(client_->create(kConfigMaps, configMap("default", "a")).ok());

  auto exists = client_->create(kConfigMaps, configMap("default", "a"));
  EXPECT_EQ(exists.code(), Errc::AlreadyExists);
  EXPECT_EQ(exists.error().message, "configmaps \"a\" already exists");

  json stale = configMap("default", "a");
  stale["metadata"]["resourceVersion"] = "1";
  auto conflict = client_->update(kConfigMaps, stale);
  EXPECT_EQ(conflict.code(), Errc::Conflict);
  EXPECT_EQ(conflict.error().message,
            "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; "
            "please apply your changes to the latest version and try again");

  auto invalid = client_->create(kConfigMaps, configMap("default", "Bad_Name"));
  EXPECT_EQ(invalid.code(), Errc::Invalid);
  EXPECT_EQ(
      invalid.error().message.substr(0, 81),
      "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowe");

  auto noNamespace = client_->create(kConfigMaps, configMap("nons", "a"));
  EXPECT_EQ(noNamespace.code(), Errc::NotFound);
  EXPECT_EQ(noNamespace.error().message, "namespaces \"nons\" not found");

  ListOptions badSelector;
  badSelector.labelSelector = "a in (";
  auto bad = client_->list(kConfigMaps, "default", badSelector);
  EXPECT_EQ(bad.code(), Errc::Invalid);
  EXPECT_EQ(bad.error().message,
            "unable to parse requirement: found '', expected: ',', ')' or identifier");

  DeleteOptions pre;
  pre.preconditionUid = "not-the-uid";
  auto precondition = client_->remove(kConfigMaps, "default", "a", pre);
  EXPECT_EQ(precondition.code(), Errc::Conflict);
  EXPECT_NE(
      precondition.error().message.find("Precondition failed: UID in precondition: not-the-uid"),
      std::string::npos)
      << precondition.error().message;

  auto missingNs = client_->create(kConfigMaps, json{{"metadata", {{"name", "x"}}}});
  EXPECT_EQ(missingNs.code(), Errc::Invalid);
  EXPECT_EQ(missingNs.error().message, "creating ConfigMap \"x\": metadata.namespace is required");
  DeleteOptions sometimes;
  sometimes.propagationPolicy = "Sometimes";
  auto badPolicy = client_->remove(kConfigMaps, "default", "a", sometimes);
  EXPECT_EQ(badPolicy.code(), Errc::Invalid);
  EXPECT_EQ(badPolicy.error().message,
            "propagationPolicy must be Background, Foreground or Orphan, got \"Sometimes\"");
}

TEST_F(ClientTest, UnauthorizedWithoutTheToken) {
  RestConfig noToken = rest_;
  noToken.token = "wrong-token";
  auto t = HttpTransport::create(noToken);
  ASSERT_TRUE(t.ok());
  Client c(*t);
  auto r = c.get(kConfigMaps, "default", "a");
  EXPECT_EQ(r.code(), Errc::Unauthorized);
  EXPECT_EQ(r.error().message, "Unauthorized");
}

TEST_F(ClientTest, ExpiredWatchAndGoneHistory) {
  ASSERT_TRUE(client_->create(kConfigMaps, configMap("default", "a")).ok());
  ASSERT_TRUE(api_.compactHistory().ok());
  WatchOptions wo;
  wo.resourceVersion = "1";
  auto w = client_->watch(kConfigMaps, "default", wo);
  ASSERT_TRUE(w.ok()) << w.error().message;
  WatchEvent ev;
  auto r = (*w)->next(&ev);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(*r);
  EXPECT_EQ(ev.type, "ERROR");
  const ApiError e = parseApiError(ev.object->value("code", 0), ev.object->dump());
  EXPECT_EQ(e.toFailure().code, Errc::Gone);
  EXPECT_EQ(e.message.rfind("too old resource version: 1 (", 0), 0u) << e.message;
}

TEST_F(ClientTest, ListsWithSelectorsAndPages) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(client_
                    ->create(kConfigMaps, configMap("default", "cm" + std::to_string(i), {},
                                                    {{"app", i % 2 ? "odd" : "even"}}))
                    .ok());
  }
  ListOptions lo;
  lo.labelSelector = "app=odd";
  auto odd = client_->list(kConfigMaps, "default", lo);
  ASSERT_TRUE(odd.ok()) << odd.error().message;
  EXPECT_EQ(odd->size(), 3u);

  ListOptions fields;
  fields.fieldSelector = "metadata.name=cm4";
  auto one = client_->list(kConfigMaps, "default", fields);
  ASSERT_TRUE(one.ok()) << one.error().message;
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0]["metadata"]["name"], "cm4");

  // Pages of two, following continue tokens, each item once.
  ListOptions paged;
  paged.limit = 2;
  int pages = 0;
  std::vector<std::string> names;
  for (;;) {
    auto page = client_->listPage(kConfigMaps, "default", paged,
                                  [&](json&& item) { names.push_back(item["metadata"]["name"]); });
    ASSERT_TRUE(page.ok()) << page.error().message;
    ++pages;
    if (page->continueToken.empty()) {
      break;
    }
    paged.continueToken = page->continueToken;
  }
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(names, (std::vector<std::string>{"cm0", "cm1", "cm2", "cm3", "cm4", "cm5", "cm6"}));

  // listAll pages too, and returns the same.
  ListOptions all;
  all.limit = 3;
  std::vector<std::string> again;
  auto meta = client_->listAll(
      kConfigMaps, "default", all, [&](json&& item) { again.push_back(item["metadata"]["name"]); },
      [&] { again.clear(); });
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(again, names);
  EXPECT_FALSE(meta->resourceVersion.empty());
}

TEST_F(ClientTest, PatchesOfEveryType) {
  ASSERT_TRUE(
      client_->create(kConfigMaps, configMap("default", "p", {{"a", "1"}, {"b", "2"}})).ok());
  auto merged = client_->patch(kConfigMaps, "default", "p", PatchType::Merge,
                               R"({"data":{"a":null,"c":"3"}})");
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ((*merged)["data"], (json{{"b", "2"}, {"c", "3"}}));

  auto jsonPatch = client_->patch(kConfigMaps, "default", "p", PatchType::Json,
                                  R"([{"op":"replace","path":"/data/b","value":"20"}])");
  ASSERT_TRUE(jsonPatch.ok()) << jsonPatch.error().message;
  EXPECT_EQ((*jsonPatch)["data"]["b"], "20");

  auto failedTest = client_->patch(kConfigMaps, "default", "p", PatchType::Json,
                                   R"([{"op":"test","path":"/data/b","value":"nope"}])");
  EXPECT_EQ(failedTest.code(), Errc::Invalid);

  auto strategic = client_->patch(kConfigMaps, "default", "p", PatchType::Strategic,
                                  R"({"metadata":{"labels":{"x":"y"}}})");
  ASSERT_TRUE(strategic.ok()) << strategic.error().message;
  EXPECT_EQ((*strategic)["metadata"]["labels"]["x"], "y");

  PatchOptions apply;
  apply.fieldManager = "mysql-operator/test";
  apply.force = true;
  auto applied = client_->patch(
      kConfigMaps, "default", "applied", PatchType::Apply,
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied","namespace":"default"},"data":{"k":"v"}})",
      apply);
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ((*applied)["data"]["k"], "v");
  bool managed = false;
  for (const auto& m : (*applied)["metadata"].value("managedFields", json::array())) {
    managed = managed || (m.value("manager", "") == "mysql-operator/test" &&
                          m.value("operation", "") == "Apply");
  }
  EXPECT_TRUE(managed) << applied->dump();

  PatchOptions noManager;
  auto refused =
      client_->patch(kConfigMaps, "default", "applied", PatchType::Apply, "{}", noManager);
  EXPECT_EQ(refused.code(), Errc::Invalid);
  EXPECT_EQ(refused.error().message,
            "server-side apply of ConfigMap \"applied\" needs a field manager");
  PatchOptions forced;
  forced.force = true;
  auto forceMerge = client_->patch(kConfigMaps, "default", "p", PatchType::Merge, "{}", forced);
  EXPECT_EQ(forceMerge.error().message, "force is only allowed for server-side apply");

  auto missing = client_->patch(kConfigMaps, "default", "nope", PatchType::Merge, "{}");
  EXPECT_EQ(missing.code(), Errc::NotFound);
  EXPECT_EQ(missing.error().message, "configmaps \"nope\" not found");
}

TEST_F(ClientTest, CustomResourcesStatusScaleAndStrategicRefusal) {
  ASSERT_TRUE(client_->create(kCrds, testCrd(true)).ok());
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(client_->list(kWidgets, "default").ok()));
  json w = {{"apiVersion", "test.mysqlop.io/v1"},
            {"kind", "Widget"},
            {"metadata", {{"name", "w1"}, {"namespace", "default"}}},
            {"spec", {{"replicas", 1}}}};
  auto created = client_->create(kWidgets, w);
  ASSERT_TRUE(created.ok()) << created.error().message;

  json withStatus = *created;
  withStatus["status"] = {{"replicas", 1}, {"phase", "Ready"}};
  auto st = client_->updateStatus(kWidgets, withStatus);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ((*st)["status"]["phase"], "Ready");

  auto scale = client_->get(kWidgets, "default", "w1", "scale");
  ASSERT_TRUE(scale.ok()) << scale.error().message;
  EXPECT_EQ((*scale)["kind"], "Scale");
  EXPECT_EQ((*scale)["spec"]["replicas"], 1);
  PatchOptions toScale;
  toScale.subresource = "scale";
  auto scaled = client_->patch(kWidgets, "default", "w1", PatchType::Merge,
                               R"({"spec":{"replicas":3}})", toScale);
  ASSERT_TRUE(scaled.ok()) << scaled.error().message;
  EXPECT_EQ((*client_->get(kWidgets, "default", "w1"))["spec"]["replicas"], 3);

  auto strategic =
      client_->patch(kWidgets, "default", "w1", PatchType::Strategic, R"({"spec":{}})");
  EXPECT_EQ(strategic.code(), Errc::Unsupported);
  EXPECT_FALSE(strategic.error().message.empty());

  // An update with a stale resourceVersion of a custom resource conflicts as well.
  auto stale = client_->update(kWidgets, *created);
  EXPECT_EQ(stale.code(), Errc::Conflict);
  EXPECT_EQ(stale.error().message,
            "Operation cannot be fulfilled on widgets.test.mysqlop.io \"w1\": the object has been "
            "modified; please apply your changes to the latest version and try again");
}

TEST_F(ClientTest, JobsAreDeletedInTheBackgroundAndPreconditionsHold) {
  const Resource jobs = resources::kJobs;
  json job = {{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata", {{"name", "j"}, {"namespace", "default"}}},
              {"spec",
               {{"template",
                 {{"spec",
                   {{"restartPolicy", "Never"},
                    {"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})}}}}}}}};
  auto created = client_->create(jobs, job);
  ASSERT_TRUE(created.ok()) << created.error().message;
  // Without propagationPolicy the server would orphan (a finalizer keeps the Job); ours sends
  // Background, so the Job is gone at once.
  DeleteOptions pre;
  pre.preconditionUid = (*created)["metadata"]["uid"].get<std::string>();
  ASSERT_TRUE(client_->remove(jobs, "default", "j", pre).ok());
  auto gone = client_->get(jobs, "default", "j");
  EXPECT_EQ(gone.code(), Errc::NotFound);
  EXPECT_EQ(gone.error().message, "jobs.batch \"j\" not found");
}

TEST_F(ClientTest, RetryOnConflictRereads) {
  ASSERT_TRUE(client_->create(kConfigMaps, configMap("default", "r", {{"n", "0"}})).ok());
  ASSERT_TRUE(api_.failNextWrites(2, 409, "configmaps").ok());
  int attempts = 0;
  auto r = retryOnConflict([&]() -> Result<json> {
    ++attempts;
    auto cur = client_->get(kConfigMaps, "default", "r");
    if (!cur.ok()) {
      return cur.error();
    }
    (*cur)["data"]["n"] = "1";
    return client_->update(kConfigMaps, *cur);
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ((*r)["data"]["n"], "1");
}

TEST_F(ClientTest, InternalErrorIsReported) {
  ASSERT_TRUE(api_.failNextWrites(1, 500).ok());
  auto r = client_->create(kConfigMaps, configMap("default", "x"));
  EXPECT_EQ(r.code(), Errc::Internal);
  EXPECT_FALSE(r.error().message.empty());
  EXPECT_TRUE(client_->create(kConfigMaps, configMap("default", "x")).ok());
}

}  // namespace
}  // namespace mysqlop::kube::testing
