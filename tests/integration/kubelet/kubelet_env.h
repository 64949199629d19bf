#pragma once
// A real node for the kubelet: a local API server (HTTPS, tests/support/kube) with a kube::Client
// of ours, Records + Network in a temp DIR (a real bridge and real namespaces), the NameService
// and the Kubelet itself. Everything made on the machine is removed in TearDown.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/kube/client.h"
#include "core/kube/http_transport.h"
#include "core/kube/informer_factory.h"
#include "core/kube/rest_config.h"
#include "localcluster/kubelet/kubelet.h"
#include "localcluster/node/network.h"
#include "localcluster/node/records.h"
#include "localcluster/proxy/names.h"
#include "tests/support/kube/local_api_server.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::local::kubelet::it {

using mysqlop::testing::eventually;
using mysqlop::testing::within;
using nlohmann::json;

inline const char* kShippedProfiles = MYSQLOP_SOURCE_DIR "/localcluster/image-profiles.yaml";

class KubeletEnv : public ::testing::Test {
 public:
  void SetUp() override {
    std::string missing = node::missingPrerequisite();
    // scripts/test installs what the kubelet needs: a machine without it fails, never skips.
    ASSERT_TRUE(missing.empty()) << missing;
    auto s = api_.start(apiOptions_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto kc = kube::loadKubeconfigFiles({api_.kubeconfigPath()}, true);
    ASSERT_TRUE(kc.ok()) << kc.error().message;
    auto rc = kube::restConfigFromKubeconfig(*kc);
    ASSERT_TRUE(rc.ok()) << rc.error().message;
    auto t = kube::HttpTransport::create(*rc);
    ASSERT_TRUE(t.ok()) << t.error().message;
    client_ = std::make_unique<kube::Client>(*t);
    char tmpl[] = "/tmp/kubelet-it-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto records = node::Records::open(dir_);
    ASSERT_TRUE(records.ok()) << records.error().message;
    records_ = std::move(*records);
    startNode();
  }

  // Network, informers, names and the kubelet (again after stopNode: a restart of `up`).
  void startNode() {
    node::NetworkOptions no;
    no.dataDir = dir_;
    auto network = node::Network::setUp(no, *records_);
    ASSERT_TRUE(network.ok()) << network.error().message;
    network_ = std::move(*network);
    informers_ = std::make_unique<kube::InformerFactory>(*client_, kube::InformerOptions{});
    names_ = std::make_unique<names::NameService>(*informers_, dir_);
    names_->start();
    KubeletOptions ko;
    ko.dataDir = dir_;
    ko.imageProfileFiles = {kShippedProfiles};
    ko.binDir = MYSQLOP_BINARY_DIR "/bin";  // ${binDir}: mysql-operator-sidecar
    ko.caCertPath = api_.caFile();
    ko.tokenPath = api_.dataDir() + "/token";
    ko.kubernetesServiceHost = "198.19.0.1";
    kubelet_ = std::make_unique<Kubelet>(*client_, *informers_, *network_, *records_, *names_, ko);
    auto r = kubelet_->start();
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(informers_->waitForCacheSync(std::chrono::seconds(30)));
  }

  void stopNode() {
    if (kubelet_) {
      kubelet_->stop();
      kubelet_.reset();
    }
    if (informers_) {
      informers_->stop();
    }
    if (names_) {
      names_->stop();
      names_.reset();
    }
    informers_.reset();
    if (network_) {
      auto r = network_->tearDown();
      EXPECT_TRUE(r.ok()) << r.error().message;
      network_.reset();
    }
  }

  void TearDown() override {
    stopNode();
    if (records_) {
      auto r = node::cleanUp(*records_);
      EXPECT_TRUE(r.ok()) << r.error().message;
      records_.reset();
    }
    if (!dir_.empty() && std::getenv("MYSQLOP_KEEP_TEST_DIR") == nullptr) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  // A pod of one busybox container running `sh -c script`.
  static json shellPod(const std::string& name, const std::string& script,
                       const std::string& restartPolicy = "Always") {
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec",
             {{"restartPolicy", restartPolicy},
              {"terminationGracePeriodSeconds", 2},
              {"containers", json::array({{{"name", "main"},
                                           {"image", "busybox:1.36"},
                                           {"command", json::array({"sh", "-c", script})}}})}}}};
  }

