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
  experiment_control,           // the requester is in an experiment's control arm: nothing is changed
};
const char* to_string(Reason reason) noexcept;  // "applied", "already-default", ...

// The colleague norm's input: orders and social orders of the requester's
// department in the category over the category's trailing window, counted
// by the engine from the ledger.
struct NormFigures {
  std::int64_t orders = 0;
  std::int64_t social_orders = 0;
};

struct DecisionContext {
  DecisionContext() = default;
  // {date, rotation}: what a context held before nudges, still the common case.
  DecisionContext(LocalDate day, std::uint64_t rotation_counter = 0) : date(day), rotation(rotation_counter) {}

  LocalDate date;                // the organisation's local date of the request
  std::uint64_t rotation = 0;    // a counter per category; rotate picks eligible[rotation % n]
  std::optional<NormFigures> norm;            // empty: unknown, no norm is shown
  const Experiment* experiment = nullptr;     // the experiment the requester is in, if any
  const ExperimentArm* arm = nullptr;         // the requester's arm in it (points into the Policy)
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
  std::string kind;             // to_string(NudgeKind): "impact", "norm", "campaign", "endorsement", "price"
  std::string text;

  bool operator==(const Note&) const = default;
};

struct Decision {
  Reason reason = Reason::no_policy;
  const Category* category = nullptr;   // points into the Policy; valid while it lives
  std::string default_supplier_id;      // empty when no default was set
  std::vector<Placement> order;         // every original candidate exactly once, plus injected ones
  std::vector<Note> notes;
  std::string arm = "default";          // "default", or "<experiment id>/<arm name>" in an experiment
  Language language = Language::nl;     // the language of the notes
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
// - experiment_control: the context's arm is a control arm (tested right
//   after no_policy); the order is the document's own, no notes.
// - applied: otherwise.
// For every reason but applied and already_default the order is the
// document's own, with the document's preselected flags.
// A candidate is matched to a configured supplier by its ERP id, else by any
// of its identifiers (KvK, PEPPOL, ...). default_supplier_id is the
// configured supplier's id; Placement::supplier_id is the id as the document
// has it (for an injected placement, the configured id).
//
// Notes (docs/nudges.md), each only when its nudge is on for the category
// (or the arm) and its condition holds, in the requester's language
// (Policy::language_for); a text missing in that language is not shown:
// - impact (candidate, the default's line): the supplier's statement (nl),
//   else the impact template with its figures;
// - price (candidate): the default's price is at or below the median of the
//   priced regular alternatives in the same currency;
// - norm (message): the context's figures have at least min_orders orders
//   and a social share at or above the threshold, and a department is known;
// - campaign (message): each campaign whose date window holds the date;
// - endorsement (message): the category's, else the organisation's.
Decision decide(const Policy& policy, const Shortlist& shortlist, const DecisionContext& context);

}  // namespace socialdefault
