#include "sidecar/backup_job.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "sidecar/clone.h"
#include "sidecar/compression.h"
#include "sidecar/http.h"
#include "sidecar/targets.h"

namespace mysqlop::sidecar {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Set by a signal handler: lock-free, so async-signal-safe.
std::atomic<bool> stopRequested{false};
static_assert(std::atomic<bool>::is_always_lock_free);
constexpr const char* kStopped = "terminated by a signal: the upload was aborted";

Result<long> number(const EnvLookup& env, const std::string& name, long def, long min, long max) {
  auto v = env(name);
  if (!v || v->empty()) {
    return def;
  }
  char* end = nullptr;
  errno = 0;
  long n = std::strtol(v->c_str(), &end, 10);
  if (errno != 0 || end == v->c_str() || *end != '\0' || n < min || n > max) {
    return fail(Errc::Invalid, name + "=\"" + *v + "\": not a number from " + std::to_string(min) +
                                   " to " + std::to_string(max));
  }
  return n;
}

std::string targetMessage(const TargetIo& io, const TargetIo::Status& st, const std::string& op,
                          const std::string& url) {
  std::string m =
      st.message.empty() ? op + " " + redactUrl(url) + ": " + statusName(st.code) : st.message;
  return "backup target " + io.name() + ": " + m;
}

}  // namespace

void requestBackupStop() { stopRequested.store(true); }

