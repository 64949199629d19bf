#include "sidecar/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "sidecar/backup_tool.h"
#include "sidecar/child.h"
#include "sidecar/http.h"
#include "sidecar/progress.h"

namespace mysqlop::sidecar {
namespace {

constexpr const char* kTrailer = "X-Backup-Status";
constexpr const char* kGtidTrailer = "X-Backup-Gtid";

// The backup tool's stderr, copied through to ours line by line while the GTID position of the
// backup is picked out of its "MySQL binlog position: filename '...', position '...', GTID of the
// last change '<gtid>'" line (mariadb-backup and xtrabackup write it when the backup ends; with
// --stream the binlog info file goes into the stream, not to disk).
class StderrTee {
 public:
  StderrTee() {
    if (pipe2(fds_, O_CLOEXEC) != 0) {
      fds_[0] = fds_[1] = -1;
      return;
    }
    thread_ = std::thread([this] { run(); });
  }
  ~StderrTee() {
    closeWriteEnd();
    if (thread_.joinable()) {
      thread_.join();
    }
    if (fds_[0] >= 0) {
      close(fds_[0]);
    }
  }
  int writeFd() const { return fds_[1]; }
  // The parent's copy: closed once the child has it, so that the reader sees the end.
  void closeWriteEnd() {
    if (fds_[1] >= 0) {
      close(fds_[1]);
      fds_[1] = -1;
    }
  }
  // Waits for the end of the output; the GTID of the last change, or "".
  std::string gtid() {
    closeWriteEnd();
    if (thread_.joinable()) {
      thread_.join();
    }
    return gtid_;
  }

 private:
  void run() {
    char buf[4096];
    std::string line;
    for (;;) {
      ssize_t n = read(fds_[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        break;
      }
      (void)!write(2, buf, static_cast<size_t>(n));
      line.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = line.find('\n')) != std::string::npos) {
        scan(line.substr(0, nl));
        line.erase(0, nl + 1);
      }
    }
    scan(line);
  }
  void scan(const std::string& line) {
    static const std::string kMark = "GTID of the last change '";
    auto at = line.find(kMark);
    if (at == std::string::npos || line.find("MySQL binlog position") == std::string::npos) {
      return;
    }
    auto end = line.find('\'', at + kMark.size());
    if (end != std::string::npos) {
      gtid_ = line.substr(at + kMark.size(), end - at - kMark.size());
    }
  }

  int fds_[2] = {-1, -1};
  std::thread thread_;
  std::string gtid_;
};

// Compares without an early exit, so that the time taken does not tell how much matched.
bool sameSecret(const std::string& a, const std::string& b) {
  unsigned diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned>(a[i] ^ b[i % (b.size() + 1)]);
  }
  return diff == 0;
}

class Server {
 public:
  explicit Server(const Config& cfg)
      : cfg_(cfg),
        expectedAuth_("Basic " +
                      base64Encode(cfg.backupUser.user + ":" + cfg.backupUser.password)) {
    std::filesystem::path myCnf = std::filesystem::path(cfg.confDir) / "my.cnf";
    std::error_code ec;
    if (std::filesystem::exists(myCnf, ec)) {
      defaultsFile_ = myCnf.string();
    }
  }

  void handle(int fd) {
    auto req = readRequest(fd);
    if (!req) {
      sendSimpleResponse(fd, 400, "Bad Request", req.error().message + "\n");
    } else if (req->path == "/health") {
      sendSimpleResponse(fd, 200, "OK", "OK");
    } else if (req->path == "/xbackup") {
      backup(fd, *req);
    } else if (req->path == "/xbackup/progress") {
      sendJson(fd, progress_.json());
    } else {
      sendSimpleResponse(fd, 404, "Not Found", "404 page not found\n");
    }
    close(fd);
  }

 private:
  static void sendJson(int fd, const std::string& body) {
    sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  }

