// Maps pugixml nodes back to byte ranges of the original message.
//
// The message is parsed in place from a copy of its bytes, so every name and
// value pointer of a node points into that copy at the same offset as in the
// original. pugixml writes terminators and decoded text into the copy, which
// is why the scanning here always reads the untouched original.
#pragma once

#include <cstddef>
#include <string_view>

#include <pugixml.hpp>

namespace socialdefault::soap {

// A half-open byte range [begin, end) of the original message.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const noexcept { return end - begin; }
};

struct ElementSpan {
  std::size_t begin = 0;          // the '<' of the start tag
  std::size_t name_end = 0;       // just after the name in the start tag
  std::size_t attributes_end = 0; // just after the last attribute (== name_end without attributes)
  std::size_t start_tag_end = 0;  // just after the start tag's '>' (or "/>")
  std::size_t content_end = 0;    // the '<' of the end tag (== start_tag_end when self-closing)
  std::size_t end = 0;            // just after the end tag
  bool self_closing = false;
  Span whole() const noexcept { return {begin, end}; }
  Span content() const noexcept { return {start_tag_end, content_end}; }
};

class SourceMap {
 public:
  SourceMap(std::string_view original, const char* parse_buffer) noexcept : src_(original), base_(parse_buffer) {}

  std::string_view original() const noexcept { return src_; }
  std::string_view text(Span span) const noexcept { return src_.substr(span.begin, span.size()); }

  // Offset of a pointer into the parse buffer.
  std::size_t offset(const char* p) const noexcept;

  ElementSpan element(pugi::xml_node element) const;
  // Any node in content: element, text, CDATA (with its delimiters), comment, PI.
  Span node(pugi::xml_node node) const;
  // The raw value of an attribute, without its quotes, and the quote used.
  Span attribute_value(pugi::xml_attribute attribute) const;
  char attribute_quote(pugi::xml_attribute attribute) const;
  // The attribute with the whitespace before it: what removing it takes out.
  Span attribute_with_space(pugi::xml_attribute attribute) const;
  // The raw text of a text node, or the inside of a CDATA section.
  Span text_content(pugi::xml_node node) const;

  // Start of the run of whitespace that ends at offset.
  std::size_t space_before(std::size_t offset) const noexcept;

 private:
  std::size_t node_begin(pugi::xml_node node) const;
  std::size_t node_end(pugi::xml_node node) const;
  std::size_t find(std::string_view what, std::size_t from) const noexcept;

  std::string_view src_;
  const char* base_;
};

}  // namespace socialdefault::soap
