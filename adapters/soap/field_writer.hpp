// Writes values into a message as edits of a Splice: the text of an element,
// the value of an attribute, elements and attributes created where the
// mapping's path does not exist yet, and removals. Every edit touches only
// the bytes of the value it changes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "path.hpp"
#include "soap_message.hpp"
#include "splice.hpp"

namespace socialdefault::soap {

class FieldWriter {
 public:
  FieldWriter(const SoapMessage& message, Splice& splice) noexcept : message_(message), splice_(splice) {}

  enum class Mode {
    replace,  // the value becomes the new text
    append,   // the new text follows existing text, after a separator
  };

  // Writes value where path leads from base, creating what is missing: a
  // missing attribute is added to its element; missing elements go after
  // the last child element of the deepest one that exists, indented like it
  // -- or, when `before` leads from base to an existing sibling there (the
  // note element, which schemas put last), just before that sibling.
  // field names the mapping entry in errors.
  Result<void> write(pugi::xml_node base, const Path& path, std::string_view value, const std::string& field,
                     Mode mode = Mode::replace, std::string_view separator = {}, const Path* before = nullptr);

  // Replaces the character content of an existing element. Only the
  // non-blank text is replaced: the whitespace around it, comments and a
  // CDATA wrapper stay. Nothing is edited when the value is already there.
  Result<void> set_text(pugi::xml_node element, std::string_view value, const std::string& field);
  Result<void> append_text(pugi::xml_node element, std::string_view value, std::string_view separator,
                           const std::string& field);
  Result<void> set_attribute(pugi::xml_node owner, const ExpandedName& name, std::string_view value);

  // Removes a node together with the whitespace that precedes it.
  void remove(pugi::xml_node node);
  void remove(pugi::xml_attribute attribute);
  // Removes the non-blank text of a text node (or a whole CDATA section).
  void remove_text(pugi::xml_node text);

 private:
  Result<void> create(pugi::xml_node parent, const Path& path, std::size_t first_missing, std::string_view value,
                      pugi::xml_node before);
  // Turns <a/> into <a></a> (once per element) so content can be inserted.
  void open_empty_element(pugi::xml_node element);
  std::string escaped_text(std::string_view value, Result<void>& status) const;

  const SoapMessage& message_;
  Splice& splice_;
  std::vector<pugi::xml_node> opened_;
};

}  // namespace socialdefault::soap
