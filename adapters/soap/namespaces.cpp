#include "namespaces.hpp"

#include <cstring>
#include <vector>

namespace socialdefault::soap {

namespace {

// The prefix an attribute declares: "" for xmlns, "p" for xmlns:p; nullopt
// when the attribute is not a declaration.
std::optional<std::string_view> declared_prefix(pugi::xml_attribute attribute) noexcept {
  const std::string_view name = attribute.name();
  if (name == "xmlns") return std::string_view{};
  if (name.size() > 6 && name.substr(0, 6) == "xmlns:") return name.substr(6);
  return std::nullopt;
}

}  // namespace

QualifiedName split_name(std::string_view name) noexcept {
  const std::size_t colon = name.find(':');
  if (colon == std::string_view::npos) return {{}, name};
  return {name.substr(0, colon), name.substr(colon + 1)};
}

std::string to_string(const ExpandedName& name) {
  if (name.uri.empty()) return name.local;
  return "{" + name.uri + "}" + name.local;
}

bool is_namespace_declaration(pugi::xml_attribute attribute) noexcept {
  return declared_prefix(attribute).has_value();
}

std::optional<std::string_view> resolve_prefix(pugi::xml_node element, std::string_view prefix) {
  if (prefix == "xml") return kXmlNamespace;
  if (prefix == "xmlns") return kXmlnsNamespace;
  for (pugi::xml_node n = element; n && n.type() == pugi::node_element; n = n.parent()) {
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
      const auto declared = declared_prefix(a);
      if (declared && *declared == prefix) return std::string_view(a.value());
    }
  }
  if (prefix.empty()) return std::string_view{};  // no default namespace in scope
  return std::nullopt;
}

std::optional<std::string_view> element_namespace(pugi::xml_node element) {
  return resolve_prefix(element, split_name(element.name()).prefix);
}

std::optional<std::string_view> attribute_namespace(pugi::xml_node owner, pugi::xml_attribute attribute) {
  const QualifiedName q = split_name(attribute.name());
  if (q.prefix.empty()) {
    if (q.local == "xmlns") return kXmlnsNamespace;
    return std::string_view{};
  }
  return resolve_prefix(owner, q.prefix);
}

bool has_name(pugi::xml_node element, std::string_view uri, std::string_view local) {
  if (element.type() != pugi::node_element) return false;
  if (split_name(element.name()).local != local) return false;  // cheap test first
  const auto ns = element_namespace(element);
  return ns && *ns == uri;
}

bool has_name(pugi::xml_node owner, pugi::xml_attribute attribute, std::string_view uri, std::string_view local) {
  if (split_name(attribute.name()).local != local) return false;
  if (is_namespace_declaration(attribute)) return false;
  const auto ns = attribute_namespace(owner, attribute);
  return ns && *ns == uri;
}

pugi::xml_attribute find_attribute(pugi::xml_node element, std::string_view uri, std::string_view local) {
  for (pugi::xml_attribute a = element.first_attribute(); a; a = a.next_attribute()) {
    if (has_name(element, a, uri, local)) return a;
  }
  return {};
}

std::optional<std::string> usable_prefix(pugi::xml_node element, std::string_view uri, bool for_attribute) {
  if (uri == kXmlNamespace) return std::string("xml");
  const std::string_view own = split_name(element.name()).prefix;
  if (!(for_attribute && own.empty())) {
    const auto ns = element_namespace(element);
    if (ns && *ns == uri) return std::string(own);
  }
  // Walk outwards; a prefix seen closer in shadows the same prefix further out.
  std::vector<std::string_view> seen;
  for (pugi::xml_node n = element; n && n.type() == pugi::node_element; n = n.parent()) {
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
      const auto declared = declared_prefix(a);
      if (!declared) continue;
      bool shadowed = false;
      for (std::string_view s : seen) shadowed = shadowed || s == *declared;
      if (shadowed) continue;
      seen.push_back(*declared);
      if (uri != a.value()) continue;
      if (declared->empty() && for_attribute) continue;
      return std::string(*declared);
    }
  }
  return std::nullopt;
}

}  // namespace socialdefault::soap
