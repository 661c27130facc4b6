// One JSON object per line on stdout (or any stream, for tests). Callers
// pass named fields; nothing here ever sees a header map or a body, and URLs
// lose their user:password part, so no secret reaches the log.
#pragma once

#include <atomic>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "gateway_config.hpp"

namespace socialdefault::gateway {

// A named value of a log line; built implicitly from text, numbers and flags.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  template <typename T>
    requires std::is_integral_v<T>
  LogField(std::string_view k, T v) : key(k), value(v) {}
  std::string_view key;
  boost::json::value value;
};

class JsonLog {
 public:
  explicit JsonLog(std::ostream& out, LogLevel level = LogLevel::info) : out_(out), level_(level) {}
  void set_level(LogLevel level) noexcept { level_.store(level); }
  bool enabled(LogLevel level) const noexcept { return level >= level_.load(); }

  void write(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);
  void flush();

 private:
  std::ostream& out_;
  std::atomic<LogLevel> level_;
  std::mutex mutex_;
};

// "https://user:secret@host/x" -> "https://***@host/x"; query strings are kept
// only by name ("?token=***").
std::string redact_url(std::string_view url);

}  // namespace socialdefault::gateway
