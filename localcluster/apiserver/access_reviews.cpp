// The review resources (authorization.k8s.io, authentication.k8s.io SelfSubjectReview) and
// TokenRequest (serviceaccounts/token): answered from the request, never stored.
#include <chrono>
#include <ctime>

#include "localcluster/apiserver/api_server.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

constexpr std::int64_t kKubeletTokenSeconds = 3607;
constexpr std::int64_t kExtendedTokenSeconds = 365LL * 24 * 3600;

std::int64_t secondsNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string rfc3339(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<std::string> strings(const json& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& s : v) {
      if (s.is_string()) {
        out.push_back(s.get<std::string>());
      }
    }
  }
  return out;
}

// The attributes of a review's spec; throws 422 unless exactly one kind of attributes is given.
AuthzAttributes reviewAttributes(const json& spec, const std::string& kind) {
  const bool hasResource =
      spec.contains("resourceAttributes") && spec["resourceAttributes"].is_object();
  const bool hasNonResource =
      spec.contains("nonResourceAttributes") && spec["nonResourceAttributes"].is_object();
  if (hasResource && hasNonResource) {
    raise(errInvalid(kind, "authorization.k8s.io", "",
                     {fieldInvalid("spec.nonResourceAttributes", spec["nonResourceAttributes"],
                                   "cannot be specified in combination with resourceAttributes")}));
  }
  if (!hasResource && !hasNonResource) {
    raise(errInvalid(kind, "authorization.k8s.io", "",
                     {fieldRequired("spec.resourceAttributes",
                                    "exactly one of nonResourceAttributes or resourceAttributes "
                                    "must be specified")}));
  }
  AuthzAttributes a;
  if (hasNonResource) {
    const json& n = spec["nonResourceAttributes"];
    a.resourceRequest = false;
    a.path = n.value("path", "");
    a.verb = n.value("verb", "");
    return a;
  }
  const json& r = spec["resourceAttributes"];
  a.ns = r.value("namespace", "");
  a.verb = r.value("verb", "");
  a.apiGroup = r.value("group", "");
  a.apiVersion = r.value("version", "");
  a.resource = r.value("resource", "");
  a.subresource = r.value("subresource", "");
  a.name = r.value("name", "");
  return a;
}

}  // namespace

void ApiServer::serveReview(const Target& t, const ApiRequest& req, const UserInfo* user,
                            ApiResponse& resp) {
  if (req.method != "POST" || !t.name.empty() || !t.sub.empty()) {
    raise(errMethodNotAllowed());
  }
  json obj = parseBody(req.body);
  if (!obj.is_object()) {
    raise(errBadRequest("the body of a " + t.rt->kind + " must be an object"));
  }
  obj["apiVersion"] = t.rt->apiVersion();
  obj["kind"] = t.rt->kind;
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) {
    obj["metadata"] = json::object();
  }
  obj["metadata"]["creationTimestamp"] = nullptr;
  json spec = obj.value("spec", json::object());
  // In-process callers (no user) are the cluster's own components: they act as the admin.
  const UserInfo self = user ? *user : adminUser();
  const std::string& kind = t.rt->kind;
  if (kind == "SelfSubjectReview") {
    json info = {{"username", self.name}, {"groups", self.groups}};
    if (!self.uid.empty()) {
      info["uid"] = self.uid;
    }
    obj["status"] = {{"userInfo", info}};
    answerJson(resp, 201, obj);
    return;
  }
  if (kind == "SelfSubjectRulesReview") {
    json rr;
    json nr;
    rbac_.rulesFor(self, spec.value("namespace", ""), rr, nr);
    obj["status"] = {{"resourceRules", rr}, {"nonResourceRules", nr}, {"incomplete", false}};
    answerJson(resp, 201, obj);
    return;
  }
  AuthzAttributes a = reviewAttributes(spec, kind);
  if (kind == "SelfSubjectAccessReview") {
    a.user = self;
  } else {
    a.user.name = spec.value("user", "");
    a.user.uid = spec.value("uid", "");
    a.user.groups = strings(spec.value("groups", json::array()));
    if (a.user.name.empty() && a.user.groups.empty()) {
      raise(errInvalid(kind, "authorization.k8s.io", "",
                       {fieldInvalid("spec.user", "",
                                     "at least one of user or group must be "
                                     "specified")}));
    }
    if (kind == "LocalSubjectAccessReview" && a.resourceRequest && a.ns != t.ns) {
      raise(errInvalid(kind, "authorization.k8s.io", "",
                       {fieldInvalid("spec.resourceAttributes.namespace", a.ns,
                                     "must match metadata.namespace")}));
    }
  }
  std::string reason;
  bool allowed = rbac_.authorize(a, &reason);
  json status = {{"allowed", allowed}};
  if (!reason.empty()) {
    status["reason"] = reason;
  }
  obj["status"] = status;
  answerJson(resp, 201, obj);
}

