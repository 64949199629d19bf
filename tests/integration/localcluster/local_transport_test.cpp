// kube::Client and informers over LocalTransport: a real ApiServer in this process, no sockets.
#include "localcluster/apiserver/local_transport.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <thread>

#include "core/kube/client.h"
#include "core/kube/informer.h"
#include "localcluster/apiserver/api_server.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::local {
namespace {

using nlohmann::json;
namespace res = kube::resources;

// An ApiServer in a fresh temp dir and a Client on it.
class InProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("local-transport-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ApiServer::Options o;
    o.dataDir = dir_.string();
    auto r = server_.open(o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    transport_ = std::make_shared<LocalTransport>(server_);
    client_ = std::make_unique<kube::Client>(transport_);
  }
  void TearDown() override {
    client_.reset();
    server_.shutdown();
    server_.store().close();
    std::filesystem::remove_all(dir_);
  }

  static json configMap(const std::string& name, const json& labels = json::object()) {
    return {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", labels}}},
            {"data", {{"k", "v"}}}};
  }

  static kube::HttpRequest get(const std::string& target) {
    kube::HttpRequest r;
    r.method = "GET";
    r.target = target;
    return r;
  }

  std::filesystem::path dir_;
  ApiServer server_;
  std::shared_ptr<LocalTransport> transport_;
  std::unique_ptr<kube::Client> client_;
};

TEST_F(InProcessTest, Crud) {
  EXPECT_EQ(transport_->server(), "local://apiserver");
  auto created = client_->create(res::kConfigMaps, configMap("a", {{"app", "x"}}));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_FALSE((*created)["metadata"].value("uid", "").empty());
  auto got = client_->get(res::kConfigMaps, "default", "a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, *created);

  json changed = *got;
  changed["data"]["k"] = "w";
  auto updated = client_->update(res::kConfigMaps, changed);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ((*updated)["data"]["k"], "w");
  // The stale version conflicts, with the server's message.
  auto stale = client_->update(res::kConfigMaps, changed);
  ASSERT_FALSE(stale.ok());
  EXPECT_TRUE(stale.is(Errc::Conflict));
  EXPECT_EQ(stale.error().message,
            "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; "
            "please apply your changes to the latest version and try again");

  auto patched = client_->patch(res::kConfigMaps, "default", "a", kube::PatchType::Merge,
                                R"({"data":{"p":"q"}})");
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ((*patched)["data"], json({{"k", "w"}, {"p", "q"}}));

  ASSERT_TRUE(client_->create(res::kConfigMaps, configMap("b", {{"app", "y"}})).ok());
  kube::ListOptions sel;
  sel.labelSelector = "app=x";
  auto listed = client_->list(res::kConfigMaps, "default", sel);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0]["metadata"]["name"], "a");
  // Paged: one item per page, continue tokens followed.
  kube::ListOptions paged;
  paged.limit = 1;
  auto all = client_->list(res::kConfigMaps, "default", paged);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);

  ASSERT_TRUE(client_->remove(res::kConfigMaps, "default", "a").ok());
  auto gone = client_->get(res::kConfigMaps, "default", "a");
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.is(Errc::NotFound));
  EXPECT_EQ(gone.error().message, "configmaps \"a\" not found");
}

TEST_F(InProcessTest, BadRequestsAnswerAsOverHttp) {
  auto bad = transport_->send(get("/api/v1/namespaces/default/configmaps?x=%zz"));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["message"],
            "invalid request target \"/api/v1/namespaces/default/configmaps?x=%zz\": Bad URI "
            "syntax: URI encoding: not a hex digit");

  kube::HttpRequest big{"POST", "/api/v1/namespaces/default/configmaps",
                        std::string(3 * 1024 * 1024 + 1, ' '), "application/json"};
  auto large = transport_->send(big);
  ASSERT_TRUE(large.ok());
  EXPECT_EQ(large->status, 413);
  EXPECT_EQ(json::parse(large->body)["message"], "the request body is too large");

  // A watch needs stream().
  auto watch = transport_->send(get("/api/v1/namespaces/default/configmaps?watch=true"));
  ASSERT_TRUE(watch.ok());
  EXPECT_EQ(watch->status, 400);
  EXPECT_EQ(json::parse(watch->body)["message"], "watch is not supported on this connection");

  // A watch the server refuses answers like any request: no stream, the Status in head.
  kube::HttpResponse head;
  auto refused = transport_->stream(
      get("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=x"), &head);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(*refused, nullptr);
  EXPECT_EQ(head.status, 400);
  EXPECT_EQ(json::parse(head.body)["message"], "invalid resource version: x");

  // Warning headers reach the client.
  json job = json::parse(R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},
    "spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"i"}]}}}})");
  auto posted = transport_->send(
      {"POST", "/apis/batch/v1/namespaces/default/jobs", job.dump(), "application/json"});
  ASSERT_TRUE(posted.ok());
  ASSERT_EQ(posted->status, 201);
  kube::HttpRequest del = get("/apis/batch/v1/namespaces/default/jobs/j");
  del.method = "DELETE";
  auto deleted = transport_->send(del);
  ASSERT_TRUE(deleted.ok());
  ASSERT_EQ(deleted->warnings.size(), 1u);
  EXPECT_EQ(deleted->warnings[0],
            "child pods are preserved by default when jobs are deleted; set "
            "propagationPolicy=Background to remove them or set propagationPolicy=Orphan to "
            "suppress this warning");
}

