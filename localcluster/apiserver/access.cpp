// Authentication of service-account tokens, impersonation, and the RBAC check of each request.
#include <spdlog/spdlog.h>

#include <chrono>

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/query_params.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "metadata.name=x" (alone, or among other terms) in a fieldSelector: kube-apiserver authorizes
// such a list or watch as one on the named object, so that resourceNames rules allow it.
std::string nameFromFieldSelector(const std::string& selector) {
  std::size_t i = 0;
  while (i <= selector.size()) {
    std::size_t j = selector.find(',', i);
    std::string term = selector.substr(i, j == std::string::npos ? std::string::npos : j - i);
    for (const char* prefix : {"metadata.name==", "metadata.name="}) {
      if (term.rfind(prefix, 0) == 0) {
        return term.substr(std::string(prefix).size());
      }
    }
    if (j == std::string::npos) {
      break;
    }
    i = j + 1;
  }
  return "";
}

std::string lower(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

}  // namespace

std::optional<UserInfo> ApiServer::authenticateServiceAccount(const std::string& bearer) const {
  auto claims = saTokens_.verify(bearer, unixNow());
  if (!claims.ok()) {
    return std::nullopt;
  }
  ObjPtr sa = store_.get("/serviceaccounts", claims->ns, claims->serviceAccount);
  if (!sa || sa->json["metadata"].contains("deletionTimestamp") ||
      (!claims->serviceAccountUid.empty() &&
       metaString(sa->json, "uid") != claims->serviceAccountUid)) {
    spdlog::debug("token of service account {}/{} refused: the account is gone", claims->ns,
                  claims->serviceAccount);
    return std::nullopt;
  }
  if (!claims->podName.empty()) {
    ObjPtr pod = store_.get("/pods", claims->ns, claims->podName);
    if (!pod || metaString(pod->json, "uid") != claims->podUid ||
        pod->json["metadata"].contains("deletionTimestamp")) {
      spdlog::debug("token of service account {}/{} refused: pod {} is gone", claims->ns,
                    claims->serviceAccount, claims->podName);
      return std::nullopt;
    }
  }
  return serviceAccountUser(claims->ns, claims->serviceAccount, claims->serviceAccountUid);
}

void ApiServer::authorize(const UserInfo& user, AuthzAttributes a) const {
  a.user = user;
  std::string reason;
  if (!rbac_.authorize(a, &reason)) {
    raise(errForbiddenFor(a, reason));
  }
}

UserInfo ApiServer::effectiveUser(const ApiRequest& req) const {
  const UserInfo& self = *req.user;
  if (req.impersonateUser.empty()) {
    if (!req.impersonateGroups.empty()) {
      raise(errInternal("requested [" + req.impersonateGroups.front() +
                        "] without impersonating a user"));
    }
    return self;
  }
  AuthzAttributes a;
  a.verb = "impersonate";
  std::string ns;
  std::string name;
  UserInfo as;
  as.name = req.impersonateUser;
  if (splitServiceAccountName(req.impersonateUser, &ns, &name)) {
    a.resource = "serviceaccounts";
    a.ns = ns;
    a.name = name;
    if (req.impersonateGroups.empty()) {
      as.groups = {"system:serviceaccounts", "system:serviceaccounts:" + ns};
    }
  } else {
    a.resource = "users";
    a.name = req.impersonateUser;
  }
  authorize(self, a);
  for (const auto& g : req.impersonateGroups) {
    AuthzAttributes ga;
    ga.verb = "impersonate";
    ga.resource = "groups";
    ga.name = g;
    authorize(self, ga);
    as.groups.push_back(g);
  }
  if (as.name != "system:anonymous" && !as.inGroup("system:authenticated")) {
    as.groups.emplace_back("system:authenticated");
  }
  return as;
}

AuthzAttributes ApiServer::attributesOf(const Target& t, const ApiRequest& req) const {
  AuthzAttributes a;
  if (t.kind != Target::Kind::Resource) {
    a.resourceRequest = false;
    a.path = req.path;
    a.verb = lower(req.method);
    return a;
  }
  a.apiGroup = t.group;
  a.apiVersion = t.version;
  a.resource = t.rt->plural;
  a.subresource = t.sub;
  a.ns = t.ns;
  a.name = t.name;
  const std::string& m = req.method;
  if (m == "GET" || m == "HEAD") {
    if (!t.name.empty()) {
      a.verb = "get";
    } else {
      a.verb = queryFlag(req, "watch") ? "watch" : "list";
      a.name = nameFromFieldSelector(req.param("fieldSelector"));
    }
  } else if (m == "POST") {
    a.verb = "create";
  } else if (m == "PUT") {
    a.verb = "update";
  } else if (m == "PATCH") {
    a.verb = "patch";
  } else if (m == "DELETE") {
    a.verb = t.name.empty() ? "deletecollection" : "delete";
  } else {
    a.verb = lower(m);
  }
  return a;
}

void ApiServer::ensureBootstrapPolicy() {
  auto roles = registry_.find("rbac.authorization.k8s.io", "v1", "clusterroles");
  auto bindings = registry_.find("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
  auto create = [&](const ResourceTypePtr& rt, const json& obj) {
    if (store_.get(rt->storageKey(), "", obj["metadata"]["name"].get<std::string>())) {
      return;  // kept as the user changed it
    }
    doCreate(*rt, "", obj, false, "");
  };
  for (const auto& r : bootstrapClusterRoles()) {
    create(roles, r);
  }
  for (const auto& b : bootstrapClusterRoleBindings()) {
    create(bindings, b);
  }
}

void ApiServer::ensureDefaultServiceAccount(const std::string& ns) {
  auto rt = registry_.find("", "v1", "serviceaccounts");
  if (store_.get(rt->storageKey(), ns, "default")) {
    return;
  }
  try {
    doCreate(*rt, ns,
             {{"apiVersion", "v1"},
              {"kind", "ServiceAccount"},
              {"metadata", {{"name", "default"}, {"namespace", ns}}}},
             false, "");
  } catch (const ApiException& e) {
    // AlreadyExists (a racing writer) or a namespace being deleted: nothing to do.
    spdlog::debug("default ServiceAccount in {}: {}", ns, e.what());
  }
}

}  // namespace mysqlop::local