std::string reportJson(const BackupReport& r) {
  nlohmann::json j = {
      {"phase", r.complete ? "Complete" : "Failed"},
      {"url", redactUrl(r.url)},
      {"sourceBytes", r.sourceBytes},
      {"storedBytes", r.storedBytes},
      {"seconds", static_cast<double>(static_cast<long long>(r.seconds * 1000)) / 1000},
      {"gtid", r.gtid}};
  if (!r.complete) {
    j["reason"] = r.reason;
    j["message"] = r.message;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<TakeBackupSettings> takeBackupSettings(const EnvLookup& env, const std::string& sourceHost,
                                              const std::string& url) {
  TakeBackupSettings s;
  s.sourceHost = sourceHost;
  s.url = url;
  if (auto cmd = env("BACKUP_COMPRESS_COMMAND"); cmd && !cmd->empty()) {
    return fail(Errc::Invalid,
                "BACKUP_COMPRESS_COMMAND is set: this sidecar compresses in-process (gzip, or zstd "
                "for a URL ending in .zst) and runs no compression command; unset it");
  }
  for (auto [name, field] :
       {std::pair{"BACKUP_USER", &s.backupUser}, std::pair{"BACKUP_PASSWORD", &s.backupPassword}}) {
    auto v = env(name);
    if (!v || v->empty()) {
      return fail(Errc::Invalid, std::string(name) + " is not set");
    }
    *field = *v;
  }
  auto port = number(env, "MYSQLOP_SIDECAR_PORT", 8080, 1, 65535);
  auto deadline = number(env, "MYSQLOP_BACKUP_HEALTH_TIMEOUT", 300, 0, 86400);
  auto interval = number(env, "MYSQLOP_BACKUP_HEALTH_INTERVAL_MS", 5000, 10, 3600000);
  auto level = number(env, "MYSQLOP_BACKUP_COMPRESS_LEVEL", 0, 0, 19);
  for (const auto* r : {&port, &deadline, &interval, &level}) {
    if (!*r) {
      return r->error();
    }
  }
  s.sourcePort = static_cast<std::uint16_t>(*port);
  s.healthDeadline = std::chrono::seconds(*deadline);
  s.healthInterval = std::chrono::milliseconds(*interval);
  if (*level > 0) {
    s.gzipLevel = static_cast<int>(std::min(*level, 9L));
    s.zstdLevel = static_cast<int>(*level);
  }
  if (auto scheme = urlScheme(url); !scheme) {
    return scheme.error();
  }
  return s;
}

BackupReport takeBackupTo(const TakeBackupSettings& s, const EnvLookup& env,
                          const char* const* environ) {
  const auto start = Clock::now();
  BackupReport rep;
  rep.url = s.url;
  auto failed = [&](const std::string& reason, const std::string& message) {
    rep.complete = false;
    rep.reason = reason;
    rep.message = message;
    rep.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return rep;
  };
  auto target = openTargetFor(s.url, env, environ);
  if (!target) {
    return failed("InvalidConfig", target.error().message);
  }
  TargetIo& io = *target->io;

  // The source: "host" (bitpoke: port 8080) or "host:port".
  std::string base = "http://" + s.sourceHost;
  if (s.sourceHost.find(':') == std::string::npos) {
    base += ":" + std::to_string(s.sourcePort);
  }
  const auto healthEnd = Clock::now() + s.healthDeadline;
  while (!isHealthy(base)) {
    if (stopRequested.load()) {
      return failed("Terminated", kStopped);
    }
    if (Clock::now() >= healthEnd) {
      return failed("SourceUnavailable", base + "/health did not answer 200 within " +
                                             std::to_string(s.healthDeadline.count()) + " s");
    }
    spdlog::info("{}/health is not 200 yet; trying again", base);
    std::this_thread::sleep_for(s.healthInterval);
  }

  std::unique_ptr<TargetIo::Writer> writer;
  if (auto st = io.openWriter(s.url, &writer); !st.ok()) {
    return failed("TargetFailed", targetMessage(io, st, "opening", s.url));
  }
  const Compression kind = compressionForUrl(s.url);
  auto compressor = makeCompressor(kind, kind == Compression::Zstd ? s.zstdLevel : s.gzipLevel);
  std::string targetError;
  ByteSink toTarget = [&](const char* d, std::size_t n) {
    auto st = writer->write(d, n);
    if (!st.ok()) {
      targetError = targetMessage(io, st, "writing", s.url);
      return false;
    }
    rep.storedBytes += n;
    return true;
  };
  spdlog::info("backup of {} into {} ({}, target {})", base, redactUrl(s.url),
               compressionName(kind), io.name());
  const std::string auth = "Basic " + base64Encode(s.backupUser + ":" + s.backupPassword);
  auto resp = httpGet(
      base, "/xbackup", auth,
      [&](const char* d, std::size_t n) {
        if (stopRequested.load()) {
          return false;
        }
        rep.sourceBytes += n;
        auto r = compressor->write({d, n}, toTarget);
        if (!r && targetError.empty()) {
          targetError = r.error().message;
        }
        return r.ok();
      },
      5s, s.idle);
  // From here on, any return before commit aborts the writer (its destructor): nothing visible.
  const std::string what = "GET " + base + "/xbackup";
  if (stopRequested.load()) {
    return failed("Terminated", kStopped);
  }
  if (!resp) {
    return failed("SourceUnavailable", what + ": " + resp.error().message);
  }
  if (!targetError.empty()) {
    return failed("TargetFailed", targetError);
  }
  if (resp->status != 200) {
    return failed("SourceFailed", what + ": HTTP " + std::to_string(resp->status));
  }
  if (!resp->complete) {
    return failed("SourceFailed", what + ": the stream was cut after " +
                                      std::to_string(resp->bodyBytes) + " bytes");
  }
  auto status = resp->trailers.find("x-backup-status");
  if (status == resp->trailers.end()) {
    return failed("SourceFailed", what + ": no X-Backup-Status trailer");
  }
  if (status->second != "Success") {
    return failed("SourceFailed", what + ": X-Backup-Status is " + status->second);
  }
  if (auto gtid = resp->trailers.find("x-backup-gtid"); gtid != resp->trailers.end()) {
    rep.gtid = gtid->second;
  }
  if (auto r = compressor->finish(toTarget); !r) {
    return failed("TargetFailed", targetError.empty() ? r.error().message : targetError);
  }
  if (auto st = writer->commit(); !st.ok()) {
    return failed("TargetFailed", targetMessage(io, st, "committing", s.url));
  }
  rep.complete = true;
  rep.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return rep;
}

Result<void> removeBackup(const std::string& url, const EnvLookup& env,
                          const char* const* environ) {
  auto target = openTargetFor(url, env, environ);
  if (!target) {
    return target.error();
  }
  auto st = target->io->remove(url);
  if (st.code == mysqlop_status_NotFound) {
    spdlog::info("{} is already absent", redactUrl(url));
    return {};
  }
  if (!st.ok()) {
    return fail(Errc::Unavailable, "removing " + redactUrl(url) + ": " +
                                       targetMessage(*target->io, st, "removing", url));
  }
  spdlog::info("{} removed", redactUrl(url));
  return {};
}

bool writeTerminationMessage(const EnvLookup& env, const std::string& text) {
  // Kubernetes creates the file; the default path is never created here (outside a pod it would
  // be a file in the host's /dev). A path given by MYSQLOP_TERMINATION_LOG is created.
  auto v = env("MYSQLOP_TERMINATION_LOG");
  const bool given = v && !v->empty();
  const std::string path = given ? *v : "/dev/termination-log";
  int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | (given ? O_CREAT : 0), 0644);
  if (fd < 0) {
    spdlog::warn("cannot write the termination message to {}: {}", path, std::strerror(errno));
    return false;
  }
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

}  // namespace mysqlop::sidecar
