#include "localcluster/apiserver/api_server.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <thread>

#include "localcluster/apiserver/lifecycle.h"

namespace mysqlop::local {

using nlohmann::json;

ApiServer::ApiServer() = default;

ApiServer::~ApiServer() { shutdown(); }

namespace {

json namespaceObject(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
}

}  // namespace

Result<void> ApiServer::open(const Options& options) {
  options_ = options;
  auto cidr = Ipv4Cidr::parse(options.serviceCidr);
  if (!cidr.ok()) {
    return cidr.error();
  }
  ipAllocator_.configure(*cidr,
                         [this](const std::string& ip) { return store_.clusterIpInUse(ip); });
  std::error_code ec;
  std::filesystem::create_directories(options.dataDir, ec);
  if (ec) {
    return fail(Errc::Unavailable, "cannot create " + options.dataDir + ": " + ec.message());
  }
  if (auto r = saTokens_.loadOrCreateKey(options.dataDir); !r.ok()) {
    return r;
  }
  Store::Options so;
  so.path = (std::filesystem::path(options.dataDir) / "state.db").string();
  so.historyLimit = options.historyLimit;
  if (auto r = store_.open(so); !r.ok()) {
    return r;
  }
  // Serve the CRDs stored before a restart.
  auto crds = store_.list("apiextensions.k8s.io/customresourcedefinitions", "");
  for (const auto& crd : crds.items) {
    try {
      registry_.applyCrd(crd->json);
    } catch (const std::exception& e) {
      spdlog::warn("cannot serve stored CRD {}: {}", metaString(crd->json, "name"), e.what());
    }
  }
  // The namespaces every cluster has.
  auto nsType = registry_.find("", "v1", "namespaces");
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    if (store_.get(nsType->storageKey(), "", ns)) {
      continue;
    }
    try {
      doCreate(*nsType, "", namespaceObject(ns), false, "");
    } catch (const ApiException& e) {
      return fail(Errc::Internal, std::string("cannot create namespace ") + ns + ": " + e.what());
    }
  }
  try {
    ensureBootstrapPolicy();
  } catch (const ApiException& e) {
    return fail(Errc::Internal, std::string("cannot create the default RBAC policy: ") + e.what());
  }
  for (const auto& ns : store_.list(nsType->storageKey(), "").items) {
    if (!ns->json["metadata"].contains("deletionTimestamp")) {
      ensureDefaultServiceAccount(metaString(ns->json, "name"));
    }
  }
  try {
    ensureKubernetesService();
  } catch (const ApiException& e) {
    return fail(Errc::Internal, std::string("cannot create the kubernetes Service: ") + e.what());
  }
  lifecycle_ = std::make_unique<Lifecycle>(store_, registry_, static_cast<ObjectWriter&>(*this));
  lifecycle_->start();
  return {};
}

