#include "plugins/cluster/src/cron.h"

#include <array>
#include <cctype>
#include <optional>
#include <vector>

namespace mysqlop::cluster {

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
constexpr const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr std::array<FieldSpec, 6> kFields = {{
    {"second", 0, 59, nullptr, false},
    {"minute", 0, 59, nullptr, false},
    {"hour", 0, 23, nullptr, false},
    {"day of month", 1, 31, nullptr, true},
    {"month", 1, 12, kMonths, false},
    {"day of week", 0, 6, kDays, true},
}};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) {
      return out;
    }
    start = at + 1;
  }
}

std::optional<int> number(std::string_view s) {
  if (s.empty() || s.size() > 4) {
    return std::nullopt;
  }
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    n = n * 10 + (c - '0');
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

std::string checkField(std::string_view field, const FieldSpec& f) {
  const std::string where = std::string(f.name) + " field \"" + std::string(field) + "\"";
  for (std::string_view part : split(field, ',')) {
    std::string_view range = part;
    if (const std::size_t slash = part.find('/'); slash != std::string_view::npos) {
      range = part.substr(0, slash);
      auto step = number(part.substr(slash + 1));
      if (!step || *step == 0) {
        return where + ": bad step";
      }
    }
    if (range == "*" || (range == "?" && f.allowQuestion)) {
      continue;
    }
    const std::size_t dash = range.find('-');
    auto lo = value(range.substr(0, dash), f);
    auto hi = dash == std::string_view::npos ? lo : value(range.substr(dash + 1), f);
    if (!lo || !hi) {
      return where + ": not a number or name";
    }
    if (*lo < f.min || *hi > f.max) {
      return where + ": out of range " + std::to_string(f.min) + "-" + std::to_string(f.max);
    }
    if (*lo > *hi) {
      return where + ": range start is after its end";
    }
  }
  return "";
}

bool isDuration(std::string_view s) {
  // Go time.ParseDuration: [0-9.]+ followed by a unit, repeated.
  if (s.empty()) {
    return false;
  }
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
      ++i;
    }
    if (i == start) {
      return false;
    }
    bool unit = false;
    for (std::string_view u : {"ns", "us", "ms", "s", "m", "h"}) {
      if (s.substr(i, u.size()) == u && (u.size() == 2 || i + 1 >= s.size() || s[i + 1] != 's')) {
        i += u.size();
        unit = true;
        break;
      }
    }
    if (!unit) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string checkCronSchedule(std::string_view schedule) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < schedule.size()) {
    while (i < schedule.size() && std::isspace(static_cast<unsigned char>(schedule[i]))) {
      ++i;
    }
    const std::size_t start = i;
    while (i < schedule.size() && !std::isspace(static_cast<unsigned char>(schedule[i]))) {
      ++i;
    }
    if (i > start) {
      fields.push_back(schedule.substr(start, i - start));
    }
  }
  if (fields.empty()) {
    return "empty schedule";
  }
  if (fields[0].front() == '@') {
    for (std::string_view d :
         {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}) {
      if (fields.size() == 1 && fields[0] == d) {
        return "";
      }
    }
    if (fields[0] == "@every" && fields.size() == 2 && isDuration(fields[1])) {
      return "";
    }
    return "unknown descriptor \"" + std::string(schedule) + "\"";
  }
  if (fields.size() != 5 && fields.size() != 6) {
    return "expected 6 fields (second minute hour day-of-month month [day-of-week]), found " +
           std::to_string(fields.size());
  }
  for (std::size_t f = 0; f < fields.size(); ++f) {
    if (std::string why = checkField(fields[f], kFields[f]); !why.empty()) {
      return why;
    }
  }
  return "";
}

}  // namespace mysqlop::cluster
