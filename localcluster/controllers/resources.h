#pragma once
// The resources the controllers read and write, beyond those of core/kube/resource.h.

#include "core/kube/resource.h"

namespace mysqlop::local::controllers::res {

inline const kube::Resource kPods = kube::resources::kPods;
inline const kube::Resource kServices = kube::resources::kServices;
inline const kube::Resource kStatefulSets = kube::resources::kStatefulSets;
inline const kube::Resource kJobs = kube::resources::kJobs;
inline const kube::Resource kControllerRevisions{"apps", "v1", "ControllerRevision",
                                                 "controllerrevisions", true};
inline const kube::Resource kClaims{"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims",
                                    true};
inline const kube::Resource kVolumes{"", "v1", "PersistentVolume", "persistentvolumes", false};
inline const kube::Resource kStorageClasses{"storage.k8s.io", "v1", "StorageClass",
                                            "storageclasses", false};
inline const kube::Resource kEndpoints{"", "v1", "Endpoints", "endpoints", true};
inline const kube::Resource kEndpointSlices{"discovery.k8s.io", "v1", "EndpointSlice",
                                            "endpointslices", true};

}  // namespace mysqlop::local::controllers::res
