#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "plugin/tzif_fixture.hpp"
#include "socialdefault/time_zone.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;
using testing::TzdirGuard;
using testing::tzif_block;
using testing::tzif_v2;

UtcSeconds at(const char* text) { return parse_utc_timestamp(text).value(); }
LocalDate date(const char* text) { return parse_date(text).value(); }

TimeZone rule(const char* name, const char* posix) {
  auto zone = TimeZone::from_posix_rule(name, posix);
  EXPECT_TRUE(zone.ok()) << zone.error().describe();
  return zone.ok() ? *zone : TimeZone{};
}

constexpr const char* kAmsterdam = "CET-1CEST,M3.5.0,M10.5.0/3";

TEST(TimeZone, AmsterdamSwitchesToSummerTimeOnMarch29) {
  const TimeZone zone = rule("Europe/Amsterdam", kAmsterdam);
  EXPECT_EQ(zone.name(), "Europe/Amsterdam");
  EXPECT_EQ(zone.offset_at(at("2026-03-29T00:59:59Z")), 3600);
  EXPECT_EQ(zone.offset_at(at("2026-03-29T01:00:00Z")), 7200);
  EXPECT_EQ(zone.format_local(at("2026-03-29T00:59:59Z")), "2026-03-29T01:59:59+01:00");
  EXPECT_EQ(zone.format_local(at("2026-03-29T01:00:00Z")), "2026-03-29T03:00:00+02:00");
  // The day has 23 hours.
  EXPECT_EQ(zone.start_of_day(date("2026-03-29")), at("2026-03-28T23:00:00Z"));
  EXPECT_EQ(zone.start_of_day(date("2026-03-30")), at("2026-03-29T22:00:00Z"));
}

TEST(TimeZone, AmsterdamSwitchesBackOnOctober25) {
  const TimeZone zone = rule("Europe/Amsterdam", kAmsterdam);
  EXPECT_EQ(zone.offset_at(at("2026-10-25T00:59:59Z")), 7200);
  EXPECT_EQ(zone.offset_at(at("2026-10-25T01:00:00Z")), 3600);
  // 02:30 local happens twice; the offset tells them apart.
  EXPECT_EQ(zone.format_local(at("2026-10-25T00:30:00Z")), "2026-10-25T02:30:00+02:00");
  EXPECT_EQ(zone.format_local(at("2026-10-25T01:30:00Z")), "2026-10-25T02:30:00+01:00");
  // The day has 25 hours.
  EXPECT_EQ(zone.start_of_day(date("2026-10-25")), at("2026-10-24T22:00:00Z"));
  EXPECT_EQ(zone.start_of_day(date("2026-10-26")), at("2026-10-25T23:00:00Z"));
  EXPECT_EQ(zone.local_date(at("2026-10-25T22:59:59Z")), date("2026-10-25"));
  EXPECT_EQ(zone.local_date(at("2026-10-25T23:00:00Z")), date("2026-10-26"));
}

TEST(TimeZone, MidnightNearNewYearDependsOnTheZone) {
  const TimeZone amsterdam = rule("Europe/Amsterdam", kAmsterdam);
  const TimeZone utc = rule("UTC", "UTC0");
  const UtcSeconds late = at("2025-12-31T23:30:00Z");
  EXPECT_EQ(utc.local_date(late), date("2025-12-31"));
  EXPECT_EQ(amsterdam.local_date(late), date("2026-01-01"));
  EXPECT_EQ(amsterdam.local_date(at("2025-12-31T22:59:59Z")), date("2025-12-31"));
  EXPECT_EQ(amsterdam.start_of_day(date("2026-01-01")), at("2025-12-31T23:00:00Z"));
  EXPECT_EQ(utc.start_of_day(date("2026-01-01")), at("2026-01-01T00:00:00Z"));
  EXPECT_EQ(utc.format_local(late), "2025-12-31T23:30:00+00:00");
  EXPECT_EQ(amsterdam.format_local(late), "2026-01-01T00:30:00+01:00");
}

