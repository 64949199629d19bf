#include "core/kube/event_recorder.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/kube/client.h"
#include "core/kube/json_fields.h"
#include "core/kube/resource.h"
#include "core/metrics/registry.h"

namespace mysqlop::kube {

using nlohmann::json;

namespace {

std::string hostName() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) {
    return "unknown";
  }
  return host;
}

}  // namespace

std::string truncateUtf8(const std::string& text, std::size_t max) {
  if (text.size() <= max) {
    return text;
  }
  std::size_t cut = max;
  // Step back over continuation bytes (10xxxxxx) so that no sequence is split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return text.substr(0, cut);
}

std::string formatTime(std::chrono::system_clock::time_point t) {
  const std::time_t secs =
      std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

EventRecorder::EventRecorder(Client& client, Options options, metrics::Registry* registry)
    : EventRecorder(client, std::move(options), registry, Clocks{}) {}

EventRecorder::EventRecorder(Client& client, Options options, metrics::Registry* registry,
                             Clocks clocks)
    : client_(client), options_(std::move(options)), clocks_(std::move(clocks)) {
  if (options_.host.empty()) {
    options_.host = hostName();
  }
  if (registry) {
    events_ = &registry->counter("mysqlop_events_total",
                                 "Kubernetes Events recorded, by type and outcome (created, "
                                 "counted, dropped, failed).",
                                 {"type", "outcome"});
  }
}

void EventRecorder::count(const char* type, const char* outcome) {
  if (events_) {
    events_->add({type, outcome}, 1);
  }
}

bool EventRecorder::allowSpam(const std::string& key, SteadyClock::time_point now) {
  auto [it, inserted] =
      spam_.try_emplace(key, Bucket{static_cast<double>(options_.spamBurst), now});
  Bucket& b = it->second;
  const double refillPerSecond = 1.0 / static_cast<double>(options_.spamRefill.count());
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens =
      std::min(static_cast<double>(options_.spamBurst), b.tokens + elapsed * refillPerSecond);
  b.last = now;
  if (b.tokens < 1.0) {
    return false;
  }
  b.tokens -= 1.0;
  return true;
}

Result<void> EventRecorder::record(const std::string& objectJson, const std::string& type,
                                   const std::string& reason, const std::string& message) {
  const json obj = json::parse(objectJson, nullptr, false);
  if (!obj.is_object()) {
    return fail(Errc::Invalid, "recording an Event: the object is not a JSON object");
  }
  return record(obj, type, reason, message);
}

Result<void> EventRecorder::record(const json& object, const std::string& type,
                                   const std::string& reason, const std::string& message) {
  if (type != "Normal" && type != "Warning") {
    return fail(Errc::Invalid, "Event type must be Normal or Warning, got \"" + type + "\"");
  }
  if (reason.empty()) {
    return fail(Errc::Invalid, "an Event needs a reason");
  }
  const auto metaIt = object.find("metadata");
  const json meta = metaIt != object.end() && metaIt->is_object() ? *metaIt : json::object();
  json involved = {{"apiVersion", stringField(object, "apiVersion")},
                   {"kind", stringField(object, "kind")},
                   {"name", stringField(meta, "name")}};
  if (involved["kind"].get<std::string>().empty() ||
      involved["apiVersion"].get<std::string>().empty() ||
      involved["name"].get<std::string>().empty()) {
    return fail(Errc::Invalid, "an Event needs an object with apiVersion, kind and metadata.name");
  }
  const std::string objNs = stringField(meta, "namespace");
  for (const char* k : {"namespace", "uid", "resourceVersion"}) {
    if (const std::string v = stringField(meta, k); !v.empty()) {
      involved[k] = v;
    }
  }
  const std::string ns = objNs.empty() ? "default" : objNs;
  std::string text = truncateUtf8(message, options_.maxMessageBytes);

  const std::string objectKey =
      options_.component + "\x1f" + options_.host + "\x1f" + involved["kind"].get<std::string>() +
      "\x1f" + ns + "\x1f" + involved["name"].get<std::string>() + "\x1f" +
      stringField(meta, "uid") + "\x1f" + involved["apiVersion"].get<std::string>();
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = clocks_.now();
  const auto wallNow = clocks_.wallNow();
  // The spam filter counts per object and reason (client-go: per object), so that a warning that
  // repeats at every pass cannot silence another reason's Event on the same object, such as a
  // failover's or a switchover's.
  if (!allowSpam(objectKey + "\x1f" + reason, now)) {
    count(type.c_str(), "dropped");
    spdlog::debug("Event {} {} on {}/{} dropped by the spam filter", type, reason, ns,
                  involved["name"].get<std::string>());
    return {};
  }
  // Aggregation of similar events (same object, type and reason, different messages).
  const std::string aggregateKey = objectKey + "\x1f" + type + "\x1f" + reason;
  std::string key = aggregateKey + "\x1f" + text;
  {
    Aggregate& agg = aggregates_[aggregateKey];
    if (agg.messages.empty() || now - agg.last > options_.aggregateInterval) {
      agg.messages.clear();
    }
    agg.last = now;
    agg.messages.insert(text);
    if (static_cast<int>(agg.messages.size()) >= options_.aggregateMaxEvents) {
      agg.messages.erase(agg.messages.begin());  // never grow past the limit
      text = truncateUtf8("(combined from similar events): " + text, options_.maxMessageBytes);
      key = aggregateKey;
    }
  }
  const std::string stamp = formatTime(wallNow);
  auto found = observed_.find(key);
  if (found != observed_.end() && now - found->second.first.lastSeen > options_.repeatWindow) {
    lru_.erase(found->second.second);
    observed_.erase(found);
    found = observed_.end();
  }
  Observed entry;
  if (found != observed_.end()) {
    entry = found->second.first;
    entry.count += 1;
  } else {
    const auto nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(wallNow.time_since_epoch()).count();
    char hex[32];
    std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(nanos));
    entry.name = involved["name"].get<std::string>() + "." + hex;
    entry.namespaceName = ns;
    entry.count = 1;
    entry.firstTimestamp = stamp;
  }
  entry.lastSeen = now;

  auto createEvent = [&]() -> Result<void> {
    json ev = {{"apiVersion", "v1"},
               {"kind", "Event"},
               {"metadata", {{"name", entry.name}, {"namespace", entry.namespaceName}}},
               {"involvedObject", involved},
               {"reason", reason},
               {"message", text},
               {"type", type},
               {"source", {{"component", options_.component}, {"host", options_.host}}},
               {"firstTimestamp", entry.firstTimestamp},
               {"lastTimestamp", stamp},
               {"count", entry.count},
               {"reportingComponent", options_.component},
               {"reportingInstance", options_.host}};
    auto r = client_.create(resources::kEvents, ev);
    if (!r.ok() && !r.is(Errc::AlreadyExists)) {
      return r.error();
    }
    return {};
  };

  Result<void> result;
  const char* outcome = "created";
  if (entry.count > 1) {
    const json patch = {{"count", entry.count}, {"lastTimestamp", stamp}, {"message", text}};
    auto r = client_.patch(resources::kEvents, entry.namespaceName, entry.name,
                           PatchType::Strategic, patch.dump());
    outcome = "counted";
    if (r.is(Errc::NotFound)) {
      result = createEvent();  // deleted meanwhile (TTL): write it again with the count so far
      outcome = "created";
    } else if (!r.ok()) {
      result = r.error();
    }
  } else {
    result = createEvent();
  }
  if (!result.ok()) {
    count(type.c_str(), "failed");
    return fail(result.code(),
                "recording Event " + reason + " on " + involved["kind"].get<std::string>() + " " +
                    ns + "/" + involved["name"].get<std::string>() + ": " + result.error().message);
  }
  count(type.c_str(), outcome);
  // Remember it (LRU).
  if (found != observed_.end()) {
    lru_.erase(found->second.second);
    observed_.erase(found);
  }
  lru_.push_front(key);
  observed_.emplace(key, std::make_pair(entry, lru_.begin()));
  while (observed_.size() > options_.cacheSize) {
    observed_.erase(lru_.back());
    lru_.pop_back();
  }
  return {};
}

}  // namespace mysqlop::kube
