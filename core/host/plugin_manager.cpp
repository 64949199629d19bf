#include "core/host/plugin_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/host/host_api.h"
#include "core/host/target_catalog.h"
#include "core/log/logging.h"
#include "mysqlop/plugin.hpp"

namespace mysqlop::host {

namespace {

std::atomic<PluginManager*> gCurrent{nullptr};

ResourceRef ref(const mysqlop_type_resource& r) {
  return ResourceRef{str(r.group), str(r.version), str(r.kind), str(r.plural), r.namespaced != 0};
}

const char* kindName(mysqlop_type_plugin_kind k) {
  switch (k) {
    case mysqlop_plugin_kind_Reconciler: return "reconciler";
    case mysqlop_plugin_kind_Service: return "service";
    case mysqlop_plugin_kind_BackupTarget: return "backup-target";
  }
  return "unknown";
}

using mysqlop::statusName;  // the SDK's names, so that host and plugin logs agree

std::string routePrefix(const std::string& plugin) { return "/plugins/" + plugin + "/"; }

// Every plugin route lives under this prefix (register_route adds it).
constexpr const char* kPluginRoutes = "/plugins/";

bool isService(const Plugin& p) { return p.library.descriptor.kind == mysqlop_plugin_kind_Service; }

}  // namespace

void splitKey(const std::string& key, std::string* ns, std::string* name) {
  const auto slash = key.find('/');
  if (slash == std::string::npos) {
    ns->clear();
    *name = key;
  } else {
    *ns = key.substr(0, slash);
    *name = key.substr(slash + 1);
  }
}

PluginManager::PluginManager(metrics::Registry& registry, http::Router& router,
                             ClusterAccess& cluster, std::string operatorJson)
    : registry_(registry),
      router_(router),
      cluster_(cluster),
      operatorJson_(std::move(operatorJson)),
      logger_(log::makeLogger("host")) {
  loadErrors_ =
      &registry_.counter("mysqlop_plugin_load_errors_total",
                         "Plugins refused at load time, by reason.", {"plugin", "reason"});
  pluginInfo_ = &registry_.gauge("mysqlop_plugin_info",
                                 "Loaded and created plugins (value 1), with their version.",
                                 {"plugin", "version", "kind", "abi"});
  startErrors_ = &registry_.counter("mysqlop_plugin_start_errors_total",
                                    "Services whose start failed, per plugin.", {"plugin"});
  misuse_ = &registry_.counter("mysqlop_plugin_misuse_total",
                               "Wrong uses of the plugin ABI that the host refused, per plugin.",
                               {"plugin", "what"});
  registerHostInterfaces(hostInterfaces_);
  gCurrent.store(this);
}

PluginManager::~PluginManager() {
  destroyAll();
  PluginManager* self = this;
  gCurrent.compare_exchange_strong(self, nullptr);
}

PluginManager* PluginManager::current() { return gCurrent.load(); }

Plugin* PluginManager::find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(pluginsMu_);
  for (const auto& p : plugins_) {
    if (p->name == name) {
      return p.get();
    }
  }
  return nullptr;
}

void PluginManager::loadAll(const std::vector<config::PluginEntry>& entries) {
  std::lock_guard<std::mutex> lock(lifecycleMu_);
  entries_.insert(entries_.end(), entries.begin(), entries.end());
  for (const auto& e : entries) {
    if (!e.enabled) {
      logger_->info("plugin \"{}\" is disabled ({})", e.name, e.origin);
      continue;
    }
    loadOne(e);
  }
  loadFinished_.store(true);
  const auto created = std::count_if(plugins_.begin(), plugins_.end(),
                                     [](const auto& p) { return p->created.load(); });
  logger_->info("plugins loaded: {} of {} enabled", created, plugins_.size());
}

void PluginManager::refuse(Plugin& p, const LoadError& e) {
  p.loadError = e;
  logger_->error("refused plugin \"{}\" from {}: {} [reason={}]", p.entry.name, p.entry.path,
                 e.message, e.reason);
  loadErrors_->add({p.entry.name, e.reason}, 1);
}

