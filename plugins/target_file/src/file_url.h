#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"

namespace mysqlop::targetfile {

// Settings of the plugin (its `config` object).
struct Options {
  std::filesystem::path root;  // empty: any absolute path; else every URL must lie below it
  bool fsync = true;           // fsync the file and its directory on commit
};

// Parses {"root": "/abs/dir", "fsync": true}; throws mysqlop::ConfigError naming the key.
Options parseOptions(std::string_view configJson);

// The local path of a file:///abs/path URL. Throws mysqlop::Error: InvalidConfig for a URL that
// is not file:///..., has a host, is relative or holds a ".." segment; Forbidden for a path
// outside options.root. Every message names the URL.
std::filesystem::path pathOf(std::string_view url, const Options& options);

// The URL of a local path (the inverse of pathOf).
std::string urlOf(const std::filesystem::path& path);

// True for the names of writers' temporary files, which list never reports.
bool isTemporary(const std::filesystem::path& path);
// A fresh temporary name beside target.
std::filesystem::path temporaryFor(const std::filesystem::path& target);

// The status an errno deserves: EACCES, EPERM, EROFS Forbidden; ENOENT NotFound; ENOTDIR,
// EISDIR, ENAMETOOLONG InvalidConfig; everything else Retry (a full or failing disk may recover).
mysqlop_type_status statusOfErrno(int error);
// Throws mysqlop::Error(statusOfErrno(error), what + ": " + strerror(error)).
[[noreturn]] void throwErrno(int error, const std::string& what);

}  // namespace mysqlop::targetfile
