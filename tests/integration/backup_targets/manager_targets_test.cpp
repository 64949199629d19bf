// The operator's side of the backup-target lookup: PluginManager owns a BackupTargets, fills it as
// targets are created, empties it before they are destroyed, and both ABI lookups read it.
#include <gtest/gtest.h>

#include "core/host/host_api.h"
#include "core/host/plugin_manager.h"
#include "mysqlop/backup_target.h"
#include "tests/unit/host/host_fixture.h"

namespace mysqlop::testing {
namespace {

mysqlop_type_str s(std::string_view v) { return {v.data(), v.size()}; }

TEST(ManagerTargets, BothLookupsFindACreatedTargetAndNotADestroyedOne) {
  HostFixture h;
  h.load({entry("file", FILE_TARGET_PATH)});
  ASSERT_TRUE(h.manager->ready()) << h.manager->readinessReport();
  const host::Plugin* p = h.manager->find("file");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(h.manager->backupTargets().schemes(), std::vector<std::string>{"file"});

  const auto* v1 = static_cast<const mysqlop_host_backup_targets_v1*>(
      host::hostTable()->host_get_interface(s(MYSQLOP_HOST_BACKUP_TARGETS_V1), 1));
  const auto* v2 =
      static_cast<const mysqlop_host_backup_targets_v2*>(host::hostTable()->host_get_interface_for(
          p->handle.get(), s(MYSQLOP_HOST_BACKUP_TARGETS_V2), 2));
  ASSERT_NE(v1, nullptr);
  ASSERT_NE(v2, nullptr);
  const mysqlop_backup_target_v1* table = nullptr;
  mysqlop_instance_plugin_ptr instance = nullptr;
  ASSERT_EQ(v1->find(s("file"), &table, &instance), mysqlop_status_Ok);
  EXPECT_EQ(table, p->backupTarget);
  EXPECT_EQ(instance, p->instance);
  ASSERT_EQ(v2->find(p->handle.get(), s("file"), &table, &instance), mysqlop_status_Ok);
  EXPECT_EQ(instance, p->instance);

  h.manager->destroyAll();
  // The handle outlives destroy; the lookup no longer hands out the destroyed instance.
  EXPECT_EQ(v2->find(p->handle.get(), s("file"), &table, &instance), mysqlop_status_NotFound);
  EXPECT_TRUE(h.manager->backupTargets().schemes().empty());
}

TEST(ManagerTargets, TheFirstConfiguredTargetOfASchemeKeepsIt) {
  HostFixture h;
  h.load({entry("leaky", LEAKY_TARGET_PATH), entry("leaky-twin", LEAKY_TWIN_PATH)});
  ASSERT_TRUE(h.manager->ready()) << h.manager->readinessReport();  // both are created
  const auto served = h.manager->backupTargets().find("leaky");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->plugin, "leaky");
  EXPECT_EQ(served->instance, h.manager->find("leaky")->instance);
}

}  // namespace
}  // namespace mysqlop::testing
