#include "core/kube/rest_config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/kube/base64.h"

namespace mysqlop::kube {

namespace fs = std::filesystem;

namespace {

// A parse error inside one file; turned into a Failure naming the file by the caller.
struct KubeconfigError {
  std::string message;
};

std::string resolvePath(const std::string& dir, const std::string& p) {
  if (p.empty()) {
    return p;
  }
  fs::path path(p);
  if (path.is_relative()) {
    path = fs::path(dir) / path;
  }
  return path.lexically_normal().string();
}

std::string scalar(const YAML::Node& map, const char* key, const std::string& where) {
  const YAML::Node n = map[key];
  if (!n || n.IsNull()) {
    return {};
  }
  if (!n.IsScalar()) {
    throw KubeconfigError{where + ": " + key + " must be a string"};
  }
  return n.as<std::string>();
}

bool boolean(const YAML::Node& map, const char* key, const std::string& where) {
  const YAML::Node n = map[key];
  if (!n || n.IsNull()) {
    return false;
  }
  bool out = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, out)) {
    throw KubeconfigError{where + ": " + key + " must be true or false"};
  }
  return out;
}

std::string decoded(const YAML::Node& map, const char* key, const std::string& where) {
  std::string text = scalar(map, key, where);
  if (text.empty()) {
    return text;
  }
  auto bytes = decodeBase64(text);
  if (!bytes) {
    throw KubeconfigError{where + ": " + key + " is not valid base64"};
  }
  return *bytes;
}

// Calls f(name, body, where) for each entry of a named list such as clusters: [{name, cluster}].
template <class F>
void forEachNamed(const YAML::Node& root, const char* listKey, const char* bodyKey, F&& f) {
  const YAML::Node list = root[listKey];
  if (!list || list.IsNull()) {
    return;
  }
  if (!list.IsSequence()) {
    throw KubeconfigError{std::string(listKey) + " must be a list"};
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node item = list[i];
    const std::string at = std::string(listKey) + "[" + std::to_string(i) + "]";
    if (!item.IsMap()) {
      throw KubeconfigError{at + " must be a map"};
    }
    const std::string name = scalar(item, "name", at);
    if (name.empty()) {
      throw KubeconfigError{at + " has no name"};
    }
    YAML::Node body = item[bodyKey];
    if (body && !body.IsNull() && !body.IsMap()) {
      std::string msg = at;
      msg.append(" (\"").append(name).append("\"): ").append(bodyKey).append(" must be a map");
      throw KubeconfigError{msg};
    }
    if (!body || body.IsNull()) {
      body = YAML::Node(YAML::NodeType::Map);
    }
    f(name, body);
  }
}

void parseInto(const std::string& path, const std::string& text, Kubeconfig* out) {
  const std::string dir = fs::path(path).parent_path().string();
  YAML::Node root = YAML::Load(text);
  if (!root || root.IsNull()) {
    return;  // an empty file is an empty config, as client-go treats it
  }
  if (!root.IsMap()) {
    throw KubeconfigError{"the document must be a map"};
  }
  forEachNamed(root, "clusters", "cluster", [&](const std::string& name, const YAML::Node& c) {
    const std::string where = "cluster \"" + name + "\"";
    KubeconfigCluster k;
    k.server = scalar(c, "server", where);
    k.certificateAuthority = resolvePath(dir, scalar(c, "certificate-authority", where));
    k.certificateAuthorityData = decoded(c, "certificate-authority-data", where);
    k.insecureSkipTlsVerify = boolean(c, "insecure-skip-tls-verify", where);
    k.tlsServerName = scalar(c, "tls-server-name", where);
    k.file = path;
    out->clusters.emplace(name, std::move(k));  // first definition wins
  });
  forEachNamed(root, "users", "user", [&](const std::string& name, const YAML::Node& u) {
    const std::string where = "user \"" + name + "\"";
    KubeconfigUser k;
    k.token = scalar(u, "token", where);
    k.tokenFile = resolvePath(dir, scalar(u, "tokenFile", where));
    k.clientCertificate = resolvePath(dir, scalar(u, "client-certificate", where));
    k.clientCertificateData = decoded(u, "client-certificate-data", where);
    k.clientKey = resolvePath(dir, scalar(u, "client-key", where));
    k.clientKeyData = decoded(u, "client-key-data", where);
    k.hasExec = u["exec"] && !u["exec"].IsNull();
    if (const YAML::Node ap = u["auth-provider"]; ap && !ap.IsNull()) {
      k.authProvider = ap.IsMap() ? scalar(ap, "name", where + ": auth-provider") : "";
      if (k.authProvider.empty()) {
        k.authProvider = "(unnamed)";
      }
    }
    k.hasBasicAuth = !scalar(u, "username", where).empty() || !scalar(u, "password", where).empty();
    k.file = path;
    out->users.emplace(name, std::move(k));
  });
  forEachNamed(root, "contexts", "context", [&](const std::string& name, const YAML::Node& c) {
    const std::string where = "context \"" + name + "\"";
    KubeconfigContext k;
    k.cluster = scalar(c, "cluster", where);
    k.user = scalar(c, "user", where);
    k.namespaceName = scalar(c, "namespace", where);
    k.file = path;
    out->contexts.emplace(name, std::move(k));
  });
  if (out->currentContext.empty()) {
    out->currentContext = scalar(root, "current-context", "the document");
  }
}

