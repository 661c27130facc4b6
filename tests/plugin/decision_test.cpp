#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "socialdefault/decision.hpp"

namespace socialdefault {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

LocalDate date(int y, unsigned m, unsigned d) { return LocalDate{year{y}, month{m}, day{d}}; }

Supplier social(std::string id, LocalDate from, LocalDate until, std::string statement = {}) {
  Supplier s;
  s.id = std::move(id);
  s.name = s.id;
  s.social = true;
  s.evidence.push_back(Evidence{EvidenceKind::pso_3, from, until, {}});
  s.impact.statement = std::move(statement);
  return s;
}

Supplier regular(std::string id) {
  Supplier s;
  s.id = std::move(id);
  s.name = s.id;
  return s;
}

Category category(std::string code, std::vector<std::string> social_suppliers, Strategy strategy,
                  std::uint32_t basis_points, unsigned shown = 3, std::vector<std::string> departments = {}) {
  Category c;
  c.code = std::move(code);
  c.name = c.code;
  c.social_suppliers = std::move(social_suppliers);
  c.strategy = strategy;
  c.price_tolerance_basis_points = basis_points;
  c.social_shown = shown;
  c.departments = std::move(departments);
  return c;
}

Candidate cand(std::string id, std::optional<std::int64_t> cents = std::nullopt, bool preselected = false,
               std::string currency = "EUR") {
  Candidate c;
  c.supplier_id = std::move(id);
  c.name = c.supplier_id;
  if (cents) c.price = Money{*cents, std::move(currency)};
  c.preselected = preselected;
  return c;
}

Shortlist shortlist(std::string code, std::vector<Candidate> candidates, std::string department = "Burgerzaken") {
  Shortlist s;
  s.correlation_id = "REQ-1";
  s.category = CategoryRef{"CPV", std::move(code)};
  s.requester = "e.jansen";
  s.department = std::move(department);
  s.candidates = std::move(candidates);
  return s;
}

// The example deployment, reduced to what the decision reads.
Policy example_policy() {
  Policy p;
  p.organisation.name = "Gemeente Voorbeeldstad";
  p.suppliers = {
      social("BLOEM-01", date(2026, 1, 1), date(2027, 12, 31),
             "Werkt met 14 mensen met een afstand tot de arbeidsmarkt"),
      social("BLOEM-02", date(2025, 1, 1), date(2027, 6, 30),
             "Werkt met 22 mensen met een afstand tot de arbeidsmarkt"),
      social("BLOEM-03", date(2026, 3, 1), date(2028, 2, 29), "Werkt met 9 mensen met een afstand tot de arbeidsmarkt"),
      regular("FLR-100"),
      regular("FLR-200"),
      regular("FLR-300"),
      social("GIFT-S1", date(2026, 1, 1), date(2027, 12, 31), "11 banen"),
      social("GIFT-S2", date(2025, 6, 1), date(2027, 5, 31), "6 banen"),
      social("GIFT-S3", date(2024, 1, 1), date(2026, 12, 31), "8 banen"),
      regular("GIFT-R1"),
      regular("GIFT-R2"),
      social("CAT-S1", date(2025, 1, 1), date(2027, 12, 31), "30 banen"),
      social("CAT-S2", date(2026, 1, 1), date(2026, 12, 31), "12 banen"),
      social("CAT-S3", date(2026, 1, 1), date(2028, 12, 31), "17 banen"),
      regular("CAT-R1"),
      regular("CAT-R2"),
  };
  p.categories = {
      category("03121200-7", {"BLOEM-01", "BLOEM-02", "BLOEM-03"}, Strategy::rotate, 1500),
      category("18530000-3", {"GIFT-S1", "GIFT-S2", "GIFT-S3"}, Strategy::fixed, 1000),
      category("55520000-1", {"CAT-S1", "CAT-S2", "CAT-S3"}, Strategy::rotate, 1000),
      category("55520000-1", {"CAT-S1", "CAT-S2", "CAT-S3"}, Strategy::rotate, 1000, 2, {"Facilitair"}),
  };
  return p;
}

const LocalDate kDay = date(2026, 6, 1);

Supplier& supplier(Policy& p, const std::string& id) {
  auto it = std::find_if(p.suppliers.begin(), p.suppliers.end(), [&](const Supplier& s) { return s.id == id; });
  if (it == p.suppliers.end()) throw std::logic_error("test policy lacks " + id);
  return *it;
}

std::vector<std::string> ids(const Decision& d) {
  std::vector<std::string> out;
  for (const Placement& p : d.order) out.push_back(p.supplier_id);
  return out;
}

std::vector<std::string> preselected(const Decision& d) {
  std::vector<std::string> out;
  for (const Placement& p : d.order) {
    if (p.preselected) out.push_back(p.supplier_id);
  }
  return out;
}

// The order is the document's own: every candidate in place with its flag.
void expect_original(const Decision& d, const Shortlist& s) {
  ASSERT_EQ(d.order.size(), s.candidates.size());
  for (std::size_t i = 0; i < d.order.size(); ++i) {
    EXPECT_EQ(d.order[i].source, i);
    EXPECT_EQ(d.order[i].supplier_id, s.candidates[i].supplier_id);
    EXPECT_FALSE(d.order[i].injected);
    EXPECT_EQ(d.order[i].preselected, s.candidates[i].preselected);
  }
  EXPECT_TRUE(d.default_supplier_id.empty());
  EXPECT_TRUE(d.notes.empty());
  EXPECT_FALSE(d.changes_document());
}

TEST(Decision, ReasonsHaveStableNames) {
  EXPECT_STREQ(to_string(Reason::applied), "applied");
  EXPECT_STREQ(to_string(Reason::already_default), "already-default");
  EXPECT_STREQ(to_string(Reason::no_policy), "no-policy");
  EXPECT_STREQ(to_string(Reason::no_eligible_social_supplier), "no-eligible-social-supplier");
  EXPECT_STREQ(to_string(Reason::no_candidates), "no-candidates");
}

TEST(Decision, NoPolicyKeepsTheDocumentAsItIs) {
  const Policy p = example_policy();
  const Shortlist s = shortlist("99999999-9", {cand("FLR-100", 2500, true), cand("BLOEM-01", 2600), cand("X")});
  const Decision d = decide(p, s, {kDay, 0});
  EXPECT_EQ(d.reason, Reason::no_policy);
  EXPECT_EQ(d.category, nullptr);
  expect_original(d, s);
  EXPECT_TRUE(d.order[1].social);  // still reported: BLOEM-01 is social that day
  EXPECT_FALSE(d.order[0].social);

  // The right code in another code system is no match either.
  Shortlist other = shortlist("03121200-7", {cand("FLR-100")});
  other.category.code_system = "UNSPSC";
  EXPECT_EQ(decide(p, other, {kDay, 0}).reason, Reason::no_policy);
}

TEST(Decision, NoPolicyWinsOverAnEmptyList) {
  const Decision d = decide(example_policy(), shortlist("99999999-9", {}), {kDay, 0});
  EXPECT_EQ(d.reason, Reason::no_policy);
  EXPECT_TRUE(d.order.empty());
}

TEST(Decision, AnEmptyListGetsTheSocialSuppliersInjected) {
  const Policy p = example_policy();
  const Decision d = decide(p, shortlist("18530000-3", {}), {kDay, 0});
  EXPECT_EQ(d.reason, Reason::applied);
  EXPECT_EQ(ids(d), (std::vector<std::string>{"GIFT-S1", "GIFT-S2", "GIFT-S3"}));
  for (const Placement& pl : d.order) {
    EXPECT_TRUE(pl.injected);
    EXPECT_FALSE(pl.source.has_value());
    EXPECT_TRUE(pl.social);
  }
  EXPECT_EQ(preselected(d), std::vector<std::string>{"GIFT-S1"});
}

TEST(Decision, AnEmptyListWithNothingToInjectHasNoCandidates) {
  const Policy p = example_policy();
  // On this day every gift supplier's evidence has expired.
  const Decision d = decide(p, shortlist("18530000-3", {}), {date(2028, 1, 1), 0});
  EXPECT_EQ(d.reason, Reason::no_candidates);
  EXPECT_EQ(d.category, &p.categories[1]);
  EXPECT_TRUE(d.order.empty());
  EXPECT_TRUE(d.default_supplier_id.empty());
}

TEST(Decision, NoEligibleSupplierKeepsTheDocumentAsItIs) {
  const Policy p = example_policy();
  // Every gift supplier is in the list, each more than 10 % above the cheapest.
  const Shortlist s = shortlist("18530000-3", {cand("GIFT-R1", 1000, true), cand("GIFT-S1", 1101),
                                               cand("GIFT-S2", 1500), cand("GIFT-R2", 1050), cand("GIFT-S3", 2000)});
  const Decision d = decide(p, s, {kDay, 0});
  EXPECT_EQ(d.reason, Reason::no_eligible_social_supplier);
  EXPECT_EQ(d.category, &p.categories[1]);
  expect_original(d, s);
}

TEST(Decision, NoEligibleWhenEveryEvidenceHasExpired) {
  const Policy p = example_policy();
  const Shortlist s = shortlist("18530000-3", {cand("GIFT-R1", 1000), cand("GIFT-S1", 1000, true)});
  const Decision d = decide(p, s, {date(2028, 1, 1), 0});
  EXPECT_EQ(d.reason, Reason::no_eligible_social_supplier);
  expect_original(d, s);
  EXPECT_FALSE(d.order[1].social);
}

TEST(Decision, AppliedPutsTheDefaultFirstAndMovesTheFlag) {
  const Policy p = example_policy();
  const Shortlist s =
      shortlist("18530000-3", {cand("GIFT-R1", 1000, true), cand("GIFT-R2", 1200), cand("GIFT-S2", 1100),
                               cand("GIFT-S1", 1050), cand("GIFT-S3", 1000)});
  const Decision d = decide(p, s, {kDay, 7});  // fixed: the rotation counter does not matter
  EXPECT_EQ(d.reason, Reason::applied);
  EXPECT_TRUE(d.changes_document());
  EXPECT_EQ(d.default_supplier_id, "GIFT-S1");
  EXPECT_EQ(ids(d), (std::vector<std::string>{"GIFT-S1", "GIFT-S2", "GIFT-S3", "GIFT-R1", "GIFT-R2"}));
  EXPECT_EQ(preselected(d), std::vector<std::string>{"GIFT-S1"});
  EXPECT_EQ(d.order[0].source, 3u);
  EXPECT_EQ(d.order[1].source, 2u);
  EXPECT_EQ(d.order[2].source, 4u);
  EXPECT_EQ(d.order[3].source, 0u);
  EXPECT_EQ(d.order[4].source, 1u);
  EXPECT_TRUE(d.order[0].social && d.order[1].social && d.order[2].social);
  EXPECT_FALSE(d.order[3].social || d.order[4].social);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].target, NoteTarget::candidate);
  EXPECT_EQ(d.notes[0].supplier_id, "GIFT-S1");
  EXPECT_EQ(d.notes[0].kind, "impact");
  EXPECT_EQ(d.notes[0].text, "11 banen");
}

