#include "socialdefault/time_zone.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

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

// A TZif file of the tz database is a few kilobytes; anything far larger is
// not one.
constexpr std::uintmax_t kMaxTzifBytes = 1 << 20;

// POSIX offsets are hours west of UTC; transition times may run from -167
// to +167 hours (RFC 8536, section 3.3.1).
constexpr int kMaxOffsetHours = 24;
constexpr int kMaxTransitionHours = 167;

// Years outside this range are clamped so that no chrono arithmetic
// overflows on absurd instants.
constexpr int kMinYear = 1;
constexpr int kMaxYear = 9999;

// A cursor over a POSIX TZ rule that records the first problem it meets.
class RuleReader {
 public:
  explicit RuleReader(std::string_view text) : text_(text) {}

  bool at_end() const noexcept { return pos_ == text_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : text_[pos_]; }
  bool accept(char c) noexcept {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  const std::string& problem() const noexcept { return problem_; }
  bool fail(std::string problem) {
    if (problem_.empty()) problem_ = std::move(problem);
    return false;
  }

  // std or dst: three or more letters, or <...> with letters, digits, + and -.
  bool name(std::string& out) {
    const std::size_t start = pos_;
    if (accept('<')) {
      while (!at_end() && peek() != '>') {
        const char c = peek();
        if (!is_alnum(c) && c != '+' && c != '-') return fail("character '" + std::string(1, c) + "' in a quoted zone abbreviation");
        ++pos_;
      }
      if (!accept('>')) return fail("unterminated '<' in a zone abbreviation");
      out = std::string(text_.substr(start + 1, pos_ - start - 2));
      if (out.size() < 3) return fail("zone abbreviation <" + out + "> is shorter than 3 characters");
      return true;
    }
    while (!at_end() && is_alpha(peek())) ++pos_;
    out = std::string(text_.substr(start, pos_ - start));
    if (out.size() < 3) return fail("expected a zone abbreviation of at least 3 letters at position " + std::to_string(start + 1));
    return true;
  }

  // [+-]hh[:mm[:ss]] in seconds.
  bool duration(int max_hours, std::int32_t& out) {
    int sign = 1;
    if (accept('-')) {
      sign = -1;
    } else {
      accept('+');
    }
    int hours = 0, minutes = 0, seconds = 0;
    if (!number(1, 3, hours)) return fail("expected hours at position " + std::to_string(pos_ + 1));
    if (accept(':')) {
      if (!number(2, 2, minutes) || minutes > 59) return fail("expected minutes 00-59 at position " + std::to_string(pos_ + 1));
      if (accept(':') && (!number(2, 2, seconds) || seconds > 59)) {
        return fail("expected seconds 00-59 at position " + std::to_string(pos_ + 1));
      }
    }
    if (hours > max_hours) return fail("hours " + std::to_string(hours) + " out of range 0-" + std::to_string(max_hours));
    out = sign * (hours * 3600 + minutes * 60 + seconds);
    return true;
  }

  bool number(std::size_t min_digits, std::size_t max_digits, int& out) {
    const std::size_t start = pos_;
    while (!at_end() && pos_ - start < max_digits && is_digit(peek())) ++pos_;
    if (pos_ - start >= min_digits && parse_int(text_.substr(start, pos_ - start), out)) return true;
    pos_ = start;  // so that a message points at the start of the number
    return false;
  }

  std::size_t position() const noexcept { return pos_; }

 private:
  static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
  static bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
  static bool is_alnum(char c) noexcept { return is_digit(c) || is_alpha(c); }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string problem_;
};

std::uint32_t read_be32(const std::string& data, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(data[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(data[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(data[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(data[at + 3]));
}

// The six counts of a TZif header (RFC 8536, section 3.1).
struct TzifCounts {
  std::uint64_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
};

bool read_tzif_header(const std::string& data, std::size_t at, TzifCounts& counts) {
  if (data.size() < at + 44 || data.compare(at, 4, "TZif") != 0) return false;
  counts.isut = read_be32(data, at + 20);
  counts.isstd = read_be32(data, at + 24);
  counts.leap = read_be32(data, at + 28);
  counts.time = read_be32(data, at + 32);
  counts.type = read_be32(data, at + 36);
  counts.chars = read_be32(data, at + 40);
  return true;
}

std::uint64_t tzif_body_size(const TzifCounts& c, std::uint64_t time_size) {
  return c.time * time_size + c.time + c.type * 6 + c.chars + c.leap * (time_size + 4) + c.isstd + c.isut;
}

// The footer of a version 2+ TZif file: the POSIX rule between two newlines
// after the second (64-bit) data block.
Result<std::string> tzif_footer(const std::string& data, const std::string& subject) {
  const auto bad = [&](const std::string& what) {
    return make_error(ErrorCode::invalid_argument, subject + ": " + what + "; expected a TZif file of version 2 or later");
  };
  TzifCounts v1;
  if (!read_tzif_header(data, 0, v1)) return bad("the zone file is not a TZif file");
  if (data[4] < '2') return bad("the zone file is TZif version 1, which has no POSIX rule");
  const std::uint64_t second = 44 + tzif_body_size(v1, 4);
  TzifCounts v2;
  if (second > data.size() || !read_tzif_header(data, second, v2)) return bad("the zone file is truncated");
  const std::uint64_t footer = second + 44 + tzif_body_size(v2, 8);
  if (footer >= data.size() || data[footer] != '\n') return bad("the zone file has no POSIX rule footer");
  const std::size_t end = data.find('\n', footer + 1);
  if (end == std::string::npos) return bad("the zone file's POSIX rule footer is not terminated");
  std::string rule = data.substr(footer + 1, end - footer - 1);
  if (rule.empty()) return bad("the zone file has an empty POSIX rule footer");
  return rule;
}

std::chrono::sys_days nth_weekday(int year, int month, int week, int weekday) {
  using namespace std::chrono;
  const year_month ym{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)}};
  const std::chrono::weekday wd{static_cast<unsigned>(weekday)};
  if (week >= 5) return sys_days{year_month_weekday_last{ym.year(), ym.month(), weekday_last{wd}}};
  return sys_days{year_month_weekday{ym.year(), ym.month(), wd[static_cast<unsigned>(week)]}};
}

int clamped_year(UtcSeconds t, std::int32_t offset) {
  // Seconds from 0001-01-01 to 9999-12-31 fit comfortably; clamp before adding.
  constexpr std::int64_t kLimit = 400'000'000'000LL;
  const std::int64_t s = std::clamp<std::int64_t>(t.time_since_epoch().count(), -kLimit, kLimit) + offset;
  const LocalDate d{std::chrono::floor<std::chrono::days>(UtcSeconds{std::chrono::seconds{s}})};
  return std::clamp(static_cast<int>(d.year()), kMinYear, kMaxYear);
}

std::string two_digits(long long v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02lld", v);
  return buf;
}

}  // namespace

Result<TimeZone> TimeZone::from_posix_rule(std::string_view name, std::string_view rule) {
  RuleReader r(rule);
  TimeZone zone;
  zone.name_ = std::string(name);
  std::string std_name, dst_name;
  std::int32_t west = 0;
  const auto parse = [&]() -> bool {
    if (!r.name(std_name)) return false;
    if (!r.duration(kMaxOffsetHours, west)) return r.fail("expected the standard offset after " + std_name);
    zone.std_offset_ = -west;
    if (r.at_end()) return true;
    if (!r.name(dst_name)) return false;
    zone.has_dst_ = true;
    zone.dst_offset_ = zone.std_offset_ + 3600;
    if (!r.at_end() && r.peek() != ',') {
      std::int32_t dst_west = 0;
      if (!r.duration(kMaxOffsetHours, dst_west)) return r.fail("expected the daylight-saving offset after " + dst_name);
      zone.dst_offset_ = -dst_west;
    }
    const auto transition = [&](Transition& t) -> bool {
      if (!r.accept(',')) return r.fail("expected ',' and a transition rule at position " + std::to_string(r.position() + 1));
      if (r.peek() == 'J' || (r.peek() >= '0' && r.peek() <= '9')) {
        return r.fail("day-of-year transitions (Jn, n) are not supported");
      }
      if (!r.accept('M')) return r.fail("expected a transition Mm.w.d at position " + std::to_string(r.position() + 1));
      if (!r.number(1, 2, t.month) || t.month < 1 || t.month > 12) return r.fail("expected a month 1-12 after M");
      if (!r.accept('.') || !r.number(1, 1, t.week) || t.week < 1 || t.week > 5) return r.fail("expected a week 1-5 in Mm.w.d");
      if (!r.accept('.') || !r.number(1, 1, t.weekday) || t.weekday > 6) return r.fail("expected a weekday 0-6 in Mm.w.d");
      t.seconds = 7200;
      if (r.accept('/') && !r.duration(kMaxTransitionHours, t.seconds)) return r.fail("expected a time after '/'");
      return true;
    };
    if (!transition(zone.dst_start_) || !transition(zone.dst_end_)) return false;
    return r.at_end() || r.fail("unexpected text at position " + std::to_string(r.position() + 1));
  };
  if (!parse()) {
    return make_error(ErrorCode::invalid_argument, "time zone \"" + std::string(name) + "\": POSIX rule \"" +
                                                       std::string(rule) + "\" is not valid (" + r.problem() +
                                                       "); expected a rule such as CET-1CEST,M3.5.0,M10.5.0/3");
  }
  return zone;
}

Result<TimeZone> TimeZone::load(std::string_view name) {
  const std::string quoted = "time zone \"" + std::string(name) + "\"";
  const auto refuse = [&](const std::string& what) {
    return make_error(ErrorCode::invalid_argument, quoted + ": " + what + "; expected an IANA zone name such as Europe/Amsterdam");
  };
  if (name.empty()) return refuse("the name is empty");
  if (name.front() == '/') return refuse("a path is not allowed");
  if (name.find("..") != std::string_view::npos) return refuse("\"..\" is not allowed");
  for (char c : name) {
    const bool fine = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
                      c == '_' || c == '-' || c == '+';
    if (!fine) return refuse("character '" + std::string(1, c) + "' is not allowed");
  }
  const char* env = std::getenv("TZDIR");
  const std::filesystem::path dir = (env != nullptr && *env != '\0') ? env : "/usr/share/zoneinfo";
  const std::filesystem::path file = dir / std::string(name);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return make_error(ErrorCode::not_found,
                      quoted + ": unknown zone (no such zone in the tz database at " + dir.string() +
                          "); expected an IANA zone name such as Europe/Amsterdam");
  }
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxTzifBytes) {
    return make_error(ErrorCode::io, quoted + ": the zone file " + file.string() + " cannot be read or is too large");
  }
  std::ifstream in(file, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return make_error(ErrorCode::io, quoted + ": the zone file " + file.string() + " cannot be read");
  }
  auto rule = tzif_footer(data, quoted);
  if (!rule.ok()) return std::move(rule).error();
  return from_posix_rule(name, *rule);
}

std::int32_t TimeZone::offset_at(UtcSeconds utc) const noexcept {
  if (!has_dst_) return std_offset_;
  const int year = clamped_year(utc, std_offset_);
  // The latest switch at or before the instant decides; looking at the
  // neighbouring years covers rules that end in the next calendar year.
  bool found = false;
  UtcSeconds latest{};
  bool dst = false;
  for (int y = year - 1; y <= year + 1; ++y) {
    const std::array<std::pair<UtcSeconds, bool>, 2> switches{{
        {UtcSeconds{nth_weekday(y, dst_start_.month, dst_start_.week, dst_start_.weekday)} +
             std::chrono::seconds{dst_start_.seconds - std_offset_},
         true},
        {UtcSeconds{nth_weekday(y, dst_end_.month, dst_end_.week, dst_end_.weekday)} +
             std::chrono::seconds{dst_end_.seconds - dst_offset_},
         false},
    }};
    for (const auto& [at, to_dst] : switches) {
      if (at <= utc && (!found || at >= latest)) {
        found = true;
        latest = at;
        dst = to_dst;
      }
    }
  }
  return dst ? dst_offset_ : std_offset_;
}

LocalDate TimeZone::local_date(UtcSeconds utc) const noexcept {
  return LocalDate{std::chrono::floor<std::chrono::days>(utc + std::chrono::seconds{offset_at(utc)})};
}

UtcSeconds TimeZone::start_of_day(LocalDate day) const noexcept {
  const UtcSeconds midnight{std::chrono::sys_days{day}};
  const UtcSeconds a = midnight - std::chrono::seconds{std_offset_};
  const UtcSeconds b = midnight - std::chrono::seconds{has_dst_ ? dst_offset_ : std_offset_};
  const auto local = [&](UtcSeconds t) { return t + std::chrono::seconds{offset_at(t)}; };
  // Where midnight happens twice (a switch back at 00:00), the day starts at
  // the first one.
  const bool a_ok = local(a) == midnight;
  const bool b_ok = local(b) == midnight;
  if (a_ok && b_ok) return std::min(a, b);
  if (a_ok) return a;
  if (b_ok) return b;
  // Midnight falls in a gap (a switch forward at 24:00): the day begins at
  // the switch, the first instant whose local time is past midnight.
  UtcSeconds lo = std::min(a, b), hi = std::max(a, b);
  while (lo < hi) {
    const UtcSeconds mid = lo + (hi - lo) / 2;
    if (local(mid) >= midnight) {
      hi = mid;
    } else {
      lo = mid + std::chrono::seconds{1};
    }
  }
  return lo;
}

std::string TimeZone::format_local(UtcSeconds utc) const {
  const std::int32_t offset = offset_at(utc);
  const UtcSeconds local = utc + std::chrono::seconds{offset};
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const long long secs = (local - day).count();
  const std::int32_t magnitude = offset < 0 ? -offset : offset;
  return format_date(LocalDate{day}) + "T" + two_digits(secs / 3600) + ":" + two_digits(secs / 60 % 60) + ":" +
         two_digits(secs % 60) + (offset < 0 ? "-" : "+") + two_digits(magnitude / 3600) + ":" +
         two_digits(magnitude / 60 % 60);
}

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
  char buf[48];
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
  char buf[96];
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lldZ", format_date(date).c_str(),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

}  // namespace socialdefault
