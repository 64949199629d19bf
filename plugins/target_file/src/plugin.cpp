// The file:// backup target, exported over the SDK (README.md).
#include "mysqlop/plugin.hpp"
#include "plugins/target_file/src/file_target.h"

using FileTargetPlugin = mysqlop::targetfile::FileTarget;
MYSQLOP_EXPORT_PLUGIN(FileTargetPlugin, "file", mysqlop_plugin_kind_BackupTarget)
