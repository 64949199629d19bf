#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "core/common/result.h"
#include "localcluster/apiserver/api_error.h"
#include "localcluster/apiserver/faults.h"
#include "localcluster/apiserver/http_types.h"
#include "localcluster/apiserver/lifecycle.h"
#include "localcluster/apiserver/pod_streams.h"
#include "localcluster/apiserver/rbac.h"
#include "localcluster/apiserver/resources.h"
#include "localcluster/apiserver/sa_token.h"
#include "localcluster/apiserver/service_ips.h"
#include "localcluster/apiserver/store.h"

namespace mysqlop::local {

// The Kubernetes API served from a Store: routing, discovery, the verbs, watches, the admin
// paths. Transport-independent: the HTTP layer (http_server.h) turns requests into ApiRequest.
class ApiServer : private ObjectWriter {
 public:
  struct Options {
    std::string dataDir;
    std::size_t historyLimit = 20000;
    int bookmarkIntervalSeconds = 60;
    int maxWatchSeconds = 1800;
    std::string serverAddress = "127.0.0.1:6443";  // for /api serverAddressByClientCIDRs
    // ClusterIPs come from here; the first address is the kubernetes Service's. Must lie in
    // 198.18.0.0/15 (service_ips.h says what else open() refuses).
    std::string serviceCidr = "198.19.0.0/16";
    // Longest lifetime TokenRequest grants (0: what is asked). kube-apiserver's
    // --service-account-max-token-expiration, without its one-hour minimum so that tests can
    // watch the kubelet rotate tokens.
    long long maxTokenSeconds = 0;
  };

  ApiServer();
  ~ApiServer() override;
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  Result<void> open(const Options& options);
  // Ends every watch and the background controllers; requests after this fail with 503.
  void shutdown();

  // Serves one authenticated request. Watches write through `stream` and set response.streamed.
  void handle(const ApiRequest& request, ApiResponse& response, WatchStream* stream);

  Store& store() { return store_; }
  Registry& registry() { return registry_; }
  const Ipv4Cidr& serviceCidr() const { return ipAllocator_.cidr(); }
  Faults& faults() { return faults_; }
  int openWatches() const { return openWatches_.load(); }
  // True once shutdown() began.
  bool stopping() const { return stopping_.load(); }
  void setServerAddress(const std::string& address) { options_.serverAddress = address; }
  // The node side of pods/log, pods/exec and pods/portforward (the kubelet); null until one is
  // set: those requests then fail with 503 as when kube-apiserver cannot reach a kubelet. Set it
  // before serving; it must outlive the server.
  void setPodStreams(PodStreams* streams) { podStreams_.store(streams); }
  PodStreams* podStreams() const { return podStreams_.load(); }
  // The user of a service-account token (a JWT from TokenRequest) whose ServiceAccount, and pod
  // when bound to one, still exist with the token's uids; nullopt otherwise (401).
  std::optional<UserInfo> authenticateServiceAccount(const std::string& bearerToken) const;
  // The user a request acts as: its own, or the one it impersonates once the requester may
  // (the verb impersonate on users, groups, serviceaccounts). Throws ApiException 403.
  UserInfo effectiveUser(const ApiRequest& request) const;
  // Throws the 403 kube-apiserver answers when `user` may not do `a` (a.user is replaced).
  void authorize(const UserInfo& user, AuthzAttributes a) const;
  const RbacAuthorizer& rbac() const { return rbac_; }
  // One pass of the lifecycle controllers now, beside their own thread (tests, benchmarks).
  void runLifecyclePass();

  // What the write paths below take and give (handlers share them).
  using Compute = std::function<nlohmann::json(const nlohmann::json& current)>;
  struct UpdateResult {
    ObjPtr object;          // stored object (or the current one for a no-op)
    nlohmann::json answer;  // what the response shows (the request object for a final delete)
    bool created = false;
    bool deleted = false;
  };
  struct DeleteOptions {
    std::string propagationPolicy;  // "" = the kind's default
    std::optional<long long> gracePeriodSeconds;
    std::string preconditionUid;
    std::string preconditionRv;
    bool dryRun = false;
  };
  struct DeleteResult {
    ObjPtr object;
    bool deletedNow = false;
  };

 private:
  // What a request path names.
  struct Target {
    enum class Kind {
      NotFound,
      Version,
      Health,
      Api,
      ApiGroupList,
      ApiGroup,
      ResourceList,
      OpenApiV3Root,
      OpenApiV3Doc,
      OpenApiV2,
      Admin,
      Resource
    };
    Kind kind = Kind::NotFound;
    std::string group;
    std::string version;
    ResourceTypePtr rt;
    std::string ns;  // "" for cluster-scoped resources and all-namespace collections
    std::string name;
    std::string sub;  // "status", "scale", "finalize", ...
  };

  // Routing and discovery (routes.cpp, discovery.cpp).
  Target route(const ApiRequest& request) const;
  void serveResource(const Target& t, const ApiRequest& req, ApiResponse& resp,
                     WatchStream* stream);
  void serveDiscovery(const Target& t, const ApiRequest& req, ApiResponse& resp) const;
  nlohmann::json resourceList(const std::string& group, const std::string& version) const;
  nlohmann::json openApiRoot() const;
  nlohmann::json openApiDocument(const std::string& group, const std::string& version) const;
  // /openapi/v2: every custom kind and ObjectMeta, converted from the v3 documents (openapi_v2.h).
  nlohmann::json openApiV2() const;
  void serveAdmin(const ApiRequest& req, ApiResponse& resp);

