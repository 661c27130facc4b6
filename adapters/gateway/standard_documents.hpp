// Which standard order document a request body is, so the gateway hands it
// to the ubl or cxml adapter instead of the route's own (docs/gateway.md,
// docs/standard-documents.md). Decided by the content type and the root
// element, without parsing: the adapter checks the document itself.
#pragma once

#include <string_view>

namespace socialdefault::gateway {

enum class StandardDocument { none, ubl, cxml };
const char* to_string(StandardDocument document) noexcept;  // "none", "ubl", "cxml"

// An XML content type (application/xml, text/xml, application/*+xml other
// than SOAP 1.2's, or none at all) whose root element is <cXML> without a
// namespace, or an element in a UBL 2 document namespace
// (urn:oasis:names:specification:ubl:schema:xsd:...-2).
StandardDocument detect_standard_document(std::string_view content_type, std::string_view body) noexcept;

}  // namespace socialdefault::gateway
