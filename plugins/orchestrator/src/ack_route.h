#pragma once

// The manual ack of a recovery (README "PendingFailoverAck"; orchestrator's
// ack-cluster-recoveries): POST /plugins/orchestrator/api/ack-recovery with
// {"cluster": "<ns>/<c>", "id": N[, "comment": "..."]}. The body's parsing is pure (unit-tested);
// the plugin binds the route to Observer::acknowledge.

#include <cstdint>
#include <string>
#include <string_view>

namespace mysqlop::orchestrator {

struct AckRequest {
  std::string ns;
  std::string name;
  std::int64_t id = 0;
  std::string comment;
};

// "" or the 400 message: "the body must be a JSON object {\"cluster\": \"<namespace>/<name>\",
// \"id\": <recovery id>}", "cluster must be <namespace>/<name>", "id must be a positive integer",
// "comment must be a string", "unknown field \"<f>\" (known: cluster, id, comment)".
std::string parseAckRequest(std::string_view body, AckRequest* out);

}  // namespace mysqlop::orchestrator
