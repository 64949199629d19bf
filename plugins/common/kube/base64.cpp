#include "plugins/common/kube/base64.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <stdexcept>

namespace mysqlop::kube {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int decodeChar(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

}  // namespace

std::string base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16U) |
                       (static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8U) |
                       static_cast<unsigned>(static_cast<unsigned char>(data[i + 2]));
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < data.size()) {
    unsigned v = static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16U;
    if (i + 1 < data.size()) {
      v |= static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8U;
    }
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    const int d = decodeChar(c);
    if (d < 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<unsigned>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

std::string randomAlphanumeric(std::size_t n) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  constexpr unsigned kCount = sizeof(kChars) - 1;   // 62
  constexpr unsigned kAccept = 256 - 256 % kCount;  // reject bytes >= 248: no modulo bias
  std::string out;
  std::array<unsigned char, 64> buf{};
  while (out.size() < n) {
    const ssize_t got = getrandom(buf.data(), buf.size(), 0);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw std::runtime_error("getrandom failed");
    }
    for (ssize_t i = 0; i < got && out.size() < n; ++i) {
      if (buf[static_cast<std::size_t>(i)] < kAccept) {
        out += kChars[buf[static_cast<std::size_t>(i)] % kCount];
      }
    }
  }
  return out;
}

}  // namespace mysqlop::kube
