// Applies a Decision to a shortlist response by splicing the original bytes:
// the preselected flags and notes of the candidates are rewritten in place,
// candidates are reordered by moving their byte spans while the separators
// between them stay where they were, and injected suppliers are copies of
// the first candidate with the mapped fields replaced.
#pragma once

#include <string>

#include "soap_message.hpp"
#include "socialdefault/decision.hpp"
#include "socialdefault/policy.hpp"
#include "socialdefault/shortlist.hpp"

namespace socialdefault::soap {

// The rewritten message, or the original bytes when the decision's reason
// is not Reason::applied. Errors: signed_content (the payload is signed),
// unsupported (not a shortlist response), invalid_argument (the shortlist or
// the decision does not belong to this message), mapping (the message does
// not have the shape the mapping describes).
Result<std::string> apply_decision(const SoapMessage& response, const Shortlist& shortlist, const Decision& decision,
                                   const Policy& policy);

}  // namespace socialdefault::soap
