#include "plugins/common/mysql/flavor.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <tuple>

namespace mysqlop::mysql {
namespace {

constexpr std::string_view kMariaDbPrefix = "mariadb-";
// Components beyond this many digits are typos, and would overflow int.
constexpr std::size_t kMaxComponentDigits = 4;

struct Numbers {
  int major = 0;
  int minor = 0;
  int patch = 0;
  int count = 0;  // how many components were given
};

// Parses "X", "X.Y" or "X.Y.Z" (digits only, nothing else). minParts says how many are required.
std::optional<Numbers> parseNumbers(std::string_view s, int minParts) {
  Numbers n;
  std::array<int*, 3> slots = {&n.major, &n.minor, &n.patch};
  std::size_t at = 0;
  while (true) {
    if (n.count == 3) {
      return std::nullopt;
    }
    std::size_t start = at;
    int value = 0;
    while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at])) != 0) {
      value = value * 10 + (s[at] - '0');
      ++at;
    }
    if (at == start || at - start > kMaxComponentDigits) {
      return std::nullopt;
    }
    *slots[static_cast<std::size_t>(n.count)] = value;
    ++n.count;
    if (at == s.size()) {
      break;
    }
    if (s[at] != '.') {
      return std::nullopt;
    }
    ++at;
  }
  if (n.count < minParts) {
    return std::nullopt;
  }
  return n;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

VersionParse failure(std::string message) { return VersionParse{std::nullopt, std::move(message)}; }

VersionParse success(Flavor f, const Numbers& n) {
  return VersionParse{ServerVersion{f, n.major, n.minor, n.patch}, {}};
}

VersionParse parseMariaDbSpec(std::string_view value) {
  std::string_view rest = value.substr(kMariaDbPrefix.size());
  auto n = parseNumbers(rest, 2);
  if (!n) {
    return failure("spec.mysqlVersion " + quoted(value) +
                   " is not a valid MariaDB version (expected \"mariadb-X.Y\" or "
                   "\"mariadb-X.Y.Z\")");
  }
  if (n->major < 10) {
    return failure("spec.mysqlVersion " + quoted(value) +
                   ": MariaDB versions before 10 are not supported");
  }
  return success(Flavor::MariaDB, *n);
}

// True for dot-separated identifiers of [0-9A-Za-z-], none empty: semver's pre-release and build
// parts ("24", "rc.1", "build-7").
bool isSemverIdentifiers(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') {
    return false;
  }
  char prev = '.';
  for (char ch : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '-' ||
                    (ch == '.' && prev != '.');
    if (!ok) {
      return false;
    }
    prev = ch;
  }
  return true;
}

// Splits "8.0.32-24" / "8.0.32+b1" / "8.0.32-24+b1" into the X.Y.Z part and true, when the suffix
// is semver's (bitpoke parses spec.mysqlVersion as semver, so Percona builds such as 8.0.32-24 are
// accepted there). A value without a suffix is returned as is. false: a suffix that is not semver.
bool stripSemverSuffix(std::string_view* value) {
  const std::size_t at = value->find_first_of("-+");
  if (at == std::string_view::npos) {
    return true;
  }
  std::string_view suffix = value->substr(at);
  std::string_view core = value->substr(0, at);
  auto n = parseNumbers(core, 3);
  if (!n) {
    return false;
  }
  const std::size_t plus = suffix.find('+');
  std::string_view pre = suffix.substr(0, plus);
  if (!pre.empty() && !isSemverIdentifiers(pre.substr(1))) {
    return false;
  }
  if (plus != std::string_view::npos && !isSemverIdentifiers(suffix.substr(plus + 1))) {
    return false;
  }
  *value = core;
  return true;
}

