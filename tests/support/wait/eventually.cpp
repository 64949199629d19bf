#include "tests/support/wait/eventually.h"

namespace mysqlop::testing {

namespace {

std::string seconds(std::chrono::milliseconds d) {
  const auto ms = d.count();
  std::string out = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    std::string frac = std::to_string(ms % 1000);
    frac.insert(0, 3 - frac.size(), '0');
    while (frac.back() == '0') {
      frac.pop_back();
    }
    out += "." + frac;
  }
  return out + " s";
}

}  // namespace

::testing::AssertionResult eventually(std::string_view what, const std::function<bool()>& check,
                                      const std::function<std::string()>& observe, Poll poll) {
  int polls = 0;
  if (pollUntil(check, poll, &polls)) {
    return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure();
  failure << "timed out after " << seconds(poll.timeout) << " (" << polls << " checks, every "
          << poll.interval.count() << " ms) waiting for: " << what;
  if (observe) {
    failure << "\nlast observed: " << observe();
  }
  return failure;
}

::testing::AssertionResult eventually(std::string_view what, const std::function<bool()>& check,
                                      Poll poll) {
  return eventually(what, check, nullptr, poll);
}

}  // namespace mysqlop::testing
