#include "plugins/user/src/grants.h"

#include <algorithm>

#include "plugins/common/mysql/identifiers.h"
#include "plugins/user/src/spec.h"

namespace mysqlop::user {
namespace {

using mysql::GrantLevel;
using mysql::GrantTarget;

constexpr const char* kAll = "ALL PRIVILEGES";
constexpr const char* kUsage = "USAGE";
constexpr const char* kGrantOption = "GRANT OPTION";

const std::string& cell(const mysql::Rows& rows, const mysql::Row& row, const char* column) {
  static const std::string kEmpty;
  const int i = rows.column(column);
  if (i < 0 || !row[static_cast<std::size_t>(i)]) {
    return kEmpty;
  }
  return *row[static_cast<std::size_t>(i)];
}

void addRows(std::map<std::string, Grants>& out, GrantLevel level, const mysql::Rows& rows) {
  for (const mysql::Row& row : rows.rows) {
    GrantTarget target;
    target.level = level;
    if (level != GrantLevel::Global) {
      target.schema = cell(rows, row, "TABLE_SCHEMA");
    }
    if (level == GrantLevel::Table) {
      target.table = cell(rows, row, "TABLE_NAME");
    }
    LevelGrants& g = out[cell(rows, row, "GRANTEE")][target];
    const std::string& privilege = cell(rows, row, "PRIVILEGE_TYPE");
    if (privilege != kUsage) {
      g.privileges.insert(privilege);
    }
    if (cell(rows, row, "IS_GRANTABLE") == "YES") {
      g.grantOption = true;
    }
  }
}

}  // namespace

std::string GrantChange::sql() const {
  return revoke ? mysql::Dialect::revoke(privileges, target)
                : mysql::Dialect::grant(privileges, target);
}

std::optional<Grants> desiredGrants(const UserSpec& spec, const mysql::Dialect& dialect,
                                    std::string* error) {
  if (auto e = mysql::checkUserName(spec.user, dialect.maxUserNameChars())) {
    *error =
        "spec.user " + mysql::shown(spec.user) + " " + *e + " on " + dialect.version().describe();
    return std::nullopt;
  }
  for (std::size_t i = 0; i < spec.hosts.size(); ++i) {
    if (auto e = mysql::checkHost(spec.hosts[i], dialect.maxHostChars())) {
      *error = indexedField("spec.allowedHosts", i) + " " + mysql::shown(spec.hosts[i]) + " " + *e +
               " on " + dialect.version().describe();
      return std::nullopt;
    }
  }
  Grants out;
  for (std::size_t i = 0; i < spec.permissions.size(); ++i) {
    const PermissionSpec& p = spec.permissions[i];
    const std::string field = indexedField("spec.permissions", i) + ".permissions";
    for (const std::string& table : p.tables) {
      GrantTarget target;
      if (p.schema == "*") {
        target.level = GrantLevel::Global;
      } else if (table == "*") {
        target.level = GrantLevel::Schema;
        target.schema = mysql::schemaGrantPattern(p.schema);  // the exact schema, not a pattern
      } else {
        target.level = GrantLevel::Table;
        target.schema = p.schema;
        target.table = table;
      }
      LevelGrants& g = out[target];
      for (std::size_t k = 0; k < p.privileges.size(); ++k) {
        const std::string normalized = mysql::Dialect::normalizePrivilege(p.privileges[k]);
        auto check = dialect.checkPrivilege(normalized, target.level);
        if (!check.canonical) {
          *error = indexedField(field, k) + " " + check.error;
          return std::nullopt;
        }
        if (*check.canonical == kGrantOption) {
          g.grantOption = true;
        } else if (*check.canonical != kUsage) {
          g.privileges.insert(*check.canonical);
        }
      }
    }
  }
  return out;
}

std::map<std::string, Grants> reportedGrants(const mysql::Rows& global, const mysql::Rows& schema,
                                             const mysql::Rows& table) {
  std::map<std::string, Grants> out;
  addRows(out, GrantLevel::Global, global);
  addRows(out, GrantLevel::Schema, schema);
  addRows(out, GrantLevel::Table, table);
  return out;
}

std::vector<GrantChange> planGrants(const Grants& desired, const Grants& actual,
                                    const mysql::Dialect& dialect) {
  static const LevelGrants kNone;
  std::vector<GrantChange> revokes;
  std::vector<GrantChange> grants;
  std::set<GrantTarget> targets;
  for (const auto& [t, g] : desired) {
    targets.insert(t);
  }
  for (const auto& [t, g] : actual) {
    targets.insert(t);
  }
  for (const GrantTarget& t : targets) {
    auto d = desired.find(t);
    auto a = actual.find(t);
    const LevelGrants& want = d == desired.end() ? kNone : d->second;
    const LevelGrants& have = a == actual.end() ? kNone : a->second;
    std::vector<std::string> toGrant;
    std::vector<std::string> toRevoke;
    if (want.privileges.count(kAll) != 0) {
      const auto& expansion = dialect.allPrivileges(t.level);
      const bool complete =
          !expansion.empty() &&
          std::all_of(expansion.begin(), expansion.end(),
                      [&](const std::string& p) { return have.privileges.count(p) != 0; });
      if (!complete) {
        toGrant.emplace_back(kAll);
      }
      for (const std::string& p : have.privileges) {
        if (!expansion.empty() &&
            std::find(expansion.begin(), expansion.end(), p) == expansion.end()) {
          toRevoke.push_back(p);  // not part of ALL at this level: granted by hand
        }
      }
    } else {
      for (const std::string& p : want.privileges) {
        if (have.privileges.count(p) == 0) {
          toGrant.push_back(p);
        }
      }
      for (const std::string& p : have.privileges) {
        if (want.privileges.count(p) == 0) {
          toRevoke.push_back(p);
        }
      }
    }
    if (want.grantOption && !have.grantOption) {
      toGrant.emplace_back(kGrantOption);
    }
    if (!want.grantOption && have.grantOption) {
      toRevoke.emplace_back(kGrantOption);
    }
    if (!toRevoke.empty()) {
      revokes.push_back({true, t, toRevoke});
    }
    if (toGrant.size() > 1 && toGrant.front() == kAll && toGrant.back() == kGrantOption) {
      // ALL PRIVILEGES stands alone in a GRANT: GRANT OPTION goes in its own statement.
      grants.push_back({false, t, {kAll}});
      grants.push_back({false, t, {kGrantOption}});
    } else if (!toGrant.empty()) {
      grants.push_back({false, t, toGrant});
    }
  }
  revokes.insert(revokes.end(), grants.begin(), grants.end());
  return revokes;
}

}  // namespace mysqlop::user
