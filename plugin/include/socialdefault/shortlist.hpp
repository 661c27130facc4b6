// What an adapter reads out of a message: the protocol-neutral view the core
// decides on.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "socialdefault/money.hpp"
#include "socialdefault/policy.hpp"
#include "socialdefault/time_zone.hpp"

namespace socialdefault {

struct CategoryRef {
  std::string code_system;  // may be empty when the message does not say
  std::string code;
  bool operator==(const CategoryRef&) const = default;
};

struct Candidate {
  std::string supplier_id;
  std::string name;
  std::optional<Money> price;
  bool preselected = false;
  std::vector<SupplierIdentifier> identifiers;
  bool operator==(const Candidate&) const = default;
};

struct Shortlist {
  std::string correlation_id;
  CategoryRef category;
  std::string requester;    // raw id: never stored, only its pseudonym
  std::string department;
  std::string language;     // the requester's language when the message says it ("nl", "en-GB"); may be empty
  std::vector<Candidate> candidates;  // in the ERP's order
  bool operator==(const Shortlist&) const = default;
};

// An order line as an adapter read it from an order message.
struct OrderChoice {
  std::string correlation_id;
  std::string order_ref;    // the ERP's order number when known
  int line = 1;
  CategoryRef category;
  std::string requester;    // raw id: pseudonymised before storage
  std::string department;
  std::string supplier_id;
  std::vector<SupplierIdentifier> supplier_identifiers;
  std::optional<Money> amount;
  std::string description;
  bool accepted = true;     // false when the response was a Fault or a rejection
  // The version of a standard document ("2.1" for UBL 2.1, "1.2.050" for
  // cXML); recorded with the adapter's name as "ubl/2.1". Empty otherwise.
  std::string document_version;
  // A changed order (UBL OrderChange, cXML OrderRequest type="update"): its
  // version, > 0; 0 is the order itself. See ChoiceRecord::order_version.
  std::int64_t order_version = 0;
  // The id of the document that carried the order (cXML payloadID); may be empty.
  std::string document_ref{};
};

}  // namespace socialdefault
