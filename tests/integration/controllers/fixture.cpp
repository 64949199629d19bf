#include "tests/integration/controllers/fixture.h"

#include <algorithm>
#include <ctime>

namespace mysqlop::local::controllers::it {

controllers::ControllerOptions ControllersTest::options() {
  controllers::ControllerOptions o;
  o.dataDir = api_.dataDir();
  o.jobPodFailureBackoffMs = 50;
  return o;
}

void ControllersTest::SetUp() {
  auto started = api_.start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  auto kc = kube::loadKubeconfigFiles({api_.kubeconfigPath()}, true);
  ASSERT_TRUE(kc.ok()) << kc.error().message;
  auto rc = kube::restConfigFromKubeconfig(*kc);
  ASSERT_TRUE(rc.ok()) << rc.error().message;
  ASSERT_EQ(rc->server.rfind("https://", 0), 0u) << rc->server;
  auto t = kube::HttpTransport::create(*rc, {});
  ASSERT_TRUE(t.ok()) << t.error().message;
  transport_ = *t;
  client_ = std::make_unique<kube::Client>(transport_);
  startControllers();
}

void ControllersTest::startControllers() {
  informers_ = std::make_unique<kube::InformerFactory>(*client_, kube::InformerOptions{});
  manager_ = std::make_unique<controllers::ControllerManager>(*client_, *informers_, options());
  manager_->start();
  informers_->start();
  ASSERT_TRUE(informers_->waitForCacheSync(std::chrono::seconds(30)));
}

void ControllersTest::stopControllers() {
  if (manager_) {
    manager_->stop();
  }
  if (informers_) {
    informers_->stop();
  }
  manager_.reset();
  informers_.reset();
}

void ControllersTest::restartControllers() {
  stopControllers();
  startControllers();
}

void ControllersTest::TearDown() {
  stopControllers();
  api_.stop();
}

std::optional<json> ControllersTest::get(const kube::Resource& res, const std::string& name,
                                         const std::string& ns) {
  auto g = client_->get(res, res.namespaced ? ns : "", name);
  if (g.is(Errc::NotFound)) {
    return std::nullopt;
  }
  EXPECT_TRUE(g.ok()) << g.error().message;
  return g.ok() ? std::optional<json>(*g) : std::nullopt;
}

std::vector<json> ControllersTest::list(const kube::Resource& res, const std::string& labelSelector,
                                        const std::string& ns) {
  kube::ListOptions o;
  o.labelSelector = labelSelector;
  auto l = client_->list(res, res.namespaced ? ns : "", o);
  EXPECT_TRUE(l.ok()) << l.error().message;
  return l.ok() ? *l : std::vector<json>{};
}

json ControllersTest::create(const kube::Resource& res, const json& object) {
  json o = object;
  if (res.namespaced && !o["metadata"].contains("namespace")) {
    o["metadata"]["namespace"] = kNs;
  }
  auto c = client_->create(res, o);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return c.ok() ? *c : json();
}

json ControllersTest::modify(const kube::Resource& res, const std::string& name,
                             const std::function<void(json&)>& change, const std::string& ns) {
  auto r = kube::retryOnConflict(
      [&]() -> Result<json> {
        auto g = client_->get(res, res.namespaced ? ns : "", name);
        if (!g.ok()) {
          return g.error();
        }
        change(*g);
        return client_->update(res, *g);
      },
      20);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : json();
}

void ControllersTest::remove(const kube::Resource& res, const std::string& name,
                             const std::string& ns, const std::string& propagation) {
  kube::DeleteOptions o;
  o.propagationPolicy = propagation;
  auto d = client_->remove(res, res.namespaced ? ns : "", name, o);
  EXPECT_TRUE(d.ok()) << d.error().message;
}

std::string ControllersTest::nextPodIp() {
  const int n = ipCounter_++;
  return "198.18." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 2);
}

void ControllersTest::setPodStatus(const std::string& pod, const std::string& phase, bool ready,
                                   const std::string& ip, int restartCount) {
  auto r = writePodStatus(pod, phase, ready, ip, restartCount);
  ASSERT_TRUE(r.ok()) << pod << ": " << r.error().message;
}

