#include "plugins/cluster/src/images.h"

#include <array>

namespace mysqlop::cluster {

namespace {

// bitpoke's MysqlImageVersions, by version (Percona Server images).
constexpr std::array<std::string_view, 6> kPerconaVersions = {"5.7.35", "5.7.31", "5.7.29",
                                                              "5.7.26", "5.7.24", "8.0.20"};

}  // namespace

std::string chooseMysqlImage(const mysql::ServerVersion& version, std::string_view rawVersion,
                             std::string_view specImage, const Options& options) {
  if (!specImage.empty()) {
    return std::string(specImage);
  }
  const std::string number = version.number();
  const bool mariadb = version.flavor == mysql::Flavor::MariaDB;
  for (const std::string& key : {std::string(rawVersion), mariadb ? "mariadb-" + number : number}) {
    if (auto it = options.mysqlVersionsToImage.find(key);
        !key.empty() && it != options.mysqlVersionsToImage.end()) {
      return it->second;
    }
  }
  if (mariadb) {
    // The official image is tagged by "X.Y" and "X.Y.Z"; keep what the user wrote.
    std::string_view tag =
        rawVersion.substr(0, 8) == "mariadb-" ? rawVersion.substr(8) : std::string_view(number);
    return "docker.io/library/mariadb:" + std::string(tag);
  }
  for (std::string_view known : kPerconaVersions) {
    if (known == number) {
      return "docker.io/library/percona:" + number;
    }
  }
  return "";
}

std::string defaultSidecarImage(const mysql::ServerVersion& version, const Options& options) {
  if (version.flavor == mysql::Flavor::MariaDB) {
    return options.sidecarMariadbImage.empty() ? options.sidecarImage : options.sidecarMariadbImage;
  }
  return version.major >= 8 ? options.sidecarMysql8Image : options.sidecarImage;
}

}  // namespace mysqlop::cluster
