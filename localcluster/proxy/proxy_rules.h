#pragma once
// The pure half of the Service proxy: which ClusterIP:port pairs to listen on, and which ready
// backends a connection to one of them may go to, read from Services and EndpointSlices.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace mysqlop::local::proxy {

// One TCP port of a Service with a ClusterIP.
struct ServicePort {
  std::string serviceKey;  // "ns/name"
  std::string portName;    // spec.ports[].name ("" for a single unnamed port)
  std::string clusterIp;
  int port = 0;

  std::string listenKey() const { return clusterIp + ":" + std::to_string(port); }
  bool operator==(const ServicePort&) const = default;
};

struct Backend {
  std::string ip;
  int port = 0;

  bool operator==(const Backend&) const = default;
  bool operator<(const Backend& o) const { return ip != o.ip ? ip < o.ip : port < o.port; }
};

// The TCP ports of a Service that has a ClusterIP (not None, not ExternalName); SCTP and UDP
// ports are not proxied (the local cluster has no use for them).
std::vector<ServicePort> proxiedPorts(const nlohmann::json& service);

// What the proxy keeps of one EndpointSlice.
struct SliceView {
  std::string serviceKey;             // "ns/<kubernetes.io/service-name>"; "" = not a Service's
  std::vector<std::string> readyIps;  // conditions.ready true or absent, IPv4 only
  std::map<std::string, int> ports;   // slice port name -> port number (TCP)

  bool operator==(const SliceView&) const = default;
};
SliceView sliceView(const nlohmann::json& slice);

// The backends of one Service port: from each slice, its ready addresses with the slice port of
// the same name (that is how the EndpointSlice controller resolved targetPort, per pod); a slice
// without that port contributes nothing. Sorted and without duplicates.
std::vector<Backend> backendsFor(const std::string& portName,
                                 const std::vector<const SliceView*>& slices);

// Per Service port, a cursor over its backends: each new connection starts at the next backend
// and falls back to the ones after it. Not thread-safe (the caller locks).
class RoundRobin {
 public:
  // The backends in the order this connection tries them.
  std::vector<Backend> next(const std::string& key, const std::vector<Backend>& backends);
  void forget(const std::string& key) { cursors_.erase(key); }

 private:
  std::map<std::string, std::size_t> cursors_;
};

}  // namespace mysqlop::local::proxy
