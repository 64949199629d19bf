#include "localcluster/proxy/service_proxy.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/kube/informer_factory.h"
#include "localcluster/proxy/proxy_rules.h"
#include "localcluster/proxy/slices.h"
#include "localcluster/proxy/tcp.h"

namespace mysqlop::local::proxy {

using nlohmann::json;

namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(5);
// While a wanted listener could not be opened (its IP not addable yet, the port taken), the loop
// tries again this often.
constexpr int kRetryMs = 1000;
const char* kKubernetesService = "default/kubernetes";

void wake(int fd) {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
}

}  // namespace

namespace detail {

// What the informer handlers maintain and the proxy loop and connections read. Handlers hold it
// by shared_ptr: informers may outlive the proxy, and a stopped model ignores their events.
struct ProxyModel {
  std::mutex mu;
  bool stopped = false;
  int wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  std::map<std::string, std::vector<ServicePort>> services;  // "ns/name" -> its proxied ports
  std::map<std::string, SliceView> slices;                   // slice "ns/name"
  std::map<std::string, std::set<std::string>> slicesOf;     // service key -> slice keys
  RoundRobin roundRobin;

  ~ProxyModel() { ::close(wakeFd); }

  void changedLocked() { wake(wakeFd); }
};

}  // namespace detail

using detail::ProxyModel;

struct ServiceProxy::Impl {
  kube::InformerFactory& informers;
  ServiceIpHooks ips;
  ProxyOptions options;
  std::shared_ptr<ProxyModel> model = std::make_shared<ProxyModel>();
  int stopFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);  // readable for good once stopping
  std::thread loop;
  bool started = false;
  bool stopped = false;

  // Owned by the loop thread; `listenKeys` is its copy for listening().
  struct Listener {
    int fd = -1;
    ServicePort port;
  };
  std::map<std::string, Listener> listeners;
  std::map<std::string, int> ipUsers;             // ClusterIP -> listeners on it
  std::map<std::string, std::string> lastErrors;  // listen key -> last failure logged
  mutable std::mutex listenMu;
  std::vector<std::string> listenKeys;

  std::mutex connMu;
  std::condition_variable connCv;
  std::uint64_t open = 0;
  // A ClusterIP without listeners stays on the machine while connections to it are open (taking
  // it away would cut them); the last one to end wakes the loop, which removes it.
  std::map<std::string, int> ipConnections;
  std::set<std::string> ipsToRemove;
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> forwarded{0};
  std::atomic<std::uint64_t> refused{0};

  Impl(kube::InformerFactory& f, ServiceIpHooks h, ProxyOptions o)
      : informers(f), ips(std::move(h)), options(std::move(o)) {}
  ~Impl() { ::close(stopFd); }

  void registerHandlers();
  void run();
  bool reconcile();  // false when a wanted listener is missing (retry later)
  void closeListener(const std::string& key);
  void removeIp(const std::string& ip);
  void removeIdleIps();
  void acceptAll(const Listener& l);
  std::vector<Backend> candidatesFor(const ServicePort& port);
  void serve(int client, const std::vector<Backend>& candidates, const ServicePort& port);
};

void ServiceProxy::Impl::registerHandlers() {
  std::shared_ptr<ProxyModel> m = model;
  auto serviceChanged = [m](const kube::ObjectPtr& o, bool deleted) {
    std::vector<ServicePort> ports;
    if (!deleted) {
      auto j = json::parse(o->json, nullptr, false);
      if (!j.is_discarded()) {
        ports = proxiedPorts(j);
      }
    }
    std::lock_guard lock(m->mu);
    if (m->stopped) {
      return;
    }
    auto it = m->services.find(o->key());
    bool had = it != m->services.end();
    if (ports.empty()) {
      if (had) {
        m->services.erase(it);
        m->changedLocked();
      }
    } else if (!had || it->second != ports) {
      m->services[o->key()] = std::move(ports);
      m->changedLocked();
    }
  };
  informers.forResource(kube::resources::kServices)
      .addHandlers(
          {[=](const kube::ObjectPtr& o) { serviceChanged(o, false); },
           [=](const kube::ObjectPtr&, const kube::ObjectPtr& o) { serviceChanged(o, false); },
           [=](const kube::ObjectPtr& o) { serviceChanged(o, true); }});

  // Slices change only what new connections pick: no wake-up of the loop is needed.
  auto sliceChanged = [m](const kube::ObjectPtr& o, bool deleted) {
    SliceView view;
    if (!deleted) {
      auto j = json::parse(o->json, nullptr, false);
      if (!j.is_discarded()) {
        view = sliceView(j);
      }
    }
    std::lock_guard lock(m->mu);
    if (m->stopped) {
      return;
    }
    auto it = m->slices.find(o->key());
    if (it != m->slices.end()) {
      m->slicesOf[it->second.serviceKey].erase(o->key());
      m->slices.erase(it);
    }
    if (!view.serviceKey.empty()) {
      m->slicesOf[view.serviceKey].insert(o->key());
      m->slices[o->key()] = std::move(view);
    }
  };
  informers.forResource(kEndpointSlices)
      .addHandlers(
          {[=](const kube::ObjectPtr& o) { sliceChanged(o, false); },
           [=](const kube::ObjectPtr&, const kube::ObjectPtr& o) { sliceChanged(o, false); },
           [=](const kube::ObjectPtr& o) { sliceChanged(o, true); }});
}

