#include "localcluster/apiserver/rbac.h"

#include <set>

#include "localcluster/apiserver/store.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

const char* kRbacGroup = "rbac.authorization.k8s.io";

bool listHas(const json& rule, const char* field, const std::string& value) {
  auto it = rule.find(field);
  if (it == rule.end() || !it->is_array()) {
    return false;
  }
  for (const auto& v : *it) {
    if (v.is_string() && (v.get<std::string>() == "*" || v.get<std::string>() == value)) {
      return true;
    }
  }
  return false;
}

bool resourceMatches(const json& rule, const std::string& resource, const std::string& sub) {
  const std::string combined = sub.empty() ? resource : resource + "/" + sub;
  auto it = rule.find("resources");
  if (it == rule.end() || !it->is_array()) {
    return false;
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      continue;
    }
    const std::string r = v.get<std::string>();
    if (r == "*" || r == combined || (!sub.empty() && r == "*/" + sub)) {
      return true;
    }
  }
  return false;
}

bool nameMatches(const json& rule, const std::string& name) {
  auto it = rule.find("resourceNames");
  if (it == rule.end() || !it->is_array() || it->empty()) {
    return true;
  }
  for (const auto& v : *it) {
    if (v.is_string() && v.get<std::string>() == name) {
      return true;
    }
  }
  return false;
}

bool urlMatches(const json& rule, const std::string& path) {
  auto it = rule.find("nonResourceURLs");
  if (it == rule.end() || !it->is_array()) {
    return false;
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      continue;
    }
    const std::string u = v.get<std::string>();
    if (u == "*" || u == path ||
        (!u.empty() && u.back() == '*' && path.rfind(u.substr(0, u.size() - 1), 0) == 0)) {
      return true;
    }
  }
  return false;
}

json role(const std::string& name, const json& rules) {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "ClusterRole"},
          {"metadata",
           {{"name", name},
            {"labels", {{"kubernetes.io/bootstrapping", "rbac-defaults"}}},
            {"annotations", {{"rbac.authorization.kubernetes.io/autoupdate", "true"}}}}},
          {"rules", rules}};
}

json binding(const std::string& name, const json& subjects) {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "ClusterRoleBinding"},
          {"metadata",
           {{"name", name},
            {"labels", {{"kubernetes.io/bootstrapping", "rbac-defaults"}}},
            {"annotations", {{"rbac.authorization.kubernetes.io/autoupdate", "true"}}}}},
          {"roleRef", {{"apiGroup", kRbacGroup}, {"kind", "ClusterRole"}, {"name", name}}},
          {"subjects", subjects}};
}

json group(const std::string& name) {
  return {{"apiGroup", kRbacGroup}, {"kind", "Group"}, {"name", name}};
}

}  // namespace

bool ruleAllows(const json& rule, const AuthzAttributes& a) {
  if (!listHas(rule, "verbs", a.verb)) {
    return false;
  }
  if (!a.resourceRequest) {
    return urlMatches(rule, a.path);
  }
  return listHas(rule, "apiGroups", a.apiGroup) &&
         resourceMatches(rule, a.resource, a.subresource) && nameMatches(rule, a.name);
}

bool subjectMatches(const json& s, const UserInfo& user, const std::string& ns) {
  const std::string kind = s.value("kind", "");
  const std::string name = s.value("name", "");
  if (kind == "User") {
    return name == user.name;
  }
  if (kind == "Group") {
    return user.inGroup(name);
  }
  if (kind == "ServiceAccount") {
    std::string saNs = s.value("namespace", "");
    if (saNs.empty()) {
      saNs = ns;
    }
    return !saNs.empty() && user.name == "system:serviceaccount:" + saNs + ":" + name;
  }
  return false;
}

bool RbacAuthorizer::visitRules(const UserInfo& user, const std::string& ns,
                                const std::function<bool(const json&, bool)>& visit,
                                std::vector<std::string>* errors) const {
  const std::string g = std::string(kRbacGroup) + "/";
  auto boundApplies = [&](const json& b, const std::string& bindingNs) {
    for (const auto& s : b.value("subjects", json::array())) {
      if (subjectMatches(s, user, bindingNs)) {
        return true;
      }
    }
    return false;
  };
  auto visitRole = [&](const json& roleRef, const std::string& bindingNs, bool fromCluster) {
    const std::string kind = roleRef.value("kind", "");
    const std::string name = roleRef.value("name", "");
    ObjPtr r;
    if (kind == "ClusterRole") {
      r = store_.get(g + "clusterroles", "", name);
      if (!r && errors) {
        errors->push_back("clusterrole.rbac.authorization.k8s.io \"" + name + "\" not found");
      }
    } else if (kind == "Role" && !bindingNs.empty()) {
      r = store_.get(g + "roles", bindingNs, name);
      if (!r && errors) {
        errors->push_back("role.rbac.authorization.k8s.io \"" + name + "\" not found");
      }
    }
    if (!r) {
      return false;
    }
    for (const auto& rule : r->json.value("rules", json::array())) {
      if (visit(rule, fromCluster)) {
        return true;
      }
    }
    return false;
  };
  for (const auto& b : store_.list(g + "clusterrolebindings", "").items) {
    if (boundApplies(b->json, "") &&
        visitRole(b->json.value("roleRef", json::object()), "", true)) {
      return true;
    }
  }
  if (ns.empty()) {
    return false;
  }
  for (const auto& b : store_.list(g + "rolebindings", ns).items) {
    if (boundApplies(b->json, ns) &&
        visitRole(b->json.value("roleRef", json::object()), ns, false)) {
      return true;
    }
  }
  return false;
}

