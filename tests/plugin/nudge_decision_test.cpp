// Every nudge appears only when its condition holds (docs/nudges.md):
// threshold, k, date window, price, language, experiment arm.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "socialdefault/decision.hpp"

namespace socialdefault {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

LocalDate date(int y, unsigned m, unsigned d) { return LocalDate{year{y}, month{m}, day{d}}; }
const LocalDate kDay = date(2026, 6, 10);

Supplier social(std::string id, std::string statement, std::optional<std::int64_t> jobs) {
  Supplier s;
  s.id = id;
  s.name = "Werkplaats " + id;
  s.social = true;
  s.evidence.push_back(Evidence{EvidenceKind::pso_3, date(2026, 1, 1), date(2027, 12, 31), {}});
  s.impact.statement = std::move(statement);
  if (jobs) s.impact.figures.push_back(ImpactFigure{"jobs-distance-labour-market", *jobs, "persons"});
  return s;
}

Supplier regular(std::string id) {
  Supplier s;
  s.id = id;
  s.name = id;
  return s;
}

// Flowers with every nudge on; one social supplier with a statement and a
// figure, one with a figure only, regular ones.
Policy policy() {
  Policy p;
  p.organisation.reporting_currency = "EUR";
  p.suppliers = {social("S-1", "Werkt met 14 mensen met een afstand tot de arbeidsmarkt", 14),
                 social("S-2", "", std::nullopt), regular("R-1"), regular("R-2"), regular("R-3"), regular("R-4")};
  Category c;
  c.code = "03121200-7";
  c.name = "bloemen";
  c.social_suppliers = {"S-1"};
  c.price_tolerance_basis_points = 10000;
  c.nudges.shown = nudge_bit(NudgeKind::impact) | nudge_bit(NudgeKind::norm) | nudge_bit(NudgeKind::campaign) |
                   nudge_bit(NudgeKind::endorsement) | nudge_bit(NudgeKind::price);
  c.nudges.campaigns.push_back(Campaign{date(2026, 6, 1), date(2026, 6, 30),
                                        LocalizedText{"Examentijd: bloemen met {category} impact", "Exam time"}, 0});
  p.categories.push_back(c);
  p.nudges.department_languages.emplace_back("ICT", Language::en);
  p.nudges.endorsement = LocalizedText{"De directeur: kies sociaal", ""};
  return p;
}

Candidate cand(std::string id, std::optional<std::int64_t> cents, bool preselected = false,
               std::string currency = "EUR") {
  Candidate c;
  c.supplier_id = std::move(id);
  if (cents) c.price = Money{*cents, std::move(currency)};
  c.preselected = preselected;
  return c;
}

Shortlist shortlist(std::vector<Candidate> candidates, std::string department = "Facilitair",
                    std::string language = "") {
  Shortlist s;
  s.category = CategoryRef{"CPV", "03121200-7"};
  s.department = std::move(department);
  s.language = std::move(language);
  s.candidates = std::move(candidates);
  return s;
}

// The plain list most tests use: S-1 at 2500, regular 2000, 3000, 4000.
Shortlist plain(std::string department = "Facilitair", std::string language = "") {
  return shortlist({cand("R-1", 2000, true), cand("S-1", 2500), cand("R-2", 3000), cand("R-3", 4000)},
                   std::move(department), std::move(language));
}

std::vector<std::string> texts(const Decision& d, const std::string& kind) {
  std::vector<std::string> out;
  for (const Note& n : d.notes) {
    if (n.kind == kind) out.push_back(n.text);
  }
  return out;
}

const Note* find(const Decision& d, const std::string& kind) {
  for (const Note& n : d.notes) {
    if (n.kind == kind) return &n;
  }
  return nullptr;
}

DecisionContext context(LocalDate day = kDay, std::optional<NormFigures> norm = std::nullopt) {
  DecisionContext c(day, 0);
  c.norm = norm;
  return c;
}

// ---- impact ----

TEST(ImpactNote, DutchUsesTheSuppliersStatementOnTheDefaultsLine) {
  const Policy p = policy();
  const Decision d = decide(p, plain(), context());
  ASSERT_EQ(d.reason, Reason::applied);
  const Note* n = find(d, "impact");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->target, NoteTarget::candidate);
  EXPECT_EQ(n->supplier_id, "S-1");
  EXPECT_EQ(n->text, "Werkt met 14 mensen met een afstand tot de arbeidsmarkt");
  EXPECT_EQ(d.language, Language::nl);
}

