#include "plugins/common/cron/schedule.h"

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace mysqlop::cron {

namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // names[i] is value min+i, or nullptr
  bool allowQuestion;
};

constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr std::array<FieldSpec, 6> kFields = {{
    {"second", 0, 59, nullptr, false},
    {"minute", 0, 59, nullptr, false},
    {"hour", 0, 23, nullptr, false},
    {"day of month", 1, 31, nullptr, true},
    {"month", 1, 12, kMonths, false},
    {"day of week", 0, 6, kDayNames, true},
}};

constexpr std::uint64_t kStarBit = std::uint64_t{1} << 63;

std::uint64_t bits(int lo, int hi, int step) {
  std::uint64_t out = 0;
  for (int v = lo; v <= hi; v += step) {
    out |= std::uint64_t{1} << v;
  }
  return out;
}

std::uint64_t all(const FieldSpec& f) { return bits(f.min, f.max, 1) | kStarBit; }

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) {
      return out;
    }
    start = at + 1;
  }
}

// A field number: 1 to 4 digits.
std::optional<int> number(std::string_view s) {
  int n = 0;
  const char* end = s.data() + s.size();
  if (s.empty() || s.size() > 4 || s.front() == '-' ||
      std::from_chars(s.data(), end, n).ptr != end) {
    return std::nullopt;
  }
  return n;
}

std::optional<int> value(std::string_view s, const FieldSpec& f) {
  if (auto n = number(s)) {
    return n;
  }
  if (f.names != nullptr) {
    std::string lower;
    for (char c : s) {
      lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    for (int i = 0; i <= f.max - f.min; ++i) {
      if (lower == f.names[i]) {
        return f.min + i;
      }
    }
  }
  return std::nullopt;
}

// One field: comma-separated parts, each "*", "?" (dom, dow), "v", "a-b", with an optional
// "/step"; "v/step" runs from v to the field's maximum.
bool parseField(std::string_view field, const FieldSpec& f, std::uint64_t* out,
                std::string* error) {
  const std::string where = std::string(f.name) + " field \"" + std::string(field) + "\"";
  *out = 0;
  for (std::string_view part : split(field, ',')) {
    std::string_view range = part;
    int step = 1;
    const std::size_t slash = part.find('/');
    if (slash != std::string_view::npos) {
      range = part.substr(0, slash);
      auto s = number(part.substr(slash + 1));
      if (!s || *s == 0) {
        *error = where + ": bad step";
        return false;
      }
      step = *s;
    }
    if (range == "*" || (range == "?" && f.allowQuestion)) {
      *out |= bits(f.min, f.max, step) | (step == 1 ? kStarBit : 0);
      continue;
    }
    const std::size_t dash = range.find('-');
    auto lo = value(range.substr(0, dash), f);
    auto hi = dash == std::string_view::npos ? lo : value(range.substr(dash + 1), f);
    if (!lo || !hi) {
      *error = where + ": not a number or name";
      return false;
    }
    if (*lo < f.min || *hi > f.max) {
      *error = where + ": out of range " + std::to_string(f.min) + "-" + std::to_string(f.max);
      return false;
    }
    if (*lo > *hi) {
      *error = where + ": range start is after its end";
      return false;
    }
    if (dash == std::string_view::npos && slash != std::string_view::npos) {
      hi = f.max;
    }
    *out |= bits(*lo, *hi, step);
  }
  return true;
}

// Go's time.ParseDuration, in nanoseconds; nullopt when invalid or beyond int64.
std::optional<std::int64_t> parseDuration(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    return 0;
  }
  if (s.empty()) {
    return std::nullopt;
  }
  static constexpr std::pair<std::string_view, std::int64_t> kUnits[] = {
      {"ns", 1},           {"us", 1000},      {"\xc2\xb5s", 1000},  // U+00B5 micro sign
      {"\xce\xbcs", 1000},                                          // U+03BC Greek mu
      {"ms", 1000000},     {"s", 1000000000}, {"m", 60LL * 1000000000}, {"h", 3600LL * 1000000000}};
  constexpr unsigned __int128 kMax = static_cast<unsigned __int128>(1) << 63;
  unsigned __int128 total = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (!s.empty()) {
    if (!digit(s.front()) && s.front() != '.') {
      return std::nullopt;
    }
    unsigned __int128 whole = 0;
    std::size_t i = 0;
    while (i < s.size() && digit(s[i])) {
      whole = whole * 10 + static_cast<unsigned>(s[i] - '0');
      if (whole > kMax) {
        return std::nullopt;
      }
      ++i;
    }
    const bool pre = i > 0;
    unsigned __int128 frac = 0;
    unsigned __int128 scale = 1;
    bool post = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && digit(s[i])) {
        if (scale < kMax) {  // further digits cannot change the result
          frac = frac * 10 + static_cast<unsigned>(s[i] - '0');
          scale *= 10;
        }
        post = true;
        ++i;
      }
    }
    if (!pre && !post) {
      return std::nullopt;
    }
    std::size_t unitEnd = i;
    while (unitEnd < s.size() && !digit(s[unitEnd]) && s[unitEnd] != '.') {
      ++unitEnd;
    }
    const std::string_view unitText = s.substr(i, unitEnd - i);
    std::int64_t unit = 0;
    for (const auto& [name, nanos] : kUnits) {
      if (unitText == name) {
        unit = nanos;
      }
    }
    if (unit == 0) {
      return std::nullopt;
    }
    const auto nanos = static_cast<unsigned __int128>(unit);
    total += whole * nanos + frac * nanos / scale;
    if (total > kMax) {
      return std::nullopt;
    }
    s.remove_prefix(unitEnd);
  }
  if (total == kMax && !negative) {
    return std::nullopt;
  }
  const auto magnitude = static_cast<std::int64_t>(total == kMax ? 0 : total);
  return negative ? -magnitude : magnitude;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    }
    const std::size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    }
    if (i > start) {
      out.push_back(s.substr(start, i - start));
    }
  }
  return out;
}

}  // namespace

