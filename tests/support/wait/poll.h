#pragma once

#include <chrono>
#include <thread>

namespace mysqlop::testing {

// How long to wait and how often to look. The timeout is a generous bound for asynchronous work,
// never a speed assertion.
struct Poll {
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
  std::chrono::milliseconds interval = std::chrono::milliseconds(20);
};

// Calls step() until it returns true (it is done: the awaited state, or one that makes waiting
// pointless) or the timeout passes; step() runs once more at the deadline, so a slow machine gets
// its last look. Returns whether step() said done, and counts the calls in *polls when given.
template <class Step>
bool pollUntil(Step&& step, Poll poll = {}, int* polls = nullptr) {
  const auto deadline = std::chrono::steady_clock::now() + poll.timeout;
  int calls = 0;
  bool done = false;
  for (;;) {
    ++calls;
    done = step();
    if (done || std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    std::this_thread::sleep_for(poll.interval);
  }
  if (polls != nullptr) {
    *polls = calls;
  }
  return done;
}

}  // namespace mysqlop::testing
