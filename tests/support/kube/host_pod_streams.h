#pragma once
// PodStreams with real host processes, for the stream protocol tests: exec runs the command on
// the host (pipes, or a pseudo-terminal with its own session and controlling terminal), port
// connections go to 127.0.0.1:PORT. The kubelet's implementation runs them in the pod's
// namespaces instead; the protocols above do not see the difference.
//
// A pod's container counts as running unless it is listed in notRunning.

#include <atomic>
#include <set>
#include <string>

#include "localcluster/apiserver/pod_streams.h"

namespace mysqlop::testing {

class HostPodStreams : public local::PodStreams {
 public:
  std::set<std::string> notRunning;  // container names answered with "container not found"
  std::atomic<int> started{0};       // processes started by exec
  std::atomic<int> lastPid{0};       // the last one's pid

  Result<void> logs(const nlohmann::json& pod, const local::PodLogOptions& options,
                    local::TextSink& out) override;
  Result<std::unique_ptr<local::PodProcess>> exec(const nlohmann::json& pod,
                                                  const local::PodExecOptions& options) override;
  Result<int> connectPort(const nlohmann::json& pod, std::uint16_t port) override;
};

}  // namespace mysqlop::testing
