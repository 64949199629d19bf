#include "core/kube/cluster_access.h"

#include <nlohmann/json.hpp>

#include "core/kube/base64.h"

namespace mysqlop::kube {

using nlohmann::json;

namespace {

constexpr std::uint16_t kMysqlPort = 3306;

std::string notFoundMessage(const Resource& r, const std::string& name) {
  return r.groupResource() + " \"" + name + "\" not found";
}

Result<json> parseObject(const std::string& text, const char* what) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) {
    return fail(Errc::Invalid, std::string(what) + ": the object is not valid JSON");
  }
  return j;
}

std::string metaString(const json& obj, const char* field) {
  const auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) {
    return {};
  }
  return m->value(field, "");
}

Result<std::string> dumped(Result<json> r) {
  if (!r.ok()) {
    return r.error();
  }
  return r->dump();
}

// Why a pod cannot take MySQL traffic, or "" when it is ready.
std::string notReadyReason(const json& pod) {
  const auto meta = pod.find("metadata");
  if (meta != pod.end() && meta->is_object() && meta->contains("deletionTimestamp")) {
    return "terminating";
  }
  const auto status = pod.find("status");
  if (status == pod.end() || !status->is_object()) {
    return "no status";
  }
  bool ready = false;
  if (const auto conds = status->find("conditions"); conds != status->end() && conds->is_array()) {
    for (const auto& c : *conds) {
      if (c.is_object() && c.value("type", "") == "Ready") {
        ready = c.value("status", "") == "True";
      }
    }
  }
  if (!ready) {
    return "not Ready";
  }
  if (status->value("podIP", "").empty()) {
    return "no IP";
  }
  return {};
}

}  // namespace

Resource toResource(const host::ResourceRef& r) {
  return Resource{r.group, r.version, r.kind, r.plural, r.namespaced};
}

Result<EndpointMode> parseEndpointMode(const std::string& text) {
  if (text == "pod-ip") {
    return EndpointMode::PodIp;
  }
  if (text == "service-dns") {
    return EndpointMode::ServiceDns;
  }
  return fail(Errc::Invalid,
              "--mysql-endpoint-mode: expected pod-ip or service-dns, got \"" + text + "\"");
}

KubeClusterAccess::KubeClusterAccess(Client& client, InformerFactory* informers,
                                     EventRecorder* recorder, EndpointMode mode)
    : client_(client), informers_(informers), recorder_(recorder), mode_(mode) {}

const Informer* KubeClusterAccess::covering(const Resource& r, const std::string& ns) const {
  if (!informers_) {
    return nullptr;
  }
  const Informer* inf = informers_->find(r);
  if (!inf || !inf->hasSynced() || !inf->options().labelSelector.empty()) {
    return nullptr;
  }
  const std::string watched = inf->watchedNamespace();
  if (!watched.empty() && (!r.namespaced || ns != watched)) {
    return nullptr;
  }
  return inf;
}

bool KubeClusterAccess::servedFromCache(const Resource& r, const std::string& ns) const {
  return covering(r, ns) != nullptr;
}

Result<std::string> KubeClusterAccess::getText(const Resource& r, const std::string& ns,
                                               const std::string& name) {
  const std::string effectiveNs = r.namespaced ? ns : std::string();
  if (const Informer* inf = covering(r, effectiveNs)) {
    ObjectPtr o = inf->store().get(objectKey(effectiveNs, name));
    if (!o) {
      return fail(Errc::NotFound, notFoundMessage(r, name));
    }
    return o->json;
  }
  return dumped(client_.get(r, effectiveNs, name));
}

Result<json> KubeClusterAccess::getJson(const Resource& r, const std::string& ns,
                                        const std::string& name) {
  auto text = getText(r, ns, name);
  if (!text.ok()) {
    return text.error();
  }
  return parseObject(*text, "cached object");
}

Result<std::vector<json>> KubeClusterAccess::listJson(const Resource& r, const std::string& ns,
                                                      const std::string& labelSelector) {
  const std::string effectiveNs = r.namespaced ? ns : std::string();
  if (const Informer* inf = covering(r, effectiveNs)) {
    auto selector = LabelSelector::parse(labelSelector);
    if (!selector.ok()) {
      return selector.error();
    }
    std::vector<json> out;
    for (const ObjectPtr& o : inf->store().list(effectiveNs, &*selector)) {
      out.push_back(json::parse(o->json));
    }
    return out;
  }
  ListOptions lo;
  lo.labelSelector = labelSelector;
  return client_.list(r, effectiveNs, lo);
}

Result<std::string> KubeClusterAccess::get(const host::ResourceRef& ref, const std::string& ns,
                                           const std::string& name) {
  return getText(toResource(ref), ns, name);
}

