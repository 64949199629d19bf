#include "plugins/common/mysql/cluster_link.h"

#include <nlohmann/json.hpp>

#include "plugins/common/kube/conditions.h"
#include "plugins/common/kube/resources.h"

namespace mysqlop::mysql {
namespace {

ClusterConnect problem(ClusterConnect::Problem p, std::string message) {
  ClusterConnect c;
  c.problem = p;
  c.message = std::move(message);
  return c;
}

}  // namespace

ClusterConnect ClusterConnector::connect(KubeGateway& kube, const ClusterRef& ref,
                                         bool requireReady) {
  using Problem = ClusterConnect::Problem;
  const std::string what = "MysqlCluster " + ref.key();
  mysqlop::Reply got = kube.get(kube::res::kMysqlCluster, ref.ns, ref.name);
  if (got.notFound()) {
    return problem(Problem::ClusterNotFound, what + " not found");
  }
  if (!got.ok()) {
    return problem(Problem::Failed, "reading " + what + ": " + got.error);
  }
  nlohmann::json cluster = nlohmann::json::parse(got.data, nullptr, false);
  if (!cluster.is_object()) {
    return problem(Problem::Failed, "reading " + what + ": the object is not JSON");
  }
  auto objectAt = [&](const char* key) {
    auto it = cluster.find(key);
    return it != cluster.end() && it->is_object() ? *it : nlohmann::json::object();
  };
  const nlohmann::json status = objectAt("status");
  if (requireReady &&
      kube::conditionStatus(status.value("conditions", nlohmann::json()), "Ready") != "True") {
    return problem(Problem::NotReady, "cluster is not ready");
  }
  const nlohmann::json spec = objectAt("spec");
  std::string typeError;
  auto secretName = stringField(spec, "secretName", "spec.secretName", &typeError);
  if (!secretName || secretName->empty()) {
    return problem(Problem::Failed, what + " has no spec.secretName");
  }
  mysqlop::Reply password = kube.readSecretValue(ref.ns, *secretName, "ROOT_PASSWORD");
  if (password.notFound()) {
    return problem(Problem::Failed,
                   "ROOT_PASSWORD not set in secret " + ref.ns + "/" + *secretName);
  }
  if (!password.ok()) {
    return problem(Problem::Failed, "reading ROOT_PASSWORD from secret " + ref.ns + "/" +
                                        *secretName + ": " + password.error);
  }
  EndpointReply master = kube.resolveMaster(ref.ns, ref.name);
  if (!master.ok()) {
    return problem(Problem::Failed, "no master endpoint for " + what + ": " + master.error);
  }
  auto lease = pool_.acquire(master.endpoint, Credentials{"root", password.data});
  if (!lease.ok()) {
    if (lease.error().kind == SqlError::Kind::Unreachable) {
      pool_.closeIdle(master.endpoint);
    }
    return problem(Problem::Failed, lease.error().message);
  }
  VersionParse version = parseServerInfo((*lease)->serverInfo());
  if (!version.ok()) {
    std::string ignored;
    version = parseServerVersion(
        stringField(spec, "mysqlVersion", "spec.mysqlVersion", &ignored).value_or(""),
        stringField(spec, "image", "spec.image", &ignored).value_or(""));
  }
  if (!version.ok()) {
    return problem(Problem::Failed, what + ": " + version.error);
  }
  ClusterConnect c;
  c.session.emplace(ClusterSession{std::move(*lease), Dialect(*version.version)});
  return c;
}

}  // namespace mysqlop::mysql
