#include "plugins/backup/src/status.h"

#include "plugins/common/kube/conditions.h"

namespace mysqlop::backup {
namespace {

template <class T>
bool readNumber(const nlohmann::json& obj, const char* key, std::optional<T>* out,
                std::string* error) {
  if (!obj.contains(key) || obj[key].is_null()) {
    return true;
  }
  const nlohmann::json& v = obj[key];
  if constexpr (std::is_same_v<T, double>) {
    if (!v.is_number()) {
      *error = std::string("termination message: \"") + key + "\" is not a number";
      return false;
    }
  } else if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    *error = std::string("termination message: \"") + key + "\" is not a non-negative integer";
    return false;
  }
  *out = v.get<T>();
  return true;
}

bool readText(const nlohmann::json& obj, const char* key, std::string* out, std::string* error) {
  if (!obj.contains(key) || obj[key].is_null()) {
    return true;
  }
  if (!obj[key].is_string()) {
    *error = std::string("termination message: \"") + key + "\" is not a string";
    return false;
  }
  *out = obj[key].get<std::string>();
  return true;
}

}  // namespace

std::optional<TerminationReport> parseTermination(std::string_view text, std::string* error) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *error = "termination message is not a JSON object";
    return std::nullopt;
  }
  TerminationReport r;
  if (!readText(j, "phase", &r.phase, error) || !readText(j, "url", &r.url, error) ||
      !readText(j, "gtid", &r.gtid, error) || !readText(j, "reason", &r.reason, error) ||
      !readText(j, "message", &r.message, error) ||
      !readNumber(j, "sourceBytes", &r.sourceBytes, error) ||
      !readNumber(j, "storedBytes", &r.storedBytes, error) ||
      !readNumber(j, "seconds", &r.seconds, error)) {
    return std::nullopt;
  }
  if (r.phase != "Complete" && r.phase != "Failed") {
    *error = "termination message: phase \"" + r.phase + "\" is neither Complete nor Failed";
    return std::nullopt;
  }
  return r;
}

std::string terminationMessage(const nlohmann::json& pods, std::string_view container) {
  std::string best;
  std::string bestAt;
  if (!pods.is_array()) {
    return best;
  }
  for (const nlohmann::json& pod : pods) {
    if (!pod.is_object() || !pod.contains("status") || !pod["status"].is_object()) {
      continue;
    }
    for (const nlohmann::json& cs :
         pod["status"].value("containerStatuses", nlohmann::json::array())) {
      if (!cs.is_object() || cs.value("name", "") != container || !cs.contains("state") ||
          !cs["state"].is_object() || !cs["state"].contains("terminated")) {
        continue;
      }
      const nlohmann::json& t = cs["state"]["terminated"];
      const std::string message = t.is_object() ? t.value("message", "") : "";
      const std::string at = t.is_object() ? t.value("finishedAt", "") : "";
      // RFC 3339 times in UTC compare as strings.
      if (!message.empty() && (best.empty() || at > bestAt)) {
        best = message;
        bestAt = at;
      }
    }
  }
  return best;
}

bool jobCondition(const nlohmann::json& job, std::string_view type) {
  if (!job.contains("status") || !job["status"].is_object()) {
    return false;
  }
  return kube::conditionStatus(job["status"].value("conditions", nlohmann::json::array()), type) ==
         "True";
}

nlohmann::json statusFromJob(const nlohmann::json& status, const nlohmann::json& job,
                             const std::optional<TerminationReport>& report,
                             const std::string& now) {
  nlohmann::json out = status.is_object() ? status : nlohmann::json::object();
  nlohmann::json conditions = out.value("conditions", nlohmann::json::array());
  const nlohmann::json jobConditions =
      job.contains("status") && job["status"].is_object()
          ? job["status"].value("conditions", nlohmann::json::array())
          : nlohmann::json::array();
  for (const char* type : {"Complete", "Failed"}) {
    const nlohmann::json* c = kube::findCondition(jobConditions, type);
    if (!c) {
      continue;
    }
    kube::Condition cond{type, c->value("status", "Unknown"), c->value("reason", ""),
                         c->value("message", "")};
    if (std::string_view(type) == "Failed" && cond.status == "True" && report &&
        report->phase == "Failed") {
      if (!report->reason.empty()) {
        cond.reason = report->reason;
      }
      if (!report->message.empty()) {
        cond.message = report->message;
      }
    }
    kube::setCondition(conditions, cond, now);
  }
  out["conditions"] = conditions;
  out["completed"] = jobCondition(job, "Complete") || jobCondition(job, "Failed");
  if (report) {
    if (report->sourceBytes) {
      out["sourceBytes"] = *report->sourceBytes;
    }
    if (report->storedBytes) {
      out["storedBytes"] = *report->storedBytes;
    }
    if (report->seconds) {
      out["durationSeconds"] = *report->seconds;
    }
    if (!report->gtid.empty()) {
      out["gtid"] = report->gtid;
    }
  }
  return out;
}

}  // namespace mysqlop::backup
