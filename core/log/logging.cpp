#include "core/log/logging.h"

#include <spdlog/details/fmt_helper.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <ctime>
#include <mutex>

#include "core/log/redactor.h"

namespace mysqlop::log {

namespace {

void appendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

std::string timestamp(spdlog::log_clock::time_point tp) {
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(tp);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(tp - secs).count();
  std::time_t t = spdlog::log_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%06ldZ", buf, static_cast<long>(micros));
  return out;
}

// Formats each record itself (text or JSON), redacts it, and hands the finished line to the inner
// sink. Redaction happens here, once, for every logger of the process.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RedactingSink(std::shared_ptr<spdlog::sinks::sink> inner, Format format)
      : inner_(std::move(inner)), format_(format) {
    inner_->set_pattern("%v");
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string text =
        Redactor::global().redact(std::string_view(msg.payload.data(), msg.payload.size()));
    std::string line;
    const auto level = spdlog::level::to_string_view(msg.level);
    if (format_ == Format::Json) {
      line = "{\"ts\":\"" + timestamp(msg.time) + "\",\"level\":";
      appendJsonString(line, std::string_view(level.data(), level.size()));
      if (msg.logger_name.size() > 0) {
        line += ",\"logger\":";
        appendJsonString(line, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
      }
      line += ",\"msg\":";
      appendJsonString(line, text);
      line += "}";
    } else {
      line = timestamp(msg.time) + " " + std::string(level.data(), level.size());
      if (msg.logger_name.size() > 0) {
        line += " [" + std::string(msg.logger_name.data(), msg.logger_name.size()) + "]";
      }
      line += " " + text;
    }
    spdlog::details::log_msg out(msg.time, msg.source, msg.logger_name, msg.level, line);
    inner_->log(out);
  }
  void flush_() override { inner_->flush(); }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
  Format format_;
};

std::shared_ptr<spdlog::sinks::sink>& sharedSink() {
  static std::shared_ptr<spdlog::sinks::sink> sink;
  return sink;
}

}  // namespace

bool parseFormat(std::string_view s, Format* out) {
  if (s == "text") {
    *out = Format::Text;
    return true;
  }
  if (s == "json") {
    *out = Format::Json;
    return true;
  }
  return false;
}

void initWithSink(std::shared_ptr<spdlog::sinks::sink> inner, Format format,
                  spdlog::level::level_enum level) {
  auto sink = std::make_shared<RedactingSink>(std::move(inner), format);
  sharedSink() = sink;
  auto logger = std::make_shared<spdlog::logger>("", sink);
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

void init(Format format, spdlog::level::level_enum level) {
  initWithSink(std::make_shared<spdlog::sinks::stderr_sink_mt>(), format, level);
}

std::shared_ptr<spdlog::logger> makeLogger(const std::string& name) {
  if (!sharedSink()) {
    init(Format::Text, spdlog::level::info);
  }
  auto logger = std::make_shared<spdlog::logger>(name, sharedSink());
  logger->set_level(spdlog::default_logger()->level());
  logger->flush_on(spdlog::level::warn);
  return logger;
}

}  // namespace mysqlop::log
