#pragma once

// Reaching a MysqlCluster's master as root, as bitpoke's MysqlDatabase and MysqlUser controllers
// do: the cluster object (it must be Ready to provision), ROOT_PASSWORD from its spec.secretName,
// the master endpoint from the host (resolve_mysql_endpoint), and a pooled connection. The SQL
// dialect follows the version the server reports, falling back to spec.mysqlVersion / spec.image.

#include <optional>
#include <string>

#include "plugins/common/mysql/dialect.h"
#include "plugins/common/mysql/kube_gateway.h"
#include "plugins/common/mysql/mysql_object.h"
#include "plugins/common/mysql/pool.h"

namespace mysqlop::mysql {

struct ClusterSession {
  ConnectionPool::Lease conn;
  Dialect dialect;
};

struct ClusterConnect {
  enum class Problem {
    None,
    ClusterNotFound,  // the MysqlCluster does not exist
    NotReady,         // it exists but is not Ready=True
    Failed,           // anything else: secret, endpoint, connection
  };
  Problem problem = Problem::None;
  std::string message;
  std::optional<ClusterSession> session;

  bool ok() const { return problem == Problem::None; }
};

class ClusterConnector {
 public:
  explicit ClusterConnector(ConnectionPool& pool) : pool_(pool) {}

  // Connects to the master of ref. With requireReady, a cluster whose Ready condition is not
  // True gives NotReady ("cluster is not ready", bitpoke's message) without connecting.
  ClusterConnect connect(KubeGateway& kube, const ClusterRef& ref, bool requireReady);

 private:
  ConnectionPool& pool_;
};

}  // namespace mysqlop::mysql
