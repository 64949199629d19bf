#include "plugins/user/src/spec.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "plugins/common/kube/quantity.h"
#include "plugins/common/mysql/dialect.h"
#include "plugins/common/mysql/identifiers.h"
#include "plugins/common/mysql/mysql_object.h"

namespace mysqlop::user {

std::string indexedField(const std::string& field, std::size_t i) {
  return field + "[" + std::to_string(i) + "]";
}

namespace {

// The largest name any supported flavor accepts; Dialect narrows it once the server is known.
constexpr std::size_t kMaxUserChars = 128;
constexpr std::size_t kMaxHostChars = 255;

using nlohmann::json;

const json& member(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) {
    return kNull;
  }
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

// A list of strings at field; nullopt with *error when it is not one.
std::optional<std::vector<std::string>> stringList(const json& v, const std::string& field,
                                                   std::string* error) {
  if (v.is_null()) {
    return std::vector<std::string>{};
  }
  if (!v.is_array()) {
    *error = field + " must be a list of strings";
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      *error = indexedField(field, i) + " must be a string";
      return std::nullopt;
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

bool parsePermissions(const json& list, UserSpec& out, std::string* error) {
  if (list.is_null()) {
    return true;
  }
  if (!list.is_array()) {
    *error = "spec.permissions must be a list";
    return false;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string field = indexedField("spec.permissions", i);
    const json& p = list[i];
    if (!p.is_object()) {
      *error = field + " must be an object with schema, tables and permissions";
      return false;
    }
    PermissionSpec perm;
    auto schema = mysql::stringField(p, "schema", field + ".schema", error);
    if (!schema || schema->empty()) {
      if (error->empty()) {
        *error = field + ".schema is required (\"*\" for every schema)";
      }
      return false;
    }
    if (*schema != "*") {
      if (auto e = mysql::checkIdentifier(*schema)) {
        *error = field + ".schema " + mysql::shown(*schema) + " " + *e;
        return false;
      }
    }
    perm.schema = *schema;
    auto tables = stringList(member(p, "tables"), field + ".tables", error);
    if (!tables) {
      return false;
    }
    if (tables->empty()) {
      *error = field + ".tables is empty: list the tables, or \"*\" for every table";
      return false;
    }
    for (std::size_t t = 0; t < tables->size(); ++t) {
      const std::string& table = (*tables)[t];
      const std::string tfield = indexedField(field + ".tables", t);
      if (table == "*") {
        continue;
      }
      if (perm.schema == "*") {
        *error = tfield + " " + mysql::shown(table) +
                 " needs a schema: with schema \"*\" the only table is \"*\"";
        return false;
      }
      if (auto e = mysql::checkIdentifier(table)) {
        *error = tfield + " " + mysql::shown(table) + " " + *e;
        return false;
      }
    }
    perm.tables = *tables;
    auto privileges = stringList(member(p, "permissions"), field + ".permissions", error);
    if (!privileges) {
      return false;
    }
    if (privileges->empty()) {
      *error = field + ".permissions is empty: list the privileges to grant";
      return false;
    }
    perm.privileges = *privileges;
    out.permissions.push_back(std::move(perm));
  }
  return true;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// Keys in any case (max_user_connections is what many manifests carry; MySQL's own syntax is case
// insensitive and bitpoke passes the key through). Messages name the key as written.
bool parseLimits(const json& limits, UserSpec& out, std::string* error) {
  if (limits.is_null()) {
    return true;
  }
  if (!limits.is_object()) {
    *error = "spec.resourceLimits must be an object";
    return false;
  }
  const auto& keys = mysql::Dialect(mysql::ServerVersion{}).resourceLimitKeys();
  std::map<std::string, std::string> written;  // canonical key -> key as written
  for (auto item = limits.begin(); item != limits.end(); ++item) {
    const std::string& key = item.key();
    const std::string canonical = upper(key);
    auto def = std::find_if(keys.begin(), keys.end(),
                            [&](const mysql::ResourceLimitKey& k) { return k.key == canonical; });
    if (def == keys.end()) {
      std::string known;
      for (const auto& k : keys) {
        known += known.empty() ? "" : ", ";
        known += k.key;
      }
      *error = "spec.resourceLimits.";
      *error += key;
      *error += " is not a resource limit (";
      *error += known;
      *error += ", in any case)";
      return false;
    }
    auto [seen, fresh] = written.emplace(canonical, key);
    if (!fresh) {
      // JSON object keys are sorted here, so the message does not depend on the manifest's order.
      *error = "spec.resourceLimits." + seen->second + " and spec.resourceLimits." + key +
               " are the same limit: keep one";
      return false;
    }
  }
  for (const auto& k : keys) {
    auto w = written.find(std::string(k.key));
    if (w == written.end()) {
      continue;
    }
    const json& v = limits.at(w->second);
    if (v.is_null()) {
      continue;
    }
    const std::string field = "spec.resourceLimits." + w->second;
    const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    const std::string mustBe = " must be a whole number from 0 to " + std::to_string(k.max);
    if (!v.is_string() && !v.is_number()) {
      *error = field + mustBe;
      return false;
    }
    auto q = kube::Quantity::parse(text);
    if (!q || q->isNegative() || !(kube::Quantity::fromInt(q->value()) == *q) ||
        q->value() > k.max) {
      *error = field;
      *error += " ";
      *error += mysql::shown(text);
      *error += mustBe;
      return false;
    }
    out.limits.push_back({std::string(k.key), q->value()});
  }
  return true;
}

}  // namespace

std::optional<UserSpec> parseSpec(const nlohmann::json& obj, const std::set<std::string>& reserved,
                                  std::string* error) {
  const json& spec = member(obj, "spec");
  UserSpec out;
  auto user = mysql::stringField(spec, "user", "spec.user", error);
  if (!user || user->empty()) {
    if (error->empty()) {
      *error = "spec.user is required";
    }
    return std::nullopt;
  }
  if (auto e = mysql::checkUserName(*user, kMaxUserChars)) {
    *error = "spec.user " + mysql::shown(*user) + " " + *e;
    return std::nullopt;
  }
  if (reserved.count(*user) != 0) {
    *error = "spec.user " + mysql::shown(*user) +
             " is reserved for the server or the operator and cannot be managed by a MysqlUser";
    return std::nullopt;
  }
  out.user = *user;

  const json& password = member(spec, "password");
  auto secret = mysql::stringField(password, "name", "spec.password.name", error);
  if (!secret || secret->empty()) {
    if (error->empty()) {
      *error = "spec.password.name is required";
    }
    return std::nullopt;
  }
  auto key = mysql::stringField(password, "key", "spec.password.key", error);
  if (!key || key->empty()) {
    if (error->empty()) {
      *error = "spec.password.key is required";
    }
    return std::nullopt;
  }
  out.passwordSecret = *secret;
  out.passwordKey = *key;

  auto hosts = stringList(member(spec, "allowedHosts"), "spec.allowedHosts", error);
  if (!hosts) {
    return std::nullopt;
  }
  if (hosts->empty()) {
    *error = "spec.allowedHosts must list at least one host";
    return std::nullopt;
  }
  for (std::size_t i = 0; i < hosts->size(); ++i) {
    const std::string& h = (*hosts)[i];
    if (auto e = mysql::checkHost(h, kMaxHostChars)) {
      *error = indexedField("spec.allowedHosts", i) + " " + mysql::shown(h) + " " + *e;
      return std::nullopt;
    }
    if (std::find(out.hosts.begin(), out.hosts.end(), h) == out.hosts.end()) {
      out.hosts.push_back(h);
    }
  }
  if (!parsePermissions(member(spec, "permissions"), out, error)) {
    return std::nullopt;
  }
  if (!parseLimits(member(spec, "resourceLimits"), out, error)) {
    return std::nullopt;
  }
  return out;
}

std::vector<std::string> appliedHosts(const nlohmann::json& obj) {
  std::vector<std::string> out;
  const json& hosts = member(member(obj, "status"), "allowedHosts");
  if (!hosts.is_array()) {
    return out;
  }
  for (const auto& h : hosts) {
    if (h.is_string() && !mysql::checkHost(h.get<std::string>(), kMaxHostChars) &&
        std::find(out.begin(), out.end(), h.get<std::string>()) == out.end()) {
      out.push_back(h.get<std::string>());
    }
  }
  return out;
}

}  // namespace mysqlop::user
