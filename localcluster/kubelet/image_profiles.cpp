// ImageProfiles: loading localcluster/image-profiles.yaml (and --image-profiles files) and finding
// the profile of an image. Every load error names FILE:LINE and the cause.

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include <fcntl.h>
#include <unistd.h>

#include "localcluster/kubelet/container_plan.h"
#include "localcluster/kubelet/image_ref.h"

namespace mysqlop::local::kubelet {

namespace {

// Reads one file's profiles; `at(node)` gives "FILE:LINE" for messages.
class ProfileReader {
 public:
  ProfileReader(std::string file, std::string binDir) : file_(std::move(file)) {
    std::error_code ec;
    const auto dir = std::filesystem::absolute(file_, ec).parent_path();
    variables_ = {{"binDir", std::move(binDir)}, {"profileDir", dir.string()}};
  }

  Result<std::vector<ImageProfile>> read(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      return fail(Errc::Invalid, file_ + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    std::vector<ImageProfile> out;
    if (!root || root.IsNull()) {
      return out;  // an empty file has no profiles
    }
    if (!root.IsSequence()) {
      return fail(Errc::Invalid, at(root) + ": expected a list of profiles");
    }
    for (const auto& node : root) {
      auto profile = readProfile(node);
      if (!profile) {
        return profile.error();
      }
      out.push_back(std::move(*profile));
    }
    return out;
  }

 private:
  std::string at(const YAML::Node& node) const {
    const auto mark = node.Mark();
    return file_ + ":" + std::to_string(mark.is_null() ? 1 : mark.line + 1);
  }

  Result<ImageProfile> readProfile(const YAML::Node& node) {
    if (!node.IsMap()) {
      return fail(Errc::Invalid, at(node) + ": a profile must be a mapping");
    }
    ImageProfile p;
    p.source = at(node);
    bool hasImages = false;
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& value = kv.second;
      Result<void> r;
      if (key == "images") {
        hasImages = true;
        r = strings(key, value, p.images);
        for (const auto& pattern : p.images) {
          if (r && pattern.empty()) {
            r = fail(Errc::Invalid, at(value) + ": images: an empty pattern matches no image");
          }
        }
      } else if (key == "entrypoint") {
        r = strings(key, value, p.entrypoint, true);
      } else if (key == "cmd") {
        r = strings(key, value, p.cmd, true);
      } else if (key == "scratchDirs") {
        r = strings(key, value, p.scratchDirs, true);
        for (const auto& dir : p.scratchDirs) {
          if (r && (dir.empty() || dir[0] != '/' || dir == "/")) {
            r = fail(Errc::Invalid,
                     at(value) + ": scratchDirs: \"" + dir + "\" must be an absolute path below /");
          }
        }
      } else if (key == "localVersion") {
        r = localVersion(value, p);
      } else if (key == "readOnlyBinds") {
        r = pairs(key, value, "host", "container", p.readOnlyBinds, true);
        for (const auto& [host, container] : p.readOnlyBinds) {
          if (r && (host.empty() || host[0] != '/' || container.empty() || container[0] != '/')) {
            r = fail(Errc::Invalid, at(value) + ": readOnlyBinds: \"" + host + "\" -> \"" +
                                        container + "\": both paths must be absolute");
          }
        }
      } else if (key == "env") {
        r = pairs(key, value, "name", "value", p.env, true);
      } else if (key == "workingDir") {
        r = scalar(key, value, p.workingDir, true);
      } else if (key == "unavailable") {
        r = scalar(key, value, p.unavailable);
        if (r && p.unavailable.empty()) {
          r = fail(Errc::Invalid, at(value) + ": unavailable must say why and what to use instead");
        }
      } else {
        return fail(Errc::Invalid,
                    at(kv.first) + ": unknown key \"" + key +
                        "\" (expected images, entrypoint, cmd, readOnlyBinds, env, workingDir, "
                        "scratchDirs, localVersion, unavailable)");
      }
      if (!r) {
        return r.error();
      }
    }
    if (!hasImages || p.images.empty()) {
      return fail(Errc::Invalid, at(node) + ": profile has no images");
    }
    return p;
  }

