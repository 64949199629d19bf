#include "localcluster/cluster/local_cluster.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/kube/client.h"
#include "core/kube/informer_factory.h"
#include "localcluster/apiserver/http_server.h"
#include "localcluster/apiserver/local_transport.h"
#include "localcluster/cluster/manifests.h"
#include "localcluster/controllers/controllers.h"
#include "localcluster/kubelet/kubelet.h"
#include "localcluster/node/network.h"
#include "localcluster/node/records.h"
#include "localcluster/proxy/names.h"
#include "localcluster/proxy/service_proxy.h"

namespace mysqlop::local::cluster {

namespace fs = std::filesystem;
using nlohmann::json;

// Declared in the order they start; destroyed in reverse, after stop() stopped them.
struct LocalCluster::Parts {
  std::unique_ptr<node::Records> records;
  std::unique_ptr<node::Network> network;
  std::unique_ptr<HttpFront> front;
  std::unique_ptr<kube::Client> client;
  std::unique_ptr<kube::InformerFactory> informers;
  std::unique_ptr<controllers::ControllerManager> controllers;
  std::unique_ptr<names::NameService> names;
  std::unique_ptr<proxy::ServiceProxy> proxy;
  std::unique_ptr<kubelet::Kubelet> kubelet;
};

namespace {

// "198.19.7.0/24" -> "198.19.7.1": the address kube-apiserver gives default/kubernetes.
std::string firstAddress(const std::string& cidr) {
  std::string base = cidr.substr(0, cidr.find('/'));
  auto dot = base.rfind('.');
  return base.substr(0, dot + 1) + std::to_string(std::stoi(base.substr(dot + 1)) + 1);
}

}  // namespace

std::string defaultImageProfiles() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed =
        exe.parent_path().parent_path() / "share/mysql-operator/image-profiles.yaml";
    if (fs::exists(installed, ec)) {
      return installed.string();
    }
  }
#ifdef MYSQLOP_SOURCE_DIR
  fs::path source = fs::path(MYSQLOP_SOURCE_DIR) / "localcluster/image-profiles.yaml";
  if (fs::exists(source, ec)) {
    return source.string();
  }
#endif
  return "";
}

LocalCluster::LocalCluster(LocalClusterOptions options) : options_(std::move(options)) {}

LocalCluster::~LocalCluster() { stop(); }

std::string LocalCluster::url() const {
  return parts_ && parts_->front ? parts_->front->url() : "";
}

std::string LocalCluster::podSubnet() const {
  return parts_ && parts_->network ? parts_->network->subnets().podSubnet : "";
}

std::string LocalCluster::serviceSubnet() const {
  return parts_ && parts_->network ? parts_->network->subnets().serviceSubnet : "";
}

Result<void> LocalCluster::start() {
  if (std::string missing = node::missingPrerequisite(); !missing.empty()) {
    return fail(Errc::Unavailable, missing);
  }
  if (options_.dataDir.empty()) {
    return fail(Errc::Invalid, "--data-dir is required");
  }
  std::error_code ec;
  fs::create_directories(options_.dataDir, ec);
  if (ec) {
    return fail(Errc::Invalid, options_.dataDir + ": cannot create: " + ec.message());
  }
  // Manifests are read before anything starts: a typo costs nothing on the machine.
  auto manifests = loadManifests(options_.applyPaths);
  if (!manifests.ok()) {
    return manifests.error();
  }
  manifests_ = std::move(manifests.value());
  parts_ = std::make_unique<Parts>();
  if (auto r = startParts(); !r.ok()) {
    stop();
    return r;
  }
  if (auto r = applyManifests(); !r.ok()) {
    stop();
    return r;
  }
  return {};
}

