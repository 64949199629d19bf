#include "plugins/common/cron/zone.h"

#include <gtest/gtest.h>

#include "tests/unit/cron/cron_test_util.h"

namespace mysqlop::cron {
namespace {

TEST(Civil, DaysAndFieldsRoundTrip) {
  EXPECT_EQ(daysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(daysFromCivil(2024, 13, 1), daysFromCivil(2025, 1, 1));
  EXPECT_EQ(daysFromCivil(2024, 3, 0), daysFromCivil(2024, 2, 29));
  const Civil c = civilFromSeconds(utc(2024, 2, 29, 23, 59, 58));
  EXPECT_EQ(c.year, 2024);
  EXPECT_EQ(c.month, 2);
  EXPECT_EQ(c.day, 29);
  EXPECT_EQ(c.hour, 23);
  EXPECT_EQ(c.minute, 59);
  EXPECT_EQ(c.second, 58);
  EXPECT_EQ(c.weekday, 4);  // a Thursday
  EXPECT_EQ(c.yearDay, 59);
  EXPECT_EQ(civilFromSeconds(0).weekday, 4);
  EXPECT_EQ(civilFromSeconds(-1).year, 1969);
  EXPECT_EQ(civilFromSeconds(-1).second, 59);
}

TEST(Zone, PosixRuleNorthernHemisphere) {
  auto z = Zone::fromRule("Berlin", "CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->offsetAt(utc(2024, 1, 15)), 3600);
  EXPECT_EQ(z->offsetAt(utc(2024, 7, 1)), 7200);
  // Last Sunday of March at 02:00 CET, last Sunday of October at 03:00 CEST.
  EXPECT_EQ(z->offsetAt(utc(2024, 3, 31, 0, 59, 59)), 3600);
  EXPECT_EQ(z->offsetAt(utc(2024, 3, 31, 1)), 7200);
  EXPECT_EQ(z->offsetAt(utc(2024, 10, 27, 0, 59, 59)), 7200);
  EXPECT_EQ(z->offsetAt(utc(2024, 10, 27, 1)), 3600);
}

TEST(Zone, PosixRuleSouthernHemisphereAndFixed) {
  auto sydney = Zone::fromRule("Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_NE(sydney, nullptr);
  EXPECT_EQ(sydney->offsetAt(utc(2024, 1, 15)), 11 * 3600);
  EXPECT_EQ(sydney->offsetAt(utc(2024, 7, 15)), 10 * 3600);
  auto tokyo = Zone::fromRule("Tokyo", "JST-9");
  ASSERT_NE(tokyo, nullptr);
  EXPECT_EQ(tokyo->offsetAt(utc(2024, 7, 15)), 9 * 3600);
  auto quoted = Zone::fromRule("x", "<+0330>-3:30");
  ASSERT_NE(quoted, nullptr);
  EXPECT_EQ(quoted->offsetAt(utc(2024, 7, 15)), 3 * 3600 + 1800);
  auto julian = Zone::fromRule("x", "STD5DST,J60/0,300");
  ASSERT_NE(julian, nullptr);
  EXPECT_EQ(julian->offsetAt(utc(2023, 2, 28, 12)), -5 * 3600);
  EXPECT_EQ(julian->offsetAt(utc(2023, 6, 1)), -4 * 3600);
}

TEST(Zone, BadRulesAreRefused) {
  for (const char* bad : {"", "X", "CET", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.5.0",
                          "CET-1CEST,M3.5.7,M10.5.0", "<CET-1", "CET-1CEST,M3.5.0,M10.5.0x"}) {
    EXPECT_EQ(Zone::fromRule("x", bad), nullptr) << bad;
  }
}

TEST(Zone, LoadsTheSystemZoneinfo) {
  std::string error;
  auto berlin = Zone::load("Europe/Berlin", &error);
  ASSERT_NE(berlin, nullptr) << error;
  EXPECT_EQ(berlin->name(), "Europe/Berlin");
  EXPECT_EQ(berlin->offsetAt(utc(2024, 1, 15)), 3600);
  EXPECT_EQ(berlin->offsetAt(utc(2024, 7, 1)), 7200);
  EXPECT_EQ(berlin->offsetAt(utc(1995, 7, 1)), 7200);
  // Past the file's transitions the footer's rule takes over.
  EXPECT_EQ(berlin->offsetAt(utc(2100, 7, 1)), 7200);
  EXPECT_EQ(berlin->offsetAt(utc(2100, 1, 1)), 3600);
  auto newYork = Zone::load("America/New_York", &error);
  ASSERT_NE(newYork, nullptr) << error;
  EXPECT_EQ(newYork->offsetAt(utc(2024, 7, 1)), -4 * 3600);
  EXPECT_EQ(newYork->offsetAt(utc(2024, 12, 1)), -5 * 3600);
  EXPECT_EQ(Zone::load("UTC", &error)->offsetAt(utc(2024, 7, 1)), 0);
  EXPECT_EQ(Zone::load("", &error)->name(), "UTC");
}

TEST(Zone, UnknownOrUnsafeNames) {
  for (const char* bad : {"Mars/Base", "../../etc/passwd", "/etc/localtime", "Europe/../UTC"}) {
    std::string error;
    EXPECT_EQ(Zone::load(bad, &error), nullptr) << bad;
    EXPECT_EQ(error, std::string("unknown time zone ") + bad);
  }
  std::string error;
  EXPECT_EQ(Zone::load("Europe/Berlin", &error, "/nonexistent"), nullptr);
  EXPECT_EQ(error, "unknown time zone Europe/Berlin");
  EXPECT_EQ(Zone::fromTzif("x", "not a tzif file"), nullptr);
  EXPECT_EQ(Zone::fromTzif("x", std::string("TZif2") + std::string(39, '\0')), nullptr);
}

TEST(Zone, LocalTimesInGapsAndOverlapsResolveAsGo) {
  auto berlin = Zone::fromRule("Berlin", "CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_NE(berlin, nullptr);
  // 02:30 does not exist on 2024-03-31: Go's time.Date gives 03:30 CEST (01:30Z).
  EXPECT_EQ(berlin->toUnix(utc(2024, 3, 31, 2, 30)), utc(2024, 3, 31, 1, 30));
  // 02:30 happens twice on 2024-10-27: the second (CET) reading, as Go's lookup picks it.
  EXPECT_EQ(berlin->toUnix(utc(2024, 10, 27, 2, 30)), utc(2024, 10, 27, 1, 30));
  EXPECT_EQ(berlin->toUnix(utc(2024, 7, 1, 12)), utc(2024, 7, 1, 10));
}

}  // namespace
}  // namespace mysqlop::cron
