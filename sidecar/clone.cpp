#include "sidecar/clone.h"

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>

#include <spdlog/spdlog.h>

#include "sidecar/backup_tool.h"
#include "sidecar/child.h"
#include "sidecar/compression.h"
#include "sidecar/http.h"
#include "sidecar/targets.h"

extern char** environ;  // NOLINT: the credentials of the targets are the process environment

namespace mysqlop::sidecar {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Writes into the extractor's stdin; false when it has gone.
bool writeToChild(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// The stream part of a clone; the caller wipes the data directory when it fails.
Result<void> streamAndPrepare(const Config& cfg, const std::string& baseUrl) {
  std::error_code ec;
  fs::create_directories(cfg.dataDir, ec);
  auto argv = extractCommand(cfg);
  auto child = spawnChild(argv, PipeTo::ChildStdin);
  if (!child) {
    return child.error();
  }
  bool childGone = false;
  std::string auth = "Basic " + base64Encode(cfg.backupUser.user + ":" + cfg.backupUser.password);
  // A source that sends nothing for 5 minutes is taken as dead.
  auto resp = httpGet(
      baseUrl, "/xbackup", auth,
      [&](const char* d, size_t n) {
        if (writeToChild(child->fd, d, n)) {
          return true;
        }
        childGone = true;
        return false;
      },
      5s, std::chrono::seconds(300));
  close(child->fd);
  int code = waitChild(child->pid);
  if (!resp) {
    return resp.error();
  }
  std::string what = "clone from " + baseUrl + "/xbackup";
  if (resp->status != 200) {
    return fail(Errc::Unavailable, what + ": HTTP " + std::to_string(resp->status));
  }
  if (childGone || code != 0) {
    return fail(Errc::Internal, what + ": " + argv[0] + " exited with " + std::to_string(code));
  }
  if (!resp->complete) {
    return fail(Errc::Unavailable,
                what + ": the stream was cut after " + std::to_string(resp->bodyBytes) + " bytes");
  }
  auto status = resp->trailers.find("x-backup-status");
  if (status == resp->trailers.end()) {
    return fail(Errc::Unavailable, what + ": no X-Backup-Status trailer");
  }
  if (status->second != "Success") {
    return fail(Errc::Unavailable, what + ": X-Backup-Status is " + status->second);
  }
  spdlog::info("{}: {} bytes, X-Backup-Status Success; preparing", what, resp->bodyBytes);
  auto prepare = prepareCommand(cfg);
  int prepared = runChild(prepare);
  if (prepared != 0) {
    return fail(Errc::Internal, commandLine(prepare) + " exited with " + std::to_string(prepared));
  }
  return {};
}

// The restore part of a bucket init: the object through the target → decompression (sniffed) →
// the extractor → prepare. The caller wipes the data directory when it fails.
Result<void> restoreAndPrepare(const Config& cfg, const EnvLookup& env) {
  const std::string what = "restore from " + redactUrl(cfg.initBucketUri);
  auto target = openTargetFor(cfg.initBucketUri, env, environ);
  if (!target) {
    return fail(target.error().code, what + ": " + target.error().message);
  }
  TargetIo& io = *target->io;
  auto targetFailed = [&](const TargetIo::Status& st) {
    std::string m = st.message.empty() ? statusName(st.code) : st.message;
    return fail(st.code == mysqlop_status_Forbidden ? Errc::Forbidden : Errc::Unavailable,
                what + ": backup target " + io.name() + ": " + m);
  };
  std::unique_ptr<TargetIo::Reader> reader;
  if (auto st = io.openReader(cfg.initBucketUri, &reader); !st.ok()) {
    return targetFailed(st);
  }
  std::error_code ec;
  fs::create_directories(cfg.dataDir, ec);
  auto argv = extractCommand(cfg);
  auto child = spawnChild(argv, PipeTo::ChildStdin);
  if (!child) {
    return fail(child.error().code, what + ": " + child.error().message);
  }
  bool childGone = false;
  ByteSink toChild = [&](const char* d, std::size_t n) {
    if (writeToChild(child->fd, d, n)) {
      return true;
    }
    childGone = true;
    return false;
  };
  std::vector<char> buf(1 << 20);
  std::string head;  // the first bytes, until the format is known
  std::unique_ptr<Decompressor> decompressor;
  std::uint64_t stored = 0;
  Result<void> streamed;
  for (;;) {
    std::size_t n = 0;
    auto st = reader->read(buf.data(), buf.size(), &n);
    if (!st.ok()) {
      streamed = targetFailed(st);
      break;
    }
    stored += n;
    std::string_view data(buf.data(), n);
    if (!decompressor) {
      head.append(data);
      if (head.size() < 4 && n > 0) {
        continue;
      }
      auto d = makeDecompressor(head);
      if (!d) {
        streamed = fail(Errc::Invalid, what + ": the object " + d.error().message);
        break;
      }
      decompressor = std::move(*d);
      data = head;
    }
    if (n == 0) {
      auto r = decompressor->finish();
      if (!r) {
        streamed = fail(Errc::Invalid, what + ": " + r.error().message);
      }
      break;
    }
    if (auto r = decompressor->write(data, toChild); !r) {
      if (!childGone) {
        streamed = fail(Errc::Invalid, what + ": " + r.error().message);
      }
      break;
    }
    head.clear();
  }
  reader.reset();
  close(child->fd);
  int code = waitChild(child->pid);
  if (!streamed) {
    return streamed;
  }
  if (childGone || code != 0) {
    return fail(Errc::Internal, what + ": " + argv[0] + " exited with " + std::to_string(code));
  }
  spdlog::info("{}: {} bytes read; preparing", what, stored);
  auto prepare = prepareCommand(cfg);
  int prepared = runChild(prepare);
  if (prepared != 0) {
    return fail(Errc::Internal,
                what + ": " + commandLine(prepare) + " exited with " + std::to_string(prepared));
  }
  return {};
}

// Runs one way of filling the data directory under the clone marker; on failure empties it.
Result<void> underCloneMarker(const Config& cfg, const std::function<Result<void>()>& fill) {
  std::error_code ec;
  fs::create_directories(cfg.dataDir, ec);
  fs::path marker = fs::path(cfg.dataDir) / kCloneMarker;
  if (!std::ofstream(marker)) {
    return fail(Errc::Unavailable, "cannot write " + marker.string());
  }
  auto r = fill();
  if (r) {
    fs::remove(marker, ec);
    if (ec) {
      return fail(Errc::Internal, "cannot remove " + marker.string() + ": " + ec.message());
    }
    return r;
  }
  // A half-cloned data directory would pass for data at the next start (<datadir>/mysql exists).
  if (auto wiped = emptyDirectory(cfg.dataDir); !wiped) {
    return fail(Errc::Internal, r.error().message + "; and " + wiped.error().message);
  }
  return fail(r.error().code, r.error().message + "; " + cfg.dataDir + " emptied");
}

}  // namespace

bool hasMysqlData(const std::string& dataDir) {
  std::error_code ec;
  return fs::exists(fs::path(dataDir) / "mysql", ec) &&
         !fs::exists(fs::path(dataDir) / kCloneMarker, ec);
}

Result<void> emptyDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    return {};
  }
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    if (rm) {
      return fail(Errc::Internal, "cannot remove " + entry.path().string() + ": " + rm.message());
    }
  }
  if (ec) {
    return fail(Errc::Internal, "cannot list " + dir + ": " + ec.message());
  }
  return {};
}

