#pragma once

// Reads a watch stream of the local API server line by line (one JSON event per line).
//
//   mysqlop::testing::WatchClient w(api);
//   ASSERT_TRUE(w.open("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1000").ok());
//   auto ev = w.next(10000);   // {"type":"ADDED","object":{...}} or null on timeout / end

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/common/result.h"
#include "tests/support/kube/local_api_server.h"

namespace Poco::Net {
class HTTPClientSession;
class HTTPResponse;
}  // namespace Poco::Net

namespace mysqlop::testing {

class WatchClient {
 public:
  explicit WatchClient(const LocalApiServer& server);
  ~WatchClient();
  WatchClient(const WatchClient&) = delete;
  WatchClient& operator=(const WatchClient&) = delete;

  // Sends the GET and reads the response head. Fails on a connection error; a non-200 answer
  // is reported by status() and body().
  Result<void> open(const std::string& pathAndQuery);
  int status() const { return status_; }
  // The whole body of a non-200 answer.
  const std::string& body() const { return body_; }
  // The next event, or null when none arrives within timeoutMs or the stream ended.
  nlohmann::json next(int timeoutMs);
  // True once the server ended the stream and every event was read.
  bool ended() const;
  void close();

 private:
  void readLoop();

  const LocalApiServer& server_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  std::unique_ptr<Poco::Net::HTTPResponse> response_;
  std::istream* in_ = nullptr;
  int status_ = 0;
  std::string body_;
  // A reader thread does blocking reads; next() waits on the queue it fills.
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> lines_;
  bool ended_ = false;
};

}  // namespace mysqlop::testing