void PluginManager::prepareMetrics(Plugin& p) {
  auto& total = registry_.counter("mysqlop_reconcile_total",
                                  "Reconciliations per plugin and result.", {"plugin", "result"});
  p.reconcileSuccess = total.series({p.name, "success"});
  p.reconcileError = total.series({p.name, "error"});
  p.reconcileRequeueAfter = total.series({p.name, "requeue_after"});
  p.reconcileTerminal = total.series({p.name, "terminal"});
  p.errors = registry_
                 .counter("mysqlop_reconcile_errors_total", "Reconciliation errors per plugin.",
                          {"plugin"})
                 .series({p.name});
  p.terminalErrors =
      registry_
          .counter("mysqlop_terminal_reconcile_errors_total",
                   "Terminal reconciliation errors (not requeued) per plugin.", {"plugin"})
          .series({p.name});
  p.panics = registry_
                 .counter("mysqlop_reconcile_panics_total",
                          "Exceptions that escaped a plugin's reconcile, per plugin.", {"plugin"})
                 .series({p.name});
  p.reconcileTime =
      registry_
          .histogram(
              "mysqlop_reconcile_time_seconds", "Length of reconciliations per plugin.", {"plugin"},
              {0.005, 0.01, 0.025, 0.05, 0.1,  0.15, 0.2,  0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6,
               0.7,   0.8,  0.9,   1.0,  1.25, 1.5,  1.75, 2.0,  2.5, 3.0,  3.5, 4.0,  4.5, 5,
               6,     7,    8,     9,    10,   15,   20,   25,   30,  40,   50,  60})
          .series({p.name});
  p.activeWorkers = registry_
                        .gauge("mysqlop_reconcile_active_workers",
                               "Workers currently reconciling, per plugin.", {"plugin"})
                        .series({p.name});
  registry_.gauge("mysqlop_reconcile_max_workers", "Workers configured per plugin.", {"plugin"})
      .set({p.name}, p.entry.workers);
}

void PluginManager::loadOne(const config::PluginEntry& entry) {
  auto owned = std::make_unique<Plugin>();
  Plugin& p = *owned;
  {
    std::lock_guard<std::mutex> lock(pluginsMu_);
    plugins_.push_back(std::move(owned));
  }
  p.entry = entry;
  p.name = entry.name;
  LoadError err;
  if (!loadPluginLibrary(entry.name, entry.path, &p.library, &err)) {
    refuse(p, err);
    return;
  }
  const mysqlop_plugin_v1& d = p.library.descriptor;
  const std::string name = str(d.name);
  for (const auto& other : plugins_) {
    if (other.get() != &p && other->created && other->name == name) {
      refuse(p, {"duplicate_name", "plugin \"" + entry.name + "\": name \"" + name +
                                       "\" is already used by the plugin loaded from " +
                                       other->entry.path});
      return;
    }
  }
  if (name != entry.name) {
    logger_->warn("plugin entry \"{}\" ({}) loads a plugin named \"{}\"; it is known as \"{}\"",
                  entry.name, entry.origin, name, name);
  }
  p.name = name;
  p.loaded = true;
  p.handle = std::make_unique<mysqlop_plugin_host>();
  p.handle->manager = this;
  p.handle->plugin = &p;
  p.handle->backupTargets = &backupTargets_;
  p.handle->name = name;
  p.handle->logger = log::makeLogger("plugin/" + name);
  if (d.primary.kind.len > 0) {
    p.hasPrimary = true;
    p.primary = ref(d.primary);
    for (std::size_t i = 0; i < d.owned_count; ++i) {
      p.owned.push_back(ref(d.owned[i]));
    }
    for (std::size_t i = 0; i < d.watch_count; ++i) {
      p.watches.push_back(ref(d.watches[i]));
    }
    p.queue = std::make_unique<queue::WorkQueue>(
        name, std::make_unique<queue::DefaultControllerRateLimiter>(), &registry_);
  }
  prepareMetrics(p);

  mysqlop_call_host call(p.handle.get());
  p.handle->callsAllowed = true;  // a plugin may start a context from create on
  mysqlop_type_create_args args{};
  args.struct_size = sizeof args;
  args.config_json = {p.entry.configJson.data(), p.entry.configJson.size()};
  args.operator_json = {operatorJson_.data(), operatorJson_.size()};
  mysqlop_type_status s = mysqlop_status_Internal;
  try {
    s = d.create(hostTable(), p.handle.get(), &call, &args, &p.instance);
  } catch (const std::exception& e) {
    call.error = std::string("exception escaped create: ") + e.what();
  } catch (...) {
    call.error = "exception escaped create";
  }
  if (s != mysqlop_status_Ok) {
    p.instance = nullptr;
    p.handle->callsAllowed = false;
    router_.removePrefix(routePrefix(name));
    refuse(p, {"create_failed", "plugin \"" + entry.name + "\": create failed (" + statusName(s) +
                                    "): " + (call.error.empty() ? "no message" : call.error)});
    return;
  }
  if (d.kind == mysqlop_plugin_kind_BackupTarget) {
    const mysqlop_backup_target_v1* table = backupTargetTable(d);
    if (!table) {
      p.handle->callsAllowed = false;
      router_.removePrefix(routePrefix(name));
      d.destroy(p.instance);
      p.instance = nullptr;
      refuse(p, {"missing_interface", missingTargetInterfaceMessage(entry.name)});
      return;
    }
    std::string clash;
    if (!backupTargets_.add(name, table, p.instance, &clash)) {
      logger_->warn("{}; the first plugin configured keeps it", clash);
    }
    p.backupTarget = table;
  }
  p.created = true;
  pluginInfo_->set({name, str(d.version), kindName(d.kind),
                    std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor)},
                   1);
  logger_->info("loaded plugin \"{}\" {} ({}, ABI {}.{}) from {}", name, str(d.version),
                kindName(d.kind), d.abi_major, d.abi_minor, entry.path);
}

