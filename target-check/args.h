#pragma once

#include <optional>
#include <string>

#include "target-check/checks.h"

namespace mysqlop::targetcheck {

inline constexpr const char* kUsage =
    "usage: mysqlop-target-check PLUGIN.so --url URL [--config JSON] "
    "[--credentials KEY=VALUE ...] [--credentials-env KEY ...] [--bad-credentials KEY=VALUE ...] "
    "[--large-size BYTES] "
    "[--max-rss-growth BYTES] [--writers N]";

// Fills options from argv; the message of the first problem, or nullopt. Sizes take a K, M or G
// suffix (powers of 1024).
std::optional<std::string> parseArgs(int argc, char** argv, Options* options);

// "256M" -> 268435456; nullopt when it is not a size.
std::optional<std::uint64_t> parseSize(const std::string& text);

}  // namespace mysqlop::targetcheck