VersionParse parseMysqlSpec(std::string_view value) {
  if (value.empty()) {
    value = kDefaultMysqlVersion;
  }
  // bitpoke's aliases.
  if (value == "5.7") {
    value = "5.7.35";
  } else if (value == "8.0") {
    value = "8.0.20";
  }
  const std::string_view written = value;
  std::optional<Numbers> n;
  if (stripSemverSuffix(&value)) {
    n = parseNumbers(value, 2);
  }
  if (!n) {
    return failure("spec.mysqlVersion " + quoted(written) +
                   " is not a valid MySQL version (expected \"5.7\", \"8.0\", \"X.Y.Z\", "
                   "\"X.Y.Z-build\" or \"mariadb-X.Y[.Z]\")");
  }
  if (n->major >= 10) {
    return failure("spec.mysqlVersion " + quoted(written) + ": MySQL has no version " +
                   std::to_string(n->major) + "; write \"mariadb-" + std::string(value) +
                   "\" for MariaDB");
  }
  if (std::make_tuple(n->major, n->minor) < std::make_tuple(5, 7)) {
    return failure("spec.mysqlVersion " + quoted(written) +
                   ": MySQL versions before 5.7 are not supported");
  }
  if (n->major == 6 || n->major == 7) {
    return failure("spec.mysqlVersion " + quoted(written) + ": MySQL has no version " +
                   std::to_string(n->major));
  }
  return success(Flavor::MySQL, *n);
}

// The version at the start of an image tag: "mariadb:10.11.6-jammy" gives 10.11.6, "mariadb:11"
// gives 11.0.0; "latest", no tag or a digest only give nothing.
std::optional<Numbers> versionFromImageTag(std::string_view image) {
  image = image.substr(0, image.find('@'));
  std::size_t slash = image.rfind('/');
  std::size_t colon = image.rfind(':');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) {
    return std::nullopt;
  }
  std::string_view tag = image.substr(colon + 1);
  std::size_t end = 0;
  while (end < tag.size() &&
         (std::isdigit(static_cast<unsigned char>(tag[end])) != 0 || tag[end] == '.')) {
    ++end;
  }
  if (end < tag.size() && tag[end] != '-') {
    return std::nullopt;  // "10.11rc" or "lts": not a version we can trust
  }
  return parseNumbers(tag.substr(0, end), 1);
}

}  // namespace

const char* flavorName(Flavor flavor) {
  switch (flavor) {
    case Flavor::MySQL: return "MySQL";
    case Flavor::MariaDB: return "MariaDB";
  }
  return "MySQL";
}

std::string ServerVersion::number() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::string ServerVersion::describe() const {
  return std::string(flavorName(flavor)) + " " + number();
}

bool ServerVersion::atLeast(int maj, int min, int pat) const {
  return std::make_tuple(major, minor, patch) >= std::make_tuple(maj, min, pat);
}

bool isMariaDbImage(std::string_view image) {
  std::string lower(image);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("mariadb") != std::string::npos;
}

VersionParse parseServerInfo(std::string_view info) {
  std::size_t end = 0;
  while (end < info.size() &&
         (std::isdigit(static_cast<unsigned char>(info[end])) != 0 || info[end] == '.')) {
    ++end;
  }
  auto n = parseNumbers(info.substr(0, end), 2);
  if (!n || (end < info.size() && info[end] != '-')) {
    return failure("the server version " + quoted(info) + " cannot be parsed");
  }
  // MariaDB 10 and 11 report themselves as such; a "5.5.5-" prefix is what MariaDB sent to old
  // clients before 11.0, and is followed by the real version.
  const bool maria = info.find("MariaDB") != std::string_view::npos;
  if (maria && n->major == 5 && n->minor == 5 && n->patch == 5 && end + 1 < info.size()) {
    return parseServerInfo(info.substr(end + 1));
  }
  return success(maria ? Flavor::MariaDB : Flavor::MySQL, *n);
}

VersionParse parseServerVersion(std::string_view mysqlVersion, std::string_view image) {
  if (mysqlVersion.substr(0, kMariaDbPrefix.size()) == kMariaDbPrefix) {
    return parseMariaDbSpec(mysqlVersion);
  }
  if (!isMariaDbImage(image)) {
    return parseMysqlSpec(mysqlVersion);
  }
  // A MariaDB image: its tag, else a plain version number of 10 or more.
  if (auto fromTag = versionFromImageTag(image)) {
    if (fromTag->major < 10) {
      return failure("spec.image " + quoted(image) +
                     ": MariaDB versions before 10 are not supported");
    }
    return success(Flavor::MariaDB, *fromTag);
  }
  if (auto plain = parseNumbers(mysqlVersion, 2); plain && plain->major >= 10) {
    return success(Flavor::MariaDB, *plain);
  }
  return failure("spec.image " + quoted(image) +
                 " is MariaDB but its version is unknown: set spec.mysqlVersion to "
                 "\"mariadb-X.Y\" or use an image tag such as \"mariadb:10.11\"");
}

}  // namespace mysqlop::mysql
