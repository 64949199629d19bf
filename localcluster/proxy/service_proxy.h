#pragma once
// The Service proxy, like kube-proxy's userspace mode: for every ClusterIP:port (TCP) of a
// Service it listens on the host, and forwards each new connection to a ready endpoint of the
// Service's EndpointSlices, round-robin; connections already open keep their endpoint.

#include <functional>
#include <memory>
#include <string>

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

class ServiceProxy {
 public:
  ServiceProxy(kube::InformerFactory& informers, node::Network& network, ProxyOptions options);
  ~ServiceProxy();
  void start();  // registers informer handlers; call before informers.start()
  void stop();   // closes listeners and open connections, removes the Service IPs

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mysqlop::local::proxy
