#include "plugins/cluster/src/spec.h"

#include <array>
#include <cctype>

#include "plugins/cluster/src/images.h"
#include "plugins/cluster/src/naming.h"
#include "plugins/common/cron/schedule.h"
#include "plugins/common/kube/names.h"
#include "plugins/common/kube/owner.h"
#include "plugins/common/kube/quantity.h"

namespace mysqlop::cluster {

namespace {

using nlohmann::json;

// The StatefulSet name <c>-mysql must leave room for the pods' controller-revision-hash label
// (<set>-<10 chars> <= 63), so the cluster name has at most 46 characters.
constexpr std::size_t kMaxClusterName = 46;
// MySQL 5.7 keeps MASTER_HOST and report_host in 60 characters (compat.md 9 #15).
constexpr std::size_t kMaxMysql57HostName = 60;

std::string quote(const std::string& s) { return "\"" + s + "\""; }

const char* typeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "a list";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_float: return "a fractional number";
    default: return "a number";
  }
}

// Collects errors while reading one object; every accessor names the full path.
class Reader {
 public:
  explicit Reader(std::vector<FieldError>* errors) : errors_(errors) {}

  void fail(const std::string& reason, const std::string& message) {
    errors_->push_back({reason, message});
  }

  // The member `key` of obj, or null; a wrong container type for obj itself is reported once.
  static const json& member(const json& obj, const char* key) {
    static const json kNull;
    if (!obj.is_object()) {
      return kNull;
    }
    auto it = obj.find(key);
    return it == obj.end() ? kNull : *it;
  }

  std::optional<std::string> str(const json& v, const std::string& path,
                                 const std::string& reason) {
    if (v.is_null()) {
      return std::nullopt;
    }
    if (!v.is_string()) {
      fail(reason, path + ": expected a string, got " + typeName(v));
      return std::nullopt;
    }
    return v.get<std::string>();
  }

  std::optional<std::int64_t> integer(const json& v, const std::string& path,
                                      const std::string& reason, std::int64_t min) {
    if (v.is_null()) {
      return std::nullopt;
    }
    if (!v.is_number_integer()) {
      fail(reason, path + ": expected an integer, got " + typeName(v));
      return std::nullopt;
    }
    const std::int64_t n = v.get<std::int64_t>();
    if (n < min) {
      fail(reason,
           path + ": must be " + std::to_string(min) + " or more, got " + std::to_string(n));
      return std::nullopt;
    }
    return n;
  }

  std::optional<bool> boolean(const json& v, const std::string& path, const std::string& reason) {
    if (v.is_null()) {
      return std::nullopt;
    }
    if (!v.is_boolean()) {
      fail(reason, path + ": expected true or false, got " + typeName(v));
      return std::nullopt;
    }
    return v.get<bool>();
  }

  bool isObject(const json& v, const std::string& path, const std::string& reason) {
    if (v.is_null()) {
      return false;
    }
    if (!v.is_object()) {
      fail(reason, path + ": expected an object, got " + typeName(v));
      return false;
    }
    return true;
  }

  bool isArray(const json& v, const std::string& path, const std::string& reason) {
    if (v.is_null()) {
      return false;
    }
    if (!v.is_array()) {
      fail(reason, path + ": expected a list, got " + typeName(v));
      return false;
    }
    return true;
  }

  std::vector<std::string> strings(const json& v, const std::string& path,
                                   const std::string& reason) {
    std::vector<std::string> out;
    if (!isArray(v, path, reason)) {
      return out;
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) {
        fail(reason,
             path + "[" + std::to_string(i) + "]: expected a string, got " + typeName(v[i]));
        continue;
      }
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }

