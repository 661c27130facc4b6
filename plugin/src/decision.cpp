// The core decision. Pure: everything it knows comes from its arguments, so
// the same policy, shortlist and context always give the same Decision.
#include "socialdefault/decision.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace socialdefault {

const char* to_string(Reason reason) noexcept {
  switch (reason) {
    case Reason::applied: return "applied";
    case Reason::already_default: return "already-default";
    case Reason::no_policy: return "no-policy";
    case Reason::no_eligible_social_supplier: return "no-eligible-social-supplier";
    case Reason::no_candidates: return "no-candidates";
  }
  return "no-policy";
}

namespace {

// The configured supplier a candidate stands for. The ERP id is what the
// configuration is keyed on; the identifiers are a fallback so that a
// document naming a supplier by KvK or PEPPOL id is not treated as lacking
// it (which would inject the same company a second time).
const Supplier* resolve(const Policy& policy, const Candidate& candidate) {
  if (const Supplier* s = policy.find_supplier(candidate.supplier_id)) return s;
  for (const SupplierIdentifier& id : candidate.identifiers) {
    if (const Supplier* s = policy.find_supplier_by_identifier(id.scheme, id.value)) return s;
  }
  return nullptr;
}

// Prices in different currencies cannot be compared without exchange rates,
// which a pure decision does not have. So one currency is the reference: the
// one most priced candidates use (a tie goes to the organisation's reporting
// currency, else to the currency of the earliest priced candidate). The
// cheapest is taken within that currency, and a social candidate priced in
// any other currency is "not comparable": it is not offered as a social
// option, because the tolerance promise (a social option is never more than
// the tolerance above the cheapest) could not be kept for it. It stays in
// the list among the rest, as every candidate does.
struct PriceReference {
  std::string currency;   // empty: no candidate has a price
  std::int64_t cheapest = 0;
};

PriceReference price_reference(const Shortlist& shortlist, std::string_view reporting_currency) {
  // (currency, count), in order of first appearance.
  std::vector<std::pair<std::string_view, std::size_t>> counts;
  for (const Candidate& c : shortlist.candidates) {
    if (!c.price) continue;
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& entry) { return entry.first == c.price->currency; });
    if (it == counts.end()) {
      counts.emplace_back(c.price->currency, 1);
    } else {
      ++it->second;
    }
  }
  if (counts.empty()) return {};
  std::size_t best = 0;
  for (const auto& entry : counts) best = std::max(best, entry.second);
  std::string_view currency;
  for (const auto& entry : counts) {
    if (entry.second == best && entry.first == reporting_currency) currency = entry.first;
  }
  if (currency.empty()) {
    currency = std::find_if(counts.begin(), counts.end(), [&](const auto& e) { return e.second == best; })->first;
  }
  PriceReference ref{std::string(currency), 0};
  bool first = true;
  for (const Candidate& c : shortlist.candidates) {
    if (!c.price || c.price->currency != currency) continue;
    if (first || c.price->minor < ref.cheapest) ref.cheapest = c.price->minor;
    first = false;
  }
  return ref;
}

// price <= cheapest * (1 + bp / 10000), in integers. 128 bits so that no
// amount an int64 can hold overflows. The cheapest itself always passes,
// also when it is negative (a credit), where the scaled bound would lie
// below it.
bool within_tolerance(std::int64_t price, std::int64_t cheapest, std::uint32_t basis_points) {
  if (price <= cheapest) return true;
  const __int128 lhs = static_cast<__int128>(price) * 10000;
  const __int128 rhs = static_cast<__int128>(cheapest) * (10000 + static_cast<__int128>(basis_points));
  return lhs <= rhs;
}

// A line may be promoted to a social option when its price is unknown or
// comparable and within tolerance.
bool acceptable_line(const Candidate& c, const PriceReference& ref, std::uint32_t basis_points) {
  if (!c.price) return true;
  if (c.price->currency != ref.currency) return false;
  return within_tolerance(c.price->minor, ref.cheapest, basis_points);
}

// A social supplier that may be offered: where it comes from in the list
// (the first acceptable line when the list has it), or nothing when it
// would be injected.
struct Option {
  const Supplier* supplier = nullptr;
  std::optional<std::size_t> source;
};

