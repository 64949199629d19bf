#include "localcluster/streams/exec_session.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>

#include "localcluster/streams/pump.h"
#include "localcluster/streams/spdy_session.h"
#include "localcluster/streams/websocket.h"

namespace mysqlop::local::streams {

using nlohmann::json;

std::string execStatusJson(int exitCode) {
  if (exitCode == 0) {
    return json{{"metadata", json::object()}, {"status", "Success"}}.dump();
  }
  return json{{"metadata", json::object()},
              {"status", "Failure"},
              {"message", "command terminated with non-zero exit code: exit status " +
                              std::to_string(exitCode)},
              {"reason", "NonZeroExitCode"},
              {"details",
               {{"causes",
                 json::array({{{"reason", "ExitCode"}, {"message", std::to_string(exitCode)}}})}}}}
      .dump();
}

namespace {

constexpr std::uint8_t kChanStdin = 0;
constexpr std::uint8_t kChanStdout = 1;
constexpr std::uint8_t kChanStderr = 2;
constexpr std::uint8_t kChanError = 3;
constexpr std::uint8_t kChanResize = 4;
constexpr std::uint8_t kChanClose = 255;

// Terminal sizes arrive as a stream of JSON objects {"Width":W,"Height":H} without separators.
class ResizeParser {
 public:
  template <typename Fn>
  void feed(std::string_view data, Fn&& apply) {
    buf_.append(data);
    std::size_t end;
    while ((end = buf_.find('}')) != std::string::npos) {
      std::string one = buf_.substr(0, end + 1);
      buf_.erase(0, end + 1);
      auto size = json::parse(one, nullptr, false);
      if (size.is_object() && size.value("Width", -1) >= 0 && size.value("Height", -1) >= 0) {
        apply(static_cast<std::uint16_t>(size.value("Width", 0)),
              static_cast<std::uint16_t>(size.value("Height", 0)));
      }
    }
    if (buf_.size() > 4096) {
      buf_.clear();  // garbage without a closing brace
    }
  }

 private:
  std::string buf_;
};

class ExecSession {
 public:
  ExecSession(ClientConn& conn, ExecWire wire, std::unique_ptr<PodProcess> process,
              const PodExecOptions& options, const std::function<bool()>& stopping)
      : conn_(conn),
        wire_(wire),
        process_(std::move(process)),
        options_(options),
        stopping_(stopping),
        pump_(conn) {}

  ExecResult run() {
    if (wire_ == ExecWire::SpdyV4) {
      spdy_.emplace([this](std::string_view b) { return conn_.writeAll(b); },
                    SpdySession::Handler{
                        [this](std::uint32_t id, const SpdyHeaders& h) { onSpdyStream(id, h); },
                        [this](std::uint32_t id, std::string_view d) { onSpdyData(id, d); },
                        [this](std::uint32_t id) { onSpdyFin(id); },
                        [this](std::uint32_t id) { onSpdyReset(id); }});
      expected_ = 1 + (options_.stdin ? 1 : 0) + (options_.stdout ? 1 : 0) +
                  (options_.stderr && !options_.tty ? 1 : 0) + (options_.tty ? 1 : 0);
      streamsDeadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    } else {
      startLocal();
    }
    pump_.run([this](std::string_view data) { onClient(data); }, [this] { return step(); });
    if (!finished_) {
      result_.clientLeft = pump_.clientClosed() || result_.clientLeft;
      conn_.close();
      return result_;  // process_ is destroyed by the caller's scope: it is killed
    }
    lingerUntilClientCloses();
    conn_.close();
    return result_;
  }

 private:
  // Registers the process's descriptors with the loop: output is read from now on.
  void startLocal() {
    running_ = true;
    const int in = process_->stdinFd();
    const int out = process_->stdoutFd();
    const int err = process_->stderrFd();
    if (out >= 0) {
      outId_ = pump_.add(out, [this](std::string_view d) { onOutput(kChanStdout, d); });
      outOpen_ = true;
    }
    if (err >= 0) {
      errId_ = pump_.add(err, [this](std::string_view d) { onOutput(kChanStderr, d); });
      errOpen_ = true;
    }
    if (in >= 0) {
      inId_ = (in == out && outId_ != 0) ? outId_ : pump_.add(in, nullptr);
    }
    if (!pendingStdin_.empty()) {
      writeStdin(pendingStdin_);
      pendingStdin_.clear();
    }
    if (pendingStdinClose_) {
      closeStdin();
    }
  }

