#include "localcluster/apiserver/schema.h"

#include <cmath>

namespace mysqlop::local {

using nlohmann::json;

namespace {

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// The JSON type name Go's unstructured decoding gives a value, as the type errors print it.
std::string typeName(const json& v) {
  switch (v.type()) {
    case json::value_t::string: return "string";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::null: return "null";
    default: return "unknown";
  }
}

bool typeMatches(const std::string& type, const json& v) {
  if (type == "object") {
    return v.is_object();
  }
  if (type == "array") {
    return v.is_array();
  }
  if (type == "string") {
    return v.is_string();
  }
  if (type == "boolean") {
    return v.is_boolean();
  }
  if (type == "integer") {
    return v.is_number_integer() || v.is_number_unsigned();
  }
  if (type == "number") {
    return v.is_number();
  }
  return true;
}

std::string numberText(const json& n) {
  if (n.is_number_float()) {
    double d = n.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<long long>(d));
    }
  }
  return n.dump();
}

}  // namespace

Schema::Schema(json root) : root_(std::move(root)) {}

void Schema::applyDefaults(json& object) const { defaults(root_, object); }

void Schema::defaults(const json& schema, json& value) const {
  if (!schema.is_object()) {
    return;
  }
  if (value.is_object()) {
    if (auto props = schema.find("properties"); props != schema.end() && props->is_object()) {
      for (auto it = props->begin(); it != props->end(); ++it) {
        const json& ps = it.value();
        auto present = value.find(it.key());
        bool nullable = ps.value("nullable", false);
        if (ps.contains("default") &&
            (present == value.end() || (present->is_null() && !nullable))) {
          value[it.key()] = ps["default"];
        }
        if (auto p = value.find(it.key()); p != value.end()) {
          defaults(ps, *p);
        }
      }
    }
    if (auto ap = schema.find("additionalProperties"); ap != schema.end() && ap->is_object()) {
      for (auto it = value.begin(); it != value.end(); ++it) {
        defaults(*ap, it.value());
      }
    }
  } else if (value.is_array()) {
    if (auto items = schema.find("items"); items != schema.end()) {
      for (auto& e : value) {
        defaults(*items, e);
      }
    }
  }
}

std::vector<std::string> Schema::prune(json& object) const {
  std::vector<std::string> unknown;
  pruneAt(root_, object, "", true, unknown);
  return unknown;
}

void Schema::pruneAt(const json& schema, json& value, const std::string& path, bool root,
                     std::vector<std::string>& unknown) const {
  if (!schema.is_object()) {
    return;
  }
  bool preserve = schema.value("x-kubernetes-preserve-unknown-fields", false);
  if (value.is_object()) {
    const json props = schema.value("properties", json::object());
    const auto ap = schema.find("additionalProperties");
    bool hasAdditional =
        ap != schema.end() && (ap->is_object() || (ap->is_boolean() && ap->get<bool>()));
    std::vector<std::string> drop;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (root && (it.key() == "apiVersion" || it.key() == "kind" || it.key() == "metadata")) {
        continue;
      }
      if (props.contains(it.key())) {
        pruneAt(props[it.key()], it.value(), child(path, it.key()), false, unknown);
      } else if (hasAdditional) {
        if (ap->is_object()) {
          pruneAt(*ap, it.value(), child(path, it.key()), false, unknown);
        }
      } else if (!preserve) {
        drop.push_back(it.key());
      }
    }
    for (const auto& k : drop) {
      unknown.push_back(child(path, k));
      value.erase(k);
    }
  } else if (value.is_array()) {
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        pruneAt(*items, value[i], index(path, i), false, unknown);
      }
    }
  }
}

std::vector<FieldError> Schema::validate(const json& object) const {
  std::vector<FieldError> errs;
  json body = object;
  if (body.is_object()) {
    body.erase("metadata");
    body.erase("apiVersion");
    body.erase("kind");
  }
  json rootSchema = root_;
  if (rootSchema.is_object() && rootSchema.contains("properties")) {
    rootSchema["properties"].erase("metadata");
    rootSchema["properties"].erase("apiVersion");
    rootSchema["properties"].erase("kind");
  }
  if (rootSchema.is_object() && rootSchema.contains("required")) {
    json req = json::array();
    for (const auto& r : rootSchema["required"]) {
      if (r != "metadata" && r != "apiVersion" && r != "kind") {
        req.push_back(r);
      }
    }
    rootSchema["required"] = req;
  }
  validateAt(rootSchema, body, "", errs);
  return errs;
}

bool Schema::matchesPattern(const std::string& pattern, const std::string& value) const {
  std::lock_guard lock(regexMu_);
  auto it = regexCache_.find(pattern);
  if (it == regexCache_.end()) {
    try {
      it = regexCache_.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
    } catch (const std::regex_error&) {
      return true;  // a pattern std::regex cannot compile is not enforced
    }
  }
  return std::regex_search(value, it->second);
}

