#pragma once

// The observer against the local API server and real mariadbd (no kubelet): three servers on
// 127.0.0.X:3306 as the pods of a cluster (pod 0 the master, pods 1 and 2 its GTID replicas,
// joined by IP with the orchestrator's own initNode, users from the sidecar's init-file), and
// MysqlClusters whose pods are API objects with those addresses as podIP, Running and Ready. The
// real operator runs with only the orchestrator plugin. Several clusters may share the servers
// (the benchmark). Throws std::runtime_error on a failed step.

#include <sys/types.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/kube/local_api_server.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::testing::orchestrator {

inline constexpr const char* kNamespace = "obs";

class ObserverEnv {
 public:
  ObserverEnv();  // the servers and the API server with the MysqlCluster CRD and the namespace
  ~ObserverEnv();
  ObserverEnv(const ObserverEnv&) = delete;
  ObserverEnv& operator=(const ObserverEnv&) = delete;

  void startOperator(int pollSeconds);
  // extraConfig: more keys of the plugin's config, as YAML flow entries ("auditPath: /x").
  void startOperator(int pollSeconds, const std::string& extraConfig);
  void stopOperator();
  pid_t operatorPid() const { return operator_; }
  std::string operatorLog() const;
  // The operator's /metrics text ("" when it does not answer).
  std::string metrics() const;

  // The operated Secret (unless withoutSecret), the MysqlCluster and `replicas` pods on the
  // servers (pod i on server i % 3), Running and Ready.
  void createCluster(const std::string& name, int replicas, bool withoutSecret = false);
  // A one-pod cluster (with its Secret) whose pod is Running, not Ready, at podIp.
  void createUnreadyCluster(const std::string& name, const std::string& podIp);
  nlohmann::json pod(const std::string& name) const;
  nlohmann::json cluster(const std::string& name) const;
  void patchCluster(const std::string& name, const nlohmann::json& mergePatch) const;
  // The status of a node condition of a cluster ("" when absent).
  std::string nodeCondition(const std::string& cluster, int ordinal, const std::string& type) const;

  MariaDbServer& server(int i) { return *servers_[static_cast<std::size_t>(i)]; }
  LocalApiServer& api() { return api_; }
  // SHOW SLAVE STATUS statements the three servers ran (one per probe).
  long long probes() const;
  // A GET on the operator's metrics address (where the plugin routes are served); status 0 when
  // it does not answer.
  struct HttpAnswer {
    int status = 0;
    std::string contentType;
    std::string body;
  };
  HttpAnswer get(const std::string& path) const;
  const std::string& dir() const { return dir_.path(); }

 private:
  nlohmann::json request(const std::string& method, const std::string& path,
                         const nlohmann::json& body = nullptr,
                         const std::string& contentType = "application/json") const;

  std::vector<std::unique_ptr<MariaDbServer>> servers_;
  LocalApiServer api_;
  TempDir dir_;
  pid_t operator_ = -1;
};

}  // namespace mysqlop::testing::orchestrator
