#include "localcluster/node/mount_points.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace mysqlop::local::node {

namespace {

bool under(const std::string& path, const std::string& dir) {
  if (dir == "/") {
    return true;
  }
  return path == dir ||
         (path.rfind(dir, 0) == 0 && path.size() > dir.size() && path[dir.size()] == '/');
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// Whether the tree holds only empty directories and empty regular files; names the first other.
bool onlyEmpty(const std::string& path, std::string* offender) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return true;
  }
  if (S_ISREG(st.st_mode)) {
    if (st.st_size == 0) {
      return true;
    }
  } else if (S_ISDIR(st.st_mode)) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
      if (!onlyEmpty(e.path().string(), offender)) {
        return false;
      }
    }
    return !ec;
  }
  *offender = path;
  return false;
}

}  // namespace

std::vector<std::string> missingMountPoints(const std::vector<Bind>& binds) {
  std::vector<std::string> out;
  for (size_t i = 0; i < binds.size(); ++i) {
    const std::string& target = binds[i].target;
    if (target.empty() || target[0] != '/' || exists(target)) {
      continue;
    }
    bool inEarlierBind = false;
    for (size_t j = 0; j < i; ++j) {
      inEarlierBind = inEarlierBind || under(target, binds[j].target);
    }
    if (inEarlierBind) {
      continue;
    }
    std::filesystem::path top(target);
    while (top.has_parent_path() && top.parent_path() != top &&
           !exists(top.parent_path().string())) {
      top = top.parent_path();
    }
    out.push_back(top.string());
  }
  return out;
}

Result<void> removeEmptyTree(const std::string& path) {
  if (!exists(path)) {
    return {};
  }
  std::string offender;
  if (!onlyEmpty(path, &offender)) {
    return fail(Errc::Conflict, "mount point " + path + " was left in place: " + offender +
                                    " is not an empty directory or file");
  }
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) {
    return fail(Errc::Unavailable, "cannot remove mount point " + path + ": " + ec.message());
  }
  return {};
}

}  // namespace mysqlop::local::node
