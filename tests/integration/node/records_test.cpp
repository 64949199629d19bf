#include <gtest/gtest.h>

#include "tests/integration/node/node_fixture.h"

namespace mysqlop::local::node::it {
namespace {

using RecordsTest = NodeTest;

std::string dump(const std::vector<Record>& records) {
  std::string out;
  for (const auto& r : records) {
    out += r.kind + ":" + r.name + ":" + r.detail + ";";
  }
  return out;
}

TEST_F(RecordsTest, AddReplacesRecordOfSameKindAndName) {
  ASSERT_TRUE(records_->add({"link", "mol9", ""}).ok());
  ASSERT_TRUE(records_->add({"netns", "mol9", "a"}).ok());
  ASSERT_TRUE(records_->add({"netns", "mol9", "b"}).ok());
  EXPECT_EQ(dump(records_->all()), "link:mol9:;netns:mol9:b;");
  ASSERT_TRUE(records_->remove("link", "mol9").ok());
  ASSERT_TRUE(records_->remove("link", "nothing").ok());
  EXPECT_EQ(dump(records_->all()), "netns:mol9:b;");
  ASSERT_TRUE(records_->remove("netns", "mol9").ok());
}

TEST_F(RecordsTest, SurviveReopenAndAreSharedBetweenObjects) {
  ASSERT_TRUE(records_->add({"process", "uid/c", "1 2"}).ok());
  auto other = Records::open(dir_);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(dump((*other)->all()), "process:uid/c:1 2;");
  ASSERT_TRUE((*other)->add({"address", "198.19.0.9/mol0svc", ""}).ok());
  EXPECT_EQ(dump(records_->all()), "process:uid/c:1 2;address:198.19.0.9/mol0svc:;");
  ASSERT_TRUE(records_->remove("process", "uid/c").ok());
  ASSERT_TRUE(records_->remove("address", "198.19.0.9/mol0svc").ok());
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/node/records.json"));
}

TEST_F(RecordsTest, ConcurrentWritersLoseNothing) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      auto mine = Records::open(dir_);  // one object per thread: the file lock is what protects
      for (int i = 0; i < 25; ++i) {
        EXPECT_TRUE((*mine)->add({"test", std::to_string(t) + "-" + std::to_string(i), ""}).ok());
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(records_->all().size(), 100u);
  for (const auto& r : records_->all()) {
    ASSERT_TRUE(records_->remove(r.kind, r.name).ok());
  }
}

TEST(RecordsOpen, RejectsEmptyDir) {
  auto r = Records::open("");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "records: the data dir is empty");
}

}  // namespace
}  // namespace mysqlop::local::node::it
