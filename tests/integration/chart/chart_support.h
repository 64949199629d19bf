#pragma once

// Runs the real helm on charts/mysql-operator and reads what it renders.
//
//   auto r = helm({"template", "r", chartDir(), "-n", "ops", "--set", "replicaCount=3"});
//   auto docs = parseDocs(r.out);               // one JSON object per YAML document
//   const json* sts = findObject(docs, "StatefulSet", "r-mysql-operator");

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/support/kube/kubectl.h"

namespace mysqlop::chart_test {

using nlohmann::json;
using testing::CommandResult;

std::string sourceDir();
std::string chartDir();
// tools/helm/helm (scripts/fetch-tools).
std::string helmBinary();
// "" when helm runs, else what is missing (for ADD_FAILURE).
std::string helmMissing();

// helm with its own cache/config/data directories (nothing of the machine's user is read).
// `kubeconfig` "" = none (helm template needs no cluster).
CommandResult helm(const std::vector<std::string>& args, const std::string& kubeconfig = "");

// `helm template r <chart> -n ops [--set ...]`: fails the test when helm fails.
std::vector<json> render(const std::vector<std::string>& sets,
                         const std::vector<std::string>& extraArgs = {});

// YAML documents (separated by `---` lines) as JSON; empty documents are skipped.
std::vector<json> parseDocs(const std::string& yaml);
std::string toYaml(const std::vector<json>& docs);

const json* findObject(const std::vector<json>& docs, const std::string& kind,
                       const std::string& name);
std::vector<const json*> objectsOfKind(const std::vector<json>& docs, const std::string& kind);
// "Kind/name" of every document, in order.
std::vector<std::string> kindsAndNames(const std::vector<json>& docs);

// The operator config file of the rendered ConfigMap (data["config.yaml"]).
std::string operatorConfigText(const std::vector<json>& docs, const std::string& configMapName);

std::string readFile(const std::string& path);

}  // namespace mysqlop::chart_test
