#include "localcluster/streams/spdy_frame.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace mysqlop::local::streams {

namespace {

void put32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>((v >> 24) & 0xFF));
  out.push_back(static_cast<char>((v >> 16) & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
  out.push_back(static_cast<char>(v & 0xFF));
}

std::uint32_t get32(const unsigned char* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
         (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
}

// A control frame: control bit, version 3, type, flags, 24-bit length, body.
std::string control(SpdyType type, std::uint8_t flags, const std::string& body) {
  std::string out;
  out.reserve(8 + body.size());
  out.push_back(static_cast<char>(0x80));
  out.push_back(3);
  out.push_back(static_cast<char>((static_cast<unsigned>(type) >> 8) & 0xFF));
  out.push_back(static_cast<char>(static_cast<unsigned>(type) & 0xFF));
  out.push_back(static_cast<char>(flags));
  const auto n = static_cast<std::uint32_t>(body.size());
  out.push_back(static_cast<char>((n >> 16) & 0xFF));
  out.push_back(static_cast<char>((n >> 8) & 0xFF));
  out.push_back(static_cast<char>(n & 0xFF));
  out += body;
  return out;
}

const char* typeName(SpdyType type) {
  switch (type) {
    case SpdyType::SynStream: return "SYN_STREAM";
    case SpdyType::SynReply: return "SYN_REPLY";
    case SpdyType::RstStream: return "RST_STREAM";
    case SpdyType::Settings: return "SETTINGS";
    case SpdyType::Ping: return "PING";
    case SpdyType::GoAway: return "GOAWAY";
    case SpdyType::Headers: return "HEADERS";
    case SpdyType::WindowUpdate: return "WINDOW_UPDATE";
    default: return "DATA";
  }
}

}  // namespace

std::string spdyHeader(const SpdyHeaders& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k == name) {
      auto nul = v.find('\0');
      return nul == std::string::npos ? v : v.substr(0, nul);
    }
  }
  return "";
}

SpdyHeaderCodec::SpdyHeaderCodec() {
  // Go's framer compresses with BestCompression; any level inflates the same.
  deflateInit(&deflate_, Z_BEST_COMPRESSION);
  const std::string& dict = spdyDictionary();
  deflateSetDictionary(&deflate_, reinterpret_cast<const Bytef*>(dict.data()),
                       static_cast<uInt>(dict.size()));
  inflateInit(&inflate_);
}

SpdyHeaderCodec::~SpdyHeaderCodec() {
  deflateEnd(&deflate_);
  inflateEnd(&inflate_);
}

std::string SpdyHeaderCodec::compress(const SpdyHeaders& headers) {
  std::string plain;
  put32(plain, static_cast<std::uint32_t>(headers.size()));
  for (const auto& [k, v] : headers) {
    put32(plain, static_cast<std::uint32_t>(k.size()));
    plain += k;
    put32(plain, static_cast<std::uint32_t>(v.size()));
    plain += v;
  }
  std::string out;
  deflate_.next_in = reinterpret_cast<Bytef*>(plain.data());
  deflate_.avail_in = static_cast<uInt>(plain.size());
  char buf[4096];
  do {
    deflate_.next_out = reinterpret_cast<Bytef*>(buf);
    deflate_.avail_out = sizeof buf;
    deflate(&deflate_, Z_SYNC_FLUSH);
    out.append(buf, sizeof buf - deflate_.avail_out);
  } while (deflate_.avail_out == 0);
  return out;
}

