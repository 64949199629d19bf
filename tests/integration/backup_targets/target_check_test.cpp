// mysqlop-target-check as a user runs it: its answers to wrong arguments and unloadable plugins
// (exit 2, one exact message), and a target that breaks the rules (exit 1, the failing checks
// named). The kit passing on real targets is tested by target_check_example_dir and
// target_check_file (CMakeLists.txt).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "tests/support/process/child_process.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kUsage =
    "usage: mysqlop-target-check PLUGIN.so --url URL [--config JSON] "
    "[--credentials KEY=VALUE ...] [--credentials-env KEY ...] [--bad-credentials KEY=VALUE ...] "
    "[--large-size BYTES] "
    "[--max-rss-growth BYTES] [--writers N]\n";

struct KitRun {
  int code = -1;
  std::string out;
  std::string err;
};

class Kit : public ::testing::Test {
 protected:
  KitRun kit(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), KIT_PATH);
    SpawnSpec spec;
    spec.argv = args;
    spec.env = std::move(env);
    spec.stdoutPath = dir_.file("out");
    spec.stderrPath = dir_.file("err");
    const pid_t pid = spawnProcess(spec);
    KitRun r;
    const auto code = waitForExit(pid, std::chrono::minutes(2));
    r.code = code ? *code : terminateProcess(pid, std::chrono::seconds(1));
    r.out = readFile(dir_.file("out"));
    r.err = readFile(dir_.file("err"));
    return r;
  }
  std::string fixture(const std::string& name) {
    return std::string(MYSQLOP_BINARY_DIR) + "/tests/fixtures/" + name + ".so";
  }
  std::string fileUrl() { return "file://" + dir_.path() + "/backups/"; }

  TempDir dir_;
};

TEST_F(Kit, WithoutAPluginItPrintsTheUsage) {
  const KitRun r = kit({});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, std::string("mysqlop-target-check: no plugin given\n") + kUsage);
}

TEST_F(Kit, HelpPrintsTheUsageAndTheOptionsAndExitsZero) {
  for (const char* flag : {"--help", "-h"}) {
    const KitRun r = kit({FILE_TARGET_PATH, flag});
    EXPECT_EQ(r.code, 0) << flag;
    EXPECT_EQ(r.err, "") << flag;
    EXPECT_THAT(r.out, ::testing::StartsWith(kUsage)) << flag;
    EXPECT_THAT(r.out,
                HasSubstr("\n  --writers N               concurrent writers (at most 64)\n"));
    EXPECT_THAT(r.out, ::testing::EndsWith("F failed,\nS skipped\".\n"));
  }
}

TEST_F(Kit, EachWrongArgumentIsNamed) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{FILE_TARGET_PATH}, "--url is required"},
      {{FILE_TARGET_PATH, "--url", "/tmp/x"}, "--url /tmp/x has no scheme (expected SCHEME://...)"},
      {{FILE_TARGET_PATH, "--url"}, "--url needs a URL"},
      {{FILE_TARGET_PATH, "--url", "file:///x", "--frobnicate"}, "unknown option --frobnicate"},
      {{FILE_TARGET_PATH, "other.so", "--url", "file:///x"},
       "unexpected argument \"other.so\" (one plugin at a time)"},
      {{FILE_TARGET_PATH, "--url", "file:///x", "--large-size", "lots"},
       "--large-size: expected a size in bytes (K, M or G suffix allowed), got \"lots\""},
      {{FILE_TARGET_PATH, "--url", "file:///x", "--large-size", "0"},
       "--large-size: expected a size in bytes (K, M or G suffix allowed), got \"0\""},
      {{FILE_TARGET_PATH, "--url", "file:///x", "--writers", "65"},
       "--writers: at most 64, got 65"},
      {{FILE_TARGET_PATH, "--url", "file:///x", "--credentials"}, "--credentials needs KEY=VALUE"},
      {{FILE_TARGET_PATH, "--url", "file:///x", "--credentials-env", "MYSQLOP_KIT_UNSET_VAR"},
       "--credentials-env MYSQLOP_KIT_UNSET_VAR: the environment has no MYSQLOP_KIT_UNSET_VAR"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    const KitRun r = kit(c.args);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "mysqlop-target-check: " + c.message + "\n" + kUsage);
  }
}

