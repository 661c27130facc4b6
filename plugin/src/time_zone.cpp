#include "socialdefault/time_zone.hpp"

#include <charconv>
#include <cstdio>

namespace socialdefault {

namespace {

bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<LocalDate> parse_date(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !parse_int(text.substr(0, 4), y) ||
      !parse_int(text.substr(5, 2), m) || !parse_int(text.substr(8, 2), d)) {
    return make_error(ErrorCode::invalid_argument, "\"" + std::string(text) + "\" is not a date; expected YYYY-MM-DD");
  }
  LocalDate date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                 std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) {
    return make_error(ErrorCode::invalid_argument, "\"" + std::string(text) + "\" is not a calendar date");
  }
  return date;
}

std::string format_date(LocalDate date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf;
}

Result<UtcSeconds> parse_utc_timestamp(std::string_view text) {
  // YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm)
  const auto bad = [&] {
    return make_error(ErrorCode::invalid_argument,
                      "\"" + std::string(text) + "\" is not a timestamp; expected YYYY-MM-DDThh:mm:ss with Z or an offset");
  };
  if (text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':') return bad();
  auto date = parse_date(text.substr(0, 10));
  int hh = 0, mm = 0, ss = 0;
  if (!date.ok() || !parse_int(text.substr(11, 2), hh) || !parse_int(text.substr(14, 2), mm) ||
      !parse_int(text.substr(17, 2), ss) || hh > 23 || mm > 59 || ss > 60) {
    return bad();
  }
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') rest.remove_prefix(1);
  }
  int offset = 0;
  if (rest == "Z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = 0, om = 0;
    if (!parse_int(rest.substr(1, 2), oh) || !parse_int(rest.substr(4, 2), om) || oh > 14 || om > 59) return bad();
    offset = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
  } else {
    return bad();
  }
  const std::chrono::sys_days day{*date};
  return UtcSeconds{day} + std::chrono::seconds{hh * 3600 + mm * 60 + ss - offset};
}

std::string format_utc(UtcSeconds utc) {
  const auto day = std::chrono::floor<std::chrono::days>(utc);
  const LocalDate date{day};
  const auto secs = (utc - day).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lldZ", format_date(date).c_str(),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

}  // namespace socialdefault
