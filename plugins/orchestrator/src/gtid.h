#pragma once

// MariaDB GTID positions ("0-1-100,1-2-7": domain-server-seq, one entry per domain) and the two
// questions recovery asks of them: has A every transaction B has (per domain, seq compared), and
// did a replica write transactions of its own (errant GTIDs). Pure, no I/O.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mysqlop::orchestrator {

struct GtidEntry {
  std::uint64_t server = 0;
  std::uint64_t seq = 0;
  bool operator==(const GtidEntry& o) const { return server == o.server && seq == o.seq; }
};

// Domain -> its newest GTID.
using GtidPos = std::map<std::uint32_t, GtidEntry>;

// "" is the empty position. nullopt for anything that is not a comma-separated list of
// domain-server-seq (whitespace around entries allowed, as MariaDB prints newlines in long lists).
std::optional<GtidPos> parseGtidPos(std::string_view text);

// "0-1-100,1-2-7" (domains in order).
std::string formatGtidPos(const GtidPos& pos);

// True when a has, in every domain of b, a sequence number at least b's (a contains b).
bool gtidContains(const GtidPos& a, const GtidPos& b);

// The domains of a replica's binlog whose newest transaction it wrote itself (server id = its
// own) and did not receive through replication (it differs from its gtid_slave_pos there), as
// "domain-server-seq" entries joined by ','; "" when none.
std::string errantGtids(const GtidPos& binlogPos, const GtidPos& slavePos,
                        std::uint64_t ownServerId);

// The entries of pos that base does not have exactly (domain missing, or another server or seq
// there), formatted; "" when pos is base or a part of it with the same newest GTIDs. An old
// master whose binlog has nothing beyond the position its successor was promoted at rejoins.
std::string gtidBeyond(const GtidPos& pos, const GtidPos& base);

// What a returned old master's binlog has that its successor lacks, when the old master may
// have replicated from the successor since (node init joined it): per domain, its newest GTID is
// the successor's, or one the successor wrote itself earlier (same server as the successor's
// newest, a lower or equal seq: the old master lags behind it), or inside the promotion position
// (same server, seq at most). Anything else (a transaction the old master wrote after the
// promotion) is returned, formatted; "" when nothing. A lagging old master is not errant.
std::string gtidNotInSuccessor(const GtidPos& pos, const GtidPos& successor,
                               const GtidPos& promotedAt);

}  // namespace mysqlop::orchestrator
