// In-scope namespace resolution for pugixml nodes. pugixml keeps names as
// written ("soap:Body"); we match by namespace URI and local name only, so
// every comparison resolves the prefix against the xmlns declarations of the
// element and its ancestors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

namespace socialdefault::soap {

inline constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";
inline constexpr std::string_view kXmlnsNamespace = "http://www.w3.org/2000/xmlns/";

// A name as written, split at the colon: "soap:Body" -> {"soap", "Body"}.
struct QualifiedName {
  std::string_view prefix;  // empty when unprefixed
  std::string_view local;
};
QualifiedName split_name(std::string_view name) noexcept;

// A namespace URI plus local name: what we compare.
struct ExpandedName {
  std::string uri;    // empty: no namespace
  std::string local;
  bool operator==(const ExpandedName&) const = default;
};
// "{uri}local", or "local" without a namespace: how names appear in messages.
std::string to_string(const ExpandedName& name);

// The URI bound to prefix ("" = the default namespace) in scope at element;
// nullopt when the prefix is not declared. An empty default namespace
// (xmlns="") resolves to "" (no namespace).
std::optional<std::string_view> resolve_prefix(pugi::xml_node element, std::string_view prefix);

// The namespace of an element ("" for none); nullopt when its prefix is unbound.
std::optional<std::string_view> element_namespace(pugi::xml_node element);
// The namespace of an attribute of owner: unprefixed attributes have none.
std::optional<std::string_view> attribute_namespace(pugi::xml_node owner, pugi::xml_attribute attribute);

bool is_namespace_declaration(pugi::xml_attribute attribute) noexcept;

// True when the element has this URI and local name.
bool has_name(pugi::xml_node element, std::string_view uri, std::string_view local);
inline bool has_name(pugi::xml_node element, const ExpandedName& name) {
  return has_name(element, name.uri, name.local);
}
// True when owner's attribute has this URI and local name.
bool has_name(pugi::xml_node owner, pugi::xml_attribute attribute, std::string_view uri, std::string_view local);

// Matches the element children of one parent by URI and local name. Children
// that declare no namespaces share their parent's scope, so a prefix is
// resolved once per parent instead of once per child: lists of hundreds of
// candidates stay cheap.
class ChildMatcher {
 public:
  explicit ChildMatcher(pugi::xml_node parent) noexcept : parent_(parent) {}
  bool matches(pugi::xml_node child, const ExpandedName& name);

 private:
  pugi::xml_node parent_;
  bool cached_ = false;
  std::string_view prefix_;
  std::optional<std::string_view> uri_;
};

// The element children of one element with their namespace URIs resolved,
// built once when several paths start at the same element (the fields of a
// candidate), so each path looks through a small array instead of the tree.
class ChildIndex {
 public:
  struct Entry {
    pugi::xml_node node;
    std::string_view uri;
    std::string_view local;
  };
  // Built for many siblings in a row (the candidates of a list): scope
  // carries the last prefix resolved in their parent's scope from one to the
  // next, so a list of hundreds resolves it once.
  struct SharedScope {
    pugi::xml_node parent;   // whose scope the cached prefix was resolved in
    std::string_view prefix;
    std::optional<std::string_view> uri;
    bool cached = false;
  };
  ChildIndex(pugi::xml_node parent, SharedScope& scope);
  pugi::xml_node parent() const noexcept { return parent_; }
  const std::vector<Entry>& entries() const noexcept { return entries_; }

 private:
  pugi::xml_node parent_;
  std::vector<Entry> entries_;
};

// The attribute of element with this URI and local name, or an empty handle.
pugi::xml_attribute find_attribute(pugi::xml_node element, std::string_view uri, std::string_view local);

// A prefix that is bound to uri in scope at element and can be used there:
// the element's own prefix when it fits, else the nearest declaration that is
// not shadowed. "" means the default namespace (never for attributes).
// nullopt when nothing in scope binds uri.
std::optional<std::string> usable_prefix(pugi::xml_node element, std::string_view uri, bool for_attribute);

}  // namespace socialdefault::soap