TEST(ImpactNote, EnglishUsesTheTemplateWithTheFigure) {
  const Policy p = policy();
  EXPECT_EQ(texts(decide(p, plain("Facilitair", "en-GB"), context()), "impact"),
            std::vector<std::string>{"Employs 14 people with a distance to the labour market"});
}

TEST(ImpactNote, WithoutTheFigureTheTemplateIsNotShown) {
  Policy p = policy();
  p.categories[0].social_suppliers = {"S-2"};
  const Shortlist s = shortlist({cand("R-1", 2000, true), cand("S-2", 2500)});
  EXPECT_TRUE(texts(decide(p, s, context()), "impact").empty());
}

TEST(ImpactNote, OffWhenTheCategoryDoesNotShowIt) {
  Policy p = policy();
  p.categories[0].nudges.shown &= ~nudge_bit(NudgeKind::impact);
  EXPECT_EQ(find(decide(p, plain(), context()), "impact"), nullptr);
}

// ---- language ----

TEST(Language, TheDepartmentsLanguageAppliesWhenTheMessageHasNone) {
  const Policy p = policy();
  const Decision d = decide(p, plain("ICT"), context());
  EXPECT_EQ(d.language, Language::en);
  EXPECT_EQ(texts(d, "campaign"), std::vector<std::string>{"Exam time"});
}

TEST(Language, TheMessagesLanguageWinsOverTheDepartments) {
  const Policy p = policy();
  const Decision d = decide(p, plain("ICT", "nl"), context());
  EXPECT_EQ(d.language, Language::nl);
  EXPECT_EQ(texts(d, "campaign"), std::vector<std::string>{"Examentijd: bloemen met bloemen impact"});
}

TEST(Language, ATextMissingInTheLanguageIsNotShown) {
  const Policy p = policy();  // the endorsement exists in Dutch only
  EXPECT_EQ(texts(decide(p, plain(), context()), "endorsement"), std::vector<std::string>{"De directeur: kies sociaal"});
  EXPECT_TRUE(texts(decide(p, plain("Facilitair", "en"), context()), "endorsement").empty());
}

// ---- the category's name in {category} ----

TEST(CategoryName, EnglishTextsUseTheEnglishNameDutchTextsTheConfiguredOne) {
  Policy p = policy();
  p.categories[0].name_en = "flowers";
  p.categories[0].nudges.campaigns[0].text.en = "Exam time: {category} with impact";
  p.categories[0].nudges.endorsement = LocalizedText{"Inkoop: {category} sociaal", "Purchasing: {category} social"};
  const Decision en = decide(p, plain("ICT"), context(kDay, NormFigures{10, 6}));
  ASSERT_EQ(en.language, Language::en);
  EXPECT_EQ(texts(en, "norm"), std::vector<std::string>{"6 of the 10 orders for flowers at ICT in the past 91 days "
                                                        "went to a social enterprise"});
  EXPECT_EQ(texts(en, "campaign"), std::vector<std::string>{"Exam time: flowers with impact"});
  EXPECT_EQ(texts(en, "endorsement"), std::vector<std::string>{"Purchasing: flowers social"});

  const Decision nl = decide(p, plain("Facilitair"), context(kDay, NormFigures{10, 6}));
  ASSERT_EQ(nl.language, Language::nl);
  EXPECT_EQ(texts(nl, "norm"), std::vector<std::string>{"6 van de 10 bestellingen voor bloemen bij Facilitair gingen "
                                                        "de afgelopen 91 dagen naar een sociale onderneming"});
  EXPECT_EQ(texts(nl, "campaign"), std::vector<std::string>{"Examentijd: bloemen met bloemen impact"});
  EXPECT_EQ(texts(nl, "endorsement"), std::vector<std::string>{"Inkoop: bloemen sociaal"});
}

