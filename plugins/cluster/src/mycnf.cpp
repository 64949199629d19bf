#include "plugins/cluster/src/mycnf.h"

#include <algorithm>
#include <cmath>

#include "plugins/cluster/src/spec.h"
#include "plugins/common/kube/quantity.h"

namespace mysqlop::cluster {

namespace {

constexpr std::int64_t kMi = 1LL << 20;
constexpr std::int64_t kGi = 1LL << 30;

const char* const kSqlModeMysql57 =
    "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_AUTO_VALUE_ON_ZERO,"
    "NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE,NO_ZERO_IN_DATE,ONLY_FULL_GROUP_BY";
const char* const kSqlModeMysql8 =
    "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_VALUE_ON_ZERO,"
    "NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE,NO_ZERO_IN_DATE,ONLY_FULL_GROUP_BY";

// Insertion-ordered keys where setting an existing key replaces its value in place (go-ini's
// section semantics, which bitpoke's rendering relies on).
class Section {
 public:
  void set(const std::string& key, const std::string& value) {
    for (auto& e : entries_) {
      if (e.first == key && !e.second.bare) {
        e.second = {value, false};
        return;
      }
    }
    entries_.push_back({key, {value, false}});
  }
  void flag(const std::string& key) { entries_.push_back({key, {"", true}}); }
  void setSorted(ConfEntries entries) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [k, v] : entries) {
      set(k, v);
    }
  }
  std::string render() const {
    std::string out = "[mysqld]\n";
    for (const auto& [key, v] : entries_) {
      out += v.bare ? key + "\n" : key + " = " + v.value + "\n";
    }
    return out;
  }

 private:
  struct Value {
    std::string value;
    bool bare;
  };
  std::vector<std::pair<std::string, Value>> entries_;
};

std::optional<kube::Quantity> resourceQuantity(const nlohmann::json& resources, const char* part,
                                               const char* name) {
  if (!resources.is_object() || !resources.contains(part) || !resources[part].is_object() ||
      !resources[part].contains(name)) {
    return std::nullopt;
  }
  const nlohmann::json& v = resources[part][name];
  return kube::Quantity::parse(v.is_string() ? v.get<std::string>() : v.dump());
}

bool userSet(const ClusterSpec& c, const std::string& key) {
  return std::any_of(c.mysqlConf.begin(), c.mysqlConf.end(),
                     [&](const auto& e) { return e.first == key; });
}

std::int64_t bufferPoolFor(std::int64_t mem) {
  if (mem <= 512 * kMi) {
    return 0;  // leave MySQL's default
  }
  if (mem <= kGi) {
    return static_cast<std::int64_t>(static_cast<double>(mem - 256 * kMi) * 0.5);
  }
  if (mem <= 4 * kGi) {
    return static_cast<std::int64_t>(static_cast<double>(mem - 256 * kMi) * 0.75);
  }
  return static_cast<std::int64_t>(static_cast<double>(mem - 512 * kMi) * 0.8);
}

std::int64_t logFileFor(std::int64_t mem) {
  if (mem < kGi) {
    return 48 * kMi;
  }
  if (mem <= 4 * kGi) {
    return 128 * kMi;
  }
  if (mem <= 8 * kGi) {
    return 512 * kMi;
  }
  if (mem <= 16 * kGi) {
    return kGi;
  }
  return 2 * kGi;
}

}  // namespace

