// serviceEnv: the variables the kubelet derives from Services (kubelet getServiceEnvVarMap and
// pkg/kubelet/envvars FromServices): FOO_SERVICE_HOST/PORT[_NAME] and the Docker-link style
// FOO_PORT, FOO_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR].

#include <algorithm>
#include <cctype>

#include "localcluster/kubelet/container_plan.h"

namespace mysqlop::local::kubelet {

namespace {

constexpr const char* kMasterService = "kubernetes";  // always offered, from "default"

// makeEnvVariableName: upper case, '-' -> '_'.
std::string envName(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string metaString(const nlohmann::json& obj, const char* field) {
  auto meta = obj.find("metadata");
  return meta != obj.end() && meta->is_object() ? meta->value(field, "") : "";
}

std::string clusterIp(const nlohmann::json& service) {
  auto spec = service.find("spec");
  return spec != service.end() && spec->is_object() ? spec->value("clusterIP", "") : "";
}

// net.JoinHostPort: IPv6 addresses in brackets.
std::string joinHostPort(const std::string& host, const std::string& port) {
  return host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
}

void addService(const nlohmann::json& service, std::map<std::string, std::string>& out) {
  const std::string ip = clusterIp(service);
  const auto& spec = service.at("spec");  // present: the caller saw its clusterIP
  auto it = spec.find("ports");
  if (it == spec.end() || !it->is_array() || it->empty()) {
    return;
  }
  const nlohmann::json& ports = *it;
  for (const auto& sp : ports) {
    if (!sp.is_object()) {
      return;  // not a Service the API server would have stored
    }
  }
  const std::string prefix = envName(metaString(service, "name"));
  const std::string serviceHost = prefix + "_SERVICE_HOST";
  const std::string servicePort = prefix + "_SERVICE_PORT";
  out[serviceHost] = ip;
  out[servicePort] = std::to_string(ports[0].value("port", 0));
  bool first = true;
  for (const auto& sp : ports) {
    const std::string port = std::to_string(sp.value("port", 0));
    if (const std::string name = sp.value("name", ""); !name.empty()) {
      out[servicePort + "_" + envName(name)] = port;
    }
    std::string protocol = sp.value("protocol", "");
    if (protocol.empty()) {
      protocol = "TCP";
    }
    const std::string url = lower(protocol) + "://" + joinHostPort(ip, port);
    if (first) {  // Docker special-cases the first port
      out[prefix + "_PORT"] = url;
      first = false;
    }
    std::string upper = protocol;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    const std::string portPrefix = prefix + "_PORT_" + port + "_" + upper;
    out[portPrefix] = url;
    out[portPrefix + "_PROTO"] = lower(protocol);
    out[portPrefix + "_PORT"] = port;
    out[portPrefix + "_ADDR"] = ip;
  }
}

}  // namespace

std::map<std::string, std::string> serviceEnv(const nlohmann::json& pod,
                                              const std::vector<nlohmann::json>& services) {
  const std::string ns =
      metaString(pod, "namespace").empty() ? "default" : metaString(pod, "namespace");
  bool links = true;  // spec.enableServiceLinks defaults to true
  if (auto spec = pod.find("spec"); spec != pod.end() && spec->is_object()) {
    auto it = spec->find("enableServiceLinks");
    links = it == spec->end() || !it->is_boolean() || it->get<bool>();
  }
  // By name: default/kubernetes first come, the pod's namespace's Services replace it.
  std::map<std::string, const nlohmann::json*> chosen;
  for (const auto& service : services) {
    const std::string ip = clusterIp(service);
    if (ip.empty() || ip == "None") {
      continue;
    }
    const std::string name = metaString(service, "name");
    const std::string serviceNs = metaString(service, "namespace");
    if (serviceNs == "default" && name == kMasterService) {
      chosen.emplace(name, &service);
    } else if (serviceNs == ns && links) {
      chosen[name] = &service;
    }
  }
  std::map<std::string, std::string> out;
  for (const auto& [name, service] : chosen) {
    addService(*service, out);
  }
  return out;
}

}  // namespace mysqlop::local::kubelet
