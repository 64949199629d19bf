#include "tests/bench/json/kube_list.h"

#include <nlohmann/json.hpp>

namespace mysqlop::bench {
namespace {

using nlohmann::json;

json pod(int i) {
  const std::string name = "cluster-" + std::to_string(i / 3) + "-mysql-" + std::to_string(i % 3);
  const std::string ns = "team-" + std::to_string(i % 10);
  json env = json::array();
  for (const char* var : {"MY_NAMESPACE", "MY_POD_NAME", "MY_SERVICE_NAME", "ORCH_CLUSTER_ALIAS",
                          "BACKUP_USER", "INIT_BUCKET_URI"}) {
    env.push_back({{"name", var}, {"value", name + "." + ns + ".svc.cluster.local"}});
  }
  json probe = {
      {"exec", {{"command", {"mysqladmin", "--defaults-file=/etc/mysql/client.conf", "ping"}}}},
      {"initialDelaySeconds", 60},
      {"timeoutSeconds", 5},
      {"periodSeconds", 5}};
  json conditions = json::array();
  for (const char* type : {"Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    conditions.push_back(
        {{"type", type},
         {"status", "True"},
         {"lastProbeTime", nullptr},
         {"lastTransitionTime", "2026-11-27T10:15:3" + std::to_string(i % 10) + "Z"}});
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"uid", "6f1c2b9e-0d4a-4c7e-9b1f-" + std::to_string(100000000000 + i)},
            {"resourceVersion", std::to_string(48213 + i)},
            {"creationTimestamp", "2026-11-27T10:15:00Z"},
            {"labels",
             {{"app.kubernetes.io/name", "mysql"},
              {"app.kubernetes.io/instance", "cluster-" + std::to_string(i / 3)},
              {"app.kubernetes.io/managed-by", "mysql.presslabs.org"},
              {"mysql.presslabs.org/cluster", "cluster-" + std::to_string(i / 3)},
              {"role", i % 3 == 0 ? "master" : "replica"},
              {"healthy", "yes"}}},
            {"annotations",
             {{"mysql.presslabs.org/version", "5.7.35"},
              {"prometheus.io/scrape", "true"},
              {"prometheus.io/port", "9125"},
              {"example.com/note", std::string(120, static_cast<char>('a' + i % 26))}}},
            {"ownerReferences",
             {{{"apiVersion", "apps/v1"},
               {"kind", "StatefulSet"},
               {"name", "cluster-" + std::to_string(i / 3) + "-mysql"},
               {"uid", "0a7d3c55-7f0e-4e55-8c7b-" + std::to_string(200000000000 + i / 3)},
               {"controller", true},
               {"blockOwnerDeletion", true}}}}}},
          {"spec",
           {{"containers",
             {{{"name", "mysql"},
               {"image", "docker.io/library/percona:5.7.35"},
               {"imagePullPolicy", "IfNotPresent"},
               {"args",
                {"--defaults-file=/etc/mysql/my.cnf", "--server-id=" + std::to_string(100 + i)}},
               {"env", env},
               {"ports", {{{"name", "mysql"}, {"containerPort", 3306}, {"protocol", "TCP"}}}},
               {"resources",
                {{"requests", {{"cpu", "200m"}, {"memory", "1Gi"}}},
                 {"limits", {{"cpu", "1"}, {"memory", "2Gi"}}}}},
               {"livenessProbe", probe},
               {"readinessProbe", probe},
               {"volumeMounts",
                {{{"name", "data"}, {"mountPath", "/var/lib/mysql"}},
                 {{"name", "conf"}, {"mountPath", "/etc/mysql"}}}}}}},
            {"nodeName", "node-" + std::to_string(i % 7)},
            {"serviceAccountName", "default"}}},
          {"status",
           {{"phase", "Running"},
            {"podIP", "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250)},
            {"conditions", conditions}}}};
}

}  // namespace

KubeList makeKubeList(std::size_t minBytes) {
  json items = json::array();
  std::size_t bytes = 0;
  while (bytes < minBytes) {
    items.push_back(pod(static_cast<int>(items.size())));
    bytes += items.back().dump().size() + 1;
  }
  KubeList out;
  out.items = static_cast<int>(items.size());
  out.text = json{{"apiVersion", "v1"},
                  {"kind", "PodList"},
                  {"metadata", {{"resourceVersion", "49000"}}},
                  {"items", std::move(items)}}
                 .dump();
  return out;
}

}  // namespace mysqlop::bench
