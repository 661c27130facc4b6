// The core: decide(policy, shortlist, context) -> Decision. Pure, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "socialdefault/policy.hpp"
#include "socialdefault/shortlist.hpp"

namespace socialdefault {

enum class Reason {
  applied,                      // a social default was set (and possibly candidates reordered or injected)
  already_default,              // the chosen social supplier was already preselected and first
  no_policy,                    // no category in the policy for this shortlist
  no_eligible_social_supplier,  // category known, but no social supplier is valid and within tolerance
  no_candidates,                // the shortlist is empty and nothing could be injected
};
const char* to_string(Reason reason) noexcept;  // "applied", "already-default", ...

struct DecisionContext {
  LocalDate date;                // the organisation's local date of the request
  std::uint64_t rotation = 0;    // a counter per category; rotate picks eligible[rotation % n]
};

// One line of the new order of candidates.
struct Placement {
  std::optional<std::size_t> source;  // index into Shortlist::candidates; empty when injected
  std::string supplier_id;
  bool injected = false;
  bool social = false;          // social on the decision's date
  bool preselected = false;     // exactly one placement is preselected when a default was set

  bool operator==(const Placement&) const = default;
};

enum class NoteTarget { candidate, message };

struct Note {
  NoteTarget target = NoteTarget::candidate;
  std::string supplier_id;      // for NoteTarget::candidate
  std::string kind;             // "impact", later "norm", "campaign", ...
  std::string text;

  bool operator==(const Note&) const = default;
};

struct Decision {
  Reason reason = Reason::no_policy;
  const Category* category = nullptr;   // points into the Policy; valid while it lives
  std::string default_supplier_id;      // empty when no default was set
  std::vector<Placement> order;         // every original candidate exactly once, plus injected ones
  std::vector<Note> notes;
  std::string arm = "default";          // experiment arm
  bool changes_document() const noexcept { return reason == Reason::applied; }

  bool operator==(const Decision&) const = default;  // category compares by address
};

// Rules (the reasons, in the order they are tested):
// - no_policy: no category for the shortlist's code and department.
// - no_candidates: the list is empty and no social supplier can be injected.
// - no_eligible_social_supplier: none of the category's social suppliers is
//   social on the date with a price (when the list has one) within tolerance.
// - already_default: the decided order and flags equal the document's own,
//   so there is nothing to rewrite.
// - applied: otherwise.
// For every reason but applied and already_default the order is the
// document's own, with the document's preselected flags.
// A candidate is matched to a configured supplier by its ERP id, else by any
// of its identifiers (KvK, PEPPOL, ...). default_supplier_id is the
// configured supplier's id; Placement::supplier_id is the id as the document
// has it (for an injected placement, the configured id).
Decision decide(const Policy& policy, const Shortlist& shortlist, const DecisionContext& context);

}  // namespace socialdefault
