#include "source_map.hpp"

#include <vector>

#include "encoding.hpp"

namespace socialdefault::soap {

std::size_t SourceMap::offset(const char* p) const noexcept {
  const auto diff = p - base_;
  if (diff < 0 || static_cast<std::size_t>(diff) > src_.size()) return src_.size();
  return static_cast<std::size_t>(diff);
}

std::size_t SourceMap::find(std::string_view what, std::size_t from) const noexcept {
  const std::size_t at = src_.find(what, from);
  return at == std::string_view::npos ? src_.size() : at;
}

namespace {

// The start tag of an element: everything up to and including '>' or "/>".
// pugixml has accepted the document, so the tag is well-formed.
ElementSpan scan_start_tag(std::string_view src, std::size_t name_at) {
  ElementSpan span;
  span.begin = name_at - 1;
  std::size_t i = name_at;
  const std::size_t n = src.size();
  while (i < n && !is_xml_space(src[i]) && src[i] != '>' && src[i] != '/') ++i;
  span.name_end = i;
  span.attributes_end = i;
  while (i < n) {
    while (i < n && is_xml_space(src[i])) ++i;
    if (i >= n) break;
    if (src[i] == '>') {
      span.start_tag_end = i + 1;
      return span;
    }
    if (src[i] == '/') {
      span.start_tag_end = i + 2;
      span.self_closing = true;
      return span;
    }
    while (i < n && src[i] != '=') ++i;
    while (i < n && src[i] != '"' && src[i] != '\'') ++i;
    if (i >= n) break;
    const char quote = src[i];
    const std::size_t close = src.find(quote, i + 1);
    if (close == std::string_view::npos) break;
    i = close + 1;
    span.attributes_end = i;
  }
  span.start_tag_end = n;  // unreachable for a parsed document
  return span;
}

}  // namespace

ElementSpan SourceMap::element(pugi::xml_node element) const {
  ElementSpan span = scan_start_tag(src_, offset(element.name()));
  if (span.self_closing) {
    span.content_end = span.end = span.start_tag_end;
    return span;
  }
  // Where the element ends depends on where its last child ends, so walk
  // down the chain of last children (iteratively: depth is the caller's
  // limit, not ours), then close the end tags on the way back up.
  std::size_t open = 1;
  std::size_t pos = span.start_tag_end;
  for (pugi::xml_node current = element;;) {
    const pugi::xml_node last = current.last_child();
    if (!last) break;
    if (last.type() != pugi::node_element) {
      pos = node_end(last);
      break;
    }
    const ElementSpan child = scan_start_tag(src_, offset(last.name()));
    if (child.self_closing) {
      pos = child.start_tag_end;
      break;
    }
    pos = child.start_tag_end;
    current = last;
    ++open;
  }
  for (; open > 1; --open) pos = find(">", pos) + 1;
  // Whitespace after the last child has no node of its own: the content
  // ends at the '<' of the end tag.
  span.content_end = find("<", pos);
  span.end = std::min(find(">", pos) + 1, src_.size());
  return span;
}

std::size_t SourceMap::node_begin(pugi::xml_node node) const {
  switch (node.type()) {
    case pugi::node_element: return offset(node.name()) - 1;
    case pugi::node_pcdata: return offset(node.value());
    case pugi::node_cdata: return offset(node.value()) - 9;     // "<![CDATA["
    case pugi::node_comment: return offset(node.value()) - 4;   // "<!--"
    case pugi::node_pi:
    case pugi::node_declaration: return offset(node.name()) - 2;  // "<?"
    default: return src_.size();
  }
}

std::size_t SourceMap::node_end(pugi::xml_node node) const {
  switch (node.type()) {
    case pugi::node_element: return element(node).end;
    case pugi::node_pcdata: return find("<", offset(node.value()));
    case pugi::node_cdata: return std::min(find("]]>", offset(node.value())) + 3, src_.size());
    case pugi::node_comment: return std::min(find("-->", offset(node.value())) + 3, src_.size());
    case pugi::node_pi:
    case pugi::node_declaration: return std::min(find("?>", offset(node.name())) + 2, src_.size());
    default: return src_.size();
  }
}

Span SourceMap::node(pugi::xml_node node) const { return {node_begin(node), node_end(node)}; }

Span SourceMap::text_content(pugi::xml_node node) const {
  const std::size_t begin = offset(node.value());
  if (node.type() == pugi::node_cdata) return {begin, find("]]>", begin)};
  return {begin, find("<", begin)};
}

Span SourceMap::attribute_value(pugi::xml_attribute attribute) const {
  const std::size_t begin = offset(attribute.value());
  const char quote = attribute_quote(attribute);
  return {begin, find(std::string_view(&quote, 1), begin)};
}

char SourceMap::attribute_quote(pugi::xml_attribute attribute) const {
  const std::size_t begin = offset(attribute.value());
  return begin > 0 && begin <= src_.size() ? src_[begin - 1] : '"';
}

Span SourceMap::attribute_with_space(pugi::xml_attribute attribute) const {
  const std::size_t name = offset(attribute.name());
  const Span value = attribute_value(attribute);
  return {space_before(name), std::min(value.end + 1, src_.size())};
}

std::size_t SourceMap::space_before(std::size_t offset) const noexcept {
  while (offset > 0 && is_xml_space(src_[offset - 1])) --offset;
  return offset;
}

}  // namespace socialdefault::soap
