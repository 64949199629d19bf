#include "tests/support/mysql/memory_kube.h"

#include "plugins/common/kube/resources.h"

namespace mysqlop::testing {
namespace {

mysqlop::Reply replyOk(std::string data) {
  mysqlop::Reply r;
  r.data = std::move(data);
  return r;
}

mysqlop::Reply replyError(mysqlop::Status s, std::string message) {
  mysqlop::Reply r;
  r.status = s;
  r.error = std::move(message);
  return r;
}

std::string str(mysqlop_type_str s) { return std::string(mysqlop::toView(s)); }

}  // namespace

MemoryKube::Key MemoryKube::keyOf(const mysqlop_type_resource& r, std::string_view ns,
                                  std::string_view name) {
  return {str(r.plural), std::string(ns), std::string(name)};
}

nlohmann::json MemoryKube::put(const mysqlop_type_resource& r, nlohmann::json obj) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string group = str(r.group);
  obj["apiVersion"] = group.empty() ? str(r.version) : group + "/" + str(r.version);
  obj["kind"] = str(r.kind);
  auto& meta = obj["metadata"];
  if (!meta.contains("uid")) {
    meta["uid"] = "uid-" + std::to_string(uid_++);
  }
  meta["resourceVersion"] = std::to_string(++version_);
  objects_[keyOf(r, meta.value("namespace", ""), meta.value("name", ""))] = obj;
  return obj;
}

nlohmann::json MemoryKube::object(const mysqlop_type_resource& r, const std::string& ns,
                                  const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(keyOf(r, ns, name));
  return it == objects_.end() ? nlohmann::json() : it->second;
}

bool MemoryKube::exists(const mysqlop_type_resource& r, const std::string& ns,
                        const std::string& name) const {
  return !object(r, ns, name).is_null();
}

void MemoryKube::markDeleted(const mysqlop_type_resource& r, const std::string& ns,
                             const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(keyOf(r, ns, name));
  if (it == objects_.end()) {
    return;
  }
  auto& meta = it->second["metadata"];
  if (!meta.contains("finalizers") || meta["finalizers"].empty()) {
    objects_.erase(it);
    return;
  }
  meta["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  meta["resourceVersion"] = std::to_string(++version_);
}

void MemoryKube::setSecret(const std::string& ns, const std::string& name,
                           const std::map<std::string, std::string>& data) {
  std::lock_guard<std::mutex> lock(mu_);
  secrets_[{ns, name}] = data;
}

void MemoryKube::removeSecret(const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  secrets_.erase({ns, name});
}

void MemoryKube::setMaster(const std::string& ns, const std::string& cluster,
                           mysql::Endpoint endpoint) {
  std::lock_guard<std::mutex> lock(mu_);
  masters_[{ns, cluster}] = std::move(endpoint);
}

void MemoryKube::clearMaster(const std::string& ns, const std::string& cluster) {
  std::lock_guard<std::mutex> lock(mu_);
  masters_.erase({ns, cluster});
}

void MemoryKube::putCluster(const std::string& ns, const std::string& name,
                            const std::string& secretName, bool ready,
                            const std::string& mysqlVersion) {
  put(kube::res::kMysqlCluster,
      {{"metadata", {{"namespace", ns}, {"name", name}}},
       {"spec", {{"secretName", secretName}, {"mysqlVersion", mysqlVersion}}},
       {"status",
        {{"conditions",
          {{{"type", "Ready"}, {"status", ready ? "True" : "False"}, {"reason", "test"}}}}}}});
}

std::vector<RecordedEvent> MemoryKube::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

void MemoryKube::clearEvents() {
  std::lock_guard<std::mutex> lock(mu_);
  events_.clear();
}

mysqlop::Reply MemoryKube::get(const mysqlop_type_resource& r, std::string_view ns,
                               std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(keyOf(r, ns, name));
  if (it == objects_.end()) {
    return replyError(mysqlop_status_NotFound,
                      str(r.plural) + " \"" + std::string(name) + "\" not found");
  }
  return replyOk(it->second.dump());
}

mysqlop::Reply MemoryKube::list(const mysqlop_type_resource& r, std::string_view ns) {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& [key, obj] : objects_) {
    if (std::get<0>(key) == str(r.plural) && (ns.empty() || std::get<1>(key) == ns)) {
      items.push_back(obj);
    }
  }
  return replyOk(items.dump());
}

