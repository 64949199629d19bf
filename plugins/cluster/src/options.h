#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace mysqlop::cluster {

// Operator-wide settings (operator_json, bitpoke's flags) merged with this plugin's own config.
struct Options {
  std::string sidecarImage = "docker.io/bitpoke/mysql-operator-sidecar-5.7:latest";
  std::string sidecarMysql8Image = "docker.io/bitpoke/mysql-operator-sidecar-8.0:latest";
  // MariaDB pods need a sidecar with mariadb-backup; plugin config sidecarMariadbImage, else
  // --sidecar-image (whose help names MariaDB too).
  std::string sidecarMariadbImage;
  std::string metricsExporterImage = "prom/mysqld-exporter:v0.13.0";
  std::string imagePullPolicy = "IfNotPresent";
  std::string imagePullSecret;
  std::string orchestratorUri;
  std::string orchestratorTopologyUser;
  std::string orchestratorTopologyPassword;
  bool failoverBeforeShutdown = true;
  // version ("5.7.35", "mariadb-10.11") -> image, from --mysql-versions-to-image.
  std::map<std::string, std::string> mysqlVersionsToImage;
  std::string watchNamespace;
};

// Parses operator_json and the plugin config JSON ({} when empty). Unknown keys are ignored, as
// the ABI asks. Throws mysqlop::ConfigError naming the key when a known key has the wrong type.
Options parseOptions(std::string_view operatorJson, std::string_view configJson);

}  // namespace mysqlop::cluster
