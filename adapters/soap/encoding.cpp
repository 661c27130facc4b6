#include "encoding.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SD_HAVE_AVX2_PATH 1
#endif

#include "socialdefault/bytes.hpp"

namespace socialdefault::soap {

namespace {

constexpr std::string_view kSupported = "expected UTF-8 (with or without byte-order mark), ISO-8859-1 or US-ASCII";

std::string byte_at(std::size_t offset) { return "byte " + std::to_string(offset); }

std::string hex_byte(unsigned char c) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  return std::string("0x") + kDigits[c >> 4] + kDigits[c & 0xF];
}

std::string code_point_name(char32_t cp) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string hex;
  for (int shift = cp > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) hex += kDigits[(cp >> shift) & 0xF];
  return "U+" + hex;
}

constexpr bool is_xml_char(char32_t cp) noexcept {
  if (cp < 0x20) return cp == 0x9 || cp == 0xA || cp == 0xD;
  if (cp >= 0xD800 && cp <= 0xDFFF) return false;
  return cp != 0xFFFE && cp != 0xFFFF && cp <= 0x10FFFF;
}

// Decodes one UTF-8 sequence starting at text[i]; returns its length, or 0
// when the sequence is invalid (overlong, surrogate, too large, truncated).
std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& cp) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  const std::size_t left = text.size() - i;
  const auto cont = [&](std::size_t k) { return (byte(i + k) & 0xC0) == 0x80; };
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (left < 2 || !cont(1)) return 0;
    cp = (char32_t(b0 & 0x1F) << 6) | (byte(i + 1) & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3 || !cont(1) || !cont(2)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogate
    cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(b1 & 0x3F) << 6) | (byte(i + 2) & 0x3F);
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    cp = (char32_t(b0 & 0x07) << 18) | (char32_t(b1 & 0x3F) << 12) | (char32_t(byte(i + 2) & 0x3F) << 6) |
         (byte(i + 3) & 0x3F);
    return 4;
  }
  return 0;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<Encoding> encoding_by_name(std::string_view name) {
  if (same_bytes(name, "UTF-8") || same_bytes(name, "utf-8")) return Encoding::utf8;  // nearly every message
  const std::string n = lower_ascii(name);
  for (const char* alias : {"utf-8", "utf8"}) {
    if (n == alias) return Encoding::utf8;
  }
  for (const char* alias : {"iso-8859-1", "iso8859-1", "iso_8859-1", "iso_8859-1:1987", "latin1", "latin-1", "l1",
                            "iso-ir-100", "cp819", "ibm819", "csisolatin1"}) {
    if (n == alias) return Encoding::latin1;
  }
  for (const char* alias : {"us-ascii", "ascii", "iso646-us", "ansi_x3.4-1968", "cp367", "ibm367", "csascii", "us"}) {
    if (n == alias) return Encoding::ascii;
  }
  return std::nullopt;
}

struct Declaration {
  bool present = false;
  std::string encoding;        // as written; empty when absent
  std::size_t encoding_at = 0;  // byte offset of the value
};

// The XML declaration, read by hand: pugixml has not run yet, and the
// encoding decides how everything after it is checked.
Result<Declaration> read_declaration(std::string_view bytes, std::size_t pos) {
  Declaration decl;
  if (bytes.substr(pos, 5) != "<?xml" || pos + 5 >= bytes.size() || !is_xml_space(bytes[pos + 5])) return decl;
  decl.present = true;
  const std::size_t end = bytes.find("?>", pos);
  if (end == std::string_view::npos) {
    return make_error(ErrorCode::xml, "the XML declaration is not closed with \"?>\"", byte_at(pos));
  }
  std::size_t i = pos + 5;
  while (true) {
    while (i < end && is_xml_space(bytes[i])) ++i;
    if (i >= end) break;
    const std::size_t name_at = i;
    while (i < end && bytes[i] != '=' && !is_xml_space(bytes[i])) ++i;
    const std::string_view name = bytes.substr(name_at, i - name_at);
    while (i < end && is_xml_space(bytes[i])) ++i;
    if (i >= end || bytes[i] != '=') {
      return make_error(ErrorCode::xml,
                        "malformed XML declaration: expected '=' after \"" + std::string(name) + "\"", byte_at(i));
    }
    ++i;
    while (i < end && is_xml_space(bytes[i])) ++i;
    if (i >= end || (bytes[i] != '"' && bytes[i] != '\'')) {
      return make_error(ErrorCode::xml, "malformed XML declaration: expected a quoted value for \"" +
                                            std::string(name) + "\"", byte_at(i));
    }
    const char quote = bytes[i++];
    const std::size_t value_at = i;
    while (i < end && bytes[i] != quote) ++i;
    if (i >= end) {
      return make_error(ErrorCode::xml, "malformed XML declaration: the value of \"" + std::string(name) +
                                            "\" is not closed", byte_at(value_at));
    }
    if (name == "encoding") {
      decl.encoding = std::string(bytes.substr(value_at, i - value_at));
      decl.encoding_at = value_at;
    }
    ++i;
  }
  return decl;
}

