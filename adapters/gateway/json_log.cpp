#include "json_log.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "socialdefault/time_zone.hpp"

namespace socialdefault::gateway {

void JsonLog::write(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  boost::json::object o;
  const auto now = std::chrono::system_clock::now();
  o["time"] = format_utc(std::chrono::time_point_cast<std::chrono::seconds>(now));
  o["level"] = to_string(level);
  o["event"] = event;
  for (const LogField& f : fields) o[f.key] = f.value;
  std::string line = boost::json::serialize(o);
  line += '\n';
  std::lock_guard lock(mutex_);
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  if (level >= LogLevel::warning) out_.flush();
}

void JsonLog::flush() {
  std::lock_guard lock(mutex_);
  out_.flush();
}

std::string redact_url(std::string_view url) {
  std::string out;
  const std::size_t scheme = url.find("://");
  std::size_t host_start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const std::size_t path_start = url.find_first_of("/?#", host_start);
  const std::string_view authority = url.substr(host_start, path_start == std::string_view::npos ? std::string_view::npos : path_start - host_start);
  const std::size_t at = authority.rfind('@');
  out.assign(url.substr(0, host_start));
  if (at != std::string_view::npos) {
    out += "***@";
    out += authority.substr(at + 1);
  } else {
    out += authority;
  }
  if (path_start == std::string_view::npos) return out;
  std::string_view rest = url.substr(path_start);
  const std::size_t q = rest.find('?');
  out += rest.substr(0, q);
  if (q == std::string_view::npos) return out;
  // Query values may be tokens: keep only the names.
  std::string_view query = rest.substr(q + 1);
  out += '?';
  bool first = true;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (!first) out += '&';
    first = false;
    out += pair.substr(0, eq);
    if (eq != std::string_view::npos) out += "=***";
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace socialdefault::gateway
