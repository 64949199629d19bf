#include "plugins/backup/src/progress.h"

#include <algorithm>
#include <charconv>

#include "plugins/backup/src/spec.h"

namespace mysqlop::backup {

using nlohmann::json;

std::optional<SidecarProgress> parseSidecarProgress(std::string_view text, std::string* error) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *error = "the sidecar's progress is not a JSON object";
    return std::nullopt;
  }
  SidecarProgress p;
  if (!j.contains("running") || !j["running"].is_boolean()) {
    *error = "the sidecar's progress has no boolean \"running\"";
    return std::nullopt;
  }
  p.running = j["running"].get<bool>();
  for (const auto& [key, out] : {std::pair<const char*, std::uint64_t*>{"bytes", &p.bytes},
                                 {"estimateBytes", &p.estimateBytes}}) {
    if (!j.contains(key) || !j[key].is_number_unsigned()) {
      *error = std::string("the sidecar's progress: \"") + key + "\" is not a non-negative integer";
      return std::nullopt;
    }
    *out = j[key].get<std::uint64_t>();
  }
  for (const auto& [key, out] :
       {std::pair<const char*, std::string*>{"startedAt", &p.startedAt}, {"status", &p.status}}) {
    if (j.contains(key) && !j[key].is_string()) {
      *error = std::string("the sidecar's progress: \"") + key + "\" is not a string";
      return std::nullopt;
    }
    *out = j.value(key, "");
  }
  return p;
}

namespace {

// The digits of text[at, at+n) as a number, or -1.
int digitsAt(std::string_view text, std::size_t at, std::size_t n) {
  int value = 0;
  if (at + n > text.size()) {
    return -1;
  }
  const auto parsed = std::from_chars(text.data() + at, text.data() + at + n, value);
  return parsed.ec == std::errc() && parsed.ptr == text.data() + at + n ? value : -1;
}

}  // namespace

std::optional<std::time_t> parseUtcTime(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = digitsAt(text, 0, 4);
  tm.tm_mon = digitsAt(text, 5, 2);
  tm.tm_mday = digitsAt(text, 8, 2);
  tm.tm_hour = digitsAt(text, 11, 2);
  tm.tm_min = digitsAt(text, 14, 2);
  tm.tm_sec = digitsAt(text, 17, 2);
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      rest.remove_prefix(1);
    }
  }
  if (rest != "Z" || tm.tm_year < 0 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
      tm.tm_mday > 31 || tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
      tm.tm_sec < 0 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

bool belongsToJob(const SidecarProgress& p, const json& job) {
  const auto jobStart = parseUtcTime(text(job, {"status", "startTime"}));
  if (!jobStart) {
    return p.running;
  }
  const auto started = parseUtcTime(p.startedAt);
  return started && *started + kClockSkewSeconds >= *jobStart;
}

json runningProgress(const SidecarProgress& p, const std::string& now) {
  json out = {{"bytesStreamed", p.bytes}};
  if (p.estimateBytes > 0) {
    out["totalBytesEstimate"] = p.estimateBytes;
    // The stream is the data directory plus framing, so bytes may pass the estimate: the percent
    // stops at 99 until the Job says the backup is stored.
    const double percent =
        static_cast<double>(p.bytes) * 100.0 / static_cast<double>(p.estimateBytes);
    out["percent"] = std::min<std::uint64_t>(static_cast<std::uint64_t>(percent), 99);
  }
  if (!p.startedAt.empty()) {
    out["startedAt"] = p.startedAt;
  }
  out["updatedAt"] = now;
  return out;
}

json finishedProgress(const json& last, bool complete,
                      const std::optional<TerminationReport>& report, const std::string& now) {
  if (!last.is_object()) {
    return nullptr;
  }
  if (!complete) {
    return last;
  }
  json out = last;
  if (report && report->sourceBytes) {
    out["bytesStreamed"] = *report->sourceBytes;
  }
  out["percent"] = 100;
  out["updatedAt"] = now;
  return out;
}

std::uint64_t progressWaitMs(const json& progress, std::time_t now) {
  if (!progress.is_object()) {
    return 0;
  }
  const auto at = parseUtcTime(progress.value("updatedAt", ""));
  if (!at || *at > now) {
    return at ? kProgressIntervalMs : 0;  // a time in the future (another clock): wait a period
  }
  const std::uint64_t ageMs = static_cast<std::uint64_t>(now - *at) * 1000;
  return ageMs >= kProgressIntervalMs ? 0 : kProgressIntervalMs - ageMs;
}

std::string podOfHost(std::string_view host) { return std::string(host.substr(0, host.find('.'))); }

std::string sourceHostOfJob(const json& job) {
  const json containers =
      json::object({{"j", job}})
          .value(json::json_pointer("/j/spec/template/spec/containers"), json::array());
  if (!containers.is_array()) {
    return "";
  }
  for (const json& c : containers) {
    if (c.is_object() && c.value("name", "") == "backup" && c.contains("args") &&
        c["args"].is_array() && c["args"].size() >= 2 && c["args"][1].is_string()) {
      return c["args"][1].get<std::string>();
    }
  }
  return "";
}

json mergePatch(const json& before, const json& after) {
  json patch = json::object();
  for (const auto& [key, value] : after.items()) {
    if (!before.contains(key) || before[key] != value) {
      patch[key] = value;
    }
  }
  for (const auto& [key, value] : before.items()) {
    if (!after.contains(key)) {
      patch[key] = nullptr;
    }
  }
  return patch;
}

}  // namespace mysqlop::backup
