#pragma once

#include <cstdint>

#include "plugins/common/cron/zone.h"

namespace mysqlop::cron {

// Unix seconds of a UTC wall-clock time.
inline std::int64_t utc(std::int64_t y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

}  // namespace mysqlop::cron
