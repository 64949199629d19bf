#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/kube/informer.h"

namespace mysqlop::kube {

// One shared informer per resource, all with the same options (the operator's watchNamespace and
// label selector), so that every consumer of a kind reads the same cache.
class InformerFactory {
 public:
  InformerFactory(Client& client, InformerOptions options, metrics::Registry* registry = nullptr);
  ~InformerFactory();

  // The informer of r, created (not started) on first use.
  Informer& forResource(const Resource& r);
  // nullptr if nobody asked for r.
  Informer* find(const Resource& r) const;
  std::vector<Resource> resources() const;

  // Starts every informer not yet started.
  void start();
  void stop();
  // True when every informer synced within timeout.
  bool waitForCacheSync(std::chrono::milliseconds timeout) const;
  bool synced() const;

 private:
  Client& client_;
  InformerOptions options_;
  metrics::Registry* registry_;
  mutable std::mutex mu_;
  std::map<Resource, std::unique_ptr<Informer>> informers_;
};

}  // namespace mysqlop::kube