  std::map<std::string, std::string> stringMap(const json& v, const std::string& path,
                                               const std::string& reason) {
    std::map<std::string, std::string> out;
    if (!isObject(v, path, reason)) {
      return out;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!it->is_string()) {
        fail(reason, path + "." + it.key() + ": expected a string, got " + typeName(*it));
        continue;
      }
      out[it.key()] = it->get<std::string>();
    }
    return out;
  }

  // A quantity given as a string or an integer; negative values are refused.
  std::optional<kube::Quantity> quantity(const json& v, const std::string& path,
                                         const std::string& reason) {
    std::string text;
    if (v.is_number_integer()) {
      text = v.dump();
    } else if (v.is_string()) {
      text = v.get<std::string>();
    } else {
      fail(reason, path + ": expected a quantity such as \"1Gi\", got " + typeName(v));
      return std::nullopt;
    }
    std::string why;
    auto q = kube::Quantity::parse(text, &why);
    if (!q) {
      fail(reason, path + ": " + quote(text) + " is " +
                       (why == "too large" ? "too large" : "not a valid quantity"));
      return std::nullopt;
    }
    if (q->isNegative()) {
      fail(reason, path + ": " + quote(text) + " must not be negative");
      return std::nullopt;
    }
    return q;
  }

  // A ResourceRequirements object: limits and requests maps of quantities.
  void resources(const json& v, const std::string& path, const std::string& reason) {
    if (!isObject(v, path, reason)) {
      return;
    }
    for (const char* part : {"limits", "requests"}) {
      const json& m = member(v, part);
      if (!isObject(m, path + "." + part, reason)) {
        continue;
      }
      for (auto it = m.begin(); it != m.end(); ++it) {
        quantity(*it, path + "." + part + "." + it.key(), reason);
      }
    }
  }

  std::string oneOf(const json& v, const std::string& path, const std::string& reason,
                    std::initializer_list<const char*> allowed, std::string fallback) {
    auto s = str(v, path, reason);
    // An empty string is the field unset, as in Kubernetes' own types (imagePullPolicy: "" is
    // defaulted there); generated manifests often carry one, and bitpoke accepts it.
    if (!s || s->empty()) {
      return fallback;
    }
    std::string list;
    for (const char* a : allowed) {
      if (*s == a) {
        return *s;
      }
      list += list.empty() ? "" : ", ";
      list += a;
    }
    fail(reason, path + ": " + quote(*s) + " is not one of " + list);
    return fallback;
  }

 private:
  std::vector<FieldError>* errors_;
};

json defaultAffinity(const std::map<std::string, std::string>& clusterLabels) {
  json match = json::object();
  for (const auto& [k, v] : clusterLabels) {
    match[k] = v;
  }
  return {{"podAntiAffinity",
           {{"preferredDuringSchedulingIgnoredDuringExecution",
             {{{"weight", 100},
               {"podAffinityTerm",
                {{"topologyKey", "kubernetes.io/hostname"},
                 {"labelSelector", {{"matchLabels", match}}}}}}}}}}};
}

ProbeTimings probe(Reader& r, const json& v, const std::string& path, ProbeTimings base) {
  const std::string reason = "InvalidPodSpecProbes";
  if (!r.isObject(v, path, reason)) {
    return base;
  }
  auto set = [&](const char* key, int* out, std::int64_t min) {
    if (auto n = r.integer(Reader::member(v, key), path + "." + key, reason, min)) {
      *out = static_cast<int>(std::min<std::int64_t>(*n, 86400));
    }
  };
  set("initialDelaySeconds", &base.initialDelaySeconds, 0);
  set("timeoutSeconds", &base.timeoutSeconds, 1);
  set("periodSeconds", &base.periodSeconds, 1);
  set("successThreshold", &base.successThreshold, 1);
  set("failureThreshold", &base.failureThreshold, 1);
  return base;
}