bool isHealthy(const std::string& baseUrl) {
  auto resp = httpGet(
      baseUrl, "/health", "", [](const char*, size_t) { return true; }, 5s, 5s);
  return resp && resp->status == 200;
}

Result<void> cloneFrom(const Config& cfg, const std::string& baseUrl) {
  return underCloneMarker(cfg, [&] { return streamAndPrepare(cfg, baseUrl); });
}

Result<void> restoreFromBucket(const Config& cfg, const EnvLookup& env) {
  return underCloneMarker(cfg, [&] { return restoreAndPrepare(cfg, env); });
}

Result<void> cloneIfNeeded(const Config& cfg) {
  auto r = cloneOrRestore(cfg, processEnv());
  if (!r) {
    return r.error();
  }
  return {};
}

Result<FillSource> cloneOrRestore(const Config& cfg, const EnvLookup& env) {
  // A fresh ext4 volume has lost+found, which the server would list as a database.
  std::error_code ec;
  fs::remove_all(fs::path(cfg.dataDir) / "lost+found", ec);
  if (hasMysqlData(cfg.dataDir)) {
    spdlog::info("{} holds data: no clone", cfg.dataDir);
    return FillSource::None;
  }
  if (fs::exists(fs::path(cfg.dataDir) / kCloneMarker, ec)) {
    spdlog::warn("{} holds an interrupted clone: emptying it", cfg.dataDir);
    if (auto wiped = emptyDirectory(cfg.dataDir); !wiped) {
      return wiped.error();
    }
  }
  // A failed peer clone does not fall back to the master (bitpoke).
  auto done = [](const Result<void>& r, FillSource source) -> Result<FillSource> {
    if (!r) {
      return r.error();
    }
    return source;
  };
  if (isHealthy(cfg.replicasUrl)) {
    return done(cloneFrom(cfg, cfg.replicasUrl), FillSource::Peer);
  }
  if (isHealthy(cfg.masterUrl)) {
    return done(cloneFrom(cfg, cfg.masterUrl), FillSource::Master);
  }
  if (cfg.ordinal == 0 && !cfg.initBucketUri.empty()) {
    spdlog::info("restoring {} from {}", cfg.dataDir, redactUrl(cfg.initBucketUri));
    return done(restoreFromBucket(cfg, env), FillSource::Bucket);
  }
  if (cfg.ordinal == 0) {
    spdlog::info("nothing to clone from and pod 0: the server starts with an empty data directory");
    return FillSource::None;
  }
  return fail(Errc::Unavailable, "nothing to clone from: neither " + cfg.replicasUrl + " nor " +
                                     cfg.masterUrl + " is healthy, and only pod 0 may start empty");
}

}  // namespace mysqlop::sidecar
