// The plugin host refuses each broken fixture with a named reason and an exact message, counts it
// in mysqlop_plugin_load_errors_total{plugin,reason}, and keeps running with the others.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/host/host_fixture.h"

namespace mysqlop::testing {
namespace {

using ::testing::HasSubstr;

struct Refusal {
  const char* fixture;
  const char* reason;
  std::string message;
};

std::string abi() {
  return std::to_string(MYSQLOP_ABI_MAJOR) + "." + std::to_string(MYSQLOP_ABI_MINOR);
}

std::vector<Refusal> refusals() {
  return {
      {"no_entry", "no_entry_symbol",
       "plugin \"no_entry\": " + fixturePath("no_entry") +
           " does not export mysqlop_plugin_entry_v1 (not a mysqlop plugin, or built for another "
           "ABI major)"},
      {"bad_magic", "bad_magic",
       "plugin \"bad_magic\": bad magic 0xDEADBEEF in its descriptor (expected 0x4D59504C)"},
      {"pointer_size", "pointer_size_mismatch",
       "plugin \"pointer_size\": built with 4-byte pointers, host uses 8-byte pointers"},
      {"struct_too_small", "struct_too_small",
       "plugin \"struct_too_small\": descriptor is 24 bytes, smaller than the ABI 1.0 descriptor "
       "(" +
           std::to_string(host::kMinDescriptorSize) + " bytes)"},
      {"major_mismatch", "major_mismatch",
       "plugin \"major_mismatch\" built for ABI 2.0, host supports " + abi() +
           " (major versions differ)"},
      {"minor_too_new", "minor_too_new",
       "plugin \"minor_too_new\" built for ABI 1." + std::to_string(MYSQLOP_ABI_MINOR + 4) +
           ", host supports " + abi()},
      {"create_fails", "create_failed",
       "plugin \"create_fails\": create failed (InvalidConfig): config.dsn: the fixture refuses "
       "every configuration"},
      {"entry_null", "bad_magic", "plugin \"entry_null\": mysqlop_plugin_entry_v1 returned NULL"},
      {"bad_name", "bad_descriptor",
       "plugin \"bad_name\": descriptor name \"Bad_Name\" is not lower-case letters, digits and "
       "'-' (at most 63)"},
      {"unknown_kind", "bad_descriptor", "plugin \"unknown_kind\": unknown plugin kind 0"},
      {"no_create", "bad_descriptor",
       "plugin \"no_create\": descriptor lacks the create or destroy hook"},
      {"no_destroy", "bad_descriptor",
       "plugin \"no_destroy\": descriptor lacks the create or destroy hook"},
      {"no_reconcile", "bad_descriptor",
       "plugin \"no_reconcile\": descriptor names a primary resource but has no reconcile hook"},
      {"no_map_watched", "bad_descriptor",
       "plugin \"no_map_watched\": descriptor lists watched resources but has no map_watched "
       "hook"},
      {"null_owned", "bad_descriptor", "plugin \"null_owned\": descriptor resource list is NULL"},
      {"service_no_start", "bad_descriptor",
       "plugin \"service_no_start\": a service plugin needs start and stop hooks"},
      {"owned_no_primary", "bad_descriptor",
       "plugin \"owned_no_primary\": owned or watched resources need a primary resource"},
      {"create_throws", "create_failed",
       "plugin \"create_throws\": create failed (Internal): exception escaped create: the fixture "
       "throws in create"},
      {"create_throws_int", "create_failed",
       "plugin \"create_throws_int\": create failed (Internal): exception escaped create"},
      {"no_interface", "missing_interface",
       "plugin \"no_interface\": a backup-target plugin must return a complete "
       "mysqlop.backup_target/1 table with at least one scheme"},
      {"no_schemes", "missing_interface",
       "plugin \"no_schemes\": a backup-target plugin must return a complete "
       "mysqlop.backup_target/1 table with at least one scheme"},
  };
}

TEST(PluginLoader, EachBrokenFixtureGetsItsNamedRefusal) {
  for (const Refusal& r : refusals()) {
    SCOPED_TRACE(r.fixture);
    HostFixture h;
    h.load({entry(r.fixture, fixturePath(r.fixture)), entry("good", fixturePath("good"))});
    const host::Plugin* p = h.manager->plugins().at(0).get();
    EXPECT_FALSE(p->created);
    EXPECT_EQ(p->loadError.reason, r.reason);
    EXPECT_EQ(p->loadError.message, r.message);
    EXPECT_EQ(h.counter("mysqlop_plugin_load_errors_total", {r.fixture, r.reason}), 1);
    // The host keeps running with the others, but is not ready.
    EXPECT_TRUE(h.manager->find("good")->created);
    EXPECT_FALSE(h.manager->ready());
    EXPECT_EQ(h.manager->readinessReport(),
              std::string("plugin ") + r.fixture + ": not loaded: " + r.reason + "\n");
  }
}

// /readyz answers while the plugins load (the HTTP servers start first).
TEST(PluginLoader, NotReadyWhileLoading) {
  HostFixture h;
  EXPECT_FALSE(h.manager->ready());
  EXPECT_EQ(h.manager->readinessReport(), "plugins are loading\n");
  h.load({});
  EXPECT_TRUE(h.manager->ready());
  EXPECT_EQ(h.manager->readinessReport(), "");
}

TEST(PluginLoader, GoodFixtureLoadsAndIsReady) {
  HostFixture h;
  h.load({entry("good", fixturePath("good"))});
  const host::Plugin* p = h.manager->find("good");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->loaded);
  EXPECT_TRUE(p->created);
  EXPECT_TRUE(h.manager->ready());
  EXPECT_EQ(h.manager->readinessReport(), "");
  EXPECT_THAT(h.registry.render(),
              HasSubstr("mysqlop_plugin_info{plugin=\"good\",version=\"1.0.0\",kind=\"reconciler\","
                        "abi=\"" +
                        abi() + "\"} 1\n"));
}

TEST(PluginLoader, FileThatIsNotASharedObjectIsRefusedAsOpenFailed) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("mysqlop-not-elf-" + std::to_string(::getpid()) + ".so");
  std::ofstream(path) << std::string(256, 'x');
  HostFixture h;
  h.load({entry("garbage", path.string())});
  const host::Plugin* p = h.manager->plugins().at(0).get();
  EXPECT_EQ(p->loadError.reason, "open_failed");
  EXPECT_EQ(p->loadError.message,
            "plugin \"garbage\": cannot load " + path.string() + ": invalid ELF header");
  std::filesystem::remove(path);
}

