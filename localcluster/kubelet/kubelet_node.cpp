// The Node "local": registration with the machine's capacity, the Lease heartbeat, and the
// Ready condition's lastHeartbeatTime.
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/kube/client.h"
#include "localcluster/kubelet/kubelet_internal.h"
#include "localcluster/node/network.h"

namespace mysqlop::local::kubelet {

using nlohmann::json;

namespace {

const char* kLeaseNamespace = "kube-node-lease";

std::string firstLineOf(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// MemTotal of /proc/meminfo in KiB, as the kubelet reports memory capacity ("16314528Ki").
std::string memoryCapacity() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  long long kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemTotal:") {
      return std::to_string(kib) + "Ki";
    }
  }
  return "0";
}

std::string storageCapacity(const std::string& dir) {
  struct statvfs s {};
  if (statvfs(dir.c_str(), &s) != 0) {
    return "0";
  }
  unsigned long long bytes = static_cast<unsigned long long>(s.f_blocks) * s.f_frsize;
  return std::to_string(bytes / 1024) + "Ki";
}

std::string osImage() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
        v = v.substr(1, v.size() - 2);
      }
      return v;
    }
  }
  return "Linux";
}

json readyCondition(const std::string& now) {
  return {{"type", "Ready"},          {"status", "True"},
          {"reason", "KubeletReady"}, {"message", "kubelet is posting ready status"},
          {"lastHeartbeatTime", now}, {"lastTransitionTime", now}};
}

json pressureCondition(const char* type, const char* reason, const char* message,
                       const std::string& now) {
  return {{"type", type},       {"status", "False"},        {"reason", reason},
          {"message", message}, {"lastHeartbeatTime", now}, {"lastTransitionTime", now}};
}

json nodeStatus(const KubeletContext& ctx) {
  std::string now = rfc3339(std::chrono::system_clock::now());
  json capacity = machineCapacity(ctx.options.dataDir);
  struct utsname u {};
  uname(&u);
  return {
      {"capacity", capacity},
      {"allocatable", capacity},
      {"conditions", json::array({pressureCondition("MemoryPressure", "KubeletHasSufficientMemory",
                                                    "kubelet has sufficient memory available", now),
                                  pressureCondition("DiskPressure", "KubeletHasNoDiskPressure",
                                                    "kubelet has no disk pressure", now),
                                  pressureCondition("PIDPressure", "KubeletHasSufficientPID",
                                                    "kubelet has sufficient PID available", now),
                                  readyCondition(now)})},
      {"addresses", json::array({{{"type", "InternalIP"}, {"address", ctx.hostIp}},
                                 {{"type", "Hostname"}, {"address", ctx.options.nodeName}}})},
      {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 0}}}}},
      {"nodeInfo",
       {{"machineID", firstLineOf("/etc/machine-id")},
        {"systemUUID", firstLineOf("/etc/machine-id")},
        {"bootID", firstLineOf("/proc/sys/kernel/random/boot_id")},
        {"kernelVersion", u.release},
        {"osImage", osImage()},
        {"containerRuntimeVersion", "local-process://0.1.0"},
        {"kubeletVersion", "v1.30.0-local"},
        {"kubeProxyVersion", "v1.30.0-local"},
        {"operatingSystem", "linux"},
        {"architecture", u.machine == std::string("aarch64") ? "arm64" : "amd64"}}}};
}

json nodeObject(const KubeletContext& ctx) {
  const std::string& name = ctx.options.nodeName;
  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata",
                {{"name", name},
                 {"labels",
                  {{"kubernetes.io/hostname", name},
                   {"kubernetes.io/os", "linux"},
                   {"kubernetes.io/arch", "amd64"},
                   {"node-role.kubernetes.io/control-plane", ""}}}}},
               {"spec", json::object()}};
  if (ctx.network != nullptr) {
    const auto& subnets = ctx.network->subnets();
    node["spec"]["podCIDR"] = subnets.podSubnet;
    node["spec"]["podCIDRs"] = json::array({subnets.podSubnet});
  }
  node["status"] = nodeStatus(ctx);
  return node;
}

// Keeps each condition's lastTransitionTime when its status did not change.
void keepTransitionTimes(json& fresh, const json& old) {
  for (auto& c : fresh["conditions"]) {
    for (const auto& o : old.value("conditions", json::array())) {
      if (o.value("type", "") == c.value("type", "") &&
          o.value("status", "") == c.value("status", "")) {
        c["lastTransitionTime"] = o.value("lastTransitionTime", c.value("lastTransitionTime", ""));
      }
    }
  }
}

}  // namespace

