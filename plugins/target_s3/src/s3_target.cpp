#include "plugins/target_s3/src/s3_target.h"

#include <istream>

#include "plugins/target_http/src/body_reader.h"
#include "plugins/target_http/src/parts.h"
#include "plugins/target_http/src/text.h"
#include "plugins/target_s3/src/s3_client.h"
#include "plugins/target_s3/src/s3_parts.h"

namespace mysqlop::targets3 {

namespace {

std::map<std::string, std::string> uploadHeaders(const Settings& s) {
  std::map<std::string, std::string> h;
  if (!s.acl.empty()) {
    h["x-amz-acl"] = s.acl;
  }
  if (!s.storageClass.empty()) {
    h["x-amz-storage-class"] = s.storageClass;
  }
  return h;
}

class S3Writer : public BackupWriter {
 public:
  S3Writer(Settings settings, const Options& options, Location where, std::string url)
      : client_(std::move(settings), options.timeoutSeconds),
        where_(std::move(where)),
        url_(std::move(url)),
        partSize_(options.partSize),
        concurrency_(options.uploadConcurrency),
        timeoutSeconds_(options.timeoutSeconds) {}
  ~S3Writer() override { discard(); }

  void write(Call&, const void* data, std::size_t len) override {
    targethttp::appendInParts(buffer_, partSize_, data, len, [&] { uploadPart("writing "); });
  }

  void commit(Call&) override {
    const std::string what = "committing " + url_;
    if (uploadId_.empty()) {
      // One part or less: a single PutObject is atomic by itself.
      const HttpResult r = client_.send("PUT", where_.bucket, where_.key, {},
                                        uploadHeaders(client_.settings()), buffer_, what);
      if (r.status != 200) {
        throwForStatus(r, what, client_.settings());
      }
      release();
      return;
    }
    if (!buffer_.empty()) {
      uploadPart("committing ");
    }
    if (pool_) {
      etags_ = pool_->finish();
      pool_.reset();
    }
    std::string xml = "<CompleteMultipartUpload>";
    for (std::size_t i = 0; i < etags_.size(); ++i) {
      xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
             xmlEscape(etags_[i]) + "</ETag></Part>";
    }
    xml += "</CompleteMultipartUpload>";
    const HttpResult r = client_.send("POST", where_.bucket, where_.key, {{"uploadId", uploadId_}},
                                      {{"content-type", "application/xml"}}, xml, what);
    // S3 may answer 200 and put the error in the body.
    if (r.status != 200 || r.body.find("<Error>") != std::string::npos) {
      throwForStatus(r.status == 200 ? HttpResult{500, r.body, {}} : r, what, client_.settings());
    }
    uploadId_.clear();  // completed: nothing to abort
    release();
  }

  void abort(Call&) noexcept override { discard(); }

 private:
  // verb: "writing " or "committing ", for messages.
  void uploadPart(const char* verb) {
    const std::string what = verb + url_;
    if (uploadId_.empty()) {
      const HttpResult r = client_.send("POST", where_.bucket, where_.key, {{"uploads", ""}},
                                        uploadHeaders(client_.settings()), "", what);
      if (r.status != 200) {
        throwForStatus(r, what, client_.settings());
      }
      uploadId_ = xmlValue(r.body, "UploadId");
      if (uploadId_.empty()) {
        throw Error(mysqlop_status_Retry, what +
                                              ": the store's answer to CreateMultipartUpload "
                                              "has no UploadId");
      }
    }
    if (concurrency_ > 1) {
      if (!pool_) {
        pool_ = std::make_unique<PartPool>(client_.settings(), timeoutSeconds_, where_.bucket,
                                           where_.key, uploadId_, concurrency_);
      }
      pool_->submit(std::move(buffer_), what);
      buffer_ = pool_->recycled();
      return;
    }
    const std::string part = std::to_string(etags_.size() + 1);
    const HttpResult r = client_.send("PUT", where_.bucket, where_.key,
                                      {{"partNumber", part}, {"uploadId", uploadId_}}, {}, buffer_,
                                      what + " (part " + part + ")");
    if (r.status != 200) {
      throwForStatus(r, what + " (part " + part + ")", client_.settings());
    }
    auto etag = r.headers.find("etag");
    if (etag == r.headers.end()) {
      throw Error(mysqlop_status_Retry, what + " (part " + part + "): the answer has no ETag");
    }
    etags_.push_back(etag->second);
    buffer_.clear();
  }

  void release() {
    buffer_.clear();
    buffer_.shrink_to_fit();
  }

  void discard() noexcept {
    pool_.reset();  // waits for the parts in flight: the abort below must come after them
    if (!uploadId_.empty()) {
      try {
        client_.send("DELETE", where_.bucket, where_.key, {{"uploadId", uploadId_}}, {}, "",
                     "aborting " + url_);
      } catch (...) {  // abort never fails; the store's lifecycle rules clean up what is left
      }
      uploadId_.clear();
    }
    release();
  }

