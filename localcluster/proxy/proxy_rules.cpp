#include "localcluster/proxy/proxy_rules.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "localcluster/proxy/hosts_render.h"

namespace mysqlop::local::proxy {

using nlohmann::json;

namespace {

std::string str(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::vector<ServicePort> proxiedPorts(const json& service) {
  std::vector<ServicePort> out;
  if (!service.is_object() || !service.contains("metadata") || !service.contains("spec")) {
    return out;
  }
  const json& meta = service["metadata"];
  const json& spec = service["spec"];
  std::string ip = str(spec, "clusterIP");
  if (ip.empty() || ip == "None" || str(spec, "type") == "ExternalName") {
    return out;
  }
  std::string key = str(meta, "namespace") + "/" + str(meta, "name");
  if (!spec.contains("ports") || !spec["ports"].is_array()) {
    return out;
  }
  for (const auto& p : spec["ports"]) {
    if (!p.is_object() || !p.contains("port") || !p["port"].is_number_integer()) {
      continue;
    }
    std::string protocol = str(p, "protocol");
    if (!protocol.empty() && protocol != "TCP") {
      continue;
    }
    out.push_back({key, str(p, "name"), ip, p["port"].get<int>()});
  }
  return out;
}

SliceView sliceView(const json& slice) {
  SliceView v;
  std::string svc = names::sliceServiceName(slice);
  std::string ns = slice.contains("metadata") ? str(slice["metadata"], "namespace") : "";
  if (svc.empty() || ns.empty()) {
    return v;
  }
  v.serviceKey = ns + "/" + svc;
  for (const auto& a : names::readyAddressesFrom(slice)) {
    v.readyIps.push_back(a.ip);
  }
  if (slice.contains("ports") && slice["ports"].is_array()) {
    for (const auto& p : slice["ports"]) {
      if (!p.is_object() || !p.contains("port") || !p["port"].is_number_integer()) {
        continue;
      }
      std::string protocol = str(p, "protocol");
      if (!protocol.empty() && protocol != "TCP") {
        continue;
      }
      v.ports[str(p, "name")] = p["port"].get<int>();
    }
  }
  return v;
}

std::vector<Backend> backendsFor(const std::string& portName,
                                 const std::vector<const SliceView*>& slices) {
  std::vector<Backend> out;
  for (const SliceView* s : slices) {
    auto port = s->ports.find(portName);
    if (port == s->ports.end()) {
      continue;
    }
    for (const auto& ip : s->readyIps) {
      out.push_back({ip, port->second});
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<Backend> RoundRobin::next(const std::string& key,
                                      const std::vector<Backend>& backends) {
  if (backends.empty()) {
    return {};
  }
  std::size_t& cursor = cursors_[key];
  std::size_t start = cursor % backends.size();
  cursor = start + 1;
  std::vector<Backend> order;
  order.reserve(backends.size());
  for (std::size_t i = 0; i < backends.size(); ++i) {
    order.push_back(backends[(start + i) % backends.size()]);
  }
  return order;
}

}  // namespace mysqlop::local::proxy
