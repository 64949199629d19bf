#pragma once
// The remote command protocol of pods/exec on an upgraded connection (kubelet's
// remotecommand server): WebSocket with v5.channel.k8s.io or v4.channel.k8s.io, or SPDY/3.1
// with v4.channel.k8s.io.
//
// States: Streams (SPDY only: waiting for the client's error/stdin/stdout/stderr/resize streams;
// at most 30 s) -> Running (process output to the client, client input to the process) ->
// Draining (stdout and stderr reached end of file; wait() gives the exit code) -> Closing (the
// status on the error channel, GOAWAY or a close frame, then the client's side until it closes
// or 5 s pass). The client leaving at any point ends the session and the process (PodProcess's
// destructor kills it).
// Invariants: the status is sent exactly once and only after every byte of stdout and stderr;
// nothing is written to the process after its stdin was closed.

#include <functional>
#include <memory>

#include "localcluster/apiserver/pod_streams.h"
#include "localcluster/streams/client_conn.h"

namespace mysqlop::local::streams {

enum class ExecWire { WebSocketV4, WebSocketV5, SpdyV4 };

struct ExecResult {
  int exitCode = -1;        // -1 when the session ended before the process
  bool clientLeft = false;  // the client went away first
  std::string error;        // a protocol error that ended the session
};

// Runs the session until the process has ended and the client got everything, or the client
// left, or `stopping` returns true (the API server shuts down).
ExecResult runExec(ClientConn& conn, ExecWire wire, std::unique_ptr<PodProcess> process,
                   const PodExecOptions& options, const std::function<bool()>& stopping);

// The metav1.Status the error channel carries at the end: Success, or Failure with reason
// NonZeroExitCode and the exit code as the cause ExitCode (what client-go turns into kubectl's
// exit code).
std::string execStatusJson(int exitCode);

}  // namespace mysqlop::local::streams
