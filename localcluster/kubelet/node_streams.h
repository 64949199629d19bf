#pragma once
// The kubelet's side of pods/log, pods/exec and pods/portforward (apiserver/pod_streams.h):
// container log files, processes in running containers, connections in pod network namespaces.
// Internal to local_kubelet; Kubelet::streams() is its public face.

#include "localcluster/apiserver/pod_streams.h"

namespace mysqlop::local::kubelet {

struct KubeletContext;

class NodeStreams final : public PodStreams {
 public:
  // ctx.supervisor and ctx.network are read per call: null (the kubelet is not started) means
  // Unavailable.
  explicit NodeStreams(const KubeletContext& ctx) : ctx_(ctx) {}

  Result<void> logs(const nlohmann::json& pod, const PodLogOptions& options,
                    TextSink& out) override;
  Result<std::unique_ptr<PodProcess>> exec(const nlohmann::json& pod,
                                           const PodExecOptions& options) override;
  Result<int> connectPort(const nlohmann::json& pod, std::uint16_t port) override;

 private:
  const KubeletContext& ctx_;
};

}  // namespace mysqlop::local::kubelet