TEST(TimeZone, NewYorkHasNegativeOffsets) {
  const TimeZone zone = rule("America/New_York", "EST5EDT,M3.2.0,M11.1.0");
  EXPECT_EQ(zone.offset_at(at("2026-03-08T06:59:59Z")), -5 * 3600);
  EXPECT_EQ(zone.offset_at(at("2026-03-08T07:00:00Z")), -4 * 3600);
  EXPECT_EQ(zone.offset_at(at("2026-11-01T05:59:59Z")), -4 * 3600);
  EXPECT_EQ(zone.offset_at(at("2026-11-01T06:00:00Z")), -5 * 3600);
  EXPECT_EQ(zone.format_local(at("2026-01-01T04:59:59Z")), "2025-12-31T23:59:59-05:00");
  EXPECT_EQ(zone.local_date(at("2026-01-01T04:59:59Z")), date("2025-12-31"));
  EXPECT_EQ(zone.start_of_day(date("2026-01-01")), at("2026-01-01T05:00:00Z"));
}

TEST(TimeZone, QuotedAbbreviationsAndFractionalOffsets) {
  const TimeZone riyadh = rule("Asia/Riyadh", "<+03>-3");
  EXPECT_EQ(riyadh.offset_at(at("2026-07-01T00:00:00Z")), 3 * 3600);
  EXPECT_EQ(riyadh.format_local(at("2026-07-01T00:00:00Z")), "2026-07-01T03:00:00+03:00");
  const TimeZone kolkata = rule("Asia/Kolkata", "IST-5:30");
  EXPECT_EQ(kolkata.format_local(at("2026-07-01T00:00:00Z")), "2026-07-01T05:30:00+05:30");
  const TimeZone chatham = rule("Pacific/Chatham", "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45");
  EXPECT_EQ(chatham.offset_at(at("2026-07-01T00:00:00Z")), 12 * 3600 + 45 * 60);
  EXPECT_EQ(chatham.offset_at(at("2026-01-01T00:00:00Z")), 13 * 3600 + 45 * 60);
}

TEST(TimeZone, SouthernHemisphereSummerSpansNewYear) {
  const TimeZone sydney = rule("Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3");
  EXPECT_EQ(sydney.offset_at(at("2026-01-15T00:00:00Z")), 11 * 3600);
  EXPECT_EQ(sydney.offset_at(at("2026-07-15T00:00:00Z")), 10 * 3600);
  EXPECT_EQ(sydney.offset_at(at("2026-12-31T12:59:59Z")), 11 * 3600);
  EXPECT_EQ(sydney.local_date(at("2026-12-31T13:00:00Z")), date("2027-01-01"));
  // First Sunday of April 2026 is the 5th: 03:00 AEDT = 16:00 UTC on the 4th.
  EXPECT_EQ(sydney.offset_at(at("2026-04-04T15:59:59Z")), 11 * 3600);
  EXPECT_EQ(sydney.offset_at(at("2026-04-04T16:00:00Z")), 10 * 3600);
}

TEST(TimeZone, NegativeSummerTimeOfDublin) {
  // Irish "standard" time is summer time; winter is the negative DST.
  const TimeZone dublin = rule("Europe/Dublin", "IST-1GMT0,M10.5.0,M3.5.0/1");
  EXPECT_EQ(dublin.offset_at(at("2026-07-01T12:00:00Z")), 3600);
  EXPECT_EQ(dublin.offset_at(at("2026-01-01T12:00:00Z")), 0);
  EXPECT_EQ(dublin.start_of_day(date("2026-07-01")), at("2026-06-30T23:00:00Z"));
}

TEST(TimeZone, DayThatBeginsAfterASwitchAtMidnight) {
  // Chile moves from -04 to -03 at 24:00 on the first Saturday of September:
  // 2026-09-06 00:00 never happens, the day begins at 01:00.
  const TimeZone santiago = rule("America/Santiago", "<-04>4<-03>,M9.1.6/24,M4.1.6/24");
  EXPECT_EQ(santiago.start_of_day(date("2026-09-06")), at("2026-09-06T04:00:00Z"));
  EXPECT_EQ(santiago.format_local(at("2026-09-06T04:00:00Z")), "2026-09-06T01:00:00-03:00");
  EXPECT_EQ(santiago.local_date(at("2026-09-06T03:59:59Z")), date("2026-09-05"));
  EXPECT_EQ(santiago.start_of_day(date("2026-09-05")), at("2026-09-05T04:00:00Z"));
}

