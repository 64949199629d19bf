#include "plugins/target_rclone/src/rclone_remote.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

namespace mysqlop::targetrclone {

namespace {

// bitpoke's remotes (compat.md section 5): scheme → rclone type and Secret key → option.
struct Mapping {
  const char* type;
  std::vector<std::pair<const char*, const char*>> required;  // Secret key → option
  std::vector<std::pair<const char*, const char*>> optional;
  std::vector<std::pair<const char*, const char*>> fixed;  // option → value
};

const std::map<std::string, Mapping>& mappings() {
  static const std::map<std::string, Mapping> m = {
      {"gd",
       {"drive",
        {{"GDRIVE_SERVICE_ACCOUNT", "SERVICE_ACCOUNT_CREDENTIALS"}},
        {{"GDRIVE_CLIENT_ID", "CLIENT_ID"},
         {"GDRIVE_ROOT_FOLDER_ID", "ROOT_FOLDER_ID"},
         {"GDRIVE_IMPERSONATOR", "IMPERSONATE"}},
        {{"SCOPE", "drive"}}}},
      {"hdfs", {"hdfs", {{"HDFS_NAMENODE", "NAMENODE"}}, {{"HDFS_USERNAME", "USERNAME"}}, {}}},
      {"http", {"http", {{"HTTP_URL", "URL"}}, {}, {}}},
  };
  return m;
}

std::string upper(std::string s) {
  for (char& c : s) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string prefixOf(const Location& where) { return "RCLONE_CONFIG_" + upper(where.remote) + "_"; }

[[noreturn]] void badUrl(std::string_view url, const std::string& why) {
  throw Error(mysqlop_status_InvalidConfig, "URL " + std::string(url) + ": " + why);
}

constexpr std::string_view kTempMarker = ".tmp-";

}  // namespace

Options parseOptions(std::string_view configJson) {
  Options o;
  const auto j = nlohmann::json::parse(configJson.empty() ? std::string_view("{}") : configJson,
                                       nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw ConfigError("config: expected a JSON object");
  }
  for (const auto& [key, v] : j.items()) {
    if (key == "rclone") {
      if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>()[0] != '/') {
        throw ConfigError("config.rclone: expected the absolute path of the rclone binary");
      }
      o.rclone = v.get<std::string>();
    } else if (key == "timeoutSeconds") {
      if (!v.is_number_unsigned() || v.get<int>() < 1 || v.get<int>() > 3600) {
        throw ConfigError("config.timeoutSeconds: expected 1 to 3600");
      }
      o.timeoutSeconds = v.get<int>();
    } else {
      throw ConfigError("config: unknown key \"" + key + "\" (known: rclone, timeoutSeconds)");
    }
  }
  return o;
}

std::string Location::urlOf(const std::string& p) const {
  if (scheme == "rclone") {
    return "rclone://" + remote + "/" + p;
  }
  return scheme + "://" + p;
}

Location parseUrl(std::string_view url, bool object) {
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) {
    badUrl(url, "expected scheme://bucket/path");
  }
  Location where;
  where.scheme = std::string(url.substr(0, colon));
  std::string rest(url.substr(colon + 3));
  if (where.scheme == "rclone") {
    const auto slash = rest.find('/');
    where.remote = rest.substr(0, slash);
    if (where.remote.empty() || slash == std::string::npos) {
      badUrl(url, "expected rclone://REMOTE/path, REMOTE defined by RCLONE_CONFIG_REMOTE_TYPE");
    }
    for (char c : where.remote) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
        badUrl(url, "the remote name may hold letters, digits, '_' and '-' only");
      }
    }
    where.path = rest.substr(slash + 1);
  } else if (mappings().count(where.scheme) != 0) {
    where.remote = where.scheme;
    where.path = rest;
    if (where.path.empty() || where.path[0] == '/') {
      badUrl(url, "expected " + where.scheme + "://bucket/path");
    }
  } else {
    badUrl(url, "the rclone target serves gd://, hdfs://, http:// and rclone:// only");
  }
  if (object && (where.path.empty() || where.path.back() == '/')) {
    badUrl(url, "expected an object name, not a directory");
  }
  // ".." would let rclone leave the remote's root on local-like remotes.
  if (("/" + where.path + "/").find("/../") != std::string::npos) {
    badUrl(url, "\"..\" segments are not allowed");
  }
  return where;
}

