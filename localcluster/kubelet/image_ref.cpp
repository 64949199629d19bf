#include "localcluster/kubelet/image_ref.h"

#include <vector>

namespace mysqlop::local::kubelet {

namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialRepoPrefix = "library/";

// distribution/reference splitDockerDomain: the first component is a domain when it has a '.' or
// a ':' (a port), is "localhost", or has an upper-case letter (repository paths cannot). For
// patterns a '*' also makes it a domain, so that "*/library/debian" globs over registries.
bool looksLikeDomain(std::string_view component, bool pattern) {
  if (component == "localhost") {
    return true;
  }
  for (char c : component) {
    if (c == '.' || c == ':' || (c >= 'A' && c <= 'Z') || (pattern && c == '*')) {
      return true;
    }
  }
  return false;
}

ImageReference split(std::string_view text, bool pattern) {
  ImageReference ref;
  std::string_view name = text;
  if (auto at = name.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(name.substr(at + 1));
    name = name.substr(0, at);
  }
  // The tag is after the last ':' of the last path component (a ':' before a '/' is a port).
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(name.substr(colon + 1));
    name = name.substr(0, colon);
  }
  std::string domain;
  std::string remainder;
  auto first = name.find('/');
  if (first == std::string_view::npos || !looksLikeDomain(name.substr(0, first), pattern)) {
    domain = kDefaultDomain;
    remainder = std::string(name);
  } else {
    domain = std::string(name.substr(0, first));
    remainder = std::string(name.substr(first + 1));
  }
  if (domain == kLegacyDefaultDomain) {
    domain = kDefaultDomain;
  }
  if (domain == kDefaultDomain && remainder.find('/') == std::string::npos) {
    remainder = std::string(kOfficialRepoPrefix) + remainder;
  }
  ref.repository = domain + "/" + remainder;
  return ref;
}

}  // namespace

std::string ImageReference::toString() const {
  std::string out = repository;
  if (!tag.empty()) {
    out += ":" + tag;
  }
  if (!digest.empty()) {
    out += "@" + digest;
  }
  return out;
}

ImageReference parseImageReference(std::string_view image) {
  if (image.empty()) {
    return {};
  }
  ImageReference ref = split(image, false);
  if (ref.tag.empty() && ref.digest.empty()) {
    ref.tag = "latest";
  }
  return ref;
}

ImagePattern::ImagePattern(std::string_view pattern) : text_(pattern), ref_(split(pattern, true)) {}

bool ImagePattern::matches(const ImageReference& image) const {
  if (image.repository.empty() || !globMatch(ref_.repository, image.repository)) {
    return false;
  }
  if (!ref_.tag.empty() && (image.tag.empty() || !globMatch(ref_.tag, image.tag))) {
    return false;
  }
  if (!ref_.digest.empty() && (image.digest.empty() || !globMatch(ref_.digest, image.digest))) {
    return false;
  }
  return true;
}

bool globMatch(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point (the last '*'): linear in practice.
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t starText = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      starText = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

}  // namespace mysqlop::local::kubelet