bool RbacAuthorizer::authorize(const AuthzAttributes& a, std::string* reason) const {
  if (a.user.inGroup("system:masters")) {
    return true;
  }
  std::vector<std::string> errors;
  bool allowed = visitRules(
      a.user, a.resourceRequest ? a.ns : "",
      [&](const json& rule, bool fromCluster) {
        if (!a.resourceRequest && !fromCluster) {
          return false;
        }
        return ruleAllows(rule, a);
      },
      &errors);
  if (!allowed && reason) {
    reason->clear();
    if (!errors.empty()) {
      std::string joined;
      for (const auto& e : errors) {
        joined += (joined.empty() ? "" : ", ") + e;
      }
      *reason = "RBAC: " + (errors.size() == 1 ? joined : "[" + joined + "]");
    }
  }
  return allowed;
}

void RbacAuthorizer::rulesFor(const UserInfo& user, const std::string& ns, json& resourceRules,
                              json& nonResourceRules) const {
  resourceRules = json::array();
  nonResourceRules = json::array();
  if (user.inGroup("system:masters") &&
      !store_.get(std::string(kRbacGroup) + "/clusterroles", "", "cluster-admin")) {
    resourceRules.push_back({{"verbs", {"*"}}, {"apiGroups", {"*"}}, {"resources", {"*"}}});
    nonResourceRules.push_back({{"verbs", {"*"}}, {"nonResourceURLs", {"*"}}});
  }
  std::set<std::string> seen;
  visitRules(
      user, ns,
      [&](const json& rule, bool fromCluster) {
        if (!seen.insert(rule.dump()).second) {
          return false;
        }
        if (rule.contains("nonResourceURLs")) {
          if (fromCluster) {
            nonResourceRules.push_back({{"verbs", rule.value("verbs", json::array())},
                                        {"nonResourceURLs", rule["nonResourceURLs"]}});
          }
          return false;
        }
        json r = {{"verbs", rule.value("verbs", json::array())},
                  {"apiGroups", rule.value("apiGroups", json::array())},
                  {"resources", rule.value("resources", json::array())}};
        if (rule.contains("resourceNames") && !rule["resourceNames"].empty()) {
          r["resourceNames"] = rule["resourceNames"];
        }
        resourceRules.push_back(r);
        return false;
      },
      nullptr);
}

ApiError errForbiddenFor(const AuthzAttributes& a, const std::string& reason) {
  std::string msg;
  if (!a.resourceRequest) {
    msg = "User \"" + a.user.name + "\" cannot " + a.verb + " path \"" + a.path + "\"";
  } else {
    std::string resource = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
    msg = "User \"" + a.user.name + "\" cannot " + a.verb + " resource \"" + resource +
          "\" in API group \"" + a.apiGroup + "\"";
    msg += a.ns.empty() ? " at the cluster scope" : " in the namespace \"" + a.ns + "\"";
  }
  if (!reason.empty()) {
    msg += ": " + reason;
  }
  GroupResource gr{a.apiGroup, a.resource};
  ApiError e;
  e.code = 403;
  e.reason = "Forbidden";
  if (a.resource.empty()) {
    e.message = "forbidden: " + msg;
  } else if (a.name.empty()) {
    e.message = gr.str() + " is forbidden: " + msg;
  } else {
    e.message = gr.str() + " \"" + a.name + "\" is forbidden: " + msg;
  }
  json details = json::object();
  if (!a.name.empty()) {
    details["name"] = a.name;
  }
  if (!a.apiGroup.empty()) {
    details["group"] = a.apiGroup;
  }
  if (!a.resource.empty()) {
    details["kind"] = a.resource;
  }
  e.details = details;
  return e;
}

std::vector<json> bootstrapClusterRoles() {
  return {
      role("cluster-admin",
           json::array({{{"apiGroups", {"*"}}, {"resources", {"*"}}, {"verbs", {"*"}}},
                        {{"nonResourceURLs", {"*"}}, {"verbs", {"*"}}}})),
      role("system:discovery",
           json::array({{{"nonResourceURLs",
                          {"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi",
                           "/openapi/*", "/readyz", "/version", "/version/"}},
                         {"verbs", {"get"}}}})),
      role("system:basic-user",
           json::array({{{"apiGroups", {"authorization.k8s.io"}},
                         {"resources", {"selfsubjectaccessreviews", "selfsubjectrulesreviews"}},
                         {"verbs", {"create"}}},
                        {{"apiGroups", {"authentication.k8s.io"}},
                         {"resources", {"selfsubjectreviews"}},
                         {"verbs", {"create"}}}})),
      role("system:public-info-viewer",
           json::array(
               {{{"nonResourceURLs", {"/healthz", "/livez", "/readyz", "/version", "/version/"}},
                 {"verbs", {"get"}}}})),
  };
}

std::vector<json> bootstrapClusterRoleBindings() {
  return {
      binding("cluster-admin", json::array({group("system:masters")})),
      binding("system:discovery", json::array({group("system:authenticated")})),
      binding("system:basic-user", json::array({group("system:authenticated")})),
      binding("system:public-info-viewer",
              json::array({group("system:authenticated"), group("system:unauthenticated")})),
  };
}

}  // namespace mysqlop::local
