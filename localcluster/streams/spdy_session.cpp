#include "localcluster/streams/spdy_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace mysqlop::local::streams {

SpdySession::SpdySession(Writer writer, Handler handler)
    : writer_(std::move(writer)), handler_(std::move(handler)) {}

bool SpdySession::feed(std::string_view bytes) {
  if (over_) {
    return false;
  }
  decoder_.feed(bytes);
  for (;;) {
    auto frame = decoder_.next();
    if (!frame.ok()) {
      const SpdyError& e = decoder_.error();
      lastError_ = e.message;
      if (e.session) {
        spdlog::debug("spdy: session error: {}", e.message);
        goAway(static_cast<SpdyGoAway>(e.status));
        over_ = true;
        return false;
      }
      spdlog::debug("spdy: stream {} error: {}", e.streamId, e.message);
      reset(e.streamId, static_cast<SpdyRst>(e.status));
      continue;
    }
    if (!frame.value()) {
      break;
    }
    handle(*frame.value());
    if (over_) {
      return false;
    }
  }
  return !over_;
}

void SpdySession::handle(SpdyFrame& f) {
  switch (f.type) {
    case SpdyType::SynStream: {
      if ((f.streamId % 2) == 0 || f.streamId <= lastClientId_) {
        lastError_ = "stream id " + std::to_string(f.streamId) +
                     " is not an odd id above the last one (" + std::to_string(lastClientId_) + ")";
        reset(f.streamId, SpdyRst::ProtocolError);
        return;
      }
      lastClientId_ = f.streamId;
      if (goneAway_) {
        reset(f.streamId, SpdyRst::RefusedStream);
        return;
      }
      Stream s;
      s.remoteFin = f.fin();
      s.localFin = (f.flags & kSpdyFlagUnidirectional) != 0;
      streams_[f.streamId] = s;
      if (!writer_(encoder_.synReply(f.streamId, {}, false))) {
        over_ = true;
        return;
      }
      if (handler_.onStream) {
        handler_.onStream(f.streamId, f.headers);
      }
      if (s.remoteFin && handler_.onRemoteFin) {
        handler_.onRemoteFin(f.streamId);
      }
      return;
    }
    case SpdyType::Data: {
      auto it = streams_.find(f.streamId);
      if (it == streams_.end()) {
        lastError_ = "data for unknown stream " + std::to_string(f.streamId);
        if (f.streamId > lastClientId_) {
          reset(f.streamId, SpdyRst::InvalidStream);
        }
        // Data for a stream closed a moment ago is dropped silently.
        return;
      }
      if (it->second.remoteFin) {
        lastError_ = "data after FIN on stream " + std::to_string(f.streamId);
        reset(f.streamId, SpdyRst::StreamAlreadyClosed);
        return;
      }
      if (!f.data.empty() && handler_.onData) {
        handler_.onData(f.streamId, f.data);
      }
      if (f.fin()) {
        auto again = streams_.find(f.streamId);
        if (again != streams_.end()) {
          again->second.remoteFin = true;
          if (handler_.onRemoteFin) {
            handler_.onRemoteFin(f.streamId);
          }
          forgetIfClosed(f.streamId);
        }
      }
      return;
    }
    case SpdyType::RstStream: {
      if (streams_.erase(f.streamId) != 0 && handler_.onReset) {
        handler_.onReset(f.streamId);
      }
      return;
    }
    case SpdyType::Ping:
      // Client pings are odd; echo them. An even id would be an answer to our ping (we send none).
      if ((f.value % 2) == 1 && !writer_(encoder_.ping(f.value))) {
        over_ = true;
      }
      return;
    case SpdyType::GoAway:
      goneAway_ = true;
      over_ = true;
      return;
    case SpdyType::Headers:
      if (f.fin()) {
        auto it = streams_.find(f.streamId);
        if (it != streams_.end()) {
          it->second.remoteFin = true;
          if (handler_.onRemoteFin) {
            handler_.onRemoteFin(f.streamId);
          }
          forgetIfClosed(f.streamId);
        }
      }
      return;
    default: return;  // SETTINGS, WINDOW_UPDATE, SYN_REPLY (we open no streams)
  }
}

void SpdySession::forgetIfClosed(std::uint32_t id) {
  auto it = streams_.find(id);
  if (it != streams_.end() && it->second.remoteFin && it->second.localFin) {
    streams_.erase(it);
  }
}

bool SpdySession::send(std::uint32_t id, std::string_view data, bool fin) {
  auto it = streams_.find(id);
  if (it == streams_.end() || it->second.localFin) {
    return false;
  }
  constexpr std::size_t kMaxFrame = std::size_t{64} * 1024;
  while (data.size() > kMaxFrame) {
    if (!writer_(encoder_.data(id, data.substr(0, kMaxFrame), false))) {
      over_ = true;
      return false;
    }
    data.remove_prefix(kMaxFrame);
  }
  if (!data.empty() || fin) {
    if (!writer_(encoder_.data(id, data, fin))) {
      over_ = true;
      return false;
    }
  }
  if (fin) {
    it->second.localFin = true;
    forgetIfClosed(id);
  }
  return true;
}

bool SpdySession::finish(std::uint32_t id) { return send(id, {}, true); }

void SpdySession::reset(std::uint32_t id, SpdyRst status) {
  bool known = streams_.erase(id) != 0;
  if (!writer_(encoder_.rstStream(id, status))) {
    over_ = true;
  }
  if (known && handler_.onReset) {
    handler_.onReset(id);
  }
}

void SpdySession::goAway(SpdyGoAway status) {
  if (goneAway_) {
    return;
  }
  goneAway_ = true;
  if (!writer_(encoder_.goAway(lastClientId_, status))) {
    over_ = true;
  }
}

}  // namespace mysqlop::local::streams
