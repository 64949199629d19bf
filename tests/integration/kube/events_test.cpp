// The Event recorder against the local API server: names, fields, counting of repeats,
// re-creation after deletion, aggregation of similar messages, the spam filter, limits.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/kube/event_recorder.h"
#include "core/metrics/registry.h"
#include "tests/integration/kube/kube_env.h"

namespace mysqlop::kube::testing {
namespace {

using nlohmann::json;
using resources::kEvents;
using namespace std::chrono_literals;

class EventsTest : public KubeEnv {
 protected:
  void SetUp() override {
    KubeEnv::SetUp();
    auto cm = client_->create(resources::kConfigMaps, configMap("default", "subject"));
    ASSERT_TRUE(cm.ok());
    subject_ = *cm;
  }
  EventRecorder recorder(EventRecorder::Options o = {}) {
    o.host = "op-host";
    EventRecorder::Clocks c;
    c.now = [this] { return now_; };
    c.wallNow = [this] { return wall_; };
    return EventRecorder(*client_, o, &registry_, c);
  }
  std::vector<json> events(const std::string& ns = "default") {
    auto r = client_->list(kEvents, ns);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<json>{};
  }
  void advance(std::chrono::seconds d) {
    now_ += d;
    wall_ += d;
  }

  json subject_;
  metrics::Registry registry_;
  EventRecorder::SteadyClock::time_point now_{std::chrono::hours(1)};
  EventRecorder::WallClock::time_point wall_{
      std::chrono::seconds(1714564800)};  // 2024-05-01T12:00Z
};

TEST_F(EventsTest, CreatesAnEventWithClientGosShape) {
  EventRecorder rec = recorder();
  ASSERT_TRUE(rec.record(subject_, "Normal", "Created", "made it").ok());
  auto evs = events();
  ASSERT_EQ(evs.size(), 1u);
  const json& e = evs[0];
  char hex[32];
  std::snprintf(hex, sizeof hex, "%llx", 1714564800ULL * 1000000000ULL);
  EXPECT_EQ(e["metadata"]["name"], std::string("subject.") + hex);
  EXPECT_EQ(e["involvedObject"]["kind"], "ConfigMap");
  EXPECT_EQ(e["involvedObject"]["apiVersion"], "v1");
  EXPECT_EQ(e["involvedObject"]["name"], "subject");
  EXPECT_EQ(e["involvedObject"]["namespace"], "default");
  EXPECT_EQ(e["involvedObject"]["uid"], subject_["metadata"]["uid"]);
  EXPECT_EQ(e["involvedObject"]["resourceVersion"], subject_["metadata"]["resourceVersion"]);
  EXPECT_EQ(e["reason"], "Created");
  EXPECT_EQ(e["message"], "made it");
  EXPECT_EQ(e["type"], "Normal");
  EXPECT_EQ(e["source"], (json{{"component", "mysql-operator"}, {"host", "op-host"}}));
  EXPECT_EQ(e["reportingComponent"], "mysql-operator");
  EXPECT_EQ(e["reportingInstance"], "op-host");
  EXPECT_EQ(e["count"], 1);
  EXPECT_EQ(e["firstTimestamp"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(e["lastTimestamp"], "2024-05-01T12:00:00Z");
}

TEST_F(EventsTest, RepeatsAggregateIntoACount) {
  EventRecorder rec = recorder();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(rec.record(subject_, "Warning", "Failed", "it broke").ok());
    advance(10s);
  }
  ASSERT_TRUE(rec.record(subject_, "Warning", "Failed", "something else").ok());
  auto evs = events();
  ASSERT_EQ(evs.size(), 2u);
  const json& counted = evs[0]["message"] == "it broke" ? evs[0] : evs[1];
  EXPECT_EQ(counted["count"], 3);
  EXPECT_EQ(counted["firstTimestamp"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(counted["lastTimestamp"], "2024-05-01T12:00:20Z");
  const std::string metrics = registry_.render();
  EXPECT_NE(metrics.find("mysqlop_events_total{type=\"Warning\",outcome=\"counted\"} 2"),
            std::string::npos)
      << metrics;
}

TEST_F(EventsTest, ADeletedEventIsWrittenAgainWithItsCount) {
  EventRecorder rec = recorder();
  ASSERT_TRUE(rec.record(subject_, "Normal", "Synced", "ok").ok());
  ASSERT_TRUE(rec.record(subject_, "Normal", "Synced", "ok").ok());
  auto evs = events();
  ASSERT_EQ(evs.size(), 1u);
  const std::string name = evs[0]["metadata"]["name"];
  ASSERT_TRUE(client_->remove(kEvents, "default", name).ok());  // the TTL removed it
  ASSERT_TRUE(rec.record(subject_, "Normal", "Synced", "ok").ok());
  evs = events();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0]["metadata"]["name"], name);
  EXPECT_EQ(evs[0]["count"], 3);
}

TEST_F(EventsTest, RepeatsAfterTheWindowStartANewEvent) {
  EventRecorder::Options o;
  o.repeatWindow = 60s;
  EventRecorder rec = recorder(o);
  ASSERT_TRUE(rec.record(subject_, "Normal", "Tick", "tock").ok());
  advance(61s);
  ASSERT_TRUE(rec.record(subject_, "Normal", "Tick", "tock").ok());
  auto evs = events();
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0]["count"], 1);
  EXPECT_EQ(evs[1]["count"], 1);
}

TEST_F(EventsTest, SimilarMessagesAreCombined) {
  EventRecorder::Options o;
  o.aggregateMaxEvents = 3;
  EventRecorder rec = recorder(o);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(rec.record(subject_, "Warning", "Lag", "lag is " + std::to_string(i) + " s").ok());
    advance(1s);
  }
  std::map<std::string, int> byMessage;
  for (const json& e : events()) {
    byMessage[e["message"]] = e["count"];
  }
  // Two distinct messages, then one combined Event counted three times with the latest text.
  EXPECT_EQ(byMessage,
            (std::map<std::string, int>{{"lag is 1 s", 1},
                                        {"lag is 2 s", 1},
                                        {"(combined from similar events): lag is 5 s", 3}}));
}

