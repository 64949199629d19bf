#include "plugins/target_s3/src/s3_parts.h"

#include "plugins/target_s3/src/s3_client.h"

namespace mysqlop::targets3 {

PartPool::PartPool(Settings settings, int timeoutSeconds, std::string bucket, std::string key,
                   std::string uploadId, std::size_t concurrency)
    : settings_(std::move(settings)),
      timeoutSeconds_(timeoutSeconds),
      bucket_(std::move(bucket)),
      key_(std::move(key)),
      uploadId_(std::move(uploadId)),
      limit_(concurrency) {
  for (std::size_t i = 0; i < concurrency; ++i) {
    threads_.emplace_back([this] { work(); });
  }
}

PartPool::~PartPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  for (auto& t : threads_) {
    t.join();
  }
}

void PartPool::throwIfFailed() {
  if (failure_) {
    throw *failure_;
  }
}

void PartPool::submit(std::string part, const std::string& what) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return failure_ || queue_.size() + busy_ < limit_; });
  throwIfFailed();
  queue_.push_back({++submitted_, std::move(part), what});
  etags_.resize(submitted_);
  lock.unlock();
  changed_.notify_all();
}

std::vector<std::string> PartPool::finish() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return failure_ || (queue_.empty() && busy_ == 0); });
  throwIfFailed();
  return etags_;
}

std::string PartPool::recycled() {
  std::lock_guard<std::mutex> lock(mu_);
  if (free_.empty()) {
    return {};
  }
  std::string b = std::move(free_.back());
  free_.pop_back();
  return b;
}

void PartPool::work() {
  S3Client client(settings_, timeoutSeconds_);
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return stop_ || (!queue_.empty() && !failure_); });
      if (stop_) {
        return;
      }
      job = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    std::optional<Error> failed;
    std::string etag;
    const std::string number = std::to_string(job.number);
    const std::string what = job.what + " (part " + number + ")";
    try {
      const HttpResult r =
          client.send("PUT", bucket_, key_, {{"partNumber", number}, {"uploadId", uploadId_}}, {},
                      job.data, what);
      if (r.status != 200) {
        throwForStatus(r, what, settings_);
      }
      auto it = r.headers.find("etag");
      if (it == r.headers.end()) {
        throw Error(mysqlop_status_Retry, what + ": the answer has no ETag");
      }
      etag = it->second;
    } catch (const Error& e) {
      failed = e;
    } catch (const std::exception& e) {
      failed = Error(mysqlop_status_Internal, what + ": " + e.what());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      --busy_;
      if (failed) {
        if (!failure_) {
          failure_ = std::move(failed);
        }
      } else {
        etags_[job.number - 1] = std::move(etag);
        job.data.clear();  // keeps its capacity for the next part
        if (free_.size() < limit_) {
          free_.push_back(std::move(job.data));
        }
      }
    }
    changed_.notify_all();
  }
}

}  // namespace mysqlop::targets3
