#include "field_writer.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace socialdefault::soap {

namespace {

bool has_child_element(pugi::xml_node element) {
  for (pugi::xml_node c = element.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) return true;
  }
  return false;
}

pugi::xml_node last_child_element(pugi::xml_node element) {
  for (pugi::xml_node c = element.last_child(); c; c = c.previous_sibling()) {
    if (c.type() == pugi::node_element) return c;
  }
  return {};
}

// The raw bytes of a text node without the whitespace around them.
Span trimmed(const SourceMap& source, Span raw) {
  const std::string_view text = source.text(raw);
  const std::string_view core = trim_xml_space(text);
  if (core.empty()) return {raw.end, raw.end};
  const std::size_t lead = static_cast<std::size_t>(core.data() - text.data());
  return {raw.begin + lead, raw.begin + lead + core.size()};
}

// Text and CDATA children that carry the value; whitespace-only text does not.
std::vector<pugi::xml_node> value_nodes(const SourceMap& source, pugi::xml_node element) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c = element.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_cdata) {
      out.push_back(c);
    } else if (c.type() == pugi::node_pcdata) {
      const Span raw = source.text_content(c);
      if (!trim_xml_space(source.text(raw)).empty()) out.push_back(c);
    }
  }
  return out;
}

// The prefix for an attribute in namespace uri on an element within scope.
// When no prefix binds uri there, a fresh one ("sd", "sd2", ...) is made up
// and its declaration appended to out, before the attribute.
Result<std::string> attribute_prefix(pugi::xml_node scope, std::string_view uri, Encoding encoding, std::string& out) {
  if (const auto usable = usable_prefix(scope, uri, true)) return std::string(*usable);
  std::string prefix = "sd";
  for (int n = 2; resolve_prefix(scope, prefix); ++n) prefix = "sd" + std::to_string(n);
  out += "xmlns:";
  out += prefix;
  out += "=\"";
  auto escaped = append_escaped(out, uri, encoding, EscapeContext::attribute);
  if (!escaped) return std::move(escaped).error();
  out += "\" ";
  return prefix;
}

}  // namespace

std::string FieldWriter::escaped_text(std::string_view value, Result<void>& status) const {
  std::string out;
  auto escaped = append_escaped(out, value, message_.encoding(), EscapeContext::text);
  if (!escaped) status = std::move(escaped).error();
  return out;
}

Result<void> FieldWriter::set_text(pugi::xml_node element, std::string_view value, const std::string& field) {
  if (has_child_element(element)) {
    return make_error(ErrorCode::mapping,
                      message_.describe(element) + " has child elements; expected an element with a simple value",
                      field);
  }
  if (auto current = message_.text(element); current && *current == value) return {};
  Result<void> status;
  const SourceMap& source = message_.source();
  const std::vector<pugi::xml_node> texts = value_nodes(source, element);
  if (texts.empty()) {
    const ElementSpan span = source.element(element);
    std::string text = escaped_text(value, status);
    if (!status) return status;
    if (span.self_closing) {
      open_empty_element(element);
      splice_.insert(span.start_tag_end - 1, std::move(text));
    } else {
      splice_.insert(span.start_tag_end, std::move(text));
    }
    return {};
  }
  const pugi::xml_node first = texts.front();
  if (first.type() == pugi::node_pcdata) {
    splice_.replace(trimmed(source, source.text_content(first)), escaped_text(value, status));
  } else {
    std::string inside;
    if (append_cdata_content(inside, value, message_.encoding())) {
      splice_.replace(source.text_content(first), std::move(inside));
    } else {
      splice_.replace(source.node(first), escaped_text(value, status));
    }
  }
  if (!status) return status;
  for (std::size_t i = 1; i < texts.size(); ++i) remove_text(texts[i]);
  return {};
}

Result<void> FieldWriter::append_text(pugi::xml_node element, std::string_view value, std::string_view separator,
                                      const std::string& field) {
  if (has_child_element(element)) {
    return make_error(ErrorCode::mapping,
                      message_.describe(element) + " has child elements; expected an element with a simple value",
                      field);
  }
  const SourceMap& source = message_.source();
  const std::vector<pugi::xml_node> texts = value_nodes(source, element);
  if (texts.empty()) return set_text(element, value, field);
  Result<void> status;
  std::string text = escaped_text(std::string(separator) + std::string(value), status);
  if (!status) return status;
  const pugi::xml_node last = texts.back();
  const std::size_t at = last.type() == pugi::node_pcdata ? trimmed(source, source.text_content(last)).end
                                                          : source.node(last).end;
  splice_.insert(at, std::move(text));
  return {};
}

Result<void> FieldWriter::set_attribute(pugi::xml_node owner, const ExpandedName& name, std::string_view value) {
  const SourceMap& source = message_.source();
  if (pugi::xml_attribute existing = find_attribute(owner, name.uri, name.local)) {
    if (auto current = message_.value(existing); current && *current == value) return {};
    const char quote = source.attribute_quote(existing);
    std::string text;
    auto escaped = append_escaped(text, value, message_.encoding(), EscapeContext::attribute, quote);
    if (!escaped) return escaped;
    splice_.replace(source.attribute_value(existing), std::move(text));
    return {};
  }
  std::string text = " ";
  if (!name.uri.empty()) {
    auto prefix = attribute_prefix(owner, name.uri, message_.encoding(), text);
    if (!prefix) return std::move(prefix).error();
    text += *prefix + ":";
  }
  // Quoted like the element's other attributes.
  char quote = '"';
  for (pugi::xml_attribute a = owner.first_attribute(); a; a = a.next_attribute()) quote = source.attribute_quote(a);
  text += name.local + "=" + quote;
  auto escaped = append_escaped(text, value, message_.encoding(), EscapeContext::attribute, quote);
  if (!escaped) return escaped;
  text += quote;
  splice_.insert(source.element(owner).attributes_end, std::move(text));
  return {};
}

