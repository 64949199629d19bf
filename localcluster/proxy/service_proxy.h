#pragma once
// The Service proxy, like kube-proxy's userspace mode: for every ClusterIP:port (TCP) of a
// Service it listens on the host, and forwards each new connection to a ready endpoint of the
// Service's EndpointSlices, round-robin; connections already open keep their endpoint.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::kube {
class InformerFactory;
}
namespace mysqlop::local::node {
class Network;
}

namespace mysqlop::local::proxy {

struct ProxyOptions {
  // default/kubernetes is forwarded here (the API server listens on loopback only).
  std::string apiServerHost = "127.0.0.1";
  int apiServerPort = 0;
};

// How the proxy puts a ClusterIP on the machine before listening on it and takes it away after
// (node::Network::addServiceIp/removeServiceIp in the local cluster).
struct ServiceIpHooks {
  std::function<Result<void>(const std::string& ip)> add;
  std::function<Result<void>(const std::string& ip)> remove;
};

class ServiceProxy {
 public:
  ServiceProxy(kube::InformerFactory& informers, node::Network& network, ProxyOptions options);
  ServiceProxy(kube::InformerFactory& informers, ServiceIpHooks ips, ProxyOptions options);
  ~ServiceProxy();
  void start();  // registers informer handlers; call before informers.start()
  void stop();   // closes listeners and open connections, removes the Service IPs

  // For status, tests and benchmarks: the "ip:port" pairs listened on, sorted, and counters.
  std::vector<std::string> listening() const;
  struct Stats {
    std::uint64_t accepted = 0;   // client connections accepted
    std::uint64_t forwarded = 0;  // ... that reached a backend
    std::uint64_t refused = 0;    // ... closed because no backend answered (or none was ready)
    std::uint64_t open = 0;       // connections being forwarded now
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mysqlop::local::proxy
