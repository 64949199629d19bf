#include "localcluster/apiserver/store.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <algorithm>

namespace mysqlop::local {

using nlohmann::json;
using namespace Poco::Data::Keywords;

const char* eventTypeName(EventType t) {
  switch (t) {
    case EventType::Added: return "ADDED";
    case EventType::Modified: return "MODIFIED";
    case EventType::Deleted: return "DELETED";
  }
  return "ERROR";
}

// Prepared statements bound to the member variables below: set the variables, then execute.
struct Store::Statements {
  std::string res, ns, name, data, prev;
  Poco::Int64 rv = 0;
  int type = 0;
  Poco::Int64 metaValue = 0;
  std::string metaKey;
  Poco::Int64 trimRv = 0;

  Poco::Data::Statement upsert;
  Poco::Data::Statement remove;
  Poco::Data::Statement event;
  Poco::Data::Statement meta;
  Poco::Data::Statement trim;

  explicit Statements(Poco::Data::Session& s) : upsert(s), remove(s), event(s), meta(s), trim(s) {
    upsert << "INSERT OR REPLACE INTO objects(res, ns, name, rv, data) VALUES(?, ?, ?, ?, ?)",
        use(res), use(ns), use(name), use(rv), use(data);
    remove << "DELETE FROM objects WHERE res = ? AND ns = ? AND name = ?", use(res), use(ns),
        use(name);
    event << "INSERT INTO events(rv, res, ns, name, type, data, prev) VALUES(?, ?, ?, ?, ?, ?, ?)",
        use(rv), use(res), use(ns), use(name), use(type), use(data), use(prev);
    meta << "INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)", use(metaKey), use(metaValue);
    trim << "DELETE FROM events WHERE rv <= ?", use(trimRv);
  }
};

Store::Store() = default;

Store::~Store() { close(); }

Result<void> Store::open(const Options& options) {
  options_ = options;
  try {
    Poco::Data::SQLite::Connector::registerConnector();
    session_ = std::make_unique<Poco::Data::Session>("SQLite", options.path);
    Poco::Data::Session& s = *session_;
    s << "PRAGMA journal_mode=WAL", now;
    s << "PRAGMA synchronous=NORMAL", now;
    s << "PRAGMA busy_timeout=5000", now;
    s << "CREATE TABLE IF NOT EXISTS objects(res TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT "
         "NULL, rv INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY(res, ns, name)) WITHOUT ROWID",
        now;
    s << "CREATE TABLE IF NOT EXISTS events(rv INTEGER PRIMARY KEY, res TEXT NOT NULL, ns TEXT "
         "NOT NULL, name TEXT NOT NULL, type INTEGER NOT NULL, data TEXT NOT NULL, prev TEXT NOT "
         "NULL)",
        now;
    s << "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL)", now;
    stmts_ = std::make_unique<Statements>(s);
  } catch (const Poco::Exception& e) {
    return fail(Errc::Unavailable, "cannot open " + options.path + ": " + e.displayText());
  }
  return load();
}

Result<void> Store::load() {
  try {
    Poco::Data::Session& s = *session_;
    std::vector<std::string> keys;
    std::vector<Poco::Int64> values;
    s << "SELECT k, v FROM meta", into(keys), into(values), now;
    rv_ = options_.initialRv;
    bool haveRv = false;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == "rv") {
        rv_ = static_cast<std::uint64_t>(values[i]);
        haveRv = true;
      } else if (keys[i] == "floor") {
        floor_ = static_cast<std::uint64_t>(values[i]);
      }
    }
    if (!haveRv) {
      floor_ = rv_;
    }
    persistedFloor_ = floor_;

    std::vector<std::string> res, ns, name, data;
    std::vector<Poco::Int64> rvs;
    s << "SELECT res, ns, name, rv, data FROM objects", into(res), into(ns), into(name), into(rvs),
        into(data), now;
    for (std::size_t i = 0; i < res.size(); ++i) {
      auto obj = std::make_shared<StoredObject>();
      obj->json = json::parse(data[i]);
      obj->data = std::move(data[i]);
      obj->rv = static_cast<std::uint64_t>(rvs[i]);
      indexLocked(ObjectRef{res[i], ns[i], name[i]}, indexEntryOf(res[i], obj->json));
      objects_[res[i]][objectKey(ns[i], name[i])] = std::move(obj);
    }

