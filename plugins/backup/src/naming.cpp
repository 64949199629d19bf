#include "plugins/backup/src/naming.h"

#include <cstdio>

namespace mysqlop::backup {
namespace {

std::string truncatedJobName(const std::string& backup, std::size_t limit,
                             const std::string& suffix) {
  if (backup.size() < limit) {
    return backup + "-" + suffix;
  }
  return backup.substr(0, 44) + "-" + fnv32aHex(backup) + "-" + suffix;
}

}  // namespace

std::string fnv32aHex(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

std::string backupJobName(const std::string& backup) {
  return truncatedJobName(backup, 56, "backup");
}

std::string cleanupJobName(const std::string& backup) {
  return truncatedJobName(backup, 55, "cleanup");
}

std::string autoBackupName(const std::string& cluster, std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dt%H-%M-%S", &tm);
  return cluster + "-auto-" + buf;
}

std::string operatedSecretName(const std::string& cluster) { return cluster + "-mysql-operated"; }

std::string statefulSetName(const std::string& cluster) { return cluster + "-mysql"; }

}  // namespace mysqlop::backup