  void onOutput(std::uint8_t channel, std::string_view data) {
    if (data.empty()) {
      (channel == kChanStdout ? outOpen_ : errOpen_) = false;
      return;
    }
    if (wire_ == ExecWire::SpdyV4) {
      std::uint32_t id = channel == kChanStdout ? stdoutStream_ : stderrStream_;
      if (id != 0 && spdy_->isOpen(id)) {
        spdy_->send(id, data);
      }
      if (spdy_->over()) {
        fail("client gone");
      }
      return;
    }
    std::string payload;
    payload.reserve(data.size() + 1);
    payload.push_back(static_cast<char>(channel));
    payload.append(data);
    if (!conn_.writeAll(wsEncode({true, WsOpcode::Binary, std::move(payload)}))) {
      fail("client gone");
    }
  }

  void writeStdin(std::string_view data) {
    if (stdinClosed_) {
      return;
    }
    if (!running_) {
      pendingStdin_.append(data);
      return;
    }
    if (inId_ != 0) {
      pump_.write(inId_, data);
    }
  }

  void closeStdin() {
    if (stdinClosed_) {
      return;
    }
    if (!running_) {
      pendingStdinClose_ = true;
      return;
    }
    stdinClosed_ = true;
    if (inId_ == 0) {
      return;
    }
    pump_.afterFlush(inId_, [this] {
      // A pipe of its own is closed by closeStdin(): the loop must forget its number first (the
      // number can be reused by any thread). A terminal stays: it is also stdout.
      if (inId_ != outId_) {
        pump_.remove(inId_);
      }
      inId_ = 0;
      process_->closeStdin();
    });
  }

  void resize(std::string_view data) {
    resizeParser_.feed(data, [this](std::uint16_t w, std::uint16_t h) {
      if (options_.tty) {
        process_->resize(w, h);
      }
    });
  }

  void onClient(std::string_view data) {
    if (data.empty()) {
      if (!finished_) {
        result_.clientLeft = true;
      }
      return;
    }
    if (spdy_) {
      if (!spdy_->feed(data) && !finished_) {
        result_.clientLeft = true;
        result_.error = spdy_->lastError();
        pump_.stop();
      }
      return;
    }
    ws_.feed(data);
    for (;;) {
      auto m = ws_.next();
      if (!m.ok()) {
        result_.error = m.error().message;
        std::string body;
        body.push_back(static_cast<char>(ws_.failureCode() >> 8));
        body.push_back(static_cast<char>(ws_.failureCode() & 0xFF));
        body += m.error().message;
        conn_.writeAll(wsEncode({true, WsOpcode::Close, body}));
        pump_.stop();
        return;
      }
      if (!m.value()) {
        return;
      }
      onWsMessage(*m.value());
    }
  }

  void onWsMessage(const WsMessage& m) {
    switch (m.opcode) {
      case WsOpcode::Ping: conn_.writeAll(wsEncode({true, WsOpcode::Pong, m.payload})); return;
      case WsOpcode::Pong: return;
      case WsOpcode::Close:
        if (!finished_) {
          result_.clientLeft = true;
          conn_.writeAll(wsEncode({true, WsOpcode::Close, m.payload.substr(0, 2)}));
        }
        pump_.stop();
        return;
      default: break;
    }
    if (m.payload.empty()) {
      return;
    }
    const auto channel = static_cast<std::uint8_t>(m.payload[0]);
    std::string_view body(m.payload);
    body.remove_prefix(1);
    if (channel == kChanStdin) {
      writeStdin(body);
    } else if (channel == kChanResize) {
      resize(body);
    } else if (channel == kChanClose && wire_ == ExecWire::WebSocketV5 && !body.empty() &&
               static_cast<std::uint8_t>(body[0]) == kChanStdin) {
      closeStdin();
    }
  }

  void onSpdyStream(std::uint32_t id, const SpdyHeaders& headers) {
    const std::string type = spdyHeader(headers, "streamtype");
    if (type == "error") {
      errorStream_ = id;
    } else if (type == "stdin") {
      stdinStream_ = id;
    } else if (type == "stdout") {
      stdoutStream_ = id;
    } else if (type == "stderr") {
      stderrStream_ = id;
    } else if (type == "resize") {
      resizeStream_ = id;
    } else {
      spdlog::debug("exec: stream {} of unknown type \"{}\"", id, type);
      return;
    }
    if (++received_ >= expected_ && !running_) {
      startLocal();
    }
  }