void ApiServer::tokenRequest(const Target& t, const ApiRequest& req, ApiResponse& resp) {
  if (req.method != "POST") {
    raise(errMethodNotAllowed());
  }
  json obj = parseBody(req.body);
  if (!obj.is_object()) {
    obj = json::object();
  }
  ObjPtr sa = store_.get(t.rt->storageKey(), t.ns, t.name);
  if (!sa) {
    raise(errNotFound(t.rt->gr(), t.name));
  }
  json spec = obj.value("spec", json::object());
  std::vector<FieldError> errs;
  std::int64_t ttl = 3600;
  if (spec.contains("expirationSeconds") && spec["expirationSeconds"].is_number_integer()) {
    ttl = spec["expirationSeconds"].get<std::int64_t>();
    if (ttl < 600) {
      errs.push_back(fieldInvalid("spec.expirationSeconds", ttl,
                                  "may not specify a duration less than 10 minutes"));
    } else if (ttl > (std::int64_t{1} << 32)) {
      errs.push_back(fieldInvalid("spec.expirationSeconds", ttl,
                                  "may not specify a duration larger than 2^32 seconds"));
    }
  }
  ServiceAccountTokens::Claims c;
  c.ns = t.ns;
  c.serviceAccount = t.name;
  c.serviceAccountUid = metaString(sa->json, "uid");
  c.audiences = strings(spec.value("audiences", json::array()));
  if (c.audiences.empty()) {
    c.audiences = {ServiceAccountTokens::kIssuer};
  }
  if (spec.contains("boundObjectRef") && spec["boundObjectRef"].is_object()) {
    const json& ref = spec["boundObjectRef"];
    const std::string kind = ref.value("kind", "");
    if (kind != "Pod") {
      errs.push_back(fieldNotSupported("spec.boundObjectRef.kind", kind, {"\"Pod\""}));
    } else {
      const std::string pod = ref.value("name", "");
      ObjPtr p = store_.get("/pods", t.ns, pod);
      if (!p) {
        raise(errNotFound({"", "pods"}, pod));
      }
      const std::string uid = ref.value("uid", "");
      if (!uid.empty() && uid != metaString(p->json, "uid")) {
        raise(errConflict({"", "pods"}, pod,
                          "the UID in the bound object reference (" + uid +
                              ") does not match the UID in record. The object might have been "
                              "deleted and then recreated"));
      }
      c.podName = pod;
      c.podUid = metaString(p->json, "uid");
    }
  }
  if (!errs.empty()) {
    raise(errInvalid("TokenRequest", "authentication.k8s.io", t.name, errs));
  }
  if (options_.maxTokenSeconds > 0 && ttl > options_.maxTokenSeconds) {
    ttl = options_.maxTokenSeconds;
  }
  c.issuedAt = secondsNow();
  c.expires = c.issuedAt + ttl;
  // kube-apiserver's --service-account-extend-token-expiration (on by default): the kubelet's
  // kube-api-access token (3607 s, bound to a pod, for the API) stays valid a year, so that a
  // client that misses a rotation keeps working; the answer still says 3607 s, after which the
  // kubelet replaces it.
  if (ttl == kKubeletTokenSeconds && !c.podName.empty() &&
      c.audiences == std::vector<std::string>{ServiceAccountTokens::kIssuer}) {
    c.warnAfter = c.expires;
    c.expires = c.issuedAt + kExtendedTokenSeconds;
  }
  spec["audiences"] = c.audiences;
  spec["expirationSeconds"] = ttl;
  if (!spec.contains("boundObjectRef")) {
    spec["boundObjectRef"] = nullptr;
  }
  json answer = {
      {"kind", "TokenRequest"},
      {"apiVersion", "authentication.k8s.io/v1"},
      {"metadata", {{"name", t.name}, {"namespace", t.ns}, {"creationTimestamp", nullptr}}},
      {"spec", spec},
      {"status",
       {{"token", saTokens_.issue(c)}, {"expirationTimestamp", rfc3339(c.issuedAt + ttl)}}}};
  answerJson(resp, 201, answer);
}

}  // namespace mysqlop::local
