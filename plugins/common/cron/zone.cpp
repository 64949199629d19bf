#include "plugins/common/cron/zone.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>

namespace mysqlop::cron {

namespace {

constexpr std::int64_t kDay = 86400;

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int daysIn(std::int64_t year, int month) {
  static constexpr int kMonthLengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kMonthLengths[month - 1];
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

// ---- POSIX TZ rules (Go's time.tzset) ----

struct RuleReader {
  std::string_view s;
  std::size_t pos = 0;

  bool done() const { return pos >= s.size(); }
  char peek() const { return done() ? '\0' : s[pos]; }

  // A zone abbreviation: 3+ letters, or anything between '<' and '>'.
  bool name() {
    if (peek() == '<') {
      const std::size_t close = s.find('>', pos);
      if (close == std::string_view::npos) {
        return false;
      }
      pos = close + 1;
      return true;
    }
    const std::size_t start = pos;
    while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) {
      ++pos;
    }
    return pos - start >= 3;
  }

  bool number(int* out, int max) {
    const std::size_t start = pos;
    int n = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(peek()))) {
      n = n * 10 + (peek() - '0');
      if (n > max) {
        return false;
      }
      ++pos;
    }
    *out = n;
    return pos > start;
  }

  // [+-]hh[:mm[:ss]] in seconds.
  bool offset(int* out) {
    int sign = 1;
    if (peek() == '+' || peek() == '-') {
      sign = peek() == '-' ? -1 : 1;
      ++pos;
    }
    int h = 0;
    int m = 0;
    int sec = 0;
    if (!number(&h, 167)) {
      return false;
    }
    if (peek() == ':') {
      ++pos;
      if (!number(&m, 59)) {
        return false;
      }
      if (peek() == ':') {
        ++pos;
        if (!number(&sec, 59)) {
          return false;
        }
      }
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
};

struct DateRule {
  enum class Kind { Julian, DayOfYear, MonthWeekDay } kind = Kind::MonthWeekDay;
  int day = 0;
  int week = 0;
  int month = 0;
  int time = 7200;  // seconds after local midnight
};

bool readDateRule(RuleReader* r, DateRule* out) {
  if (r->peek() == 'J') {
    ++r->pos;
    out->kind = DateRule::Kind::Julian;
    if (!r->number(&out->day, 365) || out->day < 1) {
      return false;
    }
  } else if (r->peek() == 'M') {
    ++r->pos;
    out->kind = DateRule::Kind::MonthWeekDay;
    if (!r->number(&out->month, 12) || out->month < 1 || r->peek() != '.') {
      return false;
    }
    ++r->pos;
    if (!r->number(&out->week, 5) || out->week < 1 || r->peek() != '.') {
      return false;
    }
    ++r->pos;
    if (!r->number(&out->day, 6)) {
      return false;
    }
  } else {
    out->kind = DateRule::Kind::DayOfYear;
    if (!r->number(&out->day, 365)) {
      return false;
    }
  }
  if (r->peek() == '/') {
    ++r->pos;
    return r->offset(&out->time);
  }
  return true;
}

// Seconds from the start of `year` (UTC) to the moment the rule takes effect, given the offset in
// force before it.
std::int64_t ruleTime(std::int64_t year, const DateRule& r, int offset) {
  std::int64_t day = 0;
  switch (r.kind) {
    case DateRule::Kind::Julian: day = r.day - 1 + (leap(year) && r.day >= 60 ? 1 : 0); break;
    case DateRule::Kind::DayOfYear: day = r.day; break;
    case DateRule::Kind::MonthWeekDay: {
      const std::int64_t first = daysFromCivil(year, r.month, 1);
      const int firstWeekday = static_cast<int>(((first % 7) + 11) % 7);  // 1970-01-01: Thursday
      int d = r.day - firstWeekday;
      if (d < 0) {
        d += 7;
      }
      for (int i = 1; i < r.week; ++i) {
        if (d + 7 >= daysIn(year, r.month)) {
          break;
        }
        d += 7;
      }
      day = first - daysFromCivil(year, 1, 1) + d;
      break;
    }
  }
  return day * kDay + r.time - offset;
}

struct Rule {
  int stdOffset = 0;
  bool hasDst = false;
  int dstOffset = 0;
  DateRule start;
  DateRule end;
};

bool parseRule(std::string_view text, Rule* out) {
  RuleReader r{text};
  int stdOffset = 0;
  if (!r.name() || !r.offset(&stdOffset)) {
    return false;
  }
  out->stdOffset = -stdOffset;  // POSIX counts west of UTC
  if (r.done()) {
    return true;
  }
  if (!r.name()) {
    return false;
  }
  out->hasDst = true;
  out->dstOffset = out->stdOffset + 3600;
  if (r.peek() != ',' && !r.done()) {
    int dst = 0;
    if (!r.offset(&dst)) {
      return false;
    }
    out->dstOffset = -dst;
  }
  if (r.done()) {
    // No dates: the US rules, as Go assumes.
    r = RuleReader{",M3.2.0,M11.1.0"};
  }
  if (r.peek() != ',') {
    return false;
  }
  ++r.pos;
  if (!readDateRule(&r, &out->start) || r.peek() != ',') {
    return false;
  }
  ++r.pos;
  return readDateRule(&r, &out->end) && r.done();
}

int ruleOffset(const Rule& rule, std::int64_t unixSeconds) {
  if (!rule.hasDst) {
    return rule.stdOffset;
  }
  const Civil c = civilFromSeconds(unixSeconds);
  const std::int64_t yearStart = daysFromCivil(c.year, 1, 1) * kDay;
  const std::int64_t inYear = unixSeconds - yearStart;
  std::int64_t start = ruleTime(c.year, rule.start, rule.stdOffset);
  std::int64_t end = ruleTime(c.year, rule.end, rule.dstOffset);
  bool insideIsDst = true;
  if (end < start) {  // southern hemisphere: DST spans the new year
    std::swap(start, end);
    insideIsDst = false;
  }
  const bool inside = inYear >= start && inYear < end;
  return inside == insideIsDst ? rule.dstOffset : rule.stdOffset;
}

// ---- TZif (RFC 8536) ----

struct Bytes {
  std::string_view s;
  std::size_t pos = 0;

  bool has(std::size_t n) const { return pos + n <= s.size(); }
  std::int64_t be(std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      v = (v << 8) | static_cast<unsigned char>(s[pos + i]);
    }
    pos += n;
    if (n == 4) {
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    }
    return static_cast<std::int64_t>(v);
  }
};

struct Header {
  int version = 0;
  std::size_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

bool readHeader(Bytes* b, Header* h) {
  if (!b->has(44) || b->s.substr(b->pos, 4) != "TZif") {
    return false;
  }
  const char v = b->s[b->pos + 4];
  h->version = v == '\0' ? 1 : v - '0';
  b->pos += 20;
  for (std::size_t* count :
       {&h->isutcnt, &h->isstdcnt, &h->leapcnt, &h->timecnt, &h->typecnt, &h->charcnt}) {
    const std::int64_t n = b->be(4);
    if (n < 0) {
      return false;
    }
    *count = static_cast<std::size_t>(n);
  }
  return h->typecnt > 0;
}

std::size_t blockSize(const Header& h, std::size_t timeSize) {
  return h.timecnt * timeSize + h.timecnt + h.typecnt * 6 + h.charcnt + h.leapcnt * (timeSize + 4) +
         h.isstdcnt + h.isutcnt;
}

}  // namespace

std::int64_t daysFromCivil(std::int64_t year, int month, int day) {
  // Normalise the month, then H. Hinnant's days_from_civil.
  year += floorDiv(month - 1, 12);
  month = static_cast<int>(((month - 1) % 12 + 12) % 12) + 1;
  const std::int64_t y = month <= 2 ? year - 1 : year;
  const std::int64_t era = floorDiv(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468 + (day - 1);
}

Civil civilFromSeconds(std::int64_t seconds) {
  const std::int64_t days = floorDiv(seconds, kDay);
  const std::int64_t rest = seconds - days * kDay;
  const std::int64_t z = days + 719468;
  const std::int64_t era = floorDiv(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  Civil c{};
  c.year = y;
  c.month = m;
  c.day = d;
  c.hour = static_cast<int>(rest / 3600);
  c.minute = static_cast<int>(rest % 3600 / 60);
  c.second = static_cast<int>(rest % 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);
  c.yearDay = static_cast<int>(days - daysFromCivil(y, 1, 1));
  return c;
}

std::shared_ptr<const Zone> Zone::utc() {
  static const std::shared_ptr<const Zone> kUtc = [] {
    auto z = std::make_shared<Zone>();
    z->name_ = "UTC";
    return z;
  }();
  return kUtc;
}

std::shared_ptr<const Zone> Zone::load(std::string_view name, std::string* error,
                                       const std::string& root) {
  if (name.empty() || name == "UTC") {
    return utc();
  }
  // Go's containsDotDot and absolute-path checks: a name never leaves the zoneinfo root.
  const bool unsafe = name.front() == '/' || name.front() == '\\' ||
                      name.find("..") != std::string_view::npos ||
                      name.find('\0') != std::string_view::npos;
  std::string data;
  if (!unsafe) {
    std::ifstream in(root + "/" + std::string(name), std::ios::binary);
    if (in) {
      data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  auto zone = unsafe || data.empty() ? nullptr : fromTzif(name, data);
  if (!zone && error) {
    *error = "unknown time zone " + std::string(name);
  }
  return zone;
}

std::shared_ptr<const Zone> Zone::fromTzif(std::string_view name, std::string_view data) {
  Bytes b{data};
  Header h;
  if (!readHeader(&b, &h)) {
    return nullptr;
  }
  std::size_t timeSize = 4;
  if (h.version >= 2) {
    // Skip the 32-bit block: the 64-bit one follows with its own header.
    const std::size_t skip = blockSize(h, 4);
    if (!b.has(skip)) {
      return nullptr;
    }
    b.pos += skip;
    if (!readHeader(&b, &h)) {
      return nullptr;
    }
    timeSize = 8;
  }
  if (!b.has(blockSize(h, timeSize))) {
    return nullptr;
  }
  std::vector<std::int64_t> times(h.timecnt);
  for (auto& t : times) {
    t = b.be(timeSize);
  }
  std::vector<std::size_t> indices(h.timecnt);
  for (auto& i : indices) {
    i = static_cast<std::size_t>(b.be(1));
  }
  std::vector<int> offsets(h.typecnt);
  std::vector<bool> dst(h.typecnt);
  for (std::size_t i = 0; i < h.typecnt; ++i) {
    offsets[i] = static_cast<int>(b.be(4));
    dst[i] = b.be(1) != 0;
    b.be(1);  // abbreviation index
  }
  b.pos += h.charcnt + h.leapcnt * (timeSize + 4) + h.isstdcnt + h.isutcnt;
  auto zone = std::make_shared<Zone>();
  zone->name_ = std::string(name);
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (indices[i] >= h.typecnt) {
      return nullptr;
    }
    zone->transitions_.push_back({times[i], offsets[indices[i]]});
  }
  // Go's lookupFirstZone: the first standard-time type, else type 0.
  zone->firstOffset_ = offsets[0];
  for (std::size_t i = 0; i < h.typecnt; ++i) {
    if (!dst[i]) {
      zone->firstOffset_ = offsets[i];
      break;
    }
  }
  if (timeSize == 8 && b.has(1) && b.s[b.pos] == '\n') {
    const std::size_t end = data.find('\n', b.pos + 1);
    if (end != std::string_view::npos) {
      const std::string_view footer = data.substr(b.pos + 1, end - b.pos - 1);
      Rule rule;
      if (!footer.empty() && parseRule(footer, &rule)) {
        zone->rule_ = std::string(footer);
      }
    }
  }
  return zone;
}

std::shared_ptr<const Zone> Zone::fromRule(std::string_view name, std::string_view rule) {
  Rule parsed;
  if (!parseRule(rule, &parsed)) {
    return nullptr;
  }
  auto zone = std::make_shared<Zone>();
  zone->name_ = std::string(name);
  zone->rule_ = std::string(rule);
  zone->firstOffset_ = parsed.stdOffset;
  return zone;
}

int Zone::offsetAt(std::int64_t unixSeconds) const {
  if (transitions_.empty() && rule_.empty()) {
    return firstOffset_;
  }
  if (!transitions_.empty() && unixSeconds < transitions_.front().at) {
    return firstOffset_;
  }
  if (transitions_.empty() || unixSeconds >= transitions_.back().at) {
    Rule rule;
    if (!rule_.empty() && parseRule(rule_, &rule)) {
      return ruleOffset(rule, unixSeconds);
    }
    return transitions_.back().offset;
  }
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), unixSeconds,
                             [](std::int64_t t, const Transition& tr) { return t < tr.at; });
  return std::prev(it)->offset;
}

std::int64_t Zone::toUnix(std::int64_t localSeconds) const {
  // Go's time.Date: guess with the offset at the local time read as UTC, then correct once.
  const int guess = offsetAt(localSeconds);
  const std::int64_t utc = localSeconds - guess;
  const int actual = offsetAt(utc);
  return actual == guess ? utc : localSeconds - actual;
}

}  // namespace mysqlop::cron
