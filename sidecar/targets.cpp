#include "sidecar/targets.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"

namespace mysqlop::sidecar {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kTargetsVar = "MYSQLOP_BACKUP_TARGETS";

mysqlop_type_str str(const std::string& v) { return {v.data(), v.size()}; }

bool startsWith(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }
bool endsWith(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

Result<TargetSpec> specOf(const json& entry, size_t index, const std::string& dir) {
  std::string where = std::string(kTargetsVar) + ": targets[" + std::to_string(index) + "]";
  if (!entry.is_object()) {
    return fail(Errc::Invalid, where + " must be an object");
  }
  TargetSpec spec;
  for (const char* key : {"name", "path"}) {
    auto it = entry.find(key);
    if (it == entry.end() || !it->is_string() || it->get<std::string>().empty()) {
      return fail(Errc::Invalid, where + ": \"" + key + "\" must be a non-empty string");
    }
  }
  spec.name = entry["name"].get<std::string>();
  std::string path = entry["path"].get<std::string>();
  auto config = entry.find("config");
  if (config != entry.end()) {
    if (!config->is_object()) {
      return fail(Errc::Invalid, where + " (\"" + spec.name + "\"): \"config\" must be an object");
    }
    spec.configJson = config->dump();
  }
  // The operator's absolute path is used when this image has the file; else the plugin of the
  // same name in the sidecar's own plugin directory (the operator's and the sidecar's images
  // need not lay plugins out alike).
  std::error_code ec;
  if (fs::path(path).is_absolute() && fs::exists(path, ec)) {
    spec.path = path;
  } else {
    spec.path = (fs::path(dir) / fs::path(path).filename()).string();
  }
  return spec;
}

}  // namespace

std::string pluginDir(const EnvLookup& env) {
  if (auto v = env("MYSQLOP_PLUGIN_DIR"); v && !v->empty()) {
    return *v;
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return "plugins";
  }
  return (self.parent_path() / "plugins").string();
}

Result<std::vector<TargetSpec>> targetSpecs(const EnvLookup& env, const std::string& dir) {
  std::vector<TargetSpec> specs;
  auto value = env(kTargetsVar);
  if (!value) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string file = entry.path().filename().string();
      if (startsWith(file, "mysqlop_target_") && endsWith(file, ".so")) {
        std::string name = file.substr(15, file.size() - 15 - 3);
        specs.push_back({name, entry.path().string(), "{}"});
      }
    }
    std::sort(specs.begin(), specs.end(),
              [](const TargetSpec& a, const TargetSpec& b) { return a.path < b.path; });
    return specs;
  }
  json doc = json::parse(*value, nullptr, false);
  if (doc.is_discarded()) {
    return fail(Errc::Invalid, std::string(kTargetsVar) + " is not valid JSON");
  }
  if (!doc.is_object() || !doc.contains("targets") || !doc["targets"].is_array()) {
    return fail(Errc::Invalid, std::string(kTargetsVar) +
                                   ": expected {\"targets\":[{\"name\",\"path\",\"config\"}]}");
  }
  size_t i = 0;
  for (const auto& entry : doc["targets"]) {
    auto spec = specOf(entry, i++, dir);
    if (!spec) {
      return spec.error();
    }
    specs.push_back(std::move(*spec));
  }
  return specs;
}

bool isSidecarVariable(const std::string& name) {
  static const std::array<std::string_view, 13> kPrefixes = {
      "BACKUP_",      "OPERATOR_",   "REPLICATION_", "METRICS_EXPORTER_", "ORC_TOPOLOGY_",
      "MY_",          "MYSQLOP_",    "XTRABACKUP_",  "XBSTREAM_",         "INITFILE_",
      "INIT_BUCKET_", "KUBERNETES_", "RCLONE_EXTRA_"};
  static const std::array<std::string_view, 14> kNames = {
      "HOSTNAME", "PATH", "HOME",  "PWD", "OLDPWD",  "SHLVL",  "TERM",
      "LANG",     "USER", "SHELL", "_",   "LOGNAME", "TMPDIR", "LD_LIBRARY_PATH"};
  for (auto p : kPrefixes) {
    if (startsWith(name, p)) {
      return true;
    }
  }
  if (std::find(kNames.begin(), kNames.end(), name) != kNames.end()) {
    return true;
  }
  // The Service links Kubernetes puts into every container (FOO_SERVICE_HOST, FOO_PORT_80_TCP...).
  return name.find("_SERVICE_HOST") != std::string::npos ||
         name.find("_SERVICE_PORT") != std::string::npos || endsWith(name, "_PORT") ||
         name.find("_PORT_") != std::string::npos;
}

KeyValues targetCredentials(const char* const* environ) {
  KeyValues out;
  for (const char* const* e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry = *e;
    auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) {
      continue;
    }
    std::string name = entry.substr(0, eq);
    if (!isSidecarVariable(name)) {
      out.emplace_back(name, entry.substr(eq + 1));
    }
  }
  return out;
}

Result<std::string> urlScheme(const std::string& url) {
  auto at = url.find("://");
  if (at == std::string::npos || at == 0) {
    return fail(Errc::Invalid, "\"" + redactUrl(url) + "\" is not a URL (scheme://...)");
  }
  return url.substr(0, at);
}

std::string redactUrl(const std::string& url) {
  std::string out = url;
  auto q = out.find('?');
  if (q != std::string::npos) {
    out.erase(q);
  }
  auto scheme = out.find("://");
  size_t hostStart = scheme == std::string::npos ? 0 : scheme + 3;
  auto slash = out.find('/', hostStart);
  auto at = out.rfind('@', slash == std::string::npos ? out.size() : slash);
  if (at != std::string::npos && at >= hostStart) {
    out.erase(hostStart, at + 1 - hostStart);
  }
  return out;
}