std::vector<std::string> environmentFor(const Location& where, const Credentials& credentials) {
  std::vector<std::string> env;
  const char* path = std::getenv("PATH");
  env.push_back(std::string("PATH=") + (path ? path : "/usr/bin:/bin"));
  const char* home = std::getenv("HOME");
  env.push_back(std::string("HOME=") + (home ? home : "/tmp"));
  const char* tmp = std::getenv("TMPDIR");
  env.push_back(std::string("TMPDIR=") + (tmp ? tmp : "/tmp"));
  env.emplace_back("RCLONE_CONFIG=");  // no config file: the remote is the variables below
  const std::string prefix = prefixOf(where);
  std::map<std::string, std::string> options;
  auto it = mappings().find(where.scheme);
  if (it != mappings().end()) {
    const Mapping& m = it->second;
    options["TYPE"] = m.type;
    for (const auto& [key, value] : m.fixed) {
      options[key] = value;
    }
    for (const auto& [key, option] : m.required) {
      auto v = credentials.get(key);
      if (!v || v->empty()) {
        throw Error(mysqlop_status_InvalidConfig,
                    std::string("credentials: ") + key + " is not set");
      }
      options[option] = *v;
    }
    for (const auto& [key, option] : m.optional) {
      auto v = credentials.get(key);
      if (v && !v->empty()) {
        options[option] = *v;
      }
    }
  }
  for (const auto& [key, value] : credentials.all()) {
    if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) {
      options[key.substr(prefix.size())] = value;
    }
  }
  if (options.count("TYPE") == 0) {
    throw Error(mysqlop_status_InvalidConfig, "credentials: " + prefix + "TYPE is not set (" +
                                                  where.urlOf("") + " names the remote " +
                                                  where.remote + ")");
  }
  for (const auto& [option, value] : options) {
    env.push_back(prefix + option + "=" + value);
  }
  return env;
}

std::vector<std::string> secretValues(const Location& where, const Credentials& credentials) {
  (void)where;
  std::vector<std::string> out;
  for (const auto& [key, value] : credentials.all()) {
    // The remote's type and bitpoke's non-secret keys are safe, the rest may be a secret.
    if (value.size() >= 4 && key.size() >= 5 && key.compare(key.size() - 5, 5, "_TYPE") != 0) {
      out.push_back(value);
    }
  }
  return out;
}

std::string lastErrorLine(const std::string& stderrText, const std::vector<std::string>& secrets) {
  std::string line;
  std::size_t end = stderrText.size();
  while (end > 0) {
    const std::size_t start = stderrText.rfind('\n', end - 1);
    const std::size_t from = start == std::string::npos ? 0 : start + 1;
    line = stderrText.substr(from, end - from);
    if (!line.empty()) {
      break;
    }
    if (start == std::string::npos) {
      break;
    }
    end = start;
  }
  // "2026/12/03 12:26:11 " and rclone's level ("ERROR : ").
  if (line.size() > 20 && line[4] == '/' && line[7] == '/' && line[13] == ':') {
    line = line.substr(20);
  }
  for (const char* level : {"ERROR : ", "NOTICE: ", "CRITICAL: "}) {
    if (line.rfind(level, 0) == 0) {
      line = line.substr(std::char_traits<char>::length(level));
    }
  }
  for (const auto& s : secrets) {
    for (std::size_t at = line.find(s); at != std::string::npos; at = line.find(s, at + 3)) {
      line.replace(at, s.size(), "***");
    }
  }
  return line.empty() ? "no message" : line;
}

bool isTemporary(std::string_view name) {
  const auto slash = name.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  return !base.empty() && base[0] == '.' && base.find(kTempMarker) != std::string_view::npos;
}

std::string temporaryFor(const std::string& path) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + base + std::string(kTempMarker) + suffix;
}

}  // namespace mysqlop::targetrclone