TEST_F(EventsTest, SpamFilterDropsPastTheBurstPerReasonAndRefills) {
  EventRecorder::Options o;
  o.spamBurst = 3;
  o.spamRefill = 300s;
  EventRecorder rec = recorder(o);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(rec.record(subject_, "Normal", "R", "m" + std::to_string(i)).ok());
    advance(1s);  // distinct names (they carry the time)
  }
  EXPECT_EQ(events().size(), 3u);
  // Another reason on the same object is not silenced by R's flood.
  ASSERT_TRUE(rec.record(subject_, "Normal", "MasterSwitchover", "m").ok());
  EXPECT_EQ(events().size(), 4u);
  advance(300s);
  ASSERT_TRUE(rec.record(subject_, "Normal", "R", "later").ok());
  EXPECT_EQ(events().size(), 5u);
  const std::string metrics = registry_.render();
  EXPECT_NE(metrics.find("mysqlop_events_total{type=\"Normal\",outcome=\"dropped\"} 2"),
            std::string::npos)
      << metrics;
}

TEST_F(EventsTest, LimitsAndBadInput) {
  EventRecorder rec = recorder();
  const std::string longText = std::string(1020, 'x') + "\xc3\xa9\xc3\xa9\xc3\xa9";  // é é é
  ASSERT_TRUE(rec.record(subject_, "Normal", "Long", longText).ok());
  auto evs = events();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0]["message"], std::string(1020, 'x') + "\xc3\xa9\xc3\xa9");  // 1024 bytes, whole
  EXPECT_EQ(rec.record(subject_, "Info", "R", "m").error().message,
            "Event type must be Normal or Warning, got \"Info\"");
  EXPECT_EQ(rec.record(subject_, "Normal", "", "m").error().message, "an Event needs a reason");
  EXPECT_EQ(rec.record(json{{"metadata", {{"name", "x"}}}}, "Normal", "R", "m").error().message,
            "an Event needs an object with apiVersion, kind and metadata.name");
  EXPECT_EQ(rec.record(std::string("not json"), "Normal", "R", "m").error().message,
            "recording an Event: the object is not a JSON object");
  // Cluster-scoped objects get their Events in "default".
  auto ns = client_->get(resources::kNamespaces, "", "kube-public");
  ASSERT_TRUE(ns.ok());
  ASSERT_TRUE(rec.record(*ns, "Normal", "Seen", "namespace event").ok());
  bool found = false;
  for (const json& e : events("default")) {
    found =
        found || (e["involvedObject"]["kind"] == "Namespace" && e["message"] == "namespace event");
  }
  EXPECT_TRUE(found);
}

TEST_F(EventsTest, FailuresNameTheEvent) {
  EventRecorder rec = recorder();
  ASSERT_TRUE(api_.failNextWrites(1, 500, "events").ok());
  auto r = rec.record(subject_, "Warning", "Broken", "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::Internal);
  EXPECT_EQ(r.error().message.rfind("recording Event Broken on ConfigMap default/subject: ", 0), 0u)
      << r.error().message;
}

TEST(EventText, TruncatesOnCharacterBoundaries) {
  EXPECT_EQ(truncateUtf8("abc", 5), "abc");
  EXPECT_EQ(truncateUtf8("abcdef", 3), "abc");
  EXPECT_EQ(truncateUtf8("a\xc3\xa9", 2), "a");
  EXPECT_EQ(truncateUtf8("a\xe2\x82\xac", 3), "a");
  EXPECT_EQ(formatTime(std::chrono::system_clock::time_point(std::chrono::seconds(0))),
            "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace mysqlop::kube::testing
