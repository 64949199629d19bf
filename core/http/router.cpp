#include "core/http/router.h"

namespace mysqlop::http {

bool Router::add(const std::string& method, const std::string& path, Handler handler) {
  const bool prefix = !path.empty() && path.back() == '*';
  std::string p = prefix ? path.substr(0, path.size() - 1) : path;
  std::lock_guard<std::mutex> lock(mu_);
  for (const Route& r : routes_) {
    if (r.method == method && r.path == p && r.prefix == prefix) {
      return false;
    }
  }
  routes_.push_back(Route{method, std::move(p), prefix, std::move(handler)});
  return true;
}

void Router::removePrefix(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(routes_,
                [&](const Route& r) { return r.path.compare(0, prefix.size(), prefix) == 0; });
}

void Router::dispatch(const Request& request, Response& response) const {
  Handler chosen;
  bool pathKnown = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::size_t bestLength = 0;
    for (const Route& r : routes_) {
      const bool matches =
          r.prefix ? request.path.compare(0, r.path.size(), r.path) == 0 : request.path == r.path;
      if (!matches) {
        continue;
      }
      pathKnown = true;
      // Exact routes win over prefixes; longer prefixes over shorter ones.
      const std::size_t length = r.prefix ? r.path.size() : request.path.size() + 1;
      if (r.method == request.method && length >= bestLength) {
        chosen = r.handler;
        bestLength = length;
      }
    }
  }
  if (chosen) {
    chosen(request, response);
    return;
  }
  response.contentType = "text/plain; charset=utf-8";
  if (pathKnown) {
    response.status = 405;
    response.body = "method not allowed\n";
  } else {
    response.status = 404;
    response.body = "not found\n";
  }
}

}  // namespace mysqlop::http
