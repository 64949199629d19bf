#include "localcluster/cluster/status_report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <vector>

#include "core/kube/client.h"
#include "core/kube/http_transport.h"

namespace mysqlop::local::cluster {

using nlohmann::json;

namespace {

// Columns padded to their widest cell, two spaces apart, as kubectl prints.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(width[i] - row[i].size() + 2, ' ');
      }
    }
    out += line + "\n";
  }
  return out;
}

std::string nodeReady(const json& node) {
  for (const auto& c : node.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") {
      return c.value("status", "") == "True" ? "Ready" : "NotReady";
    }
  }
  return "Unknown";
}

std::vector<std::string> podRow(const json& pod) {
  const json status = pod.value("status", json::object());
  const json statuses = status.value("containerStatuses", json::array());
  int ready = 0;
  int restarts = 0;
  for (const auto& c : statuses) {
    ready += c.value("ready", false) ? 1 : 0;
    restarts += c.value("restartCount", 0);
  }
  const std::size_t total = pod["spec"].value("containers", json::array()).size();
  std::string phase = status.value("phase", "Pending");
  if (pod["metadata"].contains("deletionTimestamp")) {
    phase = "Terminating";
  }
  return {pod["metadata"].value("namespace", ""),
          pod["metadata"].value("name", ""),
          phase,
          std::to_string(ready) + "/" + std::to_string(total),
          status.value("podIP", "<none>"),
          std::to_string(restarts)};
}

std::vector<std::string> serviceRow(const json& svc) {
  const json spec = svc.value("spec", json::object());
  std::string ports;
  for (const auto& p : spec.value("ports", json::array())) {
    if (!ports.empty()) {
      ports += ",";
    }
    ports += std::to_string(p.value("port", 0)) + "/" + p.value("protocol", "TCP");
  }
  return {svc["metadata"].value("namespace", ""), svc["metadata"].value("name", ""),
          spec.value("type", "ClusterIP"), spec.value("clusterIP", "<none>"),
          ports.empty() ? "<none>" : ports};
}

}  // namespace

Result<std::string> statusReport(const std::string& kubeconfigPath) {
  auto transport = kube::HttpTransport::fromKubeconfigFile(kubeconfigPath);
  if (!transport.ok()) {
    return transport.error();
  }
  kube::Client client(*transport);
  const kube::Resource nodes{"", "v1", "Node", "nodes", false};
  auto nodeList = client.list(nodes, "");
  auto podList = client.list(kube::resources::kPods, "");
  auto serviceList = client.list(kube::resources::kServices, "");
  for (const auto* r : {&nodeList, &podList, &serviceList}) {
    if (!r->ok()) {
      return fail(r->code(), "reading the cluster's state: " + r->error().message);
    }
  }
  std::vector<std::vector<std::string>> nodeRows = {{"NODE", "STATUS", "INTERNAL-IP"}};
  for (const auto& n : *nodeList) {
    std::string ip = "<none>";
    for (const auto& a : n.value("status", json::object()).value("addresses", json::array())) {
      if (a.value("type", "") == "InternalIP") {
        ip = a.value("address", "");
      }
    }
    nodeRows.push_back({n["metadata"].value("name", ""), nodeReady(n), ip});
  }
  std::vector<std::vector<std::string>> podRows = {
      {"NAMESPACE", "POD", "PHASE", "READY", "IP", "RESTARTS"}};
  for (const auto& p : *podList) {
    podRows.push_back(podRow(p));
  }
  std::vector<std::vector<std::string>> serviceRows = {
      {"NAMESPACE", "SERVICE", "TYPE", "CLUSTER-IP", "PORTS"}};
  for (const auto& s : *serviceList) {
    serviceRows.push_back(serviceRow(s));
  }
  return "API: " + client.transport().server() + "\n\n" + table(nodeRows) + "\n" + table(podRows) +
         "\n" + table(serviceRows);
}

}  // namespace mysqlop::local::cluster
