#include "localcluster/controllers/controller.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/kube/informer.h"
#include "core/kube/informer_factory.h"

#include <memory>
#include <utility>

namespace mysqlop::local::controllers {

Controller::Controller(std::string name, int workers)
    : name_(std::move(name)),
      workers_(workers < 1 ? 1 : workers),
      queue_(name_, std::make_unique<queue::DefaultControllerRateLimiter>()) {}

Controller::~Controller() { stop(); }

void Controller::startWorkers() {
  for (int i = 0; i < workers_; ++i) {
    threads_.emplace_back([this] { work(); });
  }
}

void Controller::stop() {
  queue_.shutDown();
  for (auto& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
  threads_.clear();
}

kube::Informer* Controller::cache(kube::InformerFactory& informers, const kube::Resource& r) {
  kube::Informer* informer = &informers.forResource(r);
  caches_.push_back(informer);
  return informer;
}

void Controller::work() {
  for (kube::Informer* cache : caches_) {
    while (!cache->waitForSync(std::chrono::milliseconds(200))) {
      if (queue_.shuttingDown()) {
        return;
      }
    }
  }
  while (auto key = queue_.get()) {
    Result<void> r = sync(*key);
    if (r.ok()) {
      queue_.forget(*key);
    } else {
      // Conflicts and races with the cache are normal: the retry re-reads the cache.
      const bool race = r.is(Errc::Conflict) || r.is(Errc::AlreadyExists) || r.is(Errc::NotFound);
      if (race) {
        spdlog::debug("{} {}: {} (retrying)", name_, *key, r.error().message);
      } else {
        spdlog::warn("{} {}: {} (retrying)", name_, *key, r.error().message);
      }
      queue_.addRateLimited(*key);
    }
    queue_.done(*key);
  }
}

}  // namespace mysqlop::local::controllers
