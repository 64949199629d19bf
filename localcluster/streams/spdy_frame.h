#pragma once
// SPDY/3.1 framing (the draft-3.1 protocol kubectl and spdystream speak for exec and
// port-forward): frame encoding, an incremental decoder, and the name/value header blocks,
// zlib-compressed with the SPDY/3 dictionary. One SpdyHeaderCodec per session and direction
// pair: the compression contexts carry over from one header block to the next (draft 2.6.10).

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local::streams {

enum class SpdyType : std::uint16_t {
  Data = 0,  // not a control type: data frames have the control bit clear
  SynStream = 1,
  SynReply = 2,
  RstStream = 3,
  Settings = 4,
  Ping = 6,
  GoAway = 7,
  Headers = 8,
  WindowUpdate = 9
};

inline constexpr std::uint8_t kSpdyFlagFin = 0x01;
inline constexpr std::uint8_t kSpdyFlagUnidirectional = 0x02;

// RST_STREAM status codes (draft 3.1, 2.6.3).
enum class SpdyRst : std::uint32_t {
  ProtocolError = 1,
  InvalidStream = 2,
  RefusedStream = 3,
  UnsupportedVersion = 4,
  Cancel = 5,
  InternalError = 6,
  FlowControlError = 7,
  StreamInUse = 8,
  StreamAlreadyClosed = 9,
  FrameTooLarge = 11
};

// GOAWAY status codes.
enum class SpdyGoAway : std::uint32_t { Ok = 0, ProtocolError = 1, InternalError = 2 };

// Header names are lowercase; several values of one name are joined by NUL in the block.
using SpdyHeaders = std::vector<std::pair<std::string, std::string>>;

// One decoded frame; which fields mean something depends on the type.
struct SpdyFrame {
  SpdyType type = SpdyType::Data;
  std::uint8_t flags = 0;
  std::uint32_t streamId = 0;      // data, SYN_STREAM, SYN_REPLY, RST, HEADERS, WINDOW_UPDATE
  std::uint32_t associatedId = 0;  // SYN_STREAM
  std::uint8_t priority = 0;       // SYN_STREAM
  std::uint32_t value = 0;         // RST/GOAWAY status, PING id, GOAWAY last good id, window delta
  std::uint32_t lastGoodStreamId = 0;  // GOAWAY
  SpdyHeaders headers;                 // SYN_STREAM, SYN_REPLY, HEADERS
  std::string data;                    // data frames
  bool fin() const { return (flags & kSpdyFlagFin) != 0; }
};

// The first value of a header, "" when absent.
std::string spdyHeader(const SpdyHeaders& headers, std::string_view name);

// The SPDY/3 header compression dictionary (1423 bytes, zlib dictionary id 0xe3c6a7c2).
const std::string& spdyDictionary();

// The two zlib contexts of a session: one deflate for the blocks we send, one inflate for the
// blocks we receive.
class SpdyHeaderCodec {
 public:
  SpdyHeaderCodec();
  ~SpdyHeaderCodec();
  SpdyHeaderCodec(const SpdyHeaderCodec&) = delete;
  SpdyHeaderCodec& operator=(const SpdyHeaderCodec&) = delete;

  std::string compress(const SpdyHeaders& headers);
  // Fails when the block does not inflate (the session cannot go on) or is malformed.
  Result<SpdyHeaders> decompress(std::string_view block);

 private:
  z_stream deflate_{};
  z_stream inflate_{};
};

// Why a frame could not be accepted. A session error ends the session with GOAWAY; a stream
// error resets one stream (RST_STREAM) and the session goes on.
struct SpdyError {
  bool session = true;
  std::uint32_t streamId = 0;
  std::uint32_t status = 1;  // GOAWAY or RST status
  std::string message;
};

// Encodes frames (header blocks through the codec).
class SpdyEncoder {
 public:
  explicit SpdyEncoder(SpdyHeaderCodec& codec) : codec_(codec) {}
  std::string data(std::uint32_t streamId, std::string_view payload, bool fin) const;
  std::string synStream(std::uint32_t streamId, const SpdyHeaders& headers, bool fin);
  std::string synReply(std::uint32_t streamId, const SpdyHeaders& headers, bool fin);
  std::string headers(std::uint32_t streamId, const SpdyHeaders& headers, bool fin);
  std::string rstStream(std::uint32_t streamId, SpdyRst status) const;
  std::string ping(std::uint32_t id) const;
  std::string goAway(std::uint32_t lastGoodStreamId, SpdyGoAway status) const;
  std::string windowUpdate(std::uint32_t streamId, std::uint32_t delta) const;
  std::string settings(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& idValues) const;

 private:
  SpdyHeaderCodec& codec_;
};

// Incremental decoder. Invariants: control frames are version 3; each known control type has at
// least its fixed fields; header blocks inflate and parse; header names are lowercase and not
// repeated; SYN_STREAM and data frames name a stream other than 0; a frame is at most maxFrame
// bytes. Unknown control types are skipped (draft 3.1, 2.2.1).
class SpdyDecoder {
 public:
  explicit SpdyDecoder(SpdyHeaderCodec& codec, std::size_t maxFrame = (1u << 24) - 1)
      : codec_(codec), maxFrame_(maxFrame) {}
  void feed(std::string_view bytes) { buf_.append(bytes); }
  // The next frame, nullopt when more bytes are needed, or the error (see error()).
  Result<std::optional<SpdyFrame>> next();
  const SpdyError& error() const { return error_; }

 private:
  Result<std::optional<SpdyFrame>> failSession(std::string message, SpdyGoAway status);
  Result<std::optional<SpdyFrame>> failStream(std::uint32_t streamId, std::string message,
                                              SpdyRst status);

  SpdyHeaderCodec& codec_;
  std::size_t maxFrame_;
  std::string buf_;
  std::size_t pos_ = 0;
  SpdyError error_;
  bool broken_ = false;
};

}  // namespace mysqlop::local::streams
