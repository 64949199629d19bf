// Informers against the local API server: the handler call sequences under every fault the
// server can inject (dropped watch, 410, 409 then retry, 500, restart, data loss), with no event
// lost and none delivered twice.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/kube/informer.h"
#include "core/kube/informer_factory.h"
#include "core/metrics/registry.h"
#include "tests/integration/kube/kube_env.h"

namespace mysqlop::kube::testing {
namespace {

using nlohmann::json;
using resources::kConfigMaps;

// Records every handler call as "add ns/name", "update ns/name", "delete ns/name", and checks on
// the fly that the sequence is consistent: adds only of absent keys, updates and deletes only of
// present ones, resourceVersions increasing per key.
class CallLog {
 public:
  EventHandlers handlers() {
    EventHandlers h;
    h.onAdd = [this](const ObjectPtr& o) { note("add", o, nullptr); };
    h.onUpdate = [this](const ObjectPtr& old, const ObjectPtr& o) { note("update", o, old); };
    h.onDelete = [this](const ObjectPtr& o) { note("delete", o, nullptr); };
    return h;
  }
  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  // The calls about one key, in order.
  std::vector<std::string> callsFor(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const std::string& c : calls_) {
      if (c.substr(c.find(' ') + 1) == key) {
        out.push_back(c.substr(0, c.find(' ')));
      }
    }
    return out;
  }
  std::size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_.size();
  }
  std::vector<std::string> errors() {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }
  // key -> resourceVersion as the handlers saw it.
  std::map<std::string, std::string> state() {
    std::lock_guard<std::mutex> lock(mu_);
    return state_;
  }
  // Blocks the informer thread in the next handler call for `key` until release().
  void blockOn(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    blockKey_ = key;
    blocked_ = false;
    released_ = false;
  }
  void waitBlocked() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return blocked_; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    blockKey_.clear();
    cv_.notify_all();
  }

 private:
  static long long rvOf(const ObjectPtr& o) { return std::stoll(o->resourceVersion); }

  void note(const char* what, const ObjectPtr& o, const ObjectPtr& old) {
    std::unique_lock<std::mutex> lock(mu_);
    const std::string key = o->key();
    const std::string kind = what;
    auto it = state_.find(key);
    if (kind == "add" && it != state_.end()) {
      errors_.push_back("add of present " + key);
    }
    if (kind != "add" && it == state_.end()) {
      errors_.push_back(kind + " of absent " + key);
    }
    if (kind == "update") {
      if (old->resourceVersion != it->second) {
        errors_.push_back("update of " + key + " from rv " + old->resourceVersion +
                          " but handlers saw " + it->second);
      }
      if (rvOf(o) <= rvOf(old)) {
        errors_.push_back("update of " + key + " did not move forward: " + old->resourceVersion +
                          " -> " + o->resourceVersion);
      }
    }
    if (kind == "delete") {
      state_.erase(key);
    } else {
      state_[key] = o->resourceVersion;
    }
    calls_.push_back(kind + " " + key);
    if (!blockKey_.empty() && key == blockKey_) {
      blocked_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return released_; });
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> calls_;
  std::vector<std::string> errors_;
  std::map<std::string, std::string> state_;
  std::string blockKey_;
  bool blocked_ = false;
  bool released_ = false;
};

class InformerTest : public KubeEnv {
 protected:
  void SetUp() override {
    KubeEnv::SetUp();
    ASSERT_TRUE(createNamespace("ns1").ok());
    ASSERT_TRUE(createNamespace("ns2").ok());
  }
  void TearDown() override {
    if (informer_) {
      informer_->stop();
    }
  }

  Informer& startInformer(InformerOptions o = {}) {
    o.backoffInitial = std::chrono::milliseconds(50);
    o.backoffMax = std::chrono::milliseconds(500);
    informer_ = std::make_unique<Informer>(*client_, kConfigMaps, o, &registry_);
    informer_->addHandlers(log_.handlers());
    informer_->start();
    EXPECT_TRUE(informer_->waitForSync(std::chrono::seconds(60)));
    return *informer_;
  }