TEST(Decision, AlreadyDefaultWhenTheDocumentIsAlreadyRight) {
  const Policy p = example_policy();
  const Shortlist s = shortlist("18530000-3", {cand("GIFT-S1", 1000, true), cand("GIFT-S2", 1000),
                                               cand("GIFT-S3", 1000), cand("GIFT-R1", 950)});
  const Decision d = decide(p, s, {kDay, 0});
  EXPECT_EQ(d.reason, Reason::already_default);
  EXPECT_FALSE(d.changes_document());
  EXPECT_EQ(d.default_supplier_id, "GIFT-S1");
  for (std::size_t i = 0; i < d.order.size(); ++i) EXPECT_EQ(d.order[i].source, i);
  EXPECT_EQ(preselected(d), std::vector<std::string>{"GIFT-S1"});
  ASSERT_EQ(d.notes.size(), 1u);  // listed for hosts that show it
}

TEST(Decision, DefaultFirstAndPreselectedIsNotEnoughWhenOthersMove) {
  const Policy p = example_policy();
  // GIFT-S2 must move up to second place.
  const Decision moved = decide(p, shortlist("18530000-3", {cand("GIFT-S1", 1000, true), cand("GIFT-R1", 1000),
                                                            cand("GIFT-S2", 1000), cand("GIFT-S3", 1000)}),
                                {kDay, 0});
  EXPECT_EQ(moved.reason, Reason::applied);
  EXPECT_EQ(ids(moved), (std::vector<std::string>{"GIFT-S1", "GIFT-S2", "GIFT-S3", "GIFT-R1"}));

  // GIFT-S3 is missing and gets injected.
  const Decision injected =
      decide(p, shortlist("18530000-3", {cand("GIFT-S1", 1000, true), cand("GIFT-S2", 1000)}), {kDay, 0});
  EXPECT_EQ(injected.reason, Reason::applied);
  EXPECT_EQ(ids(injected), (std::vector<std::string>{"GIFT-S1", "GIFT-S2", "GIFT-S3"}));
  EXPECT_TRUE(injected.order[2].injected);

  // A second preselected flag has to be cleared.
  const Shortlist two = shortlist("18530000-3", {cand("GIFT-S1", 1000, true), cand("GIFT-S2", 1000),
                                                 cand("GIFT-S3", 1000), cand("GIFT-R1", 1000, true)});
  const Decision cleared = decide(p, two, {kDay, 0});
  EXPECT_EQ(cleared.reason, Reason::applied);
  EXPECT_EQ(preselected(cleared), std::vector<std::string>{"GIFT-S1"});

  // First but not preselected.
  const Decision unflagged = decide(p, shortlist("18530000-3", {cand("GIFT-S1", 1000), cand("GIFT-S2", 1000),
                                                                cand("GIFT-S3", 1000)}),
                                    {kDay, 0});
  EXPECT_EQ(unflagged.reason, Reason::applied);
  EXPECT_EQ(preselected(unflagged), std::vector<std::string>{"GIFT-S1"});
}

