// Guards the ABI against accidental change (Envoy's abi_version.h idea): the hash of the tokens of
// plugin.h and backup_target.h (comments and whitespace removed) is recorded per ABI version in
// sdk/abi-versions.txt. Changing a declaration without bumping MYSQLOP_ABI_MINOR and recording the
// new hash fails here.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "mysqlop/backup_target.h"
#include "mysqlop/plugin.h"

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Drops comments and whitespace, keeping string literals intact.
std::string tokens(const std::string& src) {
  std::string out;
  for (std::size_t i = 0; i < src.size(); ++i) {
    if (src.compare(i, 2, "/*") == 0) {
      i = src.find("*/", i + 2);
      if (i == std::string::npos) {
        break;
      }
      ++i;
    } else if (src.compare(i, 2, "//") == 0) {
      i = src.find('\n', i);
      if (i == std::string::npos) {
        break;
      }
    } else if (src[i] == '"') {
      const std::size_t end = src.find('"', i + 1);
      out += src.substr(i, end - i + 1);
      i = end;
    } else if (!std::isspace(static_cast<unsigned char>(src[i]))) {
      out.push_back(src[i]);
    }
  }
  return out;
}

std::string fnv1a64(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

TEST(Abi, HeadersMatchTheHashRecordedForThisVersion) {
  const std::string dir = std::string(MYSQLOP_SOURCE_DIR) + "/sdk/";
  const std::string hash = fnv1a64(tokens(read(dir + "include/mysqlop/plugin.h")) +
                                   tokens(read(dir + "include/mysqlop/backup_target.h")));
  const std::string version =
      std::to_string(MYSQLOP_ABI_MAJOR) + "." + std::to_string(MYSQLOP_ABI_MINOR);
  std::ifstream recorded(dir + "abi-versions.txt");
  std::string line;
  std::string found;
  while (std::getline(recorded, line)) {
    if (line.rfind(version + " ", 0) == 0) {
      found = line.substr(version.size() + 1);
    }
  }
  EXPECT_EQ(found, hash) << "plugin.h or backup_target.h changed. If the change is compatible, "
                            "append fields only, bump MYSQLOP_ABI_MINOR and add the line \""
                         << MYSQLOP_ABI_MAJOR << "." << MYSQLOP_ABI_MINOR + 1 << " <hash>\" to "
                         << "sdk/abi-versions.txt (the new hash is printed after rebuilding); a "
                            "breaking change needs a new major and a new entry symbol.";
}

TEST(Abi, DescriptorHeadIsFixed) {
  EXPECT_EQ(offsetof(mysqlop_plugin_v1, magic), 0U);
  EXPECT_EQ(offsetof(mysqlop_plugin_v1, struct_size), 4U);
  EXPECT_EQ(offsetof(mysqlop_plugin_v1, abi_major), 8U);
  EXPECT_EQ(offsetof(mysqlop_plugin_v1, abi_minor), 10U);
  EXPECT_EQ(offsetof(mysqlop_plugin_v1, pointer_size), 12U);
  EXPECT_EQ(MYSQLOP_PLUGIN_MAGIC, 0x4D59504Cu);
}

TEST(Abi, TokenizerIgnoresCommentsAndWhitespaceOnly) {
  EXPECT_EQ(tokens("int  a; /* c */ // d\n const char* s = \"x y\";"), "inta;constchar*s=\"x y\";");
}

}  // namespace
