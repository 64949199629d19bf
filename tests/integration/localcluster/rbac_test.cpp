// RBAC for service-account tokens in the local API server: TokenRequest, the 403s of
// kube-apiserver word for word, Role/ClusterRole and their bindings, resourceNames,
// subresources, watch and deletecollection, access reviews, impersonation, and 401 once the
// ServiceAccount is gone. The admin token keeps full access.
#include "tests/integration/localcluster/fixture.h"
#include "tests/support/kube/kubectl.h"

namespace mysqlop::local::it {
namespace {

const std::string kSaUser = "system:serviceaccount:team:app";

class RbacTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_EQ(call("POST", "/api/v1/namespaces", ns("team")).status, 201);
    ASSERT_EQ(call("POST", "/api/v1/namespaces", ns("other")).status, 201);
    ASSERT_EQ(call("POST", "/api/v1/namespaces/team/serviceaccounts", sa("app")).status, 201);
    token_ = tokenFor("team", "app");
    ASSERT_FALSE(token_.empty());
  }

  static json ns(const std::string& name) {
    return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
  }
  static json sa(const std::string& name) {
    return {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", name}}}};
  }

  std::string tokenFor(const std::string& nsName, const std::string& name) {
    auto r = call("POST", "/api/v1/namespaces/" + nsName + "/serviceaccounts/" + name + "/token",
                  json{{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["status"].value("token", "");
  }

  // A request with the service account's token.
  HttpResult as(const std::string& method, const std::string& path, const json& body = nullptr,
                const std::map<std::string, std::string>& headers = {}) {
    auto r = api_.request(method, path, body.is_null() ? "" : body.dump(), "application/json",
                          token_, headers);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : HttpResult{};
  }

  void role(const std::string& nsName, const std::string& name, const json& rules,
            bool cluster = false) {
    json obj = {{"apiVersion", "rbac.authorization.k8s.io/v1"},
                {"kind", cluster ? "ClusterRole" : "Role"},
                {"metadata", {{"name", name}}},
                {"rules", rules}};
    std::string path = cluster
                           ? "/apis/rbac.authorization.k8s.io/v1/clusterroles"
                           : "/apis/rbac.authorization.k8s.io/v1/namespaces/" + nsName + "/roles";
    ASSERT_EQ(call("POST", path, obj).status, 201);
  }

  void bind(const std::string& nsName, const std::string& name, const std::string& roleKind,
            const std::string& roleName, const json& subject) {
    const bool cluster = nsName.empty();
    json obj = {
        {"apiVersion", "rbac.authorization.k8s.io/v1"},
        {"kind", cluster ? "ClusterRoleBinding" : "RoleBinding"},
        {"metadata", {{"name", name}}},
        {"roleRef",
         {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", roleKind}, {"name", roleName}}},
        {"subjects", json::array({subject})}};
    std::string path =
        cluster ? "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"
                : "/apis/rbac.authorization.k8s.io/v1/namespaces/" + nsName + "/rolebindings";
    ASSERT_EQ(call("POST", path, obj).status, 201);
  }

  static json appAccount() {
    return {{"kind", "ServiceAccount"}, {"name", "app"}, {"namespace", "team"}};
  }

  static json rule(const json& resources, const json& verbs, const json& groups = {""}) {
    return {{"apiGroups", groups}, {"resources", resources}, {"verbs", verbs}};
  }

  static std::string denied(const std::string& verb, const std::string& resource,
                            const std::string& group, const std::string& nsName) {
    return "User \"" + kSaUser + "\" cannot " + verb + " resource \"" + resource +
           "\" in API group \"" + group + "\"" +
           (nsName.empty() ? " at the cluster scope" : " in the namespace \"" + nsName + "\"");
  }

  std::string token_;
};

TEST_F(RbacTest, TokenRequestIssuesAJwtForTheServiceAccount) {
  auto r = call("POST", "/api/v1/namespaces/team/serviceaccounts/app/token",
                json{{"spec", {{"expirationSeconds", 1200}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  json t = r.json();
  EXPECT_EQ(t["kind"], "TokenRequest");
  EXPECT_EQ(t["apiVersion"], "authentication.k8s.io/v1");
  EXPECT_EQ(t["spec"]["expirationSeconds"], 1200);
  EXPECT_EQ(t["spec"]["audiences"], json::array({"https://kubernetes.default.svc.cluster.local"}));
  std::string token = t["status"]["token"];
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_FALSE(t["status"].value("expirationTimestamp", "").empty());

  auto whoami = api_.request(
      "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      json{{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}}.dump(),
      "application/json", token);
  ASSERT_TRUE(whoami.ok());
  ASSERT_EQ(whoami->status, 201) << whoami->body;
  json info = whoami->json()["status"]["userInfo"];
  EXPECT_EQ(info["username"], kSaUser);
  EXPECT_EQ(info["groups"], json::array({"system:serviceaccounts", "system:serviceaccounts:team",
                                         "system:authenticated"}));
}

// The claims of a JWT (its middle part, base64url).
json jwtClaims(const std::string& token) {
  const std::string part =
      token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : part) {
    acc = (acc << 6U) | static_cast<unsigned>(kAlphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> static_cast<unsigned>(bits)) & 0xffU));
    }
  }
  return json::parse(out, nullptr, false);
}

TEST_F(RbacTest, TokenClaimsAndTheKubeletsExtendedToken) {
  json claims = jwtClaims(token_);
  EXPECT_EQ(claims["iss"], "https://kubernetes.default.svc.cluster.local");
  EXPECT_EQ(claims["sub"], kSaUser);
  EXPECT_EQ(claims["kubernetes.io"]["namespace"], "team");
  EXPECT_EQ(claims["kubernetes.io"]["serviceaccount"]["name"], "app");
  EXPECT_EQ(claims["exp"].get<long long>() - claims["iat"].get<long long>(), 3600);

  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "p"}}},
              {"spec",
               {{"serviceAccountName", "app"},
                {"containers", json::array({{{"name", "a"}, {"image", "busybox"}}})}}}};
  auto created = call("POST", "/api/v1/namespaces/team/pods", pod);
  ASSERT_EQ(created.status, 201);
  const std::string uid = created.json()["metadata"]["uid"];
  // As the kubelet asks for kube-api-access: 3607 s, bound to the pod. The answer says 3607 s
  // (the kubelet refreshes by it) but the token itself lasts a year, as kube-apiserver's
  // --service-account-extend-token-expiration makes it.
  auto r = call("POST", "/api/v1/namespaces/team/serviceaccounts/app/token",
                json{{"spec",
                      {{"expirationSeconds", 3607},
                       {"boundObjectRef", {{"kind", "Pod"}, {"name", "p"}, {"uid", uid}}}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["spec"]["expirationSeconds"], 3607);
  json bound = jwtClaims(r.json()["status"]["token"]);
  EXPECT_EQ(bound["kubernetes.io"]["pod"], json({{"name", "p"}, {"uid", uid}}));
  const long long iat = bound["iat"];
  EXPECT_EQ(bound["exp"].get<long long>() - iat, 365LL * 24 * 3600);
  EXPECT_EQ(bound["kubernetes.io"]["warnafter"].get<long long>() - iat, 3607);

  auto stale =
      call("POST", "/api/v1/namespaces/team/serviceaccounts/app/token",
           json{{"spec", {{"boundObjectRef", {{"kind", "Pod"}, {"name", "p"}, {"uid", "x"}}}}}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.json()["message"],
            "Operation cannot be fulfilled on pods \"p\": the UID in the bound object reference "
            "(x) does not match the UID in record. The object might have been deleted and then "
            "recreated");
}

TEST_F(RbacTest, TokenRequestRefusals) {
  auto shortLived = call("POST", "/api/v1/namespaces/team/serviceaccounts/app/token",
                         json{{"spec", {{"expirationSeconds", 10}}}});
  EXPECT_EQ(shortLived.status, 422);
  EXPECT_EQ(shortLived.json()["message"],
            "TokenRequest.authentication.k8s.io \"app\" is invalid: spec.expirationSeconds: "
            "Invalid value: 10: may not specify a duration less than 10 minutes");
  auto missing = call("POST", "/api/v1/namespaces/team/serviceaccounts/nosuch/token", json{});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json()["message"], "serviceaccounts \"nosuch\" not found");
  auto pod = call("POST", "/api/v1/namespaces/team/serviceaccounts/app/token",
                  json{{"spec", {{"boundObjectRef", {{"kind", "Pod"}, {"name", "gone"}}}}}});
  EXPECT_EQ(pod.status, 404);
  EXPECT_EQ(pod.json()["message"], "pods \"gone\" not found");
  // A service account's token may not ask for more tokens.
  auto self = as("POST", "/api/v1/namespaces/team/serviceaccounts/app/token", json::object());
  EXPECT_EQ(self.status, 403);
  EXPECT_EQ(self.json()["message"], "serviceaccounts \"app\" is forbidden: " +
                                        denied("create", "serviceaccounts/token", "", "team"));
}

TEST_F(RbacTest, EveryNamespaceHasADefaultServiceAccount) {
  for (const char* n : {"default", "kube-system", "team", "other"}) {
    EXPECT_EQ(
        call("GET", std::string("/api/v1/namespaces/") + n + "/serviceaccounts/default").status,
        200)
        << n;
  }
}

TEST_F(RbacTest, WithoutABindingEveryRequestIsForbiddenWithKubeApiserversMessage) {
  auto list = as("GET", "/api/v1/namespaces/team/pods");
  EXPECT_EQ(list.status, 403);
  json st = list.json();
  EXPECT_EQ(st["kind"], "Status");
  EXPECT_EQ(st["reason"], "Forbidden");
  EXPECT_EQ(st["code"], 403);
  EXPECT_EQ(st["message"], "pods is forbidden: " + denied("list", "pods", "", "team"));
  EXPECT_EQ(st["details"], json({{"kind", "pods"}}));

  auto get = as("GET", "/apis/apps/v1/namespaces/team/statefulsets/web");
  EXPECT_EQ(get.status, 403);
  EXPECT_EQ(get.json()["message"], "statefulsets.apps \"web\" is forbidden: " +
                                       denied("get", "statefulsets", "apps", "team"));
  EXPECT_EQ(get.json()["details"],
            json({{"name", "web"}, {"group", "apps"}, {"kind", "statefulsets"}}));

  auto nodes = as("GET", "/api/v1/nodes");
  EXPECT_EQ(nodes.json()["message"], "nodes is forbidden: " + denied("list", "nodes", "", ""));
  auto allPods = as("GET", "/api/v1/pods");
  EXPECT_EQ(allPods.json()["message"], "pods is forbidden: " + denied("list", "pods", "", ""));

  auto create = as("POST", "/api/v1/namespaces/team/configmaps", configMap("c"));
  EXPECT_EQ(create.json()["message"],
            "configmaps is forbidden: " + denied("create", "configmaps", "", "team"));

  // Discovery and health are every authenticated user's (system:discovery,
  // system:public-info-viewer); other paths are not.
  EXPECT_EQ(as("GET", "/api").status, 200);
  EXPECT_EQ(as("GET", "/apis").status, 200);
  EXPECT_EQ(as("GET", "/api/v1").status, 200);
  EXPECT_EQ(as("GET", "/version").status, 200);
  EXPECT_EQ(as("GET", "/openapi/v3").status, 200);
  // The admin paths take the admin token only.
  EXPECT_EQ(as("GET", "/_local/status").status, 401);
}

TEST_F(RbacTest, RoleBindingGrantsItsNamespaceOnly) {
  role("team", "pod-reader", json::array({rule({"pods"}, {"get", "list"})}));
  bind("team", "read-pods", "Role", "pod-reader", appAccount());
  EXPECT_EQ(as("GET", "/api/v1/namespaces/team/pods").status, 200);
  auto other = as("GET", "/api/v1/namespaces/other/pods");
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.json()["message"], "pods is forbidden: " + denied("list", "pods", "", "other"));
  auto del = as("DELETE", "/api/v1/namespaces/team/pods/x");
  EXPECT_EQ(del.json()["message"],
            "pods \"x\" is forbidden: " + denied("delete", "pods", "", "team"));
  // The rules apply at the next request: a removed binding takes the rights away.
  ASSERT_EQ(
      call("DELETE", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings/read-pods")
          .status,
      200);
  EXPECT_EQ(as("GET", "/api/v1/namespaces/team/pods").status, 403);
}

TEST_F(RbacTest, ClusterRoleThroughClusterRoleBindingAppliesInEveryNamespace) {
  role("", "cm-reader", json::array({rule({"configmaps"}, {"list"})}), true);
  bind("team", "local-cm", "ClusterRole", "cm-reader", appAccount());
  EXPECT_EQ(as("GET", "/api/v1/namespaces/team/configmaps").status, 200);
  EXPECT_EQ(as("GET", "/api/v1/namespaces/other/configmaps").status, 403);
  EXPECT_EQ(as("GET", "/api/v1/configmaps").status, 403);
  bind("", "all-cm", "ClusterRole", "cm-reader", appAccount());
  EXPECT_EQ(as("GET", "/api/v1/namespaces/other/configmaps").status, 200);
  EXPECT_EQ(as("GET", "/api/v1/configmaps").status, 200);
}

TEST_F(RbacTest, GroupSubjectsAndMissingRoles) {
  bind("team", "by-group", "Role", "not-there",
       {{"kind", "Group"}, {"name", "system:serviceaccounts:team"}});
  auto r = as("GET", "/api/v1/namespaces/team/secrets");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.json()["message"],
            "secrets is forbidden: " + denied("list", "secrets", "", "team") +
                ": RBAC: role.rbac.authorization.k8s.io \"not-there\" not found");
  role("team", "not-there", json::array({rule({"secrets"}, {"*"})}));
  EXPECT_EQ(as("GET", "/api/v1/namespaces/team/secrets").status, 200);
}

TEST_F(RbacTest, ResourceNamesLimitToTheNamedObjects) {
  ASSERT_EQ(call("POST", "/api/v1/namespaces/team/configmaps", configMap("mine")).status, 201);
  ASSERT_EQ(call("POST", "/api/v1/namespaces/team/configmaps", configMap("theirs")).status, 201);
  role("team", "one-cm",
       json::array({{{"apiGroups", {""}},
                     {"resources", {"configmaps"}},
                     {"resourceNames", {"mine"}},
                     {"verbs", {"get", "list", "update"}}}}));
  bind("team", "one-cm", "Role", "one-cm", appAccount());
  EXPECT_EQ(as("GET", "/api/v1/namespaces/team/configmaps/mine").status, 200);
  auto theirs = as("GET", "/api/v1/namespaces/team/configmaps/theirs");
  EXPECT_EQ(theirs.json()["message"],
            "configmaps \"theirs\" is forbidden: " + denied("get", "configmaps", "", "team"));
  // A list is allowed only when its field selector names the object.
  EXPECT_EQ(as("GET", "/api/v1/namespaces/team/configmaps").status, 403);
  auto named = as("GET", "/api/v1/namespaces/team/configmaps?fieldSelector=metadata.name%3Dmine");
  EXPECT_EQ(named.status, 200) << named.body;
  EXPECT_EQ(named.json()["items"].size(), 1U);
}

TEST_F(RbacTest, SubresourcesAreTheirOwnResources) {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "p"}}},
              {"spec", {{"containers", json::array({{{"name", "a"}, {"image", "busybox"}}})}}}};
  ASSERT_EQ(call("POST", "/api/v1/namespaces/team/pods", pod).status, 201);
  role("team", "status-only", json::array({rule({"*/status"}, {"get"})}));
  bind("team", "status-only", "Role", "status-only", appAccount());
  EXPECT_EQ(as("GET", "/api/v1/namespaces/team/pods/p/status").status, 200);
  auto main = as("GET", "/api/v1/namespaces/team/pods/p");
  EXPECT_EQ(main.json()["message"],
            "pods \"p\" is forbidden: " + denied("get", "pods", "", "team"));
  auto log = as("GET", "/api/v1/namespaces/team/pods/p/log");
  EXPECT_EQ(log.status, 403);
  EXPECT_EQ(log.json()["message"],
            "pods \"p\" is forbidden: " + denied("get", "pods/log", "", "team"));
  auto patch = as("PATCH", "/api/v1/namespaces/team/pods/p/status", json::object());
  EXPECT_EQ(patch.json()["message"],
            "pods \"p\" is forbidden: " + denied("patch", "pods/status", "", "team"));
  // exec and portforward (upgraded connections) need create, whatever the method.
  auto exec = as("POST", "/api/v1/namespaces/team/pods/p/exec?command=ls&stdout=1");
  EXPECT_EQ(exec.status, 403);
  EXPECT_EQ(exec.json()["message"],
            "pods \"p\" is forbidden: " + denied("create", "pods/exec", "", "team"));
  auto forward = as("GET", "/api/v1/namespaces/team/pods/p/portforward?ports=80");
  EXPECT_EQ(forward.json()["message"],
            "pods \"p\" is forbidden: " + denied("create", "pods/portforward", "", "team"));
  role("team", "logs", json::array({rule({"pods/log"}, {"get"})}));
  bind("team", "logs", "Role", "logs", appAccount());
  EXPECT_NE(as("GET", "/api/v1/namespaces/team/pods/p/log").status, 403);
}

