#pragma once
// Image references as the container runtime reads them (distribution/reference's normalised
// names), and the glob patterns of image profiles. Internal to the kubelet's plan library.

#include <string>
#include <string_view>

namespace mysqlop::local::kubelet {

// A reference split into its parts, normalised: "busybox" -> repository
// "docker.io/library/busybox", tag "latest"; "quay.io/x/y@sha256:ab" -> tag "", digest
// "sha256:ab". An image with neither tag nor digest gets the tag "latest".
struct ImageReference {
  std::string repository;  // domain/path
  std::string tag;         // "" when the reference has a digest only
  std::string digest;      // "sha256:..." or ""

  std::string toString() const;  // "docker.io/library/busybox:latest"
};

// Normalises an image reference. An empty reference gives an empty repository.
ImageReference parseImageReference(std::string_view image);

// A profile pattern: the same normalisation, with '*' allowed anywhere ('*' matches any run of
// characters, '/' included). A first path component with '*' is a domain ("*/library/debian").
// A pattern without tag and digest stands for every tag and digest of its repository.
class ImagePattern {
 public:
  explicit ImagePattern(std::string_view pattern);
  bool matches(const ImageReference& image) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  ImageReference ref_;  // tag/digest "" = any
};

// Glob match where '*' matches any run of characters (including none).
bool globMatch(std::string_view pattern, std::string_view text);

}  // namespace mysqlop::local::kubelet