TEST(Decision, ToleranceIsInclusiveToTheCent) {
  Policy one = example_policy();
  one.categories = {category("18530000-3", {"GIFT-S1"}, Strategy::fixed, 1000)};
  const auto outcome = [&](std::int64_t cheapest, std::int64_t social_price) {
    return decide(one, shortlist("18530000-3", {cand("GIFT-R1", cheapest, true), cand("GIFT-S1", social_price)}),
                  {kDay, 0})
        .reason;
  };
  EXPECT_EQ(outcome(10000, 11000), Reason::applied);  // exactly 10 % above
  EXPECT_EQ(outcome(10000, 11001), Reason::no_eligible_social_supplier);  // one cent over
  // 10 % of 9.99 is 0.999: 10.98 is within, 10.99 is not (no rounding up).
  EXPECT_EQ(outcome(999, 1098), Reason::applied);
  EXPECT_EQ(outcome(999, 1099), Reason::no_eligible_social_supplier);
  EXPECT_EQ(outcome(10000, 9000), Reason::applied);  // the social supplier is the cheapest

  // 15 %: 24.99 * 1.15 = 28.7385.
  one.categories[0].price_tolerance_basis_points = 1500;
  EXPECT_EQ(outcome(2499, 2873), Reason::applied);
  EXPECT_EQ(outcome(2499, 2874), Reason::no_eligible_social_supplier);

  // No tolerance: only a price equal to the cheapest.
  one.categories[0].price_tolerance_basis_points = 0;
  EXPECT_EQ(outcome(2499, 2499), Reason::applied);
  EXPECT_EQ(outcome(2499, 2500), Reason::no_eligible_social_supplier);
}

TEST(Decision, ToleranceDoesNotOverflowOnHugeAmounts) {
  Policy p = example_policy();
  p.categories = {category("18530000-3", {"GIFT-S1"}, Strategy::fixed, 1000)};
  const std::int64_t big = std::numeric_limits<std::int64_t>::max() / 2;
  const std::int64_t limit = big + big / 10;  // exactly 10 % above, still an int64
  EXPECT_EQ(decide(p, shortlist("18530000-3", {cand("GIFT-R1", big), cand("GIFT-S1", limit)}), {kDay, 0}).reason,
            Reason::applied);
  EXPECT_EQ(
      decide(p, shortlist("18530000-3", {cand("GIFT-R1", big), cand("GIFT-S1", limit + 1)}), {kDay, 0}).reason,
      Reason::no_eligible_social_supplier);
}

