// StandaloneHost: the operator's checks without the operator, and the host table a tool's plugins
// see (no Kubernetes, the backup-target lookup through the plugin's handle).
#include "core/host/standalone_host.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/host/abi_string.h"

namespace mysqlop::testing {
namespace {

std::string fixture(const std::string& name) {
  return std::string(MYSQLOP_BINARY_DIR) + "/tests/fixtures/" + name + ".so";
}

mysqlop_type_str s(std::string_view v) { return {v.data(), v.size()}; }

TEST(StandaloneHost, RefusesWhatTheOperatorRefusesWithTheSameMessage) {
  struct Case {
    std::string fixture;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no_entry", "plugin \"no_entry\": " + fixture("no_entry") +
                       " does not export mysqlop_plugin_entry_v1 (not a mysqlop plugin, or built "
                       "for another ABI major)"},
      {"major_mismatch",
       "plugin \"major_mismatch\" built for ABI 2.0, host supports 1.2 (major versions differ)"},
      {"create_fails", "plugin \"create_fails\": " + fixture("create_fails") +
                           " is not a backup-target plugin (kind 1)"},
      {"good", "plugin \"good\": " + fixture("good") + " is not a backup-target plugin (kind 1)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fixture);
    host::StandaloneHost h;
    auto r = h.loadBackupTarget(fixture(c.fixture));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), Errc::Invalid);
    EXPECT_EQ(r.error().message, c.message);
    EXPECT_TRUE(h.plugins().empty());
  }
}

TEST(StandaloneHost, ACreateFailureCarriesTheStatusAndThePluginsMessage) {
  host::StandaloneHost h;
  auto r = h.loadBackupTarget(FILE_TARGET_PATH, R"({"fsync":"yes"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "plugin \"mysqlop_target_file\": create failed (InvalidConfig): config.fsync: "
            "expected true or false");
  EXPECT_FALSE(h.backupTargets().find("file"));
}

TEST(StandaloneHost, LoadsATargetAndServesItsSchemeThroughThePluginsHandle) {
  host::StandaloneHost h;
  auto r = h.loadBackupTarget(FILE_TARGET_PATH);
  ASSERT_TRUE(r.ok()) << r.error().message;
  host::StandalonePlugin& p = **r;
  EXPECT_EQ(p.name, "file");
  ASSERT_NE(p.target, nullptr);
  EXPECT_EQ(h.backupTargets().schemes(), std::vector<std::string>{"file"});

  const mysqlop_host_v1* table = host::StandaloneHost::table();
  const auto* v2 = static_cast<const mysqlop_host_backup_targets_v2*>(
      table->host_get_interface_for(p.handle(), s(MYSQLOP_HOST_BACKUP_TARGETS_V2), 2));
  ASSERT_NE(v2, nullptr);
  const mysqlop_backup_target_v1* found = nullptr;
  mysqlop_instance_plugin_ptr instance = nullptr;
  EXPECT_EQ(v2->find(p.handle(), s("file"), &found, &instance), mysqlop_status_Ok);
  EXPECT_EQ(found, p.target);
  EXPECT_EQ(instance, p.instance);
  EXPECT_EQ(v2->find(p.handle(), s("s3"), &found, &instance), mysqlop_status_NotFound);
  // ABI 1.0's handle-less lookup has no process-wide host to answer for here.
  EXPECT_EQ(table->host_get_interface(s(MYSQLOP_HOST_BACKUP_TARGETS_V1), 1), nullptr);
}

TEST(StandaloneHost, ASecondTargetOfTheSameSchemeIsRefusedAndDestroyed) {
  host::StandaloneHost h;
  ASSERT_TRUE(h.loadBackupTarget(FILE_TARGET_PATH).ok());
  auto second = h.loadBackupTarget(FILE_TARGET_PATH);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message,
            "scheme \"file\" of plugin \"file\" is already served by plugin "
            "\"file\"");
  EXPECT_EQ(h.plugins().size(), 1U);
  EXPECT_TRUE(h.backupTargets().find("file"));
}

TEST(StandaloneHost, KubernetesCallbacksAnswerUnavailableAndNameWhy) {
  host::StandaloneHost h;
  auto r = h.loadBackupTarget(FILE_TARGET_PATH);
  ASSERT_TRUE(r.ok());
  const mysqlop_host_v1* table = host::StandaloneHost::table();
  host::StandaloneCall call(*r);
  mysqlop_type_buffer out{};
  EXPECT_EQ(table->read_secret_value(call.ptr(), s("ns"), s("secret"), s("key"), &out),
            mysqlop_status_Unavailable);
  EXPECT_EQ(host::view(table->last_error(call.ptr())),
            "Kubernetes access is not configured in this host");
  EXPECT_EQ(out.handle, nullptr);
  // Contexts for a plugin's own threads work while it is created.
  mysqlop_call_host_ptr own = table->call_begin((*r)->handle());
  ASSERT_NE(own, nullptr);
  table->set_error(own, s("kept"));
  table->call_end(own);
}

}  // namespace
}  // namespace mysqlop::testing