TEST(PluginLoader, SecondPluginWithTheSameNameIsRefused) {
  HostFixture h;
  h.load({entry("good", fixturePath("good")), entry("twin", fixturePath("good_twin"))});
  const host::Plugin* twin = h.manager->plugins().at(1).get();
  EXPECT_EQ(twin->loadError.reason, "duplicate_name");
  EXPECT_EQ(twin->loadError.message,
            "plugin \"twin\": name \"good\" is already used by the plugin "
            "loaded from " +
                fixturePath("good"));
  EXPECT_EQ(h.counter("mysqlop_plugin_load_errors_total", {"twin", "duplicate_name"}), 1);
}

TEST(PluginLoader, DisabledEntryIsNotLoadedAndDoesNotAffectReadiness) {
  HostFixture h;
  auto disabled = entry("bad_magic", fixturePath("bad_magic"));
  disabled.enabled = false;
  h.load({disabled, entry("good", fixturePath("good"))});
  EXPECT_EQ(h.manager->plugins().size(), 1U);
  EXPECT_TRUE(h.manager->ready());
}

TEST(PluginLoader, EntryNameDifferentFromDescriptorNameUsesTheDescriptorName) {
  HostFixture h;
  h.load({entry("my-widgets", fixturePath("good"))});
  EXPECT_NE(h.manager->find("good"), nullptr);
  EXPECT_EQ(h.manager->find("my-widgets"), nullptr);
}

}  // namespace
}  // namespace mysqlop::testing
