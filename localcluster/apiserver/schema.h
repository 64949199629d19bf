#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "localcluster/apiserver/api_error.h"

namespace mysqlop::local {

// A CRD's structural OpenAPI v3 schema (spec.versions[].schema.openAPIV3Schema): defaulting,
// pruning of unknown fields and validation, with the error texts of apiextensions-apiserver.
//
// Supported: type (object, array, string, integer, number, boolean), nullable, enum, minimum,
// maximum, exclusiveMinimum/Maximum, pattern, minLength, maxLength, minItems, maxItems,
// required, properties, additionalProperties, items, default, x-kubernetes-int-or-string,
// x-kubernetes-preserve-unknown-fields. Not supported: allOf/anyOf/oneOf/not, format,
// x-kubernetes-validations (CEL).
class Schema {
 public:
  explicit Schema(nlohmann::json root);

  // Fills `default:` values of absent fields, top-down (a defaulted object gets its own defaults).
  void applyDefaults(nlohmann::json& object) const;
  // Removes fields the schema does not declare; returns their paths (for fieldValidation=Strict).
  std::vector<std::string> prune(nlohmann::json& object) const;
  // Validation errors of an object (metadata is not checked here).
  std::vector<FieldError> validate(const nlohmann::json& object) const;

  const nlohmann::json& root() const { return root_; }

 private:
  void defaults(const nlohmann::json& schema, nlohmann::json& value) const;
  void pruneAt(const nlohmann::json& schema, nlohmann::json& value, const std::string& path,
               bool root, std::vector<std::string>& unknown) const;
  void validateAt(const nlohmann::json& schema, const nlohmann::json& value,
                  const std::string& path, std::vector<FieldError>& errs) const;
  bool matchesPattern(const std::string& pattern, const std::string& value) const;

  nlohmann::json root_;
  mutable std::mutex regexMu_;
  mutable std::map<std::string, std::regex> regexCache_;
};

}  // namespace mysqlop::local