    std::vector<std::string> eres, ens, ename, edata, eprev;
    std::vector<Poco::Int64> erv;
    std::vector<int> etype;
    Poco::Int64 fl = static_cast<Poco::Int64>(floor_);
    s << "SELECT rv, res, ns, name, type, data, prev FROM events WHERE rv > ? ORDER BY rv", use(fl),
        into(erv), into(eres), into(ens), into(ename), into(etype), into(edata), into(eprev), now;
    for (std::size_t i = 0; i < erv.size(); ++i) {
      auto ev = std::make_shared<ChangeEvent>();
      ev->rv = static_cast<std::uint64_t>(erv[i]);
      ev->key = eres[i];
      ev->ns = ens[i];
      ev->name = ename[i];
      ev->type = static_cast<EventType>(etype[i]);
      auto o = std::make_shared<StoredObject>();
      o->json = json::parse(edata[i]);
      o->data = std::move(edata[i]);
      o->rv = ev->rv;
      ev->object = o;
      if (!eprev[i].empty()) {
        auto p = std::make_shared<StoredObject>();
        p->json = json::parse(eprev[i]);
        p->data = std::move(eprev[i]);
        p->rv = std::stoull(p->json["metadata"].value("resourceVersion", "0"));
        ev->previous = p;
      }
      historyByKey_[ev->key].push_back(ev);
      history_.push_back(std::move(ev));
    }
    trimHistoryLocked();
  } catch (const Poco::Exception& e) {
    return fail(Errc::Internal, "cannot load " + options_.path + ": " + e.displayText());
  } catch (const json::exception& e) {
    return fail(Errc::Internal, "corrupt object in " + options_.path + ": " + e.what());
  }
  notifiedRv_ = rv_;
  return {};
}

void Store::close() {
  std::lock_guard w(writeMu_);
  stmts_.reset();
  session_.reset();
}

std::uint64_t Store::currentRv() const {
  std::shared_lock lock(dataMu_);
  return rv_;
}

ObjPtr Store::get(const std::string& key, const std::string& ns, const std::string& name) const {
  std::shared_lock lock(dataMu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) {
    return nullptr;
  }
  auto o = it->second.find(objectKey(ns, name));
  return o == it->second.end() ? nullptr : o->second;
}

namespace {

template <class Map, class Fn>
void forRange(const Map& m, const std::string& ns, Fn fn) {
  if (ns.empty()) {
    for (const auto& [k, v] : m) {
      fn(k, v);
    }
    return;
  }
  std::string prefix = ns + "/";
  for (auto it = m.lower_bound(prefix);
       it != m.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    fn(it->first, it->second);
  }
}

}  // namespace

Store::Snapshot Store::list(const std::string& key, const std::string& ns) const {
  Snapshot s;
  std::shared_lock lock(dataMu_);
  s.rv = rv_;
  auto it = objects_.find(key);
  if (it != objects_.end()) {
    forRange(it->second, ns, [&](const std::string&, const ObjPtr& o) { s.items.push_back(o); });
  }
  return s;
}

Result<Store::Snapshot> Store::listAt(const std::string& key, const std::string& ns,
                                      std::uint64_t rv) const {
  std::shared_lock lock(dataMu_);
  if (rv < floor_) {
    return fail(Errc::Gone, "too old");
  }
  std::map<std::string, ObjPtr> state;
  auto it = objects_.find(key);
  if (it != objects_.end()) {
    forRange(it->second, ns, [&](const std::string& k, const ObjPtr& o) { state[k] = o; });
  }
  static const std::deque<EventPtr> kNone;
  const auto byKey = historyByKey_.find(key);
  const std::deque<EventPtr>& events = byKey == historyByKey_.end() ? kNone : byKey->second;
  for (auto h = events.rbegin(); h != events.rend() && (*h)->rv > rv; ++h) {
    const ChangeEvent& ev = **h;
    if (!ns.empty() && ev.ns != ns) {
      continue;
    }
    std::string k = objectKey(ev.ns, ev.name);
    if (ev.type == EventType::Added) {
      state.erase(k);
    } else {
      state[k] = ev.previous;
    }
  }
  Snapshot s;
  s.rv = std::min(rv, rv_);
  for (auto& [k, v] : state) {
    if (v) {
      s.items.push_back(v);
    }
  }
  return s;
}

