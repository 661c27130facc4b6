// The small path language of mapping files, compiled once at load:
//   path      := "." | steps | steps "/@" name | "@" name
//   steps     := step ("/" step)*
//   step      := prefix ":" local | local      (an unprefixed step has no namespace)
// Every prefix is resolved to a URI at compile time against the mapping's own
// <namespace> declarations, so evaluation compares URI + local name and never
// looks at the prefixes a message happens to use.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "namespaces.hpp"

namespace socialdefault::soap {

// prefix -> URI, as declared in the mapping file.
using NamespaceTable = std::vector<std::pair<std::string, std::string>>;

// A prefixed name resolved against the table; on failure, what was wrong and
// what was expected (without location: the caller knows the file and line).
struct NameOrProblem {
  std::optional<ExpandedName> name;
  std::string problem;
};
NameOrProblem compile_name(std::string_view written, const NamespaceTable& namespaces);

class Path {
 public:
  enum class Ends { element, element_or_attribute };

  struct Compiled;  // Path or the problem, see compile()

  // Compiles text; `ends` says whether a final @attribute is allowed.
  static Compiled compile(std::string_view text, const NamespaceTable& namespaces, Ends ends);

  const std::string& text() const noexcept { return text_; }
  const std::vector<ExpandedName>& steps() const noexcept { return steps_; }
  const std::optional<ExpandedName>& attribute() const noexcept { return attribute_; }

  // Where a path leads from base. element is the last step's element (the
  // owner when the path ends in an attribute); attribute is set when the path
  // ends in an attribute that exists. For reading, an element that has the
  // attribute is preferred over an earlier one that lacks it.
  struct Location {
    pugi::xml_node element;
    pugi::xml_attribute attribute;
    bool attribute_expected = false;  // the path ends in an attribute
    bool found() const noexcept;      // the element, and the attribute if one is named
  };
  Location locate(pugi::xml_node base) const;

  // Every element the steps lead to, in document order.
  void collect(pugi::xml_node base, std::vector<pugi::xml_node>& out) const;

  // The deepest element that exists along the path (base itself when the
  // first step is missing) and how many steps it matched: what must be
  // created to complete the path.
  std::pair<pugi::xml_node, std::size_t> deepest(pugi::xml_node base) const;

 private:
  std::string text_;
  std::vector<ExpandedName> steps_;
  std::optional<ExpandedName> attribute_;
};

struct Path::Compiled {
  std::optional<Path> path;
  std::string problem;
};

}  // namespace socialdefault::soap