TEST(TimeZone, SwitchesAroundMidnightOfNuuk) {
  // Summer time starts at -1:00 (Saturday 23:00) and ends at 0:00 local.
  const TimeZone nuuk = rule("America/Nuuk", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  EXPECT_EQ(nuuk.start_of_day(date("2026-03-29")), at("2026-03-29T01:00:00Z"));
  EXPECT_EQ(nuuk.format_local(at("2026-03-29T01:00:00Z")), "2026-03-29T00:00:00-01:00");
  EXPECT_EQ(nuuk.start_of_day(date("2026-10-25")), at("2026-10-25T02:00:00Z"));
  EXPECT_EQ(nuuk.format_local(at("2026-10-25T01:30:00Z")), "2026-10-24T23:30:00-02:00");
}

TEST(TimeZone, DefaultIsUtc) {
  const TimeZone zone;
  EXPECT_EQ(zone.offset_at(at("2026-07-01T00:00:00Z")), 0);
  EXPECT_EQ(zone.format_local(at("2026-07-01T00:00:00Z")), "2026-07-01T00:00:00+00:00");
}

void expect_rule_error(const char* posix, const std::string& problem) {
  auto zone = TimeZone::from_posix_rule("Test/Zone", posix);
  ASSERT_FALSE(zone.ok()) << posix;
  EXPECT_EQ(zone.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(zone.error().describe(), std::string("time zone \"Test/Zone\": POSIX rule \"") + posix +
                                         "\" is not valid (" + problem +
                                         "); expected a rule such as CET-1CEST,M3.5.0,M10.5.0/3");
}

TEST(TimeZone, RefusesMalformedRules) {
  expect_rule_error("", "expected a zone abbreviation of at least 3 letters at position 1");
  expect_rule_error("CET", "expected hours at position 4");
  expect_rule_error("CET-25", "hours 25 out of range 0-24");
  expect_rule_error("CET-1:7", "expected minutes 00-59 at position 7");
  expect_rule_error("<+0 3>-3", "character ' ' in a quoted zone abbreviation");
  expect_rule_error("<+03", "unterminated '<' in a zone abbreviation");
  expect_rule_error("<+3>-3", "zone abbreviation <+3> is shorter than 3 characters");
  expect_rule_error("CET-1CEST", "expected ',' and a transition rule at position 10");
  expect_rule_error("CET-1CEST,J60,J300", "day-of-year transitions (Jn, n) are not supported");
  expect_rule_error("CET-1CEST,60,300", "day-of-year transitions (Jn, n) are not supported");
  expect_rule_error("CET-1CEST,X3.5.0,M10.5.0", "expected a transition Mm.w.d at position 11");
  expect_rule_error("CET-1CEST,M13.5.0,M10.5.0", "expected a month 1-12 after M");
  expect_rule_error("CET-1CEST,M3.6.0,M10.5.0", "expected a week 1-5 in Mm.w.d");
  expect_rule_error("CET-1CEST,M3.5.7,M10.5.0", "expected a weekday 0-6 in Mm.w.d");
  expect_rule_error("CET-1CEST,M3.5.0/x,M10.5.0", "expected hours at position 18");
  expect_rule_error("CET-1CEST,M3.5.0/168,M10.5.0", "hours 168 out of range 0-167");
  expect_rule_error("CET-1CEST,M3.5.0,M10.5.0/3 junk", "unexpected text at position 27");
}

TEST(TimeZone, LoadsTheSystemDatabase) {
  auto zone = TimeZone::load("Europe/Amsterdam");
  if (!zone.ok() && zone.error().code == ErrorCode::not_found) {
    GTEST_SKIP() << "the tz database is not installed (apt-get install tzdata): " << zone.error().describe();
  }
  ASSERT_TRUE(zone.ok()) << zone.error().describe();
  EXPECT_EQ(zone->name(), "Europe/Amsterdam");
  EXPECT_EQ(zone->offset_at(at("2026-03-29T00:59:59Z")), 3600);
  EXPECT_EQ(zone->offset_at(at("2026-03-29T01:00:00Z")), 7200);
  EXPECT_EQ(zone->offset_at(at("2026-10-25T01:00:00Z")), 3600);
  EXPECT_EQ(zone->start_of_day(date("2026-10-26")), at("2026-10-25T23:00:00Z"));
}

TEST(TimeZone, LoadsTheFooterOfATzifFile) {
  ScratchDir dir("sd_tz_test");
  TzdirGuard guard(dir.path());
  dir.write("Test/Zone", tzif_v2(kAmsterdam));
  auto zone = TimeZone::load("Test/Zone");
  ASSERT_TRUE(zone.ok()) << zone.error().describe();
  EXPECT_EQ(zone->name(), "Test/Zone");
  EXPECT_EQ(zone->offset_at(at("2026-07-01T00:00:00Z")), 7200);
  EXPECT_EQ(zone->offset_at(at("2026-01-01T00:00:00Z")), 3600);
}

TEST(TimeZone, RefusesBrokenTzifFiles) {
  ScratchDir dir("sd_tz_test");
  TzdirGuard guard(dir.path());
  const auto error_of = [](const char* name) {
    auto zone = TimeZone::load(name);
    return zone.ok() ? std::string("loaded") : zone.error().describe();
  };
  const std::string expected = "; expected a TZif file of version 2 or later";
  dir.write("Not/Tzif", "hello, world, this is not a time zone file at all: no header");
  EXPECT_EQ(error_of("Not/Tzif"), "time zone \"Not/Tzif\": the zone file is not a TZif file" + expected);
  dir.write("Version/One", tzif_block('\0'));
  EXPECT_EQ(error_of("Version/One"),
            "time zone \"Version/One\": the zone file is TZif version 1, which has no POSIX rule" + expected);
  dir.write("Trunc/Ated", tzif_block('2') + "TZif");
  EXPECT_EQ(error_of("Trunc/Ated"), "time zone \"Trunc/Ated\": the zone file is truncated" + expected);
  dir.write("No/Footer", tzif_block('2') + tzif_block('2'));
  EXPECT_EQ(error_of("No/Footer"), "time zone \"No/Footer\": the zone file has no POSIX rule footer" + expected);
  dir.write("Open/Footer", tzif_block('2') + tzif_block('2') + "\nCET-1");
  EXPECT_EQ(error_of("Open/Footer"),
            "time zone \"Open/Footer\": the zone file's POSIX rule footer is not terminated" + expected);
  dir.write("Empty/Footer", tzif_v2(""));
  EXPECT_EQ(error_of("Empty/Footer"),
            "time zone \"Empty/Footer\": the zone file has an empty POSIX rule footer" + expected);
  dir.write("Bad/Footer", tzif_v2("CET-1CEST"));
  EXPECT_EQ(error_of("Bad/Footer"),
            "time zone \"Bad/Footer\": POSIX rule \"CET-1CEST\" is not valid (expected ',' and a transition rule at "
            "position 10); expected a rule such as CET-1CEST,M3.5.0,M10.5.0/3");
}

TEST(TimeZone, RefusesUnsafeAndUnknownNames) {
  ScratchDir dir("sd_tz_test");
  TzdirGuard guard(dir.path());
  const auto error_of = [](const char* name) {
    auto zone = TimeZone::load(name);
    return zone.ok() ? std::string("loaded") : zone.error().describe();
  };
  const std::string expected = "; expected an IANA zone name such as Europe/Amsterdam";
  EXPECT_EQ(error_of("../../etc/passwd"), "time zone \"../../etc/passwd\": \"..\" is not allowed" + expected);
  EXPECT_EQ(error_of("Europe/../UTC"), "time zone \"Europe/../UTC\": \"..\" is not allowed" + expected);
  EXPECT_EQ(error_of("/etc/localtime"), "time zone \"/etc/localtime\": a path is not allowed" + expected);
  EXPECT_EQ(error_of(""), "time zone \"\": the name is empty" + expected);
  EXPECT_EQ(error_of("Europe/Am sterdam"), "time zone \"Europe/Am sterdam\": character ' ' is not allowed" + expected);
  auto unknown = TimeZone::load("Mars/Olympus_Mons");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  EXPECT_EQ(unknown.error().describe(), "time zone \"Mars/Olympus_Mons\": unknown zone (no such zone in the tz database at " +
                                            dir.path().string() + ")" + expected);
  fs::create_directories(dir.path() / "Europe");
  EXPECT_EQ(error_of("Europe"), "time zone \"Europe\": unknown zone (no such zone in the tz database at " +
                                    dir.path().string() + ")" + expected);
}

TEST(Dates, ParseAndFormat) {
  EXPECT_EQ(format_date(date("2028-02-29")), "2028-02-29");
  EXPECT_EQ(parse_date("2026-02-29").error().describe(), "\"2026-02-29\" is not a calendar date");
  EXPECT_EQ(parse_date("26-1-1").error().describe(), "\"26-1-1\" is not a date; expected YYYY-MM-DD");
  EXPECT_EQ(format_utc(at("2026-11-27T11:11:07+01:00")), "2026-11-27T10:11:07Z");
}

}  // namespace
}  // namespace socialdefault