TEST_F(InProcessTest, WatchDeliversEvents) {
  auto created = client_->create(res::kConfigMaps, configMap("w"));
  ASSERT_TRUE(created.ok());
  kube::WatchOptions wo;
  wo.resourceVersion = (*created)["metadata"]["resourceVersion"];
  wo.allowBookmarks = false;
  auto watch = client_->watch(res::kConfigMaps, "default", wo);
  ASSERT_TRUE(watch.ok()) << watch.error().message;
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(server_.openWatches() == 1));
  ASSERT_TRUE(
      client_
          ->patch(res::kConfigMaps, "default", "w", kube::PatchType::Merge, R"({"data":{"k":"2"}})")
          .ok());
  ASSERT_TRUE(client_->remove(res::kConfigMaps, "default", "w").ok());
  kube::WatchEvent ev;
  auto n = (*watch)->next(&ev);
  ASSERT_TRUE(n.ok() && *n);
  EXPECT_EQ(ev.type, "MODIFIED");
  EXPECT_EQ((*ev.object)["data"]["k"], "2");
  n = (*watch)->next(&ev);
  ASSERT_TRUE(n.ok() && *n);
  EXPECT_EQ(ev.type, "DELETED");
  EXPECT_EQ((*ev.object)["metadata"]["name"], "w");

  // A watch from a future resourceVersion is refused with the server's message.
  kube::WatchOptions future;
  future.resourceVersion = "999999";
  auto refused = client_->watch(res::kConfigMaps, "default", future);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "Timeout: Too large resource version: 999999, current: " +
                                         std::to_string(server_.store().currentRv()));
}

TEST_F(InProcessTest, CancelEndsTheServersWatchAtOnce) {
  kube::WatchOptions wo;
  auto watch = client_->watch(res::kConfigMaps, "default", wo);
  ASSERT_TRUE(watch.ok());
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(server_.openWatches() == 1));
  std::thread reader([&] {
    kube::WatchEvent ev;
    auto n = (*watch)->next(&ev);
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error().message, "the stream was cancelled");
    EXPECT_TRUE(n.is(Errc::Unavailable));
  });
  (*watch)->cancel();
  (*watch)->cancel();  // idempotent
  reader.join();
  // The server's side saw clientGone() and returned without waiting for its next poll.
  EXPECT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(testing::within(std::chrono::milliseconds(500)),
                                        server_.openWatches() == 0));
  watch->reset();  // joins the server's thread
}

TEST_F(InProcessTest, ShutdownEndsStreams) {
  kube::WatchOptions wo;
  wo.allowBookmarks = false;
  auto watch = client_->watch(res::kConfigMaps, "default", wo);
  ASSERT_TRUE(watch.ok());
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(server_.openWatches() == 1));
  server_.shutdown();
  kube::WatchEvent ev;
  auto n = (*watch)->next(&ev);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_FALSE(*n);  // the clean end of the stream
  auto after = client_->get(res::kConfigMaps, "default", "x");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().message, "the server is shutting down");
}

TEST_F(InProcessTest, AClientThatDoesNotReadHoldsNeitherTheWriterNorShutdown) {
  kube::WatchOptions wo;
  wo.allowBookmarks = false;
  auto watch = client_->watch(res::kConfigMaps, "default", wo);
  ASSERT_TRUE(watch.ok());
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(server_.openWatches() == 1));
  // More events than the queue holds: the server's watch blocks, the writers do not.
  const int writes = static_cast<int>(LocalTransport::kMaxQueuedLines) + 10;
  for (int i = 0; i < writes; ++i) {
    ASSERT_TRUE(client_->create(res::kConfigMaps, configMap("q" + std::to_string(i))).ok());
  }
  server_.shutdown();
  EXPECT_EQ(server_.openWatches(), 0);
  // What was queued is still read, then the stream ends.
  kube::WatchEvent ev;
  int received = 0;
  for (;;) {
    auto n = (*watch)->next(&ev);
    ASSERT_TRUE(n.ok()) << n.error().message;
    if (!*n) {
      break;
    }
    ++received;
  }
  EXPECT_EQ(received, static_cast<int>(LocalTransport::kMaxQueuedLines));
}

TEST_F(InProcessTest, InformerSyncsAndFollows) {
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(client_->create(res::kConfigMaps, configMap("i" + std::to_string(i))).ok());
  }
  kube::InformerOptions io;
  io.namespaceName = "default";
  io.pageSize = 7;
  kube::Informer informer(*client_, res::kConfigMaps, io);
  std::mutex mu;
  std::vector<std::string> adds;
  std::vector<std::string> deletes;
  informer.addHandlers({[&](const kube::ObjectPtr& o) {
                          std::lock_guard l(mu);
                          adds.push_back(o->name);
                        },
                        nullptr,
                        [&](const kube::ObjectPtr& o) {
                          std::lock_guard l(mu);
                          deletes.push_back(o->name);
                        }});
  informer.start();
  ASSERT_TRUE(informer.waitForSync(std::chrono::seconds(10)));
  EXPECT_EQ(informer.store().size(), 30u);
  ASSERT_TRUE(client_->create(res::kConfigMaps, configMap("late")).ok());
  ASSERT_TRUE(client_->remove(res::kConfigMaps, "default", "i3").ok());
  EXPECT_TRUE(MYSQLOP_EVENTUALLY([&] {
    std::lock_guard l(mu);
    return adds.size() == 31 && deletes == std::vector<std::string>{"i3"};
  }()));
  EXPECT_EQ(adds.back(), "late");
  informer.stop();  // cancels its watch: the server's side ends
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(server_.openWatches() == 0));
}

}  // namespace
}  // namespace mysqlop::local
