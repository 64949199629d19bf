#pragma once

#include <map>
#include <string>

namespace mysqlop::cluster {

struct ClusterSpec;

using LabelMap = std::map<std::string, std::string>;

inline constexpr const char* kManagedBy = "mysql.presslabs.org";
inline constexpr const char* kClusterLabel = "mysql.presslabs.org/cluster";
inline constexpr const char* kHeadlessServiceName = "mysql";
inline constexpr const char* kVersionAnnotation = "mysql.presslabs.org/version";
inline constexpr int kMysqlPort = 3306;
inline constexpr int kSidecarPort = 8080;
inline constexpr int kExporterPort = 9125;

// Object names derived from the cluster name (bitpoke's GetNameForResource).
std::string statefulSetName(const std::string& cluster);       // <c>-mysql
std::string masterServiceName(const std::string& cluster);     // <c>-mysql-master
std::string healthyServiceName(const std::string& cluster);    // <c>-mysql
std::string replicasServiceName(const std::string& cluster);   // <c>-mysql-replicas
std::string configMapName(const std::string& cluster);         // <c>-mysql
std::string operatedSecretName(const std::string& cluster);    // <c>-mysql-operated
std::string pdbName(const std::string& cluster);               // <c>-mysql
std::string podName(const std::string& cluster, int ordinal);  // <c>-mysql-<i>
// <c>-mysql-<i>.mysql.<ns>: the orchestrator key, report_host and status.nodes[].name.
std::string podFqdn(const std::string& cluster, int ordinal, const std::string& ns);

// bitpoke's GetLabels: cluster, name, instance, version, component, managed-by, with the
// instance/component/part-of annotations of the cluster taking precedence.
LabelMap clusterLabels(const ClusterSpec& c);
// The StatefulSet selector: cluster, name and managed-by (immutable once created).
LabelMap selectorLabels(const std::string& cluster);

}  // namespace mysqlop::cluster
