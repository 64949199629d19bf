#include "core/config/yaml_json.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <regex>

namespace mysqlop::config {

namespace {

nlohmann::json typedScalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() != "?") {  // quoted or explicitly tagged: a string
    return s;
  }
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    return nullptr;
  }
  if (s == "true" || s == "True" || s == "TRUE") {
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    return false;
  }
  static const std::regex kInt(R"([-+]?[0-9]+)");
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, kInt)) {
    long long v = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size()) {
      return v;
    }
    return s;  // too large for an integer: keep the text
  }
  if (std::regex_match(s, kFloat)) {
    return std::stod(s);
  }
  return s;
}

}  // namespace

nlohmann::json yamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar: return typedScalar(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : node) {
        arr.push_back(yamlToJson(item));
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& kv : node) {
        obj[kv.first.as<std::string>()] = yamlToJson(kv.second);
      }
      return obj;
    }
  }
  return nullptr;
}

}  // namespace mysqlop::config
