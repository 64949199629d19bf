#pragma once

// The document of the JSON benchmark: a Kubernetes List ("kind": "PodList") of Pod-like objects as
// an operator caches them (metadata with labels, annotations and an owner reference; a spec with
// a container, its environment, resources and probes; a status with conditions), about 2.6 KB each.

#include <cstddef>
#include <string>

namespace mysqlop::bench {

struct KubeList {
  std::string text;  // compact JSON
  int items = 0;
};

// As many objects as make the text at least minBytes long; the same text on every call.
KubeList makeKubeList(std::size_t minBytes);

}  // namespace mysqlop::bench
