#pragma once

#include "mysqlop/plugin.hpp"

// The Kubernetes resources the bundled plugins read and write, as descriptor constants.
namespace mysqlop::kube::res {

inline constexpr mysqlop_type_resource kMysqlCluster =
    mysqlop::resource("mysql.presslabs.org", "v1alpha1", "MysqlCluster", "mysqlclusters");
inline constexpr mysqlop_type_resource kMysqlBackup =
    mysqlop::resource("mysql.presslabs.org", "v1alpha1", "MysqlBackup", "mysqlbackups");
inline constexpr mysqlop_type_resource kMysqlDatabase =
    mysqlop::resource("mysql.presslabs.org", "v1alpha1", "MysqlDatabase", "mysqldatabases");
inline constexpr mysqlop_type_resource kMysqlUser =
    mysqlop::resource("mysql.presslabs.org", "v1alpha1", "MysqlUser", "mysqlusers");

inline constexpr mysqlop_type_resource kStatefulSet =
    mysqlop::resource("apps", "v1", "StatefulSet", "statefulsets");
inline constexpr mysqlop_type_resource kService =
    mysqlop::resource("", "v1", "Service", "services");
inline constexpr mysqlop_type_resource kConfigMap =
    mysqlop::resource("", "v1", "ConfigMap", "configmaps");
inline constexpr mysqlop_type_resource kSecret = mysqlop::resource("", "v1", "Secret", "secrets");
inline constexpr mysqlop_type_resource kPod = mysqlop::resource("", "v1", "Pod", "pods");
inline constexpr mysqlop_type_resource kPersistentVolumeClaim =
    mysqlop::resource("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims");
inline constexpr mysqlop_type_resource kPodDisruptionBudget =
    mysqlop::resource("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets");
inline constexpr mysqlop_type_resource kJob = mysqlop::resource("batch", "v1", "Job", "jobs");

}  // namespace mysqlop::kube::res
