#include "core/kube/informer_factory.h"

namespace mysqlop::kube {

InformerFactory::InformerFactory(Client& client, InformerOptions options,
                                 metrics::Registry* registry)
    : client_(client), options_(std::move(options)), registry_(registry) {}

InformerFactory::~InformerFactory() { stop(); }

Informer& InformerFactory::forResource(const Resource& r) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = informers_[r];
  if (!slot) {
    slot = std::make_unique<Informer>(client_, r, options_, registry_);
  }
  return *slot;
}

Informer* InformerFactory::find(const Resource& r) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = informers_.find(r);
  return it == informers_.end() ? nullptr : it->second.get();
}

std::vector<Resource> InformerFactory::resources() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Resource> out;
  for (const auto& [r, i] : informers_) {
    out.push_back(r);
  }
  return out;
}

void InformerFactory::start() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [r, i] : informers_) {
    i->start();
  }
}

void InformerFactory::stop() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [r, i] : informers_) {
    i->stop();
  }
}

bool InformerFactory::waitForCacheSync(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<Informer*> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [r, i] : informers_) {
      all.push_back(i.get());
    }
  }
  for (Informer* i : all) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!i->waitForSync(std::max(left, std::chrono::milliseconds(0)))) {
      return false;
    }
  }
  return true;
}

bool InformerFactory::synced() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [r, i] : informers_) {
    if (!i->hasSynced()) {
      return false;
    }
  }
  return true;
}

}  // namespace mysqlop::kube
