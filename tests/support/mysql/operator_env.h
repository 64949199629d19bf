#pragma once

// An end-to-end environment for the database and user plugins: the project's local API server
// with the CRDs, a real mariadbd on 127.0.0.X:3306 standing for the master pod of a MysqlCluster
// "c" in namespace "e2e" (the MysqlCluster marked Ready, its Secret with ROOT_PASSWORD, the Service
// c-mysql-master and a Ready Pod whose podIP is the mariadbd's address), and the real
// mysql-operator process running only the database and user plugins against that API server.
//
//   mysqlop::testing::MysqlOperatorEnv env;
//   env.start({});                                 // throws std::runtime_error on failure
//   env.create("mysqldatabases", {...});           // POST into namespace e2e
//   ASSERT_TRUE(MYSQLOP_EVENTUALLY(env.ready("mysqldatabases", "db")));  // wait/eventually.h
//   env.db().query("SHOW DATABASES");

#include <sys/types.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/kube/local_api_server.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::testing {

class MysqlOperatorEnv {
 public:
  struct Options {
    nlohmann::json databaseConfig = nlohmann::json::object();  // plugin `config`
    nlohmann::json userConfig = nlohmann::json::object();
    std::vector<std::string> extraArgs;  // e.g. --allow-cross-namespace-user
    bool metrics = false;                // serve /metrics on a free loopback port
  };

  static constexpr const char* kNamespace = "e2e";
  static constexpr const char* kCluster = "c";

  MysqlOperatorEnv();
  ~MysqlOperatorEnv();
  MysqlOperatorEnv(const MysqlOperatorEnv&) = delete;
  MysqlOperatorEnv& operator=(const MysqlOperatorEnv&) = delete;

  void start(const Options& options);
  void stopOperator();
  void startOperator();

  LocalApiServer& api() { return api_; }
  MariaDbServer& db() { return *db_; }
  const std::string& dir() const { return dir_; }
  std::string operatorLog() const;
  // The operator's /metrics text (Options::metrics), or "" when it does not answer.
  std::string metrics() const;

  // API calls; paths are relative to /apis/mysql.presslabs.org/v1alpha1/namespaces/e2e/ for the
  // mysql kinds (plural given) and to /api/v1/namespaces/e2e/ for core kinds.
  static std::string path(const std::string& plural, const std::string& name = "",
                          const std::string& ns = kNamespace);
  HttpResult call(const std::string& method, const std::string& fullPath,
                  const nlohmann::json& body = nullptr,
                  const std::string& contentType = "application/json");
  nlohmann::json create(const std::string& plural, const nlohmann::json& obj,
                        const std::string& ns = kNamespace);
  nlohmann::json get(const std::string& plural, const std::string& name,
                     const std::string& ns = kNamespace);
  bool exists(const std::string& plural, const std::string& name,
              const std::string& ns = kNamespace);
  nlohmann::json mergePatch(const std::string& plural, const std::string& name,
                            const nlohmann::json& patch, const std::string& ns = kNamespace);
  void remove(const std::string& plural, const std::string& name,
              const std::string& ns = kNamespace);
  // A Secret of string data (sent base64-encoded).
  void putSecret(const std::string& name, const std::map<std::string, std::string>& data,
                 const std::string& ns = kNamespace);
  // Sets MysqlCluster c's Ready condition through the status subresource.
  void setClusterReady(bool ready);

  // The object's Ready condition status ("True"/"False"/"") and message.
  std::string readyStatus(const std::string& plural, const std::string& name);
  std::string readyMessage(const std::string& plural, const std::string& name);
  bool ready(const std::string& plural, const std::string& name) {
    return readyStatus(plural, name) == "True";
  }

 private:
  void applyCrds();
  void createClusterObjects();

  Options options_;
  LocalApiServer api_;
  std::unique_ptr<MariaDbServer> db_;
  std::string dir_;
  pid_t operator_ = -1;
  std::uint16_t metricsPort_ = 0;
  int launches_ = 0;
};

}  // namespace mysqlop::testing
