#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlop::cron {

// A time zone as Go's time.LoadLocation reads it: the transitions of a TZif file (RFC 8536) and,
// after the last one, the POSIX TZ rule of its footer. Offsets are seconds east of UTC.
class Zone {
 public:
  // UTC: no transitions, offset 0.
  static std::shared_ptr<const Zone> utc();
  // Loads `name` ("Europe/Berlin") from `root` (the system's zoneinfo by default). "UTC" and ""
  // need no file. nullptr (and *error set) when the name is unsafe, missing or not a TZif file.
  static std::shared_ptr<const Zone> load(std::string_view name, std::string* error,
                                          const std::string& root = "/usr/share/zoneinfo");
  // Parses the bytes of a TZif file (exposed for tests).
  static std::shared_ptr<const Zone> fromTzif(std::string_view name, std::string_view data);
  // A zone that only follows a POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3"); nullptr if invalid.
  static std::shared_ptr<const Zone> fromRule(std::string_view name, std::string_view rule);

  const std::string& name() const { return name_; }
  // The offset in force at a UTC instant (Unix seconds).
  int offsetAt(std::int64_t unixSeconds) const;
  // The instant of a local wall-clock time given as seconds since 1970-01-01T00:00 local, chosen
  // as Go's time.Date chooses in a gap or an overlap.
  std::int64_t toUnix(std::int64_t localSeconds) const;

 private:
  struct Transition {
    std::int64_t at;
    int offset;
  };
  std::string name_;
  std::vector<Transition> transitions_;  // ascending
  int firstOffset_ = 0;                  // before the first transition
  std::string rule_;                     // POSIX TZ rule after the last transition ("" = none)
};

// Days since 1970-01-01 of a proleptic Gregorian date; month and day may be out of range
// (month 13 is January of the next year, day 0 the last day of the previous month).
std::int64_t daysFromCivil(std::int64_t year, int month, int day);
struct Civil {
  std::int64_t year;
  int month;    // 1..12
  int day;      // 1..31
  int hour;     // 0..23
  int minute;   // 0..59
  int second;   // 0..59
  int weekday;  // 0 = Sunday
  int yearDay;  // 0..365
};
Civil civilFromSeconds(std::int64_t seconds);

}  // namespace mysqlop::cron
