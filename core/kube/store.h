#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/kube/cached_object.h"

namespace mysqlop::kube {

// An informer's cache of one resource: objects by "ns/name", with two indexes. The key map is
// ordered, so the objects of one namespace are one contiguous range (the namespace index); the
// owner index maps a controller owner ("ns/Kind/name") to the keys of the objects it controls.
// Readers may run concurrently; only the informer writes.
class Store {
 public:
  ObjectPtr get(const std::string& key) const;
  // Objects of one namespace ("" = every object), in key order, optionally filtered by labels.
  std::vector<ObjectPtr> list(const std::string& ns, const LabelSelector* selector = nullptr) const;
  // Objects whose controller ownerReference names this owner.
  std::vector<ObjectPtr> byControllerOwner(const std::string& ns, const std::string& ownerKind,
                                           const std::string& ownerName) const;
  std::vector<std::string> keys() const;
  std::size_t size() const;

  // Writes (the informer's): return the previous object, or nullptr.
  ObjectPtr upsert(ObjectPtr object);
  ObjectPtr remove(const std::string& key);

 private:
  static std::string ownerKey(const std::string& ns, const std::string& kind,
                              const std::string& name);
  void indexLocked(const ObjectPtr& o);
  void unindexLocked(const ObjectPtr& o);

  mutable std::shared_mutex mu_;
  std::map<std::string, ObjectPtr> items_;
  std::map<std::string, std::set<std::string>> byOwner_;
};

}  // namespace mysqlop::kube
