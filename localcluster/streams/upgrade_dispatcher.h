#pragma once
// Where the HTTP front hands pods/exec, pods/attach and pods/portforward requests, before their
// body is read: kube-apiserver's checks (authentication, the pod, its container and node, the
// exec options), protocol negotiation, the 101 answer, then the session on the detached
// connection (the HTTP server never reuses it). Runs on the HTTP server's thread until the
// session ends.

namespace Poco::Net {  // NOLINT(readability-identifier-naming): Poco's name, not ours
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace mysqlop::local {
class ApiServer;
class TokenAuth;
}  // namespace mysqlop::local

namespace mysqlop::local::streams {

// False when the request is not for a streaming pod subresource we serve here (the caller goes
// on as usual); true when it was answered (an error, or a whole session).
bool serveStreamRequest(ApiServer& api, TokenAuth& auth, Poco::Net::HTTPServerRequest& request,
                        Poco::Net::HTTPServerResponse& response);

}  // namespace mysqlop::local::streams
