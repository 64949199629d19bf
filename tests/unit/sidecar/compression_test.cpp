// gzip and zstd in the sidecar: round trips in bounded pieces, concatenated gzip members, the
// format sniffing, and the exact message of a corrupt or truncated stream.
#include "sidecar/compression.h"

#include <gtest/gtest.h>

#include <random>

namespace mysqlop::sidecar {
namespace {

std::string sample(std::size_t size) {
  // Half compressible text, half noise: both paths of the codecs are exercised.
  std::mt19937 rng(42);
  std::string s;
  s.reserve(size);
  while (s.size() < size) {
    if ((s.size() / 65536) % 2 == 0) {
      s += "row " + std::to_string(s.size()) + " of the table app.t;\n";
    } else {
      s.push_back(static_cast<char>(rng() & 0xff));
    }
  }
  s.resize(size);
  return s;
}

std::string compress(Compression c, const std::string& in, std::size_t piece, std::size_t* maxOut) {
  auto z = makeCompressor(c, c == Compression::Zstd ? 3 : 6);
  std::string out;
  ByteSink sink = [&](const char* d, std::size_t n) {
    *maxOut = std::max(*maxOut, n);
    out.append(d, n);
    return true;
  };
  for (std::size_t at = 0; at < in.size(); at += piece) {
    EXPECT_TRUE(z->write(std::string_view(in).substr(at, piece), sink));
  }
  EXPECT_TRUE(z->finish(sink));
  return out;
}

Result<std::string> decompress(const std::string& in, std::size_t piece) {
  auto d = makeDecompressor(in.substr(0, 4));
  if (!d) return d.error();
  std::string out;
  ByteSink sink = [&](const char* p, std::size_t n) {
    EXPECT_LE(n, 1u << 20);
    out.append(p, n);
    return true;
  };
  for (std::size_t at = 0; at < in.size(); at += piece) {
    if (auto r = (*d)->write(std::string_view(in).substr(at, piece), sink); !r) return r.error();
  }
  if (auto r = (*d)->finish(); !r) return r.error();
  return out;
}

TEST(SidecarCompression, RoundTripsInPiecesWithBoundedOutput) {
  const std::string data = sample(5 << 20);
  for (Compression c : {Compression::Gzip, Compression::Zstd}) {
    std::size_t maxOut = 0;
    std::string z = compress(c, data, 300000, &maxOut);
    EXPECT_LE(maxOut, 1u << 20) << compressionName(c);
    EXPECT_LT(z.size(), data.size()) << compressionName(c);
    for (std::size_t piece : {std::size_t{1000}, std::size_t{3 << 20}}) {
      auto back = decompress(z, piece);
      ASSERT_TRUE(back) << compressionName(c) << " piece " << piece << ": " << back.error().message;
      EXPECT_TRUE(*back == data) << compressionName(c);
    }
  }
}

TEST(SidecarCompression, TheUrlSuffixChoosesAndGzipIsTheDefault) {
  EXPECT_EQ(compressionForUrl("s3://b/c-2026.xbackup.zst"), Compression::Zstd);
  EXPECT_EQ(compressionForUrl("s3://b/c-2026.xbackup.gz"), Compression::Gzip);
  EXPECT_EQ(compressionForUrl("s3://b/c-2026.xbackup"), Compression::Gzip);
  EXPECT_STREQ(compressionName(Compression::Zstd), "zstd");
}

TEST(SidecarCompression, ConcatenatedGzipMembersAreOneStream) {
  std::size_t m = 0;
  auto back = decompress(
      compress(Compression::Gzip, "first;", 10, &m) + compress(Compression::Gzip, "second", 10, &m),
      7);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, "first;second");
}

TEST(SidecarCompression, SniffingRefusesAnythingElseWithItsFirstBytes) {
  EXPECT_EQ(makeDecompressor("XBSTCK01").error().message,
            "is neither gzip nor zstd (it starts with 58 42 53 54)");
  EXPECT_EQ(makeDecompressor("").error().message, "is neither gzip nor zstd (it is empty)");
  EXPECT_EQ(makeDecompressor(std::string("\x1f", 1)).error().message,
            "is neither gzip nor zstd (it starts with 1f)");
}

TEST(SidecarCompression, TruncatedAndCorruptStreamsFailWithTheCause) {
  const std::string data = sample(1 << 20);
  std::size_t m = 0;
  std::string gz = compress(Compression::Gzip, data, 1 << 16, &m);
  std::string zs = compress(Compression::Zstd, data, 1 << 16, &m);
  EXPECT_EQ(decompress(gz.substr(0, gz.size() / 2), 4096).error().message,
            "gzip: the data ends before the end of the compressed stream (a truncated object)");
  EXPECT_EQ(decompress(zs.substr(0, zs.size() / 2), 4096).error().message,
            "zstd: the data ends before the end of the compressed stream (a truncated object)");
  // A flipped byte in the middle: the deflate data or the CRC, the zstd block or its checksum.
  std::string badGz = gz;
  badGz[badGz.size() - 6] = static_cast<char>(badGz[badGz.size() - 6] ^ 0x55);
  EXPECT_EQ(decompress(badGz, 4096).error().message, "gzip: incorrect data check");
  std::string badZs = zs;
  badZs[badZs.size() - 2] = static_cast<char>(badZs[badZs.size() - 2] ^ 0x55);
  EXPECT_EQ(decompress(badZs, 4096).error().message, "zstd: Restored data doesn't match checksum");
}

}  // namespace
}  // namespace mysqlop::sidecar
