#include "xml_document.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "encoding.hpp"
#include "soap_message.hpp"

namespace socialdefault::xmldoc {

namespace {

using soap::is_xml_space;
using soap::line_and_column;

std::string byte_at(std::size_t offset) { return "byte " + std::to_string(offset); }

bool is_name_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':';
}

bool is_xml_char(unsigned long c) noexcept {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

// Skips a quoted literal starting at s[i] (a quote); returns the index after
// it, or npos when it does not end.
std::size_t skip_literal(std::string_view s, std::size_t i) {
  const std::size_t end = s.find(s[i], i + 1);
  return end == std::string_view::npos ? end : end + 1;
}

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && is_xml_space(s[i])) ++i;
  return i;
}

// Reads "<!DOCTYPE name [SYSTEM "x" | PUBLIC "p" "x"] [ [subset] ] >" at s[at];
// refuses an internal subset that declares an entity. Returns the index
// after the '>'.
Result<std::size_t> read_doctype(std::string_view s, std::size_t at, std::string_view format, std::string& system_id) {
  const auto fail = [&](const std::string& what, std::size_t where) -> Error {
    return make_error(ErrorCode::xml, what + " (" + line_and_column(s, where) + ")", byte_at(where));
  };
  std::size_t i = skip_space(s, at + 9);
  while (i < s.size() && is_name_char(s[i])) ++i;
  i = skip_space(s, i);
  const auto keyword = [&](std::string_view word) { return s.compare(i, word.size(), word) == 0; };
  if (keyword("SYSTEM") || keyword("PUBLIC")) {
    const bool is_public = keyword("PUBLIC");
    i = skip_space(s, i + 6);
    for (int literal = 0; literal < (is_public ? 2 : 1); ++literal) {
      if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) {
        return fail("the DOCTYPE of " + std::string(format) + " has no quoted " +
                        (literal == 0 && is_public ? "public" : "system") + " identifier",
                    i);
      }
      const std::size_t end = skip_literal(s, i);
      if (end == std::string_view::npos) return fail("the DOCTYPE's identifier is not closed", i);
      if (literal == (is_public ? 1 : 0)) system_id.assign(s.substr(i + 1, end - i - 2));
      i = skip_space(s, end);
    }
  }
  if (i < s.size() && s[i] == '[') {
    const std::size_t subset = i;
    ++i;
    while (i < s.size() && s[i] != ']') {
      if (s[i] == '"' || s[i] == '\'') {
        i = skip_literal(s, i);
        if (i == std::string_view::npos) return fail("a literal in the DOCTYPE's internal subset is not closed", subset);
      } else if (s.compare(i, 4, "<!--") == 0) {
        const std::size_t end = s.find("-->", i + 4);
        if (end == std::string_view::npos) return fail("a comment in the DOCTYPE is not closed", i);
        i = end + 3;
      } else if (s.compare(i, 8, "<!ENTITY") == 0) {
        return fail("the DOCTYPE's internal subset declares an entity; " + std::string(format) +
                        " may name its DTD but not declare entities (entity expansion and external fetches are "
                        "refused)",
                    i);
      } else {
        ++i;
      }
    }
    if (i >= s.size()) return fail("the DOCTYPE's internal subset is not closed with ']'", subset);
    i = skip_space(s, i + 1);
  }
  if (i >= s.size() || s[i] != '>') return fail("the DOCTYPE is not closed with '>'", at);
  return i + 1;
}

// What may come before the root element: the XML declaration, comments,
// processing instructions, whitespace, and (by policy) one DOCTYPE.
// Returns the offset of the root element's '<'.
Result<std::size_t> check_prolog(std::string_view s, std::size_t i, DoctypePolicy policy, std::string_view format,
                                 std::string& system_id) {
  if (s.substr(i, 5) == "<?xml" && i + 5 < s.size() && is_xml_space(s[i + 5])) {
    i = s.find("?>", i);
    if (i == std::string_view::npos) return s.size();  // pugixml reports it
    i += 2;
  }
  bool seen_doctype = false;
  while (i < s.size()) {
    if (is_xml_space(s[i])) {
      ++i;
    } else if (s.compare(i, 4, "<!--") == 0) {
      const std::size_t end = s.find("-->", i + 4);
      if (end == std::string_view::npos) return s.size();
      i = end + 3;
    } else if (s.compare(i, 9, "<!DOCTYPE") == 0) {
      if (policy == DoctypePolicy::refuse) {
        return make_error(ErrorCode::xml,
                          "a DOCTYPE is not allowed in " + std::string(format) +
                              " (it opens the door to entity expansion and external fetches) (" +
                              line_and_column(s, i) + ")",
                          byte_at(i));
      }
      if (seen_doctype) {
        return make_error(ErrorCode::xml, "a second DOCTYPE (" + line_and_column(s, i) + ")", byte_at(i));
      }
      seen_doctype = true;
      auto end = read_doctype(s, i, format, system_id);
      if (!end) return std::move(end).error();
      i = *end;
    } else if (s.compare(i, 2, "<?") == 0) {
      if (s.compare(i, 5, "<?xml") == 0 && (i + 5 >= s.size() || is_xml_space(s[i + 5]) || s[i + 5] == '?')) {
        return make_error(ErrorCode::xml,
                          "the XML declaration must be at the very start of the document (" +
                              line_and_column(s, i) + ")",
                          byte_at(i));
      }
      const std::size_t end = s.find("?>", i + 2);
      if (end == std::string_view::npos) return s.size();
      i = end + 2;
    } else if (s[i] == '<') {
      return i;
    } else {
      return make_error(ErrorCode::xml,
                        "text before the root element; expected only the XML declaration, comments and whitespace (" +
                            line_and_column(s, i) + ")",
                        byte_at(i));
    }
  }
  return i;
}