  S3Client client_;
  Location where_;
  std::string url_;
  std::size_t partSize_;
  std::size_t concurrency_;
  int timeoutSeconds_;
  std::unique_ptr<PartPool> pool_;
  std::string buffer_;
  std::string uploadId_;
  std::vector<std::string> etags_;
};

class S3Reader : public targethttp::BodyReader {
 public:
  S3Reader(Settings settings, const Options& options, const Location& where, const std::string& url)
      : BodyReader(url), client_(std::move(settings), options.timeoutSeconds) {
    const std::string what = "reading " + url;
    HttpResult error;
    const int status = client_.openGet(where.bucket, where.key, &body_, &error, what);
    if (status == 404 && xmlValue(error.body, "Code") != "NoSuchBucket") {
      throw Error(mysqlop_status_NotFound, "object " + url + " does not exist");
    }
    if (status != 200) {
      throwForStatus(error, what, client_.settings());
    }
  }

 private:
  S3Client client_;
};

}  // namespace

std::unique_ptr<BackupWriter> S3Target::openWriter(Call&, std::string_view url,
                                                   const Credentials& credentials) {
  Location where = parseUrl(url, true);
  Settings s = settingsFor(options_, credentials, where.bucket);
  return std::make_unique<S3Writer>(std::move(s), options_, std::move(where), std::string(url));
}

std::unique_ptr<BackupReader> S3Target::openReader(Call&, std::string_view url,
                                                   const Credentials& credentials) {
  const Location where = parseUrl(url, true);
  return std::make_unique<S3Reader>(settingsFor(options_, credentials, where.bucket), options_,
                                    where, std::string(url));
}

std::vector<ObjectInfo> S3Target::list(Call&, std::string_view urlPrefix,
                                       const Credentials& credentials) {
  const Location where = parseUrl(urlPrefix, false);
  S3Client client(settingsFor(options_, credentials, where.bucket), options_.timeoutSeconds);
  const std::string what = "listing " + std::string(urlPrefix);
  std::vector<ObjectInfo> out;
  std::string token;
  for (;;) {
    std::map<std::string, std::string> q = {{"list-type", "2"}, {"prefix", where.key}};
    if (!token.empty()) {
      q["continuation-token"] = token;
    }
    const HttpResult r = client.send("GET", where.bucket, "", q, {}, "", what);
    if (r.status != 200) {
      throwForStatus(r, what, client.settings());
    }
    std::size_t at = 0;
    for (;;) {
      std::size_t end = 0;
      const std::string entry = xmlValue(r.body, "Contents", at, &end);
      if (end == std::string::npos) {
        break;
      }
      at = end;
      ObjectInfo o;
      o.url = "s3://" + where.bucket + "/" + xmlValue(entry, "Key");
      o.sizeBytes = std::stoull("0" + xmlValue(entry, "Size"));
      o.modifiedUnixMs = targethttp::parseRfc3339Ms(xmlValue(entry, "LastModified"));
      out.push_back(std::move(o));
    }
    token = xmlValue(r.body, "NextContinuationToken");
    if (xmlValue(r.body, "IsTruncated") != "true" || token.empty()) {
      break;
    }
  }
  // S3 lists in UTF-8 binary order already; sorting keeps the ABI promise for any store.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.url < b.url; });
  return out;
}

void S3Target::remove(Call&, std::string_view url, const Credentials& credentials) {
  const Location where = parseUrl(url, true);
  S3Client client(settingsFor(options_, credentials, where.bucket), options_.timeoutSeconds);
  const std::string what = "removing " + std::string(url);
  // DELETE answers 204 for a missing key too: HEAD tells NotFound first.
  HttpResult r = client.send("HEAD", where.bucket, where.key, {}, {}, "", what);
  if (r.status == 404) {
    throw Error(mysqlop_status_NotFound, "object " + std::string(url) + " does not exist");
  }
  if (r.status != 200) {
    throwForStatus(r, what, client.settings());
  }
  r = client.send("DELETE", where.bucket, where.key, {}, {}, "", what);
  if (r.status != 204 && r.status != 200) {
    throwForStatus(r, what, client.settings());
  }
}

void S3Target::createBucket(const Options& options, const Credentials& credentials,
                            const std::string& bucket) {
  S3Client client(settingsFor(options, credentials, bucket), options.timeoutSeconds);
  const std::string what = "creating bucket " + bucket;
  const HttpResult r = client.send("PUT", bucket, "", {}, {}, "", what);
  if (r.status == 409) {
    throw Error(mysqlop_status_AlreadyExists, what + ": it exists");
  }
  if (r.status != 200) {
    throwForStatus(r, what, client.settings());
  }
}

}  // namespace mysqlop::targets3
