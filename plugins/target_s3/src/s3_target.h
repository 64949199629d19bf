#pragma once

#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "mysqlop/plugin.hpp"
#include "plugins/target_http/src/configured_target.h"
#include "plugins/target_s3/src/s3_config.h"

namespace mysqlop::targets3 {

// The s3:// backup target (README.md). A writer buffers one part (config partSize) at a time:
// small objects go up in one PutObject on commit; larger ones as a multipart upload that commit
// completes and abort (or a failed commit) aborts, so nothing is visible before commit.
class S3Target : public targethttp::ConfiguredTarget<Options, parseOptions> {
 public:
  static constexpr const char* kVersion = "1.0.0";
  static constexpr std::array<mysqlop_type_str, 1> kSchemes = {lit("s3")};

  using ConfiguredTarget::ConfiguredTarget;

  std::unique_ptr<BackupWriter> openWriter(Call& call, std::string_view url,
                                           const Credentials& credentials) override;
  std::unique_ptr<BackupReader> openReader(Call& call, std::string_view url,
                                           const Credentials& credentials) override;
  std::vector<ObjectInfo> list(Call& call, std::string_view urlPrefix,
                               const Credentials& credentials) override;
  void remove(Call& call, std::string_view url, const Credentials& credentials) override;

  // Creates a bucket (tests and tools; not part of the ABI). AlreadyExists when it exists.
  static void createBucket(const Options& options, const Credentials& credentials,
                           const std::string& bucket);
};

}  // namespace mysqlop::targets3
