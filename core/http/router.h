#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace mysqlop::http {

struct Request {
  std::string method;
  std::string path;
  std::string query;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Response {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
};

using Handler = std::function<void(const Request&, Response&)>;

// Maps method + path to handlers. A route whose path ends in '*' matches every path with that
// prefix. Unknown paths get 404, known paths with another method 405. Thread-safe.
//
// Handlers run without the router's mutex held, so a handler may add routes, dispatch, or remove
// routes (its own included) without deadlock. removePrefix waits for the running calls of the
// routes it removes, so that the owner of a handler may be freed once it returns.
class Router {
 public:
  // Returns false if the same method and path are already routed.
  bool add(const std::string& method, const std::string& path, Handler handler);
  // Removes every route whose path starts with prefix (a plugin's routes when it goes away). No
  // new call of those routes starts once it begins; it returns when every call of them that was
  // running has returned, except the calls running on the calling thread (a handler removing its
  // own route cannot wait for itself). A handler that never returns blocks it forever.
  void removePrefix(const std::string& prefix);
  void dispatch(const Request& request, Response& response) const;

 private:
  // One route; shared with the calls running it so that removal can wait for them.
  struct Route {
    std::string method;
    std::string path;  // without the trailing '*' for prefix routes
    bool prefix = false;
    Handler handler;
    int running = 0;  // calls in flight, guarded by mu_
  };
  using RoutePtr = std::shared_ptr<Route>;

  // Picks the route for request (under mu_) and marks it running; null when none matches.
  RoutePtr begin(const Request& request, bool* pathKnown) const;
  void end(const RoutePtr& route) const;

  mutable std::mutex mu_;
  mutable std::condition_variable idle_;
  std::vector<RoutePtr> routes_;
};

}  // namespace mysqlop::http
