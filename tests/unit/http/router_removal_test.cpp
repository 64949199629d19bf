// Router::removePrefix waits for the running calls of the routes it removes, refuses new ones at
// once, and never holds the router's mutex while a handler runs: a handler may use the router,
// even remove its own route, and a blocked handler holds up only the removal of its own routes.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/http/router.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::http {
namespace {

using namespace std::chrono_literals;

int get(const Router& r, const std::string& path, std::string* body = nullptr) {
  Response out;
  r.dispatch({"GET", path, "", "", {}}, out);
  if (body) {
    *body = out.body;
  }
  return out.status;
}

// Polls with a deadline until pred holds.
template <class Pred>
bool pollUntil(Pred pred) {
  return mysqlop::testing::pollUntil(pred, mysqlop::testing::Poll{10s, 1ms});
}

TEST(RouterRemoval, WaitsForTheRunningHandlerAndStartsNoNewCall) {
  Router r;
  std::mutex mu;
  std::vector<std::string> events;
  auto note = [&](const std::string& e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(e);
  };
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  r.add("GET", "/plugins/a/block", [&](const Request&, Response& o) {
    entered.set_value();
    released.wait();
    o.body = "done";
    note("handler returned");
  });
  r.add("GET", "/plugins/a/ping", [](const Request&, Response& o) { o.body = "pong"; });
  r.add("GET", "/other", [](const Request&, Response& o) { o.body = "other"; });

  std::string blockedBody;
  std::thread client([&] { get(r, "/plugins/a/block", &blockedBody); });
  entered.get_future().wait();
  std::thread remover([&] {
    r.removePrefix("/plugins/a/");
    note("removed");
  });
  // New calls of the removed routes are refused at once, while the old one still runs.
  ASSERT_TRUE(pollUntil([&] { return get(r, "/plugins/a/ping") == 404; }));
  // Other routes, and adding routes, are not held up by the blocked handler.
  std::string other;
  EXPECT_EQ(get(r, "/other", &other), 200);
  EXPECT_EQ(other, "other");
  EXPECT_TRUE(r.add("GET", "/added", [](const Request&, Response&) {}));
  release.set_value();
  client.join();
  remover.join();
  EXPECT_EQ(blockedBody, "done");
  EXPECT_EQ(events, (std::vector<std::string>{"handler returned", "removed"}));
}

TEST(RouterRemoval, HandlerMayUseTheRouterAndRemoveItsOwnRoute) {
  Router r;
  r.add("GET", "/plugins/a/self", [&r](const Request&, Response& o) {
    EXPECT_TRUE(r.add("GET", "/plugins/b/x", [](const Request&, Response& n) { n.body = "x"; }));
    std::string nested;
    EXPECT_EQ(get(r, "/plugins/b/x", &nested), 200);
    r.removePrefix("/plugins/a/");  // does not wait for itself
    r.removePrefix("/plugins/b/");
    o.body = nested + " removed";
  });
  std::string body;
  auto result = std::async(std::launch::async, [&] { return get(r, "/plugins/a/self", &body); });
  ASSERT_EQ(result.wait_for(10s), std::future_status::ready) << "the handler deadlocked";
  EXPECT_EQ(result.get(), 200);
  EXPECT_EQ(body, "x removed");
  EXPECT_EQ(get(r, "/plugins/a/self"), 404);
  EXPECT_EQ(get(r, "/plugins/b/x"), 404);
}

TEST(RouterRemoval, AHandlerThatThrewIsNoLongerRunning) {
  Router r;
  r.add("GET", "/plugins/a/throw",
        [](const Request&, Response&) { throw std::runtime_error("handler failed"); });
  EXPECT_THROW(get(r, "/plugins/a/throw"), std::runtime_error);
  auto removed = std::async(std::launch::async, [&] { r.removePrefix("/plugins/a/"); });
  EXPECT_EQ(removed.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(get(r, "/plugins/a/throw"), 404);
}

}  // namespace
}  // namespace mysqlop::http
