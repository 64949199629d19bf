#include "core/host/backup_targets.h"

#include <algorithm>

namespace mysqlop::host {

bool BackupTargets::add(const std::string& plugin, const mysqlop_backup_target_v1* table,
                        mysqlop_instance_plugin_ptr instance, std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  bool all = true;
  for (std::size_t i = 0; i < table->scheme_count; ++i) {
    const mysqlop_type_str s = table->schemes[i];
    const std::string scheme(s.ptr ? s.ptr : "", s.len);
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.scheme == scheme; });
    if (it != entries_.end()) {
      if (error) {
        *error = "scheme \"" + scheme + "\" of plugin \"" + plugin +
                 "\" is already served by plugin \"" + it->target.plugin + "\"";
      }
      all = false;
      continue;
    }
    entries_.push_back({scheme, Target{plugin, table, instance}});
  }
  return all;
}

void BackupTargets::remove(mysqlop_instance_plugin_ptr instance) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(entries_, [&](const Entry& e) { return e.target.instance == instance; });
}

std::optional<BackupTargets::Target> BackupTargets::find(std::string_view scheme) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& e : entries_) {
    if (e.scheme == scheme) {
      return e.target;
    }
  }
  return std::nullopt;
}

mysqlop_type_status BackupTargets::find(std::string_view scheme,
                                        const mysqlop_backup_target_v1** table,
                                        mysqlop_instance_plugin_ptr* instance) const {
  auto t = find(scheme);
  if (!t) {
    return mysqlop_status_NotFound;
  }
  *table = t->table;
  *instance = t->instance;
  return mysqlop_status_Ok;
}

std::vector<std::string> BackupTargets::schemes() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& e : entries_) {
    out.push_back(e.scheme);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace mysqlop::host