TEST(Decision, TheCheapestIsEligibleEvenWhenItIsACredit) {
  Policy p = example_policy();
  p.categories = {category("18530000-3", {"GIFT-S1", "GIFT-S2"}, Strategy::fixed, 1000)};
  const Decision d =
      decide(p, shortlist("18530000-3", {cand("GIFT-S1", -500), cand("GIFT-S2", -100), cand("GIFT-R1", 0)}),
             {kDay, 0});
  EXPECT_EQ(d.reason, Reason::applied);  // first, but not yet preselected
  EXPECT_EQ(d.default_supplier_id, "GIFT-S1");
  // -1.00 is far above -5.00: not within 10 %.
  EXPECT_EQ(ids(d), (std::vector<std::string>{"GIFT-S1", "GIFT-S2", "GIFT-R1"}));
  EXPECT_FALSE(d.order[1].preselected);
  const Decision only_second =
      decide(p, shortlist("18530000-3", {cand("GIFT-R1", -500), cand("GIFT-S2", -100)}), {kDay, 0});
  EXPECT_EQ(only_second.reason, Reason::applied);
  EXPECT_EQ(only_second.default_supplier_id, "GIFT-S1");  // injected; GIFT-S2 is too expensive
  EXPECT_EQ(ids(only_second), (std::vector<std::string>{"GIFT-S1", "GIFT-R1", "GIFT-S2"}));
}

TEST(Decision, PricesCompareOnlyWithinTheMajorityCurrency) {
  Policy p = example_policy();
  p.categories = {category("18530000-3", {"GIFT-S1", "GIFT-S2"}, Strategy::fixed, 1000)};
  // Two EUR prices against one USD price: EUR is the reference; the USD
  // regular candidate is not the cheapest even though its number is lowest.
  const Decision eur = decide(p,
                              shortlist("18530000-3", {cand("GIFT-R1", 100, true, "USD"), cand("GIFT-R2", 1000),
                                                       cand("GIFT-S1", 1100)}),
                              {kDay, 0});
  EXPECT_EQ(eur.reason, Reason::applied);
  EXPECT_EQ(eur.default_supplier_id, "GIFT-S1");

  // A social candidate priced in the minority currency cannot be shown to be
  // within tolerance: it is not offered, and the next one is injected.
  const Shortlist usd = shortlist(
      "18530000-3", {cand("GIFT-R1", 1000), cand("GIFT-R2", 1000), cand("GIFT-S1", 900, false, "USD")});
  const Decision d = decide(p, usd, {kDay, 0});
  EXPECT_EQ(d.reason, Reason::applied);
  EXPECT_EQ(d.default_supplier_id, "GIFT-S2");
  EXPECT_EQ(ids(d), (std::vector<std::string>{"GIFT-S2", "GIFT-R1", "GIFT-R2", "GIFT-S1"}));
  EXPECT_TRUE(d.order[0].injected);
  EXPECT_TRUE(d.order[3].social);  // still social, just not comparable
}

TEST(Decision, ACurrencyTieGoesToTheReportingCurrencyThenToTheFirstSeen) {
  Policy p = example_policy();
  p.categories = {category("18530000-3", {"GIFT-S1"}, Strategy::fixed, 1000)};
  const Shortlist s = shortlist("18530000-3", {cand("GIFT-R1", 1000, false, "USD"), cand("GIFT-S1", 5000)});
  // One EUR, one USD: the reporting currency (EUR) is the reference, and
  // GIFT-S1 is then the cheapest EUR candidate.
  p.organisation.reporting_currency = "EUR";
  EXPECT_EQ(decide(p, s, {kDay, 0}).reason, Reason::applied);
  // Reporting in another currency: the first seen (USD) is the reference and
  // GIFT-S1's EUR price is not comparable.
  p.organisation.reporting_currency = "SEK";
  EXPECT_EQ(decide(p, s, {kDay, 0}).reason, Reason::no_eligible_social_supplier);
}

TEST(Decision, AListInOneCurrencyIsComparedInItWhateverTheReportingCurrency) {
  Policy p = example_policy();
  p.organisation.reporting_currency = "EUR";
  p.categories = {category("18530000-3", {"GIFT-S1"}, Strategy::fixed, 1000)};
  // All USD: USD is the reference. 1100 is within 10 % of the cheapest
  // (1000, the second line, not the first), 1101 is not.
  const auto with = [](std::int64_t social) {
    return shortlist("18530000-3", {cand("GIFT-R1", 1200, false, "USD"), cand("GIFT-R2", 1000, false, "USD"),
                                    cand("GIFT-S1", social, false, "USD"), cand("GIFT-R3")});
  };
  EXPECT_EQ(decide(p, with(1100), {kDay, 0}).reason, Reason::applied);
  EXPECT_EQ(decide(p, with(1101), {kDay, 0}).reason, Reason::no_eligible_social_supplier);
}

TEST(Decision, CandidatesWithoutPriceAreNotComparedAndDoNotSetTheCheapest) {
  Policy p = example_policy();
  p.categories = {category("18530000-3", {"GIFT-S1", "GIFT-S2"}, Strategy::fixed, 1000)};
  const Decision d = decide(
      p, shortlist("18530000-3", {cand("GIFT-R1"), cand("GIFT-S2", 1000), cand("GIFT-S1"), cand("GIFT-R2", 1100)}),
      {kDay, 0});
  EXPECT_EQ(d.reason, Reason::applied);
  EXPECT_EQ(ids(d), (std::vector<std::string>{"GIFT-S1", "GIFT-S2", "GIFT-R1", "GIFT-R2"}));
}

