#pragma once
// Mount points that bwrap makes on the host. The container's root is a --dev-bind of the host's
// `/`, so a bind target that does not exist (a pod's `/var/run/secrets/...`) is created by bwrap
// in the host's own file system. The supervisor records the top-most directory that was missing
// before the spawn (kind "mountpoint"); cleanUp removes it again once it holds nothing but empty
// directories and empty files. Internal to local_node.

#include <string>
#include <vector>

#include "core/common/result.h"
#include "localcluster/node/supervisor.h"

namespace mysqlop::local::node {

// The top-most missing directory of each bind target that lies in the host's own file system
// (a target under an earlier bind is made inside that bind's source, not on the host).
std::vector<std::string> missingMountPoints(const std::vector<Bind>& binds);

// Removes path when it is a tree of empty directories and empty regular files; a path that is
// gone already is success. Anything else (content, a symlink) fails naming it, removing nothing.
Result<void> removeEmptyTree(const std::string& path);

}  // namespace mysqlop::local::node
