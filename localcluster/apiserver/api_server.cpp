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
  std::error_code ec;
  std::filesystem::create_directories(options.dataDir, ec);
  if (ec) {
    return fail(Errc::Unavailable, "cannot create " + options.dataDir + ": " + ec.message());
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
    switch (t.kind) {
      case Target::Kind::Resource: serveResource(t, req, resp, stream); break;
      case Target::Kind::Admin: serveAdmin(req, resp); break;
      case Target::Kind::NotFound: answerError(resp, errPathNotFound()); break;
      default:
        if (req.method != "GET" && req.method != "HEAD") {
          raise(errMethodNotAllowed());
        }
        serveDiscovery(t, resp);
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
