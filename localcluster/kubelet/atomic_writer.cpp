// writeAtomically: the kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go). A reader of the
// volume sees either the old or the new set of files, never a mix:
//
//   DIR/..2026_12_03_02_30_00.Ab12Cd/   the files of one version (a "timestamped directory")
//   DIR/..data -> ..2026_12_03_...      swapped with rename(2), which is atomic
//   DIR/<name> -> ..data/<name>         one user-visible symlink per top-level entry
//
// Steps: validate the paths; compare with the current version (content and mode); if anything
// differs, write a new timestamped directory, point "..data_tmp" at it and rename it over
// "..data", add the new top-level symlinks, remove those of entries that went away, then remove
// the old timestamped directory (and any left by a crash between those steps).

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <set>

#include "localcluster/kubelet/container_plan.h"

namespace mysqlop::local::kubelet {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDataDirName = "..data";
constexpr const char* kNewDataDirName = "..data_tmp";
constexpr size_t kMaxFileNameLength = 255;
constexpr size_t kMaxPathLength = 4096;

Failure ioFailure(const std::string& what, const std::string& path, int err) {
  return fail(Errc::Unavailable, what + " " + path + ": " + std::strerror(err));
}

// atomic_writer.go validatePath, with its messages.
Result<void> validatePath(const std::string& target) {
  if (target.empty()) {
    return fail(Errc::Invalid, "invalid path: must not be empty: \"\"");
  }
  if (target[0] == '/') {
    return fail(Errc::Invalid, "invalid path: must be relative path: " + target);
  }
  if (target.size() > kMaxPathLength) {
    return fail(Errc::Invalid, "invalid path: must be less than or equal to " +
                                   std::to_string(kMaxPathLength) + " characters");
  }
  std::vector<std::string> items;
  size_t start = 0;
  for (;;) {
    const size_t slash = target.find('/', start);
    items.push_back(target.substr(start, slash - start));
    if (slash == std::string::npos) {
      break;
    }
    start = slash + 1;
  }
  for (const auto& item : items) {
    if (item == "..") {
      return fail(Errc::Invalid, "invalid path: must not contain '..': " + target);
    }
    if (item.size() > kMaxFileNameLength) {
      return fail(Errc::Invalid, "invalid path: filenames must be less than or equal to " +
                                     std::to_string(kMaxFileNameLength) + " characters");
    }
  }
  if (items[0].size() > 2 && items[0].compare(0, 2, "..") == 0) {
    return fail(Errc::Invalid, "invalid path: must not start with '..': " + target);
  }
  return {};
}

std::string firstElement(const std::string& path) { return path.substr(0, path.find('/')); }

std::optional<std::string> readLink(const std::string& path) {
  char buf[4096];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  if (n < 0) {
    return std::nullopt;
  }
  return std::string(buf, static_cast<size_t>(n));
}

// The regular files under root, as relative paths -> (content, mode).
struct OnDisk {
  std::string content;
  int mode = 0;
};
void walk(const std::string& root, const std::string& rel, std::map<std::string, OnDisk>& out) {
  const std::string dirPath = rel.empty() ? root : root + "/" + rel;
  DIR* d = ::opendir(dirPath.c_str());
  if (d == nullptr) {
    return;
  }
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") {
      continue;
    }
    const std::string childRel = rel.empty() ? name : rel + "/" + name;
    const std::string childPath = root + "/" + childRel;
    struct stat st {};
    if (::lstat(childPath.c_str(), &st) != 0) {
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      walk(root, childRel, out);
    } else if (S_ISREG(st.st_mode)) {
      OnDisk f;
      f.mode = static_cast<int>(st.st_mode & 07777);
      std::error_code ec;
      const auto size = fs::file_size(childPath, ec);
      const int fd = ::open(childPath.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0 && !ec) {
        f.content.resize(size);
        size_t got = 0;
        while (got < size) {
          const ssize_t n = ::read(fd, f.content.data() + got, size - got);
          if (n <= 0) {
            break;
          }
          got += static_cast<size_t>(n);
        }
        f.content.resize(got);
      }
      if (fd >= 0) {
        ::close(fd);
      }
      out[childRel] = std::move(f);
    }
  }
  ::closedir(d);
}

Result<void> writeFile(const std::string& path, const ProjectedFile& file) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) {
    return ioFailure("cannot create directory for", path, ec.value());
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return ioFailure("cannot create", path, errno);
  }
  size_t done = 0;
  while (done < file.content.size()) {
    const ssize_t n = ::write(fd, file.content.data() + done, file.content.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      ::close(fd);
      return ioFailure("cannot write", path, err);
    }
    done += static_cast<size_t>(n);
  }
  // fchmod after the write: the mode is exactly the file's, whatever the umask.
  if (::fchmod(fd, static_cast<mode_t>(file.mode & 07777)) != 0) {
    const int err = errno;
    ::close(fd);
    return ioFailure("cannot chmod", path, err);
  }
  ::close(fd);
  return {};
}

