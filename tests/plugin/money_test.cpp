#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "socialdefault/money.hpp"

namespace socialdefault {
namespace {

TEST(Money, ParsesDecimalsIntoMinorUnits) {
  EXPECT_EQ(parse_money("12.50", "EUR")->minor, 1250);
  EXPECT_EQ(parse_money(" 12.5 ", "EUR")->minor, 1250);
  EXPECT_EQ(parse_money("12", "EUR")->minor, 1200);
  EXPECT_EQ(parse_money("-0.75", "EUR")->minor, -75);
  EXPECT_EQ(parse_money("1500", "JPY")->minor, 1500);
  EXPECT_EQ(parse_money("1.234", "KWD")->minor, 1234);
  EXPECT_EQ(parse_money("3.100", "EUR")->minor, 310);  // trailing zeros are not precision
}

TEST(Money, RefusesWhatWouldNeedRounding) {
  auto r = parse_money("12.345", "EUR");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(), "amount \"12.345\": more than 2 decimals for EUR");
}

TEST(Money, RefusesGarbageAndBadCurrencies) {
  EXPECT_FALSE(parse_money("", "EUR").ok());
  EXPECT_FALSE(parse_money("1,50", "EUR").ok());
  EXPECT_FALSE(parse_money("1.2.3", "EUR").ok());
  EXPECT_FALSE(parse_money(".", "EUR").ok());
  EXPECT_FALSE(parse_money("1e3", "EUR").ok());
  EXPECT_FALSE(parse_money("99999999999999999999", "EUR").ok());
  auto r = parse_money("1", "eur");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ISO 4217"), std::string::npos);
}

// parse_money_into agrees with parse_money on every input, reuses the
// Money it is given, and leaves it alone when the input is refused.
TEST(Money, ParsingIntoAMoneyAgreesWithParseMoney) {
  const std::pair<std::string_view, std::string_view> inputs[] = {
      {"12.50", "EUR"}, {" 12.5 ", "EUR"}, {"-0.75", "EUR"}, {"1500", "JPY"}, {"1.234", "KWD"}, {"3.100", "EUR"},
      {"12.345", "EUR"}, {"", "EUR"}, {"1,50", "EUR"}, {".", "EUR"}, {"99999999999999999999", "EUR"}, {"1", "eur"},
      {"+7", "USD"}, {"0.5", "JPY"}};
  Money into{42, "GBP"};
  for (const auto& [decimal, currency] : inputs) {
    SCOPED_TRACE(std::string(decimal) + " " + std::string(currency));
    const Money before = into;
    const auto expected = parse_money(decimal, currency);
    EXPECT_EQ(parse_money_into(decimal, currency, into), expected.ok());
    EXPECT_EQ(into, expected.ok() ? *expected : before);
  }
}

// Every short string of digits, points, signs and a space (a byte below
// the digits), and a few long ones, against the rule written out here:
// white space around, an optional sign, digits with at most one point, at
// least one digit, no non-zero digit beyond the currency's decimals, and
// a count of minor units that fits 64 bits. (Amounts with exactly the currency's decimals take a quicker
// way through the parser than the others: both must follow the rule.)
TEST(Money, EveryShortAmountIsReadByTheRule) {
  const auto by_rule = [](std::string_view s, int exponent) -> std::optional<std::int64_t> {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
      negative = s.front() == '-';
      s.remove_prefix(1);
    }
    std::int64_t value = 0;
    int decimals = -1;  // -1: before the point
    bool digit = false;
    for (const char c : s) {
      if (c == '.') {
        if (decimals >= 0) return std::nullopt;
        decimals = 0;
        continue;
      }
      if (c < '0' || c > '9') return std::nullopt;
      digit = true;
      if (decimals >= 0 && ++decimals > exponent) {
        if (c != '0') return std::nullopt;
        continue;
      }
      if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, c - '0', &value)) {
        return std::nullopt;
      }
    }
    if (!digit) return std::nullopt;
    for (int k = std::max(decimals, 0); k < exponent; ++k) {
      if (__builtin_mul_overflow(value, 10, &value)) return std::nullopt;
    }
    return negative ? -value : value;
  };
  const std::string_view alphabet = "019.- ";
  for (const auto& [currency, exponent] : {std::pair<const char*, int>{"EUR", 2}, {"KWD", 3}, {"JPY", 0}}) {
    std::string s;
    std::size_t checked = 0;
    for (std::size_t length = 1; length <= 6; ++length) {
      std::vector<std::size_t> digits(length, 0);
      while (true) {
        s.clear();
        for (const std::size_t d : digits) s += alphabet[d];
        const auto parsed = parse_money(s, currency);
        const auto expected = by_rule(s, exponent);
        ASSERT_EQ(parsed.ok(), expected.has_value()) << s << " " << currency;
        if (expected) {
          ASSERT_EQ(parsed->minor, *expected) << s << " " << currency;
        }
        ++checked;
        std::size_t k = 0;
        while (k < length && ++digits[k] == alphabet.size()) digits[k++] = 0;
        if (k == length) break;
      }
    }
    EXPECT_EQ(checked, 6u + 36u + 216u + 1296u + 7776u + 46656u) << currency;
    // And the longest the quicker way takes, with other bytes among the digits.
    for (const std::string& longer : {std::string("123456789012345.67"), std::string("1 2 3 4 5 6 7 8.00"),
                                      std::string("99999999999999.999"), std::string("-+-+-+-+-+-+-+-.00"),
                                      std::string("12345678901234567.8"), std::string("9223372036854775807"),
                                      std::string("9223372036854775808"), std::string("9223372036854775809"),
                                      std::string("-9223372036854775807"), std::string("92233720368547758.07"),
                                      std::string("92233720368547758.08")}) {
      const auto parsed = parse_money(longer, currency);
      const auto expected = by_rule(longer, exponent);
      ASSERT_EQ(parsed.ok(), expected.has_value()) << longer << " " << currency;
      if (expected) {
        EXPECT_EQ(parsed->minor, *expected) << longer << " " << currency;
      }
    }
  }
}

TEST(Money, FormatsBack) {
  EXPECT_EQ(format_decimal({1250, "EUR"}), "12.50");
  EXPECT_EQ(format_decimal({5, "EUR"}), "0.05");
  EXPECT_EQ(format_decimal({-75, "EUR"}), "-0.75");
  EXPECT_EQ(format_decimal({1500, "JPY"}), "1500");
  EXPECT_EQ(format_decimal({1234, "KWD"}), "1.234");
}

}  // namespace
}  // namespace socialdefault
