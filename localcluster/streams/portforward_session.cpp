#include "localcluster/streams/portforward_session.h"

#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <optional>

#include "localcluster/streams/pump.h"
#include "localcluster/streams/spdy_session.h"
#include "localcluster/streams/websocket.h"

namespace mysqlop::local::streams {

namespace {

struct Pair {
  std::uint32_t errorStream = 0;
  std::uint32_t dataStream = 0;
  std::string portText;
  int fd = -1;
  int pumpId = 0;
  bool backendEof = false;  // backend -> client finished (data FIN sent)
  bool clientFin = false;   // client -> backend finished (write side shut)
  bool closed = false;
};

class PortForwardSession {
 public:
  PortForwardSession(ClientConn& conn, PortForwardWire wire, const PortDialer& dial,
                     std::string podName, std::string podUid, const std::function<bool()>& stopping)
      : conn_(conn),
        wire_(wire),
        dial_(dial),
        podName_(std::move(podName)),
        podUid_(std::move(podUid)),
        stopping_(stopping),
        pump_(conn),
        spdy_([this](std::string_view b) { return writeSession(b); },
              SpdySession::Handler{
                  [this](std::uint32_t id, const SpdyHeaders& h) { onStream(id, h); },
                  [this](std::uint32_t id, std::string_view d) { onData(id, d); },
                  [this](std::uint32_t id) { onFin(id); },
                  [this](std::uint32_t id) { onReset(id); }}) {}

  ~PortForwardSession() {
    for (auto& [id, p] : pairs_) {
      closePair(p);
    }
  }

  PortForwardResult run() {
    pump_.run([this](std::string_view d) { onClient(d); },
              [this] { return stopping_() || spdy_.over(); });
    if (!pump_.clientClosed() && !spdy_.over()) {
      spdy_.goAway(SpdyGoAway::Ok);
    }
    conn_.close();
    return result_;
  }

 private:
  bool writeSession(std::string_view bytes) {
    if (wire_ == PortForwardWire::Spdy) {
      return conn_.writeAll(bytes);
    }
    return conn_.writeAll(wsEncode({true, WsOpcode::Binary, std::string(bytes)}));
  }

  void onClient(std::string_view data) {
    if (data.empty()) {
      return;
    }
    if (wire_ == PortForwardWire::Spdy) {
      feedSpdy(data);
      return;
    }
    ws_.feed(data);
    for (;;) {
      auto m = ws_.next();
      if (!m.ok()) {
        result_.error = m.error().message;
        std::string body{static_cast<char>(ws_.failureCode() >> 8),
                         static_cast<char>(ws_.failureCode() & 0xFF)};
        conn_.writeAll(wsEncode({true, WsOpcode::Close, body + m.error().message}));
        pump_.stop();
        return;
      }
      if (!m.value()) {
        return;
      }
      const WsMessage& msg = *m.value();
      if (msg.opcode == WsOpcode::Ping) {
        conn_.writeAll(wsEncode({true, WsOpcode::Pong, msg.payload}));
      } else if (msg.opcode == WsOpcode::Close) {
        conn_.writeAll(wsEncode({true, WsOpcode::Close, msg.payload.substr(0, 2)}));
        pump_.stop();
        return;
      } else if (msg.opcode == WsOpcode::Binary || msg.opcode == WsOpcode::Text) {
        feedSpdy(msg.payload);
      }
    }
  }

  void feedSpdy(std::string_view data) {
    if (!spdy_.feed(data)) {
      if (!spdy_.lastError().empty()) {
        result_.error = spdy_.lastError();
      }
      pump_.stop();
    }
  }

  std::string requestIdOf(std::uint32_t id, const SpdyHeaders& h, const std::string& type) {
    std::string requestId = spdyHeader(h, "requestid");
    if (!requestId.empty()) {
      return requestId;
    }
    // Clients before requestid: the data stream follows its error stream (the kubelet's rule).
    return std::to_string(type == "data" ? id - 2 : id);
  }

  void onStream(std::uint32_t id, const SpdyHeaders& h) {
    const std::string type = spdyHeader(h, "streamtype");
    if (type != "error" && type != "data") {
      spdy_.reset(id, SpdyRst::ProtocolError);
      return;
    }
    const std::string requestId = requestIdOf(id, h, type);
    Pair& p = pairs_[requestId];
    (type == "error" ? p.errorStream : p.dataStream) = id;
    p.portText = spdyHeader(h, "port");
    streamToPair_[id] = requestId;
    if (p.errorStream != 0 && p.dataStream != 0) {
      connect(requestId, p);
    }
  }

