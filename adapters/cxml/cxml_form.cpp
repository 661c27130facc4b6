#include "cxml_form.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace socialdefault::cxml {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes one part of a form ('+' is a space). offset is where the
// part starts in the form, for the message.
// limit bounds the decoded text; max_bytes is the document limit the
// message names (a base64 text may be a third longer than the document).
Result<std::string> form_decode(std::string_view part, std::size_t offset, std::string_view field, std::size_t limit,
                                std::size_t max_bytes) {
  std::string out;
  out.reserve(part.size());
  for (std::size_t i = 0; i < part.size(); ++i) {
    const char c = part[i];
    if (c == '%') {
      const int high = i + 1 < part.size() ? hex_value(part[i + 1]) : -1;
      const int low = i + 2 < part.size() ? hex_value(part[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return make_error(ErrorCode::xml,
                          "the form field " + std::string(field) + " has a malformed percent escape \"" +
                              std::string(part.substr(i, 3)) + "\" at byte " + std::to_string(offset + i) +
                              " of the form; expected % and two hexadecimal digits",
                          "byte " + std::to_string(offset + i));
      }
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(c == '+' ? ' ' : c);
    }
    if (out.size() > limit) {
      return make_error(ErrorCode::xml,
                        "the form field " + std::string(field) + " holds more than " + std::to_string(max_bytes) +
                            " bytes; expected a cXML document within the body limit",
                        std::string(field));
    }
  }
  return out;
}

int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == ' ') return 62;  // a '+' the sender did not percent-encode reads as a space
  if (c == '/') return 63;
  return -1;
}

// Base64 (RFC 4648, padding optional, line breaks ignored) of the already
// percent-decoded field value.
Result<std::string> base64_decode(std::string_view text, std::string_view field) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  std::uint32_t bits = 0;
  int count = 0;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = base64_value(c);
    if (v < 0 || padding > 0) {
      return make_error(ErrorCode::xml,
                        "the form field " + std::string(field) + " is not base64: " +
                            (v < 0 ? "the character \"" + std::string(1, c) + "\"" : std::string("a character after '='")) +
                            " at character " + std::to_string(i) + " of its value; expected A-Z, a-z, 0-9, +, / and "
                            "'=' padding",
                        std::string(field));
    }
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    if (++count == 4) {
      out.push_back(static_cast<char>((bits >> 16) & 0xFF));
      out.push_back(static_cast<char>((bits >> 8) & 0xFF));
      out.push_back(static_cast<char>(bits & 0xFF));
      bits = 0;
      count = 0;
    }
  }
  if (count == 1 || padding > 2) {
    return make_error(ErrorCode::xml,
                      "the form field " + std::string(field) + " is not base64: its length does not fit 4-character "
                      "groups; expected the whole document encoded",
                      std::string(field));
  }
  if (count == 2) out.push_back(static_cast<char>((bits >> 4) & 0xFF));
  if (count == 3) {
    out.push_back(static_cast<char>((bits >> 10) & 0xFF));
    out.push_back(static_cast<char>((bits >> 2) & 0xFF));
  }
  return out;
}

}  // namespace

Result<std::string> decode_punchout_form(std::string_view form, std::size_t max_bytes) {
  constexpr std::array<std::string_view, 2> kFields{"cxml-urlencoded", "cxml-base64"};
  std::size_t offset = 0;
  while (offset <= form.size()) {
    const std::size_t end = std::min(form.find('&', offset), form.size());
    const std::string_view pair = form.substr(offset, end - offset);
    const std::size_t equals = pair.find('=');
    const std::string_view raw_name = pair.substr(0, equals);
    // A name in a field that is not ours may be malformed: it is simply not ours.
    auto name = form_decode(raw_name, offset, "name", raw_name.size(), raw_name.size());
    if (name) {
      for (std::string_view field : kFields) {
        if (*name != field) continue;
        const std::string_view raw = equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
        const std::size_t value_offset = offset + raw_name.size() + 1;
        if (raw.empty()) {
          return make_error(ErrorCode::xml,
                            "the form field " + std::string(field) + " is empty; expected a cXML document",
                            std::string(field));
        }
        // A base64 text is a third longer than what it encodes.
        const std::size_t text_limit = field == kFields[0] ? max_bytes : max_bytes / 3 * 4 + 4;
        auto text = form_decode(raw, value_offset, field, text_limit, max_bytes);
        if (!text || field == kFields[0]) return text;
        auto document = base64_decode(*text, field);
        if (document && document->size() > max_bytes) {
          return make_error(ErrorCode::xml,
                            "the form field " + std::string(field) + " holds more than " + std::to_string(max_bytes) +
                                " bytes; expected a cXML document within the body limit",
                            std::string(field));
        }
        return document;
      }
    }
    if (end == form.size()) break;
    offset = end + 1;
  }
  return make_error(ErrorCode::not_found,
                    "the form has no field cxml-urlencoded or cxml-base64; expected a PunchOut cart in one of them");
}

}  // namespace socialdefault::cxml
