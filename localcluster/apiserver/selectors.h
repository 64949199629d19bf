#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local {

// A label selector (k8s.io/apimachinery/pkg/labels): requirements ANDed together.
class LabelSelector {
 public:
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, Greater, Less };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };

  // Parses the string form ("app=web,tier in (a,b),!legacy"). The failure message is the one the
  // real server sends in its 400 answer.
  static Result<LabelSelector> parse(const std::string& text);
  // Converts the structured form ({matchLabels, matchExpressions}) found in specs.
  static Result<LabelSelector> fromJson(const nlohmann::json& selector);

  bool empty() const { return reqs_.empty(); }
  bool matches(const std::map<std::string, std::string>& labels) const;
  bool matches(const nlohmann::json& labels) const;  // a metadata.labels object (or null)
  // The canonical string form, as Scale.status.selector carries it.
  std::string str() const;
  const std::vector<Requirement>& requirements() const { return reqs_; }

 private:
  std::vector<Requirement> reqs_;
};

// A field selector ("metadata.name=x,status.phase!=Running"): only =, == and != exist.
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
