#pragma once

#include <mutex>
#include <set>
#include <string>

#include "core/host/cluster_access.h"
#include "core/kube/client.h"
#include "core/kube/event_recorder.h"
#include "core/kube/informer_factory.h"

namespace mysqlop::kube {

enum class EndpointMode { PodIp, ServiceDns };

// Parses "pod-ip" or "service-dns".
Result<EndpointMode> parseEndpointMode(const std::string& text);

// The plugin host's view of Kubernetes (host::ClusterAccess) over the client, the shared
// informers and the Event recorder:
//  - get and list come from an informer's cache when one covers the request (synced, watching
//    that namespace or all, without a label filter), else from the API server;
//  - writes go through the client; server-side apply always forces (controllers own their
//    fields);
//  - updateStatus falls back to a whole-object update for kinds without a status subresource;
//  - resolveMysqlEndpoint finds the master through the Service <cluster>-mysql-master.
class KubeClusterAccess final : public host::ClusterAccess {
 public:
  KubeClusterAccess(Client& client, InformerFactory* informers, EventRecorder* recorder,
                    EndpointMode mode = EndpointMode::PodIp);

  Result<std::string> get(const host::ResourceRef& r, const std::string& ns,
                          const std::string& name) override;
  Result<std::string> list(const host::ResourceRef& r, const std::string& ns,
                           const std::string& labelSelector) override;
  Result<std::string> create(const host::ResourceRef& r, const std::string& objectJson) override;
  Result<std::string> update(const host::ResourceRef& r, const std::string& objectJson) override;
  Result<std::string> updateStatus(const host::ResourceRef& r,
                                   const std::string& objectJson) override;
  Result<std::string> patch(const host::ResourceRef& r, const std::string& ns,
                            const std::string& name, const std::string& subresource,
                            host::PatchKind kind, const std::string& patch,
                            const std::string& fieldManager) override;
  Result<void> remove(const host::ResourceRef& r, const std::string& ns, const std::string& name,
                      const std::string& propagation) override;
  Result<void> recordEvent(const std::string& objectJson, const std::string& type,
                           const std::string& reason, const std::string& message) override;
  Result<std::string> readSecretValue(const std::string& ns, const std::string& name,
                                      const std::string& key) override;
  Result<host::MysqlEndpoint> resolveMysqlEndpoint(const std::string& ns,
                                                   const std::string& cluster,
                                                   const std::string& pod) override;

  // Whether get/list of r in ns would be served from a cache (for tests).
  bool servedFromCache(const Resource& r, const std::string& ns) const;

 private:
  const Informer* covering(const Resource& r, const std::string& ns) const;
  // A JSON object as text, from the cache or the API server.
  Result<std::string> getText(const Resource& r, const std::string& ns, const std::string& name);
  Result<nlohmann::json> getJson(const Resource& r, const std::string& ns, const std::string& name);
  Result<std::vector<nlohmann::json>> listJson(const Resource& r, const std::string& ns,
                                               const std::string& labelSelector);

  Client& client_;
  InformerFactory* informers_;
  EventRecorder* recorder_;
  EndpointMode mode_;
  std::mutex mu_;
  std::set<Resource> noStatusSubresource_;
};

Resource toResource(const host::ResourceRef& r);

}  // namespace mysqlop::kube
