#pragma once
// The resources the NameService and the Service proxy watch besides core ones.

#include "core/kube/resource.h"

namespace mysqlop::local::proxy {

inline const kube::Resource kEndpointSlices{"discovery.k8s.io", "v1", "EndpointSlice",
                                            "endpointslices", true};

}  // namespace mysqlop::local::proxy
