#include "localcluster/proxy/hosts_render.h"

#include <algorithm>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

namespace mysqlop::local::names {

using nlohmann::json;

namespace {

// The kubelet's header and loopback lines (pkg/kubelet/kubelet_pods.go managedHostsHeader).
constexpr const char* kLocalhostLines =
    "# Kubernetes-managed hosts file.\n"
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "fe00::0\tip6-mcastprefix\n"
    "fe00::1\tip6-allnodes\n"
    "fe00::2\tip6-allrouters\n";

// <name>.<ns>.svc.<domain>, <name>.<ns>.svc, <name>.<ns>, and <name> in the pod's own namespace
// (what the search path <ns>.svc.<domain> completes).
void appendServiceNames(std::string& line, const std::string& name, const std::string& ns,
                        bool ownNamespace, const std::string& domain) {
  line += "\t" + name + "." + ns + ".svc." + domain;
  line += "\t" + name + "." + ns + ".svc";
  line += "\t" + name + "." + ns;
  if (ownNamespace) {
    line += "\t" + name;
  }
}

std::string stringAt(const json& o, const char* a, const char* b) {
  if (!o.is_object() || !o.contains(a) || !o[a].is_object()) {
    return "";
  }
  const json& inner = o[a];
  if (!inner.contains(b) || !inner[b].is_string()) {
    return "";
  }
  return inner[b].get<std::string>();
}

// The kubelet truncates a hostname longer than 63 characters and trims a trailing '-' or '.'.
std::string truncatedHostname(std::string h) {
  if (h.size() > 63) {
    h.resize(63);
    while (!h.empty() && (h.back() == '-' || h.back() == '.')) {
      h.pop_back();
    }
  }
  return h;
}

}  // namespace

std::string renderHosts(const PodNames& pod, const ClusterNames& cluster,
                        const std::string& clusterDomain) {
  std::string out = kLocalhostLines;
  if (!pod.subdomain.empty()) {
    out += pod.ip + "\t" + pod.hostname + "." + pod.subdomain + "." + pod.namespaceName + ".svc." +
           clusterDomain + "\t" + pod.hostname + "\n";
  } else {
    out += pod.ip + "\t" + pod.hostname + "\n";
  }
  if (!pod.hostAliases.empty()) {
    out += "\n# Entries added by HostAliases.\n";
    for (const auto& alias : pod.hostAliases) {
      out += alias.ip;
      for (const auto& h : alias.hostnames) {
        out += "\t" + h;
      }
      out += "\n";
    }
  }

  std::vector<const ServiceNames*> services;
  for (const auto& s : cluster.services) {
    services.push_back(&s);
  }
  std::sort(services.begin(), services.end(), [](const ServiceNames* a, const ServiceNames* b) {
    return std::tie(a->namespaceName, a->name) < std::tie(b->namespaceName, b->name);
  });
  if (services.empty()) {
    return out;
  }
  out += "\n# Services (cluster DNS of the local cluster).\n";
  for (const ServiceNames* s : services) {
    bool own = s->namespaceName == pod.namespaceName;
    if (!s->headless) {
      std::string line = s->clusterIp;
      appendServiceNames(line, s->name, s->namespaceName, own, clusterDomain);
      out += line + "\n";
      continue;
    }
    auto it = cluster.endpoints.find(s->namespaceName + "/" + s->name);
    if (it == cluster.endpoints.end()) {
      continue;
    }
    // One line per address: its hostname's names first (so that a reverse lookup gives the
    // endpoint's own name, as CoreDNS's PTR record does), then the Service's.
    std::set<EndpointAddress> addresses(it->second.begin(), it->second.end());
    for (const auto& a : addresses) {
      std::string line = a.ip;
      if (!a.hostname.empty()) {
        appendServiceNames(line, a.hostname + "." + s->name, s->namespaceName, own, clusterDomain);
      }
      appendServiceNames(line, s->name, s->namespaceName, own, clusterDomain);
      out += line + "\n";
    }
  }
  return out;
}

std::string renderResolvConf(const std::string& namespaceName, const std::string& clusterDomain) {
  return "search " + namespaceName + ".svc." + clusterDomain + " svc." + clusterDomain + " " +
         clusterDomain +
         "\n"
         "nameserver 127.0.0.1\n"
         "options ndots:5\n";
}

Result<PodNames> podNamesFrom(const json& pod, const std::string& podIp) {
  PodNames p;
  p.name = stringAt(pod, "metadata", "name");
  p.namespaceName = stringAt(pod, "metadata", "namespace");
  if (p.name.empty()) {
    return fail(Errc::Invalid, "pod has no metadata.name");
  }
  if (p.namespaceName.empty()) {
    return fail(Errc::Invalid, "pod " + p.name + " has no metadata.namespace");
  }
  std::string id = p.namespaceName + "/" + p.name;
  p.ip = podIp.empty() ? stringAt(pod, "status", "podIP") : podIp;
  if (p.ip.empty()) {
    return fail(Errc::Invalid,
                "pod " + id + " has no IP (status.podIP is empty and none was given)");
  }
  std::string hostname = stringAt(pod, "spec", "hostname");
  p.hostname = truncatedHostname(hostname.empty() ? p.name : hostname);
  p.subdomain = stringAt(pod, "spec", "subdomain");
  if (pod.contains("spec") && pod["spec"].is_object() && pod["spec"].contains("hostAliases")) {
    const json& aliases = pod["spec"]["hostAliases"];
    if (!aliases.is_array()) {
      return fail(Errc::Invalid, "pod " + id + ": spec.hostAliases is not a list");
    }
    for (std::size_t i = 0; i < aliases.size(); ++i) {
      const json& a = aliases[i];
      std::string where = "pod " + id + ": spec.hostAliases[" + std::to_string(i) + "]";
      if (!a.is_object() || !a.contains("ip") || !a["ip"].is_string()) {
        return fail(Errc::Invalid, where + ".ip is missing");
      }
      HostAlias alias{a["ip"].get<std::string>(), {}};
      if (a.contains("hostnames") && a["hostnames"].is_array()) {
        for (const auto& h : a["hostnames"]) {
          if (h.is_string()) {
            alias.hostnames.push_back(h.get<std::string>());
          }
        }
      }
      p.hostAliases.push_back(std::move(alias));
    }
  }
  return p;
}

std::optional<ServiceNames> serviceNamesFrom(const json& service) {
  ServiceNames s;
  s.name = stringAt(service, "metadata", "name");
  s.namespaceName = stringAt(service, "metadata", "namespace");
  if (s.name.empty() || s.namespaceName.empty()) {
    return std::nullopt;
  }
  if (stringAt(service, "spec", "type") == "ExternalName") {
    return std::nullopt;
  }
  std::string ip = stringAt(service, "spec", "clusterIP");
  if (ip == "None") {
    s.headless = true;
  } else if (ip.empty()) {
    return std::nullopt;
  } else {
    s.clusterIp = ip;
  }
  return s;
}

std::string sliceServiceName(const json& slice) {
  if (!slice.contains("metadata") || !slice["metadata"].is_object()) {
    return "";
  }
  const json& m = slice["metadata"];
  if (!m.contains("labels") || !m["labels"].is_object()) {
    return "";
  }
  auto it = m["labels"].find("kubernetes.io/service-name");
  return it != m["labels"].end() && it->is_string() ? it->get<std::string>() : "";
}

std::vector<EndpointAddress> readyAddressesFrom(const json& slice) {
  std::vector<EndpointAddress> out;
  if (slice.value("addressType", "IPv4") != "IPv4" || !slice.contains("endpoints") ||
      !slice["endpoints"].is_array()) {
    return out;
  }
  for (const auto& e : slice["endpoints"]) {
    if (!e.is_object()) {
      continue;
    }
    if (e.contains("conditions") && e["conditions"].is_object()) {
      const json& c = e["conditions"];
      if (c.contains("ready") && c["ready"].is_boolean() && !c["ready"].get<bool>()) {
        continue;
      }
    }
    std::string hostname =
        e.contains("hostname") && e["hostname"].is_string() ? e["hostname"].get<std::string>() : "";
    if (!e.contains("addresses") || !e["addresses"].is_array()) {
      continue;
    }
    for (const auto& a : e["addresses"]) {
      if (a.is_string()) {
        out.push_back({a.get<std::string>(), hostname});
      }
    }
  }
  return out;
}

}  // namespace mysqlop::local::names
