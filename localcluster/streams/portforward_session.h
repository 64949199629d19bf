#pragma once
// The port-forward protocol (portforward.k8s.io) on an upgraded connection: a SPDY/3.1 session,
// carried either directly on the connection (kubectl < 1.31, or KUBECTL_PORT_FORWARD_WEBSOCKETS=
// false) or tunnelled in binary WebSocket messages (subprotocol SPDY/3.1+portforward.k8s.io,
// kubectl 1.31+).
//
// Per forwarded connection the client opens two streams with the same requestid header: error
// (it only reads) and data. When both are there the session dials the pod's port
// (PodStreams::connectPort) and copies both ways. A failed dial is reported as text on the error
// stream, as the kubelet does. States of a pair: Waiting (one stream) -> Copying (backend
// connected) -> Closed (both directions ended, or either stream reset); the backend socket is
// closed when the pair closes. The session ends when the client leaves or sends GOAWAY.

#include <cstdint>
#include <functional>
#include <string>

#include "core/common/result.h"
#include "localcluster/streams/client_conn.h"

namespace mysqlop::local::streams {

enum class PortForwardWire { Spdy, WebSocketTunnel };

// Dials the pod's port; a connected socket the session owns, or the reason.
using PortDialer = std::function<Result<int>(std::uint16_t port)>;

struct PortForwardResult {
  int pairs = 0;      // data/error pairs served
  std::string error;  // a protocol error that ended the session
};

PortForwardResult runPortForward(ClientConn& conn, PortForwardWire wire, const PortDialer& dial,
                                 const std::string& podName, const std::string& podUid,
                                 const std::function<bool()>& stopping);

}  // namespace mysqlop::local::streams