TEST(CategoryName, WithoutAnEnglishNameEnglishTextsUseTheConfiguredName) {
  Policy p = policy();  // no English name
  p.categories[0].nudges.endorsement = LocalizedText{"", "Purchasing: {category} social"};
  const Decision en = decide(p, plain("ICT"), context(kDay, NormFigures{10, 6}));
  EXPECT_EQ(texts(en, "norm"), std::vector<std::string>{"6 of the 10 orders for bloemen at ICT in the past 91 days "
                                                        "went to a social enterprise"});
  EXPECT_EQ(texts(en, "endorsement"), std::vector<std::string>{"Purchasing: bloemen social"});
}

// ---- norm ----

TEST(ColleagueNorm, ShownAtKOrdersAndAtTheThreshold) {
  const Policy p = policy();  // k 10, threshold 50 %, 91 days
  const Decision d = decide(p, plain(), context(kDay, NormFigures{10, 5}));
  const Note* n = find(d, "norm");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->target, NoteTarget::message);
  EXPECT_EQ(n->supplier_id, "");
  EXPECT_EQ(n->text,
            "5 van de 10 bestellingen voor bloemen bij Facilitair gingen de afgelopen 91 dagen naar een sociale "
            "onderneming");
}

TEST(ColleagueNorm, NotShownBelowKOrders) {
  const Policy p = policy();
  EXPECT_EQ(find(decide(p, plain(), context(kDay, NormFigures{9, 9})), "norm"), nullptr);
}

TEST(ColleagueNorm, NotShownBelowTheThreshold) {
  Policy p = policy();
  EXPECT_EQ(find(decide(p, plain(), context(kDay, NormFigures{10, 4})), "norm"), nullptr);
  p.nudges.norm.threshold_basis_points = 7001;  // 70.01 %: 7 of 10 is below
  EXPECT_EQ(find(decide(p, plain(), context(kDay, NormFigures{10, 7})), "norm"), nullptr);
  p.nudges.norm.threshold_basis_points = 7000;
  EXPECT_NE(find(decide(p, plain(), context(kDay, NormFigures{10, 7})), "norm"), nullptr);
}

TEST(ColleagueNorm, TheCategorysSettingsAndTemplateApply) {
  Policy p = policy();
  p.categories[0].nudges.norm = NormSettings{8000, 20, 30};
  p.nudges.norm_template.en = "{percent}% of {department} ({orders} orders, {days} days)";
  EXPECT_EQ(find(decide(p, plain(), context(kDay, NormFigures{19, 19})), "norm"), nullptr);  // k is 20 here
  EXPECT_EQ(texts(decide(p, plain("ICT"), context(kDay, NormFigures{30, 26})), "norm"),
            std::vector<std::string>{"86% of ICT (30 orders, 30 days)"});  // 86.67 rounded down
}

TEST(ColleagueNorm, NeedsADepartmentAndFigures) {
  const Policy p = policy();
  EXPECT_EQ(find(decide(p, plain(""), context(kDay, NormFigures{50, 50})), "norm"), nullptr);
  EXPECT_EQ(find(decide(p, plain(), context(kDay, std::nullopt)), "norm"), nullptr);
}

// ---- campaign ----

TEST(Campaign, ShownOnlyInsideItsDateWindow) {
  const Policy p = policy();  // 2026-06-01 .. 2026-06-30
  EXPECT_TRUE(texts(decide(p, plain(), context(date(2026, 5, 31))), "campaign").empty());
  EXPECT_EQ(texts(decide(p, plain(), context(date(2026, 6, 1))), "campaign").size(), 1u);
  EXPECT_EQ(texts(decide(p, plain(), context(date(2026, 6, 30))), "campaign").size(), 1u);
  EXPECT_TRUE(texts(decide(p, plain(), context(date(2026, 7, 1))), "campaign").empty());
}

