// ImageProfiles: loading localcluster/image-profiles.yaml (and --image-profiles files) and finding
// the profile of an image. Every load error names FILE:LINE and the cause.

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "localcluster/kubelet/container_plan.h"
#include "localcluster/kubelet/image_ref.h"

namespace mysqlop::local::kubelet {

namespace {

// Reads one file's profiles; `at(node)` gives "FILE:LINE" for messages.
class ProfileReader {
 public:
  explicit ProfileReader(std::string file) : file_(std::move(file)) {}

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
        r = strings(key, value, p.entrypoint);
      } else if (key == "cmd") {
        r = strings(key, value, p.cmd);
      } else if (key == "readOnlyBinds") {
        r = pairs(key, value, "host", "container", p.readOnlyBinds);
        for (const auto& [host, container] : p.readOnlyBinds) {
          if (r && (host.empty() || host[0] != '/' || container.empty() || container[0] != '/')) {
            r = fail(Errc::Invalid, at(value) + ": readOnlyBinds: \"" + host + "\" -> \"" +
                                        container + "\": both paths must be absolute");
          }
        }
      } else if (key == "env") {
        r = pairs(key, value, "name", "value", p.env);
      } else if (key == "workingDir") {
        r = scalar(key, value, p.workingDir);
      } else if (key == "unavailable") {
        r = scalar(key, value, p.unavailable);
        if (r && p.unavailable.empty()) {
          r = fail(Errc::Invalid, at(value) + ": unavailable must say why and what to use instead");
        }
      } else {
        return fail(Errc::Invalid,
                    at(kv.first) + ": unknown key \"" + key +
                        "\" (expected images, entrypoint, cmd, readOnlyBinds, env, workingDir, "
                        "unavailable)");
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

  Result<void> scalar(const std::string& key, const YAML::Node& value, std::string& out) {
    if (!value.IsScalar()) {
      return fail(Errc::Invalid, at(value) + ": " + key + " must be a string");
    }
    out = value.Scalar();
    return {};
  }

  Result<void> strings(const std::string& key, const YAML::Node& value,
                       std::vector<std::string>& out) {
    if (!value.IsSequence()) {
      return fail(Errc::Invalid, at(value) + ": " + key + " must be a list of strings");
    }
    for (const auto& item : value) {
      if (!item.IsScalar()) {
        return fail(Errc::Invalid, at(item) + ": " + key + " must be a list of strings");
      }
      out.push_back(item.Scalar());
    }
    return {};
  }

  // A list of {first: .., second: ..} mappings, both keys required.
  Result<void> pairs(const std::string& key, const YAML::Node& value, const std::string& first,
                     const std::string& second,
                     std::vector<std::pair<std::string, std::string>>& out) {
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
        (k == first ? a : b) = kv.second.Scalar();
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

}  // namespace

Result<ImageProfiles> ImageProfiles::load(const std::vector<std::string>& files) {
  ImageProfiles out;
  for (const auto& file : files) {
    auto text = readFile(file);
    if (!text) {
      return text.error();
    }
    auto profiles = ProfileReader(file).read(*text);
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

}  // namespace mysqlop::local::kubelet
