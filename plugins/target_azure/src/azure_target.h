#pragma once

#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "mysqlop/plugin.hpp"
#include "plugins/target_azure/src/azure_config.h"
#include "plugins/target_http/src/configured_target.h"

namespace mysqlop::targetazure {

// The azure:// backup target (README.md). A writer buffers one block (config blockSize): an
// object of at most one block goes up as one Put Blob on commit; a larger one as Put Block per
// block and Put Block List on commit. Uncommitted blocks are never visible (Azure drops them
// after a week), so nothing is visible before commit and abort has nothing to send.
class AzureTarget : public targethttp::ConfiguredTarget<Options, parseOptions> {
 public:
  static constexpr const char* kVersion = "1.0.0";
  static constexpr std::array<mysqlop_type_str, 1> kSchemes = {lit("azure")};

  using ConfiguredTarget::ConfiguredTarget;

  std::unique_ptr<BackupWriter> openWriter(Call& call, std::string_view url,
                                           const Credentials& credentials) override;
  std::unique_ptr<BackupReader> openReader(Call& call, std::string_view url,
                                           const Credentials& credentials) override;
  std::vector<ObjectInfo> list(Call& call, std::string_view urlPrefix,
                               const Credentials& credentials) override;
  void remove(Call& call, std::string_view url, const Credentials& credentials) override;

  // Creates a container (tests and tools; not part of the ABI). AlreadyExists when it exists.
  static void createContainer(const Options& options, const Credentials& credentials,
                              const std::string& container);
};

}  // namespace mysqlop::targetazure
