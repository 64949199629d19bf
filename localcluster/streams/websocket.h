#pragma once
// RFC 6455 WebSocket framing for the server side of pods/exec and the port-forward tunnel:
// the handshake's accept key, an incremental frame decoder (client frames are masked) and the
// frame encoder. Only what kubectl's streams need: binary and text messages, fragmentation,
// ping/pong, close. No extensions (kubectl offers none).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local::streams {

enum class WsOpcode : std::uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xA
};

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + the RFC's GUID)).
std::string wsAcceptKey(std::string_view clientKey);

// One frame as sent on the wire (the encoder's input).
struct WsFrame {
  bool fin = true;
  WsOpcode opcode = WsOpcode::Binary;
  std::string payload;
};

// Encodes a frame. Servers send unmasked frames; `maskKey` (tests acting as a client) masks it.
std::string wsEncode(const WsFrame& frame, std::optional<std::uint32_t> maskKey = std::nullopt);

// What the decoder hands out: a whole data message (fragments joined) or a control frame.
struct WsMessage {
  WsOpcode opcode = WsOpcode::Binary;  // Text, Binary, Close, Ping or Pong
  std::string payload;
  // Close only: the status code (0 when the close frame had no body) and the reason text.
  std::uint16_t closeCode = 0;
  std::string closeReason;
};

// Incremental decoder of the frames a client sends. Invariants: every client frame is masked
// (RFC 6455 5.1), control frames are not fragmented and carry at most 125 bytes, a continuation
// follows a started message, no data frame starts inside a fragmented message, reserved bits are
// zero, a message stays under maxMessage. A violation is an error whose message is the reason
// for the close frame (status 1002, or 1009 for a message too large); the decoder then stays
// failed.
class WsDecoder {
 public:
  explicit WsDecoder(bool requireMask = true, std::size_t maxMessage = 64u << 20)
      : requireMask_(requireMask), maxMessage_(maxMessage) {}

  // Appends received bytes.
  void feed(std::string_view data) { buf_.append(data); }
  // The next complete message, nullopt when more bytes are needed.
  Result<std::optional<WsMessage>> next();
  // 1002 (protocol error) or 1009 (too big) after next() failed.
  std::uint16_t failureCode() const { return failureCode_; }

 private:
  bool requireMask_;
  std::size_t maxMessage_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool inMessage_ = false;
  WsOpcode messageOpcode_ = WsOpcode::Binary;
  std::string message_;
  std::uint16_t failureCode_ = 0;
  std::string failure_;
};

}  // namespace mysqlop::local::streams