#if defined(SD_HAVE_AVX2_PATH)
// How many bytes from p on, in whole blocks of sixty-four, are printable
// ASCII or a line feed: the bulk of an indented message, thirty-two bytes per
// operation on a CPU with AVX2 (about a third of the instructions of the SSE2
// loop below, which takes over at the first other block).
[[gnu::target("avx2")]] std::size_t plain_blocks_avx2(const char* p, std::size_t n) noexcept {
  const __m256i controls = _mm256_set1_epi8(0x1F);
  const __m256i line_feed = _mm256_set1_epi8('\n');
  std::size_t i = 0;
  for (; n - i >= 64; i += 64) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 32));
    // Signed: bytes >= 0x80 are not > 0x1F either.
    const __m256i plain = _mm256_and_si256(
        _mm256_or_si256(_mm256_cmpgt_epi8(a, controls), _mm256_cmpeq_epi8(a, line_feed)),
        _mm256_or_si256(_mm256_cmpgt_epi8(b, controls), _mm256_cmpeq_epi8(b, line_feed)));
    if (_mm256_movemask_epi8(plain) != -1) break;
  }
  return i;
}

bool cpu_has_avx2() noexcept {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}
#endif

Result<void> check_utf8(std::string_view bytes, std::size_t from) {
  std::size_t i = from;
  const std::size_t n = bytes.size();
#if defined(SD_HAVE_AVX2_PATH)
  const bool avx2 = cpu_has_avx2();
#endif
  while (i < n) {
#if defined(SD_HAVE_AVX2_PATH)
    if (avx2 && n - i >= 64) {
      const std::size_t plain = plain_blocks_avx2(bytes.data() + i, n - i);
      i += plain;
      if (plain > 0) continue;  // the block after them (if any) takes the checks below
    }
#endif
#if defined(__SSE2__)
    // Fast path: ASCII that is printable or a tab, line feed or carriage
    // return (what an indented message is made of), sixty-four bytes at a
    // time while it lasts, then sixteen.
    const auto bad = [&](std::size_t at) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes.data() + at));
      // Bytes >= 0x80 are negative as signed chars, so "< 0x20" flags them too.
      const __m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
      const __m128i allowed = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                                                        _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                                           _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
      return _mm_andnot_si128(allowed, low);
    };
    if (n - i >= 64) {
      // Printable ASCII or a line feed, the common case, costs three
      // operations per sixteen bytes (signed: bytes >= 0x80 are not > 0x1F);
      // tabs and carriage returns take the full test below.
      const auto plain = [&](std::size_t at) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes.data() + at));
        return _mm_or_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x1F)), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
      };
      const __m128i all = _mm_and_si128(_mm_and_si128(plain(i), plain(i + 16)), _mm_and_si128(plain(i + 32), plain(i + 48)));
      if (_mm_movemask_epi8(all) == 0xFFFF) {
        i += 64;
        continue;
      }
      const __m128i any = _mm_or_si128(_mm_or_si128(bad(i), bad(i + 16)), _mm_or_si128(bad(i + 32), bad(i + 48)));
      if (_mm_movemask_epi8(any) == 0) {
        i += 64;
        continue;
      }
    }
    if (n - i >= 16 && _mm_movemask_epi8(bad(i)) == 0) {
      i += 16;
      continue;
    }