  json put(const std::string& ns, const std::string& name, const std::string& value) {
    auto cur = client_->get(kConfigMaps, ns, name);
    if (cur.ok()) {
      (*cur)["data"]["v"] = value;
      auto r = client_->update(kConfigMaps, *cur);
      EXPECT_TRUE(r.ok()) << r.error().message;
      return r.ok() ? *r : json();
    }
    auto r = client_->create(kConfigMaps, configMap(ns, name, {{"v", value}}));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : json();
  }
  void del(const std::string& ns, const std::string& name) {
    auto r = client_->remove(kConfigMaps, ns, name);
    EXPECT_TRUE(r.ok()) << r.error().message;
  }

  // The server's view: key -> resourceVersion of every ConfigMap (in ns1 and ns2).
  std::map<std::string, std::string> serverState(const std::string& ns = "") {
    std::map<std::string, std::string> out;
    auto all = client_->list(kConfigMaps, ns);
    EXPECT_TRUE(all.ok());
    for (const json& o : *all) {
      const std::string n = o["metadata"]["namespace"];
      if (n != "ns1" && n != "ns2") {
        continue;  // kube-root-ca.crt and friends elsewhere are not ours
      }
      out[n + "/" + o["metadata"]["name"].get<std::string>()] = o["metadata"]["resourceVersion"];
    }
    return out;
  }
  std::map<std::string, std::string> handlerState() {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : log_.state()) {
      if (k.rfind("ns1/", 0) == 0 || k.rfind("ns2/", 0) == 0) {
        out[k] = v;
      }
    }
    return out;
  }
  void expectConverged() {
    EXPECT_TRUE(MYSQLOP_EVENTUALLY(handlerState() == serverState()))
        << "handlers never caught up with the server";
    EXPECT_EQ(log_.errors(), std::vector<std::string>{});
    // The cache agrees with the handlers.
    std::map<std::string, std::string> cache;
    for (const ObjectPtr& o : informer_->store().list("")) {
      if (o->namespaceName == "ns1" || o->namespaceName == "ns2") {
        cache[o->key()] = o->resourceVersion;
      }
    }
    EXPECT_EQ(cache, serverState());
  }

  metrics::Registry registry_;
  CallLog log_;
  std::unique_ptr<Informer> informer_;
};

using Calls = std::vector<std::string>;

TEST_F(InformerTest, ListsThenWatchesInOrder) {
  put("ns1", "a", "1");
  put("ns1", "b", "1");
  Informer& inf = startInformer();
  EXPECT_TRUE(inf.hasSynced());
  EXPECT_EQ(log_.callsFor("ns1/a"), Calls{"add"});
  EXPECT_EQ(log_.callsFor("ns1/b"), Calls{"add"});
  put("ns1", "a", "2");
  del("ns1", "b");
  put("ns2", "c", "1");
  put("ns1", "a", "3");
  expectConverged();
  EXPECT_EQ(log_.callsFor("ns1/a"), (Calls{"add", "update", "update"}));
  EXPECT_EQ(log_.callsFor("ns1/b"), (Calls{"add", "delete"}));
  EXPECT_EQ(log_.callsFor("ns2/c"), Calls{"add"});
  EXPECT_EQ(inf.listCount(), 1u);
  // Cached objects carry their type, even though list items of built-ins do not.
  const json cached = json::parse(inf.store().get("ns1/a")->json);
  EXPECT_EQ(cached["kind"], "ConfigMap");
  EXPECT_EQ(cached["apiVersion"], "v1");
  const std::string metrics = registry_.render();
  EXPECT_NE(
      metrics.find("mysqlop_informer_events_total{resource=\"configmaps\",event=\"delete\"} 1"),
      std::string::npos)
      << metrics;
}