ServiceShape serviceShape(Reader& r, const json& v, const std::string& path,
                          const std::string& reason) {
  ServiceShape s;
  if (!r.isObject(v, path, reason)) {
    return s;
  }
  s.type = r.oneOf(Reader::member(v, "type"), path + ".type", reason,
                   {"ClusterIP", "NodePort", "LoadBalancer"}, "ClusterIP");
  s.annotations = r.stringMap(Reader::member(v, "annotations"), path + ".annotations", reason);
  s.labels = r.stringMap(Reader::member(v, "labels"), path + ".labels", reason);
  const json& ranges = Reader::member(v, "loadBalancerSourceRanges");
  if (!ranges.is_null()) {
    r.strings(ranges, path + ".loadBalancerSourceRanges", reason);
    s.loadBalancerSourceRanges = ranges;
  }
  const json& policy = Reader::member(v, "externalTrafficPolicy");
  if (!policy.is_null()) {
    s.externalTrafficPolicy =
        r.oneOf(policy, path + ".externalTrafficPolicy", reason, {"Cluster", "Local"}, "");
  }
  return s;
}

void parseVersion(Reader& r, const json& spec, const Options& options, ClusterSpec* c) {
  const std::string rawVersion =
      r.str(Reader::member(spec, "mysqlVersion"), "spec.mysqlVersion", "InvalidMysqlVersion")
          .value_or("");
  const std::string image =
      r.str(Reader::member(spec, "image"), "spec.image", "InvalidImage").value_or("");
  mysql::VersionParse parsed = mysql::parseServerVersion(rawVersion, image);
  if (!parsed.ok()) {
    const bool aboutImage = parsed.error.rfind("spec.image", 0) == 0;
    r.fail(aboutImage ? "InvalidImage" : "InvalidMysqlVersion", parsed.error);
    return;
  }
  c->version = *parsed.version;
  c->mysqlVersionLabel = c->version.number();
  const std::string shown = rawVersion.empty() ? c->version.number() : rawVersion;
  if (c->version.flavor == mysql::Flavor::MariaDB && !c->version.atLeast(10, 6)) {
    r.fail("InvalidMysqlVersion", "spec.mysqlVersion: " + c->version.describe() +
                                      " is not supported; MariaDB 10.6 or later is required");
    return;
  }
  if (c->version.flavor == mysql::Flavor::MySQL && c->version.major != 5 && c->version.major != 8) {
    r.fail("InvalidMysqlVersion", "spec.mysqlVersion: " + c->version.describe() +
                                      " is not supported; use 5.7, 8.0 or a mariadb- version");
    return;
  }
  c->mysqlImage = chooseMysqlImage(c->version, rawVersion, image, options);
  if (c->mysqlImage.empty()) {
    r.fail("InvalidMysqlVersion", "spec.mysqlVersion: no image is known for " +
                                      c->version.describe() + " (" + quote(shown) +
                                      "); set spec.image or map it with --mysql-versions-to-image");
    return;
  }
  c->perconaImage = c->mysqlImage.find("percona") != std::string::npos;
  const std::string sidecar =
      r.str(Reader::member(spec, "sidecarImage"), "spec.sidecarImage", "InvalidSidecarImage")
          .value_or("");
  c->sidecarImage = sidecar.empty() ? defaultSidecarImage(c->version, options) : sidecar;
}

void parseName(Reader& r, const ClusterSpec& c) {
  if (!kube::isDnsLabel(c.name) || c.name.size() > kMaxClusterName) {
    r.fail("InvalidName", "metadata.name: " + quote(c.name) + " must be a DNS label of at most " +
                              std::to_string(kMaxClusterName) +
                              " characters (the StatefulSet is <name>-mysql)");
    return;
  }
  if (c.version.flavor == mysql::Flavor::MySQL && c.version.major == 5) {
    const std::string host = c.name + "-mysql-" + std::to_string(std::max(c.replicas - 1, 0)) +
                             ".mysql." + c.namespaceName;
    if (host.size() > kMaxMysql57HostName) {
      r.fail("InvalidName", "metadata.name: the pod host name " + quote(host) + " has " +
                                std::to_string(host.size()) +
                                " characters; MySQL 5.7 allows at most 60 in MASTER_HOST");
    }
  }
}