  void onSpdyData(std::uint32_t id, std::string_view data) {
    if (id == stdinStream_) {
      writeStdin(data);
    } else if (id == resizeStream_) {
      resize(data);
    }
  }

  void onSpdyFin(std::uint32_t id) {
    if (id == stdinStream_) {
      closeStdin();
    }
  }

  void onSpdyReset(std::uint32_t id) {
    if (id == stdinStream_) {
      closeStdin();
    }
  }

  void fail(const std::string& why) {
    result_.error = why;
    result_.clientLeft = true;
    pump_.stop();
  }

  // Asked by the loop after each event: true ends the loop.
  bool step() {
    if (stopping_()) {
      result_.error = "the API server is shutting down";
      return true;
    }
    if (!running_) {
      if (std::chrono::steady_clock::now() > streamsDeadline_) {
        result_.error = "timed out waiting for the client's streams";
        return true;
      }
      return false;
    }
    if (outOpen_ || errOpen_) {
      return false;
    }
    // Output is over: the exit code, then the status after the last byte.
    result_.exitCode = process_->wait();
    finished_ = true;
    const std::string status = execStatusJson(result_.exitCode);
    if (spdy_) {
      for (std::uint32_t id : {stdoutStream_, stderrStream_}) {
        if (id != 0 && spdy_->isOpen(id)) {
          spdy_->finish(id);
        }
      }
      if (errorStream_ != 0 && spdy_->isOpen(errorStream_)) {
        spdy_->send(errorStream_, status, true);
      }
      spdy_->goAway(SpdyGoAway::Ok);
    } else {
      std::string payload(1, static_cast<char>(kChanError));
      payload += status;
      conn_.writeAll(wsEncode({true, WsOpcode::Binary, payload}));
      conn_.writeAll(wsEncode({true, WsOpcode::Close, std::string("\x03\xe8", 2)}));
    }
    return true;
  }

  // Closing with unread client bytes in the socket would send a TCP reset that can destroy
  // what the client has not read yet: read until the client closes (5 s at most).
  void lingerUntilClientCloses() {
    if (pump_.clientClosed()) {
      return;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (int id : {inId_, outId_, errId_}) {
      if (id != 0) {
        pump_.remove(id);
      }
    }
    Pump linger(conn_);
    bool closeSeen = false;
    WsDecoder decoder;
    linger.run(
        [&](std::string_view d) {
          if (spdy_ || d.empty()) {
            return;
          }
          decoder.feed(d);
          for (auto m = decoder.next(); m.ok() && m.value(); m = decoder.next()) {
            if (m.value()->opcode == WsOpcode::Close) {
              closeSeen = true;
            }
          }
        },
        [&] { return closeSeen || std::chrono::steady_clock::now() > deadline; }, 100);
  }

  ClientConn& conn_;
  ExecWire wire_;
  std::unique_ptr<PodProcess> process_;
  PodExecOptions options_;
  std::function<bool()> stopping_;
  Pump pump_;
  std::optional<SpdySession> spdy_;
  WsDecoder ws_;
  ResizeParser resizeParser_;
  ExecResult result_;
  int expected_ = 0;
  int received_ = 0;
  std::chrono::steady_clock::time_point streamsDeadline_{};
  std::uint32_t errorStream_ = 0, stdinStream_ = 0, stdoutStream_ = 0, stderrStream_ = 0,
                resizeStream_ = 0;
  int inId_ = 0, outId_ = 0, errId_ = 0;
  bool outOpen_ = false, errOpen_ = false;
  bool running_ = false;
  bool finished_ = false;
  bool stdinClosed_ = false;
  bool pendingStdinClose_ = false;
  std::string pendingStdin_;
};

}  // namespace

ExecResult runExec(ClientConn& conn, ExecWire wire, std::unique_ptr<PodProcess> process,
                   const PodExecOptions& options, const std::function<bool()>& stopping) {
  ExecSession session(conn, wire, std::move(process), options, stopping);
  return session.run();
}

}  // namespace mysqlop::local::streams