json machineCapacity(const std::string& dataDir) {
  unsigned cpus = std::thread::hardware_concurrency();
  return {{"cpu", std::to_string(cpus == 0 ? 1 : cpus)},
          {"memory", memoryCapacity()},
          {"pods", "110"},
          {"ephemeral-storage", storageCapacity(dataDir)}};
}

Result<void> registerNode(const KubeletContext& ctx) {
  json node = nodeObject(ctx);
  auto created = ctx.client->create(res::kNodes, node);
  if (created.ok()) {
    // The server may drop status on create (it is a subresource): write it once more.
    json withStatus = *created;
    withStatus["status"] = node["status"];
    auto st = ctx.client->updateStatus(res::kNodes, withStatus);
    if (!st.ok()) {
      return st.error();
    }
  } else if (created.is(Errc::AlreadyExists)) {
    // A Node of an earlier `up`: take it over (labels, podCIDR and status are ours).
    auto r = kube::retryOnConflict([&]() -> Result<json> {
      auto cur = ctx.client->get(res::kNodes, "", ctx.options.nodeName);
      if (!cur.ok()) {
        return cur.error();
      }
      json updated = *cur;
      for (auto& [k, v] : node["metadata"]["labels"].items()) {
        updated["metadata"]["labels"][k] = v;
      }
      if (!updated.contains("spec") || !updated["spec"].is_object()) {
        updated["spec"] = json::object();
      }
      updated["spec"].update(node["spec"]);
      auto u = ctx.client->update(res::kNodes, updated);
      if (!u.ok()) {
        return u.error();
      }
      json status = node["status"];
      keepTransitionTimes(status, cur->value("status", json::object()));
      json withStatus = *u;
      withStatus["status"] = status;
      return ctx.client->updateStatus(res::kNodes, withStatus);
    });
    if (!r.ok()) {
      return r.error();
    }
  } else {
    return created.error();
  }
  auto ns = ctx.client->create(
      kube::resources::kNamespaces,
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kLeaseNamespace}}}});
  if (!ns.ok() && !ns.is(Errc::AlreadyExists)) {
    return ns.error();
  }
  return heartbeatLease(ctx);
}

Result<void> heartbeatLease(const KubeletContext& ctx) {
  std::string now = rfc3339(std::chrono::system_clock::now());
  // MicroTime: the Lease's renewTime has microseconds.
  if (now.size() > 1 && now.back() == 'Z') {
    now = now.substr(0, now.size() - 1) + ".000000Z";
  }
  auto r = kube::retryOnConflict([&]() -> Result<json> {
    auto cur = ctx.client->get(kube::resources::kLeases, kLeaseNamespace, ctx.options.nodeName);
    if (cur.is(Errc::NotFound)) {
      json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                    {"kind", "Lease"},
                    {"metadata", {{"name", ctx.options.nodeName}, {"namespace", kLeaseNamespace}}},
                    {"spec",
                     {{"holderIdentity", ctx.options.nodeName},
                      {"leaseDurationSeconds", 40},
                      {"renewTime", now}}}};
      return ctx.client->create(kube::resources::kLeases, lease);
    }
    if (!cur.ok()) {
      return cur.error();
    }
    json lease = *cur;
    lease["spec"]["holderIdentity"] = ctx.options.nodeName;
    lease["spec"]["leaseDurationSeconds"] = 40;
    lease["spec"]["renewTime"] = now;
    return ctx.client->update(kube::resources::kLeases, lease);
  });
  if (!r.ok()) {
    return r.error();
  }
  return {};
}

Result<void> heartbeatNodeStatus(const KubeletContext& ctx) {
  auto r = kube::retryOnConflict([&]() -> Result<json> {
    auto cur = ctx.client->get(res::kNodes, "", ctx.options.nodeName);
    if (cur.is(Errc::NotFound)) {
      // Deleted behind our back (kubectl delete node): register again, as the kubelet does.
      auto again = registerNode(ctx);
      if (!again.ok()) {
        return again.error();
      }
      return json::object();
    }
    if (!cur.ok()) {
      return cur.error();
    }
    json status = nodeStatus(ctx);
    keepTransitionTimes(status, cur->value("status", json::object()));
    json updated = *cur;
    updated["status"] = status;
    return ctx.client->updateStatus(res::kNodes, updated);
  });
  if (!r.ok()) {
    return r.error();
  }
  return {};
}

}  // namespace mysqlop::local::kubelet
