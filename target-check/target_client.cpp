#include "target-check/target_client.h"

#include <algorithm>

namespace mysqlop::targetcheck {

namespace {
mysqlop_type_str s(const std::string& v) { return {v.data(), v.size()}; }
}  // namespace

mysqlop_type_credentials TargetClient::creds(
    const std::vector<std::pair<std::string, std::string>>& c,
    std::vector<mysqlop_type_kv>* storage) const {
  storage->clear();
  for (const auto& [k, v] : c) {
    storage->push_back({s(k), s(v)});
  }
  return {storage->data(), storage->size()};
}

void TargetClient::record(const Outcome& o) {
  if (!o.message.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    messages_.push_back(o.message);
  }
}

std::vector<std::string> TargetClient::messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

Outcome TargetClient::openWriter(const std::string& url, std::unique_ptr<Writer>* out) {
  return openWriter(url, out, credentials_);
}

Outcome TargetClient::openWriter(const std::string& url, std::unique_ptr<Writer>* out,
                                 const std::vector<std::pair<std::string, std::string>>& c) {
  host::StandaloneCall call(&plugin_);
  std::vector<mysqlop_type_kv> storage;
  mysqlop_writer_plugin_ptr w = nullptr;
  Outcome o;
  o.status = table().open_writer(plugin_.instance, call.ptr(), s(url), creds(c, &storage), &w);
  out->reset();
  if (o.ok()) {
    *out = std::make_unique<Writer>(*this, w);
  } else {
    o.message = call.error;
  }
  record(o);
  return o;
}

Outcome TargetClient::Writer::write(const void* data, std::size_t len) {
  host::StandaloneCall call(&client_.plugin_);
  Outcome o;
  o.status = client_.table().write(w_, call.ptr(), data, len);
  o.message = o.ok() ? "" : call.error;
  client_.record(o);
  return o;
}

Outcome TargetClient::Writer::commit() {
  host::StandaloneCall call(&client_.plugin_);
  Outcome o;
  o.status = client_.table().commit(w_, call.ptr());
  w_ = nullptr;  // commit frees the writer whatever its result
  o.message = o.ok() ? "" : call.error;
  client_.record(o);
  return o;
}

void TargetClient::Writer::abort() {
  if (w_) {
    host::StandaloneCall call(&client_.plugin_);
    client_.table().abort(w_, call.ptr());
    w_ = nullptr;
  }
}

Outcome TargetClient::put(const std::string& url, const std::string& data, std::size_t chunk) {
  std::unique_ptr<Writer> w;
  Outcome o = openWriter(url, &w);
  for (std::size_t at = 0; o.ok() && at < data.size(); at += chunk) {
    o = w->write(data.data() + at, std::min(chunk, data.size() - at));
  }
  return o.ok() ? w->commit() : o;
}

Outcome TargetClient::get(const std::string& url, std::string* data, std::size_t capacity) {
  data->clear();
  return read(url, capacity, [&](const char* p, std::size_t n) { data->append(p, n); });
}

Outcome TargetClient::probe(const std::string& url) {
  host::StandaloneCall call(&plugin_);
  std::vector<mysqlop_type_kv> storage;
  mysqlop_reader_plugin_ptr r = nullptr;
  Outcome o;
  o.status =
      table().open_reader(plugin_.instance, call.ptr(), s(url), creds(credentials_, &storage), &r);
  if (o.ok()) {
    table().close_reader(r);
  } else {
    o.message = call.error;
  }
  record(o);
  return o;
}

Outcome TargetClient::list(const std::string& prefix, std::vector<Listed>* out) {
  host::StandaloneCall call(&plugin_);
  std::vector<mysqlop_type_kv> storage;
  out->clear();
  Outcome o;
  o.status = table().list(
      plugin_.instance, call.ptr(), s(prefix), creds(credentials_, &storage),
      [](void* ctx, const mysqlop_type_object_info* e) {
        static_cast<std::vector<Listed>*>(ctx)->push_back(
            {std::string(e->url.ptr, e->url.len), e->size_bytes});
      },
      out);
  o.message = o.ok() ? "" : call.error;
  record(o);
  return o;
}

Outcome TargetClient::remove(const std::string& url) {
  host::StandaloneCall call(&plugin_);
  std::vector<mysqlop_type_kv> storage;
  Outcome o;
  o.status = table().remove(plugin_.instance, call.ptr(), s(url), creds(credentials_, &storage));
  o.message = o.ok() ? "" : call.error;
  record(o);
  return o;
}

}  // namespace mysqlop::targetcheck
