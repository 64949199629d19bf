#include "tests/unit/cluster/fake_host.h"

namespace mysqlop::cluster::testing {

namespace {

using nlohmann::json;

std::string str(mysqlop_type_str s) { return s.ptr == nullptr ? "" : std::string(s.ptr, s.len); }

std::string kindOf(const mysqlop_type_resource* r) { return str(r->kind); }

// "a=b,c=d" (the only selectors the plugins build).
bool selected(const json& object, const std::string& selector) {
  const json labels = object["metadata"].value("labels", json::object());
  std::size_t start = 0;
  while (start < selector.size()) {
    std::size_t comma = selector.find(',', start);
    if (comma == std::string::npos) {
      comma = selector.size();
    }
    const std::string term = selector.substr(start, comma - start);
    const std::size_t eq = term.find('=');
    if (eq == std::string::npos || labels.value(term.substr(0, eq), "") != term.substr(eq + 1)) {
      return false;
    }
    start = comma + 1;
  }
  return true;
}

}  // namespace

FakeHost::FakeHost() {
  table_.struct_size = sizeof table_;
  table_.last_error = &FakeHost::lastError;
  table_.release = [](mysqlop_call_host_ptr, mysqlop_buffer_host_ptr) {};
  table_.set_error = [](mysqlop_call_host_ptr, mysqlop_type_str) {};
  table_.get = &FakeHost::get;
  table_.list = &FakeHost::list;
  table_.create = &FakeHost::create;
  table_.update = &FakeHost::update;
  table_.update_status = &FakeHost::updateStatus;
  table_.patch = &FakeHost::patch;
  table_.remove = &FakeHost::remove;
  table_.record_event = &FakeHost::recordEvent;
}

std::string FakeHost::key(const std::string& kind, const std::string& ns, const std::string& name) {
  return kind + " " + ns + "/" + name;
}

void FakeHost::put(json object) {
  json& meta = object["metadata"];
  if (!meta.contains("uid")) {
    meta["uid"] = "uid-" + std::to_string(nextUid_++);
  }
  meta["resourceVersion"] = std::to_string(nextVersion_++);
  const std::string k =
      key(object.value("kind", ""), meta.value("namespace", ""), meta.value("name", ""));
  objects_[k] = std::move(object);
}

std::optional<json> FakeHost::find(const std::string& kind, const std::string& ns,
                                   const std::string& name) const {
  auto it = objects_.find(key(kind, ns, name));
  return it == objects_.end() ? std::nullopt : std::optional<json>(it->second);
}

std::size_t FakeHost::count(const std::string& kind) const {
  std::size_t n = 0;
  for (const auto& [k, o] : objects_) {
    n += o.value("kind", "") == kind ? 1 : 0;
  }
  return n;
}

void FakeHost::fail(const std::string& op, const std::string& kind, mysqlop::Status status,
                    const std::string& message, const std::string& body) {
  faults_[op + " " + kind] = {status, message, body};
}

std::vector<FakeHost::Event> FakeHost::warnings() const {
  std::vector<Event> out;
  for (const Event& e : events_) {
    if (e.type == "Warning") {
      out.push_back(e);
    }
  }
  return out;
}

const FakeHost::Fault* FakeHost::fault(const std::string& op,
                                       const mysqlop_type_resource* r) const {
  auto it = faults_.find(op + " " + kindOf(r));
  return it == faults_.end() ? nullptr : &it->second;
}

std::optional<mysqlop::Status> FakeHost::injected(const std::string& op,
                                                  const mysqlop_type_resource* r,
                                                  mysqlop_type_buffer* out) {
  const Fault* f = fault(op, r);
  if (f == nullptr) {
    return std::nullopt;
  }
  return f->status == mysqlop_status_Ok ? give(f->body, out) : answer(f->status, f->message);
}

mysqlop::Status FakeHost::answer(mysqlop::Status s, const std::string& message) {
  lastError_ = message;
  return s;
}

mysqlop::Status FakeHost::give(const std::string& text, mysqlop_type_buffer* out) {
  if (out != nullptr) {
    buffers_.push_back(text);
    out->handle = nullptr;
    out->data = {buffers_.back().data(), buffers_.back().size()};
  }
  return mysqlop_status_Ok;
}

mysqlop::Status FakeHost::give(const json& object, mysqlop_type_buffer* out) {
  return give(object.dump(), out);
}

mysqlop_type_status FakeHost::get(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                  mysqlop_type_str ns, mysqlop_type_str name,
                                  mysqlop_type_buffer* out) {
  FakeHost& h = self(call);
  if (auto s = h.injected("get", r, out)) {
    return *s;
  }
  auto it = h.objects_.find(key(kindOf(r), str(ns), str(name)));
  if (it == h.objects_.end()) {
    return h.answer(mysqlop_status_NotFound, kindOf(r) + " " + str(name) + " not found");
  }
  return h.give(it->second, out);
}

mysqlop_type_status FakeHost::list(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                   mysqlop_type_str ns, mysqlop_type_str selector,
                                   mysqlop_type_buffer* out) {
  FakeHost& h = self(call);
  if (auto s = h.injected("list", r, out)) {
    return *s;
  }
  json items = json::array();
  for (const auto& [k, o] : h.objects_) {
    if (o.value("kind", "") == kindOf(r) &&
        (str(ns).empty() || o["metadata"].value("namespace", "") == str(ns)) &&
        selected(o, str(selector))) {
      items.push_back(o);
    }
  }
  return h.give(items, out);
}

mysqlop_type_status FakeHost::create(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                     mysqlop_type_str object, mysqlop_type_buffer* out) {
  FakeHost& h = self(call);
  if (auto s = h.injected("create", r, out)) {
    return *s;
  }
  json o = json::parse(str(object));
  const json& meta = o["metadata"];
  const std::string k = key(kindOf(r), meta.value("namespace", ""), meta.value("name", ""));
  if (h.objects_.count(k) != 0) {
    return h.answer(mysqlop_status_AlreadyExists, k + " already exists");
  }
  h.put(o);
  return h.give(h.objects_[k], out);
}

mysqlop::Status FakeHost::modify(const std::string& k, mysqlop_type_buffer* out,
                                 const std::function<mysqlop::Status(json& stored)>& change) {
  auto it = objects_.find(k);
  if (it == objects_.end()) {
    return answer(mysqlop_status_NotFound, k + " not found");
  }
  json next = it->second;
  if (mysqlop::Status s = change(next); s != mysqlop_status_Ok) {
    return answer(s, k + " has been modified");
  }
  put(std::move(next));
  return give(objects_[k], out);
}

mysqlop_type_status FakeHost::update(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                     mysqlop_type_str object, mysqlop_type_buffer* out) {
  FakeHost& h = self(call);
  if (auto s = h.injected("update", r, out)) {
    return *s;
  }
  json o = json::parse(str(object));
  const json& meta = o["metadata"];
  return h.modify(
      key(kindOf(r), meta.value("namespace", ""), meta.value("name", "")), out, [&](json& stored) {
        if (meta.value("resourceVersion", "") != stored["metadata"].value("resourceVersion", "")) {
          return mysqlop_status_Conflict;
        }
        stored = o;
        return mysqlop_status_Ok;
      });
}

mysqlop_type_status FakeHost::updateStatus(mysqlop_call_host_ptr call,
                                           const mysqlop_type_resource* r, mysqlop_type_str object,
                                           mysqlop_type_buffer* out) {
  FakeHost& h = self(call);
  if (auto s = h.injected("update_status", r, out)) {
    return *s;
  }
  const json o = json::parse(str(object));
  const json& meta = o["metadata"];
  return h.modify(key(kindOf(r), meta.value("namespace", ""), meta.value("name", "")), out,
                  [&](json& stored) {
                    stored["status"] = o.value("status", json::object());
                    return mysqlop_status_Ok;
                  });
}

mysqlop_type_status FakeHost::patch(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                    mysqlop_type_str ns, mysqlop_type_str name,
                                    mysqlop_type_str /*subresource*/,
                                    mysqlop_type_patch_kind /*kind*/, mysqlop_type_str patch,
                                    mysqlop_type_buffer* out) {
  FakeHost& h = self(call);
  if (auto s = h.injected("patch", r, out)) {
    return *s;
  }
  return h.modify(key(kindOf(r), str(ns), str(name)), out, [&](json& stored) {
    stored.merge_patch(json::parse(str(patch)));
    return mysqlop_status_Ok;
  });
}

mysqlop_type_status FakeHost::remove(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                     mysqlop_type_str ns, mysqlop_type_str name,
                                     mysqlop_type_str /*propagation*/) {
  FakeHost& h = self(call);
  if (auto s = h.injected("remove", r, nullptr)) {
    return *s;
  }
  if (h.objects_.erase(key(kindOf(r), str(ns), str(name))) == 0) {
    return h.answer(mysqlop_status_NotFound, kindOf(r) + " " + str(name) + " not found");
  }
  return mysqlop_status_Ok;
}

mysqlop_type_status FakeHost::recordEvent(mysqlop_call_host_ptr call, mysqlop_type_str object,
                                          mysqlop_type_event_kind kind, mysqlop_type_str reason,
                                          mysqlop_type_str message) {
  FakeHost& h = self(call);
  const json ref = json::parse(str(object));
  const json& meta = ref["metadata"];
  h.events_.push_back(
      {kind == mysqlop_event_Warning ? "Warning" : "Normal", str(reason), str(message),
       key(ref.value("kind", ""), meta.value("namespace", ""), meta.value("name", ""))});
  return mysqlop_status_Ok;
}

mysqlop_type_str FakeHost::lastError(mysqlop_call_host_ptr call) {
  const FakeHost& h = self(call);
  return {h.lastError_.data(), h.lastError_.size()};
}

}  // namespace mysqlop::cluster::testing
