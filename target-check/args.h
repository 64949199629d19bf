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

// What --help prints after the usage line: each option and the exit statuses.
inline constexpr const char* kHelp =
    "Runs the conformance checks of the backup-target ABI against PLUGIN.so, in a fresh prefix\n"
    "under URL that it removes afterwards.\n"
    "  --url URL                 where the checks write (SCHEME://...); a scheme PLUGIN serves\n"
    "  --config JSON             the plugin's config object (default {})\n"
    "  --credentials KEY=VALUE   a credential, as a backup Secret key (repeatable)\n"
    "  --credentials-env KEY     a credential whose value is read from the environment\n"
    "  --bad-credentials K=V     credentials the store must refuse (Forbidden check)\n"
    "  --large-size BYTES        size of the large-object check (K, M, G suffixes)\n"
    "  --max-rss-growth BYTES    allowed memory growth while it is written\n"
    "  --writers N               concurrent writers (at most 64)\n"
    "Exit status: 0 every check passed or was skipped, 1 a check failed, 2 bad arguments or an\n"
    "unloadable plugin. The last line is the summary: \"mysqlop-target-check: P passed, F failed,\n"
    "S skipped\".";

// True when argv asks for the help (-h or --help anywhere).
bool wantsHelp(int argc, char** argv);

// Fills options from argv; the message of the first problem, or nullopt. Sizes take a K, M or G
// suffix (powers of 1024).
std::optional<std::string> parseArgs(int argc, char** argv, Options* options);

// "256M" -> 268435456; nullopt when it is not a size.
std::optional<std::uint64_t> parseSize(const std::string& text);

}  // namespace mysqlop::targetcheck