std::vector<Placement> original_order(const Shortlist& shortlist, const std::vector<const Supplier*>& resolved,
                                      LocalDate date) {
  std::vector<Placement> order;
  order.reserve(shortlist.candidates.size());
  for (std::size_t i = 0; i < shortlist.candidates.size(); ++i) {
    const Candidate& c = shortlist.candidates[i];
    order.push_back(Placement{i, c.supplier_id, false, resolved[i] != nullptr && resolved[i]->social_on(date),
                              c.preselected});
  }
  return order;
}

}  // namespace

Decision decide(const Policy& policy, const Shortlist& shortlist, const DecisionContext& context) {
  const std::vector<Candidate>& candidates = shortlist.candidates;
  std::vector<const Supplier*> resolved;
  resolved.reserve(candidates.size());
  for (const Candidate& c : candidates) resolved.push_back(resolve(policy, c));

  Decision decision;
  decision.category = policy.find_category(shortlist.category.code_system, shortlist.category.code,
                                            shortlist.department);
  if (decision.category == nullptr) {
    decision.reason = Reason::no_policy;
    decision.order = original_order(shortlist, resolved, context.date);
    return decision;
  }
  const Category& category = *decision.category;

  // The eligible social suppliers, in the category's order of preference.
  const PriceReference ref = price_reference(shortlist, policy.organisation.reporting_currency);
  std::vector<Option> eligible;
  for (const std::string& id : category.social_suppliers) {
    const Supplier* supplier = policy.find_supplier(id);
    if (supplier == nullptr || !supplier->social_on(context.date)) continue;
    // A supplier listed twice in the category is one option.
    if (std::any_of(eligible.begin(), eligible.end(), [&](const Option& o) { return o.supplier == supplier; })) {
      continue;
    }
    bool in_list = false;
    std::optional<std::size_t> source;
    for (std::size_t i = 0; i < candidates.size() && !source; ++i) {
      if (resolved[i] != supplier) continue;
      in_list = true;
      if (acceptable_line(candidates[i], ref, category.price_tolerance_basis_points)) source = i;
    }
    // In the list but every line of it too expensive or not comparable.
    if (in_list && !source) continue;
    eligible.push_back(Option{supplier, source});
  }

  if (eligible.empty()) {
    decision.reason = candidates.empty() ? Reason::no_candidates : Reason::no_eligible_social_supplier;
    decision.order = original_order(shortlist, resolved, context.date);
    return decision;
  }

  const std::size_t chosen =
      category.strategy == Strategy::rotate ? static_cast<std::size_t>(context.rotation % eligible.size()) : 0;
  const Option& default_option = eligible[chosen];
  decision.default_supplier_id = default_option.supplier->id;

  // The social options shown first: the default, then the other eligible
  // ones in preference order. Over-tolerance social candidates are not
  // among them (showing them first would suggest social means expensive);
  // they stay among the rest. The default is shown even if social_shown is 0.
  std::vector<const Option*> shown{&default_option};
  for (std::size_t k = 0; k < eligible.size() && shown.size() < category.social_shown; ++k) {
    if (k != chosen) shown.push_back(&eligible[k]);
  }

  std::vector<bool> placed(candidates.size(), false);
  for (const Option* option : shown) {
    const bool is_default = option == &default_option;
    if (option->source) {
      const std::size_t i = *option->source;
      placed[i] = true;
      decision.order.push_back(Placement{i, candidates[i].supplier_id, false, true, is_default});
    } else {
      decision.order.push_back(Placement{std::nullopt, option->supplier->id, true, true, is_default});
    }
  }
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (placed[i]) continue;
    decision.order.push_back(Placement{i, candidates[i].supplier_id, false,
                                       resolved[i] != nullptr && resolved[i]->social_on(context.date), false});
  }

  // already_default means the document is right as it stands: the adapter
  // does not rewrite for it. So not only must the default be first and
  // preselected; nothing may be injected or moved, and no other candidate
  // may carry a preselected flag that would have to be cleared.
  bool unchanged = decision.order.size() == candidates.size();
  for (std::size_t k = 0; unchanged && k < decision.order.size(); ++k) {
    const Placement& p = decision.order[k];
    unchanged = p.source == k && p.preselected == candidates[k].preselected;
  }
  decision.reason = unchanged ? Reason::already_default : Reason::applied;

  // The note goes to the default's line under the id the document uses.
  // It is listed for already_default too, for hosts that show it; the
  // document is not rewritten to carry it.
  const Impact& impact = default_option.supplier->impact;
  if (!impact.statement.empty()) {
    decision.notes.push_back(Note{NoteTarget::candidate, decision.order.front().supplier_id, "impact",
                                  impact.statement});
  }
  return decision;
}

}  // namespace socialdefault
