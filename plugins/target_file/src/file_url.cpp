#include "plugins/target_file/src/file_url.h"

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

namespace mysqlop::targetfile {

namespace fs = std::filesystem;

namespace {
constexpr std::string_view kScheme = "file://";
constexpr std::string_view kTempMarker = ".tmp-";
}  // namespace

Options parseOptions(std::string_view configJson) {
  Options o;
  const auto j = nlohmann::json::parse(configJson.empty() ? std::string_view("{}") : configJson,
                                       nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw ConfigError("config: expected a JSON object");
  }
  for (const auto& [key, value] : j.items()) {
    if (key == "root") {
      if (!value.is_string() || !fs::path(value.get<std::string>()).is_absolute()) {
        throw ConfigError("config.root: expected an absolute path");
      }
      o.root = fs::path(value.get<std::string>()).lexically_normal();
    } else if (key == "fsync") {
      if (!value.is_boolean()) {
        throw ConfigError("config.fsync: expected true or false");
      }
      o.fsync = value.get<bool>();
    } else {
      throw ConfigError("config: unknown key \"" + key + "\" (known: root, fsync)");
    }
  }
  return o;
}

fs::path pathOf(std::string_view url, const Options& options) {
  const std::string u(url);
  if (url.substr(0, kScheme.size()) != kScheme) {
    throw Error(mysqlop_status_InvalidConfig, "URL " + u + " does not start with file://");
  }
  const std::string_view rest = url.substr(kScheme.size());
  if (rest.empty() || rest[0] != '/') {
    throw Error(mysqlop_status_InvalidConfig,
                "URL " + u + " must name an absolute path on this machine (file:///dir/name)");
  }
  const fs::path raw{std::string(rest)};
  for (const auto& part : raw) {
    if (part == "..") {
      throw Error(mysqlop_status_InvalidConfig, "URL " + u + " must not contain \"..\"");
    }
  }
  fs::path p = raw.lexically_normal();
  if (!options.root.empty()) {
    const fs::path rel = p.lexically_relative(options.root);
    if (rel.empty() || *rel.begin() == "..") {
      throw Error(mysqlop_status_Forbidden,
                  "URL " + u + " is outside the configured root " + options.root.string());
    }
  }
  return p;
}

std::string urlOf(const fs::path& path) { return std::string(kScheme) + path.string(); }

bool isTemporary(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name[0] == '.' && name.find(kTempMarker) != std::string::npos;
}

fs::path temporaryFor(const fs::path& target) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
  return target.parent_path() /
         ("." + target.filename().string() + std::string(kTempMarker) + suffix);
}

mysqlop_type_status statusOfErrno(int error) {
  switch (error) {
    case EACCES:
    case EPERM:
    case EROFS: return mysqlop_status_Forbidden;
    case ENOENT: return mysqlop_status_NotFound;
    case ENOTDIR:
    case EISDIR:
    case ENAMETOOLONG: return mysqlop_status_InvalidConfig;
    default: return mysqlop_status_Retry;
  }
}

void throwErrno(int error, const std::string& what) {
  throw Error(statusOfErrno(error), what + ": " + std::strerror(error));
}

}  // namespace mysqlop::targetfile
