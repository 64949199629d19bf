#pragma once
// `kubectl exec` on the node: a command started in a running container's namespaces (mount,
// network, pid, uts; its root and working directory) with the container's environment, as CRI
// exec does, with pipes or a pseudo-terminal. Internal to local_kubelet.

#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "localcluster/apiserver/pod_streams.h"

namespace mysqlop::local::kubelet {

// With a tty, stdout is the terminal's master side: once the command (and whatever it started)
// closed the terminal, reading it fails with EIO rather than returning 0.
// Starts `options.command` beside the process `containerPid` (a host pid). Fails with NotFound
// naming the command when the container has no such program (exec: "x": executable file not
// found in $PATH), Unavailable when the container's namespaces cannot be entered (it just ended).
Result<std::unique_ptr<PodProcess>> execInContainer(int containerPid,
                                                    const std::vector<std::string>& env,
                                                    const PodExecOptions& options);

}  // namespace mysqlop::local::kubelet
