#include "plugins/orchestrator/src/gtid.h"

#include <charconv>

namespace mysqlop::orchestrator {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

template <typename T>
bool gtidNumber(std::string_view s, T& out) {
  if (s.empty()) {
    return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::optional<GtidPos> parseGtidPos(std::string_view text) {
  GtidPos pos;
  text = trimmed(text);
  if (text.empty()) {
    return pos;
  }
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view entry = trimmed(text.substr(0, comma));
    const std::size_t d1 = entry.find('-');
    const std::size_t d2 = d1 == std::string_view::npos ? d1 : entry.find('-', d1 + 1);
    if (d2 == std::string_view::npos) {
      return std::nullopt;
    }
    std::uint32_t domain = 0;
    GtidEntry e;
    if (!gtidNumber(entry.substr(0, d1), domain) ||
        !gtidNumber(entry.substr(d1 + 1, d2 - d1 - 1), e.server) ||
        !gtidNumber(entry.substr(d2 + 1), e.seq) || pos.count(domain) != 0) {
      return std::nullopt;
    }
    pos[domain] = e;
    if (comma == std::string_view::npos) {
      return pos;
    }
    text = text.substr(comma + 1);
  }
}

std::string formatGtidPos(const GtidPos& pos) {
  std::string out;
  for (const auto& [domain, e] : pos) {
    if (!out.empty()) {
      out += ',';
    }
    out += std::to_string(domain) + "-" + std::to_string(e.server) + "-" + std::to_string(e.seq);
  }
  return out;
}

bool gtidContains(const GtidPos& a, const GtidPos& b) {
  for (const auto& [domain, e] : b) {
    auto it = a.find(domain);
    if (it == a.end() || it->second.seq < e.seq) {
      return false;
    }
  }
  return true;
}

std::string errantGtids(const GtidPos& binlogPos, const GtidPos& slavePos,
                        std::uint64_t ownServerId) {
  GtidPos errant;
  for (const auto& [domain, e] : binlogPos) {
    if (e.server != ownServerId) {
      continue;
    }
    auto it = slavePos.find(domain);
    if (it == slavePos.end() || !(it->second == e)) {
      errant[domain] = e;
    }
  }
  return formatGtidPos(errant);
}

std::string gtidBeyond(const GtidPos& pos, const GtidPos& base) {
  GtidPos beyond;
  for (const auto& [domain, e] : pos) {
    auto it = base.find(domain);
    if (it == base.end() || !(it->second == e)) {
      beyond[domain] = e;
    }
  }
  return formatGtidPos(beyond);
}

std::string gtidNotInSuccessor(const GtidPos& pos, const GtidPos& successor,
                               const GtidPos& promotedAt) {
  GtidPos missing;
  for (const auto& [domain, e] : pos) {
    auto theirs = successor.find(domain);
    if (theirs != successor.end() && (theirs->second == e || (theirs->second.server == e.server &&
                                                              e.seq <= theirs->second.seq))) {
      continue;
    }
    auto base = promotedAt.find(domain);
    if (base != promotedAt.end() && base->second.server == e.server && e.seq <= base->second.seq) {
      continue;
    }
    missing[domain] = e;
  }
  return formatGtidPos(missing);
}

}  // namespace mysqlop::orchestrator
