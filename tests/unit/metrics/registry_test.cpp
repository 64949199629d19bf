// The Prometheus text format of our registry, exactly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/metrics/registry.h"

namespace mysqlop::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(Registry, CounterGaugeAndHistogramRenderExactly) {
  Registry r;
  r.counter("mysqlop_things_total", "Things seen.", {"plugin", "result"})
      .add({"cluster", "success"}, 2);
  r.gauge("mysqlop_depth", "Queue depth.").set({}, 7.5);
  auto& h = r.histogram("mysqlop_latency_seconds", "Latency.", {"plugin"}, {0.1, 1});
  h.observe({"user"}, 0.05);
  h.observe({"user"}, 0.5);
  h.observe({"user"}, 3);
  EXPECT_EQ(r.render(),
            "# HELP mysqlop_depth Queue depth.\n"
            "# TYPE mysqlop_depth gauge\n"
            "mysqlop_depth 7.5\n"
            "# HELP mysqlop_latency_seconds Latency.\n"
            "# TYPE mysqlop_latency_seconds histogram\n"
            "mysqlop_latency_seconds_bucket{plugin=\"user\",le=\"0.1\"} 1\n"
            "mysqlop_latency_seconds_bucket{plugin=\"user\",le=\"1\"} 2\n"
            "mysqlop_latency_seconds_bucket{plugin=\"user\",le=\"+Inf\"} 3\n"
            "mysqlop_latency_seconds_sum{plugin=\"user\"} 3.55\n"
            "mysqlop_latency_seconds_count{plugin=\"user\"} 3\n"
            "# HELP mysqlop_things_total Things seen.\n"
            "# TYPE mysqlop_things_total counter\n"
            "mysqlop_things_total{plugin=\"cluster\",result=\"success\"} 2\n");
}

TEST(Registry, LabelValuesAndHelpAreEscaped) {
  Registry r;
  r.counter("c_total", "Help with \\ and\nnewline.", {"l"}).add({"a\"b\\c\nd"}, 1);
  EXPECT_EQ(r.render(),
            "# HELP c_total Help with \\\\ and\\nnewline.\n"
            "# TYPE c_total counter\n"
            "c_total{l=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(Registry, BadNamesAndShapesAreRefused) {
  Registry r;
  EXPECT_EQ(r.add(Kind::Counter, "1bad", "", {}).error().message, "invalid metric name \"1bad\"");
  EXPECT_EQ(r.add(Kind::Counter, "ok", "", {"__reserved"}).error().message,
            "invalid label name \"__reserved\" for metric ok");
  EXPECT_EQ(r.add(Kind::Histogram, "h", "", {"le"}).error().message,
            "invalid label name \"le\" for metric h");
  EXPECT_EQ(r.add(Kind::Histogram, "h2", "", {}, {1, 1}).error().message,
            "histogram buckets of h2 must be strictly increasing");
  ASSERT_TRUE(r.add(Kind::Counter, "same", "", {"a"}).ok());
  EXPECT_TRUE(r.add(Kind::Counter, "same", "", {"a"}).ok());  // identical: the same family
  EXPECT_EQ(r.add(Kind::Gauge, "same", "", {"a"}).error().message,
            "metric same is already registered with another type or labels");
}

TEST(Registry, WrongUsesAreIgnoredNotFatal) {
  Registry r;
  Family& c = r.counter("c_total", "", {"a"});
  EXPECT_FALSE(c.add({"x"}, -1));      // counters never go down
  EXPECT_FALSE(c.add({"x", "y"}, 1));  // wrong label count
  EXPECT_FALSE(c.set({"x"}, 1));       // set is for gauges
  EXPECT_FALSE(c.observe({"x"}, 1));   // observe is for histograms
  EXPECT_EQ(c.value({"x"}), 0);
}

TEST(Registry, ProcessMetricsArePresent) {
  std::string out;
  renderProcessMetrics(out);
  EXPECT_THAT(out, HasSubstr("# TYPE process_resident_memory_bytes gauge\n"));
  EXPECT_THAT(out, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
  EXPECT_THAT(out, HasSubstr("# TYPE process_open_fds gauge\n"));
  EXPECT_THAT(out, HasSubstr("process_start_time_seconds "));
  EXPECT_GT(residentBytes(), 1024U * 1024U);
}

}  // namespace
}  // namespace mysqlop::metrics
