#pragma once

// The failover engine's memory of one Kubernetes cluster that must survive a leader change or an
// operator restart (README "Engine state and leader takeover"): the recovery in progress, the old
// masters still to fence, the kept-out nodes, the end of the block period, the recent recoveries
// and their ack. Pure data and its JSON; the Lease that holds it is failover_lease.h.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mysqlop::orchestrator {

// detected: FailoverInProgress published, no server touched yet; promoting: the candidate is
// chosen and is being detached/made writable; repointing: the candidate is the master, the
// others are being moved under it; done: nothing left to do.
enum class RecoveryPhase { Detected, Promoting, Repointing, Done };

const char* phaseName(RecoveryPhase p);

struct PersistedRecovery {
  std::int64_t id = 0;
  std::string uid;
  RecoveryPhase phase = RecoveryPhase::Detected;
  std::string analysis;    // DeadMaster, ...
  std::string oldMaster;   // "host:port"
  std::string candidate;   // "host:port", "" in phase detected
  std::string promotedAt;  // the candidate's received GTID position (what it applies first)
  std::int64_t startedAtMs = 0;

  bool operator==(const PersistedRecovery&) const = default;
};

struct Succession {
  std::string newMaster;   // "host:port"
  std::string promotedAt;  // the successor's received GTID position at its promotion

  bool operator==(const Succession&) const = default;
};

struct RecentRecovery {
  std::int64_t id = 0;
  std::string uid;
  bool success = false;
  std::int64_t startedAtMs = 0;
  bool acked = false;
  std::int64_t ackedAtMs = 0;
  std::string ackedBy;  // "auto: <comment>" (Ready long enough) or who called the ack route

  bool operator==(const RecentRecovery&) const = default;
};

struct FailoverState {
  std::optional<PersistedRecovery> inProgress;
  std::map<std::string, Succession> demoted;  // old master host -> its successor
  std::set<std::string> keptOut;              // old masters with errant transactions (hosts)
  std::int64_t blockedUntilMs = 0;            // wall clock; 0: not blocked
  std::string master;                         // the master host the engine knows last
  std::vector<RecentRecovery> recent;         // oldest first, at most kRecentRecoveries
  std::int64_t nextId = 1;

  bool operator==(const FailoverState&) const = default;
};

inline constexpr std::size_t kRecentRecoveries = 20;

// Appends a recovery to `recent`, dropping the oldest acked ones beyond kRecentRecoveries (an
// unacked one is never dropped: the ack needs it).
void rememberRecovery(FailoverState& s, RecentRecovery r);

std::string encodeState(const FailoverState& s);

// Decodes the annotation. On bad input returns nullopt and sets *error to one line:
// "the failover state is not JSON: <parser's reason>", "the failover state is not a JSON
// object", "the failover state has version <v>, this operator reads 1",
// "the failover state field <f> <what is wrong>".
std::optional<FailoverState> decodeState(const std::string& text, std::string* error);

}  // namespace mysqlop::orchestrator
