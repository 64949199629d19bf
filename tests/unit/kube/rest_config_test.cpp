#include "core/kube/rest_config.h"

#include <gtest/gtest.h>

#include "core/kube/base64.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::kube {
namespace {

using mysqlop::testing::TempDir;

const std::string kCert = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const std::string kKey = "-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n";

std::string config(const std::string& clusterBody, const std::string& userBody,
                   const std::string& extra = "") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: local\n"
         "clusters:\n- name: local\n  cluster:\n" +
         clusterBody +
         "contexts:\n- name: local\n  context: {cluster: local, user: op, namespace: ops}\n"
         "users:\n- name: op\n  user:\n" +
         userBody + extra;
}

Result<RestConfig> load(const std::string& path, const std::string& context = "") {
  auto kc = loadKubeconfigFiles({path}, true);
  if (!kc.ok()) {
    return kc.error();
  }
  return restConfigFromKubeconfig(*kc, context);
}

std::string loadError(const std::string& path, const std::string& context = "") {
  auto r = load(path, context);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.error().message;
}

TEST(Kubeconfig, ReadsServerCaFileTokenAndNamespace) {
  TempDir d;
  d.write("certs/ca.crt", kCert);
  const std::string p = d.write(
      "kube/config",
      config("    server: https://127.0.0.1:6443/\n    certificate-authority: ../certs/ca.crt\n",
             "    token: abc123\n"));
  auto r = load(p);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->server, "https://127.0.0.1:6443");
  EXPECT_EQ(r->caPem, kCert);
  EXPECT_EQ(r->token, "abc123");
  EXPECT_EQ(r->namespaceName, "ops");
  EXPECT_FALSE(r->insecureSkipTlsVerify);
  EXPECT_EQ(r->source, "kubeconfig " + p + " (context local)");
}

TEST(Kubeconfig, ReadsDataFieldsServerNameAndClientCertificate) {
  TempDir d;
  const std::string p =
      d.write("config", config("    server: https://10.0.0.1\n    certificate-authority-data: " +
                                   encodeBase64(kCert) + "\n    tls-server-name: kubernetes\n",
                               "    client-certificate-data: " + encodeBase64(kCert) +
                                   "\n    client-key-data: " + encodeBase64(kKey) + "\n"));
  auto r = load(p);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->caPem, kCert);
  EXPECT_EQ(r->tlsServerName, "kubernetes");
  EXPECT_EQ(r->clientCertPem, kCert);
  EXPECT_EQ(r->clientKeyPem, kKey);
  EXPECT_TRUE(r->token.empty());
}

TEST(Kubeconfig, ReadsClientCertificateFilesAndTokenFileRelativeToTheFile) {
  TempDir d;
  d.write("sub/tls.crt", kCert);
  d.write("sub/tls.key", kKey);
  d.write("sub/token", "file-token\n");
  const std::string p =
      d.write("sub/config",
              config("    server: http://127.0.0.1:8080\n    insecure-skip-tls-verify: true\n",
                     "    client-certificate: tls.crt\n    client-key: ./tls.key\n"
                     "    tokenFile: token\n"));
  auto r = load(p);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->insecureSkipTlsVerify);
  EXPECT_EQ(r->clientCertPem, kCert);
  EXPECT_EQ(r->clientKeyPem, kKey);
  EXPECT_EQ(r->tokenFile, d.file("sub/token"));
  EXPECT_TRUE(r->token.empty());
}

TEST(Kubeconfig, TokenWinsOverTokenFile) {
  TempDir d;
  const std::string p = d.write(
      "config", config("    server: https://a:1\n", "    token: t\n    tokenFile: /nonexistent\n"));
  auto r = load(p);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->token, "t");
  EXPECT_TRUE(r->tokenFile.empty());
}

TEST(Kubeconfig, ContextOverrideAndDefaultNamespace) {
  TempDir d;
  const std::string p = d.write("config", config("    server: https://a:1\n", "    token: t\n",
                                                 "- name: other\n  user:\n    token: u\n") +
                                              "");
  // Add a second context through a second file merged after the first.
  const std::string p2 =
      d.write("config2", "contexts:\n- name: second\n  context: {cluster: local, user: other}\n");
  auto kc = loadKubeconfigFiles({p, p2}, true);
  ASSERT_TRUE(kc.ok()) << kc.error().message;
  auto r = restConfigFromKubeconfig(*kc, "second");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->token, "u");
  EXPECT_EQ(r->namespaceName, "default");
  EXPECT_EQ(r->source, "kubeconfig " + p + ":" + p2 + " (context second)");
}

TEST(Kubeconfig, MergesFirstWins) {
  TempDir d;
  const std::string a =
      d.write("a", "clusters:\n- name: c\n  cluster: {server: 'https://first:1'}\n");
  const std::string b = d.write(
      "b",
      "current-context: x\nclusters:\n- name: c\n  cluster: {server: 'https://second:2'}\n"
      "contexts:\n- name: x\n  context: {cluster: c}\n- name: y\n  context: {cluster: c}\n");
  const std::string c = d.write("c", "current-context: y\n");
  ConfigSources s;
  s.kubeconfigEnv = a + ":" + d.file("missing") + ":" + b + ":" + c;
  auto r = resolveRestConfig(s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->server, "https://first:1");
  EXPECT_EQ(r->source, "kubeconfig " + a + ":" + b + ":" + c + " (context x)");
  EXPECT_TRUE(r->token.empty());  // no user: anonymous
}

