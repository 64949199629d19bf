// Example reconciler plugin: for every ConfigMap annotated "example.mysqlop.io/echo", it copies the
// annotation's text into the ConfigMap's data key "echo", and records an Event when it does so.
//
// It shows the whole reconciler contract: a primary resource, reads through the host cache,
// a patch, an Event, a metric, an HTTP route and requeue semantics. It deliberately parses JSON
// with a few string operations only, so that it needs nothing beyond the SDK; real plugins use a
// JSON library.
#include <atomic>
#include <string>

#include "mysqlop/plugin.hpp"

namespace {

constexpr const char* kAnnotation = "example.mysqlop.io/echo";

// Returns the JSON string value that follows "key": in json, or "" when absent. Handles the
// escapes \" and \\ only, which is enough for this example.
std::string findStringValue(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  std::size_t at = json.find(needle);
  if (at == std::string::npos) {
    return {};
  }
  at += needle.size();
  while (at < json.size() && json[at] == ' ') {
    ++at;
  }
  if (at >= json.size() || json[at] != '"') {
    return {};
  }
  std::string out;
  for (++at; at < json.size() && json[at] != '"'; ++at) {
    if (json[at] == '\\' && at + 1 < json.size()) {
      ++at;
    }
    out.push_back(json[at]);
  }
  return out;
}

std::string jsonQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      continue;  // control characters are dropped, never emitted raw
    }
    out.push_back(c);
  }
  return out + "\"";
}

class EchoReconciler : public mysqlop::Plugin {
 public:
  static constexpr const char* kVersion = "1.0.0";
  static constexpr mysqlop_type_resource kPrimary =
      mysqlop::resource("", "v1", "ConfigMap", "configmaps");

  explicit EchoReconciler(const mysqlop::Context& ctx)
      : Plugin(ctx),
        echoes_(host().registerMetric(mysqlop_metric_Counter, "mysqlop_example_echoes_total",
                                      "ConfigMaps whose echo data was written", {"namespace"})) {
    if (ctx.configJson.find("\"fail\":true") != std::string_view::npos) {
      throw mysqlop::ConfigError("config.fail: the example was asked to refuse its config");
    }
    host().registerRoute("GET", "/echoes", &EchoReconciler::serveCount, this);
  }

  mysqlop::Outcome reconcile(mysqlop::Call& call, const mysqlop::Request& req) override {
    mysqlop::Reply cm = call.get(kPrimary, req.namespaceName, req.name);
    if (cm.notFound()) {
      return mysqlop::Outcome::done();  // deleted: nothing to do
    }
    if (!cm.ok()) {
      return mysqlop::Outcome::retry("reading ConfigMap " + std::string(req.namespaceName) + "/" +
                                     std::string(req.name) + ": " + cm.error);
    }
    const std::string text = findStringValue(cm.data, kAnnotation);
    if (text.empty() || findStringValue(cm.data, "echo") == text) {
      return mysqlop::Outcome::done();
    }
    const std::string patch = "{\"data\":{\"echo\":" + jsonQuote(text) + "}}";
    call.patch(kPrimary, req.namespaceName, req.name, mysqlop_patch_Merge, patch)
        .orThrow("patching ConfigMap data.echo");
    call.recordEvent(cm.data, mysqlop_event_Normal, "Echoed", "copied the echo annotation to data");
    echoes_.add(1, {req.namespaceName});
    ++count_;
    return mysqlop::Outcome::done();
  }

 private:
  static mysqlop_type_status serveCount(void* self, mysqlop_call_host_ptr call,
                                        const mysqlop_type_http_request* request,
                                        mysqlop_http_response_host_ptr response) {
    (void)call;
    (void)request;
    auto* me = static_cast<EchoReconciler*>(self);
    const std::string body = std::to_string(me->count_.load()) + "\n";
    me->host().table()->http_respond(response, 200, mysqlop::lit("text/plain"),
                                     mysqlop::toStr(body));
    return mysqlop_status_Ok;
  }

  mysqlop::Metric echoes_;
  std::atomic<long> count_{0};
};

}  // namespace

MYSQLOP_EXPORT_PLUGIN(EchoReconciler, "example-echo", mysqlop_plugin_kind_Reconciler)
