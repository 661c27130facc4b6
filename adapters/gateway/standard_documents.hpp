// Which standard order document a request body is, so the gateway hands it
// to the ubl or cxml adapter instead of the route's own (docs/gateway.md,
// docs/standard-documents.md). Decided by the content type and the root
// element, without parsing: the adapter checks the document itself. A
// PunchOut cart posted as an HTML form is decoded here; the gateway still
// forwards the form's own bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "cxml_form.hpp"
#include "socialdefault/result.hpp"

namespace socialdefault::gateway {

enum class StandardDocument { none, ubl, cxml };
const char* to_string(StandardDocument document) noexcept;  // "none", "ubl", "cxml"

// An XML content type (application/xml, text/xml, application/*+xml other
// than SOAP 1.2's, or none at all) whose root element is <cXML> without a
// namespace, or an element in a UBL 2 document namespace
// (urn:oasis:names:specification:ubl:schema:xsd:...-2).
StandardDocument detect_standard_document(std::string_view content_type, std::string_view body) noexcept;

// application/x-www-form-urlencoded, with or without parameters.
bool form_content_type(std::string_view content_type) noexcept;

// The decoder of a PunchOut form is the cxml adapter's, shared with the CLI.
using cxml::decode_punchout_form;

// A request body as the standard-document adapters see it.
struct StandardBody {
  StandardDocument document = StandardDocument::none;
  bool from_form = false;           // the cXML came out of a PunchOut form
  std::string decoded;              // that cXML; empty otherwise
  std::optional<Error> form_error;  // a PunchOut form whose cXML could not be read
  // What the adapter reads: the decoded cXML of a form, else the body itself.
  std::string_view xml(std::string_view body) const noexcept { return from_form ? std::string_view(decoded) : body; }
};

// detect_standard_document, and for a form content type the PunchOut cart
// in it (a form without a cxml field is `none`, without an error).
StandardBody read_standard_body(std::string_view content_type, std::string_view body, std::size_t max_bytes);

}  // namespace socialdefault::gateway
