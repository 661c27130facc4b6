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

bool ChildMatcher::matches(pugi::xml_node child, const ExpandedName& name) {
  if (child.type() != pugi::node_element) return false;
  const char* written = child.name();
  const char* colon = std::strchr(written, ':');
  const std::string_view prefix = colon == nullptr ? std::string_view{} : std::string_view(written, colon - written);
  if (std::string_view(colon == nullptr ? written : colon + 1) != name.local) return false;
  for (pugi::xml_attribute a = child.first_attribute(); a; a = a.next_attribute()) {
    if (is_namespace_declaration(a)) {  // a scope of its own
      const auto ns = element_namespace(child);
      return ns && *ns == name.uri;
    }
  }
  if (!cached_ || prefix != prefix_) {
    uri_ = resolve_prefix(parent_, prefix);
    prefix_ = prefix;
    cached_ = true;
  }
  return uri_ && *uri_ == name.uri;
}

namespace {

bool declares_namespaces(pugi::xml_node element) {
  for (pugi::xml_attribute a = element.first_attribute(); a; a = a.next_attribute()) {
    const char* n = a.name();  // "xmlns" or "xmlns:p": only names starting with 'x' can declare
    if (n[0] == 'x' && is_namespace_declaration(a)) return true;
  }
  return false;
}

}  // namespace

ChildIndex::ChildIndex(pugi::xml_node parent, SharedScope& shared) : parent_(parent) {
  entries_.reserve(8);  // a candidate has a handful of fields: one allocation, no regrowth
  // The children of an element that declares nothing resolve in its
  // parent's scope, which its siblings share.
  const bool own_scope = declares_namespaces(parent);
  SharedScope local;
  SharedScope& scope = own_scope ? local : shared;
  const pugi::xml_node scope_owner = own_scope ? parent : parent.parent();
  if (scope.parent != scope_owner) {
    scope.parent = scope_owner;
    scope.cached = false;
  }
  for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    const char* written = child.name();
    const char* colon = std::strchr(written, ':');
    const std::string_view prefix = colon == nullptr ? std::string_view{} : std::string_view(written, colon - written);
    std::optional<std::string_view> uri;
    if (declares_namespaces(child)) {
      uri = element_namespace(child);
    } else {
      if (!scope.cached || prefix != scope.prefix) {
        scope.uri = resolve_prefix(parent, prefix);
        scope.prefix = prefix;
        scope.cached = true;
      }
      uri = scope.uri;
    }
    if (uri) entries_.push_back({child, *uri, colon == nullptr ? std::string_view(written) : std::string_view(colon + 1)});
  }
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
