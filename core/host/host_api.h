#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "mysqlop/plugin.h"

namespace spdlog {
class logger;
}

namespace mysqlop::http {
struct Response;
}

namespace mysqlop::host {

// A borrowed ABI string as an owned std::string (an absent string is empty).
inline std::string str(mysqlop_type_str s) {
  return s.ptr != nullptr ? std::string(s.ptr, s.len) : std::string();
}
class PluginManager;
struct Plugin;

// The one callback table every plugin receives.
const mysqlop_host_v1* hostTable();
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
  std::string name;
  std::shared_ptr<spdlog::logger> logger;
  std::mutex metricsMu;
  std::vector<std::unique_ptr<mysqlop_metric_host>> metrics;
};

// A call context, behind mysqlop_call_host_ptr. Lives on the stack of the hook call (or on the
// heap between call_begin and call_end).
struct mysqlop_call_host {
  explicit mysqlop_call_host(mysqlop_plugin_host* p) : plugin(p) {}
  mysqlop_plugin_host* plugin;
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
