#include "plugins/target_azure/src/azure_target.h"

#include <istream>
#include <random>

#include "plugins/target_azure/src/azure_client.h"
#include "plugins/target_azure/src/shared_key.h"
#include "plugins/target_http/src/body_reader.h"
#include "plugins/target_http/src/parts.h"
#include "plugins/target_http/src/text.h"

namespace mysqlop::targetazure {

namespace {

std::string pathOf(const Location& where) { return "/" + where.container + "/" + where.blob; }

std::string notFound(std::string_view url) {
  return "object " + std::string(url) + " does not exist";
}

// Block ids: the same length for every block of a blob (Azure's rule), and unique per writer so
// that two writers of one name never commit each other's blocks.
std::string writerTag() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  char tag[17];
  std::snprintf(tag, sizeof tag, "%016llx", static_cast<unsigned long long>(random()));
  return tag;
}

class AzureWriter : public BackupWriter {
 public:
  AzureWriter(Settings settings, const Options& options, Location where, std::string url)
      : client_(std::move(settings), options.timeoutSeconds),
        where_(std::move(where)),
        url_(std::move(url)),
        blockSize_(options.blockSize),
        tag_(writerTag()) {}
  ~AzureWriter() override { release(); }

  void write(Call&, const void* data, std::size_t len) override {
    targethttp::appendInParts(buffer_, blockSize_, data, len, [&] { putBlock("writing " + url_); });
  }

  void commit(Call&) override {
    const std::string what = "committing " + url_;
    if (blocks_.empty()) {
      // One block or less: a single Put Blob is atomic by itself.
      const HttpResult r =
          client_.send("PUT", pathOf(where_), {}, {{"x-ms-blob-type", "BlockBlob"}}, buffer_, what);
      if (r.status != 201) {
        throwForStatus(r, what);
      }
      release();
      return;
    }
    if (!buffer_.empty()) {
      putBlock(what);
    }
    std::string xml = R"(<?xml version="1.0" encoding="utf-8"?><BlockList>)";
    for (const auto& id : blocks_) {
      xml += "<Latest>" + id + "</Latest>";
    }
    xml += "</BlockList>";
    const HttpResult r = client_.send("PUT", pathOf(where_), {{"comp", "blocklist"}},
                                      {{"content-type", "application/xml"}}, xml, what);
    if (r.status != 201) {
      throwForStatus(r, what);
    }
    release();
  }

  // Uncommitted blocks are invisible and expire on their own: nothing to send.
  void abort(Call&) noexcept override { release(); }

 private:
  void putBlock(const std::string& what) {
    char seq[9];
    std::snprintf(seq, sizeof seq, "%08zu", blocks_.size());
    const std::string id = base64Encode(tag_ + seq);
    const std::string label = what + " (block " + std::to_string(blocks_.size() + 1) + ")";
    const HttpResult r = client_.send("PUT", pathOf(where_), {{"comp", "block"}, {"blockid", id}},
                                      {}, buffer_, label);
    if (r.status != 201) {
      throwForStatus(r, label);
    }
    blocks_.push_back(id);
    buffer_.clear();
  }

  void release() noexcept {
    buffer_.clear();
    buffer_.shrink_to_fit();
  }

  AzureClient client_;
  Location where_;
  std::string url_;
  std::size_t blockSize_;
  std::string tag_;
  std::string buffer_;
  std::vector<std::string> blocks_;
};

class AzureReader : public targethttp::BodyReader {
 public:
  AzureReader(Settings settings, const Options& options, const Location& where,
              const std::string& url)
      : BodyReader(url), client_(std::move(settings), options.timeoutSeconds) {
    HttpResult error;
    const int status = client_.openGet(pathOf(where), &body_, &error, "reading " + url);
    if (status == 404 && xmlValue(error.body, "Code") != "ContainerNotFound") {
      throw Error(mysqlop_status_NotFound, notFound(url));
    }
    if (status != 200) {
      throwForStatus(error, "reading " + url);
    }
  }

 private:
  AzureClient client_;
};

}  // namespace

std::unique_ptr<BackupWriter> AzureTarget::openWriter(Call&, std::string_view url,
                                                      const Credentials& credentials) {
  Location where = parseUrl(url, true);
  return std::make_unique<AzureWriter>(settingsFor(options_, credentials), options_,
                                       std::move(where), std::string(url));
}

std::unique_ptr<BackupReader> AzureTarget::openReader(Call&, std::string_view url,
                                                      const Credentials& credentials) {
  const Location where = parseUrl(url, true);
  return std::make_unique<AzureReader>(settingsFor(options_, credentials), options_, where,
                                       std::string(url));
}

std::vector<ObjectInfo> AzureTarget::list(Call&, std::string_view urlPrefix,
                                          const Credentials& credentials) {
  const Location where = parseUrl(urlPrefix, false);
  AzureClient client(settingsFor(options_, credentials), options_.timeoutSeconds);
  const std::string what = "listing " + std::string(urlPrefix);
  std::vector<ObjectInfo> out;
  std::string marker;
  for (;;) {
    std::map<std::string, std::string> q = {{"restype", "container"}, {"comp", "list"}};
    if (!where.blob.empty()) {
      q["prefix"] = where.blob;
    }
    if (!marker.empty()) {
      q["marker"] = marker;
    }
    const HttpResult r = client.send("GET", "/" + where.container, q, {}, "", what);
    if (r.status != 200) {
      throwForStatus(r, what);
    }
    std::size_t at = 0;
    for (;;) {
      std::size_t end = 0;
      const std::string blob = xmlValue(r.body, "Blob", at, &end);
      if (end == std::string::npos) {
        break;
      }
      at = end;
      ObjectInfo o;
      o.url = "azure://" + where.container + "/" + xmlValue(blob, "Name");
      o.sizeBytes = std::stoull("0" + xmlValue(blob, "Content-Length"));
      o.modifiedUnixMs = targethttp::parseRfc1123Ms(xmlValue(blob, "Last-Modified"));
      out.push_back(std::move(o));
    }
    marker = xmlValue(r.body, "NextMarker");
    if (marker.empty()) {
      break;
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.url < b.url; });
  return out;
}

void AzureTarget::remove(Call&, std::string_view url, const Credentials& credentials) {
  const Location where = parseUrl(url, true);
  AzureClient client(settingsFor(options_, credentials), options_.timeoutSeconds);
  const std::string what = "removing " + std::string(url);
  const HttpResult r = client.send("DELETE", pathOf(where), {}, {}, "", what);
  if (r.status == 404 && xmlValue(r.body, "Code") != "ContainerNotFound") {
    throw Error(mysqlop_status_NotFound, notFound(url));
  }
  if (r.status != 202) {
    throwForStatus(r, what);
  }
}

void AzureTarget::createContainer(const Options& options, const Credentials& credentials,
                                  const std::string& container) {
  AzureClient client(settingsFor(options, credentials), options.timeoutSeconds);
  const std::string what = "creating container " + container;
  const HttpResult r =
      client.send("PUT", "/" + container, {{"restype", "container"}}, {}, "", what);
  if (r.status == 409) {
    throw Error(mysqlop_status_AlreadyExists, what + ": it exists");
  }
  if (r.status != 201) {
    throwForStatus(r, what);
  }
}

}  // namespace mysqlop::targetazure