void ApiServer::shutdown() {
  if (stopping_.exchange(true)) {
    return;
  }
  if (lifecycle_) {
    lifecycle_->stop();
  }
  store_.wakeAll();
  // Watches notice stopping_ within their wait period; give them a moment to end cleanly.
  for (int i = 0; i < 200 && openWatches_.load() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void ApiServer::ensureKubernetesService() {
  // As kube-apiserver's controlplane reconciler: the Service that in-cluster clients find the API
  // through (its Endpoints are the business of whoever knows the reachable address).
  auto rt = registry_.find("", "v1", "services");
  const std::string ip = formatIpv4(ipAllocator_.cidr().first());
  const json ports =
      json::array({{{"name", "https"}, {"port", 443}, {"protocol", "TCP"}, {"targetPort", 6443}}});
  json want = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata",
       {{"name", "kubernetes"},
        {"namespace", "default"},
        {"labels", {{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
      {"spec",
       {{"type", "ClusterIP"}, {"clusterIP", ip}, {"ports", ports}, {"sessionAffinity", "None"}}}};
  ObjPtr cur = store_.get(rt->storageKey(), "default", "kubernetes");
  if (cur && cur->json["spec"].value("clusterIP", "") != ip) {
    // From another Service CIDR (a restart with a new --service-cidr, or the old 10.96 range):
    // the address is immutable, so the Service is made again.
    spdlog::info("default/kubernetes had ClusterIP {}: recreating it with {}",
                 cur->json["spec"].value("clusterIP", ""), ip);
    DeleteOptions opts;
    opts.propagationPolicy = "Background";
    opts.gracePeriodSeconds = 0;
    doDelete(*rt, "default", "kubernetes", opts);
    cur = store_.get(rt->storageKey(), "default", "kubernetes");
    if (cur) {
      spdlog::warn("default/kubernetes is held by finalizers: it keeps its old ClusterIP");
      return;
    }
  }
  if (!cur) {
    doCreate(*rt, "default", want, false, "");
    return;
  }
  const json& spec = cur->json["spec"];
  if (spec.value("ports", json::array()) == ports && !spec.contains("selector") &&
      spec.value("type", "") == "ClusterIP") {
    return;
  }
  doUpdate(
      *rt, "default", "kubernetes", "",
      [&](const json& old) {
        json obj = old;
        obj["spec"]["ports"] = ports;
        obj["spec"]["type"] = "ClusterIP";
        obj["spec"].erase("selector");
        return obj;
      },
      false, false, "");
}

void ApiServer::runLifecyclePass() {
  Lifecycle pass(store_, registry_, *this);  // not started: the one pass only
  pass.runOnce();
}

void ApiServer::remove(const ResourceType& rt, const std::string& ns, const std::string& name,
                       const std::string& propagationPolicy) {
  DeleteOptions opts;
  opts.propagationPolicy = propagationPolicy;
  doDelete(rt, ns, name, opts);
}

void ApiServer::rewrite(const ResourceType& rt, const std::string& ns, const std::string& name,
                        const std::string& subresource, const Compute& compute) {
  doUpdate(rt, ns, name, subresource, compute, false, false, "");
}

void ApiServer::handle(const ApiRequest& req, ApiResponse& resp, WatchStream* stream) {
  try {
    if (stopping_.load()) {
      raise(errGeneric(503, "ServiceUnavailable", "the server is shutting down"));
    }
    Target t = route(req);
    if (t.kind != Target::Kind::Admin) {
      if (int ms = faults_.delayMs(); ms > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      }
    }
    // Authorization (access.cpp): requests from outside the process carry their user; the admin
    // paths were restricted to the admin token by the HTTP front.
    std::optional<UserInfo> user;
    if (req.user && t.kind != Target::Kind::Admin) {
      user = effectiveUser(req);
      authorize(*user, attributesOf(t, req));
    }
    if (t.kind == Target::Kind::Resource && t.rt->createOnly) {
      serveReview(t, req, user ? &*user : nullptr, resp);
      return;
    }
    if (t.kind == Target::Kind::Resource && t.sub == "token" && !t.name.empty() &&
        t.rt->group.empty() && t.rt->plural == "serviceaccounts") {
      tokenRequest(t, req, resp);
      return;
    }
    switch (t.kind) {
      case Target::Kind::Resource: serveResource(t, req, resp, stream); break;
      case Target::Kind::Admin: serveAdmin(req, resp); break;
      case Target::Kind::NotFound: answerError(resp, errPathNotFound()); break;
      default:
        if (req.method != "GET" && req.method != "HEAD") {
          raise(errMethodNotAllowed());
        }
        serveDiscovery(t, req, resp);
        break;
    }
  } catch (const ApiException& e) {
    answerError(resp, e.error());
  } catch (const json::exception& e) {
    answerError(resp, errBadRequest(e.what()));
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", req.method, req.path, e.what());
    answerError(resp, errInternal(e.what()));
  }
}

}  // namespace mysqlop::local
