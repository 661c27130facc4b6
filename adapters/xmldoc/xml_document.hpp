// A standard business document (UBL, cXML) checked and parsed for reading.
// The checks are the SOAP adapter's (size, encoding via soap::check_encoding,
// depth, declared prefixes, entity and character references), except that
// the DOCTYPE policy is the caller's: UBL refuses any DOCTYPE, cXML accepts
// one that only names its DTD (never fetched) and refuses an internal subset
// that declares entities.
//
// Unlike SOAP messages, these documents are only read, never rewritten, so
// the parse works on a UTF-8 copy (ISO-8859-1 is widened first) and node
// positions only serve error messages.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "socialdefault/adapter.hpp"
#include "socialdefault/result.hpp"

namespace socialdefault::xmldoc {

enum class DoctypePolicy {
  refuse,          // no DOCTYPE at all (UBL)
  external_only,   // <!DOCTYPE cXML SYSTEM "url"> accepted and never fetched;
                   // an internal subset that declares entities is refused (cXML)
};

class XmlDocument {
 public:
  // Copies and checks the bytes. Errors are ErrorCode::xml with where =
  // "byte N"; format names the document type in messages ("a UBL document").
  static Result<std::unique_ptr<XmlDocument>> parse(std::string_view bytes, const Limits& limits,
                                                    DoctypePolicy policy, std::string_view format);

  XmlDocument(const XmlDocument&) = delete;
  XmlDocument& operator=(const XmlDocument&) = delete;

  std::string_view bytes() const noexcept { return original_; }
  pugi::xml_node root() const noexcept { return document_.document_element(); }
  // The DOCTYPE's system identifier (the DTD address), empty when none.
  const std::string& doctype_system_id() const noexcept { return system_id_; }

  // The namespace URI of an element, from the xmlns declarations in scope.
  std::string_view namespace_uri(pugi::xml_node element) const;
  static std::string_view local_name(pugi::xml_node element) noexcept;
  bool is(pugi::xml_node element, std::string_view ns, std::string_view local) const;

  // Child elements by namespace URI and local name (never by prefix).
  pugi::xml_node child(pugi::xml_node parent, std::string_view ns, std::string_view local) const;
  std::vector<pugi::xml_node> children(pugi::xml_node parent, std::string_view ns, std::string_view local) const;

  // The text of an element and its descendants (text and CDATA), trimmed of
  // XML whitespace at both ends. Already UTF-8 and decoded.
  static std::string text(pugi::xml_node element);
  static std::string attribute(pugi::xml_node element, const char* name);

  // "<cbc:ID> at line 12" for error messages.
  std::string describe(pugi::xml_node element) const;

 private:
  XmlDocument() = default;
  Result<void> check_tree(const Limits& limits) const;

  std::string original_;     // the document as it came
  std::string utf8_;         // the UTF-8 copy pugixml parses
  std::string system_id_;
  pugi::xml_document document_;
};

}  // namespace socialdefault::xmldoc
