#include "core/host/host_interfaces.h"

#include <utility>

namespace mysqlop::host {

void HostInterfaces::add(std::string id, std::uint32_t version, const void* table) {
  for (const Entry& e : entries_) {
    if (e.id == id) {
      return;
    }
  }
  entries_.push_back(Entry{std::move(id), version, table});
}

const void* HostInterfaces::find(std::string_view id, std::uint32_t minVersion) const {
  for (const Entry& e : entries_) {
    if (e.id == id) {
      return e.version >= minVersion ? e.table : nullptr;
    }
  }
  return nullptr;
}

}  // namespace mysqlop::host
