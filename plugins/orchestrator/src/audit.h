#pragma once

// The audit store of the failover engine (README.md, "Audit and routes"): every detection and
// recovery with its timeline, acks, and node state changes, in one SQLite file (Poco Data) so
// that they survive a restart of the operator. Thread-safe: one session behind a mutex (a few
// writes per recovery, reads per HTTP request). No exception leaves this API: writes return ""
// or the error, reads an AuditRead with the error; the engine logs an audit failure and goes on,
// because an audit that cannot be written must never stop a recovery.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Poco::Data {  // NOLINT(readability-identifier-naming): Poco's name, not ours
class Session;
}  // namespace Poco::Data

namespace mysqlop::orchestrator {

using UnixMs = std::int64_t;  // milliseconds since the epoch, UTC
UnixMs nowUnixMs();
// RFC 3339 in UTC with milliseconds: 2026-12-03T08:21:15.123Z.
std::string formatUnixMs(UnixMs t);

inline constexpr const char* kStepOk = "ok";
inline constexpr const char* kStepFailed = "failed";
inline constexpr const char* kStepSkipped = "skipped";
inline constexpr const char* kRecoveryRunning = "running";
inline constexpr const char* kRecoverySuccess = "success";
inline constexpr const char* kRecoveryFailure = "failure";

struct RecoveryStep {
  std::string name;  // "wait for the relay log of c-mysql-1", "set read_only=0 on ..."
  UnixMs startedAt = 0;
  UnixMs endedAt = 0;
  std::string result;  // kStepOk, kStepFailed, kStepSkipped
  std::string message;
};

struct RecoveryBegin {
  std::string cluster;     // "ns/name" (standalone: the static cluster's name)
  std::string analysis;    // DeadMaster, DeadMasterAndSomeReplicas, ...
  std::string failedHost;  // the old master
  std::vector<std::string> lostReplicas;
  UnixMs detectedAt = 0;  // 0: now
  UnixMs startedAt = 0;   // 0: now
  // The recovery's id in its cluster (the Lease's, README "PendingFailoverAck") and its uid;
  // 0 and "" (a new uid) for a recovery without one (the standalone engine, a switchover).
  std::int64_t clusterId = 0;
  std::string uid{};  // (initialized: aggregate inits without it stay warning-free)
};

struct Recovery {
  std::int64_t id = 0;
  std::string uid{};  // (initialized: aggregate inits without it stay warning-free)
  std::string cluster;
  std::string analysis;
  std::string failedHost;
  std::string successorHost;
  std::vector<std::string> lostReplicas;
  UnixMs detectedAt = 0;
  UnixMs startedAt = 0;
  UnixMs endedAt = 0;  // 0 while running
  std::string result;  // kRecoveryRunning, kRecoverySuccess, kRecoveryFailure
  std::string message;
  bool acknowledged = false;
  UnixMs acknowledgedAt = 0;
  std::string acknowledgedBy;
  std::string ackComment;
  std::int64_t clusterId = 0;  // the id in its cluster (what the user acks); 0: none
  std::vector<RecoveryStep> steps;
};

struct Detection {
  std::int64_t id = 0;
  std::string cluster;
  std::string analysis;
  std::string failedHost;
  std::string description;
  UnixMs at = 0;                // 0: now
  std::int64_t recoveryId = 0;  // 0: no recovery followed (blocked, read-only, no failover)
};

struct NodeChange {
  std::int64_t id = 0;
  std::string cluster;
  std::string host;
  std::string fromState;  // "" for a node seen for the first time
  std::string toState;
  std::string error;
  UnixMs at = 0;  // 0: now
};

struct RecoveryQuery {
  std::string cluster;  // "" for every cluster
  int limit = 50;
};

// A read's value, or why it failed (error non-empty).
template <class T>
struct AuditRead {
  T value{};
  std::string error;
  bool ok() const { return error.empty(); }
};

struct AuditOptions {
  std::string path;
  int retentionDays = 7;  // orchestrator's AuditPurgeDays
};

class AuditStore {
 public:
  // Opens (creating when missing) the store. Errors: "cannot open the audit store <path>: <why>"
  // where why is "directory <d> does not exist", "<d> is not a directory", "<path> is a
  // directory", or SQLite's reason (a file that is not a database: "file is not a database").
  static AuditRead<std::unique_ptr<AuditStore>> open(const AuditOptions& options);
  ~AuditStore();
  AuditStore(const AuditStore&) = delete;
  AuditStore& operator=(const AuditStore&) = delete;

