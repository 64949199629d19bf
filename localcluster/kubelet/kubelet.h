#pragma once
// The process kubelet: one node, pods as network namespaces, containers as processes under
// bubblewrap. States and invariants: localcluster/kubelet/README.md.

#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::kube {
class Client;
class InformerFactory;
}  // namespace mysqlop::kube

namespace mysqlop::local::node {
class Network;
class Records;
}  // namespace mysqlop::local::node

namespace mysqlop::local::names {
class NameService;
}

namespace mysqlop::local {
class PodStreams;
}

namespace mysqlop::local::kubelet {

struct KubeletOptions {
  std::string nodeName = "local";
  std::string dataDir;  // pods live in DIR/pods/<uid>/ (volumes, logs, etc-hosts)
  // Image profiles: the shipped file first, then --image-profiles files (later ones win).
  std::vector<std::string> imageProfileFiles;
  // ${binDir} of the profiles: where mysql-operator-sidecar lies. Empty: the directory of the
  // running executable (mysql-operator-local's); tests that run a kubelet in their own binary
  // set the build's bin/.
  std::string binDir;
  // What the service-account volume and the in-cluster environment point at.
  std::string caCertPath;             // PEM of the API server's CA
  std::string tokenPath;              // a bearer token the API server accepts
  std::string kubernetesServiceHost;  // ClusterIP of default/kubernetes
  int kubernetesServicePort = 443;
  std::string clusterDomain = "cluster.local";
};

class Kubelet {
 public:
  Kubelet(kube::Client& client, kube::InformerFactory& informers, node::Network& network,
          node::Records& records, names::NameService& names, KubeletOptions options);
  ~Kubelet();  // stops (as stop())
  Kubelet(const Kubelet&) = delete;
  Kubelet& operator=(const Kubelet&) = delete;

  // Registers the Node (Ready, heartbeats on its Lease), schedules unbound pods to it, and runs
  // pods. Fails when an image profile file is unreadable or invalid (file, line and cause).
  Result<void> start();
  // Stops every container (SIGTERM, then SIGKILL after each pod's grace) and removes every pod
  // namespace; pod objects stay as they are (the next start runs them again).
  void stop();

  // The node's side of pods/log, pods/exec and pods/portforward, for the API server
  // (ApiServer::setPodStreams). Valid for the kubelet's life; calls made while it is stopped
  // fail with Unavailable (exec, port-forward) or read the log files alone (logs).
  PodStreams& streams();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mysqlop::local::kubelet
