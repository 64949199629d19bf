#pragma once

// Settings of the backup plugin: the operator settings it uses and its own `config`.

#include <optional>
#include <string>
#include <string_view>

namespace mysqlop::backup {

struct Options {
  // --sidecar-image: the Jobs' image when the cluster's StatefulSet (the truth: the sidecar image
  // the cluster plugin chose) and spec.sidecarImage give none; config.sidecarImage overrides it.
  std::string sidecarImage;
  std::string imagePullPolicy = "IfNotPresent";  // --image-pull-policy
  std::string imagePullSecret;                   // --image-pull-secret
  // config.backoffLimit: the backup Job's spec.backoffLimit. Unset as bitpoke (Kubernetes: 6).
  std::optional<int> backoffLimit;
};

// Throws mysqlop::ConfigError naming the key on a bad value or an unknown config key.
Options parseOptions(std::string_view operatorJson, std::string_view configJson);

}  // namespace mysqlop::backup
