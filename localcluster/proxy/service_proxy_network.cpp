// The local cluster's constructor: Service IPs go on the cluster's host device through
// node::Network. The tests and the benchmark use the hooks constructor with a device of their own.
#include "localcluster/node/network.h"
#include "localcluster/proxy/service_proxy.h"

namespace mysqlop::local::proxy {

ServiceProxy::ServiceProxy(kube::InformerFactory& informers, node::Network& network,
                           ProxyOptions options)
    : ServiceProxy(
          informers,
          ServiceIpHooks{[&network](const std::string& ip) { return network.addServiceIp(ip); },
                         [&network](const std::string& ip) { return network.removeServiceIp(ip); }},
          std::move(options)) {}

}  // namespace mysqlop::local::proxy
