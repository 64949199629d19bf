#pragma once
// Cluster DNS without a DNS server: every pod gets an /etc/hosts of its own listing itself, the
// pods of headless Services and every Service under its four names, rewritten in place (same
// inode, it is bind-mounted) whenever Services, Endpoints or pods change.

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/common/result.h"

namespace mysqlop::kube {
class InformerFactory;
}

namespace mysqlop::local::names {

class NameService {
 public:
  NameService(kube::InformerFactory& informers, std::string dataDir,
              std::string clusterDomain = "cluster.local");
  ~NameService();
  void start();  // registers its informer handlers; call before informers.start()
  void stop();

  // Writes DIR/pods/<uid>/etc-hosts (and etc-resolv.conf) for the pod (which has status.podIP or
  // the ip given) and keeps them current until forget(). Returns the two paths.
  struct Files {
    std::string hosts;
    std::string resolvConf;
  };
  Result<Files> filesFor(const nlohmann::json& pod, const std::string& podIp);
  void forget(const std::string& podUid);

  // For tests and logs: rounds of re-rendering after changes, and files actually rewritten
  // (a round whose text did not change for a pod writes nothing).
  struct Stats {
    std::uint64_t renders = 0;
    std::uint64_t writes = 0;
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mysqlop::local::names
