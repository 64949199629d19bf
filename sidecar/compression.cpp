#include "sidecar/compression.h"

#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <vector>

namespace mysqlop::sidecar {
namespace {

constexpr std::size_t kOut = 1 << 20;

bool hasSuffix(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

Result<void> sinkFailed() { return fail(Errc::Unavailable, "the output was refused"); }

class GzipCompressor : public Compressor {
 public:
  explicit GzipCompressor(int level) : out_(kOut) {
    // windowBits 15 + 16: a gzip header and trailer, as gzip(1) writes.
    deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  }
  ~GzipCompressor() override { deflateEnd(&z_); }
  Result<void> write(std::string_view data, const ByteSink& sink) override {
    return run(data, Z_NO_FLUSH, sink);
  }
  Result<void> finish(const ByteSink& sink) override { return run({}, Z_FINISH, sink); }

 private:
  Result<void> run(std::string_view data, int flush, const ByteSink& sink) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z_.avail_in = static_cast<uInt>(data.size());
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) {
        return fail(Errc::Internal, "gzip: deflate failed");
      }
      std::size_t n = out_.size() - z_.avail_out;
      if (n > 0 && !sink(out_.data(), n)) {
        return sinkFailed();
      }
      if (flush == Z_FINISH ? rc == Z_STREAM_END : (z_.avail_in == 0 && z_.avail_out != 0)) {
        return {};
      }
    }
  }
  z_stream z_{};
  std::vector<char> out_;
};

class ZstdCompressor : public Compressor {
 public:
  explicit ZstdCompressor(int level) : c_(ZSTD_createCCtx()), out_(kOut) {
    ZSTD_CCtx_setParameter(c_, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(c_, ZSTD_c_checksumFlag, 1);  // a corrupt object fails the restore
  }
  ~ZstdCompressor() override { ZSTD_freeCCtx(c_); }
  Result<void> write(std::string_view data, const ByteSink& sink) override {
    return run(data, ZSTD_e_continue, sink);
  }
  Result<void> finish(const ByteSink& sink) override { return run({}, ZSTD_e_end, sink); }

 private:
  Result<void> run(std::string_view data, ZSTD_EndDirective mode, const ByteSink& sink) {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    for (;;) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      std::size_t left = ZSTD_compressStream2(c_, &out, &in, mode);
      if (ZSTD_isError(left)) {
        return fail(Errc::Internal, std::string("zstd: ") + ZSTD_getErrorName(left));
      }
      if (out.pos > 0 && !sink(out_.data(), out.pos)) {
        return sinkFailed();
      }
      if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) {
        return {};
      }
    }
  }
  ZSTD_CCtx* c_;
  std::vector<char> out_;
};

class GzipDecompressor : public Decompressor {
 public:
  GzipDecompressor() : out_(kOut) { inflateInit2(&z_, 15 + 16); }
  ~GzipDecompressor() override { inflateEnd(&z_); }
  Result<void> write(std::string_view data, const ByteSink& sink) override {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z_.avail_in = static_cast<uInt>(data.size());
    bool more = false;  // a full output buffer may hide more output for the same input
    while (z_.avail_in > 0 || more) {
      if (ended_ && z_.avail_in > 0) {
        // gzip(1) concatenates members: another one may follow.
        inflateReset(&z_);
        ended_ = false;
      }
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        return fail(Errc::Invalid,
                    std::string("gzip: ") + (z_.msg != nullptr ? z_.msg : "corrupt data"));
      }
      std::size_t n = out_.size() - z_.avail_out;
      more = z_.avail_out == 0;
      if (n > 0 && !sink(out_.data(), n)) {
        return sinkFailed();
      }
      if (rc == Z_STREAM_END) {
        ended_ = true;
      } else if (rc == Z_BUF_ERROR && n == 0) {
        break;
      }
    }
    return {};
  }
  Result<void> finish() override {
    if (!ended_) {
      return fail(Errc::Invalid,
                  "gzip: the data ends before the end of the compressed stream "
                  "(a truncated object)");
    }
    return {};
  }

 private:
  z_stream z_{};
  std::vector<char> out_;
  bool ended_ = false;
};

class ZstdDecompressor : public Decompressor {
 public:
  ZstdDecompressor() : d_(ZSTD_createDCtx()), out_(kOut) {}
  ~ZstdDecompressor() override { ZSTD_freeDCtx(d_); }
  Result<void> write(std::string_view data, const ByteSink& sink) override {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    while (in.pos < in.size || pending_) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      const std::size_t inBefore = in.pos;
      std::size_t rc = ZSTD_decompressStream(d_, &out, &in);
      if (ZSTD_isError(rc)) {
        return fail(Errc::Invalid, std::string("zstd: ") + ZSTD_getErrorName(rc));
      }
      // A call that moved nothing (the output was exactly full at a frame's end) says nothing
      // about where the frame stands.
      if (in.pos != inBefore || out.pos > 0) {
        frameDone_ = rc == 0;
      }
      // A full output buffer may hide more output for the same input.
      pending_ = out.pos == out.size;
      if (out.pos > 0 && !sink(out_.data(), out.pos)) {
        return sinkFailed();
      }
      if (out.pos == 0 && in.pos == in.size) {
        break;
      }
    }
    return {};
  }
  Result<void> finish() override {
    if (!frameDone_) {
      return fail(Errc::Invalid,
                  "zstd: the data ends before the end of the compressed stream "
                  "(a truncated object)");
    }
    return {};
  }

 private:
  ZSTD_DCtx* d_;
  std::vector<char> out_;
  bool frameDone_ = false;
  bool pending_ = false;
};

}  // namespace

Compression compressionForUrl(const std::string& url) {
  return hasSuffix(url, ".zst") ? Compression::Zstd : Compression::Gzip;
}

const char* compressionName(Compression c) { return c == Compression::Zstd ? "zstd" : "gzip"; }

std::unique_ptr<Compressor> makeCompressor(Compression c, int level) {
  if (c == Compression::Zstd) {
    return std::make_unique<ZstdCompressor>(level);
  }
  return std::make_unique<GzipCompressor>(level);
}

Result<std::unique_ptr<Decompressor>> makeDecompressor(std::string_view head) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(head[i]); };
  if (head.size() >= 2 && byte(0) == 0x1f && byte(1) == 0x8b) {
    return std::unique_ptr<Decompressor>(std::make_unique<GzipDecompressor>());
  }
  if (head.size() >= 4 && byte(0) == 0x28 && byte(1) == 0xb5 && byte(2) == 0x2f &&
      byte(3) == 0xfd) {
    return std::unique_ptr<Decompressor>(std::make_unique<ZstdDecompressor>());
  }
  std::string first;
  for (std::size_t i = 0; i < head.size() && i < 4; ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%02x", byte(i));
    first += (first.empty() ? "" : " ") + std::string(hex);
  }
  return fail(Errc::Invalid,
              "is neither gzip nor zstd (" +
                  (head.empty() ? std::string("it is empty") : "it starts with " + first) + ")");
}

}  // namespace mysqlop::sidecar
