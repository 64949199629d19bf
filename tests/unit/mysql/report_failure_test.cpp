// mysql::reportFailure: how a failed pass of the database and user reconcilers ends (status
// saved, one Warning Event, the outcome's message), including a status that cannot be saved.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/common/kube/resources.h"
#include "plugins/common/mysql/kube_gateway.h"
#include "plugins/common/mysql/mysql_object.h"
#include "tests/support/mysql/memory_kube.h"

namespace mysqlop::mysql {
namespace {

using nlohmann::json;
constexpr mysqlop_type_resource kKind = kube::res::kMysqlDatabase;

class ReportFailure : public ::testing::Test {
 protected:
  json failedObject() {
    json obj = kube_.put(
        kKind, {{"metadata", {{"name", "d"}, {"namespace", "ns"}}}, {"spec", {{"database", "x"}}}});
    changed_ = setReady(obj, false, kProvisionFailed, "event text");
    return obj;
  }
  testing::MemoryKube kube_;
  bool changed_ = false;
};

TEST_F(ReportFailure, SavesTheStatusRecordsOneWarningAndFillsTheMessage) {
  json obj = failedObject();
  ASSERT_TRUE(changed_);
  Outcome out = reportFailure(kube_, kKind, "MysqlDatabase", obj, changed_, "the error",
                              "event text", Outcome::retry(""));
  EXPECT_EQ(out.status, mysqlop_status_Retry);
  EXPECT_EQ(out.message, "the error");
  EXPECT_EQ(readyMessage(kube_.object(kKind, "ns", "d")), "event text");
  ASSERT_EQ(kube_.events().size(), 1u);
  EXPECT_EQ(kube_.events()[0].type, "Warning");
  EXPECT_EQ(kube_.events()[0].reason, "ProvisionFailed");
  EXPECT_EQ(kube_.events()[0].message, "event text");
}

TEST_F(ReportFailure, AStatusThatCannotBeSavedIsRetriedNamingBothErrors) {
  json obj = failedObject();
  kube_.conflictNext(1);
  Outcome out = reportFailure(kube_, kKind, "MysqlDatabase", obj, changed_, "the error",
                              "event text", Outcome::invalid("the error"));
  EXPECT_EQ(out.status, mysqlop_status_Retry);
  EXPECT_EQ(out.message,
            "updating the status of MysqlDatabase ns/d: the object has been modified (injected) "
            "(after: the error)");
  EXPECT_TRUE(kube_.events().empty());
}

TEST_F(ReportFailure, TerminalOutcomesLeaveTheEventToTheHost) {
  json obj = failedObject();
  Outcome out = reportFailure(kube_, kKind, "MysqlDatabase", obj, changed_, "the error",
                              "event text", Outcome::invalid(""));
  EXPECT_EQ(out.status, mysqlop_status_InvalidConfig);
  EXPECT_EQ(out.message, "the error");
  EXPECT_EQ(readyMessage(kube_.object(kKind, "ns", "d")), "event text");
  EXPECT_TRUE(kube_.events().empty());
}

TEST_F(ReportFailure, AnUnchangedStatusIsNeitherSavedNorAnnouncedAgain) {
  json obj = failedObject();
  kube_.conflictNext(1);  // a save would fail: none is attempted
  Outcome out = reportFailure(kube_, kKind, "MysqlDatabase", obj, false, "the error", "event text",
                              Outcome::retry(""));
  EXPECT_EQ(out.status, mysqlop_status_Retry);
  EXPECT_EQ(out.message, "the error");
  EXPECT_TRUE(kube_.events().empty());
}

}  // namespace
}  // namespace mysqlop::mysql
