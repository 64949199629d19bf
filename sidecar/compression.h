#pragma once

// In-process compression of the backup stream (gzip with zlib, zstd with libzstd) and its
// decompression on restore, chosen by sniffing the first bytes. Both work in bounded memory: the
// output goes to a sink in pieces of at most 1 MiB as it is produced.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/result.h"

namespace mysqlop::sidecar {

enum class Compression { Gzip, Zstd };

// From the object URL (contract16 3): ".zst" → zstd, anything else gzip (bitpoke's .xbackup.gz).
Compression compressionForUrl(const std::string& url);
const char* compressionName(Compression c);

// Receives output; returns false to stop (the caller then fails with the sink's reason).
using ByteSink = std::function<bool(const char* data, std::size_t size)>;

class Compressor {
 public:
  virtual ~Compressor() = default;
  // Compresses data, passing whatever output is ready to sink.
  virtual Result<void> write(std::string_view data, const ByteSink& sink) = 0;
  // Ends the stream (the trailer/epilogue) and flushes everything to sink.
  virtual Result<void> finish(const ByteSink& sink) = 0;
};
// level: gzip 1..9 (bitpoke's `gzip` is 6), zstd 1..19 (3 is zstd's default).
std::unique_ptr<Compressor> makeCompressor(Compression c, int level);

class Decompressor {
 public:
  virtual ~Decompressor() = default;
  virtual Result<void> write(std::string_view data, const ByteSink& sink) = 0;
  // Fails when the input stopped before the end of the compressed stream (a truncated object).
  virtual Result<void> finish() = 0;
};

// Sniffs the format from the first bytes (gzip 1f 8b, zstd 28 b5 2f fd): fails with
// "is neither gzip nor zstd (it starts with xx xx xx xx)" otherwise. head: at least 4 bytes,
// unless the whole input is shorter.
Result<std::unique_ptr<Decompressor>> makeDecompressor(std::string_view head);

}  // namespace mysqlop::sidecar
