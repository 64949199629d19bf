#pragma once

#include <functional>
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
class Router {
 public:
  // Returns false if the same method and path are already routed.
  bool add(const std::string& method, const std::string& path, Handler handler);
  // Removes every route whose path starts with prefix (a plugin's routes when it goes away).
  void removePrefix(const std::string& prefix);
  void dispatch(const Request& request, Response& response) const;

 private:
  struct Route {
    std::string method;
    std::string path;  // without the trailing '*' for prefix routes
    bool prefix;
    Handler handler;
  };
  mutable std::mutex mu_;
  std::vector<Route> routes_;
};

}  // namespace mysqlop::http
