#include "localcluster/node/records.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

namespace mysqlop::local::node {

namespace {

// Holds an flock for one read-modify-write, so that two processes on one DIR never lose a record.
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~FileLock() { ::flock(fd_, LOCK_UN); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace

struct Records::Impl {
  std::string path;      // DIR/node/records.json
  std::string lockPath;  // DIR/node/records.lock
  int lockFd = -1;
  mutable std::mutex mutex;  // flock does not exclude threads sharing the fd

  std::vector<Record> read() const {
    std::vector<Record> out;
    std::ifstream in(path);
    if (!in) {
      return out;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (!doc.is_array()) {
      return out;  // only a rename ever writes the file: an unreadable one was never ours
    }
    for (const auto& r : doc) {
      out.push_back(Record{r.value("kind", ""), r.value("name", ""), r.value("detail", "")});
    }
    return out;
  }

  Result<void> write(const std::vector<Record>& records) const {
    nlohmann::json doc = nlohmann::json::array();
    for (const auto& r : records) {
      doc.push_back({{"kind", r.kind}, {"name", r.name}, {"detail", r.detail}});
    }
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << doc.dump(1) << '\n';
      if (!out.flush()) {
        return fail(Errc::Internal, "cannot write " + tmp + ": " + std::strerror(errno));
      }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      return fail(Errc::Internal, "cannot rename " + tmp + ": " + std::strerror(errno));
    }
    return {};
  }
};

Records::Records() : impl_(std::make_unique<Impl>()) {}

Records::~Records() {
  if (impl_ && impl_->lockFd >= 0) {
    ::close(impl_->lockFd);
  }
}

Result<std::unique_ptr<Records>> Records::open(const std::string& dataDir) {
  if (dataDir.empty()) {
    return fail(Errc::Invalid, "records: the data dir is empty");
  }
  const std::string dir = dataDir + "/node";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return fail(Errc::Unavailable, "cannot create " + dir + ": " + ec.message());
  }
  std::unique_ptr<Records> records(new Records());
  records->impl_->path = dir + "/records.json";
  records->impl_->lockPath = dir + "/records.lock";
  records->impl_->lockFd =
      ::open(records->impl_->lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (records->impl_->lockFd < 0) {
    return fail(Errc::Unavailable,
                "cannot open " + records->impl_->lockPath + ": " + std::strerror(errno));
  }
  return records;
}

Result<void> Records::add(const Record& record) {
  std::lock_guard<std::mutex> guard(impl_->mutex);
  FileLock lock(impl_->lockFd);
  auto records = impl_->read();
  bool replaced = false;
  for (auto& r : records) {
    if (r.kind == record.kind && r.name == record.name) {
      r = record;
      replaced = true;
    }
  }
  if (!replaced) {
    records.push_back(record);
  }
  return impl_->write(records);
}

Result<void> Records::remove(const std::string& kind, const std::string& name) {
  std::lock_guard<std::mutex> guard(impl_->mutex);
  FileLock lock(impl_->lockFd);
  auto records = impl_->read();
  const auto before = records.size();
  std::erase_if(records, [&](const Record& r) { return r.kind == kind && r.name == name; });
  if (records.size() == before) {
    return {};
  }
  return impl_->write(records);
}

std::vector<Record> Records::all() const {
  std::lock_guard<std::mutex> guard(impl_->mutex);
  FileLock lock(impl_->lockFd);
  return impl_->read();
}

}  // namespace mysqlop::local::node