Result<void> FieldWriter::write(pugi::xml_node base, const Path& path, std::string_view value, const std::string& field,
                                Mode mode, std::string_view separator, const Path* before,
                                const ChildIndex* children) {
  const auto [node, matched] = path.deepest(base, children);
  if (matched < path.steps().size()) {
    pugi::xml_node anchor;
    if (before != nullptr) {
      const auto [sibling, found] = before->deepest(base, children);
      if (found == before->steps().size() && found > 0 && sibling.parent() == node) anchor = sibling;
    }
    return create(node, path, matched, value, anchor);
  }
  if (path.attribute()) {
    if (mode == Mode::append) {
      if (pugi::xml_attribute existing = find_attribute(node, path.attribute()->uri, path.attribute()->local)) {
        auto current = message_.value(existing);
        if (!current) return std::move(current).error();
        if (!trim_xml_space(*current).empty()) {
          return set_attribute(node, *path.attribute(), *current + std::string(separator) + std::string(value));
        }
      }
    }
    return set_attribute(node, *path.attribute(), value);
  }
  return mode == Mode::append ? append_text(node, value, separator, field) : set_text(node, value, field);
}

void FieldWriter::open_empty_element(pugi::xml_node element) {
  if (std::find(opened_.begin(), opened_.end(), element) != opened_.end()) return;
  opened_.push_back(element);
  const ElementSpan span = message_.source().element(element);
  // "<a/>" becomes "<a>" + whatever is inserted at the '>' + "</a>": two
  // edits, so that several insertions can go in between.
  splice_.replace({span.start_tag_end - 2, span.start_tag_end - 1}, ">");
  splice_.replace({span.start_tag_end - 1, span.start_tag_end}, "</" + std::string(element.name()) + ">");
}

Result<void> FieldWriter::create(pugi::xml_node parent, const Path& path, std::size_t first_missing,
                                 std::string_view value, pugi::xml_node before) {
  const Encoding encoding = message_.encoding();
  std::string open;
  std::string close;
  std::string default_ns(resolve_prefix(parent, "").value_or(""));
  const auto& steps = path.steps();
  for (std::size_t k = first_missing; k < steps.size(); ++k) {
    const ExpandedName& step = steps[k];
    std::string declaration;
    std::string qname;
    if (step.uri.empty()) {
      if (!default_ns.empty()) {
        declaration = " xmlns=\"\"";
        default_ns.clear();
      }
      qname = step.local;
    } else {
      // Prefer a prefix the message already binds (the parent's own first),
      // so the new element looks like its neighbours.
      std::string prefix;
      bool bound = default_ns == step.uri;  // the default namespace, maybe declared by our own parent
      if (const auto usable = usable_prefix(parent, step.uri, false); usable && !usable->empty()) {
        prefix = *usable;
        bound = true;
      }
      if (!bound) {
        declaration = " xmlns=\"";
        auto escaped = append_escaped(declaration, step.uri, encoding, EscapeContext::attribute);
        if (!escaped) return escaped;
        declaration += '"';
        default_ns = step.uri;
      }
      qname = prefix.empty() ? step.local : prefix + ":" + step.local;
    }
    open += "<" + qname + declaration;
    if (k + 1 == steps.size() && path.attribute()) {
      const ExpandedName& attribute = *path.attribute();
      open += " ";
      if (!attribute.uri.empty()) {
        auto prefix = attribute_prefix(parent, attribute.uri, encoding, open);
        if (!prefix) return std::move(prefix).error();
        open += *prefix + ":";
      }
      open += attribute.local + "=\"";
      auto escaped = append_escaped(open, value, encoding, EscapeContext::attribute);
      if (!escaped) return escaped;
      open += "\"/>";
    } else {
      open += ">";
      close = "</" + qname + ">" + close;
    }
  }
  if (!path.attribute()) {
    auto escaped = append_escaped(open, value, encoding, EscapeContext::text);
    if (!escaped) return escaped;
  }
  std::string element = open + close;

  const SourceMap& source = message_.source();
  if (before) {
    // Before the anchor, taking over its indentation for the anchor.
    const std::size_t begin = source.element(before).begin;
    const std::string_view indent = source.original().substr(source.space_before(begin), begin - source.space_before(begin));
    splice_.insert(begin, element + std::string(indent));
    return {};
  }
  if (const pugi::xml_node last = last_child_element(parent)) {
    // After the last child element, indented like it.
    const std::size_t begin = source.element(last).begin;
    const std::string_view indent = source.original().substr(source.space_before(begin), begin - source.space_before(begin));
    splice_.insert(source.element(last).end, std::string(indent) + element);
    return {};
  }
  const ElementSpan span = source.element(parent);
  if (span.self_closing) {
    open_empty_element(parent);
    splice_.insert(span.start_tag_end - 1, std::move(element));
  } else {
    splice_.insert(span.content_end, std::move(element));
  }
  return {};
}

void FieldWriter::remove(pugi::xml_node node) {
  const SourceMap& source = message_.source();
  const Span span = source.node(node);
  splice_.replace({source.space_before(span.begin), span.end}, "");
}

void FieldWriter::remove(pugi::xml_attribute attribute) {
  splice_.replace(message_.source().attribute_with_space(attribute), "");
}

void FieldWriter::remove_text(pugi::xml_node text) {
  const SourceMap& source = message_.source();
  if (text.type() == pugi::node_cdata) {
    splice_.replace(source.node(text), "");
  } else {
    const Span core = trimmed(source, source.text_content(text));
    if (core.size() > 0) splice_.replace(core, "");
  }
}

}  // namespace socialdefault::soap
