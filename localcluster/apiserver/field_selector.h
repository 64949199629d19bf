#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local {

// A field selector ("metadata.name=x,status.phase!=Running"): only =, == and != exist. Label
// selectors are kube::LabelSelector (core/kube/selector.h), shared with the operator.
class FieldSelector {
 public:
  struct Requirement {
    std::string field;
    bool equals;
    std::string value;
  };

  static Result<FieldSelector> parse(const std::string& text);
  bool empty() const { return reqs_.empty(); }
  const std::vector<Requirement>& requirements() const { return reqs_; }
  // Fields a requirement names that `supported` does not list ("field label not supported: x").
  Result<void> check(const std::vector<std::string>& supported) const;
  // Evaluates against an object; a field path resolves through nested objects ("spec.nodeName").
  bool matches(const nlohmann::json& object) const;

 private:
  std::vector<Requirement> reqs_;
};

// Reads a dotted field path ("status.phase") of an object as a string; absent fields are "".
std::string fieldValue(const nlohmann::json& object, const std::string& path);

}  // namespace mysqlop::local
