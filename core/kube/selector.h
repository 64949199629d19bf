#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::kube {

// Labels of one object, sorted by key (compact: informer caches keep one per object).
using Labels = std::vector<std::pair<std::string, std::string>>;

// A label selector with the grammar of apimachinery pkg/labels/selector.go (kube-api.md 2.6):
// comma-separated requirements, all ANDed: k=v, k==v, k!=v, k in (a,b), k notin (a,b), k, !k,
// k>N, k<N. != and notin also match objects without the key. Empty selects everything.
// The one parser of the project: the informer cache, the plugin host's list and the local API
// server's labelSelector parameter all use it, so a bad selector fails with the same text whether
// a list is served from the cache or by an API server.
class LabelSelector {
 public:
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, GreaterThan, LessThan };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;  // sorted, without duplicates

    // Whether a label value (nullptr: the object has no such label) satisfies the requirement.
    bool matches(const std::string* value) const;
  };

  LabelSelector() = default;
  // Parses the string form ("app=web,tier in (a,b),!legacy"). Requirements are sorted by key, as
  // upstream's Parse sorts them. A failure (Errc::Invalid) carries kube-apiserver 1.30's exact
  // message for the labelSelector parameter, for example
  // "unable to parse requirement: found '=', expected: identifier".
  static Result<LabelSelector> parse(std::string_view text);
  // The selector of a Service (spec.selector) or a matchLabels map: every key equals its value.
  static LabelSelector fromMap(const std::map<std::string, std::string>& labels);
  // The structured form found in specs ({matchLabels, matchExpressions} with In, NotIn, Exists,
  // DoesNotExist); null selects everything.
  static Result<LabelSelector> fromJson(const nlohmann::json& selector);

  bool empty() const { return reqs_.empty(); }
  bool matches(const Labels& labels) const;
  // For labels kept in another shape: lookup(key) returns a pointer to the value or nullptr.
  // Allocates nothing itself, so a cache can evaluate it per object.
  template <class Lookup>
  bool matchesWith(const Lookup& lookup) const {
    for (const Requirement& r : reqs_) {
      if (!r.matches(lookup(r.key))) {
        return false;
      }
    }
    return true;
  }
  const std::vector<Requirement>& requirements() const { return reqs_; }
  // The canonical text, usable as the labelSelector query parameter (Scale.status.selector).
  std::string toString() const;

 private:
  std::vector<Requirement> reqs_;
};

// Why `key` is not a qualified label key ([prefix/]name), in apimachinery's words
// (validation.IsQualifiedName, joined by "; "); "" when it is one.
std::string labelKeyProblems(std::string_view key);
// Why `value` is not a label value (validation.IsValidLabelValue); "" when it is one.
std::string labelValueProblems(std::string_view value);

}  // namespace mysqlop::kube
