#pragma once
// The pure parts of a pods/exec or pods/portforward request, before any upgrade: which protocol
// to speak (negotiated from the Upgrade header and the offered subprotocols, with the texts a
// client prints when nothing matches) and the exec options from the query (kube-apiserver's
// PodExecOptions, the kubelet's "at least one stream" rule).

#include <map>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "localcluster/apiserver/pod_streams.h"

namespace mysqlop::local::streams {

enum class StreamKind { Exec, PortForward };

struct ProtocolChoice {
  bool websocket = false;  // else SPDY/3.1
  // The subprotocol (WebSocket: Sec-WebSocket-Protocol) or the stream protocol (SPDY:
  // X-Stream-Protocol-Version) to answer with.
  std::string protocol;
  int httpCode = 101;
};

// The protocols served, in order of preference.
const std::vector<std::string>& servedWebSocketProtocols(StreamKind kind);
const std::vector<std::string>& servedSpdyProtocols(StreamKind kind);

// `upgrade` is the Upgrade header; `offered` the client's Sec-WebSocket-Protocol values (split at
// commas) for a WebSocket, its X-Stream-Protocol-Version values for SPDY. Errors carry the HTTP
// code in the Errc (Invalid 400, Forbidden 403) and a message naming what is served.
Result<ProtocolChoice> negotiateProtocol(StreamKind kind, const std::string& upgrade,
                                         const std::vector<std::string>& offered);

// A query parameter's values, in order.
using QueryValues = std::multimap<std::string, std::string>;

// The exec options from the query: command (repeated), container, stdin, stdout, stderr, tty
// (booleans as Go's strconv.ParseBool reads them; absent means false). `container` is taken as
// given (the caller resolves it). Errors (Errc::Invalid) with kube-apiserver's and the kubelet's
// texts.
Result<PodExecOptions> parseExecQuery(const QueryValues& query);

// Go's strconv.ParseBool.
Result<bool> parseGoBool(const std::string& text);

}  // namespace mysqlop::local::streams
