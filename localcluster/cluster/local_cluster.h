#pragma once
// One local cluster: the API server, the controllers, the names and Service proxy, and the
// process kubelet in one process, over the machine's network namespaces. `up` runs one; see
// localcluster/README.md for the commands and localcluster/kubelet/README.md for the design.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "localcluster/cluster/manifests.h"

namespace mysqlop::local::cluster {

struct LocalClusterOptions {
  std::string dataDir;
  std::string listenHost = "127.0.0.1";
  std::uint16_t port = 6443;                   // 0 picks a free port
  std::vector<std::string> applyPaths;         // manifests applied once the cluster runs
  std::vector<std::string> imageProfileFiles;  // after the shipped profiles (later ones win)
  std::string shippedImageProfiles;            // "" = found beside the executable
  std::string podCidr = "198.18.0.0/16";
  std::string serviceCidr = "198.19.0.0/16";
  std::string registryDir = "/run/mysqlop-local";
};

class LocalCluster {
 public:
  explicit LocalCluster(LocalClusterOptions options);
  ~LocalCluster();  // stop()
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  // Checks the machine (one line naming what is missing), removes what a crashed run left
  // behind, then starts every part; on failure, what was started is stopped again.
  Result<void> start();
  // Stops the pods (their objects stay: the next start runs them again), every part, and
  // removes everything made on the machine. Idempotent.
  void stop();

  std::string url() const;
  std::string podSubnet() const;
  std::string serviceSubnet() const;

 private:
  struct Parts;
  Result<void> startParts();
  Result<void> applyManifests();
  LocalClusterOptions options_;
  std::vector<Manifest> manifests_;
  std::unique_ptr<Parts> parts_;
};

// The shipped image profiles: <exe dir>/../share/mysql-operator/image-profiles.yaml, else the
// source tree's localcluster/image-profiles.yaml ("" when neither exists).
std::string defaultImageProfiles();

}  // namespace mysqlop::local::cluster
