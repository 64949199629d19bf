#pragma once
// What /proc says about a process: its start time identifies it across pid reuse.
// Internal to local_node.

#include <cstdint>
#include <optional>
#include <string>

namespace mysqlop::local::node {

// Field 22 of /proc/<pid>/stat (clock ticks after boot); nullopt when there is no such process.
std::optional<uint64_t> processStartTime(int pid);
// True when pid does not exist or is a zombie (dead, waiting to be reaped).
bool processGone(int pid);
// "<pid> <start>" pairs of a process record: "123 456 124 457".
std::string processDetail(int pid, uint64_t start);

}  // namespace mysqlop::local::node
