#pragma once

#include <string>
#include <string_view>

#include "plugins/cluster/src/options.h"
#include "plugins/common/mysql/flavor.h"

namespace mysqlop::cluster {

// The server image: spec.image, else --mysql-versions-to-image (keyed by the spec value, the
// version number or "mariadb-<number>"), else bitpoke's Percona images for the MySQL versions it
// knows, else the official MariaDB image of the requested version. "" when none is known.
std::string chooseMysqlImage(const mysql::ServerVersion& version, std::string_view rawVersion,
                             std::string_view specImage, const Options& options);

// The sidecar image for this flavor: MariaDB's, MySQL 8's or the 5.7 one.
std::string defaultSidecarImage(const mysql::ServerVersion& version, const Options& options);

}  // namespace mysqlop::cluster