  // ${binDir} and ${profileDir} replaced; any other ${...} is an error naming the line, so a
  // typo fails at load instead of running a program that does not exist.
  Result<std::string> expand(const YAML::Node& node, const std::string& text) const {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      const size_t open = text.find("${", i);
      if (open == std::string::npos) {
        out += text.substr(i);
        break;
      }
      out += text.substr(i, open - i);
      const size_t close = text.find('}', open + 2);
      if (close == std::string::npos) {
        return fail(Errc::Invalid, at(node) + ": unclosed ${ in \"" + text + "\"");
      }
      const std::string name = text.substr(open + 2, close - open - 2);
      auto it = variables_.find(name);
      if (it == variables_.end()) {
        return fail(Errc::Invalid, at(node) + ": unknown variable ${" + name + "} in \"" + text +
                                       "\" (expected ${binDir} or ${profileDir})");
      }
      out += it->second;
      i = close + 1;
    }
    return out;
  }

  Result<void> localVersion(const YAML::Node& value, ImageProfile& p) {
    const std::string shape = "localVersion must be {name, command: [program, args...]}";
    if (!value.IsMap()) {
      return fail(Errc::Invalid, at(value) + ": " + shape);
    }
    for (const auto& kv : value) {
      const std::string k = kv.first.Scalar();
      Result<void> r;
      if (k == "name") {
        r = scalar("localVersion.name", kv.second, p.localVersionName, false);
      } else if (k == "command") {
        r = strings("localVersion.command", kv.second, p.localVersionCommand, true);
      } else {
        return fail(Errc::Invalid, at(kv.first) + ": " + shape);
      }
      if (!r) {
        return r;
      }
    }
    if (p.localVersionName.empty() || p.localVersionCommand.empty()) {
      return fail(Errc::Invalid, at(value) + ": " + shape);
    }
    return {};
  }

  Result<void> scalar(const std::string& key, const YAML::Node& value, std::string& out,
                      bool expanded = false) {
    if (!value.IsScalar()) {
      return fail(Errc::Invalid, at(value) + ": " + key + " must be a string");
    }
    if (!expanded) {
      out = value.Scalar();
      return {};
    }
    auto text = expand(value, value.Scalar());
    if (!text) {
      return text.error();
    }
    out = std::move(*text);
    return {};
  }

  Result<void> strings(const std::string& key, const YAML::Node& value,
                       std::vector<std::string>& out, bool expanded = false) {
    if (!value.IsSequence()) {
      return fail(Errc::Invalid, at(value) + ": " + key + " must be a list of strings");
    }
    for (const auto& item : value) {
      if (!item.IsScalar()) {
        return fail(Errc::Invalid, at(item) + ": " + key + " must be a list of strings");
      }
      auto text = expanded ? expand(item, item.Scalar()) : Result<std::string>(item.Scalar());
      if (!text) {
        return text.error();
      }
      out.push_back(std::move(*text));
    }
    return {};
  }

  // A list of {first: .., second: ..} mappings, both keys required.
  Result<void> pairs(const std::string& key, const YAML::Node& value, const std::string& first,
                     const std::string& second,
                     std::vector<std::pair<std::string, std::string>>& out, bool expanded = false) {
    const std::string shape = key + " must be a list of {" + first + ", " + second + "}";
    if (!value.IsSequence()) {
      return fail(Errc::Invalid, at(value) + ": " + shape);
    }
    for (const auto& item : value) {
      if (!item.IsMap()) {
        return fail(Errc::Invalid, at(item) + ": " + shape);
      }
      std::string a;
      std::string b;
      bool hasA = false;
      bool hasB = false;
      for (const auto& kv : item) {
        const std::string k = kv.first.Scalar();
        if ((k != first && k != second) || !kv.second.IsScalar()) {
          return fail(Errc::Invalid, at(kv.first) + ": " + shape);
        }
        auto text = expanded ? expand(kv.second, kv.second.Scalar())
                             : Result<std::string>(kv.second.Scalar());
        if (!text) {
          return text.error();
        }
        (k == first ? a : b) = std::move(*text);
        (k == first ? hasA : hasB) = true;
      }
      if (!hasA || !hasB) {
        return fail(Errc::Invalid, at(item) + ": " + shape);
      }
      out.emplace_back(std::move(a), std::move(b));
    }
    return {};
  }