// Reads path into *out; on failure returns false and sets *reason to strerror's text.
bool readInto(const std::string& path, std::string* out, std::string* reason) {
  auto r = readFile(path);
  if (!r.ok()) {
    *reason = r.error().message.substr(r.error().message.rfind(": ") + 2);
    return false;
  }
  *out = std::move(r).value();
  return true;
}

Result<std::string> pemFrom(const std::string& file, const std::string& data, const char* field,
                            const std::string& where, const char* marker) {
  std::string pem = data;
  std::string origin = std::string(field) + "-data";
  if (pem.empty() && !file.empty()) {
    std::string reason;
    if (!readInto(file, &pem, &reason)) {
      return fail(Errc::Invalid, where + ": " + field + " " + file + ": cannot read: " + reason);
    }
    origin = std::string(field) + " " + file;
  }
  if (!pem.empty() && pem.find(marker) == std::string::npos) {
    return fail(Errc::Invalid, where + ": " + origin + " does not contain a PEM " +
                                   (std::strstr(marker, "KEY") ? "private key" : "certificate"));
  }
  return pem;
}

std::string joinHostPort(const std::string& host, const std::string& port) {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + port;
  }
  return host + ":" + port;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  const auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Errc::NotFound, "cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return fail(Errc::Internal, "cannot read " + path + ": " + std::strerror(errno));
  }
  return ss.str();
}

