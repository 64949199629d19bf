#pragma once

#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "mysqlop/plugin.hpp"
#include "plugins/target_gs/src/gs_config.h"
#include "plugins/target_gs/src/token_cache.h"
#include "plugins/target_http/src/configured_target.h"

namespace mysqlop::targetgs {

// The gs:// backup target (README.md): the JSON API with an OAuth2 token from the service
// account (a JWT signed RS256). A writer buffers one chunk and streams it into a resumable upload
// session; the object exists only once the last chunk (with the total size) is accepted.
class GsTarget : public targethttp::ConfiguredTarget<Options, parseOptions> {
 public:
  static constexpr const char* kVersion = "1.0.0";
  static constexpr std::array<mysqlop_type_str, 1> kSchemes = {lit("gs")};

  using ConfiguredTarget::ConfiguredTarget;

  std::unique_ptr<BackupWriter> openWriter(Call& call, std::string_view url,
                                           const Credentials& credentials) override;
  std::unique_ptr<BackupReader> openReader(Call& call, std::string_view url,
                                           const Credentials& credentials) override;
  std::vector<ObjectInfo> list(Call& call, std::string_view urlPrefix,
                               const Credentials& credentials) override;
  void remove(Call& call, std::string_view url, const Credentials& credentials) override;

 private:
  std::unique_ptr<TokenCache> tokens_ = std::make_unique<TokenCache>();
};

}  // namespace mysqlop::targetgs