Result<std::string> KubeClusterAccess::list(const host::ResourceRef& ref, const std::string& ns,
                                            const std::string& labelSelector) {
  const Resource r = toResource(ref);
  const std::string effectiveNs = r.namespaced ? ns : std::string();
  if (const Informer* inf = covering(r, effectiveNs)) {
    auto selector = LabelSelector::parse(labelSelector);
    if (!selector.ok()) {
      return selector.error();
    }
    // The cache holds JSON text already: join it without parsing.
    std::string out = "[";
    for (const ObjectPtr& o : inf->store().list(effectiveNs, &*selector)) {
      if (out.size() > 1) {
        out += ",";
      }
      out += o->json;
    }
    return out + "]";
  }
  ListOptions lo;
  lo.labelSelector = labelSelector;
  json arr = json::array();
  auto meta = client_.listAll(
      r, effectiveNs, lo,
      [&](json&& item) {
        if (!item.contains("kind")) {
          item["kind"] = r.kind;
        }
        if (!item.contains("apiVersion")) {
          item["apiVersion"] = r.apiVersion();
        }
        arr.push_back(std::move(item));
      },
      [&] { arr = json::array(); });
  if (!meta.ok()) {
    return meta.error();
  }
  return arr.dump();
}

Result<std::string> KubeClusterAccess::create(const host::ResourceRef& ref,
                                              const std::string& objectJson) {
  auto obj = parseObject(objectJson, "create");
  if (!obj.ok()) {
    return obj.error();
  }
  return dumped(client_.create(toResource(ref), *obj));
}

Result<std::string> KubeClusterAccess::update(const host::ResourceRef& ref,
                                              const std::string& objectJson) {
  auto obj = parseObject(objectJson, "update");
  if (!obj.ok()) {
    return obj.error();
  }
  return dumped(client_.update(toResource(ref), *obj));
}

Result<std::string> KubeClusterAccess::updateStatus(const host::ResourceRef& ref,
                                                    const std::string& objectJson) {
  auto obj = parseObject(objectJson, "update status");
  if (!obj.ok()) {
    return obj.error();
  }
  const Resource r = toResource(ref);
  bool hasSubresource = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hasSubresource = noStatusSubresource_.count(r) == 0;
  }
  if (hasSubresource) {
    auto res = client_.updateStatus(r, *obj);
    // A kind without a status subresource (MysqlBackup) answers 404 for the path itself, not
    // "<resource> "<name>" not found": then status is written with the object.
    if (!res.is(Errc::NotFound) ||
        res.error().message == notFoundMessage(r, metaString(*obj, "name"))) {
      return dumped(std::move(res));
    }
    std::lock_guard<std::mutex> lock(mu_);
    noStatusSubresource_.insert(r);
  }
  return dumped(client_.update(r, *obj));
}

Result<std::string> KubeClusterAccess::patch(const host::ResourceRef& ref, const std::string& ns,
                                             const std::string& name,
                                             const std::string& subresource, host::PatchKind kind,
                                             const std::string& patchBody,
                                             const std::string& fieldManager) {
  PatchType type = PatchType::Merge;
  switch (kind) {
    case host::PatchKind::Merge: type = PatchType::Merge; break;
    case host::PatchKind::Json: type = PatchType::Json; break;
    case host::PatchKind::Strategic: type = PatchType::Strategic; break;
    case host::PatchKind::Apply: type = PatchType::Apply; break;
  }
  PatchOptions po;
  po.subresource = subresource;
  po.fieldManager = fieldManager;
  po.force = type == PatchType::Apply;
  const Resource r = toResource(ref);
  return dumped(client_.patch(r, r.namespaced ? ns : std::string(), name, type, patchBody, po));
}

Result<void> KubeClusterAccess::remove(const host::ResourceRef& ref, const std::string& ns,
                                       const std::string& name, const std::string& propagation) {
  DeleteOptions o;
  o.propagationPolicy = propagation;
  const Resource r = toResource(ref);
  return client_.remove(r, r.namespaced ? ns : std::string(), name, o);
}

Result<void> KubeClusterAccess::recordEvent(const std::string& objectJson, const std::string& type,
                                            const std::string& reason, const std::string& message) {
  if (!recorder_) {
    return fail(Errc::Unavailable, "no Event recorder is configured");
  }
  return recorder_->record(objectJson, type, reason, message);
}