std::vector<std::pair<std::string, ObjPtr>> Store::objectsInNamespace(const std::string& ns) const {
  std::vector<std::pair<std::string, ObjPtr>> out;
  std::shared_lock lock(dataMu_);
  for (const auto& resource : objects_) {
    // Not a structured binding: C++20 lets lambdas capture those, clang 14 (clang-tidy) does not.
    const std::string& key = resource.first;
    forRange(resource.second, ns,
             [&](const std::string&, const ObjPtr& o) { out.emplace_back(key, o); });
  }
  return out;
}

Result<Store::Outcome> Store::mutate(const std::string& key, const std::string& ns,
                                     const std::string& name, const MutateFn& fn) {
  std::lock_guard w(writeMu_);
  if (!session_) {
    return fail(Errc::Unavailable, "the store is closed");
  }
  ObjPtr current = get(key, ns, name);
  Decision d = fn(current);  // may throw: nothing is written
  Outcome out;
  if (d.kind == Decision::Kind::NoOp) {
    out.object = current;
    return out;
  }
  std::uint64_t rv = rv_ + 1;
  auto ev = std::make_shared<ChangeEvent>();
  ev->rv = rv;
  ev->key = key;
  ev->ns = ns;
  ev->name = name;
  ev->previous = current;
  auto obj = std::make_shared<StoredObject>();
  obj->rv = rv;
  if (d.kind == Decision::Kind::Put) {
    obj->json = std::move(d.object);
    ev->type = current ? EventType::Modified : EventType::Added;
  } else {
    if (!current) {
      return out;
    }
    obj->json = current->json;
    ev->type = EventType::Deleted;
  }
  obj->json["metadata"]["resourceVersion"] = std::to_string(rv);
  obj->data = obj->json.dump();
  ev->object = obj;

  Statements& st = *stmts_;
  try {
    session_->begin();
    st.res = key;
    st.ns = ns;
    st.name = name;
    st.rv = static_cast<Poco::Int64>(rv);
    st.data = obj->data;
    if (ev->type == EventType::Deleted) {
      st.remove.execute();
    } else {
      st.upsert.execute();
    }
    st.type = static_cast<int>(ev->type);
    st.prev = current ? current->data : std::string();
    st.event.execute();
    st.metaKey = "rv";
    st.metaValue = static_cast<Poco::Int64>(rv);
    st.meta.execute();
    session_->commit();
  } catch (const Poco::Exception& e) {
    try {
      session_->rollback();
    } catch (const Poco::Exception&) {
    }
    return fail(Errc::Internal, "storage write failed: " + e.displayText());
  }

  const ObjectRef ref{key, ns, name};
  const IndexEntry before = current ? indexEntryOf(key, current->json) : IndexEntry{};
  const IndexEntry after =
      ev->type == EventType::Deleted ? IndexEntry{} : indexEntryOf(key, obj->json);
  {
    std::unique_lock lock(dataMu_);
    unindexLocked(ref, before);
    indexLocked(ref, after);
    auto& m = objects_[key];
    if (ev->type == EventType::Deleted) {
      m.erase(objectKey(ns, name));
    } else {
      m[objectKey(ns, name)] = obj;
    }
    rv_ = rv;
    history_.push_back(ev);
    historyByKey_[key].push_back(ev);
    trimHistoryLocked();
  }
  // Persist the history floor now and then, so that a restart does not serve trimmed events.
  if (floor_ > persistedFloor_ && (floor_ - persistedFloor_ >= 256 || history_.empty())) {
    persistFloor();
  }
  {
    std::lock_guard n(notifyMu_);
    notifiedRv_ = rv;
  }
  notifyCv_.notify_all();
  notifySubscribers(key);
  out.object = obj;
  out.written = true;
  out.type = ev->type;
  return out;
}

