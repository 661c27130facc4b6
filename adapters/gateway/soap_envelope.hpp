// What the gateway needs to know of a SOAP message before any adapter sees
// it: its SOAP version (to answer a Fault the client understands), whether it
// carries a DOCTYPE (refused: SOAP forbids it), and whether it nests deeper
// than the limit. One pass over the bytes, no allocation, no parse tree.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace socialdefault::gateway {

enum class SoapVersion { v11, v12 };

struct EnvelopeScan {
  bool looks_like_xml = false;   // starts (after a BOM and whitespace) with '<'
  bool has_doctype = false;
  bool too_deep = false;
  std::size_t depth = 0;         // deepest nesting seen (up to the limit)
  std::string_view root_namespace;  // namespace of the root element, when declared on it
};

// Scans up to the end or until it is clear the message is refused.
EnvelopeScan scan_envelope(std::string_view bytes, std::size_t max_depth) noexcept;

inline constexpr std::string_view kSoap11Namespace = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kSoap12Namespace = "http://www.w3.org/2003/05/soap-envelope";

// The envelope namespace decides; without one, application/soap+xml means 1.2
// and anything else 1.1 (text/xml is the 1.1 binding).
SoapVersion soap_version(std::string_view content_type, const EnvelopeScan& scan) noexcept;

// A Fault in the given version. sender: the client's message is at fault
// (1.1 Client / 1.2 Sender), else the server side (Server / Receiver).
std::string soap_fault(SoapVersion version, bool sender, std::string_view reason);
std::string_view soap_content_type(SoapVersion version) noexcept;

// True when the body's first element inside Body is a Fault (any prefix).
bool is_soap_fault(std::string_view bytes) noexcept;

}  // namespace socialdefault::gateway
