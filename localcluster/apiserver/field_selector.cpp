#include "localcluster/apiserver/field_selector.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace mysqlop::local {

using nlohmann::json;

Result<FieldSelector> FieldSelector::parse(const std::string& text) {
  FieldSelector s;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) {
      Requirement r;
      std::size_t p;
      if ((p = part.find("!=")) != std::string::npos) {
        r.field = part.substr(0, p);
        r.equals = false;
        r.value = part.substr(p + 2);
      } else if ((p = part.find("==")) != std::string::npos) {
        r.field = part.substr(0, p);
        r.equals = true;
        r.value = part.substr(p + 2);
      } else if ((p = part.find('=')) != std::string::npos) {
        r.field = part.substr(0, p);
        r.equals = true;
        r.value = part.substr(p + 1);
      } else {
        return fail(Errc::Invalid,
                    "invalid selector: '" + text + "'; can't understand '" + part + "'");
      }
      s.reqs_.push_back(std::move(r));
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return s;
}

Result<void> FieldSelector::check(const std::vector<std::string>& supported) const {
  for (const auto& r : reqs_) {
    if (std::find(supported.begin(), supported.end(), r.field) == supported.end()) {
      return fail(Errc::Invalid, "field label not supported: " + r.field);
    }
  }
  return {};
}

std::string fieldValue(const json& object, const std::string& path) {
  const json* cur = &object;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object()) {
      return "";
    }
    auto it = cur->find(part);
    if (it == cur->end()) {
      return "";
    }
    cur = &*it;
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  if (cur->is_string()) {
    return cur->get<std::string>();
  }
  if (cur->is_null()) {
    return "";
  }
  return cur->dump();
}

bool FieldSelector::matches(const json& object) const {
  for (const auto& r : reqs_) {
    bool eq = fieldValue(object, r.field) == r.value;
    if (eq != r.equals) {
      return false;
    }
  }
  return true;
}

}  // namespace mysqlop::local
