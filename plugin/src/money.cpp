#include "socialdefault/money.hpp"

#include <array>
#include <limits>

#include "socialdefault/bytes.hpp"

namespace socialdefault {

namespace {

struct Exponent {
  const char* code;
  int digits;
};
// ISO 4217 currencies whose minor unit is not 2 digits.
constexpr std::array<Exponent, 24> kNonTwo{{
    {"BHD", 3}, {"BIF", 0}, {"CLF", 4}, {"CLP", 0}, {"DJF", 0}, {"GNF", 0}, {"IQD", 3}, {"ISK", 0},
    {"JOD", 3}, {"JPY", 0}, {"KMF", 0}, {"KRW", 0}, {"KWD", 3}, {"LYD", 3}, {"OMR", 3}, {"PYG", 0},
    {"RWF", 0}, {"TND", 3}, {"UGX", 0}, {"UYI", 0}, {"UYW", 4}, {"VND", 0}, {"VUV", 0}, {"XAF", 0},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_currency_code(std::string_view code) noexcept {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

int currency_exponent(std::string_view currency) noexcept {
  // The currencies nearly every message carries, without the table search.
  if (same_bytes(currency, "EUR") || same_bytes(currency, "USD") || same_bytes(currency, "GBP")) return 2;
  for (const Exponent& e : kNonTwo) {
    if (currency == e.code) return e.digits;
  }
  // XOF, XPF and the like also have 0, but they are rare in Dutch procurement.
  if (currency == "XOF" || currency == "XPF") return 0;
  return 2;
}

namespace {

// Why a decimal is not an amount; ok: minor holds it.
enum class MoneyError { ok, currency, not_decimal, too_many_decimals, too_large };

// The one parser behind parse_money and parse_money_into: no string is
// made, so the reader of a shortlist pays only for the digits.
MoneyError parse_minor(std::string_view decimal, std::string_view currency, std::int64_t& minor, int& exponent) {
  if (!is_currency_code(currency)) return MoneyError::currency;
  std::string_view s = trim(decimal);
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return MoneyError::not_decimal;
  exponent = currency_exponent(currency);
  // Most amounts are digits, a point and exactly as many digits as the
  // currency has decimals, short enough not to overflow: read those at once.
  if (const std::size_t point = s.size() - static_cast<std::size_t>(exponent) - 1;
      exponent > 0 && s.size() <= 18 && point > 0 && point < s.size() && s[point] == '.') {
    std::int64_t value = 0;
    bool digits = true;
    for (std::size_t k = 0; k < s.size(); ++k) {
      if (k == point) continue;
      const unsigned d = static_cast<unsigned char>(s[k]) - unsigned{'0'};
      if (d > 9) {
        digits = false;
        break;
      }
      value = value * 10 + static_cast<std::int64_t>(d);
    }
    if (digits) {
      minor = negative ? -value : value;
      return MoneyError::ok;
    }
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 10;
  std::int64_t value = 0;
  bool any_digit = false;
  bool in_fraction = false;
  int fraction_digits = 0;
  for (char c : s) {
    if (c == '.') {
      if (in_fraction) return MoneyError::not_decimal;
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') return MoneyError::not_decimal;
    any_digit = true;
    if (in_fraction) {
      if (fraction_digits >= exponent) {
        if (c != '0') return MoneyError::too_many_decimals;
        continue;
      }
      ++fraction_digits;
    }
    // (value * 10 + digit in 64 bits, or too large: at value == kMax a
    // digit of 8 or 9 would not fit.)
    if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, c - '0', &value)) {
      return MoneyError::too_large;
    }
  }
  if (!any_digit) return MoneyError::not_decimal;
  for (; fraction_digits < exponent; ++fraction_digits) {
    if (value > kMax) return MoneyError::too_large;
    value *= 10;
  }
  minor = negative ? -value : value;
  return MoneyError::ok;
}

}  // namespace

Result<Money> parse_money(std::string_view decimal, std::string_view currency) {
  std::int64_t minor = 0;
  int exponent = 2;
  // The texts are built only on failure: this runs for every price.
  const auto where = [&] { return "amount \"" + std::string(decimal) + "\""; };
  switch (parse_minor(decimal, currency, minor, exponent)) {
    case MoneyError::ok:
      return Money{minor, std::string(currency)};
    case MoneyError::currency:
      return make_error(ErrorCode::invalid_argument,
                        "currency \"" + std::string(currency) + "\" is not an ISO 4217 code (three capital letters)");
    case MoneyError::not_decimal:
      return make_error(ErrorCode::invalid_argument, "expected a decimal number", where());
    case MoneyError::too_many_decimals:
      return make_error(ErrorCode::invalid_argument,
                        "more than " + std::to_string(exponent) + " decimals for " + std::string(currency), where());
    case MoneyError::too_large:
      return make_error(ErrorCode::invalid_argument, "amount too large", where());
  }
  return make_error(ErrorCode::invalid_argument, "expected a decimal number", where());
}

bool parse_money_into(std::string_view decimal, std::string_view currency, Money& out) {
  std::int64_t minor = 0;
  int exponent = 2;
  if (parse_minor(decimal, currency, minor, exponent) != MoneyError::ok) return false;
  out.minor = minor;
  if (!same_bytes(out.currency, currency)) out.currency.assign(currency);  // (a list has one currency, mostly)
  return true;
}

std::string format_decimal(const Money& money) {
  const int exponent = currency_exponent(money.currency);
  const bool negative = money.minor < 0;
  // Work in unsigned so that INT64_MIN formats correctly.
  unsigned long long magnitude = negative ? 0ULL - static_cast<unsigned long long>(money.minor)
                                          : static_cast<unsigned long long>(money.minor);
  std::string digits = std::to_string(magnitude);
  if (exponent > 0) {
    if (digits.size() <= static_cast<std::size_t>(exponent)) digits.insert(0, exponent + 1 - digits.size(), '0');
    digits.insert(digits.size() - exponent, ".");
  }
  return negative ? "-" + digits : digits;
}

}  // namespace socialdefault
