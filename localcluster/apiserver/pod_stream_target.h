#pragma once
// The checks kube-apiserver makes before it reaches the kubelet for pods/log, pods/exec,
// pods/attach and pods/portforward (pkg/registry/core/pod/strategy.go), with its error texts.

#include <nlohmann/json.hpp>

#include <string>

#include "localcluster/apiserver/api_error.h"

namespace mysqlop::local {

class Store;

enum class PodStreamKind { Log, Exec, Attach, PortForward };

// The pod NAME in namespace NS, or raises 404 `pods "NAME" not found`.
nlohmann::json podForStream(Store& store, const std::string& ns, const std::string& name);

// The container a log/exec/attach request is for: `requested` when the pod has it (init and
// ephemeral containers count), the only container when `requested` is empty and there is one.
// Raises 400: "container C is not valid for pod P", "a container name must be specified for pod
// P, choose one of: [a b]" (init containers first, as kube-apiserver lists them), "a container
// name must be specified for pod P".
std::string containerForStream(const nlohmann::json& pod, const std::string& requested);

// Raises 400 "pod P does not have a host assigned" for exec, attach and port-forward; returns
// false for a log request of an unscheduled pod (kube-apiserver answers it with an empty body).
bool podHasNode(const nlohmann::json& pod, PodStreamKind kind);

}  // namespace mysqlop::local
