// The core decision. Pure: everything it knows comes from its arguments, so
// the same policy, shortlist and context always give the same Decision.
#include "socialdefault/decision.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "socialdefault/bytes.hpp"

namespace socialdefault {

const char* to_string(Reason reason) noexcept {
  switch (reason) {
    case Reason::applied: return "applied";
    case Reason::already_default: return "already-default";
    case Reason::no_policy: return "no-policy";
    case Reason::no_eligible_social_supplier: return "no-eligible-social-supplier";
    case Reason::no_candidates: return "no-candidates";
    case Reason::experiment_control: return "experiment-control";
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
  // Most lists have one currency: then it is the reference whatever the
  // rules below say, found in one pass without counting.
  const std::string* only = nullptr;
  std::int64_t cheapest = 0;
  bool one_currency = true;
  for (const Candidate& c : shortlist.candidates) {
    if (!c.price) continue;
    if (only == nullptr) {
      only = &c.price->currency;
      cheapest = c.price->minor;
    } else if (!same_bytes(c.price->currency, *only)) {
      one_currency = false;
      break;
    } else {
      cheapest = std::min(cheapest, c.price->minor);
    }
  }
  if (only == nullptr) return {};
  if (one_currency) return {*only, cheapest};
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

// Shortlists up to this many candidates decide without a heap list.
constexpr std::size_t kTypicalCandidates = 64;

// A social supplier that may be offered: where it comes from in the list
// (the first acceptable line when the list has it), or nothing when it
// would be injected.
struct Option {
  const Supplier* supplier = nullptr;
  std::optional<std::size_t> source;
};

std::vector<Placement> original_order(const Shortlist& shortlist, std::span<const Supplier* const> resolved,
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

// "€ 24,50" (nl) or "€24.50" (en); other currencies by their code.
std::string format_amount(std::int64_t minor, const std::string& currency, Language language) {
  std::string number = format_decimal(Money{minor, currency});
  if (language == Language::nl) std::replace(number.begin(), number.end(), '.', ',');
  if (currency == "EUR") return language == Language::nl ? "€ " + number : "€" + number;
  return currency + " " + number;
}

// The template with its {placeholders} replaced; empty when it uses one
// that has no value here (e.g. {jobs} for a supplier without that figure).
std::string fill_template(std::string_view text, std::span<const std::pair<std::string_view, std::string>> values) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find('{', at);
    const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) {
      out.append(text.substr(at));
      break;
    }
    out.append(text.substr(at, open - at));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const auto value = std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.first == name; });
    if (value == values.end() || value->second.empty()) return {};
    out.append(value->second);
    at = close + 1;
  }
  return out;
}

const std::string& template_in(const LocalizedText& configured, NudgeKind kind, Language language) {
  const std::string& text = configured.in(language);
  return text.empty() ? builtin_template(kind).in(language) : text;
}

std::string impact_text(const Policy& policy, const Supplier& supplier, Language language) {
  // The supplier's own statement is Dutch: it is used as it stands for nl.
  if (language == Language::nl && !supplier.impact.statement.empty()) return supplier.impact.statement;
  std::string jobs;
  for (const ImpactFigure& f : supplier.impact.figures) {
    if (f.measure == "jobs-distance-labour-market") jobs = std::to_string(f.value);
  }
  const std::array<std::pair<std::string_view, std::string>, 2> values{{{"supplier", supplier.name}, {"jobs", jobs}}};
  return fill_template(template_in(policy.nudges.impact_template, NudgeKind::impact, language), values);
}

// floor(a / b) for b > 0, also for a negative a.
__int128 floor_div(__int128 a, __int128 b) {
  __int128 q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

// The price fact, or empty. Only the regular alternatives in the default's
// currency count: other social options are not "the alternatives" the
// requester might doubt the price against, and other currencies cannot be
// compared. The median shown is rounded down to a minor unit, so
// "price <= shown median" stays true whenever price <= median does.
std::string price_text(const Policy& policy, const Shortlist& shortlist, std::span<const Supplier* const> resolved,
                       std::size_t default_line, const Supplier& supplier, LocalDate date, Language language) {
  const Candidate& chosen = shortlist.candidates[default_line];
  if (!chosen.price) return {};
  std::vector<std::int64_t> alternatives;
  for (std::size_t i = 0; i < shortlist.candidates.size(); ++i) {
    const Candidate& c = shortlist.candidates[i];
    if (i == default_line || !c.price || c.price->currency != chosen.price->currency) continue;
    if (resolved[i] != nullptr && resolved[i]->social_on(date)) continue;
    alternatives.push_back(c.price->minor);
  }
  if (alternatives.empty()) return {};
  std::sort(alternatives.begin(), alternatives.end());
  const std::size_t n = alternatives.size();
  // Twice the median, so an even count needs no fraction.
  const __int128 twice_median = n % 2 == 1 ? static_cast<__int128>(alternatives[n / 2]) * 2
                                           : static_cast<__int128>(alternatives[n / 2 - 1]) + alternatives[n / 2];
  if (static_cast<__int128>(chosen.price->minor) * 2 > twice_median) return {};
  const auto median = static_cast<std::int64_t>(floor_div(twice_median, 2));
  const std::string& currency = chosen.price->currency;
  const std::array<std::pair<std::string_view, std::string>, 4> values{{
      {"supplier", supplier.name},
      {"price", format_amount(chosen.price->minor, currency, language)},
      {"median", format_amount(median, currency, language)},
      {"alternatives", std::to_string(n)},
  }};
  return fill_template(template_in(policy.nudges.price_template, NudgeKind::price, language), values);
}

// The colleague norm, or empty: only with a department, at least k orders
// and a share at or above the threshold, so it is true and hides persons.
std::string norm_text(const Policy& policy, const Category& category, const Shortlist& shortlist,
                      const std::optional<NormFigures>& figures, Language language) {
  if (!figures || shortlist.department.empty()) return {};
  const NormSettings& settings = category.nudges.norm.value_or(policy.nudges.norm);
  const NormFigures& f = *figures;
  if (f.orders < static_cast<std::int64_t>(settings.min_orders) || f.social_orders < 0 || f.social_orders > f.orders) {
    return {};
  }
  if (static_cast<__int128>(f.social_orders) * 10000 < static_cast<__int128>(settings.threshold_basis_points) * f.orders) {
    return {};
  }
  const std::array<std::pair<std::string_view, std::string>, 6> values{{
      {"social", std::to_string(f.social_orders)},
      {"orders", std::to_string(f.orders)},
      // Rounded down: the text never claims more than the ledger holds.
      {"percent", std::to_string(f.social_orders * 100 / f.orders)},
      {"department", shortlist.department},
      {"category", category.name_in(language)},
      {"days", std::to_string(settings.window_days)},
  }};
  return fill_template(template_in(policy.nudges.norm_template, NudgeKind::norm, language), values);
}

}  // namespace

