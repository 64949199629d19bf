#include "localcluster/apiserver/defaults.h"

#include "localcluster/apiserver/quantity.h"

#include <Poco/Base64Encoder.h>

#include <sstream>

namespace mysqlop::local {

using nlohmann::json;

namespace {

void setIfAbsent(json& obj, const char* key, const json& value) {
  if (!obj.contains(key) || obj[key].is_null()) {
    obj[key] = value;
  }
}

std::string pullPolicyFor(const std::string& image) {
  if (image.find('@') != std::string::npos) {
    return "IfNotPresent";
  }
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) {
    return "Always";
  }
  return image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

void defaultProbe(json& probe) {
  if (!probe.is_object()) {
    return;
  }
  setIfAbsent(probe, "timeoutSeconds", 1);
  setIfAbsent(probe, "periodSeconds", 10);
  setIfAbsent(probe, "successThreshold", 1);
  setIfAbsent(probe, "failureThreshold", 3);
  if (probe.contains("httpGet") && probe["httpGet"].is_object()) {
    setIfAbsent(probe["httpGet"], "path", "/");
    setIfAbsent(probe["httpGet"], "scheme", "HTTP");
  }
}

void defaultContainer(json& c) {
  if (!c.is_object()) {
    return;
  }
  if (c.contains("image") && c["image"].is_string()) {
    setIfAbsent(c, "imagePullPolicy", pullPolicyFor(c["image"].get<std::string>()));
  }
  setIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
  setIfAbsent(c, "terminationMessagePolicy", "File");
  setIfAbsent(c, "resources", json::object());
  if (c.contains("ports") && c["ports"].is_array()) {
    for (auto& p : c["ports"]) {
      if (p.is_object()) {
        setIfAbsent(p, "protocol", "TCP");
      }
    }
  }
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    if (c.contains(probe)) {
      defaultProbe(c[probe]);
    }
  }
  if (c.contains("env") && c["env"].is_array()) {
    for (auto& e : c["env"]) {
      if (e.is_object() && e.contains("valueFrom") && e["valueFrom"].is_object() &&
          e["valueFrom"].contains("fieldRef") && e["valueFrom"]["fieldRef"].is_object()) {
        setIfAbsent(e["valueFrom"]["fieldRef"], "apiVersion", "v1");
      }
    }
  }
}

void defaultPodSpec(json& spec, bool isPod) {
  if (!spec.is_object()) {
    return;
  }
  setIfAbsent(spec, "restartPolicy", "Always");
  setIfAbsent(spec, "dnsPolicy", "ClusterFirst");
  setIfAbsent(spec, "schedulerName", "default-scheduler");
  setIfAbsent(spec, "securityContext", json::object());
  setIfAbsent(spec, "terminationGracePeriodSeconds", 30);
  if (isPod) {
    setIfAbsent(spec, "enableServiceLinks", true);
    setIfAbsent(spec, "serviceAccountName", "default");
    setIfAbsent(spec, "priority", 0);
    setIfAbsent(spec, "preemptionPolicy", "PreemptLowerPriority");
  }
  if (spec.contains("serviceAccountName") && spec["serviceAccountName"].is_string()) {
    setIfAbsent(spec, "serviceAccount", spec["serviceAccountName"]);
  }
  for (const char* list : {"containers", "initContainers"}) {
    if (spec.contains(list) && spec[list].is_array()) {
      for (auto& c : spec[list]) {
        defaultContainer(c);
      }
    }
  }
  if (spec.contains("volumes") && spec["volumes"].is_array()) {
    for (auto& v : spec["volumes"]) {
      if (!v.is_object()) {
        continue;
      }
      bool hasSource = false;
      for (auto it = v.begin(); it != v.end(); ++it) {
        hasSource = hasSource || it.key() != "name";
      }
      if (!hasSource) {
        v["emptyDir"] = json::object();
      }
      for (const char* src : {"secret", "configMap", "downwardAPI", "projected"}) {
        if (v.contains(src) && v[src].is_object()) {
          setIfAbsent(v[src], "defaultMode", 420);
        }
      }
    }
  }
}

void defaultTemplate(json& obj, const char* specKey = "spec") {
  if (obj.contains(specKey) && obj[specKey].is_object() && obj[specKey].contains("template") &&
      obj[specKey]["template"].is_object()) {
    json& tpl = obj[specKey]["template"];
    if (!tpl.contains("spec")) {
      tpl["spec"] = json::object();
    }
    defaultPodSpec(tpl["spec"], false);
  }
}

std::string base64(const std::string& s) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << s;
  enc.close();
  return out.str();
}

}  // namespace

