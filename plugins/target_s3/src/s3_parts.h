#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mysqlop/plugin.hpp"
#include "plugins/target_s3/src/s3_config.h"

namespace mysqlop::targets3 {

// Uploads the parts of one multipart upload on `concurrency` threads, each with a connection of
// its own. At most `concurrency` parts are queued or in flight: submit blocks until one is done,
// so a writer holds at most concurrency + 1 parts in memory (the one it fills). The first failure
// of any part is thrown by the next submit or finish; parts still queued are then dropped.
class PartPool {
 public:
  PartPool(Settings settings, int timeoutSeconds, std::string bucket, std::string key,
           std::string uploadId, std::size_t concurrency);
  // Stops the threads; parts in flight finish, queued ones are dropped.
  ~PartPool();
  PartPool(const PartPool&) = delete;
  PartPool& operator=(const PartPool&) = delete;

  // Queues the next part (what: "writing s3://b/k", for messages).
  void submit(std::string part, const std::string& what);
  // Waits for every part; their ETags in part order.
  std::vector<std::string> finish();
  // An emptied buffer of an uploaded part, to fill next (empty when none is free).
  std::string recycled();

 private:
  struct Job {
    std::size_t number = 0;
    std::string data;
    std::string what;
  };
  void work();
  void throwIfFailed();

  Settings settings_;
  int timeoutSeconds_;
  std::string bucket_;
  std::string key_;
  std::string uploadId_;
  std::size_t limit_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Job> queue_;
  std::size_t busy_ = 0;
  std::size_t submitted_ = 0;
  bool stop_ = false;
  std::optional<Error> failure_;
  std::vector<std::string> etags_;
  std::vector<std::string> free_;
  std::vector<std::thread> threads_;
};

}  // namespace mysqlop::targets3