Result<Kubeconfig> parseKubeconfigFile(const std::string& path) {
  std::string text;
  std::string reason;
  if (!readInto(path, &text, &reason)) {
    return fail(Errc::Invalid, "kubeconfig " + path + ": cannot read: " + reason);
  }
  Kubeconfig out;
  try {
    parseInto(path, text, &out);
  } catch (const KubeconfigError& e) {
    return fail(Errc::Invalid, "kubeconfig " + path + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return fail(Errc::Invalid, "kubeconfig " + path + ": invalid YAML at line " +
                                   std::to_string(e.mark.line + 1) + ", column " +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  out.files.push_back(path);
  return out;
}

Result<Kubeconfig> loadKubeconfigFiles(const std::vector<std::string>& paths, bool mustExist) {
  Kubeconfig merged;
  for (const std::string& p : paths) {
    if (p.empty()) {
      continue;
    }
    std::error_code ec;
    if (!mustExist && !fs::exists(p, ec)) {
      continue;  // client-go skips missing files of $KUBECONFIG
    }
    auto one = parseKubeconfigFile(p);
    if (!one.ok()) {
      return one.error();
    }
    for (auto& [k, v] : one->clusters) {
      merged.clusters.emplace(k, std::move(v));
    }
    for (auto& [k, v] : one->users) {
      merged.users.emplace(k, std::move(v));
    }
    for (auto& [k, v] : one->contexts) {
      merged.contexts.emplace(k, std::move(v));
    }
    if (merged.currentContext.empty()) {
      merged.currentContext = one->currentContext;
    }
    merged.files.push_back(p);
  }
  if (merged.files.empty()) {
    std::string list;
    for (const std::string& p : paths) {
      list += (list.empty() ? "" : ", ") + p;
    }
    return fail(Errc::Unavailable, "none of the kubeconfig files exists: " + list);
  }
  return merged;
}

Result<RestConfig> restConfigFromKubeconfig(const Kubeconfig& config,
                                            const std::string& contextOverride) {
  std::string files;
  for (const std::string& f : config.files) {
    files += (files.empty() ? "" : ":") + f;
  }
  const std::string prefix = "kubeconfig " + files + ": ";
  const std::string contextName = contextOverride.empty() ? config.currentContext : contextOverride;
  if (contextName.empty()) {
    return fail(Errc::Invalid, prefix + "current-context is not set");
  }
  auto ctx = config.contexts.find(contextName);
  if (ctx == config.contexts.end()) {
    return fail(Errc::Invalid, prefix + "context \"" + contextName + "\" is not defined");
  }
  const KubeconfigContext& c = ctx->second;
  if (c.cluster.empty()) {
    return fail(Errc::Invalid, prefix + "context \"" + contextName + "\" names no cluster");
  }
  auto cl = config.clusters.find(c.cluster);
  if (cl == config.clusters.end()) {
    return fail(Errc::Invalid, prefix + "context \"" + contextName + "\" refers to cluster \"" +
                                   c.cluster + "\", which is not defined");
  }
  const KubeconfigCluster& cluster = cl->second;
  const std::string clusterWhere = prefix + "cluster \"" + c.cluster + "\"";

  RestConfig out;
  out.source = "kubeconfig " + files + " (context " + contextName + ")";
  out.namespaceName = c.namespaceName.empty() ? "default" : c.namespaceName;
  out.server = cluster.server;
  while (!out.server.empty() && out.server.back() == '/') {
    out.server.pop_back();
  }
  if (out.server.empty()) {
    return fail(Errc::Invalid, clusterWhere + " has no server");
  }
  if (out.server.rfind("https://", 0) != 0 && out.server.rfind("http://", 0) != 0) {
    return fail(Errc::Invalid, clusterWhere + ": server \"" + cluster.server +
                                   "\" must start with https:// or http://");
  }
  const bool hasCa =
      !cluster.certificateAuthority.empty() || !cluster.certificateAuthorityData.empty();
  if (cluster.insecureSkipTlsVerify && hasCa) {
    // client-go refuses the combination: "specifying a root certificates file with the insecure
    // flag is not allowed".
    return fail(Errc::Invalid, clusterWhere +
                                   ": insecure-skip-tls-verify cannot be combined with "
                                   "certificate-authority or certificate-authority-data");
  }
  auto ca = pemFrom(cluster.certificateAuthority, cluster.certificateAuthorityData,
                    "certificate-authority", clusterWhere, "-----BEGIN CERTIFICATE-----");
  if (!ca.ok()) {
    return ca.error();
  }
  out.caPem = std::move(ca).value();
  out.insecureSkipTlsVerify = cluster.insecureSkipTlsVerify;
  out.tlsServerName = cluster.tlsServerName;

  if (c.user.empty()) {
    return out;  // anonymous
  }
  auto us = config.users.find(c.user);
  if (us == config.users.end()) {
    return fail(Errc::Invalid, prefix + "context \"" + contextName + "\" refers to user \"" +
                                   c.user + "\", which is not defined");
  }
  const KubeconfigUser& user = us->second;
  const std::string userWhere = prefix + "user \"" + c.user + "\"";
  if (user.hasExec) {
    return fail(Errc::Unsupported,
                userWhere +
                    " uses an exec credential plugin, which mysql-operator does not "
                    "support; use token, tokenFile or a client certificate");
  }
  if (!user.authProvider.empty()) {
    return fail(Errc::Unsupported, userWhere + " uses auth-provider \"" + user.authProvider +
                                       "\", which mysql-operator does not support; use token, "
                                       "tokenFile or a client certificate");
  }
  if (user.hasBasicAuth && user.token.empty() && user.tokenFile.empty() &&
      user.clientCertificate.empty() && user.clientCertificateData.empty()) {
    return fail(Errc::Unsupported, userWhere +
                                       " uses username/password (basic auth), which "
                                       "Kubernetes removed; use token, tokenFile or a "
                                       "client certificate");
  }
  out.token = user.token;
  if (out.token.empty() && !user.tokenFile.empty()) {
    std::string token;
    std::string reason;
    if (!readInto(user.tokenFile, &token, &reason)) {
      return fail(Errc::Invalid,
                  userWhere + ": tokenFile " + user.tokenFile + ": cannot read: " + reason);
    }
    out.tokenFile = user.tokenFile;
  }
  auto cert = pemFrom(user.clientCertificate, user.clientCertificateData, "client-certificate",
                      userWhere, "-----BEGIN CERTIFICATE-----");
  if (!cert.ok()) {
    return cert.error();
  }
  auto key =
      pemFrom(user.clientKey, user.clientKeyData, "client-key", userWhere, "PRIVATE KEY-----");
  if (!key.ok()) {
    return key.error();
  }
  if (cert->empty() != key->empty()) {
    return fail(Errc::Invalid, userWhere + ": " +
                                   (cert->empty() ? "client-key needs client-certificate"
                                                  : "client-certificate needs client-key"));
  }
  out.clientCertPem = std::move(cert).value();
  out.clientKeyPem = std::move(key).value();
  return out;
}

ConfigSources ConfigSources::fromEnvironment(const std::string& kubeconfigFlag) {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
  };
  ConfigSources s;
  s.kubeconfigFlag = kubeconfigFlag;
  if (const char* k = std::getenv("KUBECONFIG")) {
    s.kubeconfigEnv = std::string(k);
  }
  s.home = env("HOME");
  s.serviceHost = env("KUBERNETES_SERVICE_HOST");
  s.servicePort = env("KUBERNETES_SERVICE_PORT");
  s.serviceAccountDir = env(kServiceAccountDirEnv);
  if (s.serviceAccountDir.empty()) {
    s.serviceAccountDir = kServiceAccountDir;
  }
  return s;
}

Result<RestConfig> inClusterConfig(const ConfigSources& sources) {
  if (sources.serviceHost.empty() || sources.servicePort.empty()) {
    return fail(Errc::Unavailable,
                "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
                "must both be set");
  }
  const std::string dir = sources.serviceAccountDir;
  RestConfig out;
  out.source = "in-cluster (" + dir + ")";
  out.server = "https://" + joinHostPort(sources.serviceHost, sources.servicePort);
  const std::string tokenPath = (fs::path(dir) / "token").string();
  std::string token;
  std::string reason;
  if (!readInto(tokenPath, &token, &reason)) {
    return fail(Errc::Unavailable,
                "in-cluster configuration: cannot read the service-account "
                "token " +
                    tokenPath + ": " + reason);
  }
  out.tokenFile = tokenPath;
  // client-go logs and falls back to the system roots when ca.crt is unreadable.
  if (auto ca = readFile((fs::path(dir) / "ca.crt").string()); ca.ok()) {
    out.caPem = std::move(ca).value();
  }
  if (auto ns = readFile((fs::path(dir) / "namespace").string()); ns.ok()) {
    out.namespaceName = trim(*ns);
  }
  return out;
}

Result<RestConfig> resolveRestConfig(const ConfigSources& sources) {
  if (!sources.kubeconfigFlag.empty()) {
    auto kc = loadKubeconfigFiles({sources.kubeconfigFlag}, true);
    if (!kc.ok()) {
      return kc.error();
    }
    return restConfigFromKubeconfig(*kc, sources.context);
  }
  if (sources.kubeconfigEnv && !sources.kubeconfigEnv->empty()) {
    std::vector<std::string> files;
    std::stringstream ss(*sources.kubeconfigEnv);
    for (std::string f; std::getline(ss, f, ':');) {
      files.push_back(f);
    }
    auto kc = loadKubeconfigFiles(files, false);
    if (!kc.ok()) {
      return fail(kc.code(), "KUBECONFIG=" + *sources.kubeconfigEnv + ": " + kc.error().message);
    }
    return restConfigFromKubeconfig(*kc, sources.context);
  }
  if (!sources.serviceHost.empty() || !sources.servicePort.empty()) {
    return inClusterConfig(sources);
  }
  if (!sources.home.empty()) {
    const std::string path = (fs::path(sources.home) / ".kube" / "config").string();
    std::error_code ec;
    if (fs::exists(path, ec)) {
      auto kc = loadKubeconfigFiles({path}, true);
      if (!kc.ok()) {
        return kc.error();
      }
      return restConfigFromKubeconfig(*kc, sources.context);
    }
  }
  return fail(Errc::Unavailable,
              "no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG, run in a "
              "cluster (KUBERNETES_SERVICE_HOST), create ~/.kube/config, or use --standalone");
}

}  // namespace mysqlop::kube
