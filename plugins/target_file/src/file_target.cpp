#include "plugins/target_file/src/file_target.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace mysqlop::targetfile {

namespace fs = std::filesystem;

namespace {

std::string notFound(std::string_view url) {
  return "object " + std::string(url) + " does not exist";
}

// fsync of a directory makes a rename or a new entry in it durable.
void syncDirectory(const fs::path& dir, const std::string& url) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    throwErrno(errno, "committing " + url + ": opening " + dir.string());
  }
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) {
    throwErrno(error, "committing " + url + ": fsync of " + dir.string());
  }
}

class FileWriter : public BackupWriter {
 public:
  FileWriter(fs::path target, std::string url, bool fsync)
      : target_(std::move(target)), url_(std::move(url)), fsync_(fsync) {
    std::error_code ec;
    fs::create_directories(target_.parent_path(), ec);
    if (ec) {
      throwErrno(ec.value(), "writing " + url_ + ": creating " + target_.parent_path().string());
    }
    temp_ = temporaryFor(target_);
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd_ < 0) {
      throwErrno(errno, "writing " + url_ + ": creating " + temp_.string());
    }
  }
  ~FileWriter() override { discard(); }

  void write(Call&, const void* data, std::size_t len) override {
    const char* p = static_cast<const char*>(data);
    while (len > 0) {
      const ssize_t n = ::write(fd_, p, len);
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        throwErrno(errno, "writing " + url_);
      }
      p += n;
      len -= static_cast<std::size_t>(n);
    }
  }

  void commit(Call&) override {
    if (fsync_ && ::fsync(fd_) != 0) {
      throwErrno(errno, "committing " + url_ + ": fsync");
    }
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) {
      throwErrno(errno, "committing " + url_ + ": close");
    }
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
      throwErrno(errno, "committing " + url_);
    }
    temp_.clear();  // it is the object now
    if (fsync_) {
      syncDirectory(target_.parent_path(), url_);
    }
  }

  void abort(Call&) noexcept override { discard(); }

 private:
  void discard() noexcept {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    if (!temp_.empty()) {
      ::unlink(temp_.c_str());
      temp_.clear();
    }
  }

  fs::path target_;
  fs::path temp_;
  std::string url_;
  bool fsync_;
  int fd_ = -1;
};

class FileReader : public BackupReader {
 public:
  FileReader(const fs::path& path, std::string url) : url_(std::move(url)) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        throw Error(mysqlop_status_NotFound, notFound(url_));
      }
      throwErrno(errno, "reading " + url_);
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      fd_ = -1;
      // A directory is a prefix of other objects, not an object.
      throw Error(mysqlop_status_NotFound, notFound(url_));
    }
  }
  ~FileReader() override {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  std::size_t read(Call&, void* buffer, std::size_t capacity) override {
    for (;;) {
      const ssize_t n = ::read(fd_, buffer, capacity);
      if (n >= 0) {
        return static_cast<std::size_t>(n);
      }
      if (errno != EINTR) {
        throwErrno(errno, "reading " + url_);
      }
    }
  }

 private:
  std::string url_;
  int fd_ = -1;
};

// Walks dir, descending only into directories that can hold URLs starting with prefix.
void walk(const fs::path& dir, const std::string& prefix, std::vector<ObjectInfo>* out) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    if (ec.value() == ENOENT || ec.value() == ENOTDIR) {
      return;  // nothing stored there yet
    }
    throwErrno(ec.value(), "listing " + prefix + ": reading " + dir.string());
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) {
      throwErrno(ec.value(), "listing " + prefix + ": reading " + dir.string());
    }
    const fs::path& p = it->path();
    const std::string url = urlOf(p);
    std::error_code sec;
    const auto st = fs::symlink_status(p, sec);
    if (fs::is_directory(st)) {
      const std::string asDir = url + "/";
      if (asDir.compare(0, std::min(asDir.size(), prefix.size()), prefix, 0,
                        std::min(asDir.size(), prefix.size())) == 0) {
        walk(p, prefix, out);
      }
    } else if (fs::is_regular_file(st) && !isTemporary(p) &&
               url.compare(0, prefix.size(), prefix) == 0) {
      struct stat s {};
      if (::stat(p.c_str(), &s) != 0) {
        continue;  // removed meanwhile
      }
      const std::int64_t ms =
          static_cast<std::int64_t>(s.st_mtim.tv_sec) * 1000 + s.st_mtim.tv_nsec / 1000000;
      out->push_back({url, static_cast<std::uint64_t>(s.st_size), ms});
    }
  }
}

}  // namespace

FileTarget::FileTarget(const Context& ctx)
    : BackupTarget(ctx), options_(parseOptions(ctx.configJson)) {}

std::unique_ptr<BackupWriter> FileTarget::openWriter(Call&, std::string_view url,
                                                     const Credentials&) {
  return std::make_unique<FileWriter>(pathOf(url, options_), std::string(url), options_.fsync);
}

std::unique_ptr<BackupReader> FileTarget::openReader(Call&, std::string_view url,
                                                     const Credentials&) {
  return std::make_unique<FileReader>(pathOf(url, options_), std::string(url));
}

std::vector<ObjectInfo> FileTarget::list(Call&, std::string_view urlPrefix, const Credentials&) {
  const fs::path p = pathOf(urlPrefix, options_);
  // The normalised prefix: what pathOf made of it, keeping a trailing '/'.
  std::string prefix = urlOf(p);
  if (urlPrefix.back() == '/' && prefix.back() != '/') {
    prefix += '/';
  }
  const fs::path dir = prefix.back() == '/' ? p : p.parent_path();
  std::vector<ObjectInfo> out;
  walk(dir, prefix, &out);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.url < b.url; });
  return out;
}

void FileTarget::remove(Call&, std::string_view url, const Credentials&) {
  const fs::path p = pathOf(url, options_);
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      throw Error(mysqlop_status_NotFound, notFound(url));
    }
    throwErrno(errno, "removing " + std::string(url));
  }
  if (!S_ISREG(st.st_mode)) {
    throw Error(mysqlop_status_NotFound, notFound(url));
  }
  if (::unlink(p.c_str()) != 0) {
    throwErrno(errno, "removing " + std::string(url));
  }
}

}  // namespace mysqlop::targetfile