Result<std::string> KubeClusterAccess::readSecretValue(const std::string& ns,
                                                       const std::string& name,
                                                       const std::string& key) {
  const std::string what = "Secret " + ns + "/" + name;
  auto secret = getJson(resources::kSecrets, ns, name);
  if (!secret.ok()) {
    if (secret.is(Errc::NotFound)) {
      return fail(Errc::NotFound, what + " not found");
    }
    return fail(secret.code(), "reading " + what + ": " + secret.error().message);
  }
  const auto data = secret->find("data");
  if (data == secret->end() || !data->is_object() || !data->contains(key)) {
    return fail(Errc::NotFound, what + " has no key \"" + key + "\"");
  }
  const json& value = (*data)[key];
  auto decoded = value.is_string() ? decodeBase64(value.get<std::string>()) : std::nullopt;
  if (!decoded) {
    return fail(Errc::Invalid, what + ": the value of key \"" + key + "\" is not valid base64");
  }
  return std::move(*decoded);
}

Result<host::MysqlEndpoint> KubeClusterAccess::resolveMysqlEndpoint(const std::string& ns,
                                                                    const std::string& cluster,
                                                                    const std::string& pod) {
  if (!pod.empty()) {
    auto p = getJson(resources::kPods, ns, pod);
    if (!p.ok()) {
      if (p.is(Errc::NotFound)) {
        return fail(Errc::NotFound, "Pod " + ns + "/" + pod + " not found");
      }
      return p.error();
    }
    const json spec = p->value("spec", json::object());
    const std::string subdomain = spec.is_object() ? spec.value("subdomain", "") : "";
    if (mode_ == EndpointMode::ServiceDns && !subdomain.empty()) {
      return host::MysqlEndpoint{pod + "." + subdomain + "." + ns, kMysqlPort};
    }
    const json status = p->value("status", json::object());
    const std::string ip = status.is_object() ? status.value("podIP", "") : "";
    if (ip.empty()) {
      return fail(Errc::Unavailable, "Pod " + ns + "/" + pod + " has no IP yet (phase " +
                                         (status.is_object() ? status.value("phase", "unknown")
                                                             : std::string("unknown")) +
                                         ")");
    }
    return host::MysqlEndpoint{ip, kMysqlPort};
  }
  const std::string svcName = cluster + "-mysql-master";
  if (mode_ == EndpointMode::ServiceDns) {
    return host::MysqlEndpoint{svcName + "." + ns, kMysqlPort};
  }
  const std::string what = "Service " + ns + "/" + svcName;
  auto svc = getJson(resources::kServices, ns, svcName);
  if (!svc.ok()) {
    if (svc.is(Errc::NotFound)) {
      return fail(Errc::Unavailable, what + " not found");
    }
    return svc.error();
  }
  std::map<std::string, std::string> selectorMap;
  if (const auto spec = svc->find("spec"); spec != svc->end() && spec->is_object()) {
    if (const auto sel = spec->find("selector"); sel != spec->end() && sel->is_object()) {
      for (const auto& [k, v] : sel->items()) {
        if (v.is_string()) {
          selectorMap[k] = v.get<std::string>();
        }
      }
    }
  }
  if (selectorMap.empty()) {
    return fail(Errc::Unavailable, what + " has no selector");
  }
  const std::string selector = LabelSelector::fromMap(selectorMap).toString();
  auto pods = listJson(resources::kPods, ns, selector);
  if (!pods.ok()) {
    return fail(pods.code(), "listing the pods of " + what + ": " + pods.error().message);
  }
  std::vector<std::pair<std::string, std::string>> ready;  // name, ip
  std::string why;
  for (const json& p : *pods) {
    const std::string name = metaString(p, "name");
    const std::string reason = notReadyReason(p);
    if (reason.empty()) {
      ready.emplace_back(name, p["status"]["podIP"].get<std::string>());
    } else {
      why.append(why.empty() ? "" : ", ").append(name).append(": ").append(reason);
    }
  }
  if (ready.size() == 1) {
    return host::MysqlEndpoint{ready[0].second, kMysqlPort};
  }
  if (ready.empty()) {
    std::string msg = "no ready pod is selected by " + what + " (selector " + selector + "): ";
    if (pods->empty()) {
      msg += "no pod matches";
    } else {
      msg += pods->size() == 1 ? std::string("1 pod matches but is not ready (")
                               : std::to_string(pods->size()) + " pods match, none is ready (";
      msg += why + ")";
    }
    return fail(Errc::Unavailable, msg);
  }
  std::string names;
  for (const auto& [n, ip] : ready) {
    names += (names.empty() ? "" : ", ") + n;
  }
  return fail(Errc::Unavailable, what + " selects " + std::to_string(ready.size()) +
                                     " ready pods (" + names + "); expected one master");
}

}  // namespace mysqlop::kube
