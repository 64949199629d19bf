// The rclone backup target (gd://, hdfs://, http://, rclone://), exported over the SDK (README.md).
#include "mysqlop/plugin.hpp"
#include "plugins/target_rclone/src/rclone_target.h"

using RcloneTargetPlugin = mysqlop::targetrclone::RcloneTarget;
MYSQLOP_EXPORT_PLUGIN(RcloneTargetPlugin, "rclone", mysqlop_plugin_kind_BackupTarget)