void ServiceProxy::Impl::removeIp(const std::string& ip) {
  if (!ips.remove) {
    return;
  }
  auto r = ips.remove(ip);
  if (!r.ok()) {
    spdlog::warn("service proxy: cannot remove Service IP {}: {}", ip, r.error().message);
  }
}

void ServiceProxy::Impl::removeIdleIps() {
  std::vector<std::string> idle;
  {
    std::lock_guard lock(connMu);
    for (auto it = ipsToRemove.begin(); it != ipsToRemove.end();) {
      if (ipUsers.count(*it) != 0) {
        it = ipsToRemove.erase(it);  // listened on again
      } else if (ipConnections.count(*it) == 0) {
        idle.push_back(*it);
        it = ipsToRemove.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& ip : idle) {
    removeIp(ip);
  }
}

bool ServiceProxy::Impl::reconcile() {
  removeIdleIps();
  std::map<std::string, ServicePort> wanted;
  {
    std::lock_guard lock(model->mu);
    for (const auto& [key, ports] : model->services) {
      for (const auto& p : ports) {
        wanted.emplace(p.listenKey(), p);
      }
    }
  }
  std::vector<std::string> gone;
  for (const auto& [key, l] : listeners) {
    auto it = wanted.find(key);
    if (it == wanted.end() || !(it->second == l.port)) {
      gone.push_back(key);
    }
  }
  for (const auto& key : gone) {
    closeListener(key);
  }
  bool complete = true;
  for (const auto& [key, port] : wanted) {
    if (listeners.count(key) != 0) {
      continue;
    }
    Result<int> fd = fail(Errc::Internal, "");
    bool ipAdded = ipUsers[port.clusterIp] > 0;
    if (!ipAdded) {
      auto added = ips.add ? ips.add(port.clusterIp) : Result<void>{};
      if (!added.ok()) {
        fd = added.error();
      } else {
        ipAdded = true;
      }
    }
    if (ipAdded) {
      fd = listenOn(port.clusterIp, port.port);
    }
    if (fd.ok()) {
      std::lock_guard lock(connMu);
      ipsToRemove.erase(port.clusterIp);
    }
    if (!fd.ok()) {
      complete = false;
      if (ipUsers[port.clusterIp] == 0) {
        if (ipAdded && ips.remove) {
          (void)ips.remove(port.clusterIp);
        }
        ipUsers.erase(port.clusterIp);
      }
      if (lastErrors[key] != fd.error().message) {
        lastErrors[key] = fd.error().message;
        spdlog::warn("service proxy: {} port {}: {} (retrying)", port.serviceKey, port.port,
                     fd.error().message);
      }
      continue;
    }
    lastErrors.erase(key);
    ipUsers[port.clusterIp]++;
    listeners[key] = Listener{fd.value(), port};
    spdlog::info("service proxy: {} port {} listening on {}", port.serviceKey, port.port, key);
  }
  std::lock_guard lock(listenMu);
  listenKeys.clear();
  for (const auto& [key, l] : listeners) {
    listenKeys.push_back(key);
  }
  return complete;
}

void ServiceProxy::Impl::closeListener(const std::string& key) {
  auto it = listeners.find(key);
  if (it == listeners.end()) {
    return;
  }
  ::close(it->second.fd);
  std::string ip = it->second.port.clusterIp;
  spdlog::info("service proxy: {} port {} closed", it->second.port.serviceKey,
               it->second.port.port);
  listeners.erase(it);
  if (--ipUsers[ip] <= 0) {
    ipUsers.erase(ip);
    {
      std::lock_guard lock(connMu);
      if (ipConnections.count(ip) != 0) {
        ipsToRemove.insert(ip);
        return;
      }
    }
    removeIp(ip);
  }
}

void ServiceProxy::Impl::run() {
  bool complete = reconcile();
  for (;;) {
    std::vector<pollfd> fds = {{stopFd, POLLIN, 0}, {model->wakeFd, POLLIN, 0}};
    std::vector<const Listener*> order;
    for (const auto& [key, l] : listeners) {
      fds.push_back({l.fd, POLLIN, 0});
      order.push_back(&l);
    }
    int n = ::poll(fds.data(), fds.size(), complete ? -1 : kRetryMs);
    if (n < 0 && errno != EINTR) {
      spdlog::error("service proxy: poll failed: {}", std::strerror(errno));
      break;
    }
    if ((fds[0].revents & POLLIN) != 0) {
      break;
    }
    if (n == 0 || (fds[1].revents & POLLIN) != 0) {
      std::uint64_t drained;
      [[maybe_unused]] auto r = ::read(model->wakeFd, &drained, sizeof drained);
      complete = reconcile();
      continue;  // the listener pointers may have changed
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if ((fds[i].revents & POLLIN) != 0) {
        acceptAll(*order[i - 2]);
      }
    }
  }
  std::vector<std::string> keys;
  for (const auto& [key, l] : listeners) {
    keys.push_back(key);
  }
  for (const auto& key : keys) {
    closeListener(key);
  }
  std::lock_guard lock(listenMu);
  listenKeys.clear();
}

std::vector<Backend> ServiceProxy::Impl::candidatesFor(const ServicePort& port) {
  if (port.serviceKey == kKubernetesService && options.apiServerPort > 0) {
    return {{options.apiServerHost, options.apiServerPort}};
  }
  std::lock_guard lock(model->mu);
  std::vector<const SliceView*> slices;
  auto it = model->slicesOf.find(port.serviceKey);
  if (it != model->slicesOf.end()) {
    for (const auto& key : it->second) {
      slices.push_back(&model->slices[key]);
    }
  }
  return model->roundRobin.next(port.serviceKey + ":" + port.portName,
                                backendsFor(port.portName, slices));
}

void ServiceProxy::Impl::acceptAll(const Listener& l) {
  for (;;) {
    int client = ::accept4(l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) {
      if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
        spdlog::warn("service proxy: accept on {} failed: {}", l.port.listenKey(),
                     std::strerror(errno));
      }
      if (errno == EINTR || errno == ECONNABORTED) {
        continue;
      }
      return;
    }
    accepted++;
    int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    {
      std::lock_guard lock(connMu);
      open++;
      ipConnections[l.port.clusterIp]++;
    }
    std::thread(&Impl::serve, this, client, candidatesFor(l.port), l.port).detach();
  }
}

// One connection's thread: the first candidate that answers gets it; the thread ends with it.
// stop() waits for every such thread (open == 0) before the Impl goes away.
void ServiceProxy::Impl::serve(int client, const std::vector<Backend>& candidates,
                               const ServicePort& port) {
  std::string target = port.serviceKey + ":" + std::to_string(port.port);
  int backend = -1;
  for (const auto& b : candidates) {
    auto r = connectWithin(b.ip, b.port, kConnectTimeout, stopFd);
    if (r.ok()) {
      backend = r.value();
      break;
    }
    spdlog::debug("service proxy: {}: {}", target, r.error().message);
  }
  if (backend < 0) {
    refused++;
    spdlog::debug("service proxy: {}: no ready endpoint answered ({} tried)", target,
                  candidates.size());
  } else {
    forwarded++;
    pump(client, backend, stopFd);
    ::close(backend);
  }
  ::close(client);
  std::lock_guard lock(connMu);
  if (--ipConnections[port.clusterIp] <= 0) {
    ipConnections.erase(port.clusterIp);
    if (ipsToRemove.count(port.clusterIp) != 0) {
      wake(model->wakeFd);
    }
  }
  open--;
  connCv.notify_all();
}

ServiceProxy::ServiceProxy(kube::InformerFactory& informers, ServiceIpHooks ips,
                           ProxyOptions options)
    : impl_(std::make_unique<Impl>(informers, std::move(ips), std::move(options))) {}

ServiceProxy::~ServiceProxy() { stop(); }

void ServiceProxy::start() {
  if (impl_->started) {
    return;
  }
  impl_->started = true;
  impl_->registerHandlers();
  impl_->loop = std::thread([this] { impl_->run(); });
}

void ServiceProxy::stop() {
  if (!impl_->started || impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  {
    std::lock_guard lock(impl_->model->mu);
    impl_->model->stopped = true;
  }
  wake(impl_->stopFd);
  impl_->loop.join();
  {
    std::unique_lock lock(impl_->connMu);
    impl_->connCv.wait(lock, [&] { return impl_->open == 0; });
  }
  impl_->removeIdleIps();
}

std::vector<std::string> ServiceProxy::listening() const {
  std::lock_guard lock(impl_->listenMu);
  return impl_->listenKeys;
}

ServiceProxy::Stats ServiceProxy::stats() const {
  Stats s;
  s.accepted = impl_->accepted.load();
  s.forwarded = impl_->forwarded.load();
  s.refused = impl_->refused.load();
  std::lock_guard lock(impl_->connMu);
  s.open = impl_->open;
  return s;
}

}  // namespace mysqlop::local::proxy
