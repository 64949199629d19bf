// The operator configuration: flags, environment and the YAML file, and every bad input's exact
// one-line error naming the file, key and line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/config/operator_config.h"

namespace mysqlop::config {
namespace {

namespace fs = std::filesystem;

class Config : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mysqlop-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "bin" / "plugins");
    ::unsetenv("ORC_TOPOLOGY_USER");
    ::unsetenv("ORC_TOPOLOGY_PASSWORD");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  void bundle(const std::string& plugin) {
    std::ofstream(dir_ / "bin" / "plugins" / ("mysqlop_" + plugin + ".so")) << "x";
  }
  OperatorConfig load(std::vector<std::string> args) {
    std::vector<const char*> argv{"mysql-operator"};
    for (const auto& a : args) {
      argv.push_back(a.c_str());
    }
    OperatorConfig cfg;
    EXPECT_TRUE(
        loadConfig(static_cast<int>(argv.size()), argv.data(), (dir_ / "bin").string(), &cfg));
    return cfg;
  }
  std::string error(std::vector<std::string> args) {
    try {
      load(std::move(args));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(Config, DefaultsMatchBitpoke) {
  OperatorConfig c = load({});
  EXPECT_EQ(c.metricsAddr, ":8080");
  EXPECT_EQ(c.healthzAddr, ":8081");
  EXPECT_EQ(c.leaderElectionId, "mysql-operator-leader-election");
  EXPECT_TRUE(c.leaderElection);
  EXPECT_TRUE(c.failoverBeforeShutdown);
  EXPECT_FALSE(c.allowCrossNamespaceUser);
  EXPECT_EQ(c.metricsExporterImage, "prom/mysqld-exporter:v0.13.0");
  EXPECT_EQ(c.pluginDir, (dir_ / "bin" / "plugins").string());
  EXPECT_TRUE(c.plugins.empty());
}

TEST_F(Config, FlagsInEveryGoForm) {
  OperatorConfig c = load({"--namespace=team-a", "-leader-election-id", "lock", "--debug",
                           "--failover-before-shutdown=false", "--allow-cross-namespace-user",
                           "--metrics-addr", "127.0.0.1:9090", "--mysql-versions-to-image",
                           "5.7.26=percona:5.7.26,8.0.20=percona:8.0.20", "--log-format=json",
                           "--orchestrator-concurrent-reconciles=3"});
  EXPECT_EQ(c.watchNamespace, "team-a");
  EXPECT_EQ(c.leaderElectionId, "lock");
  EXPECT_TRUE(c.debug);
  EXPECT_FALSE(c.failoverBeforeShutdown);
  EXPECT_TRUE(c.allowCrossNamespaceUser);
  EXPECT_EQ(c.metricsAddr, "127.0.0.1:9090");
  EXPECT_EQ(c.mysqlVersionsToImage.at("8.0.20"), "percona:8.0.20");
  EXPECT_EQ(c.mysqlVersionsToImage.size(), 2U);
  EXPECT_EQ(c.logFormat, "json");
  EXPECT_EQ(c.orchestratorConcurrentReconciles, 3);
}

TEST_F(Config, TopologyCredentialsComeFromEnvironmentUnlessFlagged) {
  ::setenv("ORC_TOPOLOGY_USER", "orc", 1);
  ::setenv("ORC_TOPOLOGY_PASSWORD", "s3cret-env", 1);
  OperatorConfig c = load({});
  EXPECT_EQ(c.orchestratorTopologyUser, "orc");
  EXPECT_EQ(c.orchestratorTopologyPassword, "s3cret-env");
  c = load({"--orchestrator-topology-password=from-flag"});
  EXPECT_EQ(c.orchestratorTopologyPassword, "from-flag");
  nlohmann::json j = nlohmann::json::parse(c.operatorJson());
  EXPECT_EQ(j["orchestratorTopologyUser"], "orc");
  EXPECT_EQ(j["orchestratorTopologyPassword"], "from-flag");
}

TEST_F(Config, FileSetsEverythingAndFlagsOverrideIt) {
  const std::string f = write("op.yaml", R"(watchNamespace: ns-file
leaderElection: {enabled: false, namespace: ops, id: my-lock}
metricsAddr: "127.0.0.1:1"
logFormat: json
orchestrator:
  topologyUser: orc
  concurrentReconciles: 7
mysqlVersionsToImage:
  "5.7.35": my/percona:5.7.35
allowCrossNamespaceDatabase: true
)");
  OperatorConfig c = load({"--config", f, "--namespace", "ns-flag"});
  EXPECT_EQ(c.watchNamespace, "ns-flag");
  EXPECT_FALSE(c.leaderElection);
  EXPECT_EQ(c.leaderElectionNamespace, "ops");
  EXPECT_EQ(c.leaderElectionId, "my-lock");
  EXPECT_EQ(c.metricsAddr, "127.0.0.1:1");
  EXPECT_EQ(c.logFormat, "json");
  EXPECT_EQ(c.orchestratorTopologyUser, "orc");
  EXPECT_EQ(c.orchestratorConcurrentReconciles, 7);
  EXPECT_EQ(c.mysqlVersionsToImage.at("5.7.35"), "my/percona:5.7.35");
  EXPECT_TRUE(c.allowCrossNamespaceDatabase);
}

TEST_F(Config, BundledPluginsAreEnabledWithoutAConfig) {
  bundle("cluster");
  bundle("user");
  OperatorConfig c = load({});
  ASSERT_EQ(c.plugins.size(), 2U);
  EXPECT_EQ(c.plugins[0].name, "cluster");
  EXPECT_EQ(c.plugins[0].path, (dir_ / "bin" / "plugins" / "mysqlop_cluster.so").string());
  EXPECT_TRUE(c.plugins[0].enabled);
  EXPECT_EQ(c.plugins[0].origin, "bundled");
  EXPECT_EQ(c.plugins[1].name, "user");
}

// The backup targets are built as mysqlop_target_<scheme>.so (plugins/target_*): each bundled
// one is found under its scheme's name, and a config entry overrides it by that name.
TEST_F(Config, BundledBackupTargetsAreFoundByTheirFileNames) {
  for (const char* t : {"s3", "file", "azure", "gs", "rclone"}) {
    std::ofstream(dir_ / "bin" / "plugins" / ("mysqlop_target_" + std::string(t) + ".so")) << "x";
  }
  const std::string f = write("op.yaml", "plugins:\n  - name: rclone\n    enabled: false\n");
  OperatorConfig c = load({"--config", f});
  ASSERT_EQ(c.plugins.size(), 5U);
  EXPECT_EQ(c.plugins[0].name, "s3");
  EXPECT_EQ(c.plugins[0].path, (dir_ / "bin" / "plugins" / "mysqlop_target_s3.so").string());
  EXPECT_EQ(c.plugins[1].name, "file");
  EXPECT_EQ(c.plugins[2].name, "azure");
  EXPECT_EQ(c.plugins[3].name, "gs");
  EXPECT_EQ(c.plugins[4].name, "rclone");
  EXPECT_FALSE(c.plugins[4].enabled);
  EXPECT_EQ(c.plugins[4].path, (dir_ / "bin" / "plugins" / "mysqlop_target_rclone.so").string());
}

TEST_F(Config, PluginDirFlagChangesWhereBundledPluginsAreFound) {
  fs::create_directories(dir_ / "other");
  std::ofstream(dir_ / "other" / "mysqlop_database.so") << "x";
  OperatorConfig c = load({"--plugin-dir", (dir_ / "other").string()});
  ASSERT_EQ(c.plugins.size(), 1U);
  EXPECT_EQ(c.plugins[0].name, "database");
}

TEST_F(Config, EntriesOverrideBundledPluginsByNameAndAddThirdPartyOnes) {
  bundle("cluster");
  bundle("backup");
  write("libmybackend.so", "x");
  const std::string f = write("op.yaml", R"(plugins:
  - name: cluster
    enabled: false
  - name: backup
    workers: 4
    config: {bucketTimeout: 30s, retries: 3, verbose: true, ratio: 0.5, none: ~, quoted: "007"}
  - name: mybackend
    path: libmybackend.so
    config:
      endpoint: https://store.example
)");
  OperatorConfig c = load({"--config", f});
  ASSERT_EQ(c.plugins.size(), 3U);
  EXPECT_EQ(c.plugins[0].name, "cluster");
  EXPECT_FALSE(c.plugins[0].enabled);
  EXPECT_EQ(c.plugins[1].name, "backup");
  EXPECT_EQ(c.plugins[1].workers, 4);
  EXPECT_EQ(nlohmann::json::parse(c.plugins[1].configJson),
            nlohmann::json::parse(R"({"bucketTimeout":"30s","retries":3,"verbose":true,
                                      "ratio":0.5,"none":null,"quoted":"007"})"));
  EXPECT_EQ(c.plugins[2].name, "mybackend");
  EXPECT_EQ(c.plugins[2].path, (dir_ / "libmybackend.so").string());
  EXPECT_EQ(c.plugins[2].configJson, R"({"endpoint":"https://store.example"})");
  EXPECT_EQ(c.plugins[2].origin, f + ":7:5");
}

TEST_F(Config, EmptyFileIsAnEmptyConfig) {
  const std::string f = write("empty.yaml", "");
  EXPECT_EQ(load({"--config", f}).metricsAddr, ":8080");
}

struct BadFile {
  const char* yaml;
  const char* error;  // after "<file>:"
};

TEST_F(Config, EveryBadFileGivesOneLineNamingFileKeyAndLine) {
  const std::vector<BadFile> cases = {
      {"watchNamespce: x\n",
       "1:1: watchNamespce: unknown key (expected one of: allowCrossNamespaceDatabase, "
       "allowCrossNamespaceUser, debug, failoverBeforeShutdown, healthzAddr, imagePullPolicy, "
       "imagePullSecret, kubeconfig, leaderElection, logFormat, metricsAddr, "
       "metricsExporterImage, mysqlVersionsToImage, orchestrator, pluginDir, plugins, "
       "sidecarImage, sidecarMysql8Image, watchNamespace)"},
      {"debug: yes please\n", "1:8: debug: expected a boolean (true or false), got \"yes please\""},
      {"debug: [true]\n", "1:8: debug: expected a boolean (true or false), got a list"},
      {"watchNamespace: {a: b}\n", "1:17: watchNamespace: expected a string, got a mapping"},
      {"logFormat: xml\n", "1:12: logFormat: expected text or json, got \"xml\""},
      {"imagePullPolicy: Sometimes\n",
       "1:18: imagePullPolicy: expected Always, IfNotPresent or Never, got \"Sometimes\""},
      {"leaderElection:\n  enabled: true\n  lease: 15s\n",
       "3:3: leaderElection.lease: unknown key (expected one of: enabled, id, namespace)"},
      {"orchestrator:\n  concurrentReconciles: 0\n",
       "2:25: orchestrator.concurrentReconciles: expected an integer from 1 to 1000, got 0"},
      {"orchestrator:\n  concurrentReconciles: many\n",
       "2:25: orchestrator.concurrentReconciles: expected an integer, got \"many\""},
      {"mysqlVersionsToImage: [a]\n",
       "1:23: mysqlVersionsToImage: expected a mapping of version to image, got a list"},
      {"plugins: {name: x}\n",
       "1:10: plugins: expected a list of {name, path, enabled, workers, config}, got a mapping"},
      {"plugins:\n  - enabled: true\n", "2:5: plugins[0].name: required key is missing"},
      {"plugins:\n  - name: Cluster_1\n",
       "2:11: plugins[0].name: expected lower-case letters, digits and '-' (at most 63), got "
       "\"Cluster_1\""},
      {"plugins:\n  - name: a\n    enabled: false\n  - name: a\n    enabled: false\n",
       "4:5: plugins[1].name: plugin \"a\" is listed twice (first at FILE:2:5)"},
      {"plugins:\n  - name: a\n    enabled: false\n    workers: 100\n",
       "4:14: plugins[0].workers: expected an integer from 1 to 64, got 100"},
      {"plugins:\n  - name: a\n    enabled: false\n    config: [1, 2]\n",
       "4:13: plugins[0].config: expected a mapping, got a list"},
      {"plugins:\n  - name: a\n    enabled: nope\n",
       "3:14: plugins[0].enabled: expected a boolean (true or false), got \"nope\""},
      {"plugins:\n  - name: a\n    path: \"\"\n",
       "3:11: plugins[0].path: expected a file path, got an empty string"},
      {"plugins:\n  - name: a\n    colour: red\n",
       "3:5: plugins[0].colour: unknown key (expected one of: config, enabled, name, path, "
       "workers)"},
      {"- just\n- a list\n", "1:1: document: expected a mapping, got a list"},
      {"debug: true\n  bad: indentation\n", "2:6: invalid YAML: illegal map value"},
  };
  for (const BadFile& c : cases) {
    SCOPED_TRACE(c.yaml);
    const std::string f = write("bad.yaml", c.yaml);
    std::string expected = f + ":" + c.error;
    if (auto at = expected.find("FILE"); at != std::string::npos) {
      expected.replace(at, 4, f);
    }
    EXPECT_EQ(error({"--config", f}), expected);
  }
}

TEST_F(Config, MissingPluginFilesAreNamedWithTheirLine) {
  const std::string f =
      write("op.yaml", "plugins:\n  - name: mybackend\n    path: /opt/x/libmybackend.so\n");
  EXPECT_EQ(error({"--config", f}),
            f + ":3:11: plugins[0].path: plugin file /opt/x/libmybackend.so does not exist");
  const std::string g = write("op2.yaml", "plugins:\n  - name: orchestrator\n");
  EXPECT_EQ(error({"--config", g}),
            g + ":2:5: plugins[0].name: plugin file " +
                (dir_ / "bin" / "plugins" / "mysqlop_orchestrator.so").string() +
                " does not exist (no bundled plugin of that name in " +
                (dir_ / "bin" / "plugins").string() + "; give a path)");
  // A disabled entry may name a plugin that is not there.
  const std::string h = write("op3.yaml", "plugins:\n  - name: orchestrator\n    enabled: false\n");
  EXPECT_EQ(load({"--config", h}).plugins.at(0).enabled, false);
}

TEST_F(Config, MissingConfigFile) {
  EXPECT_EQ(error({"--config", "/nonexistent/op.yaml"}),
            "/nonexistent/op.yaml: cannot read the config file");
}

TEST_F(Config, EveryBadFlagGivesOneLine) {
  EXPECT_EQ(error({"--colour=red"}), "unknown flag --colour (see --help)");
  EXPECT_EQ(error({"positional"}),
            "unexpected argument \"positional\" (flags start with --; see --help)");
  EXPECT_EQ(error({"--namespace"}), "--namespace: a value is required");
  EXPECT_EQ(error({"--debug=maybe"}), "--debug: expected true or false, got \"maybe\"");
  EXPECT_EQ(error({"--log-format=xml"}), "--log-format: expected text or json, got \"xml\"");
  EXPECT_EQ(error({"--image-pull-policy=Often"}),
            "--image-pull-policy: expected Always, IfNotPresent or Never, got \"Often\"");
  EXPECT_EQ(error({"--orchestrator-concurrent-reconciles=0"}),
            "--orchestrator-concurrent-reconciles: expected an integer from 1 to 1000, got \"0\"");
  EXPECT_EQ(error({"--mysql-versions-to-image=5.7"}),
            "--mysql-versions-to-image: expected version=image pairs, got \"5.7\"");
}

TEST_F(Config, HelpListsEveryBitpokeFlag) {
  const std::string u = usage();
  for (const char* flag : {"--namespace",
                           "--leader-election-namespace",
                           "--leader-election-id",
                           "--metrics-addr",
                           "--healthz-addr",
                           "--failover-before-shutdown",
                           "--sidecar-image",
                           "--sidecar-mysql8-image",
                           "--metrics-exporter-image",
                           "--orchestrator-topology-user",
                           "--orchestrator-topology-password",
                           "--allow-cross-namespace-user",
                           "--allow-cross-namespace-database",
                           "--debug",
                           "--config",
                           "--kubeconfig",
                           "--log-format",
                           "--plugin-dir",
                           "--image-pull-secret",
                           "--image-pull-policy",
                           "--orchestrator-uri",
                           "--mysql-versions-to-image"}) {
    EXPECT_THAT(u, ::testing::HasSubstr(std::string(flag) + " ")) << flag;
  }
}

}  // namespace
}  // namespace mysqlop::config
