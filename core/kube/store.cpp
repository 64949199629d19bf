#include "core/kube/store.h"

#include <mutex>

namespace mysqlop::kube {

std::string Store::ownerKey(const std::string& ns, const std::string& kind,
                            const std::string& name) {
  return ns + "/" + kind + "/" + name;
}

ObjectPtr Store::get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Store::list(const std::string& ns, const LabelSelector* selector) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  auto take = [&](const ObjectPtr& o) {
    if (!selector || selector->matches(o->labels)) {
      out.push_back(o);
    }
  };
  if (ns.empty()) {
    out.reserve(items_.size());
    for (const auto& [k, o] : items_) {
      take(o);
    }
    return out;
  }
  const std::string prefix = ns + "/";
  for (auto it = items_.lower_bound(prefix);
       it != items_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    take(it->second);
  }
  return out;
}

std::vector<ObjectPtr> Store::byControllerOwner(const std::string& ns, const std::string& ownerKind,
                                                const std::string& ownerName) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  auto it = byOwner_.find(ownerKey(ns, ownerKind, ownerName));
  if (it == byOwner_.end()) {
    return out;
  }
  for (const std::string& k : it->second) {
    if (auto o = items_.find(k); o != items_.end()) {
      out.push_back(o->second);
    }
  }
  return out;
}

std::vector<std::string> Store::keys() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& [k, o] : items_) {
    out.push_back(k);
  }
  return out;
}

std::size_t Store::size() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

void Store::indexLocked(const ObjectPtr& o) {
  if (o->controller) {
    byOwner_[ownerKey(o->namespaceName, o->controller->kind, o->controller->name)].insert(o->key());
  }
}

void Store::unindexLocked(const ObjectPtr& o) {
  if (!o->controller) {
    return;
  }
  auto it = byOwner_.find(ownerKey(o->namespaceName, o->controller->kind, o->controller->name));
  if (it != byOwner_.end()) {
    it->second.erase(o->key());
    if (it->second.empty()) {
      byOwner_.erase(it);
    }
  }
}

ObjectPtr Store::upsert(ObjectPtr object) {
  std::unique_lock lock(mu_);
  const std::string key = object->key();
  ObjectPtr& slot = items_[key];
  ObjectPtr old = std::move(slot);
  if (old) {
    unindexLocked(old);
  }
  slot = std::move(object);
  indexLocked(slot);
  return old;
}

ObjectPtr Store::remove(const std::string& key) {
  std::unique_lock lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) {
    return nullptr;
  }
  ObjectPtr old = std::move(it->second);
  items_.erase(it);
  unindexLocked(old);
  return old;
}

}  // namespace mysqlop::kube
