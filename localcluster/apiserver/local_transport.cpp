#include "localcluster/apiserver/local_transport.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/request_target.h"

namespace mysqlop::local {

namespace {

// What the HTTP layer would make of the request: the same ApiRequest, or the same early answer.
Result<ApiRequest> toApiRequest(const kube::HttpRequest& in, ApiResponse* early) {
  ApiRequest req;
  req.method = in.method;
  if (auto r = parseRequestTarget(in.target, req); !r.ok()) {
    answerError(*early, errBadRequest(r.error().message));
    return fail(Errc::Invalid, r.error().message);
  }
  if (in.body.size() > kMaxRequestBody) {
    answerError(*early, errRequestEntityTooLarge("the request body is too large"));
    return fail(Errc::Invalid, "the request body is too large");
  }
  req.body = in.body;
  req.contentType = in.contentType;
  if (req.contentType.empty() && !req.body.empty()) {
    req.contentType = "application/json";  // as HttpTransport sends a body without a type
  }
  req.accept = in.accept;
  req.userAgent = "mysql-operator-local/in-process";
  return req;
}

void fillHead(const ApiResponse& resp, const std::string& method, const std::string& server,
              kube::HttpResponse* head) {
  head->status = resp.code;
  head->body = method == "HEAD" ? std::string() : resp.body;
  head->contentType = resp.contentType;
  head->warnings.clear();
  for (const auto& [k, v] : resp.headers) {
    if (k == "Warning") {
      head->warnings.push_back(kube::warningHeaderText(v));
      spdlog::warn("Kubernetes API warning from {}: {}", server, head->warnings.back());
    }
  }
}

// The state a watch shares between the server's thread (writer) and the client (reader).
struct Channel {
  std::mutex mu;
  std::condition_variable cv;
  bool begun = false;      // the watch answered 2xx and streams
  bool finished = false;   // ApiServer::handle returned
  bool cancelled = false;  // the client cancelled (or gave up waiting)
  int code = 0;
  std::string contentType = "application/json";
  std::deque<std::string> lines;
  std::string partial;  // a line the server has not ended yet
  std::function<void()> waker;
  ApiResponse response;  // when finished without streaming
};

// Appends data to the channel's lines; the caller holds c.mu.
void appendLocked(Channel& c, const std::string& data) {
  std::size_t start = 0;
  for (std::size_t nl = data.find('\n'); nl != std::string::npos; nl = data.find('\n', start)) {
    c.partial.append(data, start, nl - start);
    c.lines.push_back(std::move(c.partial));
    c.partial.clear();
    start = nl + 1;
  }
  c.partial.append(data, start, std::string::npos);
}

// The server side: what ApiServer::watchObjects writes to.
class ChannelWatchStream final : public WatchStream {
 public:
  ChannelWatchStream(std::shared_ptr<Channel> c, const ApiServer& server)
      : c_(std::move(c)), server_(server) {}

  bool begin(int code) override {
    std::lock_guard lock(c_->mu);
    c_->begun = true;
    c_->code = code;
    c_->cv.notify_all();
    return !c_->cancelled;
  }

  bool send(const std::string& data) override {
    std::unique_lock lock(c_->mu);
    // Backpressure, as a full socket buffer would give: wait for the reader, but not past the
    // server's shutdown (which waits for its watches to end).
    while (!c_->cancelled && c_->lines.size() >= LocalTransport::kMaxQueuedLines) {
      if (server_.stopping()) {
        return false;
      }
      c_->cv.wait_for(lock, std::chrono::milliseconds(100));
    }
    if (c_->cancelled) {
      return false;
    }
    appendLocked(*c_, data);
    c_->cv.notify_all();
    return true;
  }

  bool clientGone() override {
    std::lock_guard lock(c_->mu);
    return c_->cancelled;
  }

  void setContentType(const std::string& type) override {
    std::lock_guard lock(c_->mu);
    c_->contentType = type;
  }

  void setWaker(const std::function<void()>& wake) override {
    bool now = false;
    {
      std::lock_guard lock(c_->mu);
      c_->waker = wake;
      now = c_->cancelled;
    }
    if (now && c_->waker) {
      c_->waker();
    }
  }