std::string PluginManager::backupTargetCatalog() const {
  std::vector<CatalogEntry> entries;
  std::lock_guard<std::mutex> lock(pluginsMu_);
  for (const auto& p : plugins_) {
    if (p->backupTarget && p->created.load() && !p->destroyed.load()) {
      entries.push_back({p->entry.name, p->entry.path, p->entry.configJson});
    }
  }
  return catalogJson(entries);
}

bool PluginManager::ready() const {
  if (!loadFinished_.load()) {
    return false;
  }
  for (const auto& p : plugins_) {
    if (!p->created || (isService(*p) && working_.load() && !p->started)) {
      return false;
    }
  }
  return true;
}

std::string PluginManager::readinessReport() const {
  if (!loadFinished_.load()) {
    return "plugins are loading\n";
  }
  std::string out;
  for (const auto& p : plugins_) {
    if (!p->created) {
      out += "plugin " + p->entry.name + ": not loaded: " + p->loadError.reason + "\n";
    } else if (p->startFailed) {
      out += "plugin " + p->name + ": " + p->startError + "\n";
    } else if (isService(*p) && working_.load() && !p->started) {
      out += "plugin " + p->name + ": service did not start\n";
    }
  }
  return out;
}

void PluginManager::startWork() {
  std::lock_guard<std::mutex> lock(lifecycleMu_);
  if (stopping_.load()) {
    logger_->warn("plugin work was stopped; it is not started again in this process");
    return;
  }
  if (working_.exchange(true)) {
    return;
  }
  // Every service runs before any worker takes a key: a reconcile may use a service.
  for (const auto& p : plugins_) {
    if (p->created && isService(*p)) {
      startService(*p);
    }
  }
  for (const auto& owned : plugins_) {
    Plugin* p = owned.get();
    if (!p->created || !p->queue) {
      continue;
    }
    for (int i = 0; i < p->entry.workers; ++i) {
      {
        std::lock_guard<std::mutex> workersLock(workersMu_);
        ++liveWorkers_;
      }
      workers_.emplace_back([this, p] { workerLoop(p); });
    }
  }
}

void PluginManager::startService(Plugin& p) {
  mysqlop_call_host call(p.handle.get());
  mysqlop_type_status s = mysqlop_status_Internal;
  try {
    s = p.library.descriptor.start(p.instance, &call);
  } catch (const std::exception& e) {
    call.error = std::string("exception escaped start: ") + e.what();
  } catch (...) {
    call.error = "exception escaped start";
  }
  p.started = s == mysqlop_status_Ok;
  if (!p.started) {
    p.startError = std::string("start failed (") + statusName(s) +
                   "): " + (call.error.empty() ? "no message" : call.error);
    p.startFailed = true;
    startErrors_->add({p.name}, 1);
    logger_->error("plugin \"{}\": {}", p.name, p.startError);
  }
}

