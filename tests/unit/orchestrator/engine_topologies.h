#pragma once

// Recorded topologies for the failover engine's decision tests: three MariaDB nodes as the
// failover bench runs them (127.0.33.1..3:3306, server ids 1..3, GTID domain 0), in the states
// the probes of gather.cpp saw during the bench's scenarios.

#include <string>

#include "plugins/orchestrator/src/analysis.h"

namespace mysqlop::orchestrator::testdata {

inline const std::string kN1 = "127.0.33.1:3306";
inline const std::string kN2 = "127.0.33.2:3306";
inline const std::string kN3 = "127.0.33.3:3306";

// A master that answers, writable, no replication source.
inline NodeView master(const std::string& id, const std::string& serverId, const std::string& pos) {
  NodeView n;
  n.id = id;
  n.answering = true;
  n.seen.reachable = true;
  n.seen.serverId = serverId;
  n.seen.gtidExecuted = pos;
  n.seen.gtidBinlogPos = pos;
  return n;
}

// A healthy replica of `source`, having received `received` and applied `applied`.
inline NodeView replica(const std::string& id, const std::string& serverId,
                        const std::string& source, const std::string& received,
                        const std::string& applied) {
  NodeView n;
  n.id = id;
  n.answering = true;
  n.seen.reachable = true;
  n.seen.readOnly = true;
  n.seen.serverId = serverId;
  n.seen.hasSlaveStatus = true;
  n.seen.slaveIoRunning = true;
  n.seen.slaveSqlRunning = true;
  n.seen.masterHost = source.substr(0, source.find(':'));
  n.seen.masterPort = std::stoi(source.substr(source.find(':') + 1));
  n.seen.gtidIoPos = received;
  n.seen.gtidExecuted = applied;
  n.seen.gtidSlavePos = applied;
  n.seen.gtidBinlogPos = applied;
  n.sinceHeardSeconds = 0.05;
  return n;
}

// The node stops answering: killed (refused) or hung (silent), `seconds` ago.
inline NodeView gone(NodeView n, bool refused, double seconds) {
  n.answering = false;
  n.refused = refused;
  n.silentSeconds = seconds;
  n.lastError = refused ? "Can't connect to server on '127.0.33.1' (111)"
                        : "Lost connection to server during query";
  return n;
}

// The replica's IO thread lost its master (after a kill: reconnecting, with an error).
inline NodeView ioLost(NodeView n) {
  n.seen.slaveIoRunning = false;
  n.seen.lastIoError = "error reconnecting to master 'repl@127.0.33.1:3306' - retry-time: 1";
  return n;
}

// The replica's IO thread still says Yes but it has received nothing for `seconds` (a hung
// master: no event, no heartbeat).
inline NodeView nothingHeard(NodeView n, double seconds) {
  n.sinceHeardSeconds = seconds;
  return n;
}

inline ClusterView cluster(std::vector<NodeView> nodes) {
  ClusterView c;
  c.name = "bench";
  c.nodes = std::move(nodes);
  return c;
}

}  // namespace mysqlop::orchestrator::testdata