TEST(Decision, EvidenceCountsOnItsFirstAndLastDay) {
  Policy p = example_policy();
  p.categories = {category("55520000-1", {"CAT-S2"}, Strategy::fixed, 1000)};  // CAT-S2: 2026-01-01..2026-12-31
  const Shortlist s = shortlist("55520000-1", {cand("CAT-R1", 1000, true), cand("CAT-S2", 1000)});
  EXPECT_EQ(decide(p, s, {date(2025, 12, 31), 0}).reason, Reason::no_eligible_social_supplier);
  EXPECT_EQ(decide(p, s, {date(2026, 1, 1), 0}).reason, Reason::applied);
  EXPECT_EQ(decide(p, s, {date(2026, 12, 31), 0}).reason, Reason::applied);
  EXPECT_EQ(decide(p, s, {date(2027, 1, 1), 0}).reason, Reason::no_eligible_social_supplier);

  // A second, later certificate continues it.
  supplier(p, "CAT-S2").evidence.push_back(Evidence{EvidenceKind::pso_3, date(2027, 1, 1), date(2027, 12, 31), {}});
  EXPECT_EQ(decide(p, s, {date(2027, 1, 1), 0}).reason, Reason::applied);

  // Evidence on a supplier not marked social does not make it social.
  supplier(p, "CAT-S2").social = false;
  EXPECT_EQ(decide(p, s, {date(2026, 6, 1), 0}).reason, Reason::no_eligible_social_supplier);
}

TEST(Decision, DepartmentScopedCategoryWinsOverTheGeneralOne) {
  Policy p = example_policy();
  // Put the scoped entry first too, so that file order is not what decides.
  std::swap(p.categories[2], p.categories[3]);
  const std::vector<Candidate> list = {cand("CAT-R1", 1000, true), cand("CAT-R2", 1000)};
  const Decision scoped = decide(p, shortlist("55520000-1", list, "Facilitair"), {kDay, 0});
  EXPECT_EQ(scoped.category, &p.categories[2]);
  EXPECT_EQ(ids(scoped), (std::vector<std::string>{"CAT-S1", "CAT-S2", "CAT-R1", "CAT-R2"}));  // shows 2

  const Decision general = decide(p, shortlist("55520000-1", list, "Burgerzaken"), {kDay, 0});
  EXPECT_EQ(general.category, &p.categories[3]);
  EXPECT_EQ(ids(general), (std::vector<std::string>{"CAT-S1", "CAT-S2", "CAT-S3", "CAT-R1", "CAT-R2"}));

  std::swap(p.categories[2], p.categories[3]);
  EXPECT_EQ(decide(p, shortlist("55520000-1", list, "Facilitair"), {kDay, 0}).category, &p.categories[3]);
}

TEST(Decision, AnEmptyCodeSystemMatchesAnySystem) {
  const Policy p = example_policy();
  Shortlist s = shortlist("18530000-3", {cand("GIFT-R1", 1000)});
  s.category.code_system.clear();
  EXPECT_EQ(decide(p, s, {kDay, 0}).category, &p.categories[1]);
}

std::map<std::string, int> rotation_counts(const Policy& p, const Shortlist& s, std::uint64_t first,
                                           std::uint64_t count) {
  std::map<std::string, int> counts;
  for (std::uint64_t r = first; r < first + count; ++r) {
    const Decision d = decide(p, s, {kDay, r});
    EXPECT_EQ(d.reason, Reason::applied);
    ++counts[d.default_supplier_id];
  }
  return counts;
}

Policy rotation_policy(std::size_t suppliers) {
  Policy p;
  std::vector<std::string> social_ids;
  for (std::size_t i = 0; i < suppliers; ++i) {
    social_ids.push_back("S" + std::to_string(i));
    p.suppliers.push_back(social(social_ids.back(), date(2026, 1, 1), date(2026, 12, 31)));
  }
  p.suppliers.push_back(regular("R"));
  p.categories = {category("X", social_ids, Strategy::rotate, 1000, 3)};
  return p;
}

TEST(Decision, RotationSpreadsExactlyEvenlyOverThreeSuppliers) {
  const Policy p = rotation_policy(3);
  const Shortlist s = shortlist("X", {cand("R", 1000, true), cand("S1", 1000)});
  const auto counts = rotation_counts(p, s, 0, 3000);
  EXPECT_EQ(counts, (std::map<std::string, int>{{"S0", 1000}, {"S1", 1000}, {"S2", 1000}}));
  // Any run of 3000 consecutive counters, wherever it starts.
  EXPECT_EQ(rotation_counts(p, s, 12345678901ULL, 3000),
            (std::map<std::string, int>{{"S0", 1000}, {"S1", 1000}, {"S2", 1000}}));
}

TEST(Decision, RotationStaysWithinOneForTwoAndFourSuppliers) {
  for (std::size_t n : {2u, 4u}) {
    const Policy p = rotation_policy(n);
    const Shortlist s = shortlist("X", {cand("R", 1000, true)});
    for (std::uint64_t first : {0ULL, 1ULL, 7ULL, 999983ULL}) {
      for (std::uint64_t count : {3000ULL, 2999ULL, 3001ULL, 3003ULL}) {
        const auto counts = rotation_counts(p, s, first, count);
        ASSERT_EQ(counts.size(), n) << "n=" << n;
        int lo = counts.begin()->second, hi = lo;
        for (const auto& [id, c] : counts) {
          lo = std::min(lo, c);
          hi = std::max(hi, c);
        }
        EXPECT_LE(hi - lo, 1) << "n=" << n << " first=" << first << " count=" << count;
      }
    }
  }
}

