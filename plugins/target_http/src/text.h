#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mysqlop::targethttp {

// ASCII lower case (header names).
std::string lower(std::string s);

// RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex),
// '/' too unless keepSlash (object names in paths). SigV4, SharedKey and the GCS JSON API all
// want exactly this.
std::string uriEncode(std::string_view s, bool keepSlash);

// The text of the first <tag>...</tag> in xml at or after from, with the five predefined XML
// entities decoded; empty if absent. *end (if given) is set past the closing tag, or npos when
// there is none. Enough for the flat answers of S3 and the Blob service, not an XML parser.
std::string xmlValue(std::string_view xml, std::string_view tag, std::size_t from = 0,
                     std::size_t* end = nullptr);

// The current UTC time in strftime's format (at most 63 characters).
std::string formatUtcNow(const char* format);

// A UTC time in Unix milliseconds, read with strptime's format (fields after it, such as
// fractions and a zone, are ignored); 0 when text does not match.
std::int64_t parseUtcMs(const std::string& text, const char* format);
// "2026-12-03T12:00:00.123Z" (RFC 3339; S3's LastModified, GCS's updated), to the second.
std::int64_t parseRfc3339Ms(const std::string& text);
// "Thu, 03 Dec 2026 12:00:00 GMT" (RFC 1123; the Blob service's Last-Modified).
std::int64_t parseRfc1123Ms(const std::string& text);

}  // namespace mysqlop::targethttp