Result<void> LocalCluster::startParts() {
  Parts& p = *parts_;
  auto records = node::Records::open(options_.dataDir);
  if (!records.ok()) {
    return records.error();
  }
  p.records = std::move(records.value());
  // What a crashed run left behind goes first: processes, namespaces, links, addresses.
  if (auto r = node::cleanUp(*p.records); !r.ok()) {
    return fail(r.code(), "cleaning up after an earlier run: " + r.error().message);
  }
  node::NetworkOptions netOptions;
  netOptions.dataDir = options_.dataDir;
  netOptions.podCidr = options_.podCidr;
  netOptions.serviceCidr = options_.serviceCidr;
  netOptions.registryDir = options_.registryDir;
  auto network = node::Network::setUp(netOptions, *p.records);
  if (!network.ok()) {
    return network.error();
  }
  p.network = std::move(network.value());
  const node::ClusterSubnets& subnets = p.network->subnets();
  const std::string kubernetesIp = firstAddress(subnets.serviceSubnet);

  HttpFront::Options front;
  front.host = options_.listenHost;
  front.port = options_.port;
  front.dataDir = options_.dataDir;
  front.api.dataDir = options_.dataDir;
  front.api.serviceCidr = subnets.serviceSubnet;
  front.extraSans = {kubernetesIp, "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                     "kubernetes.default.svc.cluster.local"};
  p.front = std::make_unique<HttpFront>();
  if (auto r = p.front->start(front); !r.ok()) {
    return r;
  }

  p.client = std::make_unique<kube::Client>(std::make_shared<LocalTransport>(p.front->api()));
  p.informers = std::make_unique<kube::InformerFactory>(*p.client, kube::InformerOptions{});

  controllers::ControllerOptions controllerOptions;
  controllerOptions.dataDir = options_.dataDir;
  p.controllers =
      std::make_unique<controllers::ControllerManager>(*p.client, *p.informers, controllerOptions);
  p.names = std::make_unique<names::NameService>(*p.informers, options_.dataDir);
  proxy::ProxyOptions proxyOptions;
  proxyOptions.apiServerHost = options_.listenHost;
  proxyOptions.apiServerPort = p.front->port();
  p.proxy = std::make_unique<proxy::ServiceProxy>(*p.informers, *p.network, proxyOptions);

  kubelet::KubeletOptions kubeletOptions;
  kubeletOptions.dataDir = options_.dataDir;
  std::string shipped = options_.shippedImageProfiles.empty() ? defaultImageProfiles()
                                                              : options_.shippedImageProfiles;
  if (!shipped.empty()) {
    kubeletOptions.imageProfileFiles.push_back(shipped);
  }
  for (const auto& f : options_.imageProfileFiles) {
    kubeletOptions.imageProfileFiles.push_back(f);
  }
  kubeletOptions.caCertPath = (fs::path(options_.dataDir) / "pki/ca.crt").string();
  kubeletOptions.tokenPath = (fs::path(options_.dataDir) / "token").string();
  kubeletOptions.kubernetesServiceHost = kubernetesIp;
  kubeletOptions.kubernetesServicePort = 443;
  p.kubelet = std::make_unique<kubelet::Kubelet>(*p.client, *p.informers, *p.network, *p.records,
                                                 *p.names, kubeletOptions);
  // pods/log, exec and portforward reach the node from here on (503 before).
  p.front->api().setPodStreams(&p.kubelet->streams());

  p.names->start();
  p.proxy->start();
  p.controllers->start();
  if (auto r = p.kubelet->start(); !r.ok()) {
    return r;
  }
  p.informers->start();
  if (!p.informers->waitForCacheSync(std::chrono::seconds(30))) {
    return fail(Errc::Timeout, "the local cluster's caches did not sync within 30 s");
  }
  return {};
}

Result<void> LocalCluster::applyManifests() {
  Registry& registry = parts_->front->api().registry();
  for (const Manifest& m : manifests_) {
    const std::string apiVersion = m.object.value("apiVersion", "");
    const std::string kind = m.object.value("kind", "");
    const auto slash = apiVersion.find('/');
    const std::string group = slash == std::string::npos ? "" : apiVersion.substr(0, slash);
    const std::string version =
        slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
    // A custom resource's kind is served once its CRD (applied just before) is established.
    ResourceTypePtr type;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
      for (const auto& t : registry.all()) {
        if (t->group == group && t->kind == kind && t->serves(version)) {
          type = t;
          break;
        }
      }
      if (type || std::chrono::steady_clock::now() > deadline) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!type) {
      return fail(Errc::Invalid,
                  m.source + ": the server does not serve kind " + kind + " of " + apiVersion);
    }
    const kube::Resource resource{group, version, type->kind, type->plural, type->namespaced};
    std::string ns;
    if (type->namespaced) {
      ns = m.object["metadata"].value("namespace", "default");
    }
    json body = m.object;
    if (type->namespaced) {
      body["metadata"]["namespace"] = ns;
    }
    kube::PatchOptions patch;
    patch.fieldManager = "mysql-operator-local";
    patch.force = true;
    auto r = parts_->client->patch(resource, ns, m.object["metadata"].value("name", ""),
                                   kube::PatchType::Apply, body.dump(), patch);
    if (!r.ok()) {
      return fail(r.code(), m.source + ": " + r.error().message);
    }
    spdlog::info("applied {} {}{}", type->plural, ns.empty() ? "" : ns + "/",
                 m.object["metadata"].value("name", ""));
  }
  return {};
}

void LocalCluster::stop() {
  if (!parts_) {
    return;
  }
  Parts& p = *parts_;
  if (p.front) {
    // New stream requests get 503; those in flight end with their containers (kubelet->stop) or
    // with the front's stop, which joins them before the kubelet is destroyed.
    p.front->api().setPodStreams(nullptr);
  }
  if (p.kubelet) {
    p.kubelet->stop();
  }
  if (p.proxy) {
    p.proxy->stop();
  }
  if (p.names) {
    p.names->stop();
  }
  if (p.controllers) {
    p.controllers->stop();
  }
  if (p.informers) {
    p.informers->stop();
  }
  if (p.front) {
    p.front->stop();
  }
  if (p.network) {
    if (auto r = p.network->tearDown(); !r.ok()) {
      spdlog::warn("removing the network: {}", r.error().message);
    }
  }
  if (p.records) {
    if (auto r = node::cleanUp(*p.records); !r.ok()) {
      spdlog::warn("cleaning up: {}", r.error().message);
    }
  }
  p.kubelet.reset();
  p.proxy.reset();
  p.names.reset();
  p.controllers.reset();
  p.informers.reset();
  p.client.reset();
  p.front.reset();
  p.network.reset();
  p.records.reset();
  parts_.reset();
}

}  // namespace mysqlop::local::cluster
