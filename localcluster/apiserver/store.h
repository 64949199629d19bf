#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/common/result.h"

namespace Poco::Data {  // NOLINT(readability-identifier-naming): Poco's name, not ours
class Session;
class Statement;
}  // namespace Poco::Data

namespace mysqlop::local {

// One stored object version: the JSON document, its serialized form (served as is) and its
// resourceVersion. Immutable once published.
struct StoredObject {
  nlohmann::json json;
  std::string data;
  std::uint64_t rv = 0;
};
using ObjPtr = std::shared_ptr<const StoredObject>;

enum class EventType { Added, Modified, Deleted };
const char* eventTypeName(EventType t);

// One change in the history: what watches replay. `previous` is the state before the change (null
// for Added); for Deleted, `object` is the last state carrying the deletion's resourceVersion.
struct ChangeEvent {
  std::uint64_t rv = 0;
  std::string key;  // storage key of the resource ("apps/statefulsets")
  std::string ns;
  std::string name;
  EventType type = EventType::Added;
  ObjPtr object;
  ObjPtr previous;
};
using EventPtr = std::shared_ptr<const ChangeEvent>;

// Where an object is stored: its resource's storage key, namespace and name.
struct ObjectRef {
  std::string key;
  std::string ns;
  std::string name;
  bool operator==(const ObjectRef&) const = default;
  bool operator<(const ObjectRef& o) const {
    return std::tie(key, ns, name) < std::tie(o.key, o.ns, o.name);
  }
};

// How one watcher waits for changes of its resource: Store::mutate notifies the subscriptions of
// the resource it changed (and wakeAll() every subscription), so that a watcher of Secrets sleeps
// through ConfigMap writes. A notification is remembered until the next wait, so none is lost
// between reading the history and waiting.
class Subscription {
 public:
  // Returns when notified since the previous wait returned, or when the timeout passes.
  void wait(std::chrono::milliseconds timeout);
  void notify();
  // Notifications so far (for tests and benchmarks).
  std::uint64_t notifications() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool signalled_ = false;
  std::uint64_t count_ = 0;
};

// The persistent object store: SQLite (WAL, synchronous=NORMAL, prepared statements, one
// transaction per write) under an in-memory index that serves every read, one global
// resourceVersion counter, and a bounded change history for watches and exact-RV lists.
class Store {
 public:
  struct Options {
    std::string path;                  // the SQLite file
    std::size_t historyLimit = 20000;  // change events kept for watches
    std::uint64_t initialRv = 1000;    // the first resourceVersion of a new store
  };

  // What a mutation decides after seeing the current object (null if absent).
  struct Decision {
    enum class Kind { NoOp, Put, Delete };
    Kind kind = Kind::NoOp;
    nlohmann::json object;  // Put: the new object (its resourceVersion is set by the store)
  };
  using MutateFn = std::function<Decision(const ObjPtr& current)>;

  struct Outcome {
    ObjPtr object;  // the stored object after a Put, the deleted state, or the current (NoOp)
    bool written = false;
    EventType type = EventType::Added;
  };

  struct Snapshot {
    std::vector<ObjPtr> items;  // sorted by namespace/name
    std::uint64_t rv = 0;
  };

  Store();
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Result<void> open(const Options& options);
  void close();

  std::uint64_t currentRv() const;
  ObjPtr get(const std::string& key, const std::string& ns, const std::string& name) const;
  // Current objects of a resource; ns "" = every namespace.
  Snapshot list(const std::string& key, const std::string& ns) const;
  // The objects as they were at `rv` (reconstructed from the history); Gone if rv is older than
  // the history floor.
  Result<Snapshot> listAt(const std::string& key, const std::string& ns, std::uint64_t rv) const;
  // Every current object in a namespace, of every resource (for namespace deletion).
  std::vector<std::pair<std::string, ObjPtr>> objectsInNamespace(const std::string& ns) const;

  // Runs fn with the current object and applies its decision atomically: the check, the write,
  // the new resourceVersion and the history entry happen under one lock and one transaction.
  // Exceptions thrown by fn propagate and nothing is written. Fails if SQLite fails.
  Result<Outcome> mutate(const std::string& key, const std::string& ns, const std::string& name,
                         const MutateFn& fn);