Result<json> ControllersTest::writePodStatus(const std::string& pod, const std::string& phase,
                                             bool ready, const std::string& ip, int restartCount) {
  return kube::retryOnConflict(
      [&]() -> Result<json> {
        auto g = client_->get(r::kPods, kNs, pod);
        if (!g.ok()) {
          return g.error();
        }
        json& p = *g;
        json status = p.value("status", json::object());
        status["phase"] = phase;
        std::string podIp = ip.empty() ? status.value("podIP", "") : ip;
        if (podIp.empty() && phase == "Running") {
          podIp = nextPodIp();
        }
        if (!podIp.empty()) {
          status["podIP"] = podIp;
          status["podIPs"] = json::array({{{"ip", podIp}}});
        }
        const char* readyStatus = ready ? "True" : "False";
        // lastTransitionTime is now when Ready flips (minReadySeconds counts from it).
        std::string transition;
        for (const auto& c : status.value("conditions", json::array())) {
          if (c.value("type", "") == "Ready" && c.value("status", "") == readyStatus) {
            transition = c.value("lastTransitionTime", "");
          }
        }
        if (transition.empty()) {
          std::time_t t = std::time(nullptr);
          char buf[32];
          std::tm tm{};
          gmtime_r(&t, &tm);
          std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
          transition = buf;
        }
        status["conditions"] = json::array(
            {{{"type", "PodScheduled"}, {"status", "True"}},
             {{"type", "Ready"}, {"status", readyStatus}, {"lastTransitionTime", transition}},
             {{"type", "ContainersReady"}, {"status", readyStatus}}});
        json statuses = json::array();
        for (const auto& c : p["spec"].value("containers", json::array())) {
          statuses.push_back({{"name", c.value("name", "")},
                              {"ready", ready},
                              {"restartCount", restartCount},
                              {"image", c.value("image", "")}});
        }
        status["containerStatuses"] = statuses;
        p["status"] = status;
        return client_->updateStatus(r::kPods, p);
      },
      20);
}

void ControllersTest::readyAll(const std::string& labelSelector) {
  for (const auto& p : list(r::kPods, labelSelector)) {
    const bool terminating = p["metadata"].contains("deletionTimestamp");
    bool ready = false;
    for (const auto& c : p.value("status", json::object()).value("conditions", json::array())) {
      ready = ready || (c.value("type", "") == "Ready" && c.value("status", "") == "True");
    }
    if (!ready && !terminating) {
      // The controller may delete the pod meanwhile: a pod gone is no failure here.
      auto w = writePodStatus(p["metadata"]["name"].get<std::string>(), "Running", true, "", 0);
      EXPECT_TRUE(w.ok() || w.is(Errc::NotFound)) << w.error().message;
    }
  }
}

std::vector<std::string> ControllersTest::events(const std::string& involvedName) {
  std::vector<std::string> out;
  for (const auto& e : list(kube::resources::kEvents)) {
    if (e["involvedObject"].value("name", "") == involvedName) {
      out.push_back(e.value("type", "") + " " + e.value("reason", "") + ": " +
                    e.value("message", ""));
    }
  }
  return out;
}

bool ControllersTest::hasEvent(const std::string& involvedName, const std::string& reason,
                               std::string* message) {
  for (const auto& e : list(kube::resources::kEvents)) {
    if (e["involvedObject"].value("name", "") == involvedName && e.value("reason", "") == reason) {
      if (message != nullptr) {
        *message = e.value("message", "");
      }
      return true;
    }
  }
  return false;
}

std::vector<std::string> ControllersTest::names(const std::vector<json>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) {
    out.push_back(o["metadata"].value("name", ""));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ControllersTest::labelOf(const json& o, const std::string& key) {
  return o["metadata"].value("labels", json::object()).value(key, "");
}

std::string ControllersTest::dump(const kube::Resource& res, const std::string& name) {
  auto o = get(res, name);
  return o ? o->dump() : res.kind + " " + name + " absent";
}

}  // namespace mysqlop::local::controllers::it
