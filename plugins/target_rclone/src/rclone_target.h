#pragma once

#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "mysqlop/plugin.hpp"
#include "plugins/target_rclone/src/rclone_remote.h"

namespace mysqlop::targetrclone {

// bitpoke's other schemes through Debian's rclone (README.md). A writer streams into
// `rclone rcat` of a temporary name beside the object and commit renames it with
// `rclone moveto`; readers are `rclone cat`, list is `rclone lsjson -R`, remove `deletefile`.
class RcloneTarget : public BackupTarget {
 public:
  static constexpr const char* kVersion = "1.0.0";
  static constexpr std::array<mysqlop_type_str, 4> kSchemes = {lit("gd"), lit("hdfs"), lit("http"),
                                                               lit("rclone")};

  explicit RcloneTarget(const Context& ctx);

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

}  // namespace mysqlop::targetrclone
