#include "plugins/target_gs/src/gs_target.h"

#include <algorithm>
#include <istream>
#include <nlohmann/json.hpp>

#include "plugins/target_gs/src/gs_client.h"
#include "plugins/target_http/src/body_reader.h"
#include "plugins/target_http/src/text.h"

namespace mysqlop::targetgs {

namespace {

std::string notFound(std::string_view url) {
  return "object " + std::string(url) + " does not exist";
}

std::string objectUrl(const Options& o, const Location& where) {
  return o.endpoint + "/storage/v1/b/" + percentEncode(where.bucket) + "/o/" +
         percentEncode(where.object);
}

class GsWriter : public BackupWriter {
 public:
  GsWriter(Account account, const Options& options, Location where, std::string url,
           TokenCache* tokens)
      : client_(std::move(account), options.timeoutSeconds, tokens),
        options_(options),
        where_(std::move(where)),
        url_(std::move(url)) {}
  ~GsWriter() override { discard(); }

  void write(Call&, const void* data, std::size_t len) override {
    const char* p = static_cast<const char*>(data);
    while (len > 0) {
      // A full chunk goes up only when more bytes follow: the last request must carry the total.
      if (buffer_.size() == options_.chunkSize) {
        upload(false, "writing " + url_);
      }
      if (buffer_.capacity() < options_.chunkSize) {
        buffer_.reserve(options_.chunkSize);
      }
      const std::size_t take = std::min(len, options_.chunkSize - buffer_.size());
      buffer_.append(p, take);
      p += take;
      len -= take;
    }
  }

  void commit(Call&) override {
    upload(true, "committing " + url_);
    session_.clear();  // finished: nothing to cancel
    release();
  }

  void abort(Call&) noexcept override { discard(); }

 private:
  void start(const std::string& what) {
    std::string url = options_.endpoint + "/upload/storage/v1/b/" + percentEncode(where_.bucket) +
                      "/o?uploadType=resumable&name=" + percentEncode(where_.object);
    if (!client_.account().objectAcl.empty()) {
      url += "&predefinedAcl=" + percentEncode(client_.account().objectAcl);
    }
    nlohmann::json meta = {{"name", where_.object}};
    if (!client_.account().storageClass.empty()) {
      meta["storageClass"] = client_.account().storageClass;
    }
    const HttpResult r = client_.send("POST", url,
                                      {{"Content-Type", "application/json; charset=UTF-8"},
                                       {"X-Upload-Content-Type", "application/octet-stream"}},
                                      meta.dump(), what);
    if (r.status != 200) {
      throwForStatus(r, what);
    }
    const auto location = r.headers.find("location");
    if (location == r.headers.end() || location->second.empty()) {
      throw Error(mysqlop_status_Retry,
                  what + ": the answer that starts an upload has no Location");
    }
    session_ = location->second;
  }

  void upload(bool last, const std::string& what) {
    if (session_.empty()) {
      start(what);
    }
    const std::uint64_t end = offset_ + buffer_.size();
    const std::string total = last ? std::to_string(end) : "*";
    const std::string range = buffer_.empty() ? "bytes */" + total
                                              : "bytes " + std::to_string(offset_) + "-" +
                                                    std::to_string(end - 1) + "/" + total;
    const HttpResult r = client_.send("PUT", session_, {{"Content-Range", range}}, buffer_, what);
    const bool ok = last ? (r.status == 200 || r.status == 201) : r.status == 308;
    if (!ok) {
      throwForStatus(r, what);
    }
    offset_ = end;
    buffer_.clear();
  }

  void release() noexcept {
    buffer_.clear();
    buffer_.shrink_to_fit();
  }

  void discard() noexcept {
    if (!session_.empty()) {
      try {  // cancels the session (499); abort never fails, sessions expire in a week anyway
        client_.send("DELETE", session_, {}, "", "aborting " + url_);
      } catch (...) {
      }
      session_.clear();
    }
    release();
  }

  GsClient client_;
  Options options_;
  Location where_;
  std::string url_;
  std::string session_;
  std::string buffer_;
  std::uint64_t offset_ = 0;
};

class GsReader : public targethttp::BodyReader {
 public:
  GsReader(Account account, const Options& options, const Location& where, const std::string& url,
           TokenCache* tokens)
      : BodyReader(url), client_(std::move(account), options.timeoutSeconds, tokens) {
    HttpResult error;
    const int status =
        client_.openGet(objectUrl(options, where) + "?alt=media", &body_, &error, "reading " + url);
    if (status == 404) {
      throw Error(mysqlop_status_NotFound, notFound(url));
    }
    if (status != 200) {
      throwForStatus(error, "reading " + url);
    }
  }

 private:
  GsClient client_;
};

}  // namespace

std::unique_ptr<BackupWriter> GsTarget::openWriter(Call&, std::string_view url,
                                                   const Credentials& credentials) {
  Location where = parseUrl(url, true);
  return std::make_unique<GsWriter>(accountFor(credentials), options_, std::move(where),
                                    std::string(url), tokens_.get());
}

std::unique_ptr<BackupReader> GsTarget::openReader(Call&, std::string_view url,
                                                   const Credentials& credentials) {
  const Location where = parseUrl(url, true);
  return std::make_unique<GsReader>(accountFor(credentials), options_, where, std::string(url),
                                    tokens_.get());
}

std::vector<ObjectInfo> GsTarget::list(Call&, std::string_view urlPrefix,
                                       const Credentials& credentials) {
  const Location where = parseUrl(urlPrefix, false);
  GsClient client(accountFor(credentials), options_.timeoutSeconds, tokens_.get());
  const std::string what = "listing " + std::string(urlPrefix);
  std::vector<ObjectInfo> out;
  std::string pageToken;
  for (;;) {
    std::string url = options_.endpoint + "/storage/v1/b/" + percentEncode(where.bucket) +
                      "/o?prefix=" + percentEncode(where.object);
    if (!pageToken.empty()) {
      url += "&pageToken=" + percentEncode(pageToken);
    }
    const HttpResult r = client.send("GET", url, {}, "", what);
    if (r.status != 200) {
      throwForStatus(r, what);
    }
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (!j.is_object()) {
      throw Error(mysqlop_status_Retry, what + ": the answer is not a JSON object");
    }
    for (const auto& item : j.value("items", nlohmann::json::array())) {
      ObjectInfo o;
      o.url = "gs://" + where.bucket + "/" + item.value("name", "");
      o.sizeBytes = std::stoull("0" + item.value("size", std::string("0")));
      o.modifiedUnixMs = targethttp::parseRfc3339Ms(item.value("updated", ""));
      out.push_back(std::move(o));
    }
    pageToken = j.value("nextPageToken", "");
    if (pageToken.empty()) {
      break;
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.url < b.url; });
  return out;
}

void GsTarget::remove(Call&, std::string_view url, const Credentials& credentials) {
  const Location where = parseUrl(url, true);
  GsClient client(accountFor(credentials), options_.timeoutSeconds, tokens_.get());
  const std::string what = "removing " + std::string(url);
  const HttpResult r = client.send("DELETE", objectUrl(options_, where), {}, "", what);
  if (r.status == 404) {
    throw Error(mysqlop_status_NotFound, notFound(url));
  }
  if (r.status != 204 && r.status != 200) {
    throwForStatus(r, what);
  }
}

}  // namespace mysqlop::targetgs