// From the root element on: every '&' starts one of the five predefined
// entities or a character reference to an XML character. A reference to any
// other entity would need a DTD, which is never read; pugixml would keep it
// as text. A DOCTYPE after the root element is refused too.
Result<void> check_references(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    const std::size_t next = s.find_first_of("<&", i);
    if (next == std::string_view::npos) return {};
    i = next;
    if (s[i] == '<') {
      std::string_view close;
      if (s.compare(i, 4, "<!--") == 0) {
        close = "-->";
      } else if (s.compare(i, 9, "<![CDATA[") == 0) {
        close = "]]>";
      } else if (s.compare(i, 2, "<?") == 0) {
        close = "?>";
      } else if (s.compare(i, 9, "<!DOCTYPE") == 0) {
        return make_error(ErrorCode::xml, "a DOCTYPE after the root element (" + line_and_column(s, i) + ")",
                          byte_at(i));
      }
      if (close.empty()) {
        ++i;
        continue;
      }
      const std::size_t end = s.find(close, i + 2);
      if (end == std::string_view::npos) return {};  // pugixml reports it
      i = end + close.size();
      continue;
    }
    const std::size_t semicolon = s.find(';', i + 1);
    const std::string_view name =
        semicolon == std::string_view::npos || semicolon - i > 12 ? std::string_view{} : s.substr(i + 1, semicolon - i - 1);
    bool ok = name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos";
    if (!ok && name.size() >= 2 && name[0] == '#') {
      const bool hex = name[1] == 'x';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      unsigned long value = 0;
      ok = !digits.empty();
      for (char c : digits) {
        int d = -1;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        if (d < 0 || value > 0x10FFFF) {
          ok = false;
          break;
        }
        value = value * (hex ? 16 : 10) + static_cast<unsigned long>(d);
      }
      ok = ok && is_xml_char(value);
    }
    if (!ok) {
      const std::string shown(s.substr(i, name.empty() ? 1 : name.size() + 2));
      return make_error(ErrorCode::xml,
                        "the reference " + soap::in_quotes(shown) + " (" + line_and_column(s, i) +
                            ") is not one of &amp; &lt; &gt; &quot; &apos; or a character reference to an XML "
                            "character; entities from a DTD are never read",
                        byte_at(i));
    }
    i = semicolon + 1;
  }
  return {};
}

// The namespace bound to a prefix at an element ("" is the default namespace).
std::optional<std::string_view> resolve(pugi::xml_node element, std::string_view prefix) {
  if (prefix == "xml") return std::string_view("http://www.w3.org/XML/1998/namespace");
  const std::string attribute = prefix.empty() ? std::string("xmlns") : "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = element; n && n.type() == pugi::node_element; n = n.parent()) {
    if (const pugi::xml_attribute a = n.attribute(attribute.c_str())) return std::string_view(a.value());
  }
  if (prefix.empty()) return std::string_view{};
  return std::nullopt;
}

std::string_view prefix_of(const char* name) {
  const char* colon = std::strchr(name, ':');
  return colon == nullptr ? std::string_view{} : std::string_view(name, static_cast<std::size_t>(colon - name));
}

}  // namespace

Result<std::unique_ptr<XmlDocument>> XmlDocument::parse(std::string_view bytes, const Limits& limits,
                                                        DoctypePolicy policy, std::string_view format) {
  if (bytes.size() > limits.max_bytes) {
    return make_error(ErrorCode::xml,
                      "the document is " + std::to_string(bytes.size()) + " bytes; the limit is " +
                          std::to_string(limits.max_bytes) + " bytes",
                      byte_at(limits.max_bytes));
  }
  if (soap::trim_xml_space(bytes).empty()) return make_error(ErrorCode::xml, "the document is empty", byte_at(0));
  auto encoding = soap::check_encoding(bytes);
  if (!encoding) return std::move(encoding).error();

  std::unique_ptr<XmlDocument> doc(new XmlDocument());
  doc->original_.assign(bytes);
  const std::string_view body = bytes.substr(encoding->bom_size);
  if (encoding->encoding == soap::Encoding::latin1) {
    soap::append_as_utf8(doc->utf8_, body, soap::Encoding::latin1);
  } else {
    doc->utf8_.assign(body);
  }
  const std::string_view text = doc->utf8_;
  auto root = check_prolog(text, 0, policy, format, doc->system_id_);
  if (!root) return std::move(root).error();
  if (auto refs = check_references(text, *root); !refs) return std::move(refs).error();

  // pugixml skips the DOCTYPE (parse_doctype is off) and never expands an
  // entity; the checks above made sure there is nothing to expand.
  const pugi::xml_parse_result parsed =
      doc->document_.load_buffer(doc->utf8_.data(), doc->utf8_.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    const auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(parsed.offset, 0));
    return make_error(ErrorCode::xml,
                      std::string("not well-formed XML: ") + parsed.description() + " (" +
                          line_and_column(text, offset) + ")",
                      byte_at(offset));
  }
  if (!doc->root()) return make_error(ErrorCode::xml, "no root element", byte_at(0));
  if (auto tree = doc->check_tree(limits); !tree) return std::move(tree).error();
  return doc;
}