Store::IndexEntry Store::indexEntryOf(const std::string& key, const json& obj) {
  IndexEntry e;
  const auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) {
    return e;
  }
  if (auto uid = meta->find("uid"); uid != meta->end() && uid->is_string()) {
    e.uid = uid->get<std::string>();
  }
  if (auto refs = meta->find("ownerReferences"); refs != meta->end() && refs->is_array()) {
    for (const auto& r : *refs) {
      auto uid = r.is_object() ? r.find("uid") : r.end();
      if (r.is_object() && uid != r.end() && uid->is_string() && !uid->get<std::string>().empty()) {
        e.owners.push_back(uid->get<std::string>());
      }
    }
  }
  if (key == "/services") {
    const json spec = obj.value("spec", json::object());
    const json ips = spec.is_object() ? spec.value("clusterIPs", json::array()) : json::array();
    for (const auto& ip : ips.is_array() ? ips : json::array()) {
      if (ip.is_string()) {
        e.clusterIps.push_back(ip.get<std::string>());
      }
    }
    const std::string ip = spec.is_object() ? spec.value("clusterIP", "") : "";
    if (!ip.empty() &&
        std::find(e.clusterIps.begin(), e.clusterIps.end(), ip) == e.clusterIps.end()) {
      e.clusterIps.push_back(ip);
    }
  }
  if (meta->contains("deletionTimestamp")) {
    if (auto fin = meta->find("finalizers"); fin != meta->end() && fin->is_array()) {
      for (const auto& f : *fin) {
        e.gcFinalizing = e.gcFinalizing || f == "orphan" || f == "foregroundDeletion";
      }
    }
  }
  return e;
}

void Store::unindexLocked(const ObjectRef& ref, const IndexEntry& e) {
  if (!e.uid.empty()) {
    byUid_.erase(e.uid);
  }
  for (const auto& owner : e.owners) {
    auto it = dependents_.find(owner);
    if (it != dependents_.end()) {
      it->second.erase(ref);
      if (it->second.empty()) {
        dependents_.erase(it);
      }
    }
  }
  if (e.gcFinalizing) {
    gcFinalizing_.erase(ref);
  }
  for (const auto& ip : e.clusterIps) {
    auto it = clusterIps_.find(ip);
    if (it != clusterIps_.end() && it->second == ref) {
      clusterIps_.erase(it);
    }
  }
}

void Store::indexLocked(const ObjectRef& ref, const IndexEntry& e) {
  if (!e.uid.empty()) {
    byUid_[e.uid] = ref;
  }
  for (const auto& owner : e.owners) {
    dependents_[owner].insert(ref);
  }
  if (e.gcFinalizing) {
    gcFinalizing_.insert(ref);
  }
  for (const auto& ip : e.clusterIps) {
    clusterIps_[ip] = ref;
  }
}

bool Store::clusterIpInUse(const std::string& ip) const {
  std::shared_lock lock(dataMu_);
  return clusterIps_.count(ip) > 0;
}

bool Store::uidExists(const std::string& uid) const {
  std::shared_lock lock(dataMu_);
  return byUid_.count(uid) > 0;
}

std::vector<ObjectRef> Store::dependentsOf(const std::string& ownerUid) const {
  std::shared_lock lock(dataMu_);
  auto it = dependents_.find(ownerUid);
  return it == dependents_.end() ? std::vector<ObjectRef>()
                                 : std::vector<ObjectRef>(it->second.begin(), it->second.end());
}

std::vector<std::string> Store::absentOwners() const {
  std::vector<std::string> out;
  std::shared_lock lock(dataMu_);
  for (const auto& entry : dependents_) {
    if (!byUid_.count(entry.first)) {
      out.push_back(entry.first);
    }
  }
  return out;
}

std::vector<ObjectRef> Store::gcFinalizing() const {
  std::shared_lock lock(dataMu_);
  return {gcFinalizing_.begin(), gcFinalizing_.end()};
}

void Store::popOldestLocked() {
  const EventPtr& oldest = history_.front();
  auto byKey = historyByKey_.find(oldest->key);
  if (byKey != historyByKey_.end()) {
    byKey->second.pop_front();  // the oldest event of the history is its key's oldest too
    if (byKey->second.empty()) {
      historyByKey_.erase(byKey);
    }
  }
  history_.pop_front();
}

void Store::trimHistoryLocked() {
  while (history_.size() > options_.historyLimit) {
    floor_ = history_.front()->rv;
    popOldestLocked();
  }
}

std::vector<EventPtr> Store::eventsAfter(std::uint64_t after, std::size_t max, bool* tooOld) const {
  std::vector<EventPtr> out;
  std::shared_lock lock(dataMu_);
  *tooOld = after < floor_;
  if (*tooOld) {
    return out;
  }
  auto it = std::upper_bound(history_.begin(), history_.end(), after,
                             [](std::uint64_t v, const EventPtr& e) { return v < e->rv; });
  for (; it != history_.end() && out.size() < max; ++it) {
    out.push_back(*it);
  }
  return out;
}

