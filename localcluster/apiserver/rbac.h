#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "localcluster/apiserver/api_error.h"
#include "localcluster/apiserver/user_info.h"

namespace mysqlop::local {

class Store;

// What one request asks to do (k8s.io/apiserver authorizer.Attributes).
struct AuthzAttributes {
  UserInfo user;
  std::string verb;  // get list watch create update patch delete deletecollection impersonate...
  bool resourceRequest = true;
  std::string apiGroup;
  std::string apiVersion;
  std::string resource;
  std::string subresource;
  std::string ns;  // "" for cluster scope
  std::string name;
  std::string path;  // non-resource requests: the URL path
};

// RBAC as kube-apiserver evaluates it (plugin/pkg/auth/authorizer/rbac): the rules of the
// ClusterRoles bound by ClusterRoleBindings apply everywhere; those bound by RoleBindings (to a
// Role of their namespace or a ClusterRole) apply in the binding's namespace. Non-resource rules
// count only through ClusterRoleBindings. The group system:masters is allowed everything (the
// privileged-group authorizer kube-apiserver puts first). Reads the bindings and roles from the
// store at each call: a change applies to the next request.
class RbacAuthorizer {
 public:
  explicit RbacAuthorizer(const Store& store) : store_(store) {}

  // True when allowed; otherwise *reason says why RBAC had no rule ("" or "RBAC: ...").
  bool authorize(const AuthzAttributes& a, std::string* reason) const;

  // The rules that apply to `user` in `ns` (SelfSubjectRulesReview): resource rules (with the
  // namespace's) and non-resource rules as PolicyRule JSON.
  void rulesFor(const UserInfo& user, const std::string& ns, nlohmann::json& resourceRules,
                nlohmann::json& nonResourceRules) const;

 private:
  // Calls visit(rule) for each rule bound to the user that applies in ns ("" = cluster scope);
  // stops when it answers true. Missing roles go to *errors.
  bool visitRules(const UserInfo& user, const std::string& ns,
                  const std::function<bool(const nlohmann::json& rule, bool fromCluster)>& visit,
                  std::vector<std::string>* errors) const;

  const Store& store_;
};

// One PolicyRule against the attributes (rbac/v1 helpers: VerbMatches, APIGroupMatches,
// ResourceMatches with "*/<sub>", ResourceNameMatches, NonResourceURLMatches with a trailing "*").
bool ruleAllows(const nlohmann::json& rule, const AuthzAttributes& a);
// Whether a RoleBinding/ClusterRoleBinding subject names the user (namespace: the binding's).
bool subjectMatches(const nlohmann::json& subject, const UserInfo& user, const std::string& ns);

// kube-apiserver's 403 for a denied request (endpoints/handlers/responsewriters.Forbidden):
//   pods "x" is forbidden: User "u" cannot get resource "pods" in API group "" in the namespace "n"
//   forbidden: User "u" cannot get path "/apis"
ApiError errForbiddenFor(const AuthzAttributes& a, const std::string& reason);

// The ClusterRoles and ClusterRoleBindings a new cluster has (bootstrap policy) that clients rely
// on: cluster-admin (bound to system:masters), system:discovery, system:basic-user and
// system:public-info-viewer (bound to system:authenticated). The aggregated roles (admin, edit,
// view) are not made: aggregation is not implemented.
std::vector<nlohmann::json> bootstrapClusterRoles();
std::vector<nlohmann::json> bootstrapClusterRoleBindings();

}  // namespace mysqlop::local
