// The SPDY/3 header dictionary (draft 3.1, section 2.6.10.1), built from its parts: length-
// prefixed header names and values, then a run of status texts, dates and media types.

#include <array>
#include <string>
#include <string_view>

#include "localcluster/streams/spdy_frame.h"

namespace mysqlop::local::streams {

namespace {

std::string buildDictionary() {
  static constexpr std::array<std::string_view, 64> kWords = {"options",
                                                              "head",
                                                              "post",
                                                              "put",
                                                              "delete",
                                                              "trace",
                                                              "accept",
                                                              "accept-charset",
                                                              "accept-encoding",
                                                              "accept-language",
                                                              "accept-ranges",
                                                              "age",
                                                              "allow",
                                                              "authorization",
                                                              "cache-control",
                                                              "connection",
                                                              "content-base",
                                                              "content-encoding",
                                                              "content-language",
                                                              "content-length",
                                                              "content-location",
                                                              "content-md5",
                                                              "content-range",
                                                              "content-type",
                                                              "date",
                                                              "etag",
                                                              "expect",
                                                              "expires",
                                                              "from",
                                                              "host",
                                                              "if-match",
                                                              "if-modified-since",
                                                              "if-none-match",
                                                              "if-range",
                                                              "if-unmodified-since",
                                                              "last-modified",
                                                              "location",
                                                              "max-forwards",
                                                              "pragma",
                                                              "proxy-authenticate",
                                                              "proxy-authorization",
                                                              "range",
                                                              "referer",
                                                              "retry-after",
                                                              "server",
                                                              "te",
                                                              "trailer",
                                                              "transfer-encoding",
                                                              "upgrade",
                                                              "user-agent",
                                                              "vary",
                                                              "via",
                                                              "warning",
                                                              "www-authenticate",
                                                              "method",
                                                              "get",
                                                              "status",
                                                              "200 OK",
                                                              "version",
                                                              "HTTP/1.1",
                                                              "url",
                                                              "public",
                                                              "set-cookie",
                                                              "keep-alive"};
  std::string out;
  auto word = [&out](std::string_view w) {
    const auto n = static_cast<unsigned>(w.size());
    out.push_back(static_cast<char>((n >> 24) & 0xFF));
    out.push_back(static_cast<char>((n >> 16) & 0xFF));
    out.push_back(static_cast<char>((n >> 8) & 0xFF));
    out.push_back(static_cast<char>(n & 0xFF));
    out.append(w);
  };
  for (auto w : kWords) {
    word(w);
  }
  word("origin");
  out +=
      "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
      "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
      "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
      "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, "
      "Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
      "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
      "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
  return out;
}

}  // namespace

const std::string& spdyDictionary() {
  static const std::string dictionary = buildDictionary();
  return dictionary;
}

}  // namespace mysqlop::local::streams