// ---- endorsement ----

TEST(Endorsement, TheCategorysReplacesTheOrganisations) {
  Policy p = policy();
  p.categories[0].nudges.endorsement = LocalizedText{"Inkoop: {category} sociaal", ""};
  EXPECT_EQ(texts(decide(p, plain(), context()), "endorsement"), std::vector<std::string>{"Inkoop: bloemen sociaal"});
  p.categories[0].nudges.shown &= ~nudge_bit(NudgeKind::endorsement);
  EXPECT_TRUE(texts(decide(p, plain(), context()), "endorsement").empty());
}

// ---- price ----

TEST(PriceFact, ShownWhenAtTheMedianWithTheFigures) {
  const Policy p = policy();
  // Regular alternatives 2000, 3000, 4000: median 3000.
  const Shortlist s = shortlist({cand("R-1", 2000, true), cand("S-1", 3000), cand("R-2", 3000), cand("R-3", 4000)});
  const Decision d = decide(p, s, context());
  const Note* n = find(d, "price");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->target, NoteTarget::candidate);
  EXPECT_EQ(n->supplier_id, "S-1");
  EXPECT_EQ(n->text, "Werkplaats S-1 kost € 30,00, niet meer dan de mediaan van de 3 andere aanbieders (€ 30,00)");
  EXPECT_EQ(texts(decide(p, shortlist(s.candidates, "Facilitair", "en"), context()), "price"),
            std::vector<std::string>{
                "Werkplaats S-1 costs €30.00, no more than the median of the 3 other suppliers (€30.00)"});
}

TEST(PriceFact, NotShownOneCentAboveTheMedian) {
  const Policy p = policy();
  const Shortlist s = shortlist({cand("R-1", 2000, true), cand("S-1", 3001), cand("R-2", 3000), cand("R-3", 4000)});
  EXPECT_EQ(decide(p, s, context()).reason, Reason::applied);
  EXPECT_EQ(find(decide(p, s, context()), "price"), nullptr);
}

TEST(PriceFact, AnEvenCountUsesTheMeanOfTheMiddleTwoRoundedDownWhenShown) {
  const Policy p = policy();
  // Alternatives 1500, 2001, 2002, 5000: median 2001.5. 2001 is below it;
  // the figure shown is 20,01, so the sentence stays true.
  const Shortlist below =
      shortlist({cand("R-1", 1500), cand("S-1", 2001), cand("R-2", 2001), cand("R-3", 2002), cand("R-4", 5000)});
  EXPECT_EQ(texts(decide(p, below, context()), "price"),
            std::vector<std::string>{
                "Werkplaats S-1 kost € 20,01, niet meer dan de mediaan van de 4 andere aanbieders (€ 20,01)"});
  const Shortlist above =
      shortlist({cand("R-1", 1500), cand("S-1", 2002), cand("R-2", 2001), cand("R-3", 2002), cand("R-4", 5000)});
  EXPECT_EQ(find(decide(p, above, context()), "price"), nullptr);
}

TEST(PriceFact, OnlyRegularAlternativesInTheSameCurrencyCount) {
  Policy p = policy();
  p.categories[0].social_suppliers = {"S-1", "S-2"};
  // S-2 (social) and the dollar prices do not count, so the one regular
  // alternative R-1 at 2000 is the median, and 2500 is above it. Counting
  // S-2 (median 3000) or the dollars (median 9000) would claim otherwise.
  const Shortlist s = shortlist({cand("R-1", 2000, true), cand("S-1", 2500), cand("S-2", 4000),
                                 cand("R-2", 9000, false, "USD"), cand("R-3", 9000, false, "USD")});
  const Decision d = decide(p, s, context());
  EXPECT_EQ(d.default_supplier_id, "S-1");
  EXPECT_EQ(find(d, "price"), nullptr);
}

