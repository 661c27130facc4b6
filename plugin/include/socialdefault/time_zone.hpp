// Times are stored UTC and reported in the organisation's zone. The zone's
// current rule comes from the system tz database (the POSIX TZ footer of
// /usr/share/zoneinfo/<name>), so no global TZ variable is touched.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "socialdefault/result.hpp"

namespace socialdefault {

using UtcSeconds = std::chrono::sys_seconds;
using LocalDate = std::chrono::year_month_day;

class TimeZone {
 public:
  // Loads an IANA zone such as "Europe/Amsterdam". The directory defaults to
  // the TZDIR environment variable, then /usr/share/zoneinfo.
  static Result<TimeZone> load(std::string_view name);
  // A POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3" or "UTC0".
  static Result<TimeZone> from_posix_rule(std::string_view name, std::string_view rule);

  const std::string& name() const noexcept { return name_; }

  // Offset from UTC in seconds at a UTC instant (3600 for CET, 7200 for CEST).
  std::int32_t offset_at(UtcSeconds utc) const noexcept;
  LocalDate local_date(UtcSeconds utc) const noexcept;
  // The UTC instant at which the local calendar day begins.
  UtcSeconds start_of_day(LocalDate day) const noexcept;
  // ISO 8601 with offset, e.g. "2026-11-27T11:11:07+01:00".
  std::string format_local(UtcSeconds utc) const;

 private:
  struct Transition {  // Mm.w.d/time, the only form the tz database emits
    int month = 0, week = 0, weekday = 0;
    std::int32_t seconds = 7200;
  };
  std::string name_;
  std::int32_t std_offset_ = 0;  // seconds east of UTC
  std::int32_t dst_offset_ = 0;
  bool has_dst_ = false;
  Transition dst_start_, dst_end_;
};

// Parses "YYYY-MM-DD"; rejects impossible dates.
Result<LocalDate> parse_date(std::string_view text);
std::string format_date(LocalDate date);
// Parses an xs:dateTime with Z or an offset into UTC seconds.
Result<UtcSeconds> parse_utc_timestamp(std::string_view text);
std::string format_utc(UtcSeconds utc);  // "2026-11-27T10:11:07Z"

}  // namespace socialdefault
