// The SDK examples, built by a consumer build that sees only sdk/ (consumer_build.cmake), loaded
// into the real plugin host and exercised.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/host/host_api.h"
#include "mysqlop/backup_target.h"
#include "tests/unit/host/host_fixture.h"

namespace mysqlop::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string consumerPlugin(const std::string& file) {
  return std::string(MYSQLOP_BINARY_DIR) + "/sdk-consumer/build/" + file;
}

mysqlop_type_str s(const std::string& v) { return {v.data(), v.size()}; }

TEST(EchoExample, LoadsRegistersItsRouteAndMetricAndReconciles) {
  HostFixture h;
  h.load({entry("example-echo", consumerPlugin("mysqlop_example_reconciler.so"))});
  ASSERT_TRUE(h.manager->ready()) << h.manager->readinessReport();
  http::Response resp;
  h.router.dispatch({"GET", "/plugins/example-echo/echoes", "", "", {}}, resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "0\n");
  EXPECT_THAT(h.registry.render(), HasSubstr("# TYPE mysqlop_example_echoes_total counter\n"));
  std::string error;
  EXPECT_EQ(h.manager->reconcileNow("example-echo", "team/cm1", &error), mysqlop_status_Retry);
  EXPECT_EQ(error, "reading ConfigMap team/cm1: Kubernetes access is not configured in this host");
}

TEST(EchoExample, RefusedConfigIsReportedWithTheKey) {
  HostFixture h;
  h.load(
      {entry("example-echo", consumerPlugin("mysqlop_example_reconciler.so"), R"({"fail":true})")});
  const host::Plugin* p = h.manager->plugins().at(0).get();
  EXPECT_EQ(p->loadError.reason, "create_failed");
  EXPECT_EQ(p->loadError.message,
            "plugin \"example-echo\": create failed (InvalidConfig): config.fail: the example was "
            "asked to refuse its config");
  // Its route went away with it.
  http::Response resp;
  h.router.dispatch({"GET", "/plugins/example-echo/echoes", "", "", {}}, resp);
  EXPECT_EQ(resp.status, 404);
}

class DirTarget : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("mysqlop-dir-target-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    h.load({entry("example-dir", consumerPlugin("mysqlop_example_dir_target.so"),
                  R"({"root":")" + root_.string() + R"("})")});
    ASSERT_TRUE(h.manager->ready()) << h.manager->readinessReport();
    auto* targets =
        static_cast<const mysqlop_host_backup_targets_v1*>(host::hostTable()->host_get_interface(
            {MYSQLOP_HOST_BACKUP_TARGETS_V1, sizeof(MYSQLOP_HOST_BACKUP_TARGETS_V1) - 1}, 1));
    ASSERT_NE(targets, nullptr);
    ASSERT_EQ(targets->find(s("dir"), &t_, &instance_), mysqlop_status_Ok);
    EXPECT_EQ(targets->find(s("gs"), &t_, &instance_), mysqlop_status_NotFound);
    ASSERT_EQ(targets->find(s("dir"), &t_, &instance_), mysqlop_status_Ok);
    handle_ = h.manager->find("example-dir")->handle.get();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string url(const std::string& rel) { return "dir://" + (root_ / rel).string(); }

  mysqlop_type_status put(const std::string& u, const std::string& data) {
    mysqlop_call_host call(handle_);
    mysqlop_writer_plugin_ptr w = nullptr;
    auto st = t_->open_writer(instance_, &call, s(u), {nullptr, 0}, &w);
    if (st != mysqlop_status_Ok) {
      error_ = call.error;
      return st;
    }
    // Two writes, to prove streaming appends.
    t_->write(w, &call, data.data(), data.size() / 2);
    t_->write(w, &call, data.data() + data.size() / 2, data.size() - data.size() / 2);
    return t_->commit(w, &call);
  }

  mysqlop_type_status get(const std::string& u, std::string* out) {
    mysqlop_call_host call(handle_);
    mysqlop_reader_plugin_ptr r = nullptr;
    auto st = t_->open_reader(instance_, &call, s(u), {nullptr, 0}, &r);
    if (st != mysqlop_status_Ok) {
      error_ = call.error;
      return st;
    }
    char buf[7];
    std::size_t n = 0;
    out->clear();
    while (t_->read(r, &call, buf, sizeof buf, &n) == mysqlop_status_Ok && n > 0) {
      out->append(buf, n);
    }
    t_->close_reader(r);
    return mysqlop_status_Ok;
  }

  HostFixture h;
  fs::path root_;
  const mysqlop_backup_target_v1* t_ = nullptr;
  mysqlop_instance_plugin_ptr instance_ = nullptr;
  mysqlop_plugin_host* handle_ = nullptr;
  std::string error_;
};