  std::string file_;
  std::map<std::string, std::string> variables_;
};

Result<std::string> readFile(const std::string& file) {
  // POSIX calls rather than a stream: the message carries the errno of the call that failed
  // (ENOENT, EACCES, EISDIR on read).
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return fail(Errc::NotFound, file + ": cannot read: " + std::strerror(errno));
  }
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      ::close(fd);
      return fail(Errc::Unavailable, file + ": cannot read: " + std::strerror(err));
    }
    if (n == 0) {
      break;
    }
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

std::string runningBinDir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

Result<ImageProfiles> ImageProfiles::load(const std::vector<std::string>& files) {
  return load(files, ProfileVariables{});
}

Result<ImageProfiles> ImageProfiles::load(const std::vector<std::string>& files,
                                          const ProfileVariables& variables) {
  const std::string binDir = variables.binDir.empty() ? runningBinDir() : variables.binDir;
  ImageProfiles out;
  for (const auto& file : files) {
    auto text = readFile(file);
    if (!text) {
      return text.error();
    }
    auto profiles = ProfileReader(file, binDir).read(*text);
    if (!profiles) {
      return profiles.error();
    }
    for (auto& p : *profiles) {
      out.profiles_.push_back(std::move(p));
    }
    out.files_.push_back(file);
  }
  return out;
}

const ImageProfile* ImageProfiles::find(const std::string& image) const {
  const ImageReference ref = parseImageReference(image);
  // Later profiles win: search from the last one loaded.
  for (auto it = profiles_.rbegin(); it != profiles_.rend(); ++it) {
    for (const auto& pattern : it->images) {
      if (ImagePattern(pattern).matches(ref)) {
        return &*it;
      }
    }
  }
  return nullptr;
}

std::string ImageProfiles::filesForMessage() const {
  std::string out;
  for (const auto& f : files_) {
    out += (out.empty() ? "" : ", ") + f;
  }
  return out;
}

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// The leading digits.digits... of text ("10.11.19-MariaDB" -> {10, 11, 19}); empty when text
// does not start with a number.
std::vector<std::string> leadingComponents(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size() && isDigit(text[i])) {
    size_t j = i;
    while (j < text.size() && isDigit(text[j])) {
      ++j;
    }
    out.push_back(text.substr(i, j - i));
    if (j + 1 < text.size() && text[j] == '.' && isDigit(text[j + 1])) {
      i = j + 1;
    } else {
      break;
    }
  }
  return out;
}

}  // namespace

std::string findVersionNumber(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (!isDigit(text[i]) || (i > 0 && (isDigit(text[i - 1]) || text[i - 1] == '.'))) {
      continue;
    }
    const auto parts = leadingComponents(text.substr(i));
    if (parts.size() >= 2) {
      std::string out;
      for (const auto& p : parts) {
        out += (out.empty() ? "" : ".") + p;
      }
      return out;
    }
  }
  return "";
}

bool tagNamesOtherVersion(const std::string& tag, const std::string& localVersion) {
  const auto wanted = leadingComponents(tag);
  const auto local = leadingComponents(localVersion);
  if (wanted.empty() || local.empty()) {
    return false;
  }
  for (size_t i = 0; i < wanted.size(); ++i) {
    // Compared as numbers: "10.011" names 10.11.
    if (i >= local.size() ||
        std::stoull(wanted[i].substr(0, 18)) != std::stoull(local[i].substr(0, 18))) {
      return true;
    }
  }
  return false;
}

}  // namespace mysqlop::local::kubelet
