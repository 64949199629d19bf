#pragma once

#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mysqlop/plugin.hpp"

namespace mysqlop::cluster::testing {

// The host's object callbacks over an in-memory store, for reconcile tests without a process or
// an API server: get, list (equality selectors), create, update (resourceVersion conflicts),
// update_status, merge patch, remove and record_event. Faults are injected per operation and
// resource. One thread at a time.
class FakeHost {
 public:
  FakeHost();
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  mysqlop::Call call() {
    return mysqlop::Call(&table_, reinterpret_cast<mysqlop_call_host_ptr>(this));
  }

  // Stores an object as the API server would (uid and resourceVersion set when missing).
  void put(nlohmann::json object);
  std::optional<nlohmann::json> find(const std::string& kind, const std::string& ns,
                                     const std::string& name) const;
  std::size_t count(const std::string& kind) const;

  // Every later `op` ("get", "list", "create", "update", "update_status", "patch", "remove") on
  // `kind` answers status with message; with status Ok, answers `body` instead of the object.
  void fail(const std::string& op, const std::string& kind, mysqlop::Status status,
            const std::string& message, const std::string& body = "");
  void heal() { faults_.clear(); }

  struct Event {
    std::string type;  // Normal or Warning
    std::string reason;
    std::string message;
    std::string object;  // kind namespace/name
  };
  const std::vector<Event>& events() const { return events_; }
  std::vector<Event> warnings() const;

 private:
  struct Fault {
    mysqlop::Status status;
    std::string message;
    std::string body;
  };
  static FakeHost& self(mysqlop_call_host_ptr call) { return *reinterpret_cast<FakeHost*>(call); }
  static std::string key(const std::string& kind, const std::string& ns, const std::string& name);
  const Fault* fault(const std::string& op, const mysqlop_type_resource* r) const;
  // The injected answer of op on r, when a fault is set for them.
  std::optional<mysqlop::Status> injected(const std::string& op, const mysqlop_type_resource* r,
                                          mysqlop_type_buffer* out);
  mysqlop::Status answer(mysqlop::Status s, const std::string& message);
  // Applies change to a copy of the stored object k and stores it (NotFound when k is absent; a
  // status other than Ok from change is answered instead, as a modification conflict).
  mysqlop::Status modify(const std::string& k, mysqlop_type_buffer* out,
                         const std::function<mysqlop::Status(nlohmann::json& stored)>& change);
  mysqlop::Status give(const nlohmann::json& object, mysqlop_type_buffer* out);
  mysqlop::Status give(const std::string& text, mysqlop_type_buffer* out);

  static mysqlop_type_status get(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                 mysqlop_type_str ns, mysqlop_type_str name,
                                 mysqlop_type_buffer* out);
  static mysqlop_type_status list(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                  mysqlop_type_str ns, mysqlop_type_str selector,
                                  mysqlop_type_buffer* out);
  static mysqlop_type_status create(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                    mysqlop_type_str object, mysqlop_type_buffer* out);
  static mysqlop_type_status update(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                    mysqlop_type_str object, mysqlop_type_buffer* out);
  static mysqlop_type_status updateStatus(mysqlop_call_host_ptr call,
                                          const mysqlop_type_resource* r, mysqlop_type_str object,
                                          mysqlop_type_buffer* out);
  static mysqlop_type_status patch(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                   mysqlop_type_str ns, mysqlop_type_str name,
                                   mysqlop_type_str subresource, mysqlop_type_patch_kind kind,
                                   mysqlop_type_str patch, mysqlop_type_buffer* out);
  static mysqlop_type_status remove(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                    mysqlop_type_str ns, mysqlop_type_str name,
                                    mysqlop_type_str propagation);
  static mysqlop_type_status recordEvent(mysqlop_call_host_ptr call, mysqlop_type_str object,
                                         mysqlop_type_event_kind kind, mysqlop_type_str reason,
                                         mysqlop_type_str message);
  static mysqlop_type_str lastError(mysqlop_call_host_ptr call);

  mysqlop_host_v1 table_{};
  std::map<std::string, nlohmann::json> objects_;
  std::map<std::string, Fault> faults_;  // "op kind"
  std::vector<Event> events_;
  std::deque<std::string> buffers_;  // what out buffers point at, alive as long as the host
  std::string lastError_;
  int nextUid_ = 1;
  int nextVersion_ = 1;
};

}  // namespace mysqlop::cluster::testing