TEST_F(DirTarget, WriteCommitReadListRemove) {
  const std::string payload(100000, 'x');
  ASSERT_EQ(put(url("c1/full-1.xbackup.gz"), payload), mysqlop_status_Ok);
  ASSERT_EQ(put(url("c1/full-2.xbackup.gz"), "second"), mysqlop_status_Ok);
  std::string back;
  ASSERT_EQ(get(url("c1/full-1.xbackup.gz"), &back), mysqlop_status_Ok);
  EXPECT_EQ(back, payload);

  std::vector<std::pair<std::string, std::uint64_t>> listed;
  mysqlop_call_host call(handle_);
  ASSERT_EQ(t_->list(
                instance_, &call, s(url("c1/")), {nullptr, 0},
                [](void* ctx, const mysqlop_type_object_info* e) {
                  static_cast<decltype(listed)*>(ctx)->emplace_back(
                      std::string(e->url.ptr, e->url.len), e->size_bytes);
                },
                &listed),
            mysqlop_status_Ok);
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].first, url("c1/full-1.xbackup.gz"));
  EXPECT_EQ(listed[0].second, payload.size());
  EXPECT_EQ(listed[1].first, url("c1/full-2.xbackup.gz"));

  EXPECT_EQ(t_->remove(instance_, &call, s(url("c1/full-1.xbackup.gz")), {nullptr, 0}),
            mysqlop_status_Ok);
  EXPECT_EQ(get(url("c1/full-1.xbackup.gz"), &back), mysqlop_status_NotFound);
  EXPECT_EQ(error_, "object " + (root_ / "c1/full-1.xbackup.gz").string() + " does not exist");
}

TEST_F(DirTarget, TheVersion2LookupThroughThePluginHandleFindsTheSameTarget) {
  const auto* v2 = static_cast<const mysqlop_host_backup_targets_v2*>(
      host::hostTable()->host_get_interface_for(handle_, s(MYSQLOP_HOST_BACKUP_TARGETS_V2), 2));
  ASSERT_NE(v2, nullptr);
  const mysqlop_backup_target_v1* table = nullptr;
  mysqlop_instance_plugin_ptr instance = nullptr;
  ASSERT_EQ(v2->find(handle_, s("dir"), &table, &instance), mysqlop_status_Ok);
  EXPECT_EQ(table, t_);
  EXPECT_EQ(instance, instance_);
  EXPECT_EQ(v2->find(handle_, s("gs"), &table, &instance), mysqlop_status_NotFound);
}

TEST_F(DirTarget, AbortLeavesNothingVisible) {
  mysqlop_call_host call(handle_);
  mysqlop_writer_plugin_ptr w = nullptr;
  ASSERT_EQ(t_->open_writer(instance_, &call, s(url("c2/partial")), {nullptr, 0}, &w),
            mysqlop_status_Ok);
  t_->write(w, &call, "abc", 3);
  t_->abort(w, &call);
  std::string back;
  EXPECT_EQ(get(url("c2/partial"), &back), mysqlop_status_NotFound);
  EXPECT_TRUE(fs::is_empty(root_ / "c2"));
}

TEST_F(DirTarget, UrlsOutsideTheRootAreRefused) {
  EXPECT_EQ(put("dir:///etc/passwd-copy", "x"), mysqlop_status_Forbidden);
  EXPECT_EQ(error_, "URL dir:///etc/passwd-copy is outside the configured root " + root_.string());
  EXPECT_EQ(put(url("../escape"), "x"), mysqlop_status_Forbidden);
  EXPECT_EQ(put("s3://bucket/x", "x"), mysqlop_status_InvalidConfig);
  EXPECT_EQ(error_, "URL s3://bucket/x does not start with dir://");
}

}  // namespace
}  // namespace mysqlop::testing
