// Small shared helpers of the kubelet: times, pod references, Events, object lookups.
#include <ctime>
#include <iomanip>
#include <sstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/kube/client.h"
#include "core/kube/event_recorder.h"
#include "core/kube/informer.h"
#include "localcluster/kubelet/kubelet_internal.h"
#include "localcluster/node/command.h"

namespace mysqlop::local::kubelet {

using nlohmann::json;

std::string LocalVersions::of(const ImageProfile& profile) {
  if (profile.localVersionCommand.empty()) {
    return "";
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = bySource_.find(profile.source); it != bySource_.end()) {
    return it->second;
  }
  node::CommandSpec spec;
  spec.argv = profile.localVersionCommand;
  spec.timeout = std::chrono::seconds(10);
  auto out = node::runCommand(spec);
  std::string version;
  if (out.ok() && out->exitCode == 0) {
    version = findVersionNumber(out->output);
  } else {
    spdlog::warn("kubelet: {} ({}) gives no version: {}", profile.localVersionCommand[0],
                 profile.source, out.ok() ? out->output : out.error().message);
  }
  bySource_[profile.source] = version;
  return version;
}

std::string rfc3339(SystemTime t) { return kube::formatTime(t); }

std::optional<SystemTime> parseRfc3339(const std::string& s) {
  std::tm tm{};
  std::istringstream in(s);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

json podReference(const json& pod) {
  const json meta = pod.value("metadata", json::object());
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", meta.value("name", "")},
            {"namespace", meta.value("namespace", "")},
            {"uid", meta.value("uid", "")}}}};
}

std::string podDescription(const json& pod) {
  const json meta = pod.value("metadata", json::object());
  return meta.value("name", "") + "_" + meta.value("namespace", "") + "(" + meta.value("uid", "") +
         ")";
}

void recordEvent(const KubeletContext& ctx, const json& pod, const std::string& type,
                 const std::string& reason, const std::string& message) {
  spdlog::debug("kubelet: pod {}: {} {}: {}", podDescription(pod), type, reason, message);
  if (ctx.events == nullptr) {
    return;
  }
  auto r = ctx.events->record(podReference(pod), type, reason, message);
  if (!r.ok()) {
    spdlog::warn("kubelet: event {} of pod {} not written: {}", reason, podDescription(pod),
                 r.error().message);
  }
}

namespace {

std::optional<json> lookup(kube::Client* client, kube::Informer* informer, const kube::Resource& r,
                           const std::string& ns, const std::string& name) {
  if (informer != nullptr) {
    if (auto o = informer->store().get(kube::objectKey(ns, name)); o != nullptr) {
      return json::parse(o->json);
    }
  }
  auto got = client->get(r, ns, name);
  if (got.ok()) {
    return *got;
  }
  return std::nullopt;
}

}  // namespace

Lookups KubeletContext::lookups(const json& pod) const {
  Lookups l;
  l.nodeAllocatableCpu = allocatableCpu;
  l.nodeAllocatableMemory = allocatableMemory;
  l.nodeAllocatableEphemeralStorage = allocatableStorage;
  if (services != nullptr) {
    std::vector<json> list;
    const std::string ns = pod.value("metadata", json::object()).value("namespace", "");
    if (auto master = services->store().get("default/kubernetes"); master != nullptr) {
      list.push_back(json::parse(master->json));
    }
    for (const auto& o : services->store().list(ns)) {
      list.push_back(json::parse(o->json));
    }
    l.serviceEnv = serviceEnv(pod, list);
  }
  l.warning = [this, pod](const std::string& reason, const std::string& message) {
    recordEvent(*this, pod, "Warning", reason, message);
  };
  l.configMap = [this](const std::string& ns, const std::string& name) {
    return lookup(client, configMaps, kube::resources::kConfigMaps, ns, name);
  };
  l.secret = [this](const std::string& ns, const std::string& name) {
    return lookup(client, secrets, kube::resources::kSecrets, ns, name);
  };
  return l;
}

}  // namespace mysqlop::local::kubelet
