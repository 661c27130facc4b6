// Character encodings of SOAP messages: which ones we accept, how we check
// that the bytes really are in the declared encoding, and how text moves
// between the document's encoding and the UTF-8 the core works in.
//
// The document is always parsed as raw 8-bit bytes (pugixml is told UTF-8 and
// never converts), so node pointers stay byte offsets into the original; the
// values we read are converted here, and the values we write are converted
// back (with character references for what the encoding cannot hold).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "socialdefault/result.hpp"

namespace socialdefault::soap {

enum class Encoding { utf8, latin1, ascii };
const char* to_string(Encoding encoding) noexcept;  // "UTF-8", "ISO-8859-1", "US-ASCII"

struct DocumentEncoding {
  Encoding encoding = Encoding::utf8;
  std::size_t bom_size = 0;  // 3 for a UTF-8 byte-order mark, else 0
};

// Reads the byte-order mark and the encoding of the XML declaration and checks
// every byte against it: valid UTF-8, or US-ASCII, and no character XML 1.0
// forbids. Errors (ErrorCode::xml) say what was found and where ("byte N").
Result<DocumentEncoding> check_encoding(std::string_view bytes);

// Checks that text is well-formed UTF-8 made of XML characters; returns the
// offset of the first bad byte, or npos.
std::size_t find_invalid_utf8(std::string_view text) noexcept;

// Appends a code point as UTF-8.
void append_utf8(std::string& out, char32_t code_point);

// Raw bytes of the document's encoding to UTF-8 (ISO-8859-1 is widened; the
// other encodings are already UTF-8 compatible).
void append_as_utf8(std::string& out, std::string_view raw, Encoding encoding);

// Where escaped text is going: element content, or an attribute value
// delimited by the given quote character.
enum class EscapeContext { text, attribute };

// Appends UTF-8 text escaped for XML and encoded for the document: & < > are
// escaped everywhere, the quote and tab/newline in attributes, a carriage
// return everywhere (so end-of-line handling cannot eat it), and characters
// the encoding cannot hold become numeric character references.
// Fails (ErrorCode::invalid_argument) on invalid UTF-8 or a character XML
// cannot carry at all.
Result<void> append_escaped(std::string& out, std::string_view utf8, Encoding encoding, EscapeContext context,
                            char quote = '"');

// The same without escaping, for the inside of a CDATA section. Returns false
// (and appends nothing) when the text cannot go into CDATA as is: it holds
// "]]>", or a character the encoding lacks (references do not work in CDATA).
bool append_cdata_content(std::string& out, std::string_view utf8, Encoding encoding);

// Decodes raw element content or an attribute value (without its quotes):
// predefined entities and character references, end-of-line normalisation,
// attribute-value normalisation for attributes, conversion to UTF-8.
// base_offset is the byte offset of raw in the message, used in errors.
Result<std::string> decode_text(std::string_view raw, Encoding encoding, EscapeContext context,
                                std::size_t base_offset);

// True for the four XML whitespace characters.
constexpr bool is_xml_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
// Inline: the readers trim every value they read.
inline std::string_view trim_xml_space(std::string_view text) noexcept {
  while (!text.empty() && is_xml_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_xml_space(text.back())) text.remove_suffix(1);
  return text;
}

// "text" with its double quotes, for error messages. Built step by step:
// the one-expression form trips a false -Wrestrict in g++ 12 at -O2.
inline std::string in_quotes(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

}  // namespace socialdefault::soap
