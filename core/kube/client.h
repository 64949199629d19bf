#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/kube/http_transport.h"
#include "core/kube/resource.h"
#include "core/kube/transport.h"

namespace mysqlop::metrics {
class Registry;
class Family;
}  // namespace mysqlop::metrics

namespace mysqlop::kube {

enum class PatchType { Merge, Json, Strategic, Apply };

struct ListOptions {
  std::string labelSelector;
  std::string fieldSelector;
  std::string resourceVersion;       // "" = most recent, "0" = any
  std::string resourceVersionMatch;  // "", "NotOlderThan" or "Exact"
  std::int64_t limit = 0;            // 0 = no paging
  std::string continueToken;
};

struct ListMeta {
  std::string resourceVersion;
  std::string continueToken;
};

struct PatchOptions {
  std::string subresource;   // "" or "status", "scale"
  std::string fieldManager;  // required for Apply
  bool force = false;        // Apply only: take over fields owned by other managers
};

struct DeleteOptions {
  // "Background" (default: also for Jobs, whose server default is Orphan), "Foreground", "Orphan".
  std::string propagationPolicy;
  std::optional<std::string> preconditionUid;
  std::optional<std::string> preconditionResourceVersion;
  std::optional<std::int64_t> gracePeriodSeconds;
};

struct WatchOptions {
  std::string labelSelector;
  std::string fieldSelector;
  std::string resourceVersion;
  bool allowBookmarks = true;
  int timeoutSeconds = 0;  // 0 = the server's default
};

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK, ERROR
  std::shared_ptr<nlohmann::json> object;
};

// One watch stream. next() blocks for the next event; false means the server ended the stream.
class WatchStream {
 public:
  explicit WatchStream(std::unique_ptr<HttpStream> s) : stream_(std::move(s)) {}
  Result<bool> next(WatchEvent* event);
  void cancel() { stream_->cancel(); }

 private:
  std::unique_ptr<HttpStream> stream_;
};

// Typed-less access to the API server: resources by group/version/kind(plural), objects as JSON.
// Non-2xx answers become failures whose Errc follows the Status reason and whose message is the
// server's message (kube-api.md section 5). Thread-safe.
class Client {
 public:
  // registry may be null; otherwise requests are counted in mysqlop_rest_client_requests_total
  // {verb,code} and timed in mysqlop_rest_client_request_duration_seconds{verb}.
  // transport: an HttpTransport, or any other Transport (an in-process one for the local cluster).
  explicit Client(std::shared_ptr<Transport> transport, metrics::Registry* registry = nullptr);
  ~Client();

  static std::string collectionPath(const Resource& r, const std::string& ns);
  static std::string itemPath(const Resource& r, const std::string& ns, const std::string& name,
                              const std::string& subresource = "");

  Result<nlohmann::json> get(const Resource& r, const std::string& ns, const std::string& name,
                             const std::string& subresource = "");

  // One page. Items are handed to onItem one by one while the body is parsed, so that a large
  // list never exists twice in memory.
  Result<ListMeta> listPage(const Resource& r, const std::string& ns, const ListOptions& options,
                            const std::function<void(nlohmann::json&&)>& onItem);
  // Every page (limit 500 unless options.limit says otherwise), following continue tokens; an
  // expired token restarts as one unpaged list, as client-go's pager does, after calling
  // onRestart so that the caller drops the items it already received.
  Result<ListMeta> listAll(const Resource& r, const std::string& ns, ListOptions options,
                           const std::function<void(nlohmann::json&&)>& onItem,
                           const std::function<void()>& onRestart);
  Result<std::vector<nlohmann::json>> list(const Resource& r, const std::string& ns,
                                           const ListOptions& options = {});

  // The namespace comes from the object's metadata.namespace (required for namespaced kinds).
  Result<nlohmann::json> create(const Resource& r, const nlohmann::json& object);
  // PUT with the object's metadata.resourceVersion: a stale one fails with Errc::Conflict.
  Result<nlohmann::json> update(const Resource& r, const nlohmann::json& object,
                                const std::string& subresource = "");
  Result<nlohmann::json> updateStatus(const Resource& r, const nlohmann::json& object);
  Result<nlohmann::json> patch(const Resource& r, const std::string& ns, const std::string& name,
                               PatchType type, const std::string& body,
                               const PatchOptions& options = {});
  Result<void> remove(const Resource& r, const std::string& ns, const std::string& name,
                      const DeleteOptions& options = {});
  Result<std::unique_ptr<WatchStream>> watch(const Resource& r, const std::string& ns,
                                             const WatchOptions& options);

  Transport& transport() { return *transport_; }

 private:
  Result<HttpResponse> call(const char* verb, HttpRequest request);
  Result<nlohmann::json> callJson(const char* verb, HttpRequest request);

  std::shared_ptr<Transport> transport_;
  metrics::Family* requests_ = nullptr;
  metrics::Family* latency_ = nullptr;
};

// Calls f until it does not fail with Errc::Conflict, at most `attempts` times (client-go's
// retry.RetryOnConflict with its default of 5 steps, minus the sleeps: f re-reads the object).
Result<nlohmann::json> retryOnConflict(const std::function<Result<nlohmann::json>()>& f,
                                       int attempts = 5);

// Percent-encodes a query value or path segment (RFC 3986 unreserved characters kept).
std::string urlEncode(const std::string& s);

}  // namespace mysqlop::kube
