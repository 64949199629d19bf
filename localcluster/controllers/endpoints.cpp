// The Endpoints/EndpointSlice sync (README.md, "Endpoints and EndpointSlices").
#include "localcluster/controllers/endpoints.h"

#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "core/kube/client.h"
#include "core/kube/informer_factory.h"
#include "core/kube/selector.h"
#include "localcluster/controllers/resources.h"

namespace mysqlop::local::controllers {

namespace {

// The Service's selector, or nullopt for a Service without one (its endpoints are the user's).
std::optional<kube::LabelSelector> serviceSelector(const json& service) {
  const json selector = service["spec"].value("selector", json::object());
  if (!selector.is_object() || selector.empty()) {
    return std::nullopt;
  }
  std::map<std::string, std::string> labels;
  for (auto it = selector.begin(); it != selector.end(); ++it) {
    if (it->is_string()) {
      labels[it.key()] = it->get<std::string>();
    }
  }
  return kube::LabelSelector::fromMap(labels);
}

bool headless(const json& service) { return str(service["spec"], "clusterIP") == "None"; }

// The labels both kinds copy from the Service.
json serviceLabels(const json& service) {
  json labels = service["metadata"].value("labels", json::object());
  if (headless(service)) {
    labels["service.kubernetes.io/headless"] = "";
  }
  return labels;
}

}  // namespace

EndpointsController::EndpointsController(kube::Client& client, int workers)
    : Controller("endpoints", workers), client_(client) {}

void EndpointsController::enqueueServicesOf(const kube::ObjectPtr& pod) {
  std::vector<std::string> keys;
  {
    std::lock_guard<std::mutex> lock(selectorsMu_);
    auto ns = selectors_.find(pod->namespaceName);
    if (ns == selectors_.end()) {
      return;
    }
    for (const auto& [name, selector] : ns->second) {
      if (selector.matches(pod->labels)) {
        keys.push_back(keyOf(pod->namespaceName, name));
      }
    }
  }
  for (const auto& k : keys) {
    enqueue(k);
  }
}

void EndpointsController::rememberSelector(const kube::ObjectPtr& service, bool deleted) {
  std::optional<kube::LabelSelector> selector;
  if (!deleted) {
    selector = serviceSelector(parseObject(service));
  }
  std::lock_guard<std::mutex> lock(selectorsMu_);
  auto& ns = selectors_[service->namespaceName];
  if (selector) {
    ns[service->name] = std::move(*selector);
  } else {
    ns.erase(service->name);
  }
}

void EndpointsController::registerHandlers(kube::InformerFactory& informers) {
  services_ = cache(informers, res::kServices);
  pods_ = cache(informers, res::kPods);
  endpoints_ = cache(informers, res::kEndpoints);
  slices_ = cache(informers, res::kEndpointSlices);
  kube::EventHandlers own;
  own.onAdd = [this](const kube::ObjectPtr& o) {
    rememberSelector(o, false);
    enqueue(o->key());
  };
  own.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& o) {
    rememberSelector(o, false);
    enqueue(o->key());
  };
  own.onDelete = [this](const kube::ObjectPtr& o) {
    rememberSelector(o, true);
    enqueue(o->key());
  };
  services_->addHandlers(own);
  kube::EventHandlers pods;
  pods.onAdd = [this](const kube::ObjectPtr& o) { enqueueServicesOf(o); };
  pods.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& o) {
    // Old labels too: a pod that stopped matching leaves the Services it was in.
    enqueueServicesOf(o);
    if (old->labels != o->labels) {
      enqueueServicesOf(old);
    }
  };
  pods.onDelete = [this](const kube::ObjectPtr& o) { enqueueServicesOf(o); };
  pods_->addHandlers(pods);
  // Someone else's change to what we write is repaired.
  kube::EventHandlers written;
  written.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& o) {
    enqueue(o->key());
  };
  written.onDelete = [this](const kube::ObjectPtr& o) { enqueue(o->key()); };
  endpoints_->addHandlers(written);
  kube::EventHandlers slices;
  auto sliceOwner = [this](const kube::ObjectPtr& o) {
    for (const auto& [k, v] : o->labels) {
      if (k == kServiceNameLabel) {
        enqueue(keyOf(o->namespaceName, v));
      }
    }
  };
  slices.onAdd = sliceOwner;
  slices.onUpdate = [sliceOwner](const kube::ObjectPtr&, const kube::ObjectPtr& o) {
    sliceOwner(o);
  };
  slices.onDelete = sliceOwner;
  slices_->addHandlers(slices);
}