TEST_F(InformerTest, DroppedWatchResumesWithoutRelistOrLoss) {
  put("ns1", "a", "1");
  Informer& inf = startInformer();
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(api_.closeWatches().ok());
    put("ns1", "a", std::to_string(round + 2));
    put("ns1", "n" + std::to_string(round), "x");
  }
  expectConverged();
  EXPECT_EQ(log_.callsFor("ns1/a"),
            (Calls{"add", "update", "update", "update", "update", "update"}));
  for (int round = 0; round < 5; ++round) {
    EXPECT_EQ(log_.callsFor("ns1/n" + std::to_string(round)), Calls{"add"});
  }
  EXPECT_EQ(inf.listCount(), 1u);  // re-watched from the last resourceVersion, never relisted
  EXPECT_GE(inf.watchCount(), 2u);
}

TEST_F(InformerTest, ExpiredWatchRelistsAndDeliversNothingTwice) {
  put("ns1", "a", "1");
  put("ns1", "b", "1");
  Informer& inf = startInformer();
  const std::size_t before = log_.size();
  ASSERT_TRUE(api_.expireNextWatches(1).ok());
  ASSERT_TRUE(api_.closeWatches().ok());
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(inf.listCount() == 2));
  // The relist found nothing new: no handler call at all.
  EXPECT_EQ(log_.size(), before);
  put("ns1", "a", "2");
  expectConverged();
  EXPECT_EQ(log_.callsFor("ns1/a"), (Calls{"add", "update"}));
  EXPECT_EQ(log_.callsFor("ns1/b"), Calls{"add"});
}

TEST_F(InformerTest, ChangesMissedWhileDisconnectedComeFromTheRelist) {
  put("ns1", "a", "1");
  put("ns1", "b", "1");
  put("ns1", "trigger", "1");
  Informer& inf = startInformer();
  // Hold the informer inside a handler, end its watch, change things, and compact the history so
  // that resuming from the last resourceVersion is impossible.
  log_.blockOn("ns1/trigger");
  put("ns1", "trigger", "2");
  log_.waitBlocked();
  ASSERT_TRUE(api_.closeWatches().ok());
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(api_.status()->value("openWatches", 1) == 0));
  del("ns1", "b");
  put("ns1", "a", "2");
  put("ns2", "new", "1");
  ASSERT_TRUE(api_.compactHistory().ok());
  log_.release();
  expectConverged();
  EXPECT_EQ(inf.listCount(), 2u);
  EXPECT_EQ(log_.callsFor("ns1/b"), (Calls{"add", "delete"}));  // synthesized by the relist
  EXPECT_EQ(log_.callsFor("ns1/a"), (Calls{"add", "update"}));
  EXPECT_EQ(log_.callsFor("ns2/new"), Calls{"add"});
  EXPECT_EQ(log_.callsFor("ns1/trigger"), (Calls{"add", "update"}));
}

