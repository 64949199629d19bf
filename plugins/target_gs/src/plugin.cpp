// The gs:// backup target, exported over the SDK (README.md).
#include "mysqlop/plugin.hpp"
#include "plugins/target_gs/src/gs_target.h"

using GsTargetPlugin = mysqlop::targetgs::GsTarget;
MYSQLOP_EXPORT_PLUGIN(GsTargetPlugin, "gs", mysqlop_plugin_kind_BackupTarget)