void parseVolume(Reader& r, const json& spec, ClusterSpec* c) {
  const std::string reason = "InvalidVolumeSpec";
  const json& vs = Reader::member(spec, "volumeSpec");
  if (!r.isObject(vs, "spec.volumeSpec", reason)) {
    c->emptyDir = json::object();  // bitpoke leaves the source empty, which means emptyDir
    return;
  }
  c->volumeKeepAfterDelete =
      r.boolean(Reader::member(vs, "keepAfterDelete"), "spec.volumeSpec.keepAfterDelete", reason)
          .value_or(false);
  const json& pvc = Reader::member(vs, "persistentVolumeClaim");
  if (r.isObject(pvc, "spec.volumeSpec.persistentVolumeClaim", reason)) {
    c->pvcSpec = pvc;
    const std::string p = "spec.volumeSpec.persistentVolumeClaim";
    if (!c->pvcSpec.contains("accessModes") || c->pvcSpec["accessModes"].empty()) {
      c->pvcSpec["accessModes"] = json::array({"ReadWriteOnce"});
    } else {
      for (const std::string& mode :
           r.strings(c->pvcSpec["accessModes"], p + ".accessModes", reason)) {
        if (mode != "ReadWriteOnce" && mode != "ReadOnlyMany" && mode != "ReadWriteMany" &&
            mode != "ReadWriteOncePod") {
          r.fail(reason, p + ".accessModes: " + quote(mode) + " is not an access mode");
        }
      }
    }
    json& res = c->pvcSpec["resources"];
    if (!res.is_object()) {
      if (!res.is_null()) {
        r.fail(reason, p + ".resources: expected an object, got " + typeName(res));
      }
      res = json::object();
    }
    r.resources(res, p + ".resources", reason);
    json& requests = res["requests"];
    if (!requests.is_object()) {
      requests = json::object();
    }
    if (!requests.contains("storage")) {
      requests["storage"] = "1Gi";
    } else if (const json& st = requests["storage"]; st.is_string() || st.is_number_integer()) {
      // resources() above reported a malformed value; only a zero size is left to refuse.
      auto q = kube::Quantity::parse(st.is_string() ? st.get<std::string>() : st.dump());
      if (q && q->isZero()) {
        r.fail(reason, p + ".resources.requests.storage: must be more than 0");
      }
    }
    return;
  }
  const json& hostPath = Reader::member(vs, "hostPath");
  if (r.isObject(hostPath, "spec.volumeSpec.hostPath", reason)) {
    if (!r.str(Reader::member(hostPath, "path"), "spec.volumeSpec.hostPath.path", reason)) {
      r.fail(reason, "spec.volumeSpec.hostPath.path: required");
    }
    c->hostPath = hostPath;
    return;
  }
  const json& emptyDir = Reader::member(vs, "emptyDir");
  if (r.isObject(emptyDir, "spec.volumeSpec.emptyDir", reason)) {
    if (emptyDir.contains("sizeLimit")) {
      r.quantity(emptyDir["sizeLimit"], "spec.volumeSpec.emptyDir.sizeLimit", reason);
    }
    c->emptyDir = emptyDir;
    return;
  }
  c->emptyDir = json::object();
}

json defaultResources(const char* reqCpu, const char* reqMem, const char* limCpu,
                      const char* limMem) {
  json r = {{"requests", {{"cpu", reqCpu}, {"memory", reqMem}}}};
  if (limCpu != nullptr || limMem != nullptr) {
    r["limits"] = json::object();
    if (limCpu != nullptr) {
      r["limits"]["cpu"] = limCpu;
    }
    if (limMem != nullptr) {
      r["limits"]["memory"] = limMem;
    }
  }
  return r;
}

