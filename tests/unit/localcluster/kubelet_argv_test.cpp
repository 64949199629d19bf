#include <gtest/gtest.h>

#include "localcluster/kubelet/container_plan.h"
#include "localcluster/kubelet/expansion.h"

namespace mysqlop::local::kubelet {
namespace {

using Args = std::vector<std::string>;

ImageProfile imageWith(Args entrypoint, Args cmd) {
  ImageProfile p;
  p.images = {"x"};
  p.entrypoint = std::move(entrypoint);
  p.cmd = std::move(cmd);
  return p;
}

TEST(ResolveArgv, NeitherCommandNorArgsRunsTheImage) {
  auto argv = resolveArgv(nlohmann::json::object(), imageWith({"/ep", "-x"}, {"run"}), {});
  EXPECT_EQ(argv, (Args{"/ep", "-x", "run"}));
}

TEST(ResolveArgv, CommandReplacesEntrypointAndDropsCmd) {
  auto c = nlohmann::json{{"command", {"sh", "-c"}}};
  EXPECT_EQ(resolveArgv(c, imageWith({"/ep"}, {"run"}), {}), (Args{"sh", "-c"}));
  c["args"] = {"echo hi"};
  EXPECT_EQ(resolveArgv(c, imageWith({"/ep"}, {"run"}), {}), (Args{"sh", "-c", "echo hi"}));
}

TEST(ResolveArgv, ArgsAloneReplaceCmdAfterEntrypoint) {
  auto c = nlohmann::json{{"args", {"--port", "80"}}};
  EXPECT_EQ(resolveArgv(c, imageWith({"/ep"}, {"run"}), {}), (Args{"/ep", "--port", "80"}));
  EXPECT_EQ(resolveArgv(c, imageWith({}, {"sh"}), {}), (Args{"--port", "80"}));
}

TEST(ResolveArgv, EmptyListsCountAsUnset) {
  auto c = nlohmann::json{{"command", nlohmann::json::array()}, {"args", nullptr}};
  EXPECT_EQ(resolveArgv(c, imageWith({"/ep"}, {"run"}), {}), (Args{"/ep", "run"}));
  EXPECT_TRUE(resolveArgv(nlohmann::json::object(), imageWith({}, {}), {}).empty());
}

TEST(ResolveArgv, ExpandsCommandAndArgsButNotTheImage) {
  auto c = nlohmann::json{{"args", {"$(PORT)", "$$(PORT)", "$(NOPE)"}}};
  EnvMap env{{"PORT", "3306"}};
  EXPECT_EQ(resolveArgv(c, imageWith({"/ep", "$(PORT)"}, {}), env),
            (Args{"/ep", "$(PORT)", "3306", "$(PORT)", "$(NOPE)"}));
  auto cmd = nlohmann::json{{"command", {"echo", "$(PORT)"}}};
  EXPECT_EQ(resolveArgv(cmd, imageWith({}, {"$(PORT)"}), env), (Args{"echo", "3306"}));
}

std::string expand(const std::string& in) {
  static const EnvMap first{{"A", "a"}, {"B", "b"}, {"EMPTY", ""}};
  static const EnvMap second{{"A", "shadowed"}, {"C", "c"}};
  return expandVars(in, {&first, &second});
}

TEST(ExpandVars, KubeletRules) {
  EXPECT_EQ(expand("$(A)"), "a");
  EXPECT_EQ(expand("x$(A)y$(B)z"), "xaybz");
  EXPECT_EQ(expand("$(C)"), "c");       // later contexts are searched too
  EXPECT_EQ(expand("$(EMPTY)|"), "|");  // defined as empty: replaced
  EXPECT_EQ(expand("$(UNKNOWN)"), "$(UNKNOWN)");
  EXPECT_EQ(expand("$$(A)"), "$(A)");  // escaped
  EXPECT_EQ(expand("$$$(A)"), "$a");
  EXPECT_EQ(expand("$$$$"), "$$");
  EXPECT_EQ(expand("$A"), "$A");          // not an expression
  EXPECT_EQ(expand("100$"), "100$");      // trailing operator
  EXPECT_EQ(expand("$(A"), "$(A");        // unclosed
  EXPECT_EQ(expand("$($(A)"), "$($(A)");  // name "$(A", unknown: kept
  EXPECT_EQ(expand("$()"), "$()");
  EXPECT_EQ(expand("$(A)$(B)"), "ab");
  EXPECT_EQ(expand(""), "");
}

}  // namespace
}  // namespace mysqlop::local::kubelet