TEST_F(InformerTest, ConflictThenRetryAndInternalErrorsProduceOneEventEach) {
  put("ns1", "a", "1");
  startInformer();
  ASSERT_TRUE(api_.failNextWrites(1, 409, "configmaps").ok());
  auto r = retryOnConflict([&]() -> Result<json> {
    auto cur = client_->get(kConfigMaps, "ns1", "a");
    if (!cur.ok()) {
      return cur.error();
    }
    (*cur)["data"]["v"] = "2";
    return client_->update(kConfigMaps, *cur);
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(api_.failNextWrites(1, 500).ok());
  auto failed = client_->create(kConfigMaps, configMap("ns1", "b"));
  EXPECT_EQ(failed.code(), Errc::Internal);
  ASSERT_TRUE(client_->create(kConfigMaps, configMap("ns1", "b")).ok());
  expectConverged();
  EXPECT_EQ(log_.callsFor("ns1/a"), (Calls{"add", "update"}));
  EXPECT_EQ(log_.callsFor("ns1/b"), Calls{"add"});
}

TEST_F(InformerTest, ServerRestartIsSurvived) {
  put("ns1", "a", "1");
  Informer& inf = startInformer();
  ASSERT_TRUE(api_.restart().ok());
  put("ns1", "a", "2");
  put("ns1", "b", "1");
  expectConverged();
  EXPECT_EQ(log_.callsFor("ns1/a"), (Calls{"add", "update"}));
  EXPECT_EQ(log_.callsFor("ns1/b"), Calls{"add"});
  // The restarted server kept its history: the informer resumed from its resourceVersion.
  EXPECT_EQ(inf.listCount(), 1u);
}

TEST_F(InformerTest, ServerThatLostItsDataMakesTheCacheFollow) {
  put("ns1", "a", "1");
  put("ns1", "b", "1");
  Informer& inf = startInformer();
  // Restart on an empty store (same port and CA): our resourceVersion is now in its future.
  api_.stop();
  for (const char* f : {"state.db", "state.db-wal", "state.db-shm"}) {
    std::filesystem::remove(api_.dataDir() + "/" + f);
  }
  ASSERT_TRUE(api_.restart().ok());
  ASSERT_TRUE(createNamespace("ns1").ok());
  put("ns1", "c", "1");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(inf.listCount() >= 2));
  expectConverged();
  EXPECT_EQ(log_.callsFor("ns1/a"), (Calls{"add", "delete"}));
  EXPECT_EQ(log_.callsFor("ns1/b"), (Calls{"add", "delete"}));
  EXPECT_EQ(log_.callsFor("ns1/c"), Calls{"add"});
}

TEST_F(InformerTest, InitialListWaitsForTheServer) {
  put("ns1", "a", "1");
  api_.stop();
  InformerOptions o;
  o.backoffInitial = std::chrono::milliseconds(50);
  o.backoffMax = std::chrono::milliseconds(500);
  informer_ = std::make_unique<Informer>(*client_, kConfigMaps, o);
  informer_->addHandlers(log_.handlers());
  informer_->start();
  EXPECT_FALSE(informer_->waitForSync(std::chrono::milliseconds(300)));
  EXPECT_FALSE(informer_->hasSynced());
  ASSERT_TRUE(api_.restart().ok());
  EXPECT_TRUE(informer_->waitForSync(std::chrono::seconds(60)));
  EXPECT_EQ(log_.callsFor("ns1/a"), Calls{"add"});
}

TEST_F(InformerTest, UnservedResourceNeverSyncsAndSaysWhy) {
  InformerOptions o;
  o.backoffInitial = std::chrono::milliseconds(20);
  o.backoffMax = std::chrono::milliseconds(100);
  Informer inf(*client_,
               Resource{"mysql.presslabs.org", "v1alpha1", "MysqlCluster", "mysqlclusters", true},
               o);
  inf.start();
  EXPECT_FALSE(inf.waitForSync(std::chrono::milliseconds(300)));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!inf.lastError().empty()));
  EXPECT_EQ(inf.lastError(), "the server could not find the requested resource");
  inf.stop();
}

TEST_F(InformerTest, NamespaceAndLabelFilters) {
  ASSERT_TRUE(client_->create(kConfigMaps, configMap("ns1", "in", {}, {{"app", "x"}})).ok());
  ASSERT_TRUE(
      client_->create(kConfigMaps, configMap("ns1", "other-label", {}, {{"app", "y"}})).ok());
  ASSERT_TRUE(client_->create(kConfigMaps, configMap("ns2", "other-ns", {}, {{"app", "x"}})).ok());
  InformerOptions o;
  o.namespaceName = "ns1";
  o.labelSelector = "app=x";
  startInformer(o);
  ASSERT_TRUE(client_->create(kConfigMaps, configMap("ns1", "later", {}, {{"app", "x"}})).ok());
  ASSERT_TRUE(client_->create(kConfigMaps, configMap("ns2", "later", {}, {{"app", "x"}})).ok());
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(log_.size() == 2));
  // A label change out of the selector is a deletion for this informer.
  auto in = client_->get(kConfigMaps, "ns1", "in");
  (*in)["metadata"]["labels"]["app"] = "z";
  ASSERT_TRUE(client_->update(kConfigMaps, *in).ok());
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(log_.size() == 3));
  EXPECT_EQ(log_.calls(), (Calls{"add ns1/in", "add ns1/later", "delete ns1/in"}));
  EXPECT_EQ(informer_->store().size(), 1u);
  EXPECT_EQ(log_.errors(), Calls{});
}

