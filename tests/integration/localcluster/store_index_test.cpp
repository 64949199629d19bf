// The Store's per-resource history index and subscriptions (a real SQLite file in a temp dir).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "localcluster/apiserver/store.h"

namespace mysqlop::local {
namespace {

using nlohmann::json;

class StoreIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("store-index-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    open(100);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void open(std::size_t historyLimit) {
    store_.reset();
    store_ = std::make_unique<Store>();
    Store::Options o;
    o.path = (dir_ / "state.db").string();
    o.historyLimit = historyLimit;
    auto r = store_->open(o);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  std::uint64_t put(const std::string& key, const std::string& name, int value) {
    auto out = store_->mutate(key, "default", name, [&](const ObjPtr&) {
      Store::Decision d;
      d.kind = Store::Decision::Kind::Put;
      d.object = {{"metadata", {{"name", name}, {"namespace", "default"}}}, {"v", value}};
      return d;
    });
    EXPECT_TRUE(out.ok());
    return out.ok() ? out->object->rv : 0;
  }

  static std::vector<std::uint64_t> rvs(const std::vector<EventPtr>& events) {
    std::vector<std::uint64_t> out;
    for (const auto& e : events) {
      out.push_back(e->rv);
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreIndexTest, EventsOfOneResource) {
  const std::uint64_t start = store_->currentRv();
  const auto a1 = put("/configmaps", "a", 1);
  put("/secrets", "s", 1);
  const auto a2 = put("/configmaps", "a", 2);
  put("/secrets", "s", 2);
  bool tooOld = true;
  std::uint64_t seen = 0;
  auto events = store_->eventsAfter("/configmaps", start, 100, &tooOld, &seen);
  EXPECT_FALSE(tooOld);
  EXPECT_EQ(rvs(events), (std::vector<std::uint64_t>{a1, a2}));
  EXPECT_EQ(seen, store_->currentRv());  // complete up to now: no ConfigMap change after a2
  // Truncated at max: complete only up to the last event given.
  events = store_->eventsAfter("/configmaps", start, 1, &tooOld, &seen);
  EXPECT_EQ(rvs(events), (std::vector<std::uint64_t>{a1}));
  EXPECT_EQ(seen, a1);
  // After the last one: nothing, complete up to now.
  events = store_->eventsAfter("/configmaps", a2, 100, &tooOld, &seen);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(seen, store_->currentRv());
  // A resource without history.
  events = store_->eventsAfter("apps/statefulsets", start, 100, &tooOld, &seen);
  EXPECT_TRUE(events.empty());
  EXPECT_FALSE(tooOld);
}

TEST_F(StoreIndexTest, TrimmingKeepsTheIndexAndTheFloor) {
  open(4);
  const std::uint64_t start = store_->currentRv();
  std::vector<std::uint64_t> cms;
  for (int i = 0; i < 5; ++i) {
    cms.push_back(put("/configmaps", "a", i));
    put("/secrets", "s", i);
  }
  // 10 events, 4 kept: the floor is the 6th.
  EXPECT_EQ(store_->historySize(), 4u);
  EXPECT_EQ(store_->floor(), start + 6);
  bool tooOld = false;
  std::uint64_t seen = 0;
  store_->eventsAfter("/configmaps", start, 100, &tooOld, &seen);
  EXPECT_TRUE(tooOld);
  auto events = store_->eventsAfter("/configmaps", store_->floor(), 100, &tooOld, &seen);
  EXPECT_FALSE(tooOld);
  EXPECT_EQ(rvs(events), (std::vector<std::uint64_t>{cms[3], cms[4]}));
  // The same after a restart: the index is rebuilt from the stored history.
  open(4);
  events = store_->eventsAfter("/configmaps", store_->floor(), 100, &tooOld, &seen);
  EXPECT_EQ(rvs(events), (std::vector<std::uint64_t>{cms[3], cms[4]}));
  // An exact-version list is rebuilt from the index.
  auto at = store_->listAt("/configmaps", "", cms[3]);
  ASSERT_TRUE(at.ok());
  ASSERT_EQ(at->items.size(), 1u);
  EXPECT_EQ(at->items[0]->json["v"], 3);
  // Compaction drops the index too.
  store_->compact(0);
  events = store_->eventsAfter("/configmaps", store_->currentRv(), 100, &tooOld, &seen);
  EXPECT_FALSE(tooOld);
  EXPECT_TRUE(events.empty());
}

TEST_F(StoreIndexTest, SubscriptionsWakeOnlyForTheirResource) {
  auto secrets = store_->subscribe("/secrets");
  auto configMaps = store_->subscribe("/configmaps");
  for (int i = 0; i < 5; ++i) {
    put("/configmaps", "a", i);
  }
  EXPECT_EQ(secrets->notifications(), 0u);
  EXPECT_EQ(configMaps->notifications(), 5u);
  put("/secrets", "s", 1);
  EXPECT_EQ(secrets->notifications(), 1u);
  // A pending notification makes the next wait return at once (nothing is lost between reading
  // the history and waiting); the one after that waits for its timeout.
  secrets->wait(std::chrono::hours(1));
  store_->wakeAll();
  EXPECT_EQ(secrets->notifications(), 2u);
  EXPECT_EQ(configMaps->notifications(), 6u);
  secrets->wait(std::chrono::hours(1));
  // Dropping a subscription unsubscribes.
  std::weak_ptr<Subscription> gone = configMaps;
  configMaps.reset();
  put("/configmaps", "a", 9);
  EXPECT_TRUE(gone.expired());
}

TEST_F(StoreIndexTest, OwnerIndexFollowsEveryWrite) {
  auto write = [&](const std::string& name, const json& meta) {
    auto out = store_->mutate("/configmaps", "default", name, [&](const ObjPtr&) {
      Store::Decision d;
      d.kind = Store::Decision::Kind::Put;
      d.object = {{"metadata", meta}};
      d.object["metadata"]["name"] = name;
      return d;
    });
    ASSERT_TRUE(out.ok());
  };
  auto drop = [&](const std::string& name) {
    auto out = store_->mutate("/configmaps", "default", name, [](const ObjPtr&) {
      Store::Decision d;
      d.kind = Store::Decision::Kind::Delete;
      return d;
    });
    ASSERT_TRUE(out.ok());
  };
  const ObjectRef dep{"/configmaps", "default", "dep"};
  write("owner", {{"uid", "u-owner"}});
  write("dep",
        {{"uid", "u-dep"}, {"ownerReferences", {{{"uid", "u-owner"}}, {{"uid", "u-gone"}}}}});
  EXPECT_TRUE(store_->uidExists("u-owner"));
  EXPECT_EQ(store_->dependentsOf("u-owner"), std::vector<ObjectRef>{dep});
  EXPECT_EQ(store_->absentOwners(), std::vector<std::string>{"u-gone"});
  // A changed reference list moves the dependent.
  write("dep", {{"uid", "u-dep"}, {"ownerReferences", {{{"uid", "u-owner"}}}}});
  EXPECT_TRUE(store_->absentOwners().empty());
  drop("owner");
  EXPECT_FALSE(store_->uidExists("u-owner"));
  EXPECT_EQ(store_->absentOwners(), std::vector<std::string>{"u-owner"});
  // Deleting with a GC finalizer lists the object for the GC finalizers.
  write("dep", {{"uid", "u-dep"},
                {"deletionTimestamp", "2026-01-01T00:00:00Z"},
                {"finalizers", {"x.io/other", "foregroundDeletion"}}});
  EXPECT_EQ(store_->gcFinalizing(), std::vector<ObjectRef>{dep});
  EXPECT_TRUE(store_->absentOwners().empty());
  // Rebuilt from the stored objects at open.
  open(100);
  EXPECT_EQ(store_->gcFinalizing(), std::vector<ObjectRef>{dep});
  EXPECT_TRUE(store_->uidExists("u-dep"));
  drop("dep");
  EXPECT_TRUE(store_->gcFinalizing().empty());
  EXPECT_FALSE(store_->uidExists("u-dep"));
}

}  // namespace
}  // namespace mysqlop::local