void PluginManager::stopWork() {
  std::lock_guard<std::mutex> lock(lifecycleMu_);
  if (stopping_.exchange(true) || !working_.load()) {
    return;
  }
  // No key is taken any more: queued keys are handed out once more and cancelled by the workers.
  for (const auto& p : plugins_) {
    if (p->queue) {
      p->queue->shutDown();
    }
  }
  waitForWorkers();
  for (auto& t : workers_) {
    t.join();
  }
  workers_.clear();
  // Services stop only now, so that no reconcile runs against a stopped service.
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    Plugin& p = **it;
    if (!p.started) {
      continue;
    }
    p.handle->callsAllowed = false;
    try {
      p.library.descriptor.stop(p.instance);
    } catch (...) {
      logger_->error("plugin \"{}\": exception escaped stop", p.name);
    }
    p.started = false;
  }
  working_ = false;
}

void PluginManager::waitForWorkers() {
  std::unique_lock<std::mutex> lock(workersMu_);
  while (!workersDone_.wait_for(lock, kDrainLogEvery, [this] { return liveWorkers_ == 0; })) {
    std::string busy;
    for (const auto& p : plugins_) {
      if (const int n = p->reconciling.load(); n > 0) {
        busy += (busy.empty() ? "" : ", ") + p->name + " (" + std::to_string(n) + ")";
      }
    }
    logger_->warn("shutdown waits for running reconciles: {}", busy.empty() ? "none" : busy);
  }
}

void PluginManager::destroyAll() {
  stopWork();
  std::lock_guard<std::mutex> lock(lifecycleMu_);
  // Routes go before instances: this returns once every running handler has returned.
  router_.removePrefix(kPluginRoutes);
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    if ((*it)->created) {
      destroyOne(**it);
    }
  }
}

void PluginManager::destroyOne(Plugin& p) {
  p.destroyed = true;  // first: from here on, lookups answer "destroyed"
  backupTargets_.remove(p.instance);
  p.handle->callsAllowed = false;
  if (const int open = p.handle->openCalls.load(); open > 0) {
    p.handle->logger->warn("{} call context(s) from call_begin were never ended (leaked)", open);
  }
  try {
    p.library.descriptor.destroy(p.instance);
  } catch (...) {
    logger_->error("plugin \"{}\": exception escaped destroy", p.name);
  }
  p.instance = nullptr;
  p.created = false;
}

void PluginManager::reportMisuse(mysqlop_plugin_host& plugin, const char* what,
                                 const std::string& detail) {
  misuse_->add({plugin.name, what}, 1);
  std::lock_guard<std::mutex> lock(plugin.misuseMu);
  if (plugin.misuseLogged.insert(what).second) {
    plugin.logger->warn("{} (logged once)", detail);
  }
}

void PluginManager::workerLoop(Plugin* p) {
  while (auto key = p->queue->get()) {
    if (!stopping_.load()) {
      processKey(*p, *key, nullptr);
    }
    p->queue->done(*key);
  }
  {
    std::lock_guard<std::mutex> lock(workersMu_);
    --liveWorkers_;
  }
  workersDone_.notify_all();
}

mysqlop_type_status PluginManager::reconcileNow(const std::string& plugin, const std::string& key,
                                                std::string* error) {
  Plugin* p = find(plugin);
  if (!p || !p->created || !p->queue) {
    if (error) {
      *error = "no reconciler plugin named \"" + plugin + "\" is loaded";
    }
    return mysqlop_status_NotFound;
  }
  return processKey(*p, key, error);
}