  // Indexes for the garbage collector, kept by every write (no scan of the objects).
  // Whether an object with this metadata.uid exists.
  bool uidExists(const std::string& uid) const;
  // The objects whose ownerReferences name this uid.
  std::vector<ObjectRef> dependentsOf(const std::string& ownerUid) const;
  // The owner uids that dependents name but no stored object has: what background collection
  // looks at.
  std::vector<std::string> absentOwners() const;
  // Objects being deleted with the "orphan" or "foregroundDeletion" finalizer.
  std::vector<ObjectRef> gcFinalizing() const;
  // For the Service IP allocator: whether a stored Service has this address in spec.clusterIPs
  // (or spec.clusterIP).
  bool clusterIpInUse(const std::string& ip) const;

  // Watch support. Events strictly after `after` (at most `max`); `tooOld` is set when `after` is
  // older than the history floor.
  std::vector<EventPtr> eventsAfter(std::uint64_t after, std::size_t max, bool* tooOld) const;
  // The same for one resource (storage key), from its own index of the history: a watcher reads
  // only its resource's events. *seenUpTo is the resourceVersion up to which the answer is
  // complete: the current one when fewer than `max` events came, else the last event's (a watcher
  // may move its cursor, and its bookmarks, there). `tooOld` compares with the global floor, as
  // eventsAfter above does: the 410 semantics are those of one shared history.
  std::vector<EventPtr> eventsAfter(const std::string& key, std::uint64_t after, std::size_t max,
                                    bool* tooOld, std::uint64_t* seenUpTo) const;
  // A wake-up for changes of one resource; dropping the pointer unsubscribes.
  std::shared_ptr<Subscription> subscribe(const std::string& key);
  std::uint64_t floor() const;
  // Waits until an event newer than `after` exists, the wake generation moves past `wakeGen`, or
  // the timeout passes. Returns the current wake generation.
  std::uint64_t waitForChange(std::uint64_t after, std::uint64_t wakeGen,
                              std::chrono::milliseconds timeout) const;
  std::uint64_t wakeGeneration() const;
  // Wakes every waiting watcher and subscription (bookmarks, admin "close watches", shutdown).
  void wakeAll();

  // Drops history up to and including `rv` (0 = everything but nothing newer than current).
  void compact(std::uint64_t rv);
  std::size_t historySize() const;

 private:
  struct Statements;
  Result<void> load();
  void trimHistoryLocked();
  // Drops the oldest event of the history and of its resource's index; the caller holds dataMu_.
  void popOldestLocked();
  void notifySubscribers(const std::string& key);
  // What the indexes know of one stored object.
  struct IndexEntry {
    std::string uid;
    std::vector<std::string> owners;  // uids of its ownerReferences
    bool gcFinalizing = false;
    std::vector<std::string> clusterIps;  // Services only
  };
  static IndexEntry indexEntryOf(const std::string& key, const nlohmann::json& obj);
  // The caller holds dataMu_ exclusively.
  void unindexLocked(const ObjectRef& ref, const IndexEntry& e);
  void indexLocked(const ObjectRef& ref, const IndexEntry& e);
  // Writes floor_ to the meta table and drops older history rows; the caller holds writeMu_.
  void persistFloor();

  Options options_;
  std::unique_ptr<Poco::Data::Session> session_;
  std::unique_ptr<Statements> stmts_;

  std::mutex writeMu_;                // serializes writers (and SQLite)
  mutable std::shared_mutex dataMu_;  // guards the maps below
  std::unordered_map<std::string, std::map<std::string, ObjPtr>> objects_;  // key -> "ns/name"
  std::unordered_map<std::string, ObjectRef> byUid_;
  std::unordered_map<std::string, std::set<ObjectRef>> dependents_;  // owner uid -> dependents
  std::set<ObjectRef> gcFinalizing_;
  std::unordered_map<std::string, ObjectRef> clusterIps_;
  std::deque<EventPtr> history_;
  // The same events by storage key, each deque in resourceVersion order (a suffix of history_'s
  // events of that key).
  std::unordered_map<std::string, std::deque<EventPtr>> historyByKey_;
  std::uint64_t rv_ = 0;
  std::uint64_t floor_ = 0;
  std::uint64_t persistedFloor_ = 0;

  std::mutex subsMu_;
  std::unordered_map<std::string, std::vector<std::weak_ptr<Subscription>>> subs_;

  mutable std::mutex notifyMu_;
  mutable std::condition_variable notifyCv_;
  std::uint64_t notifiedRv_ = 0;
  std::uint64_t wakeGen_ = 0;
};

// "ns/name" index key.
inline std::string objectKey(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

}  // namespace mysqlop::local
