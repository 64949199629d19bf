#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "plugins/common/cron/zone.h"

namespace mysqlop::cron {

// A cron schedule as bitpoke's scheduler reads it (robfig/cron with seconds):
//   [CRON_TZ=<zone> | TZ=<zone>] sec min hour dom month [dow]
// (dow may be left out, as bitpoke's parser allows), with ranges, steps, lists, month and weekday
// names (case-insensitive), '?' in dom and dow, or a descriptor: @yearly, @annually, @monthly,
// @weekly, @daily, @midnight, @hourly, @every <Go duration>. Immutable, so it can be shared.
class Schedule {
 public:
  // nullopt when the text is not a schedule, with the reason in *error ("hour field \"25\": out
  // of range 0-23"). zoneRoot is where CRON_TZ names are read (tests point it elsewhere).
  static std::optional<Schedule> parse(std::string_view text, std::string* error = nullptr,
                                       const std::string& zoneRoot = "/usr/share/zoneinfo");

  // The first activation strictly after `after`, in whole seconds, as robfig's Schedule.Next
  // computes it (in the schedule's zone, DST included); nullopt when there is none within five
  // years (for example "0 0 0 30 2 *").
  std::optional<std::chrono::system_clock::time_point> next(
      std::chrono::system_clock::time_point after) const;
  // The same over Unix seconds.
  std::optional<std::int64_t> nextUnix(std::int64_t afterUnixSeconds) const;

  const Zone& zone() const { return *zone_; }
  // The period of an @every schedule; zero for field schedules.
  std::chrono::seconds every() const { return every_; }

 private:
  friend class ScheduleParser;
  // Bit v is set when value v is allowed; kStar when the field was '*' or '?' without a step.
  static constexpr std::uint64_t kStar = std::uint64_t{1} << 63;
  std::uint64_t second_ = 0;
  std::uint64_t minute_ = 0;
  std::uint64_t hour_ = 0;
  std::uint64_t dom_ = 0;
  std::uint64_t month_ = 0;
  std::uint64_t dow_ = 0;
  std::chrono::seconds every_{0};
  std::shared_ptr<const Zone> zone_ = Zone::utc();

  bool dayMatches(const Civil& c) const;
};

// "" when `text` is a valid schedule, else why not (the reason parse gives).
std::string checkSchedule(std::string_view text,
                          const std::string& zoneRoot = "/usr/share/zoneinfo");

// Go's time.ParseDuration ("720h", "1h30m", "90s"), in nanoseconds; nullopt when invalid or beyond
// int64. The duration syntax of @every, also used for the backup retention age.
std::optional<std::int64_t> parseGoDuration(std::string_view text);

}  // namespace mysqlop::cron
