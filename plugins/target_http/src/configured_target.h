#pragma once

#include <string_view>

#include "mysqlop/plugin.hpp"

namespace mysqlop::targethttp {

// The frame the bundled HTTP targets share: a BackupTarget whose options are parsed from the
// plugin's `config` when the host creates it (a ConfigError then fails the creation). The target
// inherits the constructor and declares the scheme, the version and the four operations.
template <class Options, Options (*Parse)(std::string_view)>
class ConfiguredTarget : public BackupTarget {
 public:
  explicit ConfiguredTarget(const Context& ctx)
      : BackupTarget(ctx), options_(Parse(ctx.configJson)) {}

 protected:
  Options options_;
};

}  // namespace mysqlop::targethttp