TEST(Kubeconfig, EmptyFileIsAnEmptyConfig) {
  TempDir d;
  const std::string p = d.write("config", "");
  EXPECT_EQ(loadError(p), "kubeconfig " + p + ": current-context is not set");
}

struct BadCase {
  const char* name;
  std::string content;
  std::string error;  // after "kubeconfig PATH: "
};

TEST(Kubeconfig, BadInputsHaveExactErrors) {
  const std::vector<BadCase> cases = {
      {"yaml", "clusters: [\n", "invalid YAML at line 2, column 1: end of sequence flow not found"},
      {"not-map", "- a\n", "the document must be a map"},
      {"clusters-not-list", "clusters: {a: b}\n", "clusters must be a list"},
      {"cluster-no-name", "clusters:\n- cluster: {server: x}\n", "clusters[0] has no name"},
      {"cluster-not-map", "clusters:\n- 3\n", "clusters[0] must be a map"},
      {"cluster-body", "clusters:\n- name: c\n  cluster: [1]\n",
       "clusters[0] (\"c\"): cluster must be a map"},
      {"server-type", "clusters:\n- name: c\n  cluster: {server: [1]}\n",
       "cluster \"c\": server must be a string"},
      {"insecure-type", "clusters:\n- name: c\n  cluster: {insecure-skip-tls-verify: maybe}\n",
       "cluster \"c\": insecure-skip-tls-verify must be true or false"},
      {"ca-data", "clusters:\n- name: c\n  cluster: {certificate-authority-data: '***'}\n",
       "cluster \"c\": certificate-authority-data is not valid base64"},
      {"key-data", "users:\n- name: u\n  user: {client-key-data: 'a'}\n",
       "user \"u\": client-key-data is not valid base64"},
  };
  for (const BadCase& c : cases) {
    TempDir d;
    const std::string p = d.write("config", c.content);
    auto r = parseKubeconfigFile(p);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().message, "kubeconfig " + p + ": " + c.error) << c.name;
    EXPECT_EQ(r.code(), Errc::Invalid) << c.name;
  }
}

TEST(Kubeconfig, BadSelectionsHaveExactErrors) {
  const std::string ok = "    server: https://a:1\n";
  const std::vector<BadCase> cases = {
      {"no-context",
       "clusters:\n- name: c\n  cluster: {server: 'https://a'}\ncurrent-context: nope\n",
       "context \"nope\" is not defined"},
      {"no-cluster", "current-context: x\ncontexts:\n- name: x\n  context: {cluster: k}\n",
       "context \"x\" refers to cluster \"k\", which is not defined"},
      {"context-without-cluster",
       "current-context: x\ncontexts:\n- name: x\n  context: {user: u}\n",
       "context \"x\" names no cluster"},
      {"no-user",
       config(ok, "    token: t\n").replace(config(ok, "").find("user: op"), 8, "user: xx"),
       "context \"local\" refers to user \"xx\", which is not defined"},
      {"no-server", config("    insecure-skip-tls-verify: true\n", "    token: t\n"),
       "cluster \"local\" has no server"},
      {"bad-scheme", config("    server: ftp://a\n", "    token: t\n"),
       "cluster \"local\": server \"ftp://a\" must start with https:// or http://"},
      {"insecure-and-ca",
       config("    server: https://a\n    insecure-skip-tls-verify: true\n    "
              "certificate-authority-data: " +
                  encodeBase64(kCert) + "\n",
              "    token: t\n"),
       "cluster \"local\": insecure-skip-tls-verify cannot be combined with certificate-authority "
       "or certificate-authority-data"},
      {"ca-missing",
       config("    server: https://a\n    certificate-authority: /nonexistent/ca.crt\n",
              "    token: t\n"),
       "cluster \"local\": certificate-authority /nonexistent/ca.crt: cannot read: No such file or "
       "directory"},
      {"ca-not-pem",
       config(
           "    server: https://a\n    certificate-authority-data: " + encodeBase64("hello") + "\n",
           "    token: t\n"),
       "cluster \"local\": certificate-authority-data does not contain a PEM certificate"},
      {"exec", config(ok, "    exec:\n      command: aws\n"),
       "user \"op\" uses an exec credential plugin, which mysql-operator does not support; use "
       "token, tokenFile or a client certificate"},
      {"auth-provider", config(ok, "    auth-provider:\n      name: gcp\n"),
       "user \"op\" uses auth-provider \"gcp\", which mysql-operator does not support; use token, "
       "tokenFile or a client certificate"},
      {"basic", config(ok, "    username: admin\n    password: secret\n"),
       "user \"op\" uses username/password (basic auth), which Kubernetes removed; use token, "
       "tokenFile or a client certificate"},
      {"token-file", config(ok, "    tokenFile: /nonexistent/token\n"),
       "user \"op\": tokenFile /nonexistent/token: cannot read: No such file or directory"},
      {"cert-without-key", config(ok, "    client-certificate-data: " + encodeBase64(kCert) + "\n"),
       "user \"op\": client-certificate needs client-key"},
      {"key-without-cert", config(ok, "    client-key-data: " + encodeBase64(kKey) + "\n"),
       "user \"op\": client-key needs client-certificate"},
      {"key-not-pem",
       config(ok, "    client-certificate-data: " + encodeBase64(kCert) +
                      "\n    client-key-data: " + encodeBase64(kCert) + "\n"),
       "user \"op\": client-key-data does not contain a PEM private key"},
  };
  for (const BadCase& c : cases) {
    TempDir d;
    const std::string p = d.write("config", c.content);
    EXPECT_EQ(loadError(p), "kubeconfig " + p + ": " + c.error) << c.name;
  }
}

