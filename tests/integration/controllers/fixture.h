#pragma once

// A real local API server, our client over its HTTPS kubeconfig, a shared informer factory and the
// ControllerManager, as `mysql-operator-local up` will wire them. There is no kubelet: the test
// plays it, writing pod status (phase, Ready, podIP from 198.18.0.0/16) through pods/status.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/kube/client.h"
#include "core/kube/http_transport.h"
#include "core/kube/informer_factory.h"
#include "core/kube/rest_config.h"
#include "localcluster/controllers/controllers.h"
#include "localcluster/controllers/resources.h"
#include "tests/support/kube/local_api_server.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::local::controllers::it {

using mysqlop::testing::eventually;
using mysqlop::testing::within;
using nlohmann::json;
namespace r = mysqlop::local::controllers::res;

inline const std::string kNs = "default";

class ControllersTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Reads; nullopt when absent (any other failure fails the test).
  std::optional<json> get(const kube::Resource& res, const std::string& name,
                          const std::string& ns = kNs);
  std::vector<json> list(const kube::Resource& res, const std::string& labelSelector = "",
                         const std::string& ns = kNs);
  json create(const kube::Resource& res, const json& object);
  // Read-modify-write with conflict retries; `change` edits the object in place.
  json modify(const kube::Resource& res, const std::string& name,
              const std::function<void(json&)>& change, const std::string& ns = kNs);
  void remove(const kube::Resource& res, const std::string& name, const std::string& ns = kNs,
              const std::string& propagation = "");

  // The kubelet's part: pod status through pods/status. ready=true also makes it Running.
  void setPodStatus(const std::string& pod, const std::string& phase, bool ready,
                    const std::string& ip = "", int restartCount = 0);
  Result<json> writePodStatus(const std::string& pod, const std::string& phase, bool ready,
                              const std::string& ip, int restartCount);
  void markReady(const std::string& pod) { setPodStatus(pod, "Running", true); }
  // One step of a kubelet that makes every pod matching the selector Running and Ready.
  void readyAll(const std::string& labelSelector);
  std::string nextPodIp();

  // Names of objects, sorted.
  // "Type Reason: message" of every Event about the named object, oldest first.
  std::vector<std::string> events(const std::string& involvedName);
  // Whether an Event with that reason exists about the object; its message in *message.
  bool hasEvent(const std::string& involvedName, const std::string& reason,
                std::string* message = nullptr);
  static std::vector<std::string> names(const std::vector<json>& objects);
  static std::string labelOf(const json& o, const std::string& key);
  std::string dump(const kube::Resource& res, const std::string& name);

  virtual controllers::ControllerOptions options();
  // Stops the controllers and their informers and starts fresh ones, as a restart of `up` does:
  // everything they knew comes back from the API.
  void restartControllers();
  void startControllers();
  void stopControllers();

  mysqlop::testing::LocalApiServer api_;
  std::shared_ptr<kube::HttpTransport> transport_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<kube::InformerFactory> informers_;
  std::unique_ptr<controllers::ControllerManager> manager_;
  std::atomic<int> ipCounter_{10};
};

}  // namespace mysqlop::local::controllers::it
