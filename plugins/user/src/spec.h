#pragma once

// The spec of a MysqlUser, read and checked before any SQL: what does not depend on the server
// flavor. Flavor-dependent checks (name lengths, privilege names and levels) are made by
// grants.h once the server is known.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mysqlop::user {

struct PermissionSpec {
  std::string schema;                   // "*" = every schema
  std::vector<std::string> tables;      // "*" = every table
  std::vector<std::string> privileges;  // as written
};

struct ResourceLimit {
  std::string key;  // MAX_USER_CONNECTIONS ...
  std::int64_t value = 0;
};

struct UserSpec {
  std::string user;
  std::string passwordSecret;      // spec.password.name (in the MysqlUser's namespace)
  std::string passwordKey;         // spec.password.key
  std::vector<std::string> hosts;  // spec.allowedHosts, duplicates removed, order kept
  std::vector<PermissionSpec> permissions;
  std::vector<ResourceLimit> limits;  // in the order of Dialect::resourceLimitKeys()
};

// Returns the spec, or nullopt with *error naming the field. reserved: user names refused.
std::optional<UserSpec> parseSpec(const nlohmann::json& obj, const std::set<std::string>& reserved,
                                  std::string* error);

// status.allowedHosts of the object (the hosts last applied), valid strings only.
std::vector<std::string> appliedHosts(const nlohmann::json& obj);

// "field[i]": the name of a list element in error messages.
std::string indexedField(const std::string& field, std::size_t i);

}  // namespace mysqlop::user
