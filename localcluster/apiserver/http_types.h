#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "localcluster/apiserver/user_info.h"

namespace mysqlop::local {

// One HTTP request as the API layer sees it (independent of the HTTP library).
struct ApiRequest {
  std::string method;
  std::string path;                          // decoded, without the query
  std::map<std::string, std::string> query;  // first value of each parameter
  std::string body;
  std::string contentType;
  std::string accept;
  std::string userAgent;
  std::string authorization;
  // Who sent it, as the HTTP front authenticated it. Null for callers in this process
  // (LocalTransport) and the unauthenticated health paths: they are not authorized.
  std::shared_ptr<const UserInfo> user;
  // The Impersonate-User and Impersonate-Group headers (kubectl --as, --as-group).
  std::string impersonateUser;
  std::vector<std::string> impersonateGroups;

  // A query parameter's value, "" when absent.
  std::string param(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? std::string() : it->second;
  }
};

struct ApiResponse {
  int code = 200;
  std::string body;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // Warning, Retry-After, ...
  bool streamed = false;  // a watch already answered through the WatchStream
};

// The streaming side of a watch, implemented by the HTTP layer: chunked, flushed per line.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // Sends the status line and headers (chunked, application/json). False if the client is gone.
  virtual bool begin(int code) = 0;
  // The Content-Type begin() sends instead of application/json (pods/log: text/plain).
  virtual void setContentType(const std::string& type) { (void)type; }
  // Sends one line (an event plus "\n") and flushes it. False if the client is gone.
  virtual bool send(const std::string& line) = 0;
  // True when the client closed its side of the connection.
  virtual bool clientGone() = 0;
  // The watch hands over, before it waits for changes, a function that ends that wait at once. A
  // stream whose client can leave between two polls of clientGone() (the in-process transport)
  // calls it when its client cancels; the HTTP layer does not need it (the watch polls each
  // second).
  virtual void setWaker(const std::function<void()>& wake) { (void)wake; }
};

}  // namespace mysqlop::local