mysqlop::Reply MemoryKube::write(const mysqlop_type_resource& r, const std::string& objectJson,
                                 bool status) {
  nlohmann::json obj = nlohmann::json::parse(objectJson, nullptr, false);
  if (!obj.is_object()) {
    return replyError(mysqlop_status_Invalid, "not a JSON object");
  }
  std::lock_guard<std::mutex> lock(mu_);
  const auto& meta = obj["metadata"];
  auto it = objects_.find(keyOf(r, meta.value("namespace", ""), meta.value("name", "")));
  if (it == objects_.end()) {
    return replyError(mysqlop_status_NotFound, "not found");
  }
  if (conflicts_ > 0) {
    --conflicts_;
    return replyError(mysqlop_status_Conflict, "the object has been modified (injected)");
  }
  nlohmann::json& stored = it->second;
  if (meta.value("resourceVersion", "") != stored["metadata"].value("resourceVersion", "")) {
    return replyError(mysqlop_status_Conflict,
                      "the object has been modified; please apply your changes to the latest "
                      "version and try again");
  }
  if (status) {
    stored["status"] = obj.value("status", nlohmann::json::object());
  } else {
    nlohmann::json keepStatus = stored.value("status", nlohmann::json::object());
    nlohmann::json keepDeletion = stored["metadata"].value("deletionTimestamp", nlohmann::json());
    nlohmann::json keepUid = stored["metadata"]["uid"];
    stored = obj;
    stored["status"] = keepStatus;
    stored["metadata"]["uid"] = keepUid;
    if (!keepDeletion.is_null()) {
      stored["metadata"]["deletionTimestamp"] = keepDeletion;
    } else {
      stored["metadata"].erase("deletionTimestamp");
    }
  }
  stored["metadata"]["resourceVersion"] = std::to_string(++version_);
  nlohmann::json answer = stored;
  const auto& m = stored["metadata"];
  if (m.contains("deletionTimestamp") && (!m.contains("finalizers") || m["finalizers"].empty())) {
    objects_.erase(it);
  }
  return replyOk(answer.dump());
}

mysqlop::Reply MemoryKube::update(const mysqlop_type_resource& r, const std::string& objectJson) {
  return write(r, objectJson, false);
}

mysqlop::Reply MemoryKube::updateStatus(const mysqlop_type_resource& r,
                                        const std::string& objectJson) {
  return write(r, objectJson, true);
}

mysqlop::Reply MemoryKube::readSecretValue(std::string_view ns, std::string_view name,
                                           std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = secrets_.find({std::string(ns), std::string(name)});
  if (it == secrets_.end()) {
    return replyError(mysqlop_status_NotFound, "secrets \"" + std::string(name) + "\" not found");
  }
  auto v = it->second.find(std::string(key));
  if (v == it->second.end()) {
    return replyError(
        mysqlop_status_NotFound,
        "secret " + std::string(ns) + "/" + std::string(name) + " has no key " + std::string(key));
  }
  return replyOk(v->second);
}

mysql::EndpointReply MemoryKube::resolveMaster(std::string_view ns, std::string_view cluster) {
  std::lock_guard<std::mutex> lock(mu_);
  mysql::EndpointReply r;
  auto it = masters_.find({std::string(ns), std::string(cluster)});
  if (it == masters_.end()) {
    r.status = mysqlop_status_Unavailable;
    r.error = "no ready pod behind service " + std::string(cluster) + "-mysql-master";
    return r;
  }
  r.endpoint = it->second;
  return r;
}

void MemoryKube::recordEvent(const nlohmann::json& obj, mysqlop_type_event_kind kind,
                             std::string_view reason, std::string_view message) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto& meta = obj["metadata"];
  events_.push_back({meta.value("namespace", "") + "/" + meta.value("name", ""),
                     kind == mysqlop_event_Normal ? "Normal" : "Warning", std::string(reason),
                     std::string(message)});
}

}  // namespace mysqlop::testing
