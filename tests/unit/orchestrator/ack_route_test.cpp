// The body of POST /plugins/orchestrator/api/ack-recovery (README "PendingFailoverAck"): every
// refusal with its exact 400 message.

#include "plugins/orchestrator/src/ack_route.h"

#include <gtest/gtest.h>

namespace mysqlop::orchestrator {
namespace {

std::string ackRefusal(const std::string& body) {
  AckRequest r;
  return parseAckRequest(body, &r);
}

TEST(AckRoute, ParsesTheRequest) {
  AckRequest r;
  ASSERT_EQ(parseAckRequest(R"({"cluster":"ns/c","id":3,"comment":"seen"})", &r), "");
  EXPECT_EQ(r.ns, "ns");
  EXPECT_EQ(r.name, "c");
  EXPECT_EQ(r.id, 3);
  EXPECT_EQ(r.comment, "seen");
  ASSERT_EQ(parseAckRequest(R"({"cluster":"ns/c","id":1})", &r), "");
  EXPECT_EQ(r.comment, "");
}

TEST(AckRoute, Refusals) {
  const std::string notObject =
      "the body must be a JSON object {\"cluster\": \"<namespace>/<name>\", \"id\": <recovery id>}";
  EXPECT_EQ(ackRefusal(""), notObject);
  EXPECT_EQ(ackRefusal("{"), notObject);
  EXPECT_EQ(ackRefusal("[1]"), notObject);
  EXPECT_EQ(ackRefusal(R"({"id":1})"), "cluster must be <namespace>/<name>");
  EXPECT_EQ(ackRefusal(R"({"cluster":"c","id":1})"), "cluster must be <namespace>/<name>");
  EXPECT_EQ(ackRefusal(R"({"cluster":"/c","id":1})"), "cluster must be <namespace>/<name>");
  EXPECT_EQ(ackRefusal(R"({"cluster":"ns/","id":1})"), "cluster must be <namespace>/<name>");
  EXPECT_EQ(ackRefusal(R"({"cluster":"a/b/c","id":1})"), "cluster must be <namespace>/<name>");
  EXPECT_EQ(ackRefusal(R"({"cluster":5,"id":1})"), "cluster must be <namespace>/<name>");
  EXPECT_EQ(ackRefusal(R"({"cluster":"ns/c"})"), "id must be a positive integer");
  EXPECT_EQ(ackRefusal(R"({"cluster":"ns/c","id":0})"), "id must be a positive integer");
  EXPECT_EQ(ackRefusal(R"({"cluster":"ns/c","id":"1"})"), "id must be a positive integer");
  EXPECT_EQ(ackRefusal(R"({"cluster":"ns/c","id":1.5})"), "id must be a positive integer");
  EXPECT_EQ(ackRefusal(R"({"cluster":"ns/c","id":1,"comment":2})"), "comment must be a string");
  EXPECT_EQ(ackRefusal(R"({"cluster":"ns/c","id":1,"by":"me"})"),
            "unknown field \"by\" (known: cluster, id, comment)");
}

}  // namespace
}  // namespace mysqlop::orchestrator