void parsePodSpec(Reader& r, const json& spec, const Options& options, ClusterSpec* c) {
  const json& ps = Reader::member(spec, "podSpec");
  const std::string p = "spec.podSpec";
  const bool present = r.isObject(ps, p, "InvalidPodSpec");
  auto m = [&](const char* key) -> const json& { return Reader::member(ps, key); };

  c->imagePullPolicy =
      r.oneOf(m("imagePullPolicy"), p + ".imagePullPolicy", "InvalidPodSpecImagePullPolicy",
              {"Always", "IfNotPresent", "Never"}, options.imagePullPolicy);
  // Entries without a name (bitpoke's CRD takes them; templated manifests produce
  // `- name: ""`) name no Secret: they are dropped rather than copied into the pods.
  json pullSecrets = json::array();
  if (r.isArray(m("imagePullSecrets"), p + ".imagePullSecrets", "InvalidPodSpec")) {
    for (const json& s : m("imagePullSecrets")) {
      if (s.is_object() && s.contains("name") && s["name"].is_string() &&
          !s["name"].get<std::string>().empty()) {
        pullSecrets.push_back(s);
      }
    }
  }
  if (!pullSecrets.empty()) {
    c->imagePullSecrets = pullSecrets;
  } else if (!options.imagePullSecret.empty()) {
    c->imagePullSecrets = json::array({{{"name", options.imagePullSecret}}});
  }
  c->podLabels = r.stringMap(m("labels"), p + ".labels", "InvalidPodSpecLabels");
  for (const auto& [k, v] : c->podLabels) {
    if (!kube::isLabelValue(v)) {
      std::string message = p;
      message.append(".labels.").append(k).append(": ").append(quote(v));
      r.fail("InvalidPodSpecLabels", message + " is not a valid label value");
    }
  }
  c->podAnnotations = r.stringMap(m("annotations"), p + ".annotations", "InvalidPodSpec");

  // resources: requests default to cpu 200m / memory 1Gi when none are given.
  const std::string rr = "InvalidPodSpecResources";
  if (r.isObject(m("resources"), p + ".resources", rr)) {
    r.resources(m("resources"), p + ".resources", rr);
    c->resources = m("resources");
  }
  if (!c->resources.contains("requests") || !c->resources["requests"].is_object() ||
      c->resources["requests"].empty()) {
    // bitpoke's defaults, except where a limit is given: Kubernetes would default that request to
    // the limit, and a 1Gi request above a smaller limit makes the pods invalid.
    json requests = {{"cpu", "200m"}, {"memory", "1Gi"}};
    const json limits = c->resources.value("limits", json::object());
    for (const char* name : {"cpu", "memory"}) {
      if (limits.is_object() && limits.contains(name)) {
        requests[name] = limits[name];
      }
    }
    c->resources["requests"] = requests;
  }
  c->metricsExporterResources = defaultResources("10m", "32Mi", "100m", "128Mi");
  c->ptHeartbeatResources = defaultResources("10m", "32Mi", "100m", "64Mi");
  c->sidecarResources = defaultResources("10m", "64Mi", nullptr, nullptr);
  if (c->resources.contains("limits") && c->resources["limits"].is_object() &&
      !c->resources["limits"].empty()) {
    c->sidecarResources["limits"] = c->resources["limits"];
  }
  for (auto [key, target] :
       {std::pair<const char*, json*>{"metricsExporterResources", &c->metricsExporterResources},
        {"mysqlOperatorSidecarResources", &c->sidecarResources},
        {"ptHeartbeatResources", &c->ptHeartbeatResources}}) {
    if (r.isObject(m(key), p + "." + key, rr)) {
      r.resources(m(key), p + "." + key, rr);
      *target = m(key);
    }
  }

  if (r.isObject(m("affinity"), p + ".affinity", "InvalidPodSpec")) {
    c->affinity = m("affinity");
  }
  if (r.isObject(m("nodeSelector"), p + ".nodeSelector", "InvalidPodSpec")) {
    r.stringMap(m("nodeSelector"), p + ".nodeSelector", "InvalidPodSpec");
    c->nodeSelector = m("nodeSelector");
  }
  if (r.isArray(m("tolerations"), p + ".tolerations", "InvalidPodSpec")) {
    c->tolerations = m("tolerations");
  }
  c->priorityClassName =
      r.str(m("priorityClassName"), p + ".priorityClassName", "InvalidPodSpec").value_or("");
  c->serviceAccountName =
      r.str(m("serviceAccountName"), p + ".serviceAccountName", "InvalidPodSpec").value_or("");
  if (r.isObject(m("mysqlLifecycle"), p + ".mysqlLifecycle", "InvalidPodSpec")) {
    c->mysqlLifecycle = m("mysqlLifecycle");
  }
  for (auto [key, target] : {std::pair<const char*, json*>{"volumes", &c->extraVolumes},
                             {"volumeMounts", &c->extraVolumeMounts},
                             {"initContainers", &c->extraInitContainers},
                             {"containers", &c->extraContainers}}) {
    if (!r.isArray(m(key), p + "." + key, "InvalidPodSpec")) {
      continue;
    }
    for (std::size_t i = 0; i < m(key).size(); ++i) {
      const json& item = m(key)[i];
      const std::string ip = p + "." + key + "[" + std::to_string(i) + "]";
      if (!item.is_object()) {
        r.fail("InvalidPodSpec", ip + ": expected an object, got " + typeName(item));
      } else if (!item.contains("name") || !item["name"].is_string() ||
                 item["name"].get<std::string>().empty()) {
        r.fail("InvalidPodSpec", ip + ".name: required");
      }
    }
    *target = m(key);
  }
  c->livenessProbe = probe(r, m("mysqlLivenessProbe"), p + ".mysqlLivenessProbe", c->livenessProbe);
  c->readinessProbe =
      probe(r, m("mysqlReadinessProbe"), p + ".mysqlReadinessProbe", c->readinessProbe);
  (void)present;
}