  void backup(int fd, const Request& req) {
    auto it = req.headers.find("authorization");
    if (it == req.headers.end() || !sameSecret(it->second, expectedAuth_)) {
      spdlog::warn("xbackup: refused a request without the backup credentials");
      sendSimpleResponse(fd, 403, "Forbidden", "Not authenticated!\n");
      return;
    }
    // One backup at a time: a second request waits here, as bitpoke's semaphore of 1.
    std::lock_guard<std::mutex> one(backupMutex_);
    std::error_code ec;
    std::filesystem::create_directories(cfg_.xtrabackupTargetDir, ec);
    auto argv = backupCommand(cfg_, defaultsFile_);
    spdlog::info("xbackup: running {}", commandLine(argv));
    // The estimate of GET /xbackup/progress: the stream is the data directory's files plus a few
    // percent of framing, so the size of the directory is a lower bound that is close enough.
    progress_.start(directorySize(cfg_.dataDir));
    StderrTee tee;
    auto child = spawnChild(argv, PipeTo::ChildStdout, tee.writeFd());
    tee.closeWriteEnd();
    if (!child) {
      progress_.finish(false);
      spdlog::error("xbackup: {}", child.error().message);
      sendSimpleResponse(fd, 500, "Internal Server Error", child.error().message + "\n");
      return;
    }
    std::string head =
        std::string("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n") +
        "Trailer: " + kTrailer + ", " + kGtidTrailer +
        "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    bool peerOk = sendAll(fd, head);
    std::vector<char> buf(1 << 20);
    std::uint64_t total = 0;
    while (peerOk) {
      ssize_t n = read(child->fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        break;
      }
      peerOk = sendChunk(fd, std::string_view(buf.data(), static_cast<size_t>(n)));
      total += static_cast<std::uint64_t>(n);
      progress_.add(static_cast<std::uint64_t>(n));
    }
    if (!peerOk) {
      kill(child->pid, SIGTERM);  // the client left: stop the backup
    }
    close(child->fd);
    int code = waitChild(child->pid);
    std::string gtid = tee.gtid();
    bool success = peerOk && code == 0;
    progress_.finish(success);
    spdlog::log(success ? spdlog::level::info : spdlog::level::err,
                "xbackup: {} exited with {} after {} bytes{}", argv[0], code, total,
                peerOk ? "" : " (the client went away)");
    if (peerOk) {
      std::string trailers =
          std::string("0\r\n") + kTrailer + ": " + (success ? "Success" : "Failed") + "\r\n";
      if (success && !gtid.empty()) {
        trailers += std::string(kGtidTrailer) + ": " + gtid + "\r\n";
      }
      sendAll(fd, trailers + "\r\n");
    }
  }

  const Config& cfg_;
  std::string expectedAuth_;
  std::string defaultsFile_;
  std::mutex backupMutex_;
  BackupProgress progress_;
};

}  // namespace

Result<void> serve(const Config& cfg) {
  signal(SIGPIPE, SIG_IGN);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return fail(Errc::Internal, std::string("socket: ") + std::strerror(errno));
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(cfg.serverPort);
  if (inet_pton(AF_INET, cfg.listenAddress.c_str(), &addr.sin_addr) != 1) {
    return fail(Errc::Invalid,
                "MYSQLOP_LISTEN_ADDRESS=\"" + cfg.listenAddress + "\": not an IPv4 address");
  }
  std::string where = cfg.listenAddress + ":" + std::to_string(cfg.serverPort);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 64) != 0) {
    std::string e = std::strerror(errno);
    close(fd);
    return fail(Errc::Unavailable, "cannot listen on " + where + ": " + e);
  }
  spdlog::info("serving /health and /xbackup on {} ({})", where, cfg.version.describe());
  static Server* server = new Server(cfg);  // lives as long as the process: threads are detached
  for (;;) {
    int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
        continue;
      }
      return fail(Errc::Internal, std::string("accept: ") + std::strerror(errno));
    }
    timeval tv{30, 0};  // a client that sends no request head in 30 s is dropped
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    timeval stall{300, 0};  // a client that takes nothing for 5 min releases the backup slot
    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &stall, sizeof stall);
    std::thread([c] { server->handle(c); }).detach();
  }
}

}  // namespace mysqlop::sidecar