TEST_F(Kit, ACredentialWithoutAKeyIsRefusedWithoutEchoingIt) {
  const KitRun r = kit({FILE_TARGET_PATH, "--url", "file:///x", "--credentials", "s3cr3t-value"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, std::string("mysqlop-target-check: --credentials takes KEY=VALUE; an argument "
                               "has no '=' or no key\n") +
                       kUsage);
  EXPECT_THAT(r.err + r.out, Not(HasSubstr("s3cr3t")));
}

TEST_F(Kit, PluginsTheLoaderRefusesAreNamedWithTheLoadersMessage) {
  const std::string garbage = dir_.write("garbage.so", std::string(256, 'x'));
  KitRun r = kit({garbage, "--url", "file:///x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "mysqlop-target-check: plugin \"garbage\": cannot load " + garbage +
                       ": invalid ELF header\n");

  r = kit({fixture("bad_magic"), "--url", "file:///x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "mysqlop-target-check: plugin \"bad_magic\": bad magic 0xDEADBEEF in its descriptor "
            "(expected 0x4D59504C)\n");

  r = kit({fixture("good"), "--url", "file:///x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "mysqlop-target-check: plugin \"good\": " + fixture("good") +
                       " is not a backup-target plugin (kind 1)\n");
}

TEST_F(Kit, ARefusedConfigIsNamed) {
  const KitRun r =
      kit({FILE_TARGET_PATH, "--url", fileUrl(), "--config", R"({"root":"relative"})"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "mysqlop-target-check: plugin \"mysqlop_target_file\": create failed (InvalidConfig): "
            "config.root: expected an absolute path\n");
}

TEST_F(Kit, AUrlOfASchemeThePluginDoesNotServeIsRefused) {
  const KitRun r = kit({FILE_TARGET_PATH, "--url", "s3://bucket/x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "mysqlop-target-check: --url s3://bucket/x: plugin \"file\" serves file, not "
            "s3\n");
}

TEST_F(Kit, TheFileTargetPassesAndTheSummaryIsTheLastLine) {
  const KitRun r = kit(
      {FILE_TARGET_PATH, "--url", fileUrl(), "--large-size", "8M", "--writers", "3",
       "--credentials", "UNUSED_TOKEN=not-a-real-token", "--credentials-env", "MYSQLOP_KIT_TOKEN"},
      {"MYSQLOP_KIT_TOKEN=token-from-the-environment"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("\nPASS concurrent_writers: 3 writers of 4.0 MiB each\n"));
  EXPECT_THAT(r.out, HasSubstr("\nPASS large_object_bounded_memory: 8.0 MiB written at "));
  EXPECT_THAT(r.out, HasSubstr("\nSKIP bad_credentials_forbidden: no --bad-credentials given (a "
                               "target without credentials)\n"));
  EXPECT_THAT(r.out,
              ::testing::EndsWith("\nmysqlop-target-check: 14 passed, 0 failed, 1 skipped\n"));
}

TEST_F(Kit, ATargetThatShowsPartialObjectsFailsExactlyThoseChecks) {
  const std::string url = "leaky://" + dir_.path() + "/backups/";
  const KitRun r = kit({LEAKY_TARGET_PATH, "--url", url, "--large-size", "1M"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("\nFAIL nothing_visible_before_commit: open_reader of " + url));
  EXPECT_THAT(r.out, HasSubstr("/pending/object answered Ok, expected NotFound\n"));
  EXPECT_THAT(r.out, HasSubstr("\nFAIL abort_leaves_nothing: open_reader of " + url));
  EXPECT_THAT(r.out, HasSubstr("/aborted/object answered Ok, expected NotFound\n"));
  EXPECT_THAT(r.out,
              ::testing::EndsWith("\nmysqlop-target-check: 11 passed, 3 failed, 1 skipped\n"));
}

}  // namespace
}  // namespace mysqlop::testing
