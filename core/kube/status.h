#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::kube {

// A metav1.Status error returned by the API server (kube-api.md section 5), kept whole so that
// callers can look at the reason and causes; toFailure() gives the Result failure.
struct ApiError {
  struct Cause {
    std::string reason;
    std::string message;
    std::string field;
  };
  int code = 0;         // the HTTP status
  std::string reason;   // "NotFound", "Conflict", "Expired", ... ("" when the body was no Status)
  std::string message;  // the server's message, or a description of a non-Status body
  std::vector<Cause> causes;
  int retryAfterSeconds = 0;

  Failure toFailure() const;
};

// Maps a Status reason (or, without one, the HTTP code) to an error category.
Errc errcForStatus(int httpCode, std::string_view reason);

// Parses the body of a non-2xx answer. A body that is not a Status still yields an ApiError whose
// message says what the server answered ("the server responded with HTTP 502: <start of body>").
ApiError parseApiError(int httpCode, std::string_view body);

// True for the 504 "Too large resource version" answer (cause ResourceVersionTooLarge), which
// reflectors treat like 410 Expired.
bool isTooLargeResourceVersion(const ApiError& e);
bool isTooLargeResourceVersion(const Failure& f);

}  // namespace mysqlop::kube
