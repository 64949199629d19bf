#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlop::host {

// The host features a plugin can ask for by id (host_get_interface_for, ABI 1.1), each a static
// table with a version. Filled once when the manager is built, read-only afterwards.
class HostInterfaces {
 public:
  // table: OWNERSHIP the caller, static. Adding an id twice keeps the first.
  void add(std::string id, std::uint32_t version, const void* table);
  // The table of id if its version is at least minVersion, else nullptr.
  const void* find(std::string_view id, std::uint32_t minVersion) const;

 private:
  struct Entry {
    std::string id;
    std::uint32_t version = 0;
    const void* table = nullptr;
  };
  std::vector<Entry> entries_;
};

}  // namespace mysqlop::host
