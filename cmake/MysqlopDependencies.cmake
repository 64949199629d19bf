# Third-party dependencies, all from Debian packages (see shared/docs/toolchain.md section 1).

# Debian's PocoDataMySQLTargets.cmake references MySQL::client but never defines it; the connector
# links MariaDB Connector/C, so we define the target from libmariadb.
if(NOT TARGET MySQL::client)
  find_library(MARIADB_CLIENT_LIB NAMES mariadb mysqlclient REQUIRED)
  find_path(MARIADB_INCLUDE_DIR NAMES mysql.h PATH_SUFFIXES mariadb mysql REQUIRED)
  add_library(MySQL::client UNKNOWN IMPORTED)
  set_target_properties(MySQL::client PROPERTIES
    IMPORTED_LOCATION "${MARIADB_CLIENT_LIB}" INTERFACE_INCLUDE_DIRECTORIES "${MARIADB_INCLUDE_DIR}")
endif()

find_package(Poco REQUIRED COMPONENTS Foundation Net NetSSL Crypto JSON Util Data DataSQLite DataMySQL)
find_package(Boost 1.74 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)
# nlohmann/json gives value-semantics JSON with RFC 6902/7386 patching built in; Kubernetes objects
# are JSON documents that we copy, diff and patch constantly, which Poco::JSON's shared nested
# pointers make error-prone. Headers only: include <nlohmann/json_fwd.hpp> in our headers.
find_package(nlohmann_json 3.11 REQUIRED)
