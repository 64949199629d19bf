#include "plugins/target_rclone/src/rclone_target.h"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "plugins/target_rclone/src/rclone_process.h"

namespace mysqlop::targetrclone {

namespace {

// rclone's exit codes (rclone docs, "Exit Code"): 3 directory not found, 4 file not found.
constexpr int kDirNotFound = 3;
constexpr int kFileNotFound = 4;

std::string notFound(std::string_view url) {
  return "object " + std::string(url) + " does not exist";
}

// One rclone invocation's fixed parts: the binary, no config file, quiet, one attempt (the
// operator retries whole backups), the timeouts.
struct Runner {
  Options options;
  std::vector<std::string> env;
  std::vector<std::string> secrets;

  std::vector<std::string> argv(std::initializer_list<std::string> args) const {
    std::vector<std::string> v = {options.rclone,
                                  "--config",
                                  "",
                                  "-q",
                                  "--retries",
                                  "1",
                                  "--low-level-retries",
                                  "3",
                                  "--contimeout",
                                  std::to_string(options.timeoutSeconds) + "s",
                                  "--timeout",
                                  std::to_string(options.timeoutSeconds) + "s"};
    v.insert(v.end(), args);
    return v;
  }

  [[noreturn]] void fail(RcloneProcess& p, int code, const std::string& what,
                         const char* command) const {
    const std::string line = lastErrorLine(p.errorOutput(), secrets);
    throw Error(mysqlop_status_Retry, what + ": rclone " + command + " failed (exit " +
                                          std::to_string(code) + "): " + line);
  }

  // Runs to the end; the exit status, stdout in *out.
  int run(const std::vector<std::string>& args, const std::string& what, std::string* out,
          std::string* errors) const {
    RcloneProcess p(args, env, {false, out != nullptr}, what);
    if (out) {
      char buf[65536];
      long n;
      while ((n = p.read(buf, sizeof buf)) > 0) {
        out->append(buf, static_cast<std::size_t>(n));
      }
    }
    const int code = p.wait();
    if (errors) {
      *errors = lastErrorLine(p.errorOutput(), secrets);
    }
    return code;
  }
};

Runner runnerFor(const Options& options, const Location& where, const Credentials& credentials) {
  return {options, environmentFor(where, credentials), secretValues(where, credentials)};
}

std::int64_t parseIsoMs(const std::string& t) {
  std::tm tm{};
  const char* rest = strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) {
    return 0;
  }
  std::int64_t ms = 0;
  if (*rest == '.') {
    int digits = 0;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest) {
      if (digits++ < 3) {
        ms = ms * 10 + (*rest - '0');
      }
    }
    for (; digits < 3; ++digits) {
      ms *= 10;
    }
  }
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

// lsjson --stat: the entry, or null when nothing is there.
nlohmann::json stat(const Runner& r, const Location& where, const std::string& what) {
  std::string out;
  std::string errors;
  const int code = r.run(r.argv({"lsjson", "--stat", where.spec()}), what, &out, &errors);
  if (code == kDirNotFound || code == kFileNotFound) {
    return nullptr;
  }
  if (code != 0) {
    throw Error(mysqlop_status_Retry,
                what + ": rclone lsjson failed (exit " + std::to_string(code) + "): " + errors);
  }
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error(mysqlop_status_Retry, what + ": rclone lsjson printed no JSON object");
  }
  return j;
}

class RcloneWriter : public BackupWriter {
 public:
  RcloneWriter(Runner runner, Location where, std::string url)
      : runner_(std::move(runner)), where_(std::move(where)), url_(std::move(url)) {
    temp_ = where_;
    temp_.path = temporaryFor(where_.path);
    process_ = std::make_unique<RcloneProcess>(runner_.argv({"rcat", temp_.spec()}), runner_.env,
                                               RcloneProcess::Io{true, false}, "writing " + url_);
  }
  ~RcloneWriter() override { discard(); }

  void write(Call&, const void* data, std::size_t len) override {
    if (!process_->write(static_cast<const char*>(data), len)) {
      const int code = process_->wait();
      runner_.fail(*process_, code, "writing " + url_, "rcat");
    }
  }

  void commit(Call&) override {
    const std::string what = "committing " + url_;
    const int code = process_->wait();
    if (code != 0) {
      runner_.fail(*process_, code, what, "rcat");
    }
    // moveto onto a directory would move the temporary into it: refuse (the kit's
    // failed_commit check; a directory is a prefix of other objects, never replaced).
    const auto existing = stat(runner_, where_, what);
    if (!existing.is_null() && existing.value("IsDir", false)) {
      throw Error(mysqlop_status_InvalidConfig,
                  what + ": a directory of other objects has this name");
    }
    std::string errors;
    const int moved =
        runner_.run(runner_.argv({"moveto", temp_.spec(), where_.spec()}), what, nullptr, &errors);
    if (moved != 0) {
      throw Error(mysqlop_status_Retry,
                  what + ": rclone moveto failed (exit " + std::to_string(moved) + "): " + errors);
    }
    process_.reset();
    committed_ = true;
  }

  void abort(Call&) noexcept override { discard(); }