Result<void> EndpointsController::sync(const std::string& key) {
  const auto [ns, name] = splitKey(key);
  auto cached = services_->store().get(key);
  if (!cached) {
    // Endpoints carry no ownerReference: they go with their Service here. Slices go through
    // the garbage collector (their ownerReference).
    expectations_.forget(key);
    if (endpoints_->store().get(key)) {
      auto r = client_.remove(res::kEndpoints, ns, name);
      if (!r.ok() && !r.is(Errc::NotFound)) {
        return r;
      }
    }
    return {};
  }
  const json service = parseObject(cached);
  auto selector = serviceSelector(service);
  if (!selector || isTerminating(service)) {
    return {};
  }
  std::vector<json> pods;
  for (const auto& p : pods_->store().list(ns, &*selector)) {
    pods.push_back(parseObject(p));
  }
  const auto endpoints = podEndpoints(service, pods);
  auto e = syncEndpoints(service, endpoints);
  if (!e.ok()) {
    return e;
  }
  return syncSlices(key, service, endpoints);
}

Result<void> EndpointsController::syncEndpoints(const json& service,
                                                const std::vector<PodEndpoint>& endpoints) {
  const std::string ns = metaString(service, "namespace");
  const std::string name = metaString(service, "name");
  const json subsets = endpointSubsets(service, endpoints);
  const json labels = serviceLabels(service);
  auto cached = endpoints_->store().get(keyOf(ns, name));
  if (!cached) {
    json ep = {{"apiVersion", "v1"},
               {"kind", "Endpoints"},
               {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
               {"subsets", subsets}};
    auto r = client_.create(res::kEndpoints, ep);
    if (!r.ok() && !r.is(Errc::AlreadyExists)) {
      return r.error();
    }
    return {};
  }
  json ep = parseObject(cached);
  const json oldSubsets = ep.value("subsets", json::array());
  const json oldLabels = ep["metadata"].value("labels", json::object());
  if (oldSubsets == subsets && oldLabels == labels) {
    return {};
  }
  ep["subsets"] = subsets;
  ep["metadata"]["labels"] = labels;
  auto r = client_.update(res::kEndpoints, ep);
  if (!r.ok()) {
    return r.error();
  }
  return {};
}

Result<void> EndpointsController::syncSlices(const std::string& key, const json& service,
                                             const std::vector<PodEndpoint>& endpoints) {
  const std::string ns = metaString(service, "namespace");
  const std::string name = metaString(service, "name");
  const std::string uid = metaString(service, "uid");
  const bool settled = expectations_.satisfied(
      key, [&](const std::string& n) { return slices_->store().get(keyOf(ns, n)) == nullptr; });
  if (!settled) {
    enqueueAfter(key, std::chrono::seconds(1));
    return {};
  }
  json labels = serviceLabels(service);
  labels[kServiceNameLabel] = name;
  labels[kManagedByLabel] = kManagedBy;

  // Our slices of this Service, by their port set (several when a set has over 100 endpoints).
  std::map<std::string, std::vector<json>> existing;
  std::vector<json> extra;
  for (const auto& o : slices_->store().list(ns)) {
    json slice = parseObject(o);
    const auto l = labelsOf(slice);
    auto svc = l.find(kServiceNameLabel);
    auto by = l.find(kManagedByLabel);
    if (svc == l.end() || svc->second != name || by == l.end() || by->second != kManagedBy) {
      continue;
    }
    const std::string ports = slice.value("ports", json::array()).dump();
    if (controllerUid(slice) != uid) {
      extra.push_back(std::move(slice));  // a former Service's of the same name
    } else {
      existing[ports].push_back(std::move(slice));
    }
  }
  for (const json& content : sliceContents(service, endpoints)) {
    const std::string ports = content["ports"].dump();
    auto it = existing.find(ports);
    if (it == existing.end() || it->second.empty()) {
      json slice = {{"apiVersion", "discovery.k8s.io/v1"},
                    {"kind", "EndpointSlice"},
                    {"metadata",
                     {{"generateName", name + "-"},
                      {"namespace", ns},
                      {"labels", labels},
                      {"ownerReferences", json::array({controllerRef("v1", "Service", service)})}}},
                    {"addressType", "IPv4"},
                    {"endpoints", content["endpoints"]},
                    {"ports", content["ports"]}};
      auto r = client_.create(res::kEndpointSlices, slice);
      if (!r.ok()) {
        return r.error();
      }
      expectations_.expect(key, metaString(*r, "name"));
      continue;
    }
    json slice = std::move(it->second.back());
    it->second.pop_back();
    if (slice.value("endpoints", json::array()) == content["endpoints"] &&
        slice["metadata"].value("labels", json::object()) == labels) {
      continue;
    }
    slice["endpoints"] = content["endpoints"];
    slice["metadata"]["labels"] = labels;
    auto r = client_.update(res::kEndpointSlices, slice);
    if (!r.ok()) {
      return r.error();
    }
  }
  for (auto& [ports, left] : existing) {
    for (auto& slice : left) {
      extra.push_back(std::move(slice));
    }
  }
  for (const auto& slice : extra) {
    auto r = client_.remove(res::kEndpointSlices, ns, metaString(slice, "name"));
    if (!r.ok() && !r.is(Errc::NotFound)) {
      return r;
    }
  }
  return {};
}

}  // namespace mysqlop::local::controllers
