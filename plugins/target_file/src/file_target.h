#pragma once

#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "mysqlop/plugin.hpp"
#include "plugins/target_file/src/file_url.h"

namespace mysqlop::targetfile {

// The file:// backup target (README.md): objects are files; a writer fills a hidden temporary
// file beside its object and renames it over the object on commit (after fsync), so a reader
// sees the old file or the whole new one.
class FileTarget : public BackupTarget {
 public:
  static constexpr const char* kVersion = "1.0.0";
  static constexpr std::array<mysqlop_type_str, 1> kSchemes = {lit("file")};

  explicit FileTarget(const Context& ctx);

  std::unique_ptr<BackupWriter> openWriter(Call& call, std::string_view url,
                                           const Credentials& credentials) override;
  std::unique_ptr<BackupReader> openReader(Call& call, std::string_view url,
                                           const Credentials& credentials) override;
  std::vector<ObjectInfo> list(Call& call, std::string_view urlPrefix,
                               const Credentials& credentials) override;
  void remove(Call& call, std::string_view url, const Credentials& credentials) override;

 private:
  Options options_;
};

}  // namespace mysqlop::targetfile