 private:
  std::shared_ptr<Channel> c_;
  const ApiServer& server_;
};

// The client side: what kube::WatchStream reads.
class ChannelHttpStream final : public kube::HttpStream {
 public:
  ChannelHttpStream(std::shared_ptr<Channel> c, std::thread t, std::chrono::milliseconds timeout)
      : c_(std::move(c)), thread_(std::move(t)), timeout_(timeout) {}

  ~ChannelHttpStream() override {
    cancel();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  Result<bool> readLine(std::string* line) override {
    line->clear();
    std::unique_lock lock(c_->mu);
    const bool ready = c_->cv.wait_for(
        lock, timeout_, [&] { return c_->cancelled || !c_->lines.empty() || c_->finished; });
    if (c_->cancelled) {
      return fail(Errc::Unavailable, "the stream was cancelled");
    }
    if (!c_->lines.empty()) {
      *line = std::move(c_->lines.front());
      c_->lines.pop_front();
      c_->cv.notify_all();  // room for a blocked writer
      return true;
    }
    if (c_->finished) {
      if (!c_->partial.empty()) {
        *line = std::move(c_->partial);
        c_->partial.clear();
        return true;
      }
      return false;
    }
    if (!ready) {
      lock.unlock();
      cancel();  // as a socket read timeout leaves the connection unusable
      return fail(Errc::Unavailable,
                  "reading the stream: no data within " + std::to_string(timeout_.count()) + " ms");
    }
    return fail(Errc::Internal, "the stream woke without data");
  }

  void cancel() override {
    std::function<void()> wake;
    {
      std::lock_guard lock(c_->mu);
      if (c_->cancelled) {
        return;
      }
      c_->cancelled = true;
      wake = c_->waker;
      c_->cv.notify_all();
    }
    if (wake) {
      wake();
    }
  }

 private:
  std::shared_ptr<Channel> c_;
  std::thread thread_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

LocalTransport::LocalTransport(ApiServer& server, std::string name)
    : server_(server), name_(std::move(name)) {}

LocalTransport::~LocalTransport() = default;

Result<kube::HttpResponse> LocalTransport::send(const kube::HttpRequest& request) {
  ApiResponse resp;
  auto req = toApiRequest(request, &resp);
  if (req.ok()) {
    server_.handle(*req, resp, nullptr);  // a watch here answers 400: it needs stream()
  }
  kube::HttpResponse out;
  fillHead(resp, request.method, name_, &out);
  return out;
}

Result<std::unique_ptr<kube::HttpStream>> LocalTransport::stream(const kube::HttpRequest& request,
                                                                 kube::HttpResponse* head) {
  ApiResponse early;
  auto req = toApiRequest(request, &early);
  if (!req.ok()) {
    fillHead(early, request.method, name_, head);
    return std::unique_ptr<kube::HttpStream>();
  }
  auto channel = std::make_shared<Channel>();
  // The thread refers to the server, not to this transport: a stream may outlive its Client.
  std::thread worker([&server = server_, channel, r = std::move(req).value()] {
    ChannelWatchStream ws(channel, server);
    ApiResponse resp;
    server.handle(r, resp, &ws);
    std::lock_guard lock(channel->mu);
    channel->finished = true;
    channel->waker = nullptr;  // the watch is over: nothing to wake any more
    if (!channel->begun) {
      channel->response = std::move(resp);
    }
    channel->cv.notify_all();
  });
  std::unique_lock lock(channel->mu);
  channel->cv.wait(lock, [&] { return channel->begun || channel->finished; });
  if (!channel->begun) {
    // Answered without streaming: an error, or a plain response read as lines.
    lock.unlock();
    worker.join();
    fillHead(channel->response, request.method, name_, head);
    if (head->status < 200 || head->status >= 300) {
      return std::unique_ptr<kube::HttpStream>();
    }
    lock.lock();
    appendLocked(*channel, head->body);
    lock.unlock();
  } else {
    head->status = channel->code;
    head->body.clear();
    head->contentType = channel->contentType;
    head->warnings.clear();
    lock.unlock();
  }
  return std::unique_ptr<kube::HttpStream>(
      std::make_unique<ChannelHttpStream>(channel, std::move(worker), request.timeout));
}

}  // namespace mysqlop::local
