#pragma once

// An in-memory stand-in for the Kubernetes side of the MysqlDatabase and MysqlUser reconcilers
// (mysql::KubeGateway), for tests of their reconcile logic against a real MariaDB. It keeps
// objects as JSON with resourceVersions (update and updateStatus refuse stale versions with
// Conflict), treats status as a subresource (update ignores it, updateStatus changes only it),
// deletes an object whose deletionTimestamp is set once its last finalizer is removed, and
// records Events. The end-to-end tests use the real API server instead (tests/integration).

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "plugins/common/mysql/kube_gateway.h"

namespace mysqlop::testing {

struct RecordedEvent {
  std::string object;  // namespace/name
  std::string type;    // Normal / Warning
  std::string reason;
  std::string message;
};

class MemoryKube : public mysql::KubeGateway {
 public:
  // ---- Test setup ----
  // Stores obj (apiVersion/kind/metadata filled in) and returns the stored copy.
  nlohmann::json put(const mysqlop_type_resource& r, nlohmann::json obj);
  // The stored object, or null JSON.
  nlohmann::json object(const mysqlop_type_resource& r, const std::string& ns,
                        const std::string& name) const;
  bool exists(const mysqlop_type_resource& r, const std::string& ns, const std::string& name) const;
  // kubectl delete: sets deletionTimestamp, or removes the object when it has no finalizers.
  void markDeleted(const mysqlop_type_resource& r, const std::string& ns, const std::string& name);
  void setSecret(const std::string& ns, const std::string& name,
                 const std::map<std::string, std::string>& data);
  void removeSecret(const std::string& ns, const std::string& name);
  void setMaster(const std::string& ns, const std::string& cluster, mysql::Endpoint endpoint);
  void clearMaster(const std::string& ns, const std::string& cluster);
  // A MysqlCluster with spec.secretName and the given Ready status.
  void putCluster(const std::string& ns, const std::string& name, const std::string& secretName,
                  bool ready, const std::string& mysqlVersion = "mariadb-10.11");
  // The next n calls of update / updateStatus answer Conflict.
  void conflictNext(int n) { conflicts_ = n; }
  std::vector<RecordedEvent> events() const;
  void clearEvents();

  // ---- KubeGateway ----
  mysqlop::Reply get(const mysqlop_type_resource& r, std::string_view ns,
                     std::string_view name) override;
  mysqlop::Reply list(const mysqlop_type_resource& r, std::string_view ns) override;
  mysqlop::Reply update(const mysqlop_type_resource& r, const std::string& objectJson) override;
  mysqlop::Reply updateStatus(const mysqlop_type_resource& r,
                              const std::string& objectJson) override;
  mysqlop::Reply readSecretValue(std::string_view ns, std::string_view name,
                                 std::string_view key) override;
  mysql::EndpointReply resolveMaster(std::string_view ns, std::string_view cluster) override;
  void recordEvent(const nlohmann::json& obj, mysqlop_type_event_kind kind, std::string_view reason,
                   std::string_view message) override;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // plural, ns, name
  static Key keyOf(const mysqlop_type_resource& r, std::string_view ns, std::string_view name);
  mysqlop::Reply write(const mysqlop_type_resource& r, const std::string& objectJson, bool status);

  mutable std::mutex mu_;
  std::map<Key, nlohmann::json> objects_;
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> secrets_;
  std::map<std::pair<std::string, std::string>, mysql::Endpoint> masters_;
  std::vector<RecordedEvent> events_;
  long long version_ = 1;
  long long uid_ = 1;
  int conflicts_ = 0;
};

}  // namespace mysqlop::testing
