// What a Service's endpoints are, independent of how they are written (Endpoints or slices).
#include <algorithm>
#include <map>

#include "localcluster/controllers/endpoints.h"

namespace mysqlop::local::controllers {

int resolvePort(const json& servicePort, const json& pod) {
  const json target = servicePort.contains("targetPort") ? servicePort["targetPort"]
                                                         : servicePort.value("port", json());
  if (target.is_number_integer()) {
    return target.get<int>();
  }
  if (!target.is_string()) {
    return -1;
  }
  const std::string name = target.get<std::string>();
  const std::string protocol = servicePort.value("protocol", "TCP");
  // podutil.FindPort: the first container port of that name and protocol.
  for (const auto& c : pod["spec"].value("containers", json::array())) {
    for (const auto& p : c.value("ports", json::array())) {
      if (str(p, "name") == name && p.value("protocol", "TCP") == protocol &&
          p.contains("containerPort") && p["containerPort"].is_number_integer()) {
        return p["containerPort"].get<int>();
      }
    }
  }
  return -1;
}

std::vector<PodEndpoint> podEndpoints(const json& service, const std::vector<json>& pods) {
  const json& spec = service["spec"];
  const bool publishNotReady = spec.value("publishNotReadyAddresses", false);
  std::vector<PodEndpoint> out;
  for (const auto& pod : pods) {
    const std::string ip = pod.contains("status") ? str(pod["status"], "podIP") : "";
    const std::string phase = podPhase(pod);
    if (ip.empty() || phase == "Succeeded" || phase == "Failed") {
      continue;
    }
    PodEndpoint e;
    e.pod = pod;
    e.ip = ip;
    e.serving = isPodReady(pod);
    e.terminating = isTerminating(pod);
    e.ready = publishNotReady || (e.serving && !e.terminating);
    for (const auto& sp : spec.value("ports", json::array())) {
      const int port = resolvePort(sp, pod);
      if (port < 0) {
        continue;
      }
      json ep = {{"port", port}, {"protocol", sp.value("protocol", "TCP")}};
      if (sp.contains("name") && !str(sp, "name").empty()) {
        ep["name"] = sp["name"];
      }
      if (sp.contains("appProtocol")) {
        ep["appProtocol"] = sp["appProtocol"];
      }
      e.ports.push_back(ep);
    }
    std::sort(e.ports.begin(), e.ports.end(), [](const json& a, const json& b) {
      return std::make_pair(str(a, "name"), a.value("port", 0)) <
             std::make_pair(str(b, "name"), b.value("port", 0));
    });
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(),
            [](const PodEndpoint& a, const PodEndpoint& b) { return a.ip < b.ip; });
  return out;
}

namespace {

json targetRef(const json& pod) {
  return {{"kind", "Pod"},
          {"namespace", metaString(pod, "namespace")},
          {"name", metaString(pod, "name")},
          {"uid", metaString(pod, "uid")}};
}

// Identity fields both kinds carry: hostname when the pod's subdomain is this Service.
void addIdentity(json& address, const json& service, const json& pod) {
  const std::string hostname = str(pod["spec"], "hostname");
  if (!hostname.empty() && str(pod["spec"], "subdomain") == metaString(service, "name") &&
      metaString(pod, "namespace") == metaString(service, "namespace")) {
    address["hostname"] = hostname;
  }
  const std::string node = str(pod["spec"], "nodeName");
  if (!node.empty()) {
    address["nodeName"] = node;
  }
  address["targetRef"] = targetRef(pod);
}

}  // namespace

json endpointSubsets(const json& service, const std::vector<PodEndpoint>& endpoints) {
  const bool publishNotReady = service["spec"].value("publishNotReadyAddresses", false);
  const bool hasPorts = !service["spec"].value("ports", json::array()).empty();
  std::map<std::string, json> byPorts;  // port set -> subset
  for (const auto& e : endpoints) {
    if (e.terminating && !publishNotReady) {
      continue;  // Endpoints leave terminating pods out
    }
    if (hasPorts && e.ports.empty()) {
      continue;  // none of the Service's ports exists on this pod
    }
    json& subset = byPorts[e.ports.dump()];
    if (subset.is_null()) {
      subset = json::object();
      if (!e.ports.empty()) {
        subset["ports"] = e.ports;
      }
    }
    json address = {{"ip", e.ip}};
    addIdentity(address, service, e.pod);
    subset[e.ready ? "addresses" : "notReadyAddresses"].push_back(address);
  }
  json subsets = json::array();
  for (auto& [ports, subset] : byPorts) {
    subsets.push_back(std::move(subset));
  }
  return subsets;
}

std::vector<json> sliceContents(const json& service, const std::vector<PodEndpoint>& endpoints) {
  const bool hasPorts = !service["spec"].value("ports", json::array()).empty();
  std::map<std::string, json> byPorts;
  for (const auto& e : endpoints) {
    if (hasPorts && e.ports.empty()) {
      continue;
    }
    json& content = byPorts[e.ports.dump()];
    if (content.is_null()) {
      content = {{"ports", e.ports}, {"endpoints", json::array()}};
    }
    json endpoint = {
        {"addresses", json::array({e.ip})},
        {"conditions",
         {{"ready", e.ready}, {"serving", e.serving}, {"terminating", e.terminating}}}};
    addIdentity(endpoint, service, e.pod);
    content["endpoints"].push_back(endpoint);
  }
  std::vector<json> out;
  for (auto& [ports, content] : byPorts) {
    // At most kMaxEndpointsPerSlice endpoints per slice (the controller's default, 100).
    const json& all = content["endpoints"];
    for (std::size_t first = 0; first < all.size(); first += kMaxEndpointsPerSlice) {
      const auto last = std::min(all.size(), first + kMaxEndpointsPerSlice);
      json chunk = json::array();
      for (std::size_t i = first; i < last; ++i) {
        chunk.push_back(all[i]);
      }
      out.push_back({{"ports", content["ports"]}, {"endpoints", std::move(chunk)}});
    }
  }
  if (out.empty()) {
    // Kubernetes keeps one placeholder slice for a Service without endpoints.
    out.push_back({{"ports", json::array()}, {"endpoints", json::array()}});
  }
  return out;
}

}  // namespace mysqlop::local::controllers