TEST_F(RbacTest, WatchAndDeleteCollectionAreVerbsOfTheirOwn) {
  role("team", "list-delete", json::array({rule({"configmaps"}, {"list", "delete"})}));
  bind("team", "list-delete", "Role", "list-delete", appAccount());
  auto watch = as("GET", "/api/v1/namespaces/team/configmaps?watch=1&timeoutSeconds=1");
  EXPECT_EQ(watch.status, 403);
  EXPECT_EQ(watch.json()["message"],
            "configmaps is forbidden: " + denied("watch", "configmaps", "", "team"));
  auto all = as("DELETE", "/api/v1/namespaces/team/configmaps");
  EXPECT_EQ(all.json()["message"],
            "configmaps is forbidden: " + denied("deletecollection", "configmaps", "", "team"));
  role("team", "watch", json::array({rule({"configmaps"}, {"watch"})}));
  bind("team", "watch", "Role", "watch", appAccount());
  EXPECT_EQ(as("GET", "/api/v1/namespaces/team/configmaps?watch=1&timeoutSeconds=1").status, 200);
}

TEST_F(RbacTest, AccessReviews) {
  role("team", "pod-reader", json::array({rule({"pods"}, {"list"})}));
  bind("team", "read-pods", "Role", "pod-reader", appAccount());
  auto review = [&](const json& attrs) {
    auto r = as("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                json{{"apiVersion", "authorization.k8s.io/v1"},
                     {"kind", "SelfSubjectAccessReview"},
                     {"spec", {{"resourceAttributes", attrs}}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["status"].value("allowed", false);
  };
  EXPECT_TRUE(review({{"namespace", "team"}, {"verb", "list"}, {"resource", "pods"}}));
  EXPECT_FALSE(review({{"namespace", "other"}, {"verb", "list"}, {"resource", "pods"}}));
  EXPECT_FALSE(review({{"namespace", "team"}, {"verb", "delete"}, {"resource", "pods"}}));

  auto empty = as("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                  json{{"spec", json::object()}});
  EXPECT_EQ(empty.status, 422);
  EXPECT_EQ(empty.json()["message"],
            "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: "
            "spec.resourceAttributes: Required value: exactly one of nonResourceAttributes or "
            "resourceAttributes must be specified");

  // SubjectAccessReview: the admin asks about someone else; the account may not.
  json sar = {
      {"apiVersion", "authorization.k8s.io/v1"},
      {"kind", "SubjectAccessReview"},
      {"spec",
       {{"user", kSaUser},
        {"groups", {"system:serviceaccounts", "system:serviceaccounts:team"}},
        {"resourceAttributes", {{"namespace", "team"}, {"verb", "list"}, {"resource", "pods"}}}}}};
  auto byAdmin = call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", sar);
  ASSERT_EQ(byAdmin.status, 201) << byAdmin.body;
  EXPECT_EQ(byAdmin.json()["status"]["allowed"], true);
  auto byAccount = as("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", sar);
  EXPECT_EQ(byAccount.json()["message"],
            "subjectaccessreviews.authorization.k8s.io is forbidden: " +
                denied("create", "subjectaccessreviews", "authorization.k8s.io", ""));

  auto rules = as("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                  json{{"spec", {{"namespace", "team"}}}});
  ASSERT_EQ(rules.status, 201) << rules.body;
  EXPECT_NE(rules.json()["status"]["resourceRules"].dump().find("\"pods\""), std::string::npos);
  EXPECT_EQ(rules.json()["status"]["incomplete"], false);
}

TEST_F(RbacTest, AdminImpersonatesAndAccountsMayNot) {
  std::map<std::string, std::string> asApp = {{"Impersonate-User", kSaUser}};
  auto r =
      api_.request("GET", "/api/v1/namespaces/team/pods", "", "application/json", "\x01", asApp);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->json()["message"], "pods is forbidden: " + denied("list", "pods", "", "team"));
  EXPECT_EQ(call("GET", "/api/v1/namespaces/team/pods").status, 200);  // the admin itself

  auto byAccount =
      as("GET", "/api/v1/namespaces/team/pods", nullptr, {{"Impersonate-User", "bob"}});
  EXPECT_EQ(byAccount.status, 403);
  EXPECT_EQ(byAccount.json()["message"],
            "users \"bob\" is forbidden: User \"" + kSaUser +
                "\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope");
}

TEST_F(RbacTest, TokenOfADeletedServiceAccountIsRefused) {
  EXPECT_EQ(as("GET", "/api").status, 200);
  ASSERT_EQ(call("DELETE", "/api/v1/namespaces/team/serviceaccounts/app").status, 200);
  auto gone = as("GET", "/api");
  EXPECT_EQ(gone.status, 401);
  EXPECT_EQ(gone.json()["message"], "Unauthorized");
  // A new account of the same name has another uid: the old token stays refused.
  ASSERT_EQ(call("POST", "/api/v1/namespaces/team/serviceaccounts", sa("app")).status, 201);
  EXPECT_EQ(as("GET", "/api").status, 401);
  EXPECT_EQ(api_.request("GET", "/api", "", "application/json", "not.a-valid.jwt")->status, 401);
}

TEST(TokenLifetimeFlag, CapsWhatTokenRequestGrantsAndMustBePositive) {
  auto bad = testing::runCommand({std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator-local",
                                  "apiserver", "--data-dir", "/tmp/unused",
                                  "--service-account-max-token-expiration-seconds", "0"});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_EQ(bad.err,
            "mysql-operator-local: invalid value for "
            "--service-account-max-token-expiration-seconds\n");

  LocalApiServer api;
  LocalApiServer::Options o;
  o.extraArgs = {"--service-account-max-token-expiration-seconds", "5"};
  ASSERT_TRUE(api.start(o).ok());
  auto r = api.request("POST", "/api/v1/namespaces/default/serviceaccounts/default/token",
                       json{{"spec", {{"expirationSeconds", 1200}}}}.dump());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(r->json()["spec"]["expirationSeconds"], 5);
}

}  // namespace
}  // namespace mysqlop::local::it
