#include "plugins/orchestrator/src/failover_lease.h"

namespace mysqlop::orchestrator {

using nlohmann::json;

std::string failoverLeaseName(const std::string& cluster) { return cluster + "-mysql-failover"; }

LeaseRead readFailoverLease(mysqlop::Call& call, const std::string& ns,
                            const std::string& cluster) {
  LeaseRead out;
  mysqlop::Reply r = call.get(kLease, ns, failoverLeaseName(cluster));
  if (r.notFound()) {
    out.ok = true;
    return out;
  }
  if (!r.ok()) {
    out.error = "reading Lease " + ns + "/" + failoverLeaseName(cluster) + ": " + r.error;
    return out;
  }
  const json lease = json::parse(r.data, nullptr, false);
  const json meta = lease.is_object() ? lease.value("metadata", json::object()) : json::object();
  if (!meta.is_object()) {
    out.error = "Lease " + ns + "/" + failoverLeaseName(cluster) + " is not an object";
    return out;
  }
  out.ok = true;
  out.exists = true;
  out.resourceVersion = meta.value("resourceVersion", "");
  const json ann = meta.value("annotations", json::object());
  auto it = ann.is_object() ? ann.find(kFailoverStateAnnotation) : ann.end();
  if (!ann.is_object() || it == ann.end() || !it->is_string()) {
    return out;  // a Lease without state (made by hand, or emptied): the default
  }
  std::string why;
  if (auto s = decodeState(it->get<std::string>(), &why)) {
    out.state = *s;
  } else {
    out.badState = why;
  }
  return out;
}

WriteResult writeFailoverLease(mysqlop::Call& call, const json& cluster, const FailoverState& state,
                               std::string* resourceVersion, std::string* error) {
  const json meta = cluster.value("metadata", json::object());
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  json lease = {
      {"apiVersion", "coordination.k8s.io/v1"},
      {"kind", "Lease"},
      {"metadata",
       {{"name", failoverLeaseName(name)},
        {"namespace", ns},
        {"labels", {{"mysql.presslabs.org/cluster", name}}},
        {"annotations", {{kFailoverStateAnnotation, encodeState(state)}}},
        // Garbage collected with the cluster; blockOwnerDeletion false and no finalizer: a
        // deletion of the MysqlCluster never waits on this object.
        {"ownerReferences",
         json::array({{{"apiVersion", cluster.value("apiVersion", "mysql.presslabs.org/v1alpha1")},
                       {"kind", "MysqlCluster"},
                       {"name", name},
                       {"uid", meta.value("uid", "")},
                       {"controller", false},
                       {"blockOwnerDeletion", false}}})}}},
      // Only the annotation carries meaning: the Lease is a versioned record here, not a lock
      // with a holder (the operator's leader election is the lock).
      {"spec", {{"holderIdentity", "mysql-operator-orchestrator"}}}};
  mysqlop::Reply w;
  if (resourceVersion->empty()) {
    w = call.create(kLease, lease.dump());
  } else {
    lease["metadata"]["resourceVersion"] = *resourceVersion;
    w = call.update(kLease, lease.dump());
  }
  if (w.ok()) {
    const json written = json::parse(w.data, nullptr, false);
    *resourceVersion = written.is_object()
                           ? written.value("metadata", json::object()).value("resourceVersion", "")
                           : "";
    return WriteResult::Written;
  }
  *error = (resourceVersion->empty() ? "creating" : "updating") + std::string(" Lease ") + ns +
           "/" + failoverLeaseName(name) + ": " + w.error;
  if (w.status == mysqlop_status_Conflict || w.status == mysqlop_status_AlreadyExists ||
      w.notFound()) {
    return WriteResult::Conflict;  // someone else wrote (or deleted) it since it was read
  }
  return WriteResult::Failed;
}

}  // namespace mysqlop::orchestrator