TEST(PriceFact, NotShownWithoutAPricedAlternativeOrWithoutAPrice) {
  Policy p = policy();
  EXPECT_EQ(find(decide(p, shortlist({cand("S-1", 1000), cand("R-1", std::nullopt)}), context()), "price"), nullptr);
  // S-1 injected: the list has no price for it.
  const Decision injected = decide(p, shortlist({cand("R-1", 2000, true), cand("R-2", 3000)}), context());
  EXPECT_EQ(injected.default_supplier_id, "S-1");
  EXPECT_EQ(find(injected, "price"), nullptr);
}

// ---- experiments ----

Experiment experiment() {
  Experiment e;
  e.id = "exp-1";
  e.from = date(2026, 1, 1);
  e.until = date(2026, 12, 31);
  e.arms = {ExperimentArm{"control", 1, true, 0, 0}, ExperimentArm{"default", 1, false, 0, 0},
            ExperimentArm{"norm", 1, false, nudge_bit(NudgeKind::norm), 0}};
  return e;
}

TEST(ExperimentArms, TheControlArmChangesNothing) {
  const Policy p = policy();
  const Experiment e = experiment();
  DecisionContext c = context(kDay, NormFigures{20, 20});
  c.experiment = &e;
  c.arm = &e.arms[0];
  const Shortlist s = plain();
  const Decision d = decide(p, s, c);
  EXPECT_EQ(d.reason, Reason::experiment_control);
  EXPECT_FALSE(d.changes_document());
  EXPECT_EQ(d.arm, "exp-1/control");
  EXPECT_TRUE(d.default_supplier_id.empty());
  EXPECT_TRUE(d.notes.empty());
  ASSERT_EQ(d.order.size(), s.candidates.size());
  for (std::size_t i = 0; i < d.order.size(); ++i) {
    EXPECT_EQ(d.order[i].source, i);
    EXPECT_EQ(d.order[i].preselected, s.candidates[i].preselected);
  }
  EXPECT_STREQ(to_string(Reason::experiment_control), "experiment-control");
}

TEST(ExperimentArms, AnArmsNudgesReplaceTheCategorys) {
  const Policy p = policy();
  const Experiment e = experiment();
  DecisionContext c = context(kDay, NormFigures{20, 20});
  c.experiment = &e;
  c.arm = &e.arms[1];
  const Decision only_default = decide(p, plain(), c);
  EXPECT_EQ(only_default.reason, Reason::applied);
  EXPECT_EQ(only_default.arm, "exp-1/default");
  EXPECT_TRUE(only_default.notes.empty());
  c.arm = &e.arms[2];
  const Decision norm = decide(p, plain(), c);
  EXPECT_EQ(norm.arm, "exp-1/norm");
  ASSERT_EQ(norm.notes.size(), 1u);
  EXPECT_EQ(norm.notes[0].kind, "norm");
}

TEST(ExperimentArms, WithoutAnExperimentTheArmIsDefault) {
  const Policy p = policy();
  EXPECT_EQ(decide(p, plain(), context()).arm, "default");
}

TEST(ExperimentArms, WeightsSplitTheBuckets) {
  Experiment e = experiment();
  e.arms[2].weight = 2;  // 1 : 1 : 2 of 2^64
  EXPECT_EQ(e.arm_for(0).name, "control");
  EXPECT_EQ(e.arm_for((std::uint64_t{1} << 62) - 1).name, "control");
  EXPECT_EQ(e.arm_for(std::uint64_t{1} << 62).name, "default");
  EXPECT_EQ(e.arm_for((std::uint64_t{1} << 63) - 1).name, "default");
  EXPECT_EQ(e.arm_for(std::uint64_t{1} << 63).name, "norm");
  EXPECT_EQ(e.arm_for(~std::uint64_t{0}).name, "norm");
}

}  // namespace
}  // namespace socialdefault
