#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mysqlop/plugin.hpp"

namespace mysqlop::targetrclone {

// Settings of the plugin (its `config` object).
struct Options {
  std::string rclone = "/usr/bin/rclone";  // the rclone binary (absolute path)
  int timeoutSeconds = 60;                 // rclone's --contimeout and --timeout (idle I/O)
};
// Parses {"rclone": "/abs/path", "timeoutSeconds": 60}; throws mysqlop::ConfigError naming the key.
Options parseOptions(std::string_view configJson);

// Where a URL points: the rclone remote and the path inside it, as bitpoke maps them
// (compat.md section 5): scheme://bucket/path is remote `scheme:` and path `bucket/path`;
// rclone://REMOTE/path is the remote REMOTE that the credentials define.
struct Location {
  std::string scheme;  // gd, hdfs, http or rclone
  std::string remote;  // the rclone remote name
  std::string path;    // inside the remote, no leading '/'
  // "remote:path" for rclone's command line.
  std::string spec() const { return remote + ":" + path; }
  // The URL of a path inside the same remote.
  std::string urlOf(const std::string& p) const;
};

// Throws mysqlop::Error(InvalidConfig) naming the URL for another scheme, a missing bucket or
// remote name, or (object=true) an empty or directory-like ("/"-ending) object name.
Location parseUrl(std::string_view url, bool object);

// The environment of one rclone run: PATH, HOME, TMPDIR, RCLONE_CONFIG="" (no config file) and
// the remote's RCLONE_CONFIG_<REMOTE>_<OPTION> variables made from the credentials (bitpoke's
// Secret keys; any RCLONE_CONFIG_<REMOTE>_* key of the Secret is passed as it is, and adds or
// overrides an option). Throws InvalidConfig "credentials: KEY is not set" for a missing key.
std::vector<std::string> environmentFor(const Location& where, const Credentials& credentials);

// The credential values of length 4 or more (to blank them out of rclone's messages).
std::vector<std::string> secretValues(const Location& where, const Credentials& credentials);

// rclone's last error line without its timestamp, every secret replaced by "***".
std::string lastErrorLine(const std::string& stderrText, const std::vector<std::string>& secrets);

// True for the names of writers' temporary objects, which list never reports.
bool isTemporary(std::string_view name);
// A fresh temporary path beside path (".<name>.tmp-<16 hex>").
std::string temporaryFor(const std::string& path);

}  // namespace mysqlop::targetrclone
