#include "plugins/orchestrator/src/routes.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "plugins/orchestrator/src/web/page.h"

namespace mysqlop::orchestrator {

using nlohmann::json;

namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// application/x-www-form-urlencoded: '+' is a space, %XX a byte (a bad escape stays as it is).
std::string urlDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hexDigit(s[i + 1]) >= 0 &&
               hexDigit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexDigit(s[i + 1]) * 16 + hexDigit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

json timeOrNull(UnixMs t) { return t ? json(formatUnixMs(t)) : json(nullptr); }

}  // namespace

std::string parseRouteQuery(std::string_view raw, bool allowLimit, RouteQuery* out) {
  std::set<std::string> seen;
  while (!raw.empty()) {
    const std::size_t amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    const std::size_t eq = pair.find('=');
    const std::string name = urlDecode(pair.substr(0, eq));
    const std::string value =
        eq == std::string_view::npos ? std::string() : urlDecode(pair.substr(eq + 1));
    if (name != "cluster" && !(allowLimit && name == "limit")) {
      return "unknown query parameter \"" + name +
             "\" (known: " + (allowLimit ? "cluster, limit" : "cluster") + ")";
    }
    if (!seen.insert(name).second) {
      return "query parameter \"" + name + "\" is given twice";
    }
    if (name == "cluster") {
      const std::size_t slash = value.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == value.size() ||
          value.find('/', slash + 1) != std::string::npos) {
        return "cluster must be <namespace>/<name>";
      }
      out->cluster = value;
    } else {
      int n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n < 1 ||
          n > kMaxRecoveryLimit) {
        return "limit must be an integer from 1 to " + std::to_string(kMaxRecoveryLimit);
      }
      out->limit = n;
    }
  }
  return {};
}

json recoveryJson(const Recovery& r) {
  json steps = json::array();
  for (const RecoveryStep& s : r.steps) {
    steps.push_back({{"name", s.name},
                     {"startedAt", timeOrNull(s.startedAt)},
                     {"endedAt", timeOrNull(s.endedAt)},
                     {"result", s.result},
                     {"message", s.message}});
  }
  // One id for the user: a recovery's id in its cluster (PendingFailoverAck, RecoveryAcked, the
  // ack route) when it has one; the store's own row id stays as auditId.
  return {{"id", r.clusterId > 0 ? r.clusterId : r.id},
          {"auditId", r.id},
          {"uid", r.uid},
          {"cluster", r.cluster},
          {"analysis", r.analysis},
          {"failedHost", r.failedHost},
          {"successorHost", r.successorHost},
          {"lostReplicas", r.lostReplicas},
          {"detectedAt", timeOrNull(r.detectedAt)},
          {"startedAt", timeOrNull(r.startedAt)},
          {"endedAt", timeOrNull(r.endedAt)},
          {"result", r.result},
          {"message", r.message},
          {"acknowledged", r.acknowledged},
          {"acknowledgedAt", timeOrNull(r.acknowledgedAt)},
          {"acknowledgedBy", r.acknowledgedBy},
          {"ackComment", r.ackComment},
          {"steps", std::move(steps)}};
}

json detectionJson(const Detection& d) {
  return {{"id", d.id},
          {"cluster", d.cluster},
          {"analysis", d.analysis},
          {"failedHost", d.failedHost},
          {"description", d.description},
          {"at", timeOrNull(d.at)},
          {"recoveryId", d.recoveryId > 0 ? json(d.recoveryId) : json(nullptr)}};
}

json topologyJson(const std::vector<std::shared_ptr<const ClusterSnapshot>>& clusters,
                  const std::string& cluster) {
  std::vector<std::shared_ptr<const ClusterSnapshot>> sorted;
  for (const auto& c : clusters) {
    if (c && (cluster.empty() || c->key() == cluster)) {
      sorted.push_back(c);
    }
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::tie(a->ns, a->name) < std::tie(b->ns, b->name);
  });
  json out = json::array();
  for (const auto& c : sorted) {
    out.push_back(toJson(*c));
  }
  return {{"clusters", std::move(out)}};
}

Routes::Routes(const mysqlop::Host& host, SnapshotSource snapshots, const AuditStore* store)
    : host_(host), snapshots_(std::move(snapshots)), store_(store) {}