void Schema::validateAt(const json& schema, const json& value, const std::string& path,
                        std::vector<FieldError>& errs) const {
  if (!schema.is_object()) {
    return;
  }
  const std::string where = path.empty() ? "body" : path;
  if (value.is_null()) {
    if (!schema.value("nullable", false) && schema.contains("type")) {
      errs.push_back(fieldInvalid(
          path, nullptr,
          where + " in body must be of type " + schema["type"].get<std::string>() + ": \"null\""));
    }
    return;
  }
  bool intOrString = schema.value("x-kubernetes-int-or-string", false);
  if (intOrString) {
    if (!(value.is_string() || value.is_number_integer() || value.is_number_unsigned())) {
      errs.push_back(fieldInvalid(
          path, typeName(value),
          where + " in body must be of type integer,string: \"" + typeName(value) + "\""));
      return;
    }
  } else if (auto t = schema.find("type"); t != schema.end() && t->is_string()) {
    if (!typeMatches(t->get<std::string>(), value)) {
      errs.push_back(fieldInvalid(path, typeName(value),
                                  where + " in body must be of type " + t->get<std::string>() +
                                      ": \"" + typeName(value) + "\""));
      return;
    }
  }
  if (auto en = schema.find("enum"); en != schema.end() && en->is_array()) {
    bool found = false;
    std::vector<std::string> allowed;
    for (const auto& e : *en) {
      found = found || e == value;
      allowed.push_back(printFieldValue(e));
    }
    if (!found) {
      errs.push_back(fieldNotSupported(path, value, allowed));
    }
  }
  if (value.is_number()) {
    double v = value.get<double>();
    if (auto m = schema.find("minimum"); m != schema.end() && m->is_number()) {
      bool excl = schema.value("exclusiveMinimum", false);
      if (excl ? !(v > m->get<double>()) : v < m->get<double>()) {
        errs.push_back(fieldInvalid(path, value,
                                    where + " in body should be greater than " +
                                        (excl ? "" : "or equal to ") + numberText(*m)));
      }
    }
    if (auto m = schema.find("maximum"); m != schema.end() && m->is_number()) {
      bool excl = schema.value("exclusiveMaximum", false);
      if (excl ? !(v < m->get<double>()) : v > m->get<double>()) {
        errs.push_back(fieldInvalid(path, value,
                                    where + " in body should be less than " +
                                        (excl ? "" : "or equal to ") + numberText(*m)));
      }
    }
  }
  if (value.is_string()) {
    const std::string s = value.get<std::string>();
    if (auto m = schema.find("maxLength"); m != schema.end() && m->is_number()) {
      if (static_cast<long long>(s.size()) > m->get<long long>()) {
        errs.push_back(fieldTooLong(path, m->get<long long>()));
      }
    }
    if (auto m = schema.find("minLength"); m != schema.end() && m->is_number()) {
      if (static_cast<long long>(s.size()) < m->get<long long>()) {
        errs.push_back(fieldInvalid(path, value,
                                    where + " in body should be at least " +
                                        std::to_string(m->get<long long>()) + " chars long"));
      }
    }
    if (auto p = schema.find("pattern"); p != schema.end() && p->is_string()) {
      if (!matchesPattern(p->get<std::string>(), s)) {
        errs.push_back(fieldInvalid(
            path, value, where + " in body should match '" + p->get<std::string>() + "'"));
      }
    }
  }
  if (value.is_array()) {
    long long n = static_cast<long long>(value.size());
    if (auto m = schema.find("maxItems");
        m != schema.end() && m->is_number() && n > m->get<long long>()) {
      errs.push_back(fieldTooMany(path, n, m->get<long long>()));
    }
    if (auto m = schema.find("minItems");
        m != schema.end() && m->is_number() && n < m->get<long long>()) {
      errs.push_back(fieldInvalid(path, n,
                                  where + " in body should have at least " +
                                      std::to_string(m->get<long long>()) + " items"));
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        validateAt(*items, value[i], index(path, i), errs);
      }
    }
  }
  if (value.is_object()) {
    if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
      for (const auto& r : *req) {
        if (r.is_string() && !value.contains(r.get<std::string>())) {
          errs.push_back(fieldRequired(child(path, r.get<std::string>())));
        }
      }
    }
    const auto props = schema.find("properties");
    const auto ap = schema.find("additionalProperties");
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (props != schema.end() && props->contains(it.key())) {
        validateAt((*props)[it.key()], it.value(), child(path, it.key()), errs);
      } else if (ap != schema.end() && ap->is_object()) {
        validateAt(*ap, it.value(), child(path, it.key()), errs);
      }
    }
  }
}

}  // namespace mysqlop::local
