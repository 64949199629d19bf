#pragma once

#include <string>
#include <string_view>

namespace mysqlop::cluster {

// Checks a spec.backupSchedule the way bitpoke's cron parser reads it: 6 fields
// "sec min hour dom month [dow]" (dow optional, so 5 fields are sec..month), ranges, steps,
// lists, month and weekday names, '?' in dom/dow, or a descriptor (@yearly, @annually, @monthly,
// @weekly, @daily, @midnight, @hourly, @every <duration>). Returns "" when valid, else the reason.
std::string checkCronSchedule(std::string_view schedule);

}  // namespace mysqlop::cluster