  // Authorization, reviews and tokens (access.cpp, access_reviews.cpp).
  AuthzAttributes attributesOf(const Target& t, const ApiRequest& req) const;
  void serveReview(const Target& t, const ApiRequest& req, const UserInfo* user, ApiResponse& resp);
  void tokenRequest(const Target& t, const ApiRequest& req, ApiResponse& resp);
  // The default ClusterRoles/Bindings and each namespace's "default" ServiceAccount (as
  // kube-controller-manager's serviceaccount controller makes it).
  void ensureBootstrapPolicy();
  void ensureDefaultServiceAccount(const std::string& ns);

  // Reads (handlers_read.cpp).
  void getObject(const Target& t, const ApiRequest& req, ApiResponse& resp);
  void listObjects(const Target& t, const ApiRequest& req, ApiResponse& resp);
  // Watches (handlers_watch.cpp).
  void watchObjects(const Target& t, const ApiRequest& req, WatchStream& stream);

  // Writes (handlers_create.cpp, handlers_update.cpp, handlers_delete.cpp, subresources.cpp).
  void createObject(const Target& t, const ApiRequest& req, ApiResponse& resp);
  void updateObject(const Target& t, const ApiRequest& req, ApiResponse& resp);
  void patchObject(const Target& t, const ApiRequest& req, ApiResponse& resp);
  void deleteObject(const Target& t, const ApiRequest& req, ApiResponse& resp);
  void deleteCollection(const Target& t, const ApiRequest& req, ApiResponse& resp);
  void getScale(const Target& t, ApiResponse& resp);
  void writeScale(const Target& t, const ApiRequest& req, ApiResponse& resp);
  void finalizeNamespace(const Target& t, const ApiRequest& req, ApiResponse& resp);
  void bindPod(const Target& t, const ApiRequest& req, ApiResponse& resp);  // pod_binding.cpp
  // pods/log (pod_log.cpp): text/plain through `stream`, or in resp without one.
  void podLog(const Target& t, const ApiRequest& req, ApiResponse& resp, WatchStream* stream);

  // The write paths of every verb. They throw ApiException with the Status the client would get.
  UpdateResult doCreate(const ResourceType& rt, const std::string& ns, nlohmann::json obj,
                        bool dryRun, const std::string& fieldValidation);
  UpdateResult doUpdate(const ResourceType& rt, const std::string& ns, const std::string& name,
                        const std::string& subresource, const Compute& compute, bool isPut,
                        bool dryRun, const std::string& fieldValidation);
  DeleteResult doDelete(const ResourceType& rt, const std::string& ns, const std::string& name,
                        const DeleteOptions& options);

  // ObjectWriter: the lifecycle controllers' way to these paths.
  void remove(const ResourceType& rt, const std::string& ns, const std::string& name,
              const std::string& propagationPolicy) override;
  void rewrite(const ResourceType& rt, const std::string& ns, const std::string& name,
               const std::string& subresource, const Compute& compute) override;

  // Rules shared by the write paths (object_rules.cpp).
  void checkWriteFault(const ResourceType& rt, const std::string& name);
  void prepareForCreate(const ResourceType& rt, nlohmann::json& obj);
  // `ips` holds a ClusterIP allocated for a Service until the write that stores it is over.
  void finishObject(const ResourceType& rt, const nlohmann::json* old, nlohmann::json& obj,
                    const std::string& fieldValidation, ServiceIpAllocator::Reservation& ips);
  void assignClusterIp(const nlohmann::json* old, nlohmann::json& obj,
                       ServiceIpAllocator::Reservation& ips);
  // Creates or repairs default/kubernetes (ClusterIP .1, port 443 "https", no selector).
  void ensureKubernetesService();
  void validateObject(const ResourceType& rt, const nlohmann::json* old, const nlohmann::json& obj);
  void checkNamespaceForCreate(const ResourceType& rt, const std::string& ns,
                               const std::string& name);
  void afterWrite(const ResourceType& rt, const ObjPtr& obj, bool deleted);

  Options options_;
  ServiceAccountTokens saTokens_;
  // Atomic: the cluster sets it once its kubelet exists, after the HTTP front started serving.
  std::atomic<PodStreams*> podStreams_{nullptr};
  Store store_;
  Registry registry_;
  Faults faults_;
  std::atomic<int> openWatches_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> closeWatchesGen_{0};
  std::atomic<std::uint64_t> bookmarkGen_{0};
  std::atomic<std::uint64_t> ipCounter_{0};  // NodePorts
  ServiceIpAllocator ipAllocator_;
  std::unique_ptr<Lifecycle> lifecycle_;
  RbacAuthorizer rbac_{store_};
};

// Small helpers shared by the handler files.
std::string nowRfc3339();
std::string nowRfc3339Micro();
std::string newUid();
// A Content-Type without its parameters: "application/merge-patch+json; charset=utf-8" ->
// "application/merge-patch+json".
std::string mediaType(const std::string& contentType);
std::string metaString(const nlohmann::json& obj, const char* field);
nlohmann::json parseBody(const std::string& body);  // 400 on malformed JSON
void answerJson(ApiResponse& resp, int code, const nlohmann::json& body);
void answerObject(ApiResponse& resp, int code, const ObjPtr& obj, const ResourceType& rt);
void answerError(ApiResponse& resp, const ApiError& error);
// The object as served under the requested version (CRDs with several served versions).
nlohmann::json asServed(const nlohmann::json& obj, const ResourceType& rt);

}  // namespace mysqlop::local
