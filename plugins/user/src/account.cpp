#include "plugins/user/src/account.h"

#include "plugins/common/mysql/identifiers.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace mysqlop::user {
namespace {

using mysql::Arg;
using mysql::Dialect;

std::string account(const std::string& user, const std::string& host) {
  return Dialect::grantee(user, host);
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    out += out.empty() ? s : ", " + s;
  }
  return out;
}

}  // namespace

AccountResult applyAccounts(mysql::Connection& conn, const mysql::Dialect& dialect,
                            const UserSpec& spec, const std::string& password,
                            const Grants& desired) {
  AccountResult result;
  const std::string& user = spec.user;
  auto fail = [&](const mysql::SqlError& e, const std::string& doing) {
    result.error = e.describe(doing);
    return result;
  };

  // 1. The accounts that exist, with their password hash and limits.
  std::vector<Arg> args = {Arg::text(user)};
  for (const std::string& h : spec.hosts) {
    args.push_back(Arg::text(h));
  }
  auto rows = conn.query(dialect.selectAccounts(spec.hosts.size()), args);
  if (!rows.ok()) {
    return fail(rows.error(), "reading the accounts of " + mysql::shown(user));
  }
  std::map<std::string, mysql::Row> existing;
  for (const mysql::Row& r : rows->rows) {
    existing[r[0].value_or("")] = r;
  }
  const auto& limitKeys = dialect.resourceLimitKeys();

  // The limits the spec asks for, in the Dialect's order: a key missing from the spec means 0,
  // unlimited.
  std::vector<std::int64_t> wanted(limitKeys.size(), 0);
  for (std::size_t k = 0; k < limitKeys.size(); ++k) {
    for (const ResourceLimit& l : spec.limits) {
      if (l.key == limitKeys[k].key) {
        wanted[k] = l.value;
      }
    }
  }

  for (const std::string& host : spec.hosts) {
    const std::string who = account(user, host);
    auto found = existing.find(host);
    if (found == existing.end()) {
      // A new account gets its limits in the same statement.
      std::vector<std::string_view> keys;
      std::vector<Arg> createArgs = {Arg::text(user), Arg::text(host), Arg::secret(password)};
      for (std::size_t k = 0; k < limitKeys.size(); ++k) {
        if (wanted[k] != 0) {
          keys.push_back(limitKeys[k].key);
          createArgs.push_back(Arg::integer(wanted[k]));
        }
      }
      auto c = conn.exec(Dialect::createUser(keys), createArgs);
      if (!c.ok()) {
        return fail(c.error(), "creating " + who);
      }
      result.created.push_back(host);
      result.changes.push_back("created " + who);
      continue;
    }
    const mysql::Row& r = found->second;
    const std::string plugin = r[1].value_or("");
    const bool same = Dialect::canCompareStoredPassword(plugin) &&
                      r[2].value_or("") == Dialect::nativePasswordHash(password);
    if (!same) {
      auto a = conn.exec(Dialect::alterUserPassword(),
                         {Arg::text(user), Arg::text(host), Arg::secret(password)});
      if (!a.ok()) {
        return fail(a.error(), "setting the password of " + who);
      }
      result.changes.push_back("set the password of " + who);
    }
    // 2. Resource limits of an existing account.
    std::vector<std::string_view> keys;
    std::vector<Arg> values = {Arg::text(user), Arg::text(host)};
    for (std::size_t k = 0; k < limitKeys.size(); ++k) {
      const auto& cellValue = r[3 + k];
      const std::int64_t have = cellValue ? std::strtoll(cellValue->c_str(), nullptr, 10) : 0;
      if (wanted[k] != have) {
        keys.push_back(limitKeys[k].key);
        values.push_back(Arg::integer(wanted[k]));
      }
    }
    if (!keys.empty()) {
      auto l = conn.exec(Dialect::alterUserLimits(keys), values);
      if (!l.ok()) {
        return fail(l.error(), "setting the resource limits of " + who);
      }
      result.changes.push_back("set the resource limits of " + who);
    }
  }

  // 3. Privileges, read for every host at once.
  std::vector<Arg> grantees;
  for (const std::string& h : spec.hosts) {
    grantees.push_back(Arg::text(Dialect::grantee(user, h)));
  }
  auto global =
      conn.query(Dialect::selectGrants(mysql::GrantLevel::Global, grantees.size()), grantees);
  auto schema =
      conn.query(Dialect::selectGrants(mysql::GrantLevel::Schema, grantees.size()), grantees);
  auto table =
      conn.query(Dialect::selectGrants(mysql::GrantLevel::Table, grantees.size()), grantees);
  for (auto* r : {&global, &schema, &table}) {
    if (!r->ok()) {
      return fail(r->error(), "reading the privileges of " + mysql::shown(user));
    }
  }
  const auto reported = reportedGrants(*global, *schema, *table);
  for (const std::string& host : spec.hosts) {
    const std::string who = account(user, host);
    auto it = reported.find(Dialect::grantee(user, host));
    const Grants none;
    for (const GrantChange& change :
         planGrants(desired, it == reported.end() ? none : it->second, dialect)) {
      auto g = conn.exec(change.sql(), {Arg::text(user), Arg::text(host)});
      const std::string what = joined(change.privileges) + " ON " + change.target.sql() +
                               (change.revoke ? " FROM " : " TO ") + who;
      if (!g.ok()) {
        return fail(g.error(), (change.revoke ? "revoking " : "granting ") + what);
      }
      result.changes.push_back((change.revoke ? "revoked " : "granted ") + what);
    }
  }
  return result;
}

mysql::SqlResult<void> dropAccount(mysql::Connection& conn, const std::string& user,
                                   const std::string& host) {
  return conn.exec(Dialect::dropUser(), {Arg::text(user), Arg::text(host)});
}

}  // namespace mysqlop::user