Result<SpdyHeaders> SpdyHeaderCodec::decompress(std::string_view block) {
  std::string plain;
  inflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  inflate_.avail_in = static_cast<uInt>(block.size());
  char buf[4096];
  while (inflate_.avail_in > 0) {
    inflate_.next_out = reinterpret_cast<Bytef*>(buf);
    inflate_.avail_out = sizeof buf;
    int rc = inflate(&inflate_, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      const std::string& dict = spdyDictionary();
      if (inflateSetDictionary(&inflate_, reinterpret_cast<const Bytef*>(dict.data()),
                               static_cast<uInt>(dict.size())) != Z_OK) {
        return fail(Errc::Invalid, "header block compressed with another dictionary");
      }
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return fail(Errc::Invalid, "header block does not inflate");
    }
    plain.append(buf, sizeof buf - inflate_.avail_out);
    if (plain.size() > (1u << 20)) {
      return fail(Errc::Invalid, "header block larger than 1 MiB");
    }
    if (rc == Z_BUF_ERROR && inflate_.avail_out != 0) {
      break;
    }
  }
  // Output may remain buffered inside zlib after the input is consumed.
  for (;;) {
    inflate_.next_out = reinterpret_cast<Bytef*>(buf);
    inflate_.avail_out = sizeof buf;
    int rc = inflate(&inflate_, Z_SYNC_FLUSH);
    plain.append(buf, sizeof buf - inflate_.avail_out);
    if (rc != Z_OK || inflate_.avail_out != 0) {
      break;
    }
  }
  const auto* p = reinterpret_cast<const unsigned char*>(plain.data());
  const std::size_t n = plain.size();
  std::size_t at = 0;
  auto take32 = [&](std::uint32_t& v) {
    if (n - at < 4) {
      return false;
    }
    v = get32(p + at);
    at += 4;
    return true;
  };
  std::uint32_t count = 0;
  if (!take32(count)) {
    return fail(Errc::Invalid, "header block shorter than its pair count");
  }
  SpdyHeaders headers;
  std::set<std::string> seen;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t len = 0;
    if (!take32(len) || n - at < len) {
      return fail(Errc::Invalid, "header block truncated in a name");
    }
    std::string name(plain.data() + at, len);
    at += len;
    if (!take32(len) || n - at < len) {
      return fail(Errc::Invalid, "header block truncated in a value");
    }
    std::string value(plain.data() + at, len);
    at += len;
    if (name.empty()) {
      return fail(Errc::Invalid, "header with an empty name");
    }
    if (std::any_of(name.begin(), name.end(),
                    [](char c) { return std::isupper(static_cast<unsigned char>(c)); })) {
      return fail(Errc::Invalid, "header name \"" + name + "\" is not lowercase");
    }
    if (!seen.insert(name).second) {
      return fail(Errc::Invalid, "header \"" + name + "\" appears twice");
    }
    headers.emplace_back(std::move(name), std::move(value));
  }
  if (at != n) {
    return fail(Errc::Invalid, "header block has bytes after its last pair");
  }
  return headers;
}

std::string SpdyEncoder::data(std::uint32_t streamId, std::string_view payload, bool fin) const {
  std::string out;
  out.reserve(8 + payload.size());
  put32(out, streamId & 0x7FFFFFFF);
  out.push_back(static_cast<char>(fin ? kSpdyFlagFin : 0));
  const auto n = static_cast<std::uint32_t>(payload.size());
  out.push_back(static_cast<char>((n >> 16) & 0xFF));
  out.push_back(static_cast<char>((n >> 8) & 0xFF));
  out.push_back(static_cast<char>(n & 0xFF));
  out.append(payload);
  return out;
}

std::string SpdyEncoder::synStream(std::uint32_t streamId, const SpdyHeaders& headers, bool fin) {
  std::string body;
  put32(body, streamId);
  put32(body, 0);
  body.push_back(0);  // priority 0
  body.push_back(0);  // slot
  body += codec_.compress(headers);
  return control(SpdyType::SynStream, fin ? kSpdyFlagFin : 0, body);
}

std::string SpdyEncoder::synReply(std::uint32_t streamId, const SpdyHeaders& headers, bool fin) {
  std::string body;
  put32(body, streamId);
  body += codec_.compress(headers);
  return control(SpdyType::SynReply, fin ? kSpdyFlagFin : 0, body);
}

std::string SpdyEncoder::headers(std::uint32_t streamId, const SpdyHeaders& headers, bool fin) {
  std::string body;
  put32(body, streamId);
  body += codec_.compress(headers);
  return control(SpdyType::Headers, fin ? kSpdyFlagFin : 0, body);
}

std::string SpdyEncoder::rstStream(std::uint32_t streamId, SpdyRst status) const {
  std::string body;
  put32(body, streamId);
  put32(body, static_cast<std::uint32_t>(status));
  return control(SpdyType::RstStream, 0, body);
}

std::string SpdyEncoder::ping(std::uint32_t id) const {
  std::string body;
  put32(body, id);
  return control(SpdyType::Ping, 0, body);
}

std::string SpdyEncoder::goAway(std::uint32_t lastGoodStreamId, SpdyGoAway status) const {
  std::string body;
  put32(body, lastGoodStreamId);
  put32(body, static_cast<std::uint32_t>(status));
  return control(SpdyType::GoAway, 0, body);
}

std::string SpdyEncoder::windowUpdate(std::uint32_t streamId, std::uint32_t delta) const {
  std::string body;
  put32(body, streamId);
  put32(body, delta);
  return control(SpdyType::WindowUpdate, 0, body);
}

std::string SpdyEncoder::settings(
    const std::vector<std::pair<std::uint32_t, std::uint32_t>>& idValues) const {
  std::string body;
  put32(body, static_cast<std::uint32_t>(idValues.size()));
  for (const auto& [id, value] : idValues) {
    put32(body, id & 0x00FFFFFF);  // flags 0
    put32(body, value);
  }
  return control(SpdyType::Settings, 0, body);
}

Result<std::optional<SpdyFrame>> SpdyDecoder::failSession(std::string message, SpdyGoAway status) {
  broken_ = true;
  error_ = SpdyError{true, 0, static_cast<std::uint32_t>(status), std::move(message)};
  return fail(Errc::Invalid, error_.message);
}

