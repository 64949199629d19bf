// A backup target that breaks two rules on purpose, for the kit's own test: it writes straight to
// the object's file (visible before commit) and its abort leaves the partial file behind.
// Everything else (read, list, remove, errors) behaves, so exactly those checks must fail.
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>

#include "mysqlop/plugin.hpp"

namespace fs = std::filesystem;

namespace {

fs::path pathOf(std::string_view url) {
  constexpr std::string_view kPrefix = "leaky:///";
  if (url.substr(0, kPrefix.size()) != kPrefix) {
    throw mysqlop::Error(mysqlop_status_InvalidConfig,
                         "URL " + std::string(url) + " does not start with leaky:///");
  }
  return fs::path(std::string(url.substr(kPrefix.size() - 1)));
}

class LeakyWriter : public mysqlop::BackupWriter {
 public:
  explicit LeakyWriter(const fs::path& p) {
    fs::create_directories(p.parent_path());
    out_.open(p, std::ios::binary | std::ios::trunc);
  }
  void write(mysqlop::Call&, const void* data, std::size_t len) override {
    out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(len));
    out_.flush();
  }
  void commit(mysqlop::Call&) override { out_.close(); }
  void abort(mysqlop::Call&) noexcept override { out_.close(); }

 private:
  std::ofstream out_;
};

class LeakyReader : public mysqlop::BackupReader {
 public:
  LeakyReader(const fs::path& p, std::string_view url) : in_(p, std::ios::binary) {
    if (!in_ || !fs::is_regular_file(p)) {
      throw mysqlop::Error(mysqlop_status_NotFound,
                           "object " + std::string(url) + " does not exist");
    }
  }
  std::size_t read(mysqlop::Call&, void* buffer, std::size_t capacity) override {
    in_.read(static_cast<char*>(buffer), static_cast<std::streamsize>(capacity));
    return static_cast<std::size_t>(in_.gcount());
  }

 private:
  std::ifstream in_;
};

class LeakyTarget : public mysqlop::BackupTarget {
 public:
  static constexpr std::array<mysqlop_type_str, 1> kSchemes = {mysqlop::lit("leaky")};
  using BackupTarget::BackupTarget;

  std::unique_ptr<mysqlop::BackupWriter> openWriter(mysqlop::Call&, std::string_view url,
                                                    const mysqlop::Credentials&) override {
    return std::make_unique<LeakyWriter>(pathOf(url));
  }
  std::unique_ptr<mysqlop::BackupReader> openReader(mysqlop::Call&, std::string_view url,
                                                    const mysqlop::Credentials&) override {
    return std::make_unique<LeakyReader>(pathOf(url), url);
  }
  std::vector<mysqlop::ObjectInfo> list(mysqlop::Call&, std::string_view prefix,
                                        const mysqlop::Credentials&) override {
    const fs::path p = pathOf(prefix);
    const fs::path dir = prefix.back() == '/' ? p : p.parent_path();
    std::vector<mysqlop::ObjectInfo> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      const std::string url = "leaky://" + it->path().string();
      if (it->is_regular_file() && url.compare(0, prefix.size(), prefix) == 0) {
        out.push_back({url, it->file_size(), 0});
      }
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.url < b.url; });
    return out;
  }
  void remove(mysqlop::Call&, std::string_view url, const mysqlop::Credentials&) override {
    const fs::path p = pathOf(url);
    if (!fs::is_regular_file(p) || !fs::remove(p)) {
      throw mysqlop::Error(mysqlop_status_NotFound,
                           "object " + std::string(url) + " does not exist");
    }
  }
};

}  // namespace

#ifndef LEAKY_NAME
#define LEAKY_NAME "leaky"  // a second build, "leaky-twin", serves the same scheme
#endif
MYSQLOP_EXPORT_PLUGIN(LeakyTarget, LEAKY_NAME, mysqlop_plugin_kind_BackupTarget)