Decision decide(const Policy& policy, const Shortlist& shortlist, const DecisionContext& context) {
  const std::vector<Candidate>& candidates = shortlist.candidates;
  // The lists below live for one decision: up to a typical shortlist's
  // size on the stack, without an allocation each.
  boost::container::small_vector<const Supplier*, kTypicalCandidates> resolved;
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
  decision.language = policy.language_for(shortlist.language, shortlist.department);
  unsigned nudges = category.nudges.shown;
  if (context.experiment != nullptr && context.arm != nullptr) {
    decision.arm = context.experiment->id + "/" + context.arm->name;
    nudges = context.arm->nudges;
    if (context.arm->control) {
      decision.reason = Reason::experiment_control;
      decision.order = original_order(shortlist, resolved, context.date);
      return decision;
    }
  }

  // The eligible social suppliers, in the category's order of preference.
  const PriceReference ref = price_reference(shortlist, policy.organisation.reporting_currency);
  boost::container::small_vector<Option, 8> eligible;
  eligible.reserve(category.social_suppliers.size());
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
  decision.order.reserve(candidates.size() + std::min<std::size_t>(eligible.size(), category.social_shown + 1));
  const auto show = [&](const Option& option) {
    const bool is_default = &option == &default_option;
    if (option.source) {
      const std::size_t i = *option.source;
      decision.order.push_back(Placement{i, candidates[i].supplier_id, false, true, is_default});
    } else {
      decision.order.push_back(Placement{std::nullopt, option.supplier->id, true, true, is_default});
    }
  };
  show(default_option);
  for (std::size_t k = 0; k < eligible.size() && decision.order.size() < category.social_shown; ++k) {
    if (k != chosen) show(eligible[k]);
  }
  boost::container::small_vector<bool, kTypicalCandidates> placed(candidates.size(), false);
  for (const Placement& p : decision.order) {
    if (p.source) placed[*p.source] = true;
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

  // Candidate notes go to the default's line under the id the document
  // uses. Notes are listed for already_default too, for hosts that show
  // them; the document is not rewritten to carry them.
  const Language language = decision.language;
  const Supplier& supplier = *default_option.supplier;
  const std::string& default_line_id = decision.order.front().supplier_id;
  const auto add = [&](NoteTarget target, NudgeKind kind, std::string text) {
    if (text.empty()) return;
    decision.notes.push_back(Note{target, target == NoteTarget::candidate ? default_line_id : std::string(),
                                  to_string(kind), std::move(text)});
  };
  const auto on = [&](NudgeKind kind) { return (nudges & nudge_bit(kind)) != 0; };
  if (on(NudgeKind::impact)) add(NoteTarget::candidate, NudgeKind::impact, impact_text(policy, supplier, language));
  if (on(NudgeKind::price) && default_option.source) {
    add(NoteTarget::candidate, NudgeKind::price,
        price_text(policy, shortlist, resolved, *default_option.source, supplier, context.date, language));
  }
  if (on(NudgeKind::norm)) {
    add(NoteTarget::message, NudgeKind::norm, norm_text(policy, category, shortlist, context.norm, language));
  }
  if (on(NudgeKind::campaign)) {
    for (const Campaign& c : category.nudges.campaigns) {
      if (!c.active_on(context.date)) continue;
      const std::array<std::pair<std::string_view, std::string>, 1> values{{{"category", category.name_in(language)}}};
      add(NoteTarget::message, NudgeKind::campaign, fill_template(c.text.in(language), values));
    }
  }
  if (on(NudgeKind::endorsement)) {
    const LocalizedText& text =
        category.nudges.endorsement.empty() ? policy.nudges.endorsement : category.nudges.endorsement;
    const std::array<std::pair<std::string_view, std::string>, 1> values{{{"category", category.name_in(language)}}};
    add(NoteTarget::message, NudgeKind::endorsement, fill_template(text.in(language), values));
  }
  return decision;
}

}  // namespace socialdefault
