#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

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

TEST(Money, FormatsBack) {
  EXPECT_EQ(format_decimal({1250, "EUR"}), "12.50");
  EXPECT_EQ(format_decimal({5, "EUR"}), "0.05");
  EXPECT_EQ(format_decimal({-75, "EUR"}), "-0.75");
  EXPECT_EQ(format_decimal({1500, "JPY"}), "1500");
  EXPECT_EQ(format_decimal({1234, "KWD"}), "1.234");
}

}  // namespace
}  // namespace socialdefault
