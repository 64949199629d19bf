#include "localcluster/controllers/object_util.h"

#include <ctime>
#include <iomanip>
#include <sstream>

#include <spdlog/spdlog.h>

#include "core/kube/event_recorder.h"
#include "core/kube/resource.h"

namespace mysqlop::local::controllers {

json parseObject(const kube::ObjectPtr& o) {
  return o ? json::parse(o->json, nullptr, false) : json();
}

std::string keyOf(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}

std::pair<std::string, std::string> splitKey(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) {
    return {"", key};
  }
  return {key.substr(0, slash), key.substr(slash + 1)};
}

std::string rfc3339(SystemTime t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string nowRfc3339() { return rfc3339(std::chrono::system_clock::now()); }

std::optional<SystemTime> parseRfc3339(const std::string& s) {
  std::tm tm{};
  std::istringstream in(s);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string str(const json& obj, const char* key) {
  if (!obj.is_object()) {
    return "";
  }
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string metaString(const json& obj, const char* key) {
  return obj.is_object() && obj.contains("metadata") ? str(obj["metadata"], key) : "";
}

std::int64_t intField(const json& obj, const char* key, std::int64_t fallback) {
  if (!obj.is_object()) {
    return fallback;
  }
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
}

std::map<std::string, std::string> labelsOf(const json& obj) {
  std::map<std::string, std::string> out;
  if (!obj.is_object() || !obj.contains("metadata") || !obj["metadata"].contains("labels")) {
    return out;
  }
  for (auto it = obj["metadata"]["labels"].begin(); it != obj["metadata"]["labels"].end(); ++it) {
    if (it->is_string()) {
      out[it.key()] = it->get<std::string>();
    }
  }
  return out;
}

json controllerRef(const std::string& apiVersion, const std::string& kind, const json& owner) {
  return {
      {"apiVersion", apiVersion},        {"kind", kind},       {"name", metaString(owner, "name")},
      {"uid", metaString(owner, "uid")}, {"controller", true}, {"blockOwnerDeletion", true}};
}

std::string controllerUid(const json& obj) {
  if (!obj.is_object() || !obj.contains("metadata")) {
    return "";
  }
  const json& refs = obj["metadata"].value("ownerReferences", json::array());
  for (const auto& r : refs) {
    if (r.is_object() && r.value("controller", false)) {
      return str(r, "uid");
    }
  }
  return "";
}

kube::EventRecorder::Options eventOptions(const char* component) {
  kube::EventRecorder::Options o;
  o.component = component;
  return o;
}

void recordEvent(kube::EventRecorder& recorder, const kube::Resource& res, const json& obj,
                 const char* type, const std::string& reason, const std::string& message) {
  json meta = {{"name", metaString(obj, "name")}, {"uid", metaString(obj, "uid")}};
  if (!metaString(obj, "namespace").empty()) {
    meta["namespace"] = metaString(obj, "namespace");
  }
  if (!metaString(obj, "resourceVersion").empty()) {
    meta["resourceVersion"] = metaString(obj, "resourceVersion");
  }
  const json involved = {{"apiVersion", res.apiVersion()}, {"kind", res.kind}, {"metadata", meta}};
  auto r = recorder.record(involved, type, reason, message);
  if (!r.ok()) {
    spdlog::debug("event {} on {} {}: {}", reason, res.kind, metaString(obj, "name"),
                  r.error().message);
  }
}

std::string podPhase(const json& pod) {
  return pod.contains("status") ? str(pod["status"], "phase") : "";
}

bool isTerminating(const json& obj) {
  return obj.contains("metadata") && obj["metadata"].contains("deletionTimestamp") &&
         !obj["metadata"]["deletionTimestamp"].is_null();
}

namespace {
const json* readyCondition(const json& pod) {
  if (!pod.contains("status") || !pod["status"].contains("conditions") ||
      !pod["status"]["conditions"].is_array()) {
    return nullptr;
  }
  for (const auto& c : pod["status"]["conditions"]) {
    if (str(c, "type") == "Ready") {
      return &c;
    }
  }
  return nullptr;
}
}  // namespace

bool isPodReady(const json& pod) {
  const json* c = readyCondition(pod);
  return c != nullptr && str(*c, "status") == "True";
}

bool isRunningAndReady(const json& pod) { return podPhase(pod) == "Running" && isPodReady(pod); }

std::optional<SystemTime> readySince(const json& pod) {
  const json* c = readyCondition(pod);
  if (c == nullptr || str(*c, "status") != "True") {
    return std::nullopt;
  }
  auto t = parseRfc3339(str(*c, "lastTransitionTime"));
  return t ? t : std::optional<SystemTime>(SystemTime{});
}

bool setCondition(json& status, const std::string& type, const std::string& conditionStatus,
                  const std::string& reason, const std::string& message) {
  if (!status.contains("conditions") || !status["conditions"].is_array()) {
    status["conditions"] = json::array();
  }
  std::string now = nowRfc3339();
  for (auto& c : status["conditions"]) {
    if (str(c, "type") != type) {
      continue;
    }
    if (str(c, "status") == conditionStatus && str(c, "reason") == reason &&
        str(c, "message") == message) {
      return false;
    }
    if (str(c, "status") != conditionStatus) {
      c["lastTransitionTime"] = now;
    }
    c["status"] = conditionStatus;
    c["reason"] = reason;
    c["message"] = message;
    c["lastProbeTime"] = now;
    return true;
  }
  status["conditions"].push_back({{"type", type},
                                  {"status", conditionStatus},
                                  {"reason", reason},
                                  {"message", message},
                                  {"lastProbeTime", now},
                                  {"lastTransitionTime", now}});
  return true;
}

bool hasTrueCondition(const json& status, const std::string& type) {
  if (!status.is_object() || !status.contains("conditions") || !status["conditions"].is_array()) {
    return false;
  }
  for (const auto& c : status["conditions"]) {
    if (str(c, "type") == type && str(c, "status") == "True") {
      return true;
    }
  }
  return false;
}

bool expectationPending(const kube::Store& pods, const std::string& ns, const std::string& entry) {
  const auto at = entry.find('@');
  auto p = pods.get(keyOf(ns, entry.substr(0, at)));
  if (at == std::string::npos) {
    return p == nullptr;
  }
  return p && p->uid == entry.substr(at + 1) && !isTerminating(parseObject(p));
}

Expectations::Pending& Expectations::entry(const std::string& owner) {
  // The deadline runs from the newest expectation: a burst of creates waits for the last one.
  Pending& p = pending_[owner];
  p.since = std::chrono::steady_clock::now();
  return p;
}

void Expectations::expect(const std::string& owner, const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  entry(owner).entries.insert(what);
}

void Expectations::forget(const std::string& owner) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.erase(owner);
}

}  // namespace mysqlop::local::controllers