// Depth and declared prefixes, in one iterative walk (a deep document cannot
// exhaust the stack).
Result<void> XmlDocument::check_tree(const Limits& limits) const {
  const pugi::xml_node root = this->root();
  pugi::xml_node node = root;
  std::size_t depth = 1;
  while (true) {
    if (depth > limits.max_depth) {
      return make_error(ErrorCode::xml,
                        "elements are nested deeper than the limit of " + std::to_string(limits.max_depth) +
                            " levels (" + describe(node) + ")",
                        byte_at(static_cast<std::size_t>(std::max<std::ptrdiff_t>(node.offset_debug(), 0))));
    }
    const std::string_view prefix = prefix_of(node.name());
    if (!prefix.empty() && !resolve(node, prefix)) {
      return make_error(ErrorCode::xml,
                        "the prefix " + soap::in_quotes(prefix) + " of " + describe(node) + " is not declared",
                        byte_at(static_cast<std::size_t>(std::max<std::ptrdiff_t>(node.offset_debug(), 0))));
    }
    for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
      const std::string_view p = prefix_of(a.name());
      if (!p.empty() && p != "xmlns" && !resolve(node, p)) {
        return make_error(ErrorCode::xml,
                          "the prefix " + soap::in_quotes(p) + " of the attribute " + soap::in_quotes(a.name()) +
                              " of " + describe(node) + " is not declared",
                          byte_at(static_cast<std::size_t>(std::max<std::ptrdiff_t>(node.offset_debug(), 0))));
      }
    }
    pugi::xml_node next = node.find_child([](pugi::xml_node c) { return c.type() == pugi::node_element; });
    if (next) {
      node = next;
      ++depth;
      continue;
    }
    while (node != root) {
      pugi::xml_node sibling = node.next_sibling();
      while (sibling && sibling.type() != pugi::node_element) sibling = sibling.next_sibling();
      if (sibling) {
        node = sibling;
        break;
      }
      node = node.parent();
      --depth;
    }
    if (node == root) break;
  }
  return {};
}

std::string_view XmlDocument::namespace_uri(pugi::xml_node element) const {
  return resolve(element, prefix_of(element.name())).value_or(std::string_view{});
}

std::string_view XmlDocument::local_name(pugi::xml_node element) noexcept {
  const char* name = element.name();
  const char* colon = std::strchr(name, ':');
  return colon == nullptr ? std::string_view(name) : std::string_view(colon + 1);
}

bool XmlDocument::is(pugi::xml_node element, std::string_view ns, std::string_view local) const {
  return element.type() == pugi::node_element && local_name(element) == local && namespace_uri(element) == ns;
}

pugi::xml_node XmlDocument::child(pugi::xml_node parent, std::string_view ns, std::string_view local) const {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (is(c, ns, local)) return c;
  }
  return {};
}

std::vector<pugi::xml_node> XmlDocument::children(pugi::xml_node parent, std::string_view ns,
                                                  std::string_view local) const {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (is(c, ns, local)) out.push_back(c);
  }
  return out;
}

std::string XmlDocument::text(pugi::xml_node element) {
  std::string out;
  for (pugi::xml_node n = element.first_child(); n;) {
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) out += n.value();
    if (n.first_child()) {
      n = n.first_child();
      continue;
    }
    while (n && n != element && !n.next_sibling()) n = n.parent();
    if (!n || n == element) break;
    n = n.next_sibling();
  }
  return std::string(soap::trim_xml_space(out));
}

std::string XmlDocument::attribute(pugi::xml_node element, const char* name) {
  return std::string(soap::trim_xml_space(element.attribute(name).value()));
}

std::string XmlDocument::describe(pugi::xml_node element) const {
  std::string out = "<" + std::string(element.name()) + ">";
  const std::ptrdiff_t offset = element.offset_debug();
  if (offset >= 0) {
    const std::string_view text = utf8_;
    const auto line = 1 + std::count(text.begin(), text.begin() + std::min<std::ptrdiff_t>(offset, static_cast<std::ptrdiff_t>(text.size())), '\n');
    out += " at line " + std::to_string(line);
  }
  return out;
}

}  // namespace socialdefault::xmldoc