TEST(Decision, RotationIsOverTheEligibleOnly) {
  Policy p = rotation_policy(3);
  // S1 is too expensive: the rotation alternates between S0 and S2.
  const Shortlist s = shortlist("X", {cand("R", 1000, true), cand("S1", 5000)});
  EXPECT_EQ(decide(p, s, {kDay, 0}).default_supplier_id, "S0");
  EXPECT_EQ(decide(p, s, {kDay, 1}).default_supplier_id, "S2");
  EXPECT_EQ(decide(p, s, {kDay, 2}).default_supplier_id, "S0");
  // The other shown options keep their order of preference after the default.
  EXPECT_EQ(ids(decide(p, s, {kDay, 1})), (std::vector<std::string>{"S2", "S0", "R", "S1"}));
}

TEST(Decision, FixedIgnoresTheRotationCounter) {
  Policy p = rotation_policy(3);
  p.categories[0].strategy = Strategy::fixed;
  const Shortlist s = shortlist("X", {cand("R", 1000, true)});
  for (std::uint64_t r = 0; r < 10; ++r) EXPECT_EQ(decide(p, s, {kDay, r}).default_supplier_id, "S0");
}

TEST(Decision, SocialShownLimitsTheSocialBlockAndTheInjections) {
  Policy p = rotation_policy(5);
  p.categories[0].strategy = Strategy::fixed;
  p.categories[0].social_shown = 3;
  // S0 and S4 are in the list; S1..S3 are missing.
  const Shortlist s = shortlist("X", {cand("S4", 1000), cand("R", 1000, true), cand("S0", 1000)});
  const Decision d = decide(p, s, {kDay, 0});
  EXPECT_EQ(d.reason, Reason::applied);
  // S0 first, then S1 and S2 injected; S3 would be the fourth: not injected;
  // S4 stays where the ERP had it among the rest.
  EXPECT_EQ(ids(d), (std::vector<std::string>{"S0", "S1", "S2", "S4", "R"}));
  EXPECT_FALSE(d.order[0].injected);
  EXPECT_TRUE(d.order[1].injected);
  EXPECT_TRUE(d.order[2].injected);
  EXPECT_FALSE(d.order[3].injected);

  p.categories[0].social_shown = 1;
  EXPECT_EQ(ids(decide(p, s, {kDay, 0})), (std::vector<std::string>{"S0", "S4", "R"}));
}

TEST(Decision, TheDefaultIsShownEvenWhenSocialShownIsZero) {
  Policy p = rotation_policy(2);
  p.categories[0].social_shown = 0;
  const Decision d = decide(p, shortlist("X", {cand("R", 1000, true)}), {kDay, 1});
  EXPECT_EQ(ids(d), (std::vector<std::string>{"S1", "R"}));
  EXPECT_TRUE(d.order[0].injected);
  EXPECT_TRUE(d.order[0].preselected);
}

TEST(Decision, InjectsTheDefaultWhenTheListLacksIt) {
  const Policy p = example_policy();
  const Shortlist s = shortlist("03121200-7", {cand("FLR-100", 2500, true), cand("FLR-200", 2750)});
  const Decision d = decide(p, s, {kDay, 1});  // rotate: BLOEM-02
  EXPECT_EQ(d.reason, Reason::applied);
  EXPECT_EQ(d.default_supplier_id, "BLOEM-02");
  EXPECT_EQ(ids(d), (std::vector<std::string>{"BLOEM-02", "BLOEM-01", "BLOEM-03", "FLR-100", "FLR-200"}));
  const Placement& first = d.order[0];
  EXPECT_FALSE(first.source.has_value());
  EXPECT_TRUE(first.injected);
  EXPECT_TRUE(first.social);
  EXPECT_TRUE(first.preselected);
  EXPECT_EQ(preselected(d), std::vector<std::string>{"BLOEM-02"});
  EXPECT_EQ(d.order[3].source, 0u);
  EXPECT_EQ(d.order[4].source, 1u);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].supplier_id, "BLOEM-02");
  EXPECT_EQ(d.notes[0].text, "Werkt met 22 mensen met een afstand tot de arbeidsmarkt");
}

TEST(Decision, ATooExpensiveSocialCandidateStaysAmongTheRestAndIsNotInjected) {
  const Policy p = example_policy();  // flowers: 15 %
  const Shortlist s =
      shortlist("03121200-7", {cand("FLR-100", 2000, true), cand("BLOEM-01", 3000), cand("FLR-200", 2100)});
  const Decision d = decide(p, s, {kDay, 0});
  EXPECT_EQ(d.default_supplier_id, "BLOEM-02");
  EXPECT_EQ(ids(d), (std::vector<std::string>{"BLOEM-02", "BLOEM-03", "FLR-100", "BLOEM-01", "FLR-200"}));
  EXPECT_TRUE(d.order[3].social);
  EXPECT_FALSE(d.order[3].injected);
}

TEST(Decision, ADuplicatedSupplierIsPromotedOnceByItsFirstAcceptableLine) {
  Policy p = example_policy();
  p.categories = {category("18530000-3", {"GIFT-S1"}, Strategy::fixed, 1000)};
  const Shortlist s = shortlist("18530000-3", {cand("GIFT-S1", 5000, true), cand("GIFT-R1", 1000),
                                               cand("GIFT-S1", 1050), cand("GIFT-S1", 1000)});
  const Decision d = decide(p, s, {kDay, 0});
  EXPECT_EQ(d.reason, Reason::applied);
  ASSERT_EQ(d.order.size(), 4u);
  EXPECT_EQ(d.order[0].source, 2u);
  EXPECT_EQ(d.order[1].source, 0u);
  EXPECT_EQ(d.order[2].source, 1u);
  EXPECT_EQ(d.order[3].source, 3u);
  EXPECT_EQ(preselected(d), std::vector<std::string>{"GIFT-S1"});
  EXPECT_TRUE(d.order[0].preselected);
  EXPECT_FALSE(d.order[1].preselected);  // the ERP's flag on the expensive line is cleared
}