#endif
    // Eight bytes of printable ASCII at a time.
    if (n - i >= 8) {
      std::uint64_t word;
      std::memcpy(&word, bytes.data() + i, 8);
      constexpr std::uint64_t kHigh = 0x8080808080808080ull;
      constexpr std::uint64_t kSpaces = 0x2020202020202020ull;
      // No byte >= 0x80 and no byte < 0x20.
      if ((word & kHigh) == 0) {
        if (((word - kSpaces) & ~word & kHigh) == 0) {
          i += 8;
          continue;
        }
        // ASCII with a byte below 0x20: line breaks and tabs are fine,
        // other control characters are left to the full check below.
        bool plain = true;
        for (std::size_t k = 0; k < 8 && plain; ++k) {
          const auto c = static_cast<unsigned char>(bytes[i + k]);
          plain = c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
        }
        if (plain) {
          i += 8;
          continue;
        }
      }
    }
    char32_t cp = 0;
    const std::size_t len = decode_utf8(bytes, i, cp);
    if (len == 0) {
      return make_error(ErrorCode::xml,
                        "invalid UTF-8: byte " + hex_byte(static_cast<unsigned char>(bytes[i])) +
                            " does not start a valid sequence (the document is read as UTF-8; declare "
                            "encoding=\"ISO-8859-1\" if that is what it is)",
                        byte_at(i));
    }
    if (!is_xml_char(cp)) {
      return make_error(ErrorCode::xml, "character " + code_point_name(cp) + " is not allowed in XML", byte_at(i));
    }
    i += len;
  }
  return {};
}

Result<void> check_single_byte(std::string_view bytes, std::size_t from, Encoding encoding) {
  for (std::size_t i = from; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x20 && c != 0x9 && c != 0xA && c != 0xD) {
      return make_error(ErrorCode::xml, "character " + code_point_name(c) + " is not allowed in XML", byte_at(i));
    }
    if (c >= 0x80 && encoding == Encoding::ascii) {
      return make_error(ErrorCode::xml,
                        "byte " + hex_byte(c) + " is not US-ASCII, but the XML declaration says US-ASCII",
                        byte_at(i));
    }
  }
  return {};
}

void append_reference(std::string& out, char32_t cp) {
  out += "&#";
  out += std::to_string(static_cast<std::uint32_t>(cp));
  out += ';';
}

}  // namespace

const char* to_string(Encoding encoding) noexcept {
  switch (encoding) {
    case Encoding::utf8: return "UTF-8";
    case Encoding::latin1: return "ISO-8859-1";
    case Encoding::ascii: return "US-ASCII";
  }
  return "UTF-8";
}

std::size_t find_invalid_utf8(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(text, i, cp);
    if (len == 0 || !is_xml_char(cp)) return i;
    i += len;
  }
  return std::string_view::npos;
}