TEST(Kubeconfig, MissingFileNamedByTheFlag) {
  ConfigSources s;
  s.kubeconfigFlag = "/nonexistent/kubeconfig";
  auto r = resolveRestConfig(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "kubeconfig /nonexistent/kubeconfig: cannot read: No such file or directory");
}

TEST(Kubeconfig, AllFilesOfKubeconfigEnvMissing) {
  ConfigSources s;
  s.kubeconfigEnv = "/nonexistent/a:/nonexistent/b";
  auto r = resolveRestConfig(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::Unavailable);
  EXPECT_EQ(r.error().message,
            "KUBECONFIG=/nonexistent/a:/nonexistent/b: none of the kubeconfig files exists: "
            "/nonexistent/a, /nonexistent/b");
}

TEST(InCluster, ReadsServiceAccount) {
  TempDir d;
  d.write("sa/token", "sa-token\n");
  d.write("sa/ca.crt", kCert);
  d.write("sa/namespace", "mysql-operator\n");
  ConfigSources s;
  s.serviceHost = "10.96.0.1";
  s.servicePort = "443";
  s.serviceAccountDir = d.file("sa");
  auto r = resolveRestConfig(s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->server, "https://10.96.0.1:443");
  EXPECT_EQ(r->tokenFile, d.file("sa/token"));
  EXPECT_EQ(r->caPem, kCert);
  EXPECT_EQ(r->namespaceName, "mysql-operator");
  EXPECT_EQ(r->source, "in-cluster (" + d.file("sa") + ")");
}

TEST(InCluster, BracketsIpv6AndToleratesMissingCa) {
  TempDir d;
  d.write("token", "t");
  ConfigSources s;
  s.serviceHost = "fd00::1";
  s.servicePort = "6443";
  s.serviceAccountDir = d.path();
  auto r = inClusterConfig(s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->server, "https://[fd00::1]:6443");
  EXPECT_TRUE(r->caPem.empty());
  EXPECT_TRUE(r->namespaceName.empty());
}

TEST(InCluster, Errors) {
  ConfigSources s;
  s.serviceHost = "10.0.0.1";
  auto r = inClusterConfig(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must "
            "both be set");
  TempDir d;
  s.servicePort = "443";
  s.serviceAccountDir = d.path();
  r = inClusterConfig(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::Unavailable);
  EXPECT_EQ(r.error().message, "in-cluster configuration: cannot read the service-account token " +
                                   d.path() + "/token: No such file or directory");
}

TEST(Resolve, OrderIsFlagEnvInClusterHome) {
  TempDir d;
  auto server = [&](const std::string& name, const std::string& url) {
    return d.write(name, "current-context: c\nclusters:\n- name: k\n  cluster: {server: '" + url +
                             "'}\ncontexts:\n- name: c\n  context: {cluster: k}\n");
  };
  const std::string flag = server("flag", "https://flag:1");
  const std::string env = server("env", "https://env:1");
  server("home/.kube/config", "https://home:1");
  d.write("sa/token", "t");
  ConfigSources s;
  s.kubeconfigFlag = flag;
  s.kubeconfigEnv = env;
  s.serviceHost = "incluster";
  s.servicePort = "1";
  s.serviceAccountDir = d.file("sa");
  s.home = d.file("home");
  EXPECT_EQ(resolveRestConfig(s)->server, "https://flag:1");
  s.kubeconfigFlag.clear();
  EXPECT_EQ(resolveRestConfig(s)->server, "https://env:1");
  s.kubeconfigEnv.reset();
  EXPECT_EQ(resolveRestConfig(s)->server, "https://incluster:1");
  s.serviceHost.clear();
  s.servicePort.clear();
  EXPECT_EQ(resolveRestConfig(s)->server, "https://home:1");
  s.home = d.file("nohome");
  auto r = resolveRestConfig(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::Unavailable);
  EXPECT_EQ(r.error().message,
            "no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG, run in a "
            "cluster (KUBERNETES_SERVICE_HOST), create ~/.kube/config, or use --standalone");
}

}  // namespace
}  // namespace mysqlop::kube