TEST_F(InformerTest, IndexesAndLateHandlers) {
  // Owners must exist: the server's garbage collector removes dependents of missing owners.
  std::map<std::string, std::string> uids;
  for (const char* ns : {"ns1", "ns2"}) {
    auto owner = client_->create(kConfigMaps, configMap(ns, "owner"));
    ASSERT_TRUE(owner.ok()) << owner.error().message;
    uids[ns] = (*owner)["metadata"]["uid"];
  }
  auto other = client_->create(kConfigMaps, configMap("ns1", "other"));
  ASSERT_TRUE(other.ok());
  auto owned = [&](const std::string& ns, const std::string& name) {
    json cm = configMap(ns, name);
    cm["metadata"]["ownerReferences"] = json::array({{{"apiVersion", "v1"},
                                                      {"kind", "ConfigMap"},
                                                      {"name", "owner"},
                                                      {"uid", uids[ns]},
                                                      {"controller", true}}});
    if (ns == "ns1") {
      cm["metadata"]["ownerReferences"].push_back({{"apiVersion", "v1"},
                                                   {"kind", "ConfigMap"},
                                                   {"name", "other"},
                                                   {"uid", (*other)["metadata"]["uid"]}});
    }
    return cm;
  };
  ASSERT_TRUE(client_->create(kConfigMaps, owned("ns1", "c1")).ok());
  ASSERT_TRUE(client_->create(kConfigMaps, owned("ns1", "c2")).ok());
  ASSERT_TRUE(client_->create(kConfigMaps, owned("ns2", "c3")).ok());
  ASSERT_TRUE(client_->create(kConfigMaps, configMap("ns1", "free")).ok());
  Informer& inf = startInformer();
  auto names = [](const std::vector<ObjectPtr>& v) {
    std::vector<std::string> out;
    for (const auto& o : v) {
      out.push_back(o->key());
    }
    return out;
  };
  EXPECT_EQ(names(inf.store().byControllerOwner("ns1", "ConfigMap", "owner")),
            (Calls{"ns1/c1", "ns1/c2"}));
  EXPECT_EQ(names(inf.store().byControllerOwner("ns2", "ConfigMap", "owner")), Calls{"ns2/c3"});
  EXPECT_TRUE(
      inf.store().byControllerOwner("ns1", "ConfigMap", "other").empty());  // not controller
  EXPECT_EQ(names(inf.store().list("ns2")), (Calls{"ns2/c3", "ns2/owner"}));
  // A handler added after the sync first receives the cache as adds.
  CallLog late;
  inf.addHandlers(late.handlers());
  std::vector<std::string> lateNs1;
  for (const auto& c : late.calls()) {
    if (c.find(" ns1/") != std::string::npos || c.find(" ns2/") != std::string::npos) {
      lateNs1.push_back(c);
    }
  }
  EXPECT_EQ(lateNs1, (Calls{"add ns1/c1", "add ns1/c2", "add ns1/free", "add ns1/other",
                            "add ns1/owner", "add ns2/c3", "add ns2/owner"}));
  del("ns1", "c1");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(late.callsFor("ns1/c1").size() == 2));
  EXPECT_EQ(names(inf.store().byControllerOwner("ns1", "ConfigMap", "owner")), Calls{"ns1/c2"});
}

TEST_F(InformerTest, FactorySharesOneInformerPerResource) {
  InformerFactory f(*client_, {});
  Informer& a = f.forResource(kConfigMaps);
  Informer& b = f.forResource(kConfigMaps);
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(f.find(resources::kSecrets), nullptr);
  f.forResource(resources::kSecrets);
  EXPECT_EQ(f.resources().size(), 2u);
  EXPECT_FALSE(f.synced());
  f.start();
  EXPECT_TRUE(f.waitForCacheSync(std::chrono::seconds(60)));
  EXPECT_TRUE(f.synced());
  f.stop();
}

}  // namespace
}  // namespace mysqlop::kube::testing
