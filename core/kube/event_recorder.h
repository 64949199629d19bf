#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <unordered_map>

#include "core/common/result.h"

namespace mysqlop::metrics {
class Family;
class Registry;
}  // namespace mysqlop::metrics

namespace mysqlop::kube {

class Client;

// Writes core/v1 Events the way client-go's record package does (kube-api.md 8.1):
//  - name <object>.<unix nanos in hex>, namespace of the object ("default" when cluster-scoped),
//    source component "mysql-operator", message cut to 1 KiB;
//  - a repeat of the same (object, type, reason, message) within the window PATCHes the existing
//    Event's count and lastTimestamp (and re-creates it if it was deleted meanwhile);
//  - the 10th distinct message for one (object, type, reason) within 10 minutes and later ones
//    become one Event "(combined from similar events): <message>" that is counted instead;
//  - a spam filter per object and reason: 25 Events, then one per 5 minutes (client-go keys it
//    per object only; per reason, a repeating warning cannot silence a failover's Event);
//  - AlreadyExists on create is dropped silently.
// Writes are synchronous so that a caller sees failures. Thread-safe.
class EventRecorder {
 public:
  struct Options {
    std::string component = "mysql-operator";
    std::string host;  // source.host and reportingInstance; "" = this host's name
    std::chrono::seconds repeatWindow{600};
    std::size_t cacheSize = 4096;
    int aggregateMaxEvents = 10;
    std::chrono::seconds aggregateInterval{600};
    int spamBurst = 25;
    std::chrono::seconds spamRefill{300};
    std::size_t maxMessageBytes = 1024;
  };
  using SteadyClock = std::chrono::steady_clock;
  using WallClock = std::chrono::system_clock;
  struct Clocks {
    std::function<SteadyClock::time_point()> now = SteadyClock::now;
    std::function<WallClock::time_point()> wallNow = WallClock::now;
  };

  EventRecorder(Client& client, Options options, metrics::Registry* registry = nullptr);
  EventRecorder(Client& client, Options options, metrics::Registry* registry, Clocks clocks);

  // type is "Normal" or "Warning". The object needs apiVersion, kind and metadata.name.
  Result<void> record(const nlohmann::json& object, const std::string& type,
                      const std::string& reason, const std::string& message);
  Result<void> record(const std::string& objectJson, const std::string& type,
                      const std::string& reason, const std::string& message);

 private:
  struct Observed {
    std::string name;
    std::string namespaceName;
    int count = 0;
    std::string firstTimestamp;
    SteadyClock::time_point lastSeen;
  };
  struct Aggregate {
    std::set<std::string> messages;
    SteadyClock::time_point last;
  };
  struct Bucket {
    double tokens;
    SteadyClock::time_point last;
  };

  bool allowSpam(const std::string& key, SteadyClock::time_point now);
  void count(const char* type, const char* outcome);

  Client& client_;
  Options options_;
  Clocks clocks_;
  std::mutex mu_;
  // LRU of observed events by full key.
  std::list<std::string> lru_;
  std::unordered_map<std::string, std::pair<Observed, std::list<std::string>::iterator>> observed_;
  std::map<std::string, Aggregate> aggregates_;
  std::map<std::string, Bucket> spam_;
  metrics::Family* events_ = nullptr;
};

// Cuts text to at most max bytes without splitting a UTF-8 sequence.
std::string truncateUtf8(const std::string& text, std::size_t max);

// RFC 3339 with seconds ("2024-05-01T12:00:00Z"), the format of metav1.Time.
std::string formatTime(std::chrono::system_clock::time_point t);

}  // namespace mysqlop::kube
