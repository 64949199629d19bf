#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "localcluster/apiserver/api_error.h"

namespace mysqlop::local {

// Server-side apply (application/apply-patch+yaml), reduced to what kubectl --server-side and a
// controller applying with a field manager need:
// - each field the applied configuration sets becomes owned by `manager` (a managedFields entry
//   with operation Apply and a FieldsV1 set of leaf paths; lists are atomic leaves);
// - a field another Apply manager owns with a different value is a conflict (409 with the exact
//   "Apply failed with N conflict(s)" message) unless `force`, which takes it over;
// - fields this manager applied before and omits now are removed unless another manager owns
//   them;
// - the applied object is merged into the current one (maps merge, lists and scalars replace).
// Ownership of fields written by plain updates is not tracked.
struct ApplyRequest {
  const nlohmann::json* current = nullptr;  // null: the object does not exist yet
  nlohmann::json applied;
  std::string manager;
  bool force = false;
  std::string apiVersion;
  std::string now;  // RFC 3339 time for the managedFields entry
  std::string subresource;
};

// Returns the merged object with updated metadata.managedFields, or throws ApiException (409).
nlohmann::json serverSideApply(const ApplyRequest& request);

}  // namespace mysqlop::local
