#include "plugins/cluster/src/restore.h"

#include <nlohmann/json.hpp>
#include <sstream>

namespace mysqlop::cluster {

namespace {

using nlohmann::json;

// The sidecar's prefix of a failed restore's line (sidecar/README.md, clone-and-init).
constexpr std::string_view kRestoreLine = "mysql-operator-sidecar: restore from ";

// The terminated state to report: the current one, else the last one (a crash-looping container
// is Waiting CrashLoopBackOff between runs, with the failure in lastState).
const json* failedTermination(const json& status) {
  for (const char* which : {"state", "lastState"}) {
    const auto s = status.find(which);
    if (s == status.end() || !s->is_object()) {
      continue;
    }
    const auto t = s->find("terminated");
    if (t != s->end() && t->is_object() && t->value("exitCode", 0) != 0) {
      return &*t;
    }
  }
  return nullptr;
}

std::string pickLine(const std::string& message) {
  std::istringstream in(message);
  std::string line;
  std::string restore;
  std::string last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    last = line;
    if (const auto at = line.find(kRestoreLine); at != std::string::npos) {
      // Log lines may carry a timestamp before the program's own text.
      restore = line.substr(at);
    }
  }
  return restore.empty() ? last : restore;
}

}  // namespace

std::optional<std::string> restoreFailure(const json& pod) {
  const json& meta = pod.value("metadata", json::object());
  const json& status = pod.value("status", json::object());
  for (const json& c : status.value("initContainerStatuses", json::array())) {
    if (!c.is_object() || c.value("name", "") != "init") {
      continue;
    }
    const json* t = failedTermination(c);
    if (!t) {
      return std::nullopt;
    }
    std::string line = pickLine(t->value("message", ""));
    if (line.empty()) {
      line = "no message (reason " + t->value("reason", std::string("unknown")) + ")";
    }
    return "pod " + meta.value("namespace", "") + "/" + meta.value("name", "") +
           ": the init container exited with code " + std::to_string(t->value("exitCode", 0)) +
           ": " + line;
  }
  return std::nullopt;
}

}  // namespace mysqlop::cluster
