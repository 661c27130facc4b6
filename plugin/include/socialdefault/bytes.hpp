// Equality of short byte strings (names, prefixes, supplier ids, currency
// codes, literals): whole words compared inline, the last one overlapping
// the one before. The scan, the reads and the decision compare a few dozen
// such strings per message, and calls to memcmp for them took about 6 % of
// a 10-supplier rewrite's time in a perf profile. Long strings (namespace
// URIs) are better left to memcmp, which compares 32 bytes at a time.
// Always inlined: GCC otherwise kept an out-of-line copy for some callers
// (the flag literals' find_if, the scan's look-ups), and the calls to it
// cost the 10-supplier rewrite about 5 % of its time.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace socialdefault {

namespace detail {
template <typename Word>
inline Word load_word(const char* p) noexcept {
  Word w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
}  // namespace detail

[[gnu::always_inline]] inline bool same_bytes(std::string_view a, std::string_view b) noexcept {
  using detail::load_word;
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  if (n >= 8) {
    for (std::size_t k = 0; k + 8 < n; k += 8) {
      if (load_word<std::uint64_t>(x + k) != load_word<std::uint64_t>(y + k)) return false;
    }
    return load_word<std::uint64_t>(x + n - 8) == load_word<std::uint64_t>(y + n - 8);
  }
  if (n >= 4) {
    return load_word<std::uint32_t>(x) == load_word<std::uint32_t>(y) &&
           load_word<std::uint32_t>(x + n - 4) == load_word<std::uint32_t>(y + n - 4);
  }
  if (n >= 2) {
    return load_word<std::uint16_t>(x) == load_word<std::uint16_t>(y) &&
           load_word<std::uint16_t>(x + n - 2) == load_word<std::uint16_t>(y + n - 2);
  }
  return n == 0 || *x == *y;
}

// The '>' that ends a start tag, looked for from a position inside it: the
// first one outside a quoted attribute value (npos: none). The gateway's
// envelope scan and the SOAP fast scan's candidate shapes find tags so.
inline std::size_t start_tag_close(std::string_view s, std::size_t from) noexcept {
  char quote = 0;
  for (std::size_t i = from; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace socialdefault