std::string statusName(mysqlop_type_status s) {
  // The SDK's names; a status it does not know (a newer plugin's) keeps its number.
  const std::string name = mysqlop::statusName(s);
  return name != "Unknown" ? name : "status " + std::to_string(static_cast<int>(s));
}

// ------------------------------------------------------------------------------------ TargetIo

mysqlop_type_credentials TargetIo::creds(std::vector<mysqlop_type_kv>* storage) const {
  storage->clear();
  for (const auto& [k, v] : credentials_) {
    storage->push_back({str(k), str(v)});
  }
  return {storage->data(), storage->size()};
}

TargetIo::Status TargetIo::openWriter(const std::string& url, std::unique_ptr<Writer>* out) {
  host::StandaloneCall call(&plugin_);
  std::vector<mysqlop_type_kv> storage;
  mysqlop_writer_plugin_ptr w = nullptr;
  Status s;
  s.code = table().open_writer(plugin_.instance, call.ptr(), str(url), creds(&storage), &w);
  if (s.ok()) {
    *out = std::make_unique<Writer>(*this, w);
  } else {
    s.message = call.error;
  }
  return s;
}

TargetIo::Status TargetIo::Writer::write(const void* data, std::size_t len) {
  host::StandaloneCall call(&io_.plugin_);
  Status s;
  s.code = io_.table().write(w_, call.ptr(), data, len);
  if (!s.ok()) {
    s.message = call.error;
  }
  return s;
}

TargetIo::Status TargetIo::Writer::commit() {
  host::StandaloneCall call(&io_.plugin_);
  Status s;
  s.code = io_.table().commit(w_, call.ptr());
  w_ = nullptr;  // commit frees the writer whatever its result
  if (!s.ok()) {
    s.message = call.error;
  }
  return s;
}

void TargetIo::Writer::abort() {
  if (w_ != nullptr) {
    host::StandaloneCall call(&io_.plugin_);
    io_.table().abort(w_, call.ptr());
    w_ = nullptr;
  }
}

TargetIo::Status TargetIo::openReader(const std::string& url, std::unique_ptr<Reader>* out) {
  host::StandaloneCall call(&plugin_);
  std::vector<mysqlop_type_kv> storage;
  mysqlop_reader_plugin_ptr r = nullptr;
  Status s;
  s.code = table().open_reader(plugin_.instance, call.ptr(), str(url), creds(&storage), &r);
  if (s.ok()) {
    *out = std::make_unique<Reader>(*this, r);
  } else {
    s.message = call.error;
  }
  return s;
}

TargetIo::Reader::~Reader() {
  if (r_ != nullptr) {
    io_.table().close_reader(r_);
  }
}

TargetIo::Status TargetIo::Reader::read(void* buffer, std::size_t capacity, std::size_t* n) {
  host::StandaloneCall call(&io_.plugin_);
  Status s;
  *n = 0;
  s.code = io_.table().read(r_, call.ptr(), buffer, capacity, n);
  if (!s.ok()) {
    s.message = call.error;
  } else if (*n > capacity) {
    s.code = mysqlop_status_Internal;
    s.message = "the target returned " + std::to_string(*n) + " bytes into a buffer of " +
                std::to_string(capacity);
  }
  return s;
}

TargetIo::Status TargetIo::remove(const std::string& url) {
  host::StandaloneCall call(&plugin_);
  std::vector<mysqlop_type_kv> storage;
  Status s;
  s.code = table().remove(plugin_.instance, call.ptr(), str(url), creds(&storage));
  if (!s.ok()) {
    s.message = call.error;
  }
  return s;
}

// ------------------------------------------------------------------------------------- Targets

Result<void> Targets::load(const std::vector<TargetSpec>& specs) {
  for (const auto& spec : specs) {
    auto p = host_.loadBackupTarget(spec.path, spec.configJson);
    if (!p) {
      return fail(Errc::Invalid,
                  "backup target \"" + spec.name + "\" (" + spec.path + "): " + p.error().message);
    }
  }
  return {};
}

Result<std::unique_ptr<TargetIo>> Targets::forUrl(const std::string& url, KeyValues credentials) {
  auto scheme = urlScheme(url);
  if (!scheme) {
    return scheme.error();
  }
  auto t = host_.backupTargets().find(*scheme);
  if (!t) {
    std::string served;
    for (const auto& s : host_.backupTargets().schemes()) {
      served += (served.empty() ? "" : ", ") + s;
    }
    return fail(Errc::NotFound, "no backup target serves \"" + *scheme +
                                    "://\" (served: " + (served.empty() ? "none" : served) + ")");
  }
  host::StandalonePlugin* plugin = nullptr;
  for (const auto& p : host_.plugins()) {
    if (p->instance == t->instance) {
      plugin = p.get();
    }
  }
  if (plugin == nullptr) {
    return fail(Errc::Internal, "the target serving \"" + *scheme + "://\" is not loaded");
  }
  return std::make_unique<TargetIo>(*plugin, std::move(credentials));
}

Result<OpenedTarget> openTargetFor(const std::string& url, const EnvLookup& env,
                                   const char* const* environ) {
  auto specs = targetSpecs(env, pluginDir(env));
  if (!specs) {
    return specs.error();
  }
  OpenedTarget out;
  out.targets = std::make_unique<Targets>();
  if (auto r = out.targets->load(*specs); !r) {
    return r.error();
  }
  auto io = out.targets->forUrl(url, targetCredentials(environ));
  if (!io) {
    return io.error();
  }
  out.io = std::move(*io);
  return out;
}

}  // namespace mysqlop::sidecar