class ScheduleParser {
 public:
  static std::optional<Schedule> parse(std::string_view text, std::string* error,
                                       const std::string& zoneRoot) {
    std::string ignored;
    std::string& why = error ? *error : ignored;
    std::vector<std::string_view> fields = words(text);
    Schedule s;
    std::string_view rest = text;
    if (!fields.empty() &&
        (fields[0].substr(0, 8) == "CRON_TZ=" || fields[0].substr(0, 3) == "TZ=")) {
      const std::string_view name = fields[0].substr(fields[0].find('=') + 1);
      s.zone_ = Zone::load(name, &why, zoneRoot);
      if (!s.zone_) {
        return std::nullopt;
      }
      rest =
          text.substr(static_cast<std::size_t>(fields[0].data() + fields[0].size() - text.data()));
      rest.remove_prefix(std::min(rest.find_first_not_of(" \t\n\r\f\v"), rest.size()));
      fields.erase(fields.begin());
    }
    if (fields.empty()) {
      why = "empty schedule";
      return std::nullopt;
    }
    if (fields[0].front() == '@') {
      if (!descriptor(fields, &s)) {
        why = "unknown descriptor \"" + std::string(rest) + "\"";
        return std::nullopt;
      }
      return s;
    }
    if (fields.size() != 5 && fields.size() != 6) {
      why = "expected 6 fields (second minute hour day-of-month month [day-of-week]), found " +
            std::to_string(fields.size());
      return std::nullopt;
    }
    std::uint64_t* masks[] = {&s.second_, &s.minute_, &s.hour_, &s.dom_, &s.month_, &s.dow_};
    for (std::size_t f = 0; f < fields.size(); ++f) {
      if (!parseField(fields[f], kFields[f], masks[f], &why)) {
        return std::nullopt;
      }
    }
    if (fields.size() == 5) {
      s.dow_ = all(kFields[5]);
    }
    return s;
  }

 private:
  static bool descriptor(const std::vector<std::string_view>& fields, Schedule* s) {
    const std::string_view d = fields[0];
    if (d == "@every") {
      if (fields.size() != 2) {
        return false;
      }
      auto nanos = parseDuration(fields[1]);
      if (!nanos) {
        return false;
      }
      // robfig's Every: at least a second, whole seconds.
      s->every_ = std::chrono::seconds(std::max<std::int64_t>(*nanos / 1000000000, 1));
      return true;
    }
    if (fields.size() != 1) {
      return false;
    }
    s->second_ = std::uint64_t{1};
    s->minute_ = std::uint64_t{1};
    s->hour_ = std::uint64_t{1};
    s->dom_ = all(kFields[3]);
    s->month_ = all(kFields[4]);
    s->dow_ = all(kFields[5]);
    if (d == "@yearly" || d == "@annually") {
      s->dom_ = std::uint64_t{1} << 1;
      s->month_ = std::uint64_t{1} << 1;
    } else if (d == "@monthly") {
      s->dom_ = std::uint64_t{1} << 1;
    } else if (d == "@weekly") {
      s->dow_ = std::uint64_t{1};
    } else if (d == "@hourly") {
      s->hour_ = all(kFields[2]);
    } else if (d != "@daily" && d != "@midnight") {
      return false;
    }
    return true;
  }
};

