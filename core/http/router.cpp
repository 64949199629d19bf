#include "core/http/router.h"

#include <algorithm>

namespace mysqlop::http {

namespace {

// The routes whose handlers run on this thread, innermost last (a handler may dispatch again).
thread_local std::vector<const void*> tRunning;

int runningHere(const void* route) {
  return static_cast<int>(std::count(tRunning.begin(), tRunning.end(), route));
}

}  // namespace

bool Router::add(const std::string& method, const std::string& path, Handler handler) {
  const bool prefix = !path.empty() && path.back() == '*';
  std::string p = prefix ? path.substr(0, path.size() - 1) : path;
  std::lock_guard<std::mutex> lock(mu_);
  for (const RoutePtr& r : routes_) {
    if (r->method == method && r->path == p && r->prefix == prefix) {
      return false;
    }
  }
  auto route = std::make_shared<Route>();
  route->method = method;
  route->path = std::move(p);
  route->prefix = prefix;
  route->handler = std::move(handler);
  routes_.push_back(std::move(route));
  return true;
}

void Router::removePrefix(const std::string& prefix) {
  std::vector<RoutePtr> removed;
  std::unique_lock<std::mutex> lock(mu_);
  for (auto it = routes_.begin(); it != routes_.end();) {
    if ((*it)->path.compare(0, prefix.size(), prefix) == 0) {
      removed.push_back(std::move(*it));
      it = routes_.erase(it);
    } else {
      ++it;
    }
  }
  idle_.wait(lock, [&] {
    return std::all_of(removed.begin(), removed.end(),
                       [](const RoutePtr& r) { return r->running == runningHere(r.get()); });
  });
}

Router::RoutePtr Router::begin(const Request& request, bool* pathKnown) const {
  std::lock_guard<std::mutex> lock(mu_);
  RoutePtr chosen;
  std::size_t bestLength = 0;
  for (const RoutePtr& r : routes_) {
    const bool matches =
        r->prefix ? request.path.compare(0, r->path.size(), r->path) == 0 : request.path == r->path;
    if (!matches) {
      continue;
    }
    *pathKnown = true;
    // Exact routes win over prefixes; longer prefixes over shorter ones.
    const std::size_t length = r->prefix ? r->path.size() : request.path.size() + 1;
    if (r->method == request.method && length >= bestLength) {
      chosen = r;
      bestLength = length;
    }
  }
  if (chosen) {
    ++chosen->running;
  }
  return chosen;
}

void Router::end(const RoutePtr& route) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --route->running;
  }
  idle_.notify_all();
}

void Router::dispatch(const Request& request, Response& response) const {
  bool pathKnown = false;
  if (RoutePtr route = begin(request, &pathKnown)) {
    tRunning.push_back(route.get());
    try {
      route->handler(request, response);
    } catch (...) {  // the server turns it into a 500; the call has ended all the same
      tRunning.pop_back();
      end(route);
      throw;
    }
    tRunning.pop_back();
    end(route);
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
