// Example backup-target plugin: the scheme dir:// stores objects as files under a local directory.
// A URL dir:///var/backups/c1/full.xbackup.gz is the file /var/backups/c1/full.xbackup.gz.
//
// Writes go to "<file>.tmp-<random>" and are renamed on commit, so a reader never sees a partial
// object. The optional config key "root" confines every URL to one directory.
#include <array>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <system_error>

#include "mysqlop/plugin.hpp"

namespace fs = std::filesystem;

namespace {

fs::path pathOf(std::string_view url, const fs::path& root) {
  constexpr std::string_view kPrefix = "dir://";
  if (url.substr(0, kPrefix.size()) != kPrefix) {
    throw mysqlop::Error(mysqlop_status_InvalidConfig,
                         "URL " + std::string(url) + " does not start with dir://");
  }
  fs::path p = fs::path(std::string(url.substr(kPrefix.size()))).lexically_normal();
  if (!p.is_absolute()) {
    throw mysqlop::Error(mysqlop_status_InvalidConfig,
                         "URL " + std::string(url) + " must name an absolute path (dir:///...)");
  }
  if (!root.empty()) {
    auto rel = p.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") {
      throw mysqlop::Error(
          mysqlop_status_Forbidden,
          "URL " + std::string(url) + " is outside the configured root " + root.string());
    }
  }
  return p;
}

class FileWriter : public mysqlop::BackupWriter {
 public:
  explicit FileWriter(fs::path target) : target_(std::move(target)) {
    std::random_device rd;
    temp_ = target_;
    temp_ += ".tmp-" + std::to_string(rd());
    fs::create_directories(target_.parent_path());
    out_.open(temp_, std::ios::binary | std::ios::trunc);
    if (!out_) {
      throw mysqlop::Error(mysqlop_status_Retry, "cannot create " + temp_.string());
    }
  }
  ~FileWriter() override {
    if (!done_) {
      std::error_code ec;
      out_.close();
      fs::remove(temp_, ec);
    }
  }
  void write(mysqlop::Call&, const void* data, std::size_t len) override {
    out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(len));
    if (!out_) {
      throw mysqlop::Error(mysqlop_status_Retry, "writing " + temp_.string() + " failed");
    }
  }
  void commit(mysqlop::Call&) override {
    out_.close();
    if (!out_) {
      throw mysqlop::Error(mysqlop_status_Retry, "closing " + temp_.string() + " failed");
    }
    fs::rename(temp_, target_);
    done_ = true;
  }
  void abort(mysqlop::Call&) noexcept override {
    std::error_code ec;
    out_.close();
    fs::remove(temp_, ec);
    done_ = true;
  }

 private:
  fs::path target_;
  fs::path temp_;
  std::ofstream out_;
  bool done_ = false;
};

class FileReader : public mysqlop::BackupReader {
 public:
  // A directory is a prefix of other objects, not an object (an ifstream would open it).
  explicit FileReader(const fs::path& p) : in_(p, std::ios::binary) {
    if (!in_ || !fs::is_regular_file(p)) {
      throw mysqlop::Error(mysqlop_status_NotFound, "object " + p.string() + " does not exist");
    }
  }
  std::size_t read(mysqlop::Call&, void* buffer, std::size_t capacity) override {
    in_.read(static_cast<char*>(buffer), static_cast<std::streamsize>(capacity));
    return static_cast<std::size_t>(in_.gcount());
  }

 private:
  std::ifstream in_;
};

class DirTarget : public mysqlop::BackupTarget {
 public:
  static constexpr const char* kVersion = "1.0.0";
  static constexpr std::array<mysqlop_type_str, 1> kSchemes = {mysqlop::lit("dir")};

  explicit DirTarget(const mysqlop::Context& ctx) : BackupTarget(ctx) {
    // Config is {"root": "/abs/dir"} or {}; kept tiny to stay free of a JSON library.
    const std::string_view cfg = ctx.configJson;
    const std::string_view key = "\"root\":\"";
    auto at = cfg.find(key);
    if (at != std::string_view::npos) {
      auto end = cfg.find('"', at + key.size());
      root_ = fs::path(std::string(cfg.substr(at + key.size(), end - at - key.size())));
      if (!root_.is_absolute()) {
        throw mysqlop::ConfigError("config.root: expected an absolute path, got " + root_.string());
      }
    }
  }

  std::unique_ptr<mysqlop::BackupWriter> openWriter(mysqlop::Call&, std::string_view url,
                                                    const mysqlop::Credentials&) override {
    return std::make_unique<FileWriter>(pathOf(url, root_));
  }
  std::unique_ptr<mysqlop::BackupReader> openReader(mysqlop::Call&, std::string_view url,
                                                    const mysqlop::Credentials&) override {
    return std::make_unique<FileReader>(pathOf(url, root_));
  }
  std::vector<mysqlop::ObjectInfo> list(mysqlop::Call&, std::string_view prefix,
                                        const mysqlop::Credentials&) override {
    const fs::path p = pathOf(prefix, root_);
    const fs::path dir = fs::is_directory(p) ? p : p.parent_path();
    std::vector<mysqlop::ObjectInfo> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file() || it->path().string().find(".tmp-") != std::string::npos) {
        continue;
      }
      const std::string url = "dir://" + it->path().string();
      if (url.compare(0, prefix.size(), prefix) != 0) {
        continue;
      }
      auto mtime = fs::last_write_time(it->path());
      auto sys = std::chrono::time_point_cast<std::chrono::milliseconds>(
          mtime - fs::file_time_type::clock::now() + std::chrono::system_clock::now());
      out.push_back({url, it->file_size(), sys.time_since_epoch().count()});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.url < b.url; });
    return out;
  }
  void remove(mysqlop::Call&, std::string_view url, const mysqlop::Credentials&) override {
    const fs::path p = pathOf(url, root_);
    if (!fs::remove(p)) {
      throw mysqlop::Error(mysqlop_status_NotFound, "object " + p.string() + " does not exist");
    }
  }

 private:
  fs::path root_;
};

}  // namespace

MYSQLOP_EXPORT_PLUGIN(DirTarget, "example-dir", mysqlop_plugin_kind_BackupTarget)
