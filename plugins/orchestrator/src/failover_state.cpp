#include "plugins/orchestrator/src/failover_state.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace mysqlop::orchestrator {

using nlohmann::json;

namespace {

constexpr int kStateVersion = 1;

// A field's problem, thrown inside decodeState only (never across its API).
struct BadField {
  std::string what;
};

std::string textOf(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    return {};
  }
  if (!it->is_string()) {
    throw BadField{where + key + " is not a string"};
  }
  return it->get<std::string>();
}

std::int64_t intOf(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    return 0;
  }
  if (!it->is_number_integer()) {
    throw BadField{where + key + " is not an integer"};
  }
  return it->get<std::int64_t>();
}

bool boolOf(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    return false;
  }
  if (!it->is_boolean()) {
    throw BadField{where + key + " is not a boolean"};
  }
  return it->get<bool>();
}

const json& listOf(const json& o, const char* key, const json& empty) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    return empty;
  }
  if (!it->is_array()) {
    throw BadField{std::string(key) + " is not a list"};
  }
  return *it;
}

RecoveryPhase phaseOf(const std::string& name) {
  for (RecoveryPhase p : {RecoveryPhase::Detected, RecoveryPhase::Promoting,
                          RecoveryPhase::Repointing, RecoveryPhase::Done}) {
    if (name == phaseName(p)) {
      return p;
    }
  }
  throw BadField{"inProgress.phase is \"" + name +
                 "\" (known: detected, promoting, repointing, done)"};
}

FailoverState decodeObject(const json& j) {
  FailoverState s;
  const json empty = json::array();
  if (auto it = j.find("inProgress"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) {
      throw BadField{"inProgress is not an object"};
    }
    PersistedRecovery r;
    r.id = intOf(*it, "id", "inProgress.");
    r.uid = textOf(*it, "uid", "inProgress.");
    r.phase = phaseOf(textOf(*it, "phase", "inProgress."));
    r.analysis = textOf(*it, "analysis", "inProgress.");
    r.oldMaster = textOf(*it, "oldMaster", "inProgress.");
    r.candidate = textOf(*it, "candidate", "inProgress.");
    r.promotedAt = textOf(*it, "promotedAt", "inProgress.");
    r.startedAtMs = intOf(*it, "startedAtMs", "inProgress.");
    if (r.phase != RecoveryPhase::Detected && r.candidate.empty()) {
      throw BadField{"inProgress.candidate is empty in phase " + std::string(phaseName(r.phase))};
    }
    s.inProgress = r;
  }
  for (const json& d : listOf(j, "demoted", empty)) {
    if (!d.is_object()) {
      throw BadField{"demoted has an entry that is not an object"};
    }
    const std::string host = textOf(d, "host", "demoted[].");
    if (host.empty()) {
      throw BadField{"demoted[].host is empty"};
    }
    s.demoted[host] = {textOf(d, "newMaster", "demoted[]."), textOf(d, "promotedAt", "demoted[].")};
  }
  for (const json& k : listOf(j, "keptOut", empty)) {
    if (!k.is_string()) {
      throw BadField{"keptOut has an entry that is not a string"};
    }
    s.keptOut.insert(k.get<std::string>());
  }
  s.blockedUntilMs = intOf(j, "blockedUntilMs", "");
  s.master = textOf(j, "master", "");
  for (const json& r : listOf(j, "recent", empty)) {
    if (!r.is_object()) {
      throw BadField{"recent has an entry that is not an object"};
    }
    RecentRecovery x;
    x.id = intOf(r, "id", "recent[].");
    x.uid = textOf(r, "uid", "recent[].");
    x.success = boolOf(r, "success", "recent[].");
    x.startedAtMs = intOf(r, "startedAtMs", "recent[].");
    x.acked = boolOf(r, "acked", "recent[].");
    x.ackedAtMs = intOf(r, "ackedAtMs", "recent[].");
    x.ackedBy = textOf(r, "ackedBy", "recent[].");
    s.recent.push_back(std::move(x));
  }
  s.nextId = std::max<std::int64_t>(1, intOf(j, "nextId", ""));
  for (const RecentRecovery& r : s.recent) {
    s.nextId = std::max(s.nextId, r.id + 1);  // an id is never reused, even after a bad edit
  }
  if (s.inProgress) {
    s.nextId = std::max(s.nextId, s.inProgress->id + 1);
  }
  return s;
}

}  // namespace

const char* phaseName(RecoveryPhase p) {
  switch (p) {
    case RecoveryPhase::Detected: return "detected";
    case RecoveryPhase::Promoting: return "promoting";
    case RecoveryPhase::Repointing: return "repointing";
    case RecoveryPhase::Done: return "done";
  }
  return "done";
}

void rememberRecovery(FailoverState& s, RecentRecovery r) {
  s.recent.push_back(std::move(r));
  while (s.recent.size() > kRecentRecoveries) {
    auto acked = std::find_if(s.recent.begin(), s.recent.end(),
                              [](const RecentRecovery& x) { return x.acked; });
    if (acked == s.recent.end()) {
      break;
    }
    s.recent.erase(acked);
  }
}

std::string encodeState(const FailoverState& s) {
  json j = {{"version", kStateVersion}, {"nextId", s.nextId}};
  if (s.inProgress) {
    const PersistedRecovery& r = *s.inProgress;
    j["inProgress"] = {{"id", r.id},
                       {"uid", r.uid},
                       {"phase", phaseName(r.phase)},
                       {"analysis", r.analysis},
                       {"oldMaster", r.oldMaster},
                       {"candidate", r.candidate},
                       {"promotedAt", r.promotedAt},
                       {"startedAtMs", r.startedAtMs}};
  }
  json demoted = json::array();
  for (const auto& [host, next] : s.demoted) {
    demoted.push_back(
        {{"host", host}, {"newMaster", next.newMaster}, {"promotedAt", next.promotedAt}});
  }
  j["demoted"] = demoted;
  j["keptOut"] = s.keptOut;
  j["blockedUntilMs"] = s.blockedUntilMs;
  j["master"] = s.master;
  json recent = json::array();
  for (const RecentRecovery& r : s.recent) {
    recent.push_back({{"id", r.id},
                      {"uid", r.uid},
                      {"success", r.success},
                      {"startedAtMs", r.startedAtMs},
                      {"acked", r.acked},
                      {"ackedAtMs", r.ackedAtMs},
                      {"ackedBy", r.ackedBy}});
  }
  j["recent"] = recent;
  return j.dump();
}

std::optional<FailoverState> decodeState(const std::string& text, std::string* error) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    *error = std::string("the failover state is not JSON: ") + e.what();
    return std::nullopt;
  }
  if (!j.is_object()) {
    *error = "the failover state is not a JSON object";
    return std::nullopt;
  }
  if (auto v = j.find("version"); v == j.end() || v->is_null() || *v != kStateVersion) {
    *error = "the failover state has version " +
             (v == j.end() || v->is_null() ? std::string("none") : v->dump()) +
             ", this operator reads 1";
    return std::nullopt;
  }
  try {
    return decodeObject(j);
  } catch (const BadField& b) {
    *error = "the failover state field " + b.what;
    return std::nullopt;
  }
}

}  // namespace mysqlop::orchestrator
