#pragma once

// The SQL side of a MysqlUser: bring the accounts user@host of every allowed host to the spec
// (exists, password, resource limits, privileges), and drop accounts. Reads before it writes, so
// an account already as specified costs four SELECTs and no write, and the binary log stays quiet
// between changes; the password is compared through its mysql_native_password hash where the
// server stores one, never sent in a SELECT.

#include <string>
#include <vector>

#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/dialect.h"
#include "plugins/user/src/grants.h"
#include "plugins/user/src/spec.h"

namespace mysqlop::user {

struct AccountResult {
  std::string error;                 // empty on success; never contains the password
  std::vector<std::string> created;  // hosts whose account this pass created
  std::vector<std::string> changes;  // what was done, for the log ("created 'app'@'%'")

  bool ok() const { return error.empty(); }
};

AccountResult applyAccounts(mysql::Connection& conn, const mysql::Dialect& dialect,
                            const UserSpec& spec, const std::string& password,
                            const Grants& desired);

// DROP USER IF EXISTS user@host.
mysql::SqlResult<void> dropAccount(mysql::Connection& conn, const std::string& user,
                                   const std::string& host);

}  // namespace mysqlop::user