Result<DocumentEncoding> check_encoding(std::string_view bytes) {
  DocumentEncoding result;
  const auto starts = [&](std::initializer_list<unsigned char> prefix) {
    if (bytes.size() < prefix.size()) return false;
    std::size_t k = 0;
    for (unsigned char c : prefix) {
      if (static_cast<unsigned char>(bytes[k++]) != c) return false;
    }
    return true;
  };
  if (starts({0xEF, 0xBB, 0xBF})) {
    result.bom_size = 3;
  } else if (starts({0x00, 0x00, 0xFE, 0xFF}) || starts({0xFF, 0xFE, 0x00, 0x00})) {
    return make_error(ErrorCode::xml,
                      "the document starts with a UTF-32 byte-order mark; UTF-32 is not supported; " +
                          std::string(kSupported),
                      byte_at(0));
  } else if (starts({0xFE, 0xFF}) || starts({0xFF, 0xFE})) {
    return make_error(ErrorCode::xml,
                      "the document starts with a UTF-16 byte-order mark; UTF-16 is not supported; " +
                          std::string(kSupported),
                      byte_at(0));
  } else if (bytes.size() >= 2 && (bytes[0] == '\0' || bytes[1] == '\0')) {
    return make_error(ErrorCode::xml,
                      "the document looks like UTF-16 or UTF-32 without a byte-order mark (it has NUL bytes); "
                      "these encodings are not supported; " + std::string(kSupported),
                      byte_at(bytes[0] == '\0' ? 0 : 1));
  }

  auto decl = read_declaration(bytes, result.bom_size);
  if (!decl) return std::move(decl).error();
  if (!decl->encoding.empty()) {
    const std::optional<Encoding> declared = encoding_by_name(decl->encoding);
    if (!declared) {
      const std::string lower = lower_ascii(decl->encoding);
      const bool wide = lower.rfind("utf-16", 0) == 0 || lower.rfind("utf-32", 0) == 0 ||
                        lower.rfind("ucs-", 0) == 0 || lower == "utf16" || lower == "utf32";
      return make_error(ErrorCode::xml,
                        "the XML declaration says encoding=\"" + decl->encoding + "\"" +
                            (wide ? ", but the bytes are 8-bit and " + decl->encoding + " is not supported anyway"
                                  : ", which is not supported") +
                            "; " + std::string(kSupported),
                        byte_at(decl->encoding_at));
    }
    result.encoding = *declared;
    if (result.bom_size != 0 && result.encoding != Encoding::utf8) {
      return make_error(ErrorCode::xml,
                        "the document starts with a UTF-8 byte-order mark but declares encoding=\"" +
                            decl->encoding + "\"",
                        byte_at(decl->encoding_at));
    }
  }
  auto checked = result.encoding == Encoding::utf8 ? check_utf8(bytes, result.bom_size)
                                                   : check_single_byte(bytes, 0, result.encoding);
  if (!checked) return std::move(checked).error();
  return result;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void append_as_utf8(std::string& out, std::string_view raw, Encoding encoding) {
  if (encoding != Encoding::latin1) {
    out += raw;
    return;
  }
  for (char c : raw) append_utf8(out, static_cast<unsigned char>(c));
}

Result<void> append_escaped(std::string& out, std::string_view utf8, Encoding encoding, EscapeContext context,
                            char quote) {
  // Bytes every encoding writes as they are and no context escapes: printable
  // ASCII other than & < > (and the quote, tab and newline in an attribute).
  // Runs of them, which most values are whole, are appended at once.
  const bool attribute = context == EscapeContext::attribute;
  const auto plain = [&](char c) {
    if (c >= 0x20 && c < 0x7F) return c != '&' && c != '<' && c != '>' && (!attribute || c != quote);
    return !attribute && (c == '\t' || c == '\n');
  };
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t run = i;
#if defined(__SSE2__)
    // Sixteen bytes at a time while they are printable ASCII with nothing
    // to escape (the quote counts in both contexts: rare in text, and one
    // test fewer); what stops this goes through the byte test below. The
    // last few bytes (most values are shorter than sixteen) are tested the
    // same way from a copy padded with plain bytes.
    const auto stops = [quote](const char* p) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      // Signed: bytes >= 0x80 are below 0x20 too.
      const __m128i stop = _mm_or_si128(
          _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F))),
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('&')), _mm_cmpeq_epi8(v, _mm_set1_epi8('<'))),
                       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('>')), _mm_cmpeq_epi8(v, _mm_set1_epi8(quote)))));
      return static_cast<unsigned>(_mm_movemask_epi8(stop));
    };
    while (true) {
      const std::size_t left = utf8.size() - run;
      if (left == 0) break;
      unsigned mask = 0;
      if (left >= 16) {
        mask = stops(utf8.data() + run);
      } else {
        char padded[16];
        std::memset(padded, 'a', sizeof padded);
        std::memcpy(padded, utf8.data() + run, left);
        mask = stops(padded);
      }
      if (mask != 0) {
        run += static_cast<std::size_t>(__builtin_ctz(mask));
        break;
      }
      run += std::min<std::size_t>(left, 16);
    }
#endif
    while (run < utf8.size() && plain(utf8[run])) ++run;
    if (run != i) {
      out.append(utf8.data() + i, run - i);
      i = run;
      continue;
    }
    char32_t cp = 0;
    const std::size_t len = decode_utf8(utf8, i, cp);
    if (len == 0) {
      return make_error(ErrorCode::invalid_argument,
                        "text to write is not valid UTF-8 (byte " + std::to_string(i) + " of \"" +
                            std::string(utf8) + "\")");
    }
    if (!is_xml_char(cp)) {
      return make_error(ErrorCode::invalid_argument,
                        "text to write holds " + code_point_name(cp) + ", which XML cannot carry");
    }
    i += len;
    switch (cp) {
      case '&': out += "&amp;"; continue;
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;
      case '\r': out += "&#13;"; continue;
      default: break;
    }
    if (context == EscapeContext::attribute) {
      if (cp == static_cast<unsigned char>(quote)) {
        out += quote == '"' ? "&quot;" : "&apos;";
        continue;
      }
      if (cp == '\t' || cp == '\n') {
        append_reference(out, cp);
        continue;
      }
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (encoding == Encoding::utf8) {
      out.append(utf8.data() + i - len, len);
    } else if (encoding == Encoding::latin1 && cp <= 0xFF) {
      out += static_cast<char>(cp);
    } else {
      append_reference(out, cp);
    }
  }
  return {};
}

