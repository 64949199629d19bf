#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

namespace mysqlop::log {

enum class Format { Text, Json };

// Parses "text" or "json"; returns false for anything else.
bool parseFormat(std::string_view s, Format* out);

// Installs the process-wide logger: one redacting sink writing text or JSON lines to stderr (or to
// the given sink, for tests). Every logger made by makeLogger shares it.
void init(Format format, spdlog::level::level_enum level);
void initWithSink(std::shared_ptr<spdlog::sinks::sink> inner, Format format,
                  spdlog::level::level_enum level);

// A named logger (for example "plugin/cluster") writing through the shared redacting sink. It is
// not registered in spdlog's global registry, so plugins cannot clash with each other.
std::shared_ptr<spdlog::logger> makeLogger(const std::string& name);

}  // namespace mysqlop::log