void Routes::registerAll() {
  host_.registerRoute("GET", "/", &Routes::page, this);
  host_.registerRoute("GET", "/api/topology", &Routes::topology, this);
  host_.registerRoute("GET", "/api/recoveries", &Routes::recoveries, this);
  host_.registerRoute("GET", "/api/detections", &Routes::detections, this);
}

void Routes::respond(mysqlop_http_response_host_ptr response, int code, std::string_view type,
                     const std::string& body) const {
  host_.table()->http_respond(response, static_cast<std::uint16_t>(code), mysqlop::toStr(type),
                              mysqlop::toStr(body));
}

mysqlop_type_status Routes::page(void* self, mysqlop_call_host_ptr,
                                 const mysqlop_type_http_request*,
                                 mysqlop_http_response_host_ptr response) {
  static_cast<Routes*>(self)->respond(response, 200, "text/html; charset=utf-8",
                                      std::string(web::indexPage()));
  return mysqlop_status_Ok;
}

mysqlop_type_status Routes::topology(void* self, mysqlop_call_host_ptr,
                                     const mysqlop_type_http_request* request,
                                     mysqlop_http_response_host_ptr response) {
  auto* me = static_cast<Routes*>(self);
  RouteQuery q;
  if (std::string bad = parseRouteQuery(mysqlop::toView(request->query), false, &q); !bad.empty()) {
    me->respond(response, 400, "text/plain; charset=utf-8", bad + "\n");
    return mysqlop_status_Ok;
  }
  me->respond(response, 200, "application/json", topologyJson(me->snapshots_(), q.cluster).dump());
  return mysqlop_status_Ok;
}

mysqlop_type_status Routes::recoveries(void* self, mysqlop_call_host_ptr,
                                       const mysqlop_type_http_request* request,
                                       mysqlop_http_response_host_ptr response) {
  auto* me = static_cast<Routes*>(self);
  RouteQuery q;
  if (std::string bad = parseRouteQuery(mysqlop::toView(request->query), true, &q); !bad.empty()) {
    me->respond(response, 400, "text/plain; charset=utf-8", bad + "\n");
    return mysqlop_status_Ok;
  }
  if (!me->store_) {
    me->respond(response, 503, "text/plain; charset=utf-8", "the audit store is not open\n");
    return mysqlop_status_Ok;
  }
  auto read = me->store_->recentRecoveries({q.cluster, q.limit});
  if (!read.ok()) {
    me->respond(response, 500, "text/plain; charset=utf-8", read.error + "\n");
    return mysqlop_status_Ok;
  }
  json list = json::array();
  for (const Recovery& r : read.value) {
    list.push_back(recoveryJson(r));
  }
  me->respond(response, 200, "application/json", json{{"recoveries", std::move(list)}}.dump());
  return mysqlop_status_Ok;
}

// Detections newest first (README "Audit and routes"): what the engine saw and did not recover.
mysqlop_type_status Routes::detections(void* self, mysqlop_call_host_ptr,
                                       const mysqlop_type_http_request* request,
                                       mysqlop_http_response_host_ptr response) {
  auto* me = static_cast<Routes*>(self);
  RouteQuery q;
  if (std::string bad = parseRouteQuery(mysqlop::toView(request->query), true, &q); !bad.empty()) {
    me->respond(response, 400, "text/plain; charset=utf-8", bad + "\n");
    return mysqlop_status_Ok;
  }
  if (!me->store_) {
    me->respond(response, 503, "text/plain; charset=utf-8", "the audit store is not open\n");
    return mysqlop_status_Ok;
  }
  auto read = me->store_->recentDetections(q.cluster, q.limit);
  if (!read.ok()) {
    me->respond(response, 500, "text/plain; charset=utf-8", read.error + "\n");
    return mysqlop_status_Ok;
  }
  json list = json::array();
  for (const Detection& d : read.value) {
    list.push_back(detectionJson(d));
  }
  me->respond(response, 200, "application/json", json{{"detections", std::move(list)}}.dump());
  return mysqlop_status_Ok;
}

}  // namespace mysqlop::orchestrator
