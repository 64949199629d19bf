#pragma once
// The pure half of the NameService: what a pod's /etc/hosts and /etc/resolv.conf say, given the
// pod and the cluster's Services and headless endpoints. No I/O, so every line is unit-tested.
//
// glibc looks names up in /etc/hosts literally (the resolv.conf search list applies to DNS only),
// so every name a pod could resolve through CoreDNS plus its search path is written out: the four
// names of every Service, and the short forms (`<svc>`, `<hostname>.<svc>`) that the search path
// `<ns>.svc.<domain>` would complete, for the pod's own namespace only.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/common/result.h"

namespace mysqlop::local::names {

struct HostAlias {
  std::string ip;
  std::vector<std::string> hostnames;

  bool operator==(const HostAlias&) const = default;
};

// What of a pod its own files depend on.
struct PodNames {
  std::string namespaceName;
  std::string name;
  std::string hostname;   // spec.hostname, else metadata.name (truncated to 63 as the kubelet does)
  std::string subdomain;  // spec.subdomain ("" = none)
  std::string ip;
  std::vector<HostAlias> hostAliases;  // spec.hostAliases, written as the kubelet writes them

  bool operator==(const PodNames&) const = default;
};

// A Service as names see it. A Service with neither a ClusterIP nor headless (ExternalName, or
// not yet allocated) has no names here.
struct ServiceNames {
  std::string namespaceName;
  std::string name;
  std::string clusterIp;  // "" when headless
  bool headless = false;  // spec.clusterIP "None": names resolve to the ready endpoints

  bool operator==(const ServiceNames&) const = default;
};

// One ready address of a headless Service's EndpointSlices.
struct EndpointAddress {
  std::string ip;
  std::string hostname;  // "" = none

  bool operator<(const EndpointAddress& o) const {
    return ip != o.ip ? ip < o.ip : hostname < o.hostname;
  }
  bool operator==(const EndpointAddress&) const = default;
};

struct ClusterNames {
  std::vector<ServiceNames> services;  // any order: rendering sorts
  // "ns/service" -> ready addresses (any order, duplicates allowed: rendering sorts and dedups).
  std::map<std::string, std::vector<EndpointAddress>> endpoints;
};

// The hosts file: localhost lines, the pod's own line, its hostAliases, then every Service in
// (namespace, name) order, a headless one as one line per ready address in (ip, hostname) order.
std::string renderHosts(const PodNames& pod, const ClusterNames& cluster,
                        const std::string& clusterDomain);

// search <ns>.svc.<domain> svc.<domain> <domain>; options ndots:5; nameserver 127.0.0.1 (nothing
// listens there: every name the cluster knows is in /etc/hosts, read first by "hosts: files dns",
// and an unknown name fails at once with "connection refused" instead of leaving the machine).
std::string renderResolvConf(const std::string& namespaceName, const std::string& clusterDomain);

// Reading the API objects. A pod needs metadata.name and .namespace and an IP (podIp if not
// empty, else status.podIP); failures name the pod and the missing field.
Result<PodNames> podNamesFrom(const nlohmann::json& pod, const std::string& podIp);
// nullopt for a Service without names (no clusterIP, ExternalName).
std::optional<ServiceNames> serviceNamesFrom(const nlohmann::json& service);
// The Service a slice belongs to (label kubernetes.io/service-name), "" when it has none.
std::string sliceServiceName(const nlohmann::json& slice);
// The ready addresses of a discovery.k8s.io/v1 EndpointSlice (conditions.ready absent counts as
// ready, as the API documents); only addressType IPv4.
std::vector<EndpointAddress> readyAddressesFrom(const nlohmann::json& slice);

}  // namespace mysqlop::local::names