void parseMysqlConf(Reader& r, const json& spec, ClusterSpec* c) {
  const json& conf = Reader::member(spec, "mysqlConf");
  if (!r.isObject(conf, "spec.mysqlConf", "InvalidMysqlConf")) {
    return;
  }
  for (auto it = conf.begin(); it != conf.end(); ++it) {
    const std::string path = "spec.mysqlConf." + it.key();
    bool keyOk = !it.key().empty();
    for (char ch : it.key()) {
      keyOk = keyOk &&
              (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.');
    }
    if (!keyOk) {
      r.fail("InvalidMysqlConf", "spec.mysqlConf: " + quote(it.key()) +
                                     " is not an option name (letters, digits, '-', '_', '.')");
      continue;
    }
    std::string value;
    if (it->is_string()) {
      value = it->get<std::string>();
    } else if (it->is_number_integer()) {
      value = it->dump();
    } else {
      r.fail("InvalidMysqlConf", path + ": expected a string or an integer, got " + typeName(*it));
      continue;
    }
    if (value.find_first_of("\r\n") != std::string::npos) {
      r.fail("InvalidMysqlConf", path + ": the value must be a single line");
      continue;
    }
    c->mysqlConf.emplace_back(it.key(), value);
  }
}

void parseMinAvailable(Reader& r, const json& spec, ClusterSpec* c) {
  const json& v = Reader::member(spec, "minAvailable");
  std::string text;
  if (v.is_number_integer()) {
    text = v.dump();
  } else if (auto s = r.str(v, "spec.minAvailable", "InvalidMinAvailable")) {
    text = *s;
  }
  if (text.empty()) {
    c->minAvailable = c->replicas > 1 ? "50%" : "";
    return;
  }
  const bool percent = text.back() == '%';
  const std::string digits = percent ? text.substr(0, text.size() - 1) : text;
  bool ok = !digits.empty() && digits.size() <= 9;
  for (char ch : digits) {
    ok = ok && ch >= '0' && ch <= '9';
  }
  if (!ok || (percent && std::stoi(digits) > 100)) {
    r.fail("InvalidMinAvailable", "spec.minAvailable: " + quote(text) +
                                      " must be a count such as \"1\" or a percentage such as "
                                      "\"50%\"");
    return;
  }
  c->minAvailable = text;
}

void parseQueryLimits(Reader& r, const json& spec, ClusterSpec* c) {
  const json& q = Reader::member(spec, "queryLimits");
  const std::string p = "spec.queryLimits";
  const std::string reason = "InvalidQueryLimits";
  if (!r.isObject(q, p, reason)) {
    return;
  }
  if (Reader::member(q, "maxQueryTime").is_null()) {
    r.fail(reason, p + ".maxQueryTime: required");
  } else {
    r.integer(Reader::member(q, "maxQueryTime"), p + ".maxQueryTime", reason, 1);
  }
  r.integer(Reader::member(q, "maxIdleTime"), p + ".maxIdleTime", reason, 1);
  r.oneOf(Reader::member(q, "killMode"), p + ".killMode", reason, {"connection", "query"}, "");
  r.oneOf(Reader::member(q, "kill"), p + ".kill", reason, {"oldest", "all", "all-but-oldest"}, "");
  for (const char* key : {"ignoreDb", "ignoreCommands", "ignoreUser"}) {
    r.strings(Reader::member(q, key), p + "." + key, reason);
  }
  c->queryLimits = q;
}

}  // namespace

