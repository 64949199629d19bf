#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/host/abi_string.h"
#include "mysqlop/plugin.h"

namespace spdlog {
class logger;
}

namespace mysqlop::http {
struct Response;
}

namespace mysqlop::host {

class BackupTargets;
class HostInterfaces;
class PluginManager;
struct Plugin;

// The one callback table every plugin receives.
const mysqlop_host_v1* hostTable();
// Registers the host interfaces of host_api.cpp (the backup-target lookups) by id.
void registerHostInterfaces(HostInterfaces& interfaces);
}  // namespace mysqlop::host

struct mysqlop_buffer_host {
  std::string data;
};

struct mysqlop_metric_host {
  void* family;  // metrics::Family*
};

// The host-side state of one plugin, behind mysqlop_plugin_host_ptr.
struct mysqlop_plugin_host {
  mysqlop::host::PluginManager* manager = nullptr;
  mysqlop::host::Plugin* plugin = nullptr;
  // The backup-target lookup this plugin's host answers backup_targets/2 from.
  mysqlop::host::BackupTargets* backupTargets = nullptr;
  std::string name;
  std::shared_ptr<spdlog::logger> logger;
  std::mutex metricsMu;
  std::vector<std::unique_ptr<mysqlop_metric_host>> metrics;
  // call_begin answers only while this is set: from create until stop (or destroy) is called.
  std::atomic<bool> callsAllowed{false};
  // Contexts opened by call_begin and not yet ended.
  std::atomic<int> openCalls{0};
  // Misuses already logged (PluginManager::reportMisuse logs each kind once).
  std::mutex misuseMu;
  std::set<std::string> misuseLogged;
};

// A call context, behind mysqlop_call_host_ptr. Lives on the stack of the hook call (or on the
// heap between call_begin and call_end).
struct mysqlop_call_host {
  explicit mysqlop_call_host(mysqlop_plugin_host* p, bool fromCallBegin = false)
      : plugin(p), owned(fromCallBegin) {}
  mysqlop_plugin_host* plugin;
  // Made by call_begin (heap, freed by call_end); otherwise a hook's context on the host's stack.
  bool owned;
  std::string error;      // set_error by the plugin
  std::string lastError;  // the last failed host callback
  std::vector<std::unique_ptr<mysqlop_buffer_host>> buffers;
  // map_watched: keys emitted by the plugin.
  std::vector<std::pair<std::string, std::string>>* emitted = nullptr;
};

// The response of a plugin route handler, behind mysqlop_http_response_host_ptr.
struct mysqlop_http_response_host {
  mysqlop::http::Response* response;
};