std::optional<Schedule> Schedule::parse(std::string_view text, std::string* error,
                                        const std::string& zoneRoot) {
  return ScheduleParser::parse(text, error, zoneRoot);
}

bool Schedule::dayMatches(const Civil& c) const {
  const bool dom = (dom_ >> c.day) & 1U;
  const bool dow = (dow_ >> c.weekday) & 1U;
  if ((dom_ & kStar) != 0 || (dow_ & kStar) != 0) {
    return dom && dow;
  }
  return dom || dow;
}

std::optional<std::chrono::system_clock::time_point> Schedule::next(
    std::chrono::system_clock::time_point after) const {
  const auto secs = std::chrono::floor<std::chrono::seconds>(after.time_since_epoch()).count();
  auto n = nextUnix(secs);
  if (!n) {
    return std::nullopt;
  }
  return std::chrono::system_clock::time_point(std::chrono::seconds(*n));
}

std::optional<std::int64_t> Schedule::nextUnix(std::int64_t after) const {
  if (every_.count() > 0) {
    return after + every_.count();
  }
  // A port of robfig/cron v3 SpecSchedule.Next, instants in Unix seconds, fields in the zone.
  const Zone& z = *zone_;
  auto civil = [&](std::int64_t t) { return civilFromSeconds(t + z.offsetAt(t)); };
  auto date = [&](std::int64_t y, int mo, int d, int h, int mi, int s) {
    return z.toUnix(daysFromCivil(y, mo, d) * 86400 + std::int64_t{h} * 3600 +
                    std::int64_t{mi} * 60 + s);
  };
  auto has = [](std::uint64_t mask, int v) { return ((mask >> v) & 1U) != 0; };
  std::int64_t t = after + 1;
  bool added = false;
  const std::int64_t yearLimit = civil(t).year + 5;
  Civil c = civil(t);
  // Each step moves t to the next instant its field allows; false when a field wrapped around,
  // which starts over from the month (robfig's "goto WRAP").
  auto month = [&] {
    while (!has(month_, c.month)) {
      if (!added) {
        added = true;
        t = date(c.year, c.month, 1, 0, 0, 0);
        c = civil(t);
      }
      t = date(c.year, c.month + 1, c.day, c.hour, c.minute, c.second);
      c = civil(t);
      if (c.month == 1) {
        return false;
      }
    }
    return true;
  };
  auto day = [&] {
    while (!dayMatches(c)) {
      if (!added) {
        added = true;
        t = date(c.year, c.month, c.day, 0, 0, 0);
        c = civil(t);
      }
      t = date(c.year, c.month, c.day + 1, c.hour, c.minute, c.second);
      c = civil(t);
      // A DST change can move midnight: go back to it (or on to the next one).
      if (c.hour != 0) {
        t += c.hour > 12 ? (24 - c.hour) * 3600 : -c.hour * 3600;
        c = civil(t);
      }
      if (c.day == 1) {
        return false;
      }
    }
    return true;
  };
  auto hour = [&] {
    while (!has(hour_, c.hour)) {
      if (!added) {
        added = true;
        t = date(c.year, c.month, c.day, c.hour, 0, 0);
      }
      t += 3600;
      c = civil(t);
      if (c.hour == 0) {
        return false;
      }
    }
    return true;
  };
  auto minute = [&] {
    while (!has(minute_, c.minute)) {
      if (!added) {
        added = true;
        t -= ((t % 60) + 60) % 60;
      }
      t += 60;
      c = civil(t);
      if (c.minute == 0) {
        return false;
      }
    }
    return true;
  };
  auto second = [&] {
    while (!has(second_, c.second)) {
      added = true;
      t += 1;
      c = civil(t);
      if (c.second == 0) {
        return false;
      }
    }
    return true;
  };
  for (;;) {
    c = civil(t);
    if (c.year > yearLimit) {
      return std::nullopt;
    }
    if (month() && day() && hour() && minute() && second()) {
      return t;
    }
  }
}

std::string checkSchedule(std::string_view text, const std::string& zoneRoot) {
  std::string why;
  return Schedule::parse(text, &why, zoneRoot) ? "" : why;
}

std::optional<std::int64_t> parseGoDuration(std::string_view text) { return parseDuration(text); }

}  // namespace mysqlop::cron
