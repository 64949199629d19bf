#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::kube {

// Everything needed to reach and authenticate to one API server, whatever its source.
struct RestConfig {
  std::string server;  // "https://host:port" or "http://host:port", no trailing slash
  std::string caPem;   // PEM bundle to verify the server; empty = the system's roots
  bool insecureSkipTlsVerify = false;
  std::string tlsServerName;  // name checked against the server certificate (and sent as SNI)
  std::string token;          // static bearer token
  std::string tokenFile;      // bearer token file, re-read periodically (takes effect if no token)
  std::string clientCertPem;
  std::string clientKeyPem;
  std::string namespaceName;  // the context's namespace or the pod's namespace; "" if unknown
  std::string source;         // for logs: "in-cluster" or "kubeconfig FILE (context NAME)"
};

// One kubeconfig file's content (client-go tools/clientcmd/api/v1 types), with relative paths
// already resolved against the file's directory and *-data fields already base64-decoded.
struct KubeconfigCluster {
  std::string server;
  std::string certificateAuthority;  // absolute path
  std::string certificateAuthorityData;
  bool insecureSkipTlsVerify = false;
  std::string tlsServerName;
  std::string file;  // where it was defined
};

struct KubeconfigUser {
  std::string token;
  std::string tokenFile;          // absolute path
  std::string clientCertificate;  // absolute path
  std::string clientCertificateData;
  std::string clientKey;  // absolute path
  std::string clientKeyData;
  bool hasExec = false;
  std::string authProvider;  // name of an auth-provider, if any
  bool hasBasicAuth = false;
  std::string file;
};

struct KubeconfigContext {
  std::string cluster;
  std::string user;
  std::string namespaceName;
  std::string file;
};

struct Kubeconfig {
  std::map<std::string, KubeconfigCluster> clusters;
  std::map<std::string, KubeconfigUser> users;
  std::map<std::string, KubeconfigContext> contexts;
  std::string currentContext;
  std::vector<std::string> files;  // the files merged, in order
};

// Parses one kubeconfig file. Errors name the file and, for YAML errors, the line.
Result<Kubeconfig> parseKubeconfigFile(const std::string& path);

// Loads and merges files the way client-go merges $KUBECONFIG: the first file that defines a
// cluster, user or context name (or current-context) wins. Missing files are skipped unless
// mustExist; at least one file must load.
Result<Kubeconfig> loadKubeconfigFiles(const std::vector<std::string>& paths, bool mustExist);

// Picks the context (contextOverride, else current-context) and reads the files it refers to.
Result<RestConfig> restConfigFromKubeconfig(const Kubeconfig& config,
                                            const std::string& contextOverride = "");

// Where to look for a configuration; fromEnvironment() fills it from the process environment.
struct ConfigSources {
  std::string kubeconfigFlag;                // --kubeconfig
  std::string context;                       // a context override ("" = current-context)
  std::optional<std::string> kubeconfigEnv;  // $KUBECONFIG
  std::string home;                          // $HOME, for ~/.kube/config
  std::string serviceHost;                   // $KUBERNETES_SERVICE_HOST
  std::string servicePort;                   // $KUBERNETES_SERVICE_PORT
  std::string serviceAccountDir;             // the service-account mount

  static constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";
  // Test hook: a directory that replaces the service-account mount, since the real path is fixed
  // inside pods.
  static constexpr const char* kServiceAccountDirEnv = "MYSQLOP_TEST_SERVICEACCOUNT_DIR";

  static ConfigSources fromEnvironment(const std::string& kubeconfigFlag);
};

// client-go's in-cluster configuration: KUBERNETES_SERVICE_HOST/_PORT, the service-account token
// (as a tokenFile, re-read by the client), its CA and namespace.
Result<RestConfig> inClusterConfig(const ConfigSources& sources);

// controller-runtime's order: --kubeconfig, then $KUBECONFIG, then in-cluster, then
// ~/.kube/config. Fails with Errc::Unavailable when none exists.
Result<RestConfig> resolveRestConfig(const ConfigSources& sources);

// Reads a whole file; the error says "cannot read PATH: REASON".
Result<std::string> readFile(const std::string& path);

}  // namespace mysqlop::kube
