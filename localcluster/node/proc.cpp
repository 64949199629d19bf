#include "localcluster/node/proc.h"

#include <fstream>
#include <sstream>

namespace mysqlop::local::node {

namespace {
// The fields after the command: "(comm)" may hold spaces and parentheses, so parse after the last
// ')'. Returns state (field 3) onwards.
std::optional<std::string> statTail(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (pid <= 0 || !std::getline(in, line)) {
    return std::nullopt;
  }
  const auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 > line.size()) {
    return std::nullopt;
  }
  return line.substr(close + 2);
}
}  // namespace

std::optional<uint64_t> processStartTime(int pid) {
  auto tail = statTail(pid);
  if (!tail) {
    return std::nullopt;
  }
  std::stringstream in(*tail);
  std::string field;
  // The tail starts at field 3; field 22 is the 20th of it.
  for (int i = 3; i <= 22; ++i) {
    if (!(in >> field)) {
      return std::nullopt;
    }
  }
  try {
    return std::stoull(field);
  } catch (...) {
    return std::nullopt;
  }
}

bool processGone(int pid) {
  auto tail = statTail(pid);
  return !tail || tail->empty() || (*tail)[0] == 'Z' || (*tail)[0] == 'X';
}

std::string processDetail(int pid, uint64_t start) {
  return std::to_string(pid) + " " + std::to_string(start);
}

}  // namespace mysqlop::local::node
