// Reads the protocol-neutral view (Shortlist, OrderChoice) out of SOAP
// messages, following the mapping.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "soap_message.hpp"
#include "socialdefault/shortlist.hpp"

namespace socialdefault::soap {

// The supplier id of one candidate (required by the mapping); position
// counts from 0.
Result<std::string> candidate_id(const SoapMessage& response, const CandidateElement& candidate, std::size_t position);

// The same on the fast path (response.fast() is set): nullopt when the DOM
// path must answer (the id is missing, empty or not simple text).
std::optional<std::string> fast_candidate_id(const SoapMessage& response, std::size_t position);
// True when that id is `expected`; compares the bytes in place when the id
// needs no decoding.
bool fast_candidate_id_is(const SoapMessage& response, std::size_t position, std::string_view expected);
// A shortlist response, with context from the request when it is given,
// read into out (see Adapter::read_shortlist_into): the fast path assigns
// into out's storage, so nothing is allocated for a shortlist no larger
// than one read into it before.
Result<void> read_shortlist(const SoapMessage& response, const SoapMessage* request, Shortlist& out);

// One OrderChoice (line 1) from an order request; the response, when given,
// decides `accepted` (a Fault or a rejected status) and the order reference.
Result<std::vector<OrderChoice>> read_choice(const SoapMessage& request, const SoapMessage* response);

}  // namespace socialdefault::soap