TEST(Decision, SocialCandidatesOutsideTheCategoryKeepTheirPlace) {
  const Policy p = example_policy();
  const Shortlist s =
      shortlist("18530000-3", {cand("CAT-S1", 1000), cand("GIFT-R1", 1000, true), cand("GIFT-S1", 1000)});
  Policy one = p;
  one.categories = {category("18530000-3", {"GIFT-S1"}, Strategy::fixed, 1000)};
  const Decision d = decide(one, s, {kDay, 0});
  EXPECT_EQ(ids(d), (std::vector<std::string>{"GIFT-S1", "CAT-S1", "GIFT-R1"}));
  EXPECT_TRUE(d.order[1].social);
  EXPECT_FALSE(d.order[1].preselected);
}

TEST(Decision, UnknownAndRepeatedIdsInTheCategoryAreSkipped) {
  Policy p = example_policy();
  p.categories = {category("18530000-3", {"NOPE", "GIFT-S2", "GIFT-S2", "GIFT-R1", "GIFT-S1"}, Strategy::rotate,
                           1000)};
  const Shortlist s = shortlist("18530000-3", {cand("GIFT-R2", 1000, true)});
  // Eligible: GIFT-S2, GIFT-S1 (GIFT-R1 is regular).
  EXPECT_EQ(ids(decide(p, s, {kDay, 0})), (std::vector<std::string>{"GIFT-S2", "GIFT-S1", "GIFT-R2"}));
  EXPECT_EQ(ids(decide(p, s, {kDay, 1})), (std::vector<std::string>{"GIFT-S1", "GIFT-S2", "GIFT-R2"}));
  EXPECT_EQ(decide(p, s, {kDay, 2}).default_supplier_id, "GIFT-S2");
}

TEST(Decision, ACandidateIsRecognisedByItsIdentifiers) {
  Policy p = example_policy();
  supplier(p, "BLOEM-01").identifiers.push_back({"kvk", "70000001"});
  p.categories = {category("03121200-7", {"BLOEM-01"}, Strategy::fixed, 1500)};
  Candidate other_id = cand("V-77", 2000);
  other_id.identifiers.push_back({"kvk", "70000001"});
  const Decision d = decide(p, shortlist("03121200-7", {cand("FLR-100", 2000, true), other_id}), {kDay, 0});
  EXPECT_EQ(d.reason, Reason::applied);
  EXPECT_EQ(d.default_supplier_id, "BLOEM-01");
  EXPECT_EQ(ids(d), (std::vector<std::string>{"V-77", "FLR-100"}));  // not injected a second time
  EXPECT_EQ(d.order[0].source, 1u);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].supplier_id, "V-77");  // the id the document uses
}

TEST(Decision, NoNoteWithoutAnImpactStatement) {
  Policy p = example_policy();
  supplier(p, "GIFT-S1").impact.statement.clear();
  const Decision d = decide(p, shortlist("18530000-3", {cand("GIFT-R1", 1000, true)}), {kDay, 0});
  EXPECT_EQ(d.reason, Reason::applied);
  EXPECT_TRUE(d.notes.empty());
}

// A small deterministic generator (SplitMix64), so a failure reproduces.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

struct Case {
  Policy policy;
  Shortlist list;
  DecisionContext context;
};

Case generate(Generator& g) {
  Case c;
  const std::vector<std::string> social_ids = {"S0", "S1", "S2", "S3", "S4"};
  for (const std::string& id : social_ids) {
    // Evidence valid on kDay about three times in four.
    c.policy.suppliers.push_back(g.chance(75) ? social(id, date(2026, 1, 1), date(2026, 12, 31), "impact " + id)
                                              : social(id, date(2024, 1, 1), date(2025, 12, 31)));
  }
  for (const char* id : {"R0", "R1", "R2"}) c.policy.suppliers.push_back(regular(id));
  std::vector<std::string> configured;
  const std::vector<std::string> pool = {"S0", "S1", "S2", "S3", "S4", "R0", "UNDEFINED"};
  for (std::size_t n = g.below(5); n > 0; --n) configured.push_back(pool[g.below(pool.size())]);
  c.policy.categories.push_back(category("C", configured, g.chance(50) ? Strategy::rotate : Strategy::fixed,
                                         static_cast<std::uint32_t>(g.below(3001)),
                                         static_cast<unsigned>(g.below(5))));

  const std::vector<std::string> names = {"S0", "S1", "S2", "S3", "S4", "R0", "R1", "R2", "UNKNOWN"};
  std::vector<Candidate> candidates;
  const std::size_t length = g.chance(10) ? 0 : g.below(9);
  for (std::size_t i = 0; i < length; ++i) {
    std::optional<std::int64_t> price;
    if (g.chance(80)) price = 900 + static_cast<std::int64_t>(g.below(400));
    candidates.push_back(cand(names[g.below(names.size())], price, g.chance(25), g.chance(10) ? "USD" : "EUR"));
  }
  c.list = shortlist(g.chance(90) ? "C" : "OTHER", std::move(candidates));
  c.context = DecisionContext{kDay, g.next() % 1000};
  return c;
}