std::vector<EventPtr> Store::eventsAfter(const std::string& key, std::uint64_t after,
                                         std::size_t max, bool* tooOld,
                                         std::uint64_t* seenUpTo) const {
  std::vector<EventPtr> out;
  std::shared_lock lock(dataMu_);
  *tooOld = after < floor_;
  *seenUpTo = after;
  if (*tooOld) {
    return out;
  }
  auto byKey = historyByKey_.find(key);
  if (byKey != historyByKey_.end()) {
    const auto& events = byKey->second;
    auto it = std::upper_bound(events.begin(), events.end(), after,
                               [](std::uint64_t v, const EventPtr& e) { return v < e->rv; });
    for (; it != events.end() && out.size() < max; ++it) {
      out.push_back(*it);
    }
  }
  *seenUpTo = out.size() < max ? std::max(after, rv_) : out.back()->rv;
  return out;
}

std::shared_ptr<Subscription> Store::subscribe(const std::string& key) {
  auto sub = std::make_shared<Subscription>();
  std::lock_guard lock(subsMu_);
  auto& list = subs_[key];
  std::erase_if(list, [](const std::weak_ptr<Subscription>& w) { return w.expired(); });
  list.push_back(sub);
  return sub;
}

void Store::notifySubscribers(const std::string& key) {
  std::vector<std::shared_ptr<Subscription>> live;
  {
    std::lock_guard lock(subsMu_);
    auto it = subs_.find(key);
    if (it == subs_.end()) {
      return;
    }
    auto& list = it->second;
    for (auto w = list.begin(); w != list.end();) {
      if (auto sub = w->lock()) {
        live.push_back(std::move(sub));
        ++w;
      } else {
        w = list.erase(w);  // its watch ended
      }
    }
  }
  for (const auto& s : live) {
    s->notify();
  }
}

void Subscription::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return signalled_; });
  signalled_ = false;
}

void Subscription::notify() {
  {
    std::lock_guard lock(mu_);
    signalled_ = true;
    ++count_;
  }
  cv_.notify_all();
}

std::uint64_t Subscription::notifications() const {
  std::lock_guard lock(mu_);
  return count_;
}

std::uint64_t Store::floor() const {
  std::shared_lock lock(dataMu_);
  return floor_;
}

std::uint64_t Store::waitForChange(std::uint64_t after, std::uint64_t wakeGen,
                                   std::chrono::milliseconds timeout) const {
  std::unique_lock lock(notifyMu_);
  notifyCv_.wait_for(lock, timeout, [&] { return notifiedRv_ > after || wakeGen_ != wakeGen; });
  return wakeGen_;
}

std::uint64_t Store::wakeGeneration() const {
  std::lock_guard lock(notifyMu_);
  return wakeGen_;
}

void Store::wakeAll() {
  {
    std::lock_guard lock(notifyMu_);
    ++wakeGen_;
  }
  notifyCv_.notify_all();
  std::vector<std::shared_ptr<Subscription>> live;
  {
    std::lock_guard lock(subsMu_);
    for (auto& entry : subs_) {
      for (const auto& w : entry.second) {
        if (auto s = w.lock()) {
          live.push_back(std::move(s));
        }
      }
    }
  }
  for (const auto& s : live) {
    s->notify();
  }
}

void Store::compact(std::uint64_t rv) {
  std::lock_guard w(writeMu_);
  {
    std::unique_lock lock(dataMu_);
    std::uint64_t upTo = rv == 0 ? rv_ : std::min(rv, rv_);
    while (!history_.empty() && history_.front()->rv <= upTo) {
      popOldestLocked();
    }
    floor_ = std::max(floor_, upTo);
  }
  if (!session_) {
    return;
  }
  persistFloor();
  wakeAll();
}

void Store::persistFloor() {
  // Best effort: a floor that is not persisted only makes a restarted server replay more history.
  try {
    Statements& st = *stmts_;
    st.trimRv = static_cast<Poco::Int64>(floor_);
    st.metaKey = "floor";
    st.metaValue = st.trimRv;
    session_->begin();
    st.trim.execute();
    st.meta.execute();
    session_->commit();
    persistedFloor_ = floor_;
  } catch (const Poco::Exception&) {
    try {
      session_->rollback();
    } catch (const Poco::Exception&) {
    }
  }
}

std::size_t Store::historySize() const {
  std::shared_lock lock(dataMu_);
  return history_.size();
}

}  // namespace mysqlop::local
