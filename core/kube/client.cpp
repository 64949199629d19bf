#include "core/kube/client.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/kube/status.h"
#include "core/metrics/registry.h"

namespace mysqlop::kube {

using nlohmann::json;

namespace {

const std::vector<double>& latencyBuckets() {
  // client-go's rest_client_request_duration_seconds buckets.
  static const std::vector<double> kBuckets = {0.005, 0.025, 0.1, 0.25, 0.5,  1.0,
                                               2.0,   4.0,   8.0, 15.0, 30.0, 60.0};
  return kBuckets;
}

std::string contentTypeOf(PatchType t) {
  switch (t) {
    case PatchType::Merge: return "application/merge-patch+json";
    case PatchType::Json: return "application/json-patch+json";
    case PatchType::Strategic: return "application/strategic-merge-patch+json";
    case PatchType::Apply: return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

void addParam(std::string& query, const char* name, const std::string& value) {
  if (value.empty()) {
    return;
  }
  query += query.empty() ? "?" : "&";
  query += name;
  query += "=";
  query += urlEncode(value);
}

std::string metaString(const json& obj, const char* field) {
  const auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) {
    return {};
  }
  const auto f = m->find(field);
  return f != m->end() && f->is_string() ? f->get<std::string>() : std::string();
}

}  // namespace

std::string urlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<bool> WatchStream::next(WatchEvent* event) {
  for (;;) {
    std::string line;
    auto r = stream_->readLine(&line);
    if (!r.ok()) {
      return r.error();
    }
    if (!*r) {
      return false;
    }
    if (line.empty() || line == "\r") {
      continue;
    }
    json j = json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
      return fail(Errc::Internal, "the watch stream sent an undecodable event: " +
                                      line.substr(0, std::min<std::size_t>(line.size(), 120)));
    }
    event->type = j["type"].get<std::string>();
    auto obj = j.find("object");
    event->object = std::make_shared<json>(obj != j.end() ? std::move(*obj) : json::object());
    return true;
  }
}

Client::Client(std::shared_ptr<Transport> transport, metrics::Registry* registry)
    : transport_(std::move(transport)) {
  if (registry) {
    requests_ = &registry->counter("mysqlop_rest_client_requests_total",
                                   "Requests to the Kubernetes API server, by verb and HTTP code "
                                   "(\"<error>\" when no answer arrived).",
                                   {"verb", "code"});
    latency_ = &registry->histogram("mysqlop_rest_client_request_duration_seconds",
                                    "Latency of requests to the Kubernetes API server, by verb.",
                                    {"verb"}, latencyBuckets());
  }
}

Client::~Client() = default;

std::string Client::collectionPath(const Resource& r, const std::string& ns) {
  std::string p = r.basePath();
  if (r.namespaced && !ns.empty()) {
    p += "/namespaces/" + urlEncode(ns);
  }
  return p + "/" + r.plural;
}

std::string Client::itemPath(const Resource& r, const std::string& ns, const std::string& name,
                             const std::string& subresource) {
  std::string p = collectionPath(r, ns) + "/" + urlEncode(name);
  if (!subresource.empty()) {
    p += "/" + subresource;
  }
  return p;
}

Result<HttpResponse> Client::call(const char* verb, HttpRequest request) {
  const auto start = std::chrono::steady_clock::now();
  auto r = transport_->send(request);
  if (latency_) {
    latency_->observe(
        {verb}, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (requests_) {
    requests_->add({verb, r.ok() ? std::to_string(r->status) : std::string("<error>")}, 1);
  }
  if (!r.ok()) {
    return r.error();
  }
  if (r->status < 200 || r->status >= 300) {
    const ApiError e = parseApiError(r->status, r->body);
    spdlog::debug("{} {}: HTTP {} {}: {}", request.method, request.target, r->status, e.reason,
                  e.message);
    return e.toFailure();
  }
  return r;
}

Result<json> Client::callJson(const char* verb, HttpRequest request) {
  const std::string target = request.method + " " + request.target;
  auto r = call(verb, std::move(request));
  if (!r.ok()) {
    return r.error();
  }
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded()) {
    return fail(Errc::Internal, target + ": the server answered with a body that is not JSON");
  }
  return j;
}

Result<json> Client::get(const Resource& r, const std::string& ns, const std::string& name,
                         const std::string& subresource) {
  return callJson(
      "get", HttpRequest{"GET", itemPath(r, ns, name, subresource), "", "", "application/json"});
}

Result<ListMeta> Client::listPage(const Resource& r, const std::string& ns,
                                  const ListOptions& options,
                                  const std::function<void(json&&)>& onItem) {
  std::string query;
  addParam(query, "labelSelector", options.labelSelector);
  addParam(query, "fieldSelector", options.fieldSelector);
  addParam(query, "resourceVersion", options.resourceVersion);
  addParam(query, "resourceVersionMatch", options.resourceVersionMatch);
  if (options.limit > 0) {
    addParam(query, "limit", std::to_string(options.limit));
  }
  addParam(query, "continue", options.continueToken);
  HttpRequest req{"GET", collectionPath(r, ns) + query, "", "", "application/json"};
  req.timeout = std::chrono::seconds(60);
  auto resp = call("list", req);
  if (!resp.ok()) {
    return resp.error();
  }
  std::string topKey;
  bool sawItems = false;
  json doc = json::parse(
      resp->body,
      [&](int depth, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::key && depth == 1) {
          topKey = parsed.get<std::string>();
          sawItems = sawItems || topKey == "items";
        } else if (event == json::parse_event_t::object_end && depth == 2 && topKey == "items") {
          onItem(std::move(parsed));
          return false;  // handed over: keep it out of the document
        }
        return true;
      },
      false);
  if (!doc.is_object()) {
    return fail(Errc::Internal,
                "GET " + req.target + ": the server answered with a body that is not a list");
  }
  if (!sawItems && !doc.contains("items")) {
    return fail(Errc::Internal, "GET " + req.target + ": the answer has no items");
  }
  ListMeta meta;
  if (auto m = doc.find("metadata"); m != doc.end() && m->is_object()) {
    meta.resourceVersion = m->value("resourceVersion", "");
    meta.continueToken = m->value("continue", "");
  }
  return meta;
}

Result<ListMeta> Client::listAll(const Resource& r, const std::string& ns, ListOptions options,
                                 const std::function<void(json&&)>& onItem,
                                 const std::function<void()>& onRestart) {
  if (options.limit == 0 && options.resourceVersion.empty()) {
    options.limit = 500;
  }
  for (;;) {
    auto page = listPage(r, ns, options, onItem);
    if (!page.ok()) {
      if (page.is(Errc::Gone) && !options.continueToken.empty()) {
        // The continue token expired: list everything at once, as client-go's pager does.
        if (onRestart) {
          onRestart();
        }
        options.continueToken.clear();
        options.limit = 0;
        continue;
      }
      return page.error();
    }
    if (page->continueToken.empty()) {
      return page;
    }
    options.continueToken = page->continueToken;
    options.resourceVersion.clear();  // the token carries it
    options.resourceVersionMatch.clear();
  }
}

Result<std::vector<json>> Client::list(const Resource& r, const std::string& ns,
                                       const ListOptions& options) {
  std::vector<json> out;
  auto meta = listAll(
      r, ns, options, [&](json&& item) { out.push_back(std::move(item)); }, [&] { out.clear(); });
  if (!meta.ok()) {
    return meta.error();
  }
  return out;
}

Result<json> Client::create(const Resource& r, const json& object) {
  if (!object.is_object()) {
    return fail(Errc::Invalid, "creating a " + r.kind + ": the object must be a JSON object");
  }
  const std::string ns = metaString(object, "namespace");
  if (r.namespaced && ns.empty()) {
    return fail(Errc::Invalid, "creating " + r.kind + " \"" + metaString(object, "name") +
                                   "\": metadata.namespace is required");
  }
  return callJson("create", HttpRequest{"POST", collectionPath(r, ns), object.dump(),
                                        "application/json", "application/json"});
}

Result<json> Client::update(const Resource& r, const json& object, const std::string& subresource) {
  if (!object.is_object()) {
    return fail(Errc::Invalid, "updating a " + r.kind + ": the object must be a JSON object");
  }
  const std::string ns = metaString(object, "namespace");
  const std::string name = metaString(object, "name");
  if (name.empty()) {
    return fail(Errc::Invalid, "updating a " + r.kind + ": metadata.name is required");
  }
  if (r.namespaced && ns.empty()) {
    return fail(Errc::Invalid,
                "updating " + r.kind + " \"" + name + "\": metadata.namespace is required");
  }
  return callJson("update", HttpRequest{"PUT", itemPath(r, ns, name, subresource), object.dump(),
                                        "application/json", "application/json"});
}

Result<json> Client::updateStatus(const Resource& r, const json& object) {
  return update(r, object, "status");
}

Result<json> Client::patch(const Resource& r, const std::string& ns, const std::string& name,
                           PatchType type, const std::string& body, const PatchOptions& options) {
  std::string query;
  if (type == PatchType::Apply) {
    if (options.fieldManager.empty()) {
      return fail(Errc::Invalid,
                  "server-side apply of " + r.kind + " \"" + name + "\" needs a field manager");
    }
    addParam(query, "fieldManager", options.fieldManager);
    if (options.force) {
      addParam(query, "force", "true");
    }
  } else {
    if (options.force) {
      return fail(Errc::Invalid, "force is only allowed for server-side apply");
    }
    addParam(query, "fieldManager", options.fieldManager);
  }
  return callJson("patch", HttpRequest{"PATCH", itemPath(r, ns, name, options.subresource) + query,
                                       body, contentTypeOf(type), "application/json"});
}

Result<void> Client::remove(const Resource& r, const std::string& ns, const std::string& name,
                            const DeleteOptions& options) {
  json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  const std::string policy =
      options.propagationPolicy.empty() ? "Background" : options.propagationPolicy;
  if (policy != "Background" && policy != "Foreground" && policy != "Orphan") {
    return fail(
        Errc::Invalid,
        "propagationPolicy must be Background, Foreground or Orphan, got \"" + policy + "\"");
  }
  // Always explicit: the server's default for batch/v1 Jobs is Orphan, which leaves their pods.
  body["propagationPolicy"] = policy;
  if (options.preconditionUid || options.preconditionResourceVersion) {
    json pre = json::object();
    if (options.preconditionUid) {
      pre["uid"] = *options.preconditionUid;
    }
    if (options.preconditionResourceVersion) {
      pre["resourceVersion"] = *options.preconditionResourceVersion;
    }
    body["preconditions"] = pre;
  }
  if (options.gracePeriodSeconds) {
    body["gracePeriodSeconds"] = *options.gracePeriodSeconds;
  }
  auto resp = call("delete", HttpRequest{"DELETE", itemPath(r, ns, name), body.dump(),
                                         "application/json", "application/json"});
  if (!resp.ok()) {
    return resp.error();
  }
  return {};
}

Result<std::unique_ptr<WatchStream>> Client::watch(const Resource& r, const std::string& ns,
                                                   const WatchOptions& options) {
  std::string query = "?watch=true";
  if (options.allowBookmarks) {
    query += "&allowWatchBookmarks=true";
  }
  addParam(query, "labelSelector", options.labelSelector);
  addParam(query, "fieldSelector", options.fieldSelector);
  addParam(query, "resourceVersion", options.resourceVersion);
  if (options.timeoutSeconds > 0) {
    addParam(query, "timeoutSeconds", std::to_string(options.timeoutSeconds));
  }
  HttpRequest req{"GET", collectionPath(r, ns) + query, "", "", "application/json"};
  // The server ends the stream after timeoutSeconds; a read that waits longer than that (plus a
  // margin for bookmarks that never come) means the connection is dead.
  req.timeout =
      std::chrono::seconds(options.timeoutSeconds > 0 ? options.timeoutSeconds + 60 : 3600);
  HttpResponse head;
  const auto start = std::chrono::steady_clock::now();
  auto s = transport_->stream(req, &head);
  if (latency_) {
    latency_->observe(
        {"watch"}, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (requests_) {
    requests_->add({"watch", s.ok() ? std::to_string(head.status) : std::string("<error>")}, 1);
  }
  if (!s.ok()) {
    return s.error();
  }
  if (!*s) {
    return parseApiError(head.status, head.body).toFailure();
  }
  return std::make_unique<WatchStream>(std::move(s).value());
}

Result<json> retryOnConflict(const std::function<Result<json>()>& f, int attempts) {
  for (int i = 1;; ++i) {
    auto r = f();
    if (r.ok() || !r.is(Errc::Conflict) || i >= attempts) {
      return r;
    }
  }
}

}  // namespace mysqlop::kube