ParsedCluster parseCluster(const json& cluster, const Options& options) {
  ParsedCluster out;
  Reader r(&out.errors);
  ClusterSpec c;
  const json& meta = Reader::member(cluster, "metadata");
  c.name = Reader::member(meta, "name").is_string() ? meta["name"].get<std::string>() : "";
  c.namespaceName =
      Reader::member(meta, "namespace").is_string() ? meta["namespace"].get<std::string>() : "";
  c.uid = Reader::member(meta, "uid").is_string() ? meta["uid"].get<std::string>() : "";
  if (Reader::member(meta, "annotations").is_object()) {
    for (auto it = meta["annotations"].begin(); it != meta["annotations"].end(); ++it) {
      if (it->is_string()) {
        c.annotations[it.key()] = it->get<std::string>();
      }
    }
  }
  c.ownerRef = kube::controllerRef(cluster);

  const json& spec = Reader::member(cluster, "spec");
  if (!spec.is_object()) {
    r.fail("InvalidSpec", "spec: required");
    return out;
  }
  auto m = [&](const char* key) -> const json& { return Reader::member(spec, key); };

  if (auto n = r.integer(m("replicas"), "spec.replicas", "InvalidReplicas", 0)) {
    if (*n > 1000) {
      r.fail("InvalidReplicas", "spec.replicas: must be at most 1000, got " + std::to_string(*n));
    }
    c.replicas = static_cast<std::int32_t>(std::min<std::int64_t>(*n, 1000));
  }
  const auto secret = r.str(m("secretName"), "spec.secretName", "InvalidSecretName");
  if (!secret || secret->empty()) {
    if (m("secretName").is_null() || secret) {
      r.fail("InvalidSecretName", "spec.secretName: required");
    }
  } else if (!kube::isDnsSubdomain(*secret) || secret->size() > 63) {
    r.fail("InvalidSecretName",
           "spec.secretName: " + quote(*secret) + " is not a valid Secret name");
  } else {
    c.secretName = *secret;
  }
  parseVersion(r, spec, options, &c);
  parseName(r, c);
  c.readOnly = r.boolean(m("readOnly"), "spec.readOnly", "InvalidReadOnly").value_or(false);
  c.serverIdOffset =
      r.integer(m("serverIDOffset"), "spec.serverIDOffset", "InvalidServerIDOffset", 1);
  r.integer(m("maxSlaveLatency"), "spec.maxSlaveLatency", "InvalidMaxSlaveLatency", 0);
  parseMinAvailable(r, spec, &c);
  parseMysqlConf(r, spec, &c);
  parsePodSpec(r, spec, options, &c);
  parseVolume(r, spec, &c);
  if (!m("tmpfsSize").is_null()) {
    if (r.quantity(m("tmpfsSize"), "spec.tmpfsSize", "InvalidTmpfsSize")) {
      c.tmpfsSize = m("tmpfsSize").is_string() ? m("tmpfsSize") : json(m("tmpfsSize").dump());
    }
  }

  // Backups.
  if (auto s = r.str(m("backupSchedule"), "spec.backupSchedule", "InvalidBackupSchedule");
      s && !s->empty()) {
    if (std::string why = cron::checkSchedule(*s); !why.empty()) {
      r.fail("InvalidBackupSchedule",
             "spec.backupSchedule: " + quote(*s) + " is not a valid schedule: " + why);
    }
  }
  r.oneOf(m("backupRemoteDeletePolicy"), "spec.backupRemoteDeletePolicy",
          "InvalidBackupRemoteDeletePolicy", {"retain", "delete"}, "");
  r.integer(m("backupScheduleJobsHistoryLimit"), "spec.backupScheduleJobsHistoryLimit",
            "InvalidBackupScheduleJobsHistoryLimit", 0);
  r.str(m("backupURL"), "spec.backupURL", "InvalidBackupURL");
  r.str(m("backupSecretName"), "spec.backupSecretName", "InvalidBackupSecretName");
  c.initBucketUrl =
      r.str(m("initBucketURL"), "spec.initBucketURL", "InvalidInitBucketURL").value_or("");
  if (c.initBucketUrl.empty()) {
    c.initBucketUrl =
        r.str(m("initBucketURI"), "spec.initBucketURI", "InvalidInitBucketURL").value_or("");
  }
  c.initBucketSecretName =
      r.str(m("initBucketSecretName"), "spec.initBucketSecretName", "InvalidInitBucketSecretName")
          .value_or("");
  const std::string a = "InvalidExtraArgs";
  c.backupCompressCommand = r.strings(m("backupCompressCommand"), "spec.backupCompressCommand", a);
  c.backupDecompressCommand =
      r.strings(m("backupDecompressCommand"), "spec.backupDecompressCommand", a);
  c.metricsExporterExtraArgs =
      r.strings(m("metricsExporterExtraArgs"), "spec.metricsExporterExtraArgs", a);
  c.rcloneExtraArgs = r.strings(m("rcloneExtraArgs"), "spec.rcloneExtraArgs", a);
  c.xbstreamExtraArgs = r.strings(m("xbstreamExtraArgs"), "spec.xbstreamExtraArgs", a);
  c.xtrabackupExtraArgs = r.strings(m("xtrabackupExtraArgs"), "spec.xtrabackupExtraArgs", a);
  c.xtrabackupPrepareExtraArgs =
      r.strings(m("xtrabackupPrepareExtraArgs"), "spec.xtrabackupPrepareExtraArgs", a);
  if (auto dir = r.str(m("xtrabackupTargetDir"), "spec.xtrabackupTargetDir", a);
      dir && !dir->empty()) {
    c.xtrabackupTargetDir = *dir;
  }
  c.initFileExtraSql = r.strings(m("initFileExtraSQL"), "spec.initFileExtraSQL", a);
  parseQueryLimits(r, spec, &c);
  c.masterService =
      serviceShape(r, m("masterService"), "spec.masterService", "InvalidMasterService");
  c.replicasService =
      serviceShape(r, m("replicasService"), "spec.replicasService", "InvalidReplicasService");

  if (c.affinity.is_null()) {
    c.affinity = defaultAffinity(clusterLabels(c));
  }
  if (out.errors.empty()) {
    out.spec = std::move(c);
  }
  return out;
}

}  // namespace mysqlop::cluster
