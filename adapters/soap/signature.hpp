// XML signatures (XML-DSig, as used by WS-Security) in a message. A rewrite
// would break a signature over the part it edits, so such a part is left
// alone unless the deployment can re-sign.
#pragma once

#include <optional>
#include <string_view>

#include <pugixml.hpp>

#include "socialdefault/result.hpp"
#include "soap_message.hpp"

namespace socialdefault::soap {

inline constexpr std::string_view kXmlDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr std::string_view kWsuNamespace =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

// The ErrorCode::signed_content error to report when a ds:Signature in the
// message covers target: a Reference with URI="" (the whole document), or
// "#id" naming target, one of its ancestors or one of its descendants (by an
// Id, ID, id, wsu:Id or xml:id attribute). A same-document reference that
// cannot be resolved, or a Reference without URI, counts as covering: when in
// doubt, the message is not touched.
std::optional<Error> signature_covering(const SoapMessage& message, pugi::xml_node target);

}  // namespace socialdefault::soap