 private:
  void discard() noexcept {
    if (committed_ || discarded_) {
      return;
    }
    discarded_ = true;
    try {
      if (process_) {
        process_->kill();
        process_.reset();
      }
      // rclone may have made the temporary (local remotes write it as they go).
      runner_.run(runner_.argv({"deletefile", temp_.spec()}), "aborting " + url_, nullptr, nullptr);
    } catch (...) {  // abort never fails; the temporary is invisible to list anyway
    }
  }

  Runner runner_;
  Location where_;
  Location temp_;
  std::string url_;
  std::unique_ptr<RcloneProcess> process_;
  bool committed_ = false;
  bool discarded_ = false;
};

class RcloneReader : public BackupReader {
 public:
  RcloneReader(Runner runner, const Location& where, std::string url)
      : runner_(std::move(runner)), url_(std::move(url)) {
    const std::string what = "reading " + url_;
    const auto entry = stat(runner_, where, what);
    if (entry.is_null() || entry.value("IsDir", false)) {
      throw Error(mysqlop_status_NotFound, notFound(url_));
    }
    process_ = std::make_unique<RcloneProcess>(runner_.argv({"cat", where.spec()}), runner_.env,
                                               RcloneProcess::Io{false, true}, what);
  }

  std::size_t read(Call&, void* buffer, std::size_t capacity) override {
    const long n = process_->read(static_cast<char*>(buffer), capacity);
    if (n > 0) {
      return static_cast<std::size_t>(n);
    }
    // The end of the bytes: only a clean exit makes it the end of the object.
    const int code = process_->wait();
    if (n < 0 || code != 0) {
      runner_.fail(*process_, code, "reading " + url_, "cat");
    }
    return 0;
  }

 private:
  Runner runner_;
  std::string url_;
  std::unique_ptr<RcloneProcess> process_;
};

}  // namespace

RcloneTarget::RcloneTarget(const Context& ctx)
    : BackupTarget(ctx), options_(parseOptions(ctx.configJson)) {}

std::unique_ptr<BackupWriter> RcloneTarget::openWriter(Call&, std::string_view url,
                                                       const Credentials& credentials) {
  Location where = parseUrl(url, true);
  if (where.scheme == "http") {
    throw Error(mysqlop_status_InvalidConfig,
                "writing " + std::string(url) + ": http:// is read-only (rclone's http remote)");
  }
  Runner r = runnerFor(options_, where, credentials);
  return std::make_unique<RcloneWriter>(std::move(r), std::move(where), std::string(url));
}

std::unique_ptr<BackupReader> RcloneTarget::openReader(Call&, std::string_view url,
                                                       const Credentials& credentials) {
  const Location where = parseUrl(url, true);
  return std::make_unique<RcloneReader>(runnerFor(options_, where, credentials), where,
                                        std::string(url));
}

std::vector<ObjectInfo> RcloneTarget::list(Call&, std::string_view urlPrefix,
                                           const Credentials& credentials) {
  const Location where = parseUrl(urlPrefix, false);
  const Runner r = runnerFor(options_, where, credentials);
  const std::string what = "listing " + std::string(urlPrefix);
  // List the directory that holds the prefix, then keep the names that start with it.
  Location dir = where;
  const auto slash = where.path.rfind('/');
  dir.path = slash == std::string::npos ? "" : where.path.substr(0, slash + 1);
  std::string out;
  std::string errors;
  const int code = r.run(r.argv({"lsjson", "-R", "--files-only", dir.spec()}), what, &out, &errors);
  std::vector<ObjectInfo> result;
  if (code == kDirNotFound || code == kFileNotFound) {
    return result;  // nothing stored there yet
  }
  if (code != 0) {
    throw Error(mysqlop_status_Retry,
                what + ": rclone lsjson failed (exit " + std::to_string(code) + "): " + errors);
  }
  const auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    throw Error(mysqlop_status_Retry, what + ": rclone lsjson printed no JSON array");
  }
  for (const auto& e : j) {
    const std::string path = dir.path + e.value("Path", "");
    if (e.value("IsDir", false) || isTemporary(path) ||
        path.compare(0, where.path.size(), where.path) != 0) {
      continue;
    }
    const auto size = e.value("Size", std::int64_t{0});
    result.push_back({where.urlOf(path),
                      static_cast<std::uint64_t>(std::max<std::int64_t>(size, 0)),
                      parseIsoMs(e.value("ModTime", ""))});
  }
  std::sort(result.begin(), result.end(),
            [](const auto& a, const auto& b) { return a.url < b.url; });
  return result;
}

void RcloneTarget::remove(Call&, std::string_view url, const Credentials& credentials) {
  const Location where = parseUrl(url, true);
  const Runner r = runnerFor(options_, where, credentials);
  const std::string what = "removing " + std::string(url);
  // deletefile answers the same exit code for a missing object as for other failures.
  const auto entry = stat(r, where, what);
  if (entry.is_null() || entry.value("IsDir", false)) {
    throw Error(mysqlop_status_NotFound, notFound(url));
  }
  std::string errors;
  const int code = r.run(r.argv({"deletefile", where.spec()}), what, nullptr, &errors);
  if (code != 0) {
    throw Error(mysqlop_status_Retry,
                what + ": rclone deletefile failed (exit " + std::to_string(code) + "): " + errors);
  }
}

}  // namespace mysqlop::targetrclone
