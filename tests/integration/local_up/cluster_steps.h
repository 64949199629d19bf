#pragma once
// Steps shared by the end-to-end tests: kubectl calls with polling, each returning a message
// that says what was seen when the deadline passed ("" on success).

#include <chrono>
#include <string>

#include "tests/support/kube/kubectl.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing {

// `kubectl get ... -o jsonpath=EXPR` output (stdout), or "error: <stderr>".
inline std::string jsonpath(const Kubectl& k, const std::string& nsAndObject,
                            const std::string& expr) {
  std::vector<std::string> args = {"get"};
  std::size_t start = 0;
  while (start < nsAndObject.size()) {
    auto space = nsAndObject.find(' ', start);
    if (space == std::string::npos) {
      space = nsAndObject.size();
    }
    args.push_back(nsAndObject.substr(start, space - start));
    start = space + 1;
  }
  args.push_back("-o");
  args.push_back("jsonpath=" + expr);
  CommandResult r = k.run(args);
  return r.exitCode == 0 ? r.out : "error: " + r.err;
}

// Polls until the jsonpath output equals `want`; "" or a message with the last output.
inline std::string waitForJsonpath(const Kubectl& k, const std::string& nsAndObject,
                                   const std::string& expr, const std::string& want,
                                   std::chrono::seconds timeout = std::chrono::seconds(60)) {
  std::string last;
  bool ok = pollUntil(
      [&] {
        last = jsonpath(k, nsAndObject, expr);
        return last == want;
      },
      Poll{timeout, std::chrono::milliseconds(200)});
  return ok ? ""
            : "get " + nsAndObject + " " + expr + ": want '" + want + "', last saw '" + last + "'";
}

}  // namespace mysqlop::testing
