// The azure:// backup target, exported over the SDK (README.md).
#include "mysqlop/plugin.hpp"
#include "plugins/target_azure/src/azure_target.h"

using AzureTargetPlugin = mysqlop::targetazure::AzureTarget;
MYSQLOP_EXPORT_PLUGIN(AzureTargetPlugin, "azure", mysqlop_plugin_kind_BackupTarget)