TEST(Decision, PropertyNothingIsEverDroppedAndFlagsAreConsistent) {
  Generator g(20260601);
  std::map<Reason, int> seen;
  for (int iteration = 0; iteration < 5000; ++iteration) {
    const Case c = generate(g);
    const std::vector<Candidate>& cs = c.list.candidates;
    const Decision d = decide(c.policy, c.list, c.context);
    SCOPED_TRACE("iteration " + std::to_string(iteration) + " reason " + to_string(d.reason));
    ++seen[d.reason];

    // Every original candidate exactly once; injected ones only for
    // suppliers the list lacks, each once.
    std::vector<int> times(cs.size(), 0);
    std::set<std::string> injected;
    for (const Placement& p : d.order) {
      if (p.injected) {
        ASSERT_FALSE(p.source.has_value());
        EXPECT_TRUE(injected.insert(p.supplier_id).second);
        EXPECT_TRUE(std::none_of(cs.begin(), cs.end(), [&](const Candidate& x) { return x.supplier_id == p.supplier_id; }));
        EXPECT_TRUE(p.social);
      } else {
        ASSERT_TRUE(p.source.has_value());
        ASSERT_LT(*p.source, cs.size());
        ++times[*p.source];
        EXPECT_EQ(p.supplier_id, cs[*p.source].supplier_id);
      }
    }
    for (std::size_t i = 0; i < cs.size(); ++i) EXPECT_EQ(times[i], 1) << "candidate " << i;

    bool identical = d.order.size() == cs.size();
    for (std::size_t k = 0; identical && k < d.order.size(); ++k) {
      identical = d.order[k].source == k && d.order[k].preselected == cs[k].preselected;
    }

    if (d.reason == Reason::applied || d.reason == Reason::already_default) {
      ASSERT_NE(d.category, nullptr);
      const Category& cat = *d.category;
      const std::size_t block = std::max<std::size_t>(1, cat.social_shown);
      ASSERT_FALSE(d.order.empty());
      EXPECT_TRUE(d.order[0].preselected);
      EXPECT_TRUE(d.order[0].social);
      EXPECT_EQ(d.order[0].supplier_id, d.default_supplier_id);
      EXPECT_EQ(std::count_if(d.order.begin(), d.order.end(), [](const Placement& p) { return p.preselected; }), 1);
      EXPECT_NE(std::find(cat.social_suppliers.begin(), cat.social_suppliers.end(), d.default_supplier_id),
                cat.social_suppliers.end());
      // Injected ones lie within the social block; after the block, the
      // rest is in the document's order.
      for (std::size_t k = 0; k < d.order.size(); ++k) {
        if (d.order[k].injected) {
          EXPECT_LT(k, block);
        }
      }
      std::size_t leading_social = 0;
      while (leading_social < d.order.size() && leading_social < block && d.order[leading_social].social) {
        ++leading_social;
      }
      for (std::size_t k = leading_social + 1; k < d.order.size(); ++k) {
        EXPECT_LT(*d.order[k - 1].source, *d.order[k].source);
      }
      // The default's price, when it has one, is within tolerance of the
      // cheapest candidate in the same currency.
      if (d.order[0].source && cs[*d.order[0].source].price) {
        const Money& price = *cs[*d.order[0].source].price;
        for (const Candidate& x : cs) {
          if (x.price && x.price->currency == price.currency) {
            EXPECT_LE(price.minor * 10000, x.price->minor * (10000 + std::int64_t{cat.price_tolerance_basis_points}));
          }
        }
      }
      // already_default exactly when the document needs no change.
      EXPECT_EQ(d.reason == Reason::already_default, identical);
      ASSERT_FALSE(d.notes.empty());  // every generated valid supplier has a statement
      EXPECT_EQ(d.notes[0].supplier_id, d.default_supplier_id);
    } else {
      EXPECT_TRUE(identical);
      EXPECT_TRUE(d.default_supplier_id.empty());
      EXPECT_TRUE(d.notes.empty());
      EXPECT_EQ(d.reason == Reason::no_policy, d.category == nullptr);
      if (d.reason == Reason::no_candidates) {
        EXPECT_TRUE(cs.empty());
      }
      if (d.reason == Reason::no_eligible_social_supplier) {
        EXPECT_FALSE(cs.empty());
      }
    }

    // Deterministic: the same input gives the same decision.
    EXPECT_EQ(decide(c.policy, c.list, c.context), d);
    if (HasFailure()) break;
  }
  // The generator reaches every outcome, so the checks above all ran.
  EXPECT_GT(seen[Reason::applied], 0);
  EXPECT_GT(seen[Reason::already_default], 0);
  EXPECT_GT(seen[Reason::no_policy], 0);
  EXPECT_GT(seen[Reason::no_eligible_social_supplier], 0);
  EXPECT_GT(seen[Reason::no_candidates], 0);
}

TEST(Decision, SameInputSameOutput) {
  const Policy p = example_policy();
  const Shortlist s = shortlist("03121200-7", {cand("FLR-100", 2500, true), cand("BLOEM-03", 2600),
                                               cand("FLR-200", 2400), cand("BLOEM-01", 2700)});
  const Decision first = decide(p, s, {kDay, 42});
  for (int i = 0; i < 10; ++i) EXPECT_EQ(decide(p, s, {kDay, 42}), first);
  // A copy of the policy gives the same decision except for where the
  // category lives.
  const Policy copy = p;
  Decision other = decide(copy, s, {kDay, 42});
  EXPECT_EQ(other.category, &copy.categories[0]);
  other.category = first.category;
  EXPECT_EQ(other, first);
}

}  // namespace
}  // namespace socialdefault