Result<std::optional<SpdyFrame>> SpdyDecoder::failStream(std::uint32_t streamId,
                                                         std::string message, SpdyRst status) {
  error_ = SpdyError{false, streamId, static_cast<std::uint32_t>(status), std::move(message)};
  return fail(Errc::Invalid, error_.message);
}

Result<std::optional<SpdyFrame>> SpdyDecoder::next() {
  if (broken_) {
    return fail(Errc::Invalid, error_.message);
  }
  for (;;) {
    if (pos_ > 65536 && pos_ * 2 > buf_.size()) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    const std::size_t avail = buf_.size() - pos_;
    if (avail < 8) {
      return std::optional<SpdyFrame>{};
    }
    const auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
    const std::uint32_t length =
        (static_cast<std::uint32_t>(p[5]) << 16) | (static_cast<std::uint32_t>(p[6]) << 8) | p[7];
    if (length > maxFrame_) {
      return failSession("frame of " + std::to_string(length) + " bytes is over the limit of " +
                             std::to_string(maxFrame_),
                         SpdyGoAway::ProtocolError);
    }
    if (avail < 8 + length) {
      return std::optional<SpdyFrame>{};
    }
    const unsigned char* body = p + 8;
    pos_ += 8 + length;
    SpdyFrame f;
    f.flags = p[4];
    if ((p[0] & 0x80) == 0) {
      f.type = SpdyType::Data;
      f.streamId = get32(p) & 0x7FFFFFFF;
      if (f.streamId == 0) {
        return failSession("data frame for stream 0", SpdyGoAway::ProtocolError);
      }
      f.data.assign(reinterpret_cast<const char*>(body), length);
      return std::optional<SpdyFrame>{std::move(f)};
    }
    const unsigned version = ((p[0] & 0x7Fu) << 8) | p[1];
    if (version != 3) {
      return failSession("unsupported SPDY version " + std::to_string(version) + " (want 3)",
                         SpdyGoAway::ProtocolError);
    }
    const unsigned type = (static_cast<unsigned>(p[2]) << 8) | p[3];
    f.type = static_cast<SpdyType>(type);
    std::size_t minimum = 0;
    switch (f.type) {
      case SpdyType::SynStream: minimum = 10; break;
      case SpdyType::SynReply:
      case SpdyType::Headers:
      case SpdyType::Ping:
      case SpdyType::Settings: minimum = 4; break;
      case SpdyType::RstStream:
      case SpdyType::GoAway:
      case SpdyType::WindowUpdate: minimum = 8; break;
      default: continue;  // unknown control frames are ignored
    }
    if (length < minimum) {
      return failSession(std::string("invalid control frame: ") + typeName(f.type) + " of " +
                             std::to_string(length) + " bytes",
                         SpdyGoAway::ProtocolError);
    }
    std::string_view block;
    switch (f.type) {
      case SpdyType::SynStream:
        f.streamId = get32(body) & 0x7FFFFFFF;
        f.associatedId = get32(body + 4) & 0x7FFFFFFF;
        f.priority = static_cast<std::uint8_t>(body[8] >> 5);
        block = std::string_view(reinterpret_cast<const char*>(body) + 10, length - 10);
        break;
      case SpdyType::SynReply:
      case SpdyType::Headers:
        f.streamId = get32(body) & 0x7FFFFFFF;
        block = std::string_view(reinterpret_cast<const char*>(body) + 4, length - 4);
        break;
      case SpdyType::RstStream:
      case SpdyType::WindowUpdate:
        f.streamId = get32(body) & 0x7FFFFFFF;
        f.value = get32(body + 4) & (f.type == SpdyType::WindowUpdate ? 0x7FFFFFFF : 0xFFFFFFFF);
        break;
      case SpdyType::GoAway:
        f.lastGoodStreamId = get32(body) & 0x7FFFFFFF;
        f.value = get32(body + 4);
        break;
      case SpdyType::Ping: f.value = get32(body); break;
      default: break;  // SETTINGS: nothing we act on (no flow control, see README)
    }
    if (f.type == SpdyType::SynStream || f.type == SpdyType::SynReply ||
        f.type == SpdyType::Headers) {
      // Inflate even for a frame we then refuse: the compression context must stay in step.
      auto headers = codec_.decompress(block);
      if (!headers.ok()) {
        if (headers.error().message.find("inflate") != std::string::npos ||
            headers.error().message.find("dictionary") != std::string::npos) {
          return failSession(headers.error().message, SpdyGoAway::ProtocolError);
        }
        return failStream(f.streamId, headers.error().message, SpdyRst::ProtocolError);
      }
      f.headers = std::move(headers.value());
      if (f.streamId == 0) {
        return failSession(std::string(typeName(f.type)) + " for stream 0",
                           SpdyGoAway::ProtocolError);
      }
    }
    return std::optional<SpdyFrame>{std::move(f)};
  }
}

}  // namespace mysqlop::local::streams
