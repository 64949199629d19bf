#pragma once

// The Kubernetes operations the MysqlDatabase and MysqlUser reconcilers need, behind a small
// interface: the plugins run it over the host's callbacks (CallGateway), and their reconcile
// logic can be exercised without a host.

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"
#include "plugins/common/mysql/client.h"

namespace mysqlop::mysql {

struct EndpointReply {
  mysqlop::Status status = mysqlop_status_Ok;
  Endpoint endpoint;
  std::string error;

  bool ok() const { return status == mysqlop_status_Ok; }
};

class KubeGateway {
 public:
  virtual ~KubeGateway() = default;

  virtual mysqlop::Reply get(const mysqlop_type_resource& r, std::string_view ns,
                             std::string_view name) = 0;
  // A JSON array of the objects of r in ns ("" = every namespace).
  virtual mysqlop::Reply list(const mysqlop_type_resource& r, std::string_view ns) = 0;
  virtual mysqlop::Reply update(const mysqlop_type_resource& r, const std::string& objectJson) = 0;
  virtual mysqlop::Reply updateStatus(const mysqlop_type_resource& r,
                                      const std::string& objectJson) = 0;
  virtual mysqlop::Reply readSecretValue(std::string_view ns, std::string_view name,
                                         std::string_view key) = 0;
  // The endpoint of a MysqlCluster's master.
  virtual EndpointReply resolveMaster(std::string_view ns, std::string_view cluster) = 0;
  // Best effort: a failure to record an Event never fails a reconcile.
  virtual void recordEvent(const nlohmann::json& obj, mysqlop_type_event_kind kind,
                           std::string_view reason, std::string_view message) = 0;
};

// Replaces obj (or its status) and, on success, sets obj to the object the server stored (with its
// new resourceVersion). Returns the server's answer.
mysqlop::Reply updateObject(KubeGateway& kube, const mysqlop_type_resource& r, nlohmann::json& obj);
mysqlop::Reply updateObjectStatus(KubeGateway& kube, const mysqlop_type_resource& r,
                                  nlohmann::json& obj);

// Ends a failed pass whose Ready=False status is already set on obj: saves that status when
// statusChanged (a failure to save is retried, naming `error`), records one Warning
// ProvisionFailed Event with eventMessage unless the outcome is terminal (the host records
// ReconcileFailed for those), and gives the outcome `error` as its message when it has none.
mysqlop::Outcome reportFailure(KubeGateway& kube, const mysqlop_type_resource& r,
                               std::string_view kindName, nlohmann::json& obj, bool statusChanged,
                               const std::string& error, std::string_view eventMessage,
                               mysqlop::Outcome outcome);

// Where reconcilers send their log lines (the host's logger in the plugins). Never given a secret.
using LogFn = std::function<void(mysqlop_type_log_level, const std::string&)>;

// KubeGateway over the host's callbacks for the duration of one hook call.
class CallGateway final : public KubeGateway {
 public:
  explicit CallGateway(mysqlop::Call& call) : call_(call) {}

  mysqlop::Reply get(const mysqlop_type_resource& r, std::string_view ns,
                     std::string_view name) override;
  mysqlop::Reply list(const mysqlop_type_resource& r, std::string_view ns) override;
  mysqlop::Reply update(const mysqlop_type_resource& r, const std::string& objectJson) override;
  mysqlop::Reply updateStatus(const mysqlop_type_resource& r,
                              const std::string& objectJson) override;
  mysqlop::Reply readSecretValue(std::string_view ns, std::string_view name,
                                 std::string_view key) override;
  EndpointReply resolveMaster(std::string_view ns, std::string_view cluster) override;
  void recordEvent(const nlohmann::json& obj, mysqlop_type_event_kind kind, std::string_view reason,
                   std::string_view message) override;

 private:
  mysqlop::Call& call_;
};

}  // namespace mysqlop::mysql
