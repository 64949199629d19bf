// helm lint, the CRDs' single source, and the schema's refusals (each with helm's exact message).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "tests/integration/chart/chart_support.h"

namespace mysqlop::chart_test {
namespace {

namespace fs = std::filesystem;

class ChartLint : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string m = helmMissing(); !m.empty()) {
      GTEST_FAIL() << m;
    }
  }
};

TEST_F(ChartLint, StrictLintPasses) {
  CommandResult r = helm({"lint", "--strict", chartDir()});
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 chart(s) linted, 0 chart(s) failed"), std::string::npos) << r.out;
}

TEST_F(ChartLint, StrictLintPassesForEveryValueThatChangesATemplate) {
  for (const char* set : {"watchNamespace=apps", "rbac.create=false", "serviceMonitor.enabled=true",
                          "mysqlClustersGlobalServiceMonitor.enabled=true", "replicaCount=3",
                          "plugins.user.enabled=false", "orchestrator.persistence.enabled=false",
                          "orchestrator.secretName=mine", "serviceAccount.create=false"}) {
    CommandResult r = helm({"lint", "--strict", chartDir(), "--set", set});
    EXPECT_EQ(r.exitCode, 0) << set << "\n" << r.out << r.err;
  }
}

// One source for the CRDs: the chart's crds/ must be byte-for-byte the repository's crds/
// (copy them over after changing crds/: cp crds/*.yaml charts/mysql-operator/crds/).
TEST_F(ChartLint, CrdsAreTheRepositorysByteForByte) {
  std::set<std::string> repo;
  std::set<std::string> chart;
  for (const auto& e : fs::directory_iterator(sourceDir() + "/crds")) {
    repo.insert(e.path().filename().string());
  }
  for (const auto& e : fs::directory_iterator(chartDir() + "/crds")) {
    chart.insert(e.path().filename().string());
  }
  ASSERT_EQ(chart, repo);
  ASSERT_FALSE(repo.empty());
  for (const std::string& f : repo) {
    EXPECT_TRUE(readFile(sourceDir() + "/crds/" + f) == readFile(chartDir() + "/crds/" + f))
        << "charts/mysql-operator/crds/" << f << " differs from crds/" << f
        << ": cp crds/*.yaml charts/mysql-operator/crds/";
  }
}

struct Refusal {
  std::string set;
  std::string message;
};

constexpr const char* kSchemaHeader =
    "Error: values don't meet the specifications of the schema(s) in the following chart(s):\n"
    "mysql-operator:\n";

TEST_F(ChartLint, WrongValuesAreRefusedWithTheirMessage) {
  const Refusal refusals[] = {
      {"replicaCount=abc", "- replicaCount: Invalid type. Expected: integer, given: string"},
      {"replicaCount=-1", "- replicaCount: Must be greater than or equal to 0"},
      {"watchNamespace=Bad_NS",
       "- watchNamespace: Does not match pattern '^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$'"},
      {"image.pullPolicy=Sometimes",
       "- image.pullPolicy: image.pullPolicy must be one of the following: \"Always\", "
       "\"IfNotPresent\", \"Never\""},
      {"rbac.create=yes", "- rbac.create: Invalid type. Expected: boolean, given: string"},
      {"plugins.usr.enabled=false", "- plugins: Additional property usr is not allowed"},
      {"plugins.database.workers=0",
       "- plugins.database.workers: Must be greater than or equal to 1"},
      {"plugins.database.workers=65",
       "- plugins.database.workers: Must be less than or equal to 64"},
      {"orchestrator.config.Foo=1",
       "- orchestrator.config: Additional property Foo is not allowed"},
      {"orchestrator.config.InstancePollSeconds=0",
       "- orchestrator.config.InstancePollSeconds: Must be greater than or equal to 1"},
      {"extraArgs={debug}", "- extraArgs.0: Does not match pattern '^--'"},
      {"serviceMonitor.interval=10",
       "- serviceMonitor.interval: Invalid type. Expected: string, "
       "given: integer"},
      {"operatorConfig.logFormat=xml",
       "- operatorConfig.logFormat: operatorConfig.logFormat must be one of the following: "
       "\"text\", \"json\""},
      {"unknownValue=1", "- (root): Additional property unknownValue is not allowed"},
  };
  for (const Refusal& r : refusals) {
    CommandResult out = helm({"template", "r", chartDir(), "--set", r.set});
    EXPECT_NE(out.exitCode, 0) << r.set;
    EXPECT_EQ(out.err, std::string(kSchemaHeader) + r.message + "\n\n") << r.set;
  }
}

TEST_F(ChartLint, AThirdPartyPluginNeedsAnImageOrAVolume) {
  CommandResult out = helm({"template", "r", chartDir(), "--set",
                            "plugins.thirdParty[0].name=x,plugins.thirdParty[0].file=x.so"});
  EXPECT_NE(out.exitCode, 0);
  EXPECT_NE(out.err.find("plugins.thirdParty[0] (x): give either image or volume (where the "
                         "plugin's file comes from)"),
            std::string::npos)
      << out.err;
  out = helm({"template", "r", chartDir(), "--set",
              "plugins.thirdParty[0].name=x,plugins.thirdParty[0].file=/abs/x.so,"
              "plugins.thirdParty[0].volume.emptyDir.medium=Memory"});
  EXPECT_EQ(out.err, std::string(kSchemaHeader) +
                         "- plugins.thirdParty.0.file: Does not match pattern '^[^/]'\n\n");
}

}  // namespace
}  // namespace mysqlop::chart_test