bool append_cdata_content(std::string& out, std::string_view utf8, Encoding encoding) {
  if (utf8.find("]]>") != std::string_view::npos || utf8.find('\r') != std::string_view::npos) return false;
  std::string converted;
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(utf8, i, cp);
    if (len == 0 || !is_xml_char(cp)) return false;
    if (cp < 0x80 || encoding == Encoding::utf8) {
      converted.append(utf8.data() + i, len);
    } else if (encoding == Encoding::latin1 && cp <= 0xFF) {
      converted += static_cast<char>(cp);
    } else {
      return false;
    }
    i += len;
  }
  out += converted;
  return true;
}

Result<std::string> decode_text(std::string_view raw, Encoding encoding, EscapeContext context,
                                std::size_t base_offset) {
  std::string out;
  out.reserve(raw.size());
  const bool attribute = context == EscapeContext::attribute;
  const bool widen = encoding == Encoding::latin1;
  for (std::size_t i = 0; i < raw.size();) {
    // Runs of ordinary bytes are copied at once.
    std::size_t run = i;
    while (run < raw.size()) {
      const auto u = static_cast<unsigned char>(raw[run]);
      if (u == '&' || u == '\r' || (u >= 0x80 && widen) || (attribute && (u == '\n' || u == '\t' || u == '<'))) break;
      ++run;
    }
    out.append(raw.data() + i, run - i);
    i = run;
    if (i >= raw.size()) break;
    const char c = raw[i];
    if (c == '&') {
      const std::size_t semi = raw.find(';', i + 1);
      const std::size_t max_len = 12;  // "&#x10FFFF;" and the named entities fit easily
      if (semi == std::string_view::npos || semi - i > max_len) {
        return make_error(ErrorCode::xml, "'&' is not followed by a reference like &amp; or &#233;",
                          byte_at(base_offset + i));
      }
      const std::string_view ref = raw.substr(i + 1, semi - i - 1);
      if (!ref.empty() && ref[0] == '#') {
        const bool hex = ref.size() > 1 && ref[1] == 'x';
        const std::string_view digits = ref.substr(hex ? 2 : 1);
        std::uint32_t cp = 0;
        bool valid = !digits.empty();
        for (char d : digits) {
          int v = -1;
          if (d >= '0' && d <= '9') v = d - '0';
          else if (hex && d >= 'a' && d <= 'f') v = d - 'a' + 10;
          else if (hex && d >= 'A' && d <= 'F') v = d - 'A' + 10;
          if (v < 0 || cp > 0x10FFFF) {
            valid = false;
            break;
          }
          cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
        }
        if (!valid || !is_xml_char(cp)) {
          return make_error(ErrorCode::xml,
                            "character reference &" + std::string(ref) + "; is not an allowed XML character",
                            byte_at(base_offset + i));
        }
        append_utf8(out, cp);
      } else if (ref == "lt") {
        out += '<';
      } else if (ref == "gt") {
        out += '>';
      } else if (ref == "amp") {
        out += '&';
      } else if (ref == "apos") {
        out += '\'';
      } else if (ref == "quot") {
        out += '"';
      } else {
        return make_error(ErrorCode::xml,
                          "undefined entity &" + std::string(ref) +
                              "; (a SOAP message has no DTD, so only &lt; &gt; &amp; &apos; &quot; exist)",
                          byte_at(base_offset + i));
      }
      i = semi + 1;
      continue;
    }
    if (c == '\r') {
      out += attribute ? ' ' : '\n';
      i += (i + 1 < raw.size() && raw[i + 1] == '\n') ? 2 : 1;
      continue;
    }
    if (attribute && (c == '\n' || c == '\t')) {
      out += ' ';
      ++i;
      continue;
    }
    if (attribute && c == '<') {
      return make_error(ErrorCode::xml, "'<' is not allowed in an attribute value", byte_at(base_offset + i));
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 && encoding == Encoding::latin1) {
      append_utf8(out, u);
    } else {
      out += c;
    }
    ++i;
  }
  return out;
}

}  // namespace socialdefault::soap
