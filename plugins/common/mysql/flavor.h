#pragma once

// Which server a MysqlCluster runs: MySQL (Percona images in production) or MariaDB, and its
// version. Pure logic, no I/O: the cluster plugin uses it to pick images and config, the database
// and user plugins to pick the SQL dialect (see dialect.h).
//
// The agreed convention for spec.mysqlVersion / spec.image:
//   ""                      MySQL 5.7.35 (bitpoke's default), unless the image is MariaDB
//   "5.7", "8.0"            MySQL 5.7.35 and 8.0.20 (bitpoke's aliases)
//   "X.Y", "X.Y.Z"          MySQL X.Y.0 / X.Y.Z (5.7 or 8+; "10.x" is refused with a hint)
//   "mariadb-X.Y[.Z]"       MariaDB X.Y[.Z] (10+)
//   an image whose name contains "mariadb" (any case) means MariaDB; its version is then taken
//   from "mariadb-X" in spec.mysqlVersion, else from the image tag ("mariadb:10.11.6-jammy"),
//   else from a plain spec.mysqlVersion of 10 or more.

#include <optional>
#include <string>
#include <string_view>

namespace mysqlop::mysql {

enum class Flavor { MySQL, MariaDB };

// "MySQL" or "MariaDB".
const char* flavorName(Flavor flavor);

struct ServerVersion {
  Flavor flavor = Flavor::MySQL;
  int major = 0;
  int minor = 0;
  int patch = 0;

  // "5.7.35", "10.11.0" (without the flavor).
  std::string number() const;
  // "MySQL 5.7.35", "MariaDB 10.11.0".
  std::string describe() const;
  // True when this version is at least major.minor.patch (flavors are not compared).
  bool atLeast(int maj, int min, int pat = 0) const;

  bool operator==(const ServerVersion& o) const {
    return flavor == o.flavor && major == o.major && minor == o.minor && patch == o.patch;
  }
};

// A parsed version, or the reason the input cannot be parsed. The message names the spec field
// and quotes the value, so that it can go into a status condition as is.
struct VersionParse {
  std::optional<ServerVersion> version;
  std::string error;

  bool ok() const { return version.has_value(); }
};

// bitpoke's default spec.mysqlVersion.
inline constexpr std::string_view kDefaultMysqlVersion = "5.7.35";

// Parses a MysqlCluster's spec.mysqlVersion together with spec.image ("" when unset).
VersionParse parseServerVersion(std::string_view mysqlVersion, std::string_view image = {});

// Parses the version string a server reports (SELECT VERSION(), mysql_get_server_info):
// "10.11.19-MariaDB-0+deb12u1-log" is MariaDB 10.11.19, "8.0.20-11" and "5.7.35-38-log" are MySQL.
// The error names the string.
VersionParse parseServerInfo(std::string_view info);

// True when an image reference names MariaDB ("mariadb" anywhere in it, any case).
bool isMariaDbImage(std::string_view image);

}  // namespace mysqlop::mysql