void applyBuiltinDefaults(const ResourceType& type, json& obj) {
  if (type.custom) {
    return;
  }
  canonicalizeQuantities(type.group, type.plural, obj);
  const std::string& g = type.group;
  const std::string& r = type.plural;
  if (g.empty() && r == "pods") {
    if (!obj.contains("spec")) {
      obj["spec"] = json::object();
    }
    defaultPodSpec(obj["spec"], true);
  } else if (g.empty() && r == "services") {
    json& spec = obj["spec"];
    if (!spec.is_object()) {
      spec = json::object();
    }
    setIfAbsent(spec, "type", "ClusterIP");
    setIfAbsent(spec, "sessionAffinity", "None");
    std::string t = spec.value("type", "ClusterIP");
    if (t != "ExternalName") {
      setIfAbsent(spec, "internalTrafficPolicy", "Cluster");
      setIfAbsent(spec, "ipFamilies", json::array({"IPv4"}));
      setIfAbsent(spec, "ipFamilyPolicy", "SingleStack");
    }
    if (t == "NodePort" || t == "LoadBalancer") {
      setIfAbsent(spec, "externalTrafficPolicy", "Cluster");
    }
    if (spec.contains("ports") && spec["ports"].is_array()) {
      for (auto& p : spec["ports"]) {
        if (p.is_object()) {
          setIfAbsent(p, "protocol", "TCP");
          if (p.contains("port")) {
            setIfAbsent(p, "targetPort", p["port"]);
          }
        }
      }
    }
    if (spec.contains("clusterIP") && spec["clusterIP"].is_string() &&
        !spec["clusterIP"].get<std::string>().empty()) {
      setIfAbsent(spec, "clusterIPs", json::array({spec["clusterIP"]}));
    }
  } else if (g.empty() && r == "secrets") {
    setIfAbsent(obj, "type", "Opaque");
    if (obj.contains("stringData") && obj["stringData"].is_object()) {
      for (auto it = obj["stringData"].begin(); it != obj["stringData"].end(); ++it) {
        if (it.value().is_string()) {
          obj["data"][it.key()] = base64(it.value().get<std::string>());
        }
      }
      obj.erase("stringData");
    }
  } else if (g.empty() && r == "namespaces") {
    std::string name = obj["metadata"].value("name", "");
    obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
    if (!obj.contains("spec") || !obj["spec"].is_object()) {
      obj["spec"] = json::object();
    }
    setIfAbsent(obj["spec"], "finalizers", json::array({"kubernetes"}));
    if (!obj.contains("status") || !obj["status"].is_object()) {
      obj["status"] = json::object();
    }
    setIfAbsent(obj["status"], "phase", "Active");
  } else if (g.empty() && r == "persistentvolumeclaims") {
    if (obj.contains("spec") && obj["spec"].is_object()) {
      setIfAbsent(obj["spec"], "volumeMode", "Filesystem");
    }
    if (!obj.contains("status") || !obj["status"].is_object()) {
      obj["status"] = json::object();
    }
    setIfAbsent(obj["status"], "phase", "Pending");
  } else if (g == "apps" && r == "statefulsets") {
    json& spec = obj["spec"];
    if (!spec.is_object()) {
      spec = json::object();
    }
    setIfAbsent(spec, "replicas", 1);
    setIfAbsent(spec, "podManagementPolicy", "OrderedReady");
    setIfAbsent(spec, "updateStrategy",
                json{{"type", "RollingUpdate"}, {"rollingUpdate", {{"partition", 0}}}});
    if (spec["updateStrategy"].is_object() &&
        spec["updateStrategy"].value("type", "") == "RollingUpdate") {
      setIfAbsent(spec["updateStrategy"], "rollingUpdate", json{{"partition", 0}});
      if (spec["updateStrategy"]["rollingUpdate"].is_object()) {
        setIfAbsent(spec["updateStrategy"]["rollingUpdate"], "partition", 0);
      }
    }
    setIfAbsent(spec, "revisionHistoryLimit", 10);
    setIfAbsent(spec, "persistentVolumeClaimRetentionPolicy",
                json{{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}});
    if (spec.contains("volumeClaimTemplates") && spec["volumeClaimTemplates"].is_array()) {
      for (auto& vct : spec["volumeClaimTemplates"]) {
        if (!vct.is_object()) {
          continue;
        }
        setIfAbsent(vct, "apiVersion", "v1");
        setIfAbsent(vct, "kind", "PersistentVolumeClaim");
        if (vct.contains("spec") && vct["spec"].is_object()) {
          setIfAbsent(vct["spec"], "volumeMode", "Filesystem");
        }
        setIfAbsent(vct, "status", json{{"phase", "Pending"}});
      }
    }
    defaultTemplate(obj);
  } else if (g == "apps" && r == "deployments") {
    json& spec = obj["spec"];
    if (!spec.is_object()) {
      spec = json::object();
    }
    setIfAbsent(spec, "replicas", 1);
    setIfAbsent(spec, "revisionHistoryLimit", 10);
    setIfAbsent(spec, "progressDeadlineSeconds", 600);
    setIfAbsent(spec, "strategy",
                json{{"type", "RollingUpdate"},
                     {"rollingUpdate", {{"maxUnavailable", "25%"}, {"maxSurge", "25%"}}}});
    defaultTemplate(obj);
  } else if (g == "batch" && r == "jobs") {
    json& spec = obj["spec"];
    if (!spec.is_object()) {
      spec = json::object();
    }
    setIfAbsent(spec, "parallelism", 1);
    setIfAbsent(spec, "completions", 1);
    setIfAbsent(spec, "backoffLimit", 6);
    setIfAbsent(spec, "completionMode", "NonIndexed");
    setIfAbsent(spec, "suspend", false);
    setIfAbsent(spec, "podReplacementPolicy", "TerminatingOrFailed");
    std::string uid = obj["metadata"].value("uid", "");
    std::string name = obj["metadata"].value("name", "");
    if (!spec.value("manualSelector", false) && !uid.empty()) {
      setIfAbsent(spec, "selector",
                  json{{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}});
      if (spec.contains("template") && spec["template"].is_object()) {
        json& labels = spec["template"]["metadata"]["labels"];
        setIfAbsent(labels, "batch.kubernetes.io/controller-uid", uid);
        setIfAbsent(labels, "controller-uid", uid);
        setIfAbsent(labels, "batch.kubernetes.io/job-name", name);
        setIfAbsent(labels, "job-name", name);
      }
    }
    defaultTemplate(obj);
  } else if (g == "apiextensions.k8s.io" && r == "customresourcedefinitions") {
    json& spec = obj["spec"];
    if (spec.is_object()) {
      if (spec.contains("names") && spec["names"].is_object()) {
        json& names = spec["names"];
        std::string kind = names.value("kind", "");
        std::string lower = kind;
        for (auto& ch : lower) {
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
        setIfAbsent(names, "singular", lower);
        setIfAbsent(names, "listKind", kind + "List");
      }
      setIfAbsent(spec, "conversion", json{{"strategy", "None"}});
    }
  }
}

void keepAllocatedValues(const ResourceType& type, const json& old, json& obj) {
  if (type.custom || !type.group.empty() || type.plural != "services") {
    return;
  }
  if (!old.contains("spec") || !obj.contains("spec") || !obj["spec"].is_object()) {
    return;
  }
  const json& os = old["spec"];
  json& ns = obj["spec"];
  for (const char* k : {"clusterIP", "clusterIPs"}) {
    if ((!ns.contains(k) || ns[k].is_null() || ns[k] == "") && os.contains(k)) {
      ns[k] = os[k];
    }
  }
  if (ns.contains("ports") && ns["ports"].is_array() && os.contains("ports") &&
      os["ports"].is_array()) {
    for (auto& p : ns["ports"]) {
      if (!p.is_object() || p.contains("nodePort")) {
        continue;
      }
      for (const auto& q : os["ports"]) {
        if (q.is_object() && q.value("port", -1) == p.value("port", -2) && q.contains("nodePort")) {
          p["nodePort"] = q["nodePort"];
        }
      }
    }
  }
}

}  // namespace mysqlop::local
