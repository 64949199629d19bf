#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/host/standalone_host.h"

namespace mysqlop::targetcheck {

// The answer of one operation: its status and the message the plugin set (empty on Ok).
struct Outcome {
  mysqlop_type_status status = mysqlop_status_Ok;
  std::string message;
  bool ok() const { return status == mysqlop_status_Ok; }
};

struct Listed {
  std::string url;
  std::uint64_t size = 0;
};

// One backup target driven through its C table, as the operator and the sidecar drive it: every
// operation gets a fresh call context and the credentials. Every message a plugin produced is
// kept (messages()) so that the kit can check that none of them reveals a credential.
class TargetClient {
 public:
  TargetClient(host::StandalonePlugin& plugin,
               std::vector<std::pair<std::string, std::string>> credentials)
      : plugin_(plugin), credentials_(std::move(credentials)) {}

  // A writer left open until commit or abort. Not thread-safe (one writer, one thread).
  class Writer {
   public:
    Writer(TargetClient& client, mysqlop_writer_plugin_ptr w) : client_(client), w_(w) {}
    ~Writer() { abort(); }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    Outcome write(const void* data, std::size_t len);
    Outcome commit();
    void abort();

   private:
    TargetClient& client_;
    mysqlop_writer_plugin_ptr w_;
  };

  // Opens a writer; on failure *out is null.
  Outcome openWriter(const std::string& url, std::unique_ptr<Writer>* out);
  Outcome openWriter(const std::string& url, std::unique_ptr<Writer>* out,
                     const std::vector<std::pair<std::string, std::string>>& credentials);
  // Writes data in chunks of chunk bytes and commits.
  Outcome put(const std::string& url, const std::string& data, std::size_t chunk = 4096);
  // Reads the whole object into *data, with a read buffer of capacity bytes.
  Outcome get(const std::string& url, std::string* data, std::size_t capacity = 1000);
  // Opens a reader only (the object exists?), then closes it.
  Outcome probe(const std::string& url);
  Outcome list(const std::string& prefix, std::vector<Listed>* out);
  Outcome remove(const std::string& url);

  const mysqlop_backup_target_v1& table() const { return *plugin_.target; }
  host::StandalonePlugin& plugin() { return plugin_; }
  std::vector<std::string> messages() const;
  void record(const Outcome& o);

  // Streams a reader's bytes to sink(const char*, size_t); for large objects.
  template <class Sink>
  Outcome read(const std::string& url, std::size_t capacity, Sink&& sink);

 private:
  mysqlop_type_credentials creds(const std::vector<std::pair<std::string, std::string>>& c,
                                 std::vector<mysqlop_type_kv>* storage) const;

  host::StandalonePlugin& plugin_;
  std::vector<std::pair<std::string, std::string>> credentials_;
  mutable std::mutex mu_;
  std::vector<std::string> messages_;
};

template <class Sink>
Outcome TargetClient::read(const std::string& url, std::size_t capacity, Sink&& sink) {
  host::StandaloneCall call(&plugin_);
  std::vector<mysqlop_type_kv> storage;
  mysqlop_reader_plugin_ptr r = nullptr;
  Outcome o;
  o.status = table().open_reader(plugin_.instance, call.ptr(), {url.data(), url.size()},
                                 creds(credentials_, &storage), &r);
  if (!o.ok()) {
    o.message = call.error;
    record(o);
    return o;
  }
  std::vector<char> buffer(capacity);
  for (;;) {
    std::size_t n = 0;
    host::StandaloneCall rc(&plugin_);
    o.status = table().read(r, rc.ptr(), buffer.data(), buffer.size(), &n);
    if (!o.ok()) {
      o.message = rc.error;
      break;
    }
    if (n == 0) {
      break;
    }
    if (n > capacity) {
      o.status = mysqlop_status_Internal;
      o.message = "read returned " + std::to_string(n) + " bytes into a buffer of " +
                  std::to_string(capacity);
      break;
    }
    sink(buffer.data(), n);
  }
  table().close_reader(r);
  record(o);
  return o;
}

}  // namespace mysqlop::targetcheck