  const std::string& path() const { return options_.path; }

  // A new running recovery; its id. Errors: "a recovery needs a cluster", "a recovery needs an
  // analysis".
  AuditRead<std::int64_t> beginRecovery(const RecoveryBegin& begin);
  // Appends a step. Errors: "no recovery <id>", "recovery <id> has already ended", "a step needs
  // a name", "a step's result must be ok, failed or skipped (got \"<r>\")".
  [[nodiscard]] std::string addStep(std::int64_t id, const RecoveryStep& step);
  // Ends a running recovery. Errors: "no recovery <id>", "recovery <id> has already ended".
  [[nodiscard]] std::string endRecovery(std::int64_t id, bool success,
                                        const std::string& successorHost,
                                        const std::vector<std::string>& lostReplicas,
                                        const std::string& message, UnixMs at = 0);
  // Acknowledges an ended recovery. Errors: "no recovery <id>", "recovery <id> is still
  // running", "recovery <id> is already acknowledged".
  [[nodiscard]] std::string acknowledge(std::int64_t id, const std::string& by,
                                        const std::string& comment, UnixMs at = 0);
  // Acknowledges every ended, not yet acknowledged row of a cluster's recovery by its uid (the
  // ack of PendingFailoverAck); how many rows it marked (0: none, e.g. recorded by another
  // process's store, or acknowledged already).
  AuditRead<int> acknowledgeUid(const std::string& cluster, const std::string& uid,
                                const std::string& by, const std::string& comment, UnixMs at = 0);
  // Errors: "a detection needs a cluster", "a detection needs an analysis".
  AuditRead<std::int64_t> recordDetection(const Detection& detection);
  // Errors: "a node change needs a cluster and a host".
  [[nodiscard]] std::string recordNodeChange(const NodeChange& change);

  // Newest first (by id), with their steps.
  AuditRead<std::vector<Recovery>> recentRecoveries(const RecoveryQuery& query) const;
  AuditRead<Recovery> recovery(std::int64_t id) const;  // error "no recovery <id>"
  // Ended, not acknowledged recoveries of a cluster, oldest first (what the ack goes through).
  AuditRead<std::vector<Recovery>> unacknowledged(const std::string& cluster) const;
  AuditRead<std::vector<Detection>> recentDetections(const std::string& cluster, int limit) const;
  AuditRead<std::vector<NodeChange>> recentNodeChanges(const std::string& cluster, int limit) const;

  // Deletes what is older than the retention (now - retentionDays), but never a running or
  // unacknowledged recovery. Runs at open and then at most hourly from the writes.
  [[nodiscard]] std::string purge(UnixMs at);

 private:
  explicit AuditStore(AuditOptions options);
  std::string purgeLocked(UnixMs at);
  void maybePurgeLocked(UnixMs at);
  AuditRead<std::vector<Recovery>> recoveriesLocked(const std::string& where,
                                                    const std::vector<std::string>& args,
                                                    int limit) const;
  // Runs fn in a transaction; returns "" or the error (rolled back).
  template <class Fn>
  std::string write(const char* doing, Fn&& fn);

  AuditOptions options_;
  mutable std::mutex mu_;
  std::unique_ptr<Poco::Data::Session> session_;
  UnixMs lastPurge_ = 0;
};

}  // namespace mysqlop::orchestrator
