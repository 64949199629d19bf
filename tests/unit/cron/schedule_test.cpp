#include "plugins/common/cron/schedule.h"

#include <gtest/gtest.h>

#include "tests/unit/cron/cron_test_util.h"

namespace mysqlop::cron {
namespace {

std::int64_t next(const char* schedule, std::int64_t after) {
  std::string error;
  auto s = Schedule::parse(schedule, &error);
  EXPECT_TRUE(s.has_value()) << schedule << ": " << error;
  if (!s) {
    return -1;
  }
  return s->nextUnix(after).value_or(-2);
}

TEST(Schedule, AcceptsBitpokeSchedules) {
  for (const char* ok : {"0 0 0 * * *",
                         "*/30 * * * * *",
                         "0 0 1-5 * * mon-fri",
                         "0 0 0 1 JAN ?",
                         "0 0,30 * * * *",
                         "0 0 0 * * 0",
                         "@every 1h30m",
                         "@hourly",
                         "0 0 12 * *",
                         "@yearly",
                         "@annually",
                         "@monthly",
                         "@weekly",
                         "@daily",
                         "@midnight",
                         "@every 1.5h",
                         "@every 300ms",
                         "@every 1h2m3s4ms5us6ns",
                         "@every 2\xc2\xb5s",
                         "CRON_TZ=Europe/Berlin 0 0 2 * * *",
                         "TZ=UTC @daily",
                         "  0 0 0 * * *  "}) {
    EXPECT_EQ(checkSchedule(ok), "") << ok;
  }
}

TEST(Schedule, RefusesWithAReason) {
  EXPECT_EQ(checkSchedule(""), "empty schedule");
  EXPECT_EQ(checkSchedule("   "), "empty schedule");
  EXPECT_EQ(checkSchedule("@sometimes"), "unknown descriptor \"@sometimes\"");
  EXPECT_EQ(checkSchedule("@every soon"), "unknown descriptor \"@every soon\"");
  EXPECT_EQ(checkSchedule("@every"), "unknown descriptor \"@every\"");
  EXPECT_EQ(checkSchedule("@every 1x"), "unknown descriptor \"@every 1x\"");
  EXPECT_EQ(checkSchedule("@every .h"), "unknown descriptor \"@every .h\"");
  EXPECT_EQ(checkSchedule("@every 1"), "unknown descriptor \"@every 1\"");
  EXPECT_EQ(checkSchedule("@every 9999999999h"), "unknown descriptor \"@every 9999999999h\"");
  EXPECT_EQ(checkSchedule("@daily 1"), "unknown descriptor \"@daily 1\"");
  EXPECT_EQ(checkSchedule("0 0 25 * * *"), "hour field \"25\": out of range 0-23");
  EXPECT_EQ(checkSchedule("0 0 0 0 * *"), "day of month field \"0\": out of range 1-31");
  EXPECT_EQ(checkSchedule("0 0 0 * foo *"), "month field \"foo\": not a number or name");
  EXPECT_EQ(checkSchedule("0 0 0 * * 5-2"),
            "day of week field \"5-2\": range start is after its end");
  EXPECT_EQ(checkSchedule("0 0 0 * * 7"), "day of week field \"7\": out of range 0-6");
  EXPECT_EQ(checkSchedule("*/0 * * * * *"), "second field \"*/0\": bad step");
  EXPECT_EQ(checkSchedule("1/x * * * * *"), "second field \"1/x\": bad step");
  EXPECT_EQ(checkSchedule("? * * * * *"), "second field \"?\": not a number or name");
  EXPECT_EQ(checkSchedule("1,,2 * * * * *"), "second field \"1,,2\": not a number or name");
  EXPECT_EQ(checkSchedule("1-2-3 * * * * *"), "second field \"1-2-3\": not a number or name");
  EXPECT_EQ(checkSchedule("1 2 3 4 5 6 7"),
            "expected 6 fields (second minute hour day-of-month month [day-of-week]), found 7");
  EXPECT_EQ(checkSchedule("1 2 3 4"),
            "expected 6 fields (second minute hour day-of-month month [day-of-week]), found 4");
}

TEST(Schedule, TimeZonePrefixes) {
  EXPECT_EQ(checkSchedule("CRON_TZ=Mars/Base 0 0 0 * * *"), "unknown time zone Mars/Base");
  EXPECT_EQ(checkSchedule("TZ=../../etc/passwd 0 0 0 * * *"), "unknown time zone ../../etc/passwd");
  EXPECT_EQ(checkSchedule("CRON_TZ=UTC"), "empty schedule");
  EXPECT_EQ(checkSchedule("CRON_TZ=UTC @sometimes"), "unknown descriptor \"@sometimes\"");
  EXPECT_EQ(checkSchedule("CRON_TZ=UTC 0 61 * * * *"), "minute field \"61\": out of range 0-59");
  EXPECT_EQ(checkSchedule("CRON_TZ=Europe/Berlin 0 0 0 * * *", "/nonexistent"),
            "unknown time zone Europe/Berlin");
  EXPECT_EQ(Schedule::parse("CRON_TZ=Europe/Berlin @daily")->zone().name(), "Europe/Berlin");
  EXPECT_EQ(Schedule::parse("@daily")->zone().name(), "UTC");
}

TEST(Schedule, NextOfFieldSchedules) {
  const std::int64_t t = utc(2024, 1, 1, 10, 0, 10);  // a Monday
  EXPECT_EQ(next("0 0 0 * * *", t), utc(2024, 1, 2));
  EXPECT_EQ(next("*/30 * * * * *", t), utc(2024, 1, 1, 10, 0, 30));
  EXPECT_EQ(next("*/30 * * * * *", utc(2024, 1, 1, 10, 0, 30)), utc(2024, 1, 1, 10, 1, 0));
  EXPECT_EQ(next("0 0,30 * * * *", t), utc(2024, 1, 1, 10, 30));
  EXPECT_EQ(next("0 0 12 * *", t), utc(2024, 1, 1, 12));  // day of week left out
  EXPECT_EQ(next("0 0 9 * * sat,sun", t), utc(2024, 1, 6, 9));
  EXPECT_EQ(next("0 0 0 1 JAN ?", t), utc(2025, 1, 1));
  EXPECT_EQ(next("0 0 0 29 2 *", t), utc(2024, 2, 29));
  EXPECT_EQ(next("0 0 0 29 2 *", utc(2024, 3, 1)), utc(2028, 2, 29));
  EXPECT_EQ(next("5/20 * * * * *", t), utc(2024, 1, 1, 10, 0, 25));  // 5, 25, 45
  EXPECT_EQ(next("0 0 1-5/2 * * *", t), utc(2024, 1, 2, 1));
  // Day of month and day of week both restricted: either one (cron's OR).
  EXPECT_EQ(next("0 0 0 15 * mon", utc(2024, 1, 2)), utc(2024, 1, 8));
  EXPECT_EQ(next("0 0 0 3 * mon", utc(2024, 1, 2)), utc(2024, 1, 3));
  // Either one a star: both (AND).
  EXPECT_EQ(next("0 0 0 * * mon", utc(2024, 1, 2)), utc(2024, 1, 8));
  EXPECT_EQ(next("0 0 0 */1 * mon", utc(2024, 1, 2)), utc(2024, 1, 8));
  // Strictly after, in whole seconds.
  EXPECT_EQ(next("* * * * * *", t), t + 1);
  EXPECT_EQ(next("0 0 0 30 2 *", t), -2);  // never
}

TEST(Schedule, NextOfDescriptors) {
  const std::int64_t t = utc(2024, 1, 15, 10, 15, 3);  // a Monday
  EXPECT_EQ(next("@hourly", t), utc(2024, 1, 15, 11));
  EXPECT_EQ(next("@daily", t), utc(2024, 1, 16));
  EXPECT_EQ(next("@midnight", t), utc(2024, 1, 16));
  EXPECT_EQ(next("@weekly", t), utc(2024, 1, 21));
  EXPECT_EQ(next("@monthly", t), utc(2024, 2, 1));
  EXPECT_EQ(next("@yearly", t), utc(2025, 1, 1));
  EXPECT_EQ(next("@annually", t), utc(2025, 1, 1));
  EXPECT_EQ(next("@every 1h30m", t), t + 5400);
  EXPECT_EQ(next("@every 90s", t), t + 90);
  EXPECT_EQ(next("@every 1.5s", t), t + 1);   // whole seconds
  EXPECT_EQ(next("@every 300ms", t), t + 1);  // at least a second
  EXPECT_EQ(next("@every -5m", t), t + 1);
  EXPECT_EQ(Schedule::parse("@every 2h")->every(), std::chrono::hours(2));
  EXPECT_EQ(Schedule::parse("@daily")->every(), std::chrono::seconds(0));
}

TEST(Schedule, NextAsTimePoints) {
  auto s = Schedule::parse("@hourly");
  ASSERT_TRUE(s.has_value());
  using std::chrono::system_clock;
  const system_clock::time_point after =
      system_clock::time_point(std::chrono::seconds(utc(2024, 1, 1, 10, 59, 59))) +
      std::chrono::milliseconds(999);
  EXPECT_EQ(s->next(after), system_clock::time_point(std::chrono::seconds(utc(2024, 1, 1, 11))));
  auto never = Schedule::parse("0 0 0 31 4 *");
  EXPECT_FALSE(never->next(after).has_value());
}

TEST(Schedule, NextInAZoneAcrossDaylightSaving) {
  // Berlin at 02:30 each night: on 2024-03-31 that time does not exist and is skipped, as robfig
  // skips it; on 2024-10-27 it happens twice and fires twice.
  const char* s = "CRON_TZ=Europe/Berlin 0 30 2 * * *";
  EXPECT_EQ(next(s, utc(2024, 3, 29, 12)), utc(2024, 3, 30, 1, 30));
  EXPECT_EQ(next(s, utc(2024, 3, 30, 12)), utc(2024, 4, 1, 0, 30));
  EXPECT_EQ(next(s, utc(2024, 10, 26, 12)), utc(2024, 10, 27, 0, 30));
  EXPECT_EQ(next(s, utc(2024, 10, 27, 0, 30)), utc(2024, 10, 27, 1, 30));
  EXPECT_EQ(next(s, utc(2024, 10, 27, 1, 30)), utc(2024, 10, 28, 1, 30));
  EXPECT_EQ(next("TZ=America/New_York 0 0 9 * * *", utc(2024, 7, 1)), utc(2024, 7, 1, 13));
  EXPECT_EQ(next("TZ=America/New_York 0 0 9 * * *", utc(2024, 12, 1)), utc(2024, 12, 1, 14));
  EXPECT_EQ(next("CRON_TZ=Asia/Tokyo @daily", utc(2024, 1, 1)), utc(2024, 1, 1, 15));
  // @every ignores the zone.
  EXPECT_EQ(next("CRON_TZ=Asia/Tokyo @every 1m", utc(2024, 1, 1)), utc(2024, 1, 1, 0, 1));
}

}  // namespace
}  // namespace mysqlop::cron
