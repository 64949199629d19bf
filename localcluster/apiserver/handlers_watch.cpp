#include <chrono>

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/query_params.h"
#include "localcluster/apiserver/request_selectors.h"
#include "localcluster/apiserver/table.h"

namespace mysqlop::local {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::string eventLine(const char* type, const std::string& objectJson) {
  std::string s = "{\"type\":\"";
  s += type;
  s += "\",\"object\":";
  s += objectJson;
  s += "}\n";
  return s;
}

std::string errorLine(const ApiError& e) { return eventLine("ERROR", e.status().dump()); }

// Counts open watches for the admin status and a clean shutdown.
struct WatchCount {
  explicit WatchCount(std::atomic<int>& n) : n_(n) { ++n_; }
  ~WatchCount() { --n_; }
  std::atomic<int>& n_;
};

}  // namespace

void ApiServer::watchObjects(const Target& t, const ApiRequest& req, WatchStream& stream) {
  const ResourceType& rt = *t.rt;
  const RequestSelectors selectors = parseRequestSelectors(req, rt);
  const bool bookmarks = queryFlag(req, "allowWatchBookmarks");
  const std::optional<bool> sendInitialEvents = queryBool(req, "sendInitialEvents");
  const bool initialEvents = sendInitialEvents.value_or(false);
  if (initialEvents && req.param("resourceVersionMatch") != "NotOlderThan") {
    raise(errInvalid("ListOptions", "meta.k8s.io", "",
                     {fieldForbidden("resourceVersionMatch",
                                     "sendInitialEvents requires setting resourceVersionMatch to "
                                     "NotOlderThan")}));
  }
  if (sendInitialEvents.has_value() && !initialEvents &&
      !req.param("resourceVersionMatch").empty()) {
    raise(
        errBadRequest("resourceVersionMatch is forbidden for watch unless sendInitialEvents "
                      "is provided"));
  }
  int timeout = options_.maxWatchSeconds;
  if (auto seconds = queryInt64(req, "timeoutSeconds")) {
    timeout = static_cast<int>(std::min<int64_t>(timeout, std::max<int64_t>(0, *seconds)));
  }
  std::string rvText = req.param("resourceVersion");
  std::uint64_t cursor = 0;
  std::vector<ObjPtr> initial;
  bool synthetic = rvText.empty() || rvText == "0" || initialEvents;
  if (!synthetic) {
    if (rvText.find_first_not_of("0123456789") != std::string::npos || rvText.size() > 19) {
      raise(errBadRequest("invalid resource version: " + rvText));
    }
    cursor = std::stoull(rvText);
    std::uint64_t current = store_.currentRv();
    if (cursor > current) {
      raise(errTooLargeResourceVersion(cursor, current));
    }
  }
  auto matches = [&](const json& o) {
    if (!t.ns.empty() && o["metadata"].value("namespace", "") != t.ns) {
      return false;
    }
    return selectors.matches(o);
  };
  WatchCount counted(openWatches_);
  if (!stream.begin(200)) {
    return;
  }
  if (faults_.takeWatchExpiry()) {
    stream.send(errorLine(errExpired("too old resource version: " + std::to_string(cursor) + " (" +
                                     std::to_string(store_.currentRv()) + ")")));
    return;
  }
  const std::string kindHeader =
      "{\"apiVersion\":" + json(rt.apiVersion()).dump() + ",\"kind\":" + json(rt.kind).dump();
  auto bookmark = [&](bool initialEnd) {
    std::string obj = kindHeader + ",\"metadata\":{";
    if (initialEnd) {
      obj += "\"annotations\":{\"k8s.io/initial-events-end\":\"true\"},";
    }
    obj += "\"resourceVersion\":\"" + std::to_string(cursor) + "\"}}";
    return stream.send(eventLine("BOOKMARK", obj));
  };
  const bool table = wantsTable(req.accept);
  bool columnsSent = false;
  auto serve = [&](const ObjPtr& o) {
    if (table) {
      json tbl = makeTable(rt, {&o->json}, json(), !columnsSent);
      columnsSent = true;
      return tbl.dump();
    }
    if (rt.custom && o->json.value("apiVersion", "") != rt.apiVersion()) {
      return asServed(o->json, rt).dump();
    }
    return o->data;
  };
  if (synthetic) {
    auto snap = store_.list(rt.storageKey(), t.ns);
    cursor = snap.rv;
    for (const auto& o : snap.items) {
      if (matches(o->json) && !stream.send(eventLine("ADDED", serve(o)))) {
        return;
      }
    }
    if (initialEvents && !bookmark(true)) {
      return;
    }
  }
  const auto deadline = Clock::now() + std::chrono::seconds(timeout);
  const auto bookmarkEvery = std::chrono::seconds(std::max(1, options_.bookmarkIntervalSeconds));
  auto nextBookmark = Clock::now() + bookmarkEvery;
  const std::uint64_t closeGen = closeWatchesGen_.load();
  std::uint64_t seenBookmarkGen = bookmarkGen_.load();
  // Woken by changes of this resource only (and by wakeAll: bookmarks, shutdown, close).
  const std::shared_ptr<Subscription> sub = store_.subscribe(rt.storageKey());
  stream.setWaker([sub] { sub->notify(); });
  while (true) {
    bool tooOld = false;
    std::uint64_t seenUpTo = cursor;
    auto events = store_.eventsAfter(rt.storageKey(), cursor, 512, &tooOld, &seenUpTo);
    if (tooOld) {
      stream.send(errorLine(errExpired("too old resource version: " + std::to_string(cursor) +
                                       " (" + std::to_string(store_.floor()) + ")")));
      return;
    }
    for (const auto& ev : events) {
      cursor = ev->rv;
      if (!t.ns.empty() && ev->ns != t.ns) {
        continue;
      }
      bool nowMatch = ev->type != EventType::Deleted && matches(ev->object->json);
      bool wasMatch = ev->previous && matches(ev->previous->json);
      std::string line;
      if (ev->type == EventType::Deleted) {
        if (wasMatch) {
          line = eventLine("DELETED", serve(ev->object));
        }
      } else if (nowMatch && wasMatch) {
        line = eventLine("MODIFIED", serve(ev->object));
      } else if (nowMatch) {
        line = eventLine("ADDED", serve(ev->object));
      } else if (wasMatch) {
        // Left the selection: DELETED with the previous state at this revision.
        auto gone = std::make_shared<StoredObject>();
        gone->json = asServed(ev->previous->json, rt);
        gone->json["metadata"]["resourceVersion"] = std::to_string(ev->rv);
        gone->data = gone->json.dump();
        line = eventLine("DELETED", serve(gone));
      }
      if (!line.empty() && !stream.send(line)) {
        return;
      }
    }
    // Nothing of this resource happened between its last event and seenUpTo: bookmarks may say so.
    cursor = std::max(cursor, seenUpTo);
    if (!events.empty() && events.size() == 512) {
      continue;  // more to drain before waiting
    }
    if (stopping_.load() || closeWatchesGen_.load() != closeGen) {
      return;
    }
    auto now = Clock::now();
    std::uint64_t bg = bookmarkGen_.load();
    if (bookmarks && (now >= nextBookmark || bg != seenBookmarkGen)) {
      if (!bookmark(false)) {
        return;
      }
      nextBookmark = now + bookmarkEvery;
    }
    seenBookmarkGen = bg;
    if (now >= deadline) {
      if (bookmarks) {
        bookmark(false);
      }
      return;
    }
    if (stream.clientGone()) {
      return;
    }
    auto wait = std::min({std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                          std::chrono::duration_cast<std::chrono::milliseconds>(nextBookmark - now),
                          std::chrono::milliseconds(1000)});
    if (wait.count() < 1) {
      wait = std::chrono::milliseconds(1);
    }
    sub->wait(wait);
  }
}

}  // namespace mysqlop::local
