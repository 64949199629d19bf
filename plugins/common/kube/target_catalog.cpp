#include "plugins/common/kube/target_catalog.h"

namespace mysqlop::kube {

std::string backupTargetCatalog(const mysqlop::Host& host, mysqlop::Call& call) {
  const auto* table = static_cast<const mysqlop_host_backup_target_catalog_v1*>(
      host.hostInterface(MYSQLOP_HOST_BACKUP_TARGET_CATALOG_V1, 1));
  if (!table || !call.raw()) {
    return "";
  }
  mysqlop_type_buffer out{};
  if (table->describe(call.raw(), &out) != mysqlop_status_Ok) {
    return "";
  }
  std::string json(out.data.ptr ? out.data.ptr : "", out.data.ptr ? out.data.len : 0);
  if (out.handle) {
    call.host()->release(call.raw(), out.handle);
  }
  return json;
}

}  // namespace mysqlop::kube
