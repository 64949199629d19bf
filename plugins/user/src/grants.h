#pragma once

// Privileges of a MysqlUser: what its spec asks for on a given server, what the server reports,
// and the GRANT / REVOKE statements that turn one into the other. Pure logic.
//
// The spec is the whole truth about the account's privileges at the global, schema and table
// levels: privileges removed from the spec, or granted by hand, are revoked. Column and routine
// privileges, proxies and roles are left alone.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/dialect.h"
#include "plugins/user/src/spec.h"

namespace mysqlop::user {

struct LevelGrants {
  std::set<std::string> privileges;  // canonical names; "ALL PRIVILEGES" possible in desired
  bool grantOption = false;

  bool operator==(const LevelGrants& o) const {
    return privileges == o.privileges && grantOption == o.grantOption;
  }
};
using Grants = std::map<mysql::GrantTarget, LevelGrants>;

// Checks what depends on the server (name lengths) and builds the grants the spec asks for, or
// returns nullopt with *error naming the field (spec.user, spec.allowedHosts[i],
// spec.permissions[i].permissions[k]).
std::optional<Grants> desiredGrants(const UserSpec& spec, const mysql::Dialect& dialect,
                                    std::string* error);

// The grants information_schema reports, per grantee ('user'@'host'), from the rows of
// Dialect::selectGrants at each level.
std::map<std::string, Grants> reportedGrants(const mysql::Rows& global, const mysql::Rows& schema,
                                             const mysql::Rows& table);

struct GrantChange {
  bool revoke = false;
  mysql::GrantTarget target;
  std::vector<std::string> privileges;  // canonical names, "GRANT OPTION" included

  // The statement (args: user, host).
  std::string sql() const;
};

// Revokes first (privileges only ever shrink before they grow), then grants. ALL PRIVILEGES is
// granted when the server lacks any privilege of its expansion at that level (always, at the
// global level, whose expansion is not tracked) and keeps everything at its level.
std::vector<GrantChange> planGrants(const Grants& desired, const Grants& actual,
                                    const mysql::Dialect& dialect);

}  // namespace mysqlop::user
