#pragma once

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
class LabelSelector {
 public:
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, GreaterThan, LessThan };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;  // sorted
  };

  LabelSelector() = default;
  static Result<LabelSelector> parse(std::string_view text);
  // The selector of a Service (spec.selector) or a matchLabels map: every key equals its value.
  static LabelSelector fromMap(const std::map<std::string, std::string>& labels);

  bool empty() const { return reqs_.empty(); }
  bool matches(const Labels& labels) const;
  const std::vector<Requirement>& requirements() const { return reqs_; }
  // The canonical text, usable as the labelSelector query parameter.
  std::string toString() const;

 private:
  std::vector<Requirement> reqs_;
};

// True if `key` is a valid qualified label key ([prefix/]name).
bool validLabelKey(std::string_view key, std::string* why = nullptr);
// True if `value` is a valid label value (may be empty).
bool validLabelValue(std::string_view value, std::string* why = nullptr);

}  // namespace mysqlop::kube