  json create(const json& pod) {
    auto r = client_->create(kube::resources::kPods, pod);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : json();
  }
  json create(const kube::Resource& res, const json& object) {
    auto r = client_->create(res, object);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : json();
  }

  json pod(const std::string& name) {
    auto r = client_->get(kube::resources::kPods, "default", name);
    return r.ok() ? *r : json();
  }
  bool podGone(const std::string& name) {
    return client_->get(kube::resources::kPods, "default", name).is(Errc::NotFound);
  }
  std::string dump(const std::string& name) { return pod(name).dump(2); }

  static json containerStatus(const json& p, const std::string& container = "main",
                              const char* list = "containerStatuses") {
    if (!p.is_object()) {
      return json::object();
    }
    for (const auto& c : p.value("status", json::object()).value(list, json::array())) {
      if (c.value("name", "") == container) {
        return c;
      }
    }
    return json::object();
  }
  static std::string condition(const json& p, const std::string& type) {
    if (!p.is_object()) {
      return "";
    }
    for (const auto& c : p.value("status", json::object()).value("conditions", json::array())) {
      if (c.value("type", "") == type) {
        return c.value("status", "");
      }
    }
    return "";
  }
  static std::string phase(const json& p) {
    return p.is_object() ? p.value("status", json::object()).value("phase", "") : "";
  }
  static std::string waitingReason(const json& p, const std::string& container = "main") {
    return containerStatus(p, container)
        .value("state", json::object())
        .value("waiting", json::object())
        .value("reason", "");
  }

  // Waits for the pod to satisfy pred; on timeout the failure shows the pod.
  ::testing::AssertionResult waitPod(const std::string& name, const std::string& what,
                                     const std::function<bool(const json&)>& pred,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    return eventually(
        "pod " + name + ": " + what, [&] { return pred(pod(name)); }, [&] { return dump(name); },
        within(timeout));
  }

  // Host pids whose command line contains token (the container's processes).
  static std::vector<pid_t> pidsWith(const std::string& token) {
    std::vector<pid_t> pids;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
      std::string n = e.path().filename().string();
      if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      std::ifstream in(e.path() / "cmdline", std::ios::binary);
      std::stringstream s;
      s << in.rdbuf();
      std::string cmd = s.str();
      std::replace(cmd.begin(), cmd.end(), '\0', ' ');
      if (cmd.find(token) != std::string::npos && cmd.find("bwrap") == std::string::npos &&
          static_cast<pid_t>(std::stoi(n)) != getpid()) {
        pids.push_back(static_cast<pid_t>(std::stoi(n)));
      }
    }
    return pids;
  }

  std::vector<json> events(const std::string& podName) {
    kube::ListOptions lo;
    lo.fieldSelector = "involvedObject.name=" + podName;
    auto r = client_->list(kube::resources::kEvents, "default", lo);
    return r.ok() ? *r : std::vector<json>{};
  }
  bool hasEvent(const std::string& podName, const std::string& reason,
                const std::string& messagePart = "") {
    for (const auto& e : events(podName)) {
      if (e.value("reason", "") == reason &&
          e.value("message", "").find(messagePart) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  mysqlop::testing::LocalApiServer::Options apiOptions_;  // a fixture's flags for the server
  mysqlop::testing::LocalApiServer api_;
  std::unique_ptr<kube::Client> client_;
  std::string dir_;
  std::unique_ptr<node::Records> records_;
  std::unique_ptr<node::Network> network_;
  std::unique_ptr<kube::InformerFactory> informers_;
  std::unique_ptr<names::NameService> names_;
  std::unique_ptr<Kubelet> kubelet_;
};

}  // namespace mysqlop::local::kubelet::it
