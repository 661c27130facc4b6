// Money is integer minor units plus an ISO 4217 code; never floating point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "socialdefault/result.hpp"

namespace socialdefault {

struct Money {
  std::int64_t minor = 0;  // e.g. cents for EUR
  std::string currency;    // ISO 4217 alphabetic code, upper case

  bool operator==(const Money&) const = default;
};

// Number of minor-unit digits of an ISO 4217 currency (EUR 2, JPY 0, KWD 3).
// Unknown but well-formed codes get 2.
int currency_exponent(std::string_view currency) noexcept;

// True for three upper-case ASCII letters.
bool is_currency_code(std::string_view code) noexcept;

// Parses an XML decimal ("12", "12.5", "-0.75", " 1234.50 ") into minor units
// of the currency. More fraction digits than the currency has is an error
// unless they are zeros; no rounding ever happens.
Result<Money> parse_money(std::string_view decimal, std::string_view currency);
// The same into out, without the error (out is left alone on failure): for
// a reader that reuses one Money's string and asks parse_money for the text
// only when this fails.
bool parse_money_into(std::string_view decimal, std::string_view currency, Money& out);

// "12.50" for {1250, "EUR"}; the inverse of parse_money.
std::string format_decimal(const Money& money);

}  // namespace socialdefault