ConfEntries computedMysqlConf(const ClusterSpec& c) {
  ConfEntries out;
  auto add = [&](const std::string& key, const std::string& value) {
    if (!userSet(c, key)) {
      out.emplace_back(key, value);
    }
  };
  const bool mariadb = c.version.flavor == mysql::Flavor::MariaDB;
  const std::int64_t mem = resourceQuantity(c.resources, "requests", "memory")
                               .value_or(kube::Quantity::fromInt(0))
                               .value();
  std::int64_t pool = 128 * kMi;  // the server default, used for the instance count
  if (std::int64_t computed = bufferPoolFor(mem); computed > 0) {
    pool = computed;
    add("innodb-buffer-pool-size", kube::humanizeBytes(computed));
  }
  add("innodb-log-file-size", kube::humanizeBytes(logFileFor(mem)));
  if (!c.pvcSpec.is_null()) {
    if (auto storage = resourceQuantity(c.pvcSpec["resources"], "requests", "storage")) {
      const std::int64_t space = storage->value();
      std::int64_t spaceLimit = space / 2;
      std::int64_t maxBinlog = std::min(spaceLimit / 4, kGi);
      if (space < 2 * kGi) {
        spaceLimit = space / 3;
        maxBinlog = std::min(spaceLimit / 3, kGi);
      }
      if (c.perconaImage && !mariadb) {
        add("binlog-space-limit", kube::humanizeBytes(spaceLimit));
      }
      add("max-binlog-size", kube::humanizeBytes(maxBinlog));
    }
  }
  if (auto cpu = resourceQuantity(c.resources, "limits", "cpu");
      cpu && !cpu->isZero() && !mariadb) {
    const double cores = std::ceil(static_cast<double>(cpu->milliValue()) / 1000.0);
    const double byPool = std::floor(static_cast<double>(pool) / static_cast<double>(kGi));
    add("innodb-buffer-pool-instances",
        std::to_string(static_cast<std::int64_t>(std::max(std::min(cores, byPool), 1.0))));
  }
  return out;
}

std::string buildMyCnf(const ClusterSpec& c) {
  const bool mariadb = c.version.flavor == mysql::Flavor::MariaDB;
  const bool mysql8 = !mariadb && c.version.major >= 8;
  Section s;
  // The flavor's own keys.
  if (mysql8) {
    s.setSorted({{"sql-mode", kSqlModeMysql8},
                 {"binlog_expire_logs_seconds", "1209600"},
                 {"default-authentication-plugin", "mysql_native_password"}});
  } else {
    s.setSorted({{"query-cache-type", "0"},
                 {"query-cache-size", "0"},
                 {"expire-logs-days", "14"},
                 {"sql-mode", kSqlModeMysql57}});
  }
  // MySQL 8.3 removed --skip-host-cache (bitpoke #920); the cache is off with skip-name-resolve.
  if (mariadb || !c.version.atLeast(8, 3)) {
    s.flag("skip-host-cache");
  }
  s.flag("skip-name-resolve");

  ConfEntries common = {{"log-bin", "/var/lib/mysql/mysql-bin"},
                        {"log-slave-updates", "on"},
                        {"skip-slave-start", "on"},
                        {"relay-log-recovery", "on"},
                        {"default-storage-engine", "InnoDB"},
                        {"key-buffer-size", "32M"},
                        {"myisam-recover-options", "FORCE,BACKUP"},
                        {"max-allowed-packet", "16M"},
                        {"max-connect-errors", "1000000"},
                        {"sysdate-is-now", "1"},
                        {"sync-binlog", "1"},
                        {"binlog-format", "ROW"},
                        {"tmp-table-size", "32M"},
                        {"max-heap-table-size", "32M"},
                        {"max-connections", "500"},
                        {"thread-cache-size", "50"},
                        {"open-files-limit", "65535"},
                        {"table-definition-cache", "4096"},
                        {"table-open-cache", "4096"},
                        {"innodb-flush-method", "O_DIRECT"},
                        {"innodb-flush-log-at-trx-commit", "2"},
                        {"innodb-file-per-table", "1"},
                        {"character-set-server", "utf8mb4"},
                        {"collation-server", "utf8mb4_unicode_ci"}};
  if (mariadb) {
    // MariaDB has GTIDs always on; strict mode refuses out-of-order transactions, which is what
    // makes failover by GTID position safe. It has no repository or GTID-mode options, and 10.6
    // removed innodb-log-files-in-group.
    common.emplace_back("gtid-strict-mode", "on");
    common.emplace_back("relay-log", "/var/lib/mysql/mysql-relay-bin");
  } else {
    common.emplace_back("relay-log-info-repository", "TABLE");
    common.emplace_back("master-info-repository", "TABLE");
    common.emplace_back("gtid-mode", "on");
    common.emplace_back("enforce-gtid-consistency", "on");
    common.emplace_back("innodb-log-files-in-group", "2");
  }
  s.setSorted(std::move(common));

  ConfEntries user = c.mysqlConf;
  for (auto& e : computedMysqlConf(c)) {
    user.push_back(std::move(e));
  }
  s.setSorted(std::move(user));
  return s.render() + "!includedir /etc/mysql/conf.d\n";
}