  void connect(const std::string& requestId, Pair& p) {
    ++result_.pairs;
    long port = 0;
    try {
      port = std::stol(p.portText);
    } catch (...) {
      port = 0;
    }
    if (port <= 0 || port > 65535) {
      reportError(p, "invalid port " + (p.portText.empty() ? std::string("\"\"") : p.portText));
      return;
    }
    auto fd = dial_(static_cast<std::uint16_t>(port));
    if (!fd.ok()) {
      reportError(p, "error forwarding port " + std::to_string(port) + " to pod " + podName_ +
                         ", uid " + podUid_ + ": " + fd.error().message);
      return;
    }
    p.fd = fd.value();
    p.pumpId = pump_.add(p.fd, [this, requestId](std::string_view d) { onBackend(requestId, d); });
    if (!pendingData_[p.dataStream].empty()) {
      pump_.write(p.pumpId, pendingData_[p.dataStream]);
    }
    pendingData_.erase(p.dataStream);
  }

  void reportError(Pair& p, const std::string& message) {
    spdy_.send(p.errorStream, message, true);
    spdy_.finish(p.dataStream);
    p.closed = true;
  }

  void onBackend(const std::string& requestId, std::string_view d) {
    auto it = pairs_.find(requestId);
    if (it == pairs_.end()) {
      return;
    }
    Pair& p = it->second;
    if (!d.empty()) {
      spdy_.send(p.dataStream, d);
      return;
    }
    // The client reads its error stream to the end before it closes the local connection.
    p.backendEof = true;
    spdy_.finish(p.dataStream);
    if (spdy_.isOpen(p.errorStream)) {
      spdy_.finish(p.errorStream);
    }
    maybeClose(requestId);
  }

  Pair* pairOf(std::uint32_t id, std::string* requestId = nullptr) {
    auto s = streamToPair_.find(id);
    if (s == streamToPair_.end()) {
      return nullptr;
    }
    auto it = pairs_.find(s->second);
    if (it == pairs_.end()) {
      return nullptr;
    }
    if (requestId) {
      *requestId = s->second;
    }
    return &it->second;
  }

  void onData(std::uint32_t id, std::string_view d) {
    Pair* p = pairOf(id);
    if (!p || id != p->dataStream || p->closed) {
      return;
    }
    if (p->pumpId == 0) {
      pendingData_[id].append(d);  // the error stream has not arrived yet
      return;
    }
    pump_.write(p->pumpId, d);
  }

  void onFin(std::uint32_t id) {
    std::string requestId;
    Pair* p = pairOf(id, &requestId);
    if (!p || id != p->dataStream || p->pumpId == 0) {
      return;
    }
    int fd = p->fd;
    pump_.afterFlush(p->pumpId, [fd] { ::shutdown(fd, SHUT_WR); });
    p->clientFin = true;
    maybeClose(requestId);
  }

  void onReset(std::uint32_t id) {
    std::string requestId;
    Pair* p = pairOf(id, &requestId);
    if (!p) {
      return;
    }
    closePair(*p);
    if (p->errorStream != 0 && spdy_.isOpen(p->errorStream)) {
      spdy_.finish(p->errorStream);
    }
    if (p->dataStream != 0 && spdy_.isOpen(p->dataStream)) {
      spdy_.reset(p->dataStream, SpdyRst::Cancel);
    }
    forget(requestId);
  }

  void maybeClose(const std::string& requestId) {
    auto it = pairs_.find(requestId);
    if (it == pairs_.end()) {
      return;
    }
    Pair& p = it->second;
    if (!(p.backendEof && p.clientFin)) {
      return;
    }
    closePair(p);
    if (spdy_.isOpen(p.errorStream)) {
      spdy_.finish(p.errorStream);
    }
    forget(requestId);
  }

  void closePair(Pair& p) {
    if (p.pumpId != 0) {
      pump_.remove(p.pumpId);
      p.pumpId = 0;
    }
    if (p.fd >= 0) {
      ::close(p.fd);
      p.fd = -1;
    }
    p.closed = true;
  }

  void forget(const std::string& requestId) {
    auto it = pairs_.find(requestId);
    if (it == pairs_.end()) {
      return;
    }
    streamToPair_.erase(it->second.errorStream);
    streamToPair_.erase(it->second.dataStream);
    pairs_.erase(it);
  }

  ClientConn& conn_;
  PortForwardWire wire_;
  const PortDialer& dial_;
  std::string podName_;
  std::string podUid_;
  std::function<bool()> stopping_;
  Pump pump_;
  SpdySession spdy_;
  WsDecoder ws_;
  std::map<std::string, Pair> pairs_;
  std::map<std::uint32_t, std::string> streamToPair_;
  std::map<std::uint32_t, std::string> pendingData_;
  PortForwardResult result_;
};

}  // namespace

PortForwardResult runPortForward(ClientConn& conn, PortForwardWire wire, const PortDialer& dial,
                                 const std::string& podName, const std::string& podUid,
                                 const std::function<bool()>& stopping) {
  PortForwardSession session(conn, wire, dial, podName, podUid, stopping);
  return session.run();
}

}  // namespace mysqlop::local::streams