mysqlop_type_status PluginManager::processKey(Plugin& p, const std::string& key,
                                              std::string* error) {
  std::string ns;
  std::string name;
  splitKey(key, &ns, &name);
  mysqlop_type_request req{};
  req.struct_size = sizeof req;
  req.namespace_name = {ns.data(), ns.size()};
  req.name = {name.data(), name.size()};
  req.retries = static_cast<std::uint32_t>(p.queue->numRequeues(key));
  mysqlop_type_reconcile_result result{};
  result.struct_size = sizeof result;
  mysqlop_call_host call(p.handle.get());

  p.activeWorkers->add(1);
  p.reconciling.fetch_add(1);
  const auto start = std::chrono::steady_clock::now();
  mysqlop_type_status s = mysqlop_status_Internal;
  try {
    s = p.library.descriptor.reconcile(p.instance, &call, &req, &result);
  } catch (const std::exception& e) {
    p.panics->add(1);
    call.error = std::string("exception escaped the plugin: ") + e.what();
  } catch (...) {
    p.panics->add(1);
    call.error = "exception escaped the plugin (not a std::exception)";
  }
  p.reconcileTime->observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  p.activeWorkers->add(-1);
  p.reconciling.fetch_sub(1);

  if (s != mysqlop_status_Ok && call.error.empty()) {
    call.error = std::string("plugin returned ") + statusName(s) + " without a message";
  }
  switch (s) {
    case mysqlop_status_Ok:
      p.queue->forget(key);
      if (result.requeue_after_ms > 0) {
        p.reconcileRequeueAfter->add(1);
        p.queue->addAfter(key, std::chrono::milliseconds(result.requeue_after_ms));
      } else {
        p.reconcileSuccess->add(1);
      }
      break;
    case mysqlop_status_Terminal:
    case mysqlop_status_InvalidConfig: {
      p.queue->forget(key);
      p.reconcileTerminal->add(1);
      p.errors->add(1);
      p.terminalErrors->add(1);
      p.handle->logger->error("reconcile {} failed permanently ({}): {}", key, statusName(s),
                              call.error);
      if (p.hasPrimary) {
        // Tell the user on the object itself; best effort, the log above already has it.
        auto obj = cluster_.get(p.primary, ns, name);
        if (obj.ok()) {
          (void)cluster_.recordEvent(*obj, "Warning", "ReconcileFailed", call.error);
        }
      }
      break;
    }
    default:
      p.reconcileError->add(1);
      p.errors->add(1);
      if (result.requeue_after_ms > 0) {
        p.handle->logger->warn("reconcile {}: requeue_after_ms is ignored with status {}", key,
                               statusName(s));
      }
      p.handle->logger->error("reconcile {} failed ({}), will retry: {}", key, statusName(s),
                              call.error);
      p.queue->addRateLimited(key);
      break;
  }
  if (error) {
    *error = call.error;
  }
  return s;
}

void PluginManager::onObjectEvent(const ResourceRef& r, const std::string& objectJson) {
  nlohmann::json obj = nlohmann::json::parse(objectJson, nullptr, false);
  if (!obj.is_object()) {
    return;
  }
  const auto& meta = obj.value("metadata", nlohmann::json::object());
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  auto keyOf = [](const std::string& n, const std::string& m) {
    return n.empty() ? m : n + "/" + m;
  };
  for (const auto& owned : plugins_) {
    Plugin& p = *owned;
    if (!p.created || !p.queue) {
      continue;
    }
    if (r == p.primary) {
      p.queue->add(keyOf(ns, name));
    }
    for (const ResourceRef& o : p.owned) {
      if (!(r == o)) {
        continue;
      }
      for (const auto& owner : meta.value("ownerReferences", nlohmann::json::array())) {
        if (owner.value("controller", false) && owner.value("kind", "") == p.primary.kind &&
            owner.value("apiVersion", "") == p.primary.apiVersion()) {
          p.queue->add(keyOf(p.primary.namespaced ? ns : "", owner.value("name", "")));
        }
      }
    }
    for (std::size_t i = 0; i < p.watches.size(); ++i) {
      if (!(r == p.watches[i])) {
        continue;
      }
      std::vector<std::pair<std::string, std::string>> keys;
      mysqlop_call_host call(p.handle.get());
      call.emitted = &keys;
      mysqlop_type_status s = mysqlop_status_Internal;
      try {
        s = p.library.descriptor.map_watched(p.instance, &call, static_cast<std::uint32_t>(i),
                                             {objectJson.data(), objectJson.size()});
      } catch (...) {
        call.error = "exception escaped map_watched";
      }
      if (s != mysqlop_status_Ok) {
        p.handle->logger->error("map_watched for {} {} failed ({}): {}", r.kind, keyOf(ns, name),
                                statusName(s), call.error);
      }
      for (const auto& [kns, kname] : keys) {
        p.queue->add(keyOf(kns, kname));
      }
    }
  }
}

bool PluginManager::backupTargetFor(std::string_view scheme, const mysqlop_backup_target_v1** table,
                                    mysqlop_instance_plugin_ptr* instance) const {
  return backupTargets_.find(scheme, table, instance) == mysqlop_status_Ok;
}

}  // namespace mysqlop::host
