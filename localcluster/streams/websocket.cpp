#include "localcluster/streams/websocket.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace mysqlop::local::streams {

std::string wsAcceptKey(std::string_view clientKey) {
  std::string text(clientKey);
  text += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 section 1.3
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  unsigned char out[64];
  int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

std::string wsEncode(const WsFrame& frame, std::optional<std::uint32_t> maskKey) {
  std::string out;
  const std::size_t n = frame.payload.size();
  out.reserve(n + 14);
  out.push_back(static_cast<char>((frame.fin ? 0x80 : 0x00) | static_cast<int>(frame.opcode)));
  const char maskBit = maskKey ? static_cast<char>(0x80) : 0;
  if (n < 126) {
    out.push_back(static_cast<char>(maskBit | static_cast<char>(n)));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(maskBit | 126));
    out.push_back(static_cast<char>((n >> 8) & 0xFF));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(maskBit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xFF));
    }
  }
  if (!maskKey) {
    out.append(frame.payload);
    return out;
  }
  unsigned char key[4] = {
      static_cast<unsigned char>(*maskKey >> 24), static_cast<unsigned char>(*maskKey >> 16),
      static_cast<unsigned char>(*maskKey >> 8), static_cast<unsigned char>(*maskKey)};
  out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(static_cast<char>(static_cast<unsigned char>(frame.payload[i]) ^ key[i % 4]));
  }
  return out;
}

Result<std::optional<WsMessage>> WsDecoder::next() {
  if (failureCode_ != 0) {
    return fail(Errc::Invalid, failure_);
  }
  auto bad = [this](std::uint16_t code,
                    const std::string& why) -> Result<std::optional<WsMessage>> {
    failureCode_ = code;
    failure_ = why;
    return fail(Errc::Invalid, why);
  };
  for (;;) {
    // Compact what was consumed once it is a good part of the buffer.
    if (pos_ > 65536 && pos_ * 2 > buf_.size()) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    const std::size_t avail = buf_.size() - pos_;
    if (avail < 2) {
      return std::optional<WsMessage>{};
    }
    const auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
    const bool fin = (p[0] & 0x80) != 0;
    if ((p[0] & 0x70) != 0) {
      return bad(1002, "reserved bits set without a negotiated extension");
    }
    const auto op = static_cast<std::uint8_t>(p[0] & 0x0F);
    const bool masked = (p[1] & 0x80) != 0;
    std::uint64_t len = p[1] & 0x7F;
    std::size_t header = 2;
    if (len == 126) {
      if (avail < 4) {
        return std::optional<WsMessage>{};
      }
      len = (static_cast<std::uint64_t>(p[2]) << 8) | p[3];
      header = 4;
    } else if (len == 127) {
      if (avail < 10) {
        return std::optional<WsMessage>{};
      }
      len = 0;
      for (int i = 0; i < 8; ++i) {
        len = (len << 8) | p[2 + i];
      }
      header = 10;
      if (len >> 63) {
        return bad(1002, "frame length has the most significant bit set");
      }
    }
    if (requireMask_ && !masked) {
      return bad(1002, "client frame is not masked");
    }
    const bool control = (op & 0x08) != 0;
    if (op != 0x0 && op != 0x1 && op != 0x2 && op != 0x8 && op != 0x9 && op != 0xA) {
      return bad(1002, "unknown opcode " + std::to_string(op));
    }
    if (control && (!fin || len > 125)) {
      return bad(1002, "control frame fragmented or longer than 125 bytes");
    }
    if (!control && len + message_.size() > maxMessage_) {
      return bad(1009, "message larger than " + std::to_string(maxMessage_) + " bytes");
    }
    if (op == 0x0 && !inMessage_) {
      return bad(1002, "continuation frame without a message to continue");
    }
    if ((op == 0x1 || op == 0x2) && inMessage_) {
      return bad(1002, "new data frame inside a fragmented message");
    }
    const std::size_t maskLen = masked ? 4 : 0;
    if (avail < header + maskLen + len) {
      return std::optional<WsMessage>{};
    }
    std::string payload(buf_.data() + pos_ + header + maskLen, static_cast<std::size_t>(len));
    if (masked) {
      const unsigned char* key = p + header;
      for (std::size_t i = 0; i < payload.size(); ++i) {
        payload[i] = static_cast<char>(static_cast<unsigned char>(payload[i]) ^ key[i % 4]);
      }
    }
    pos_ += header + maskLen + static_cast<std::size_t>(len);
    if (control) {
      WsMessage m;
      m.opcode = static_cast<WsOpcode>(op);
      if (m.opcode == WsOpcode::Close && !payload.empty()) {
        if (payload.size() == 1) {
          return bad(1002, "close frame with a one-byte body");
        }
        m.closeCode = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                                 static_cast<unsigned char>(payload[1]));
        m.closeReason = payload.substr(2);
      }
      m.payload = std::move(payload);
      return std::optional<WsMessage>{std::move(m)};
    }
    if (op != 0x0) {
      messageOpcode_ = static_cast<WsOpcode>(op);
    }
    message_.append(payload);
    if (!fin) {
      inMessage_ = true;
      continue;
    }
    inMessage_ = false;
    WsMessage m;
    m.opcode = messageOpcode_;
    m.payload = std::move(message_);
    message_.clear();
    return std::optional<WsMessage>{std::move(m)};
  }
}

}  // namespace mysqlop::local::streams