std::string timestampPrefix() {
  char buf[64];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  std::strftime(buf, sizeof buf, "..%Y_%m_%d_%H_%M_%S.", &tm);
  return buf;
}

bool isTimestampDir(const std::string& name) {
  return name.size() > 3 && name.compare(0, 2, "..") == 0 && std::isdigit(name[2]) != 0;
}

// The entries of dir that are timestamped directories.
std::vector<std::string> timestampDirs(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (isTimestampDir(name) && e.is_directory(ec) && !e.is_symlink(ec)) {
      out.push_back(name);
    }
  }
  return out;
}

}  // namespace

Result<bool> writeAtomically(const std::string& dir, const std::vector<ProjectedFile>& files) {
  // 1. Validate, and key the payload by its clean path (later files win).
  std::map<std::string, ProjectedFile> payload;
  for (const auto& f : files) {
    if (auto r = validatePath(f.path); !r) {
      return r.error();
    }
    std::string clean = fs::path(f.path).lexically_normal().string();
    while (!clean.empty() && clean.back() == '/') {
      clean.pop_back();
    }
    ProjectedFile copy = f;
    copy.path = clean;
    payload[clean] = std::move(copy);
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return ioFailure("cannot create", dir, ec.value());
  }
  std::set<std::string> newTop;
  for (const auto& [path, f] : payload) {
    newTop.insert(firstElement(path));
  }

  // 2. The current version, if any.
  const std::string dataDir = dir + "/" + kDataDirName;
  const std::optional<std::string> oldTs = readLink(dataDir);
  std::map<std::string, OnDisk> old;
  if (oldTs) {
    walk(dir + "/" + *oldTs, "", old);
  }

  // 3. Anything to do? Content or mode of a file, a file added or gone, a missing symlink.
  bool write = !oldTs || old.size() != payload.size();
  for (const auto& [path, f] : payload) {
    auto it = old.find(path);
    write = write || it == old.end() || it->second.content != f.content ||
            it->second.mode != (f.mode & 07777);
  }
  bool symlinksMissing = false;
  for (const auto& top : newTop) {
    symlinksMissing =
        symlinksMissing || readLink(dir + "/" + top) != std::string(kDataDirName) + "/" + top;
  }
  if (!write && !symlinksMissing) {
    return false;
  }

  std::set<std::string> oldTop;
  for (const auto& [path, f] : old) {
    oldTop.insert(firstElement(path));
  }
  if (write) {
    // 4.-5. A new timestamped directory with the payload.
    std::string tmpl = dir + "/" + timestampPrefix() + "XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return ioFailure("cannot create", tmpl, errno);
    }
    const std::string tsDir = tmpl;
    const std::string tsName = fs::path(tsDir).filename().string();
    ::chmod(tsDir.c_str(), 0755);
    for (const auto& [path, f] : payload) {
      if (auto r = writeFile(tsDir + "/" + path, f); !r) {
        fs::remove_all(tsDir, ec);
        return r.error();
      }
    }
    // 6.-7. ..data_tmp -> new directory, renamed over ..data.
    const std::string newDataDir = dir + "/" + kNewDataDirName;
    ::unlink(newDataDir.c_str());
    if (::symlink(tsName.c_str(), newDataDir.c_str()) != 0) {
      const int err = errno;
      fs::remove_all(tsDir, ec);
      return ioFailure("cannot create symlink", newDataDir, err);
    }
    if (::rename(newDataDir.c_str(), dataDir.c_str()) != 0) {
      const int err = errno;
      ::unlink(newDataDir.c_str());
      fs::remove_all(tsDir, ec);
      return ioFailure("cannot rename to", dataDir, err);
    }
  }
  // 8. User-visible symlinks for the new top-level entries (kept when already there).
  for (const auto& top : newTop) {
    const std::string visible = dir + "/" + top;
    const std::string target = std::string(kDataDirName) + "/" + top;
    if (readLink(visible) == target) {
      continue;
    }
    struct stat st {};
    if (::lstat(visible.c_str(), &st) == 0) {
      if (!S_ISLNK(st.st_mode)) {
        continue;  // not ours (as the kubelet, which only creates missing ones)
      }
      ::unlink(visible.c_str());
    }
    if (::symlink(target.c_str(), visible.c_str()) != 0) {
      return ioFailure("cannot create symlink", visible, errno);
    }
  }
  // 9. Symlinks of entries that went away.
  for (const auto& top : oldTop) {
    if (newTop.count(top) == 0) {
      const std::string visible = dir + "/" + top;
      if (readLink(visible)) {
        ::unlink(visible.c_str());
      }
    }
  }
  // 10. Every timestamped directory but the current one (the old one, and crash leftovers).
  const std::optional<std::string> current = readLink(dataDir);
  for (const auto& name : timestampDirs(dir)) {
    if (!current || name != *current) {
      fs::remove_all(dir + "/" + name, ec);
    }
  }
  return true;
}

}  // namespace mysqlop::local::kubelet