std::string preShutdownScript(const std::string& client) {
  std::string script = R"SH(#!/bin/bash
# Runs as the mysql container's preStop hook. A writable master that has replicas must hand its
# role to a replica before the server stops, so that no write is lost and no client waits for
# failure detection. The operator's failover engine switches over as soon as it sees this pod's
# deletionTimestamp (README of plugins/orchestrator, "Planned switchover"); orchestrator's route is
# also asked when ORCH_HTTP_API is set (best effort: pods may not reach the operator). Then this
# script waits until this node is a read-only replica (switched over), polling every 0.2 s until DEADLINE
# seconds after it started (under the pod's 30 s grace), so that mysqld is not stopped while it is
# still the master.
set -e
DEADLINE="${PRE_SHUTDOWN_WAIT_SECONDS:-25}"
START="${PRE_SHUTDOWN_START_SECONDS:-8}"

client() { @CLIENT@ --defaults-file=/etc/mysql/client.conf -NB "$@"; }

read_only="$(client -e 'SELECT @@read_only')"
replica_status="$(client -e 'SHOW SLAVE STATUS\G')"
# The replicas connected now: their binlog dump threads (PROCESS, which the operator user has;
# SHOW SLAVE HOSTS needs REPLICATION MASTER ADMIN on MariaDB, and bitpoke's count of its
# `Server_id` lines with -N, which prints no column names, was always 0).
replica_hosts="$(client -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")"

if [ "$read_only" != "0" ] || [ -n "$replica_status" ] || [ "${replica_hosts:-0}" -lt 1 ]; then
  exit 0
fi

if [ -n "${ORCH_HTTP_API:-}" ]; then
  master="$(curl -sf --max-time 5 "${ORCH_HTTP_API}/master/${ORCH_CLUSTER_ALIAS}" |
    sed -n 's/.*"Hostname" *: *"\([^"]*\)".*/\1/p' | head -n1 || true)"
  if [ "$master" = "$MY_FQDN" ]; then
    curl -sf --max-time 20 "${ORCH_HTTP_API}/graceful-master-takeover-auto/${ORCH_CLUSTER_ALIAS}" || true
  fi
fi

# Switched over = read-only AND replicating: read_only=1 alone is the first step of a switchover
# (the fence), which may still roll back, and the old master is made a replica of its successor
# last: stopping it before would leave it without replication when it starts again.
# The operator starts a switchover (fences this node: read_only=1) about a second after the pod's
# deletion; a node still writable after START seconds will not be handed over (no replica can take
# over, e.g. every pod deleted at once, or the operator is not there): it stops rather than
# outlive its replicas. A fenced node is in the middle of a switchover: it waits until DEADLINE.
while [ "$SECONDS" -lt "$DEADLINE" ]; do
  ro="$(client -e 'SELECT @@read_only' 2>/dev/null || true)"
  if [ "$ro" = "1" ] && [ -n "$(client -e 'SHOW SLAVE STATUS' 2>/dev/null || true)" ]; then
    echo "switched over: this node is a read-only replica"
    exit 0
  fi
  if [ "$ro" = "0" ] && [ "$SECONDS" -ge "$START" ]; then
    echo "not switched over within ${START} s: stopping anyway" >&2
    exit 0
  fi
  sleep 0.2
done
echo "still the master after ${DEADLINE} s: stopping anyway" >&2
)SH";
  script.replace(script.find("@CLIENT@"), 8, client);
  return script;
}

}  // namespace mysqlop::cluster
