// The s3:// backup target, exported over the SDK (README.md).
#include "mysqlop/plugin.hpp"
#include "plugins/target_s3/src/s3_target.h"

using S3TargetPlugin = mysqlop::targets3::S3Target;
MYSQLOP_EXPORT_PLUGIN(S3TargetPlugin, "s3", mysqlop_plugin_kind_BackupTarget)
