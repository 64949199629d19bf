#include "plugins/common/kube/semantic.h"

#include <nlohmann/json.hpp>

#include "plugins/common/kube/quantity.h"

namespace mysqlop::kube {

namespace {

bool sameQuantity(const std::string& a, const std::string& b) {
  auto qa = Quantity::parse(a);
  auto qb = qa ? Quantity::parse(b) : std::nullopt;
  return qa && qb && *qa == *qb;
}

bool sameScalar(const nlohmann::json& d, const nlohmann::json& a) {
  if (d == a) {
    return true;
  }
  // An int-or-string quantity may come back as the other type ("1" vs 1) or canonicalised.
  if ((d.is_string() || d.is_number_integer()) && (a.is_string() || a.is_number_integer())) {
    const std::string ds = d.is_string() ? d.get<std::string>() : d.dump();
    const std::string as = a.is_string() ? a.get<std::string>() : a.dump();
    return sameQuantity(ds, as);
  }
  return false;
}

}  // namespace

bool isSemanticSubset(const nlohmann::json& desired, const nlohmann::json& actual) {
  if (desired.is_object()) {
    if (!actual.is_object()) {
      return desired.empty() && actual.is_null();
    }
    for (auto it = desired.begin(); it != desired.end(); ++it) {
      auto found = actual.find(it.key());
      if (found == actual.end()) {
        // An empty object or array we set may be dropped by the server (omitempty).
        if ((it->is_object() || it->is_array()) && it->empty()) {
          continue;
        }
        if (it->is_null()) {
          continue;
        }
        return false;
      }
      if (!isSemanticSubset(*it, *found)) {
        return false;
      }
    }
    return true;
  }
  if (desired.is_array()) {
    if (!actual.is_array()) {
      return desired.empty() && actual.is_null();
    }
    if (desired.size() != actual.size()) {
      return false;
    }
    for (std::size_t i = 0; i < desired.size(); ++i) {
      if (!isSemanticSubset(desired[i], actual[i])) {
        return false;
      }
    }
    return true;
  }
  return sameScalar(desired, actual);
}

void overlay(nlohmann::json& target, const nlohmann::json& desired) {
  if (!desired.is_object() || !target.is_object()) {
    target = desired;
    return;
  }
  for (auto it = desired.begin(); it != desired.end(); ++it) {
    if (it->is_object() && target.contains(it.key()) && target[it.key()].is_object()) {
      overlay(target[it.key()], *it);
    } else {
      target[it.key()] = *it;
    }
  }
}

}  // namespace mysqlop::kube
