#include "plugins/orchestrator/src/semi_sync.h"

#include <cmath>
#include <cstdlib>

#include "plugins/common/mysql/replication.h"

namespace mysqlop::orchestrator {

namespace {

using mysql::ReplicationSql;

// ON/OFF as the server shows it (MariaDB: ON/OFF; MySQL: ON/OFF or 1/0).
bool isOn(const std::string& v) { return v == "ON" || v == "1" || v == "on"; }

void addWhy(ArmPlan& p, const std::string& what) { p.why += (p.why.empty() ? "" : ", ") + what; }

}  // namespace

SemiSyncChoice semiSyncChoice(const nlohmann::json& cluster, bool pluginDefault) {
  SemiSyncChoice c;
  c.on = pluginDefault;
  const nlohmann::json* annotations = nullptr;
  if (cluster.is_object() && cluster.contains("metadata") && cluster["metadata"].is_object() &&
      cluster["metadata"].contains("annotations") &&
      cluster["metadata"]["annotations"].is_object()) {
    annotations = &cluster["metadata"]["annotations"];
  }
  if (annotations == nullptr || !annotations->contains(kSemiSyncAnnotation)) {
    return c;
  }
  const nlohmann::json& v = (*annotations)[kSemiSyncAnnotation];
  const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  if (text == "true" || text == "false") {
    c.on = text == "true";
    c.fromAnnotation = true;
    return c;
  }
  c.warning = std::string("annotation ") + kSemiSyncAnnotation +
              " must be \"true\" or \"false\", not \"" + text +
              "\"; using the plugin default (kubeSemiSync: " + (pluginDefault ? "true" : "false") +
              ")";
  return c;
}

ArmPlan armingPlan(ArmRole role, const ArmTarget& want,
                   const std::map<std::string, std::string>& current) {
  ArmPlan p;
  auto has = [&](const char* k) { return current.count(k) > 0; };
  auto value = [&](const char* k) {
    auto it = current.find(k);
    return it == current.end() ? std::string() : it->second;
  };
  if (role == ArmRole::Master) {
    if (!has("RPL_SEMI_SYNC_MASTER_ENABLED")) {
      return p;
    }
    const bool enabled = isOn(value("RPL_SEMI_SYNC_MASTER_ENABLED"));
    if (!want.semiSync) {
      if (enabled) {
        p.statements.push_back(ReplicationSql::setSemiSyncMaster(false));
        addWhy(p, "semi-sync master side on, wanted off");
      }
      return p;
    }
    if (has("RPL_SEMI_SYNC_MASTER_WAIT_POINT") &&
        value("RPL_SEMI_SYNC_MASTER_WAIT_POINT") != "AFTER_SYNC") {
      p.statements.push_back(ReplicationSql::setSemiSyncWaitPoint());
      addWhy(p, "wait point " + value("RPL_SEMI_SYNC_MASTER_WAIT_POINT"));
    }
    if (has("RPL_SEMI_SYNC_MASTER_TIMEOUT") &&
        value("RPL_SEMI_SYNC_MASTER_TIMEOUT") != "4294967295") {
      p.statements.push_back(ReplicationSql::setSemiSyncNoFallback());
      addWhy(p, "timeout " + value("RPL_SEMI_SYNC_MASTER_TIMEOUT") + " ms");
    }
    if (has("RPL_SEMI_SYNC_MASTER_WAIT_NO_SLAVE") &&
        !isOn(value("RPL_SEMI_SYNC_MASTER_WAIT_NO_SLAVE"))) {
      p.statements.push_back(ReplicationSql::setSemiSyncWaitNoSlave());
      addWhy(p, "wait_no_slave off");
    }
    if (!enabled) {
      p.statements.push_back(ReplicationSql::setSemiSyncMaster(true));
      addWhy(p, "semi-sync master side off");
    }
    return p;
  }
  if (has("RPL_SEMI_SYNC_SLAVE_ENABLED")) {
    const bool enabled = isOn(value("RPL_SEMI_SYNC_SLAVE_ENABLED"));
    if (want.semiSync && !enabled) {
      p.statements.push_back(ReplicationSql::setSemiSyncSlave(true));
      p.restartReplication = true;  // the IO thread registers as semi-sync when it starts
      addWhy(p, "semi-sync replica side off");
    } else if (!want.semiSync && enabled) {
      p.statements.push_back(ReplicationSql::setSemiSyncSlave(false));
      addWhy(p, "semi-sync replica side on, wanted off");
    }
  }
  if (has("SLAVE_HEARTBEAT_PERIOD") && want.heartbeatMs > 0) {
    const std::string v = value("SLAVE_HEARTBEAT_PERIOD");
    const double seconds = std::strtod(v.c_str(), nullptr);
    if (std::llround(seconds * 1000) != want.heartbeatMs) {
      p.statements.push_back(ReplicationSql::setHeartbeatPeriod(want.heartbeatMs));
      p.restartReplication = true;
      addWhy(p, "heartbeat period " + v + " s");
    }
  }
  return p;
}

}  // namespace mysqlop::orchestrator
