#pragma once
// The server side of a SPDY/3.1 session as kubectl's spdystream client uses it: the client opens
// every stream (odd ids, increasing), the server answers each SYN_STREAM with a SYN_REPLY at once
// (client-go waits for it), echoes PINGs, and ends the session with GOAWAY.
//
// Flow control: spdystream neither sends WINDOW_UPDATE nor honours the peer's window (its frame
// handler drops WINDOW_UPDATE and SETTINGS; its writer sends data frames as they come), so
// honouring the 64 KiB initial window here would stall every transfer after 64 KiB. We do not
// count windows; TCP back-pressure (a blocked write, a poll that stops reading) bounds memory.
//
// States of a stream: open -> (remote FIN) half-closed remote, (local FIN) half-closed local,
// both -> closed and forgotten; RST from either side closes it at once.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "localcluster/streams/spdy_frame.h"

namespace mysqlop::local::streams {

class SpdySession {
 public:
  struct Handler {
    // A new stream (its SYN_REPLY is already sent).
    std::function<void(std::uint32_t id, const SpdyHeaders& headers)> onStream;
    std::function<void(std::uint32_t id, std::string_view data)> onData;
    std::function<void(std::uint32_t id)> onRemoteFin;
    // The client reset the stream, or we did because of a bad frame on it.
    std::function<void(std::uint32_t id)> onReset;
  };
  // Writes session bytes to the client; false when it is gone.
  using Writer = std::function<bool(std::string_view bytes)>;

  SpdySession(Writer writer, Handler handler);

  // Feeds bytes from the client. False when the session is over: a session error (GOAWAY sent,
  // see lastError()), the client's GOAWAY or the client is gone.
  bool feed(std::string_view bytes);
  // Sends data (split into frames of at most 64 KiB) and optionally FIN.
  bool send(std::uint32_t id, std::string_view data, bool fin = false);
  // Sends FIN once (an empty data frame) unless the stream is closed.
  bool finish(std::uint32_t id);
  void reset(std::uint32_t id, SpdyRst status);
  void goAway(SpdyGoAway status = SpdyGoAway::Ok);

  bool over() const { return over_; }
  const std::string& lastError() const { return lastError_; }
  bool isOpen(std::uint32_t id) const { return streams_.count(id) != 0; }

 private:
  struct Stream {
    bool remoteFin = false;
    bool localFin = false;
  };
  void handle(SpdyFrame& frame);
  void forgetIfClosed(std::uint32_t id);

  Writer writer_;
  Handler handler_;
  SpdyHeaderCodec codec_;
  SpdyEncoder encoder_{codec_};
  SpdyDecoder decoder_{codec_};
  std::map<std::uint32_t, Stream> streams_;
  std::uint32_t lastClientId_ = 0;
  bool over_ = false;
  bool goneAway_ = false;
  std::string lastError_;
};

}  // namespace mysqlop::local::streams
