// The configuration of nudges and experiments (docs/nudges.md): what loads,
// and every message the loader gives for them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "plugin/tzif_fixture.hpp"
#include "socialdefault/policy.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(SD_SOURCE_DIR) / "tests/plugin/data/config";

class ZoneEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    dir_ = std::make_unique<testing::ScratchDir>("sd_nudge_config_test_tz");
    dir_->write("Europe/Amsterdam", testing::tzif_v2("CET-1CEST,M3.5.0,M10.5.0/3"));
    guard_ = std::make_unique<testing::TzdirGuard>(dir_->path());
  }
  void TearDown() override {
    guard_.reset();
    dir_.reset();
  }

 private:
  std::unique_ptr<testing::ScratchDir> dir_;
  std::unique_ptr<testing::TzdirGuard> guard_;
};
const auto* const kZoneEnvironment = ::testing::AddGlobalTestEnvironment(new ZoneEnvironment);

// A valid configuration with every nudge element; the line numbers are in
// the comments.
const std::string kValid =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                    // 1
    "<configuration xmlns=\"urn:socialdefault:config:1\">\n"                                        // 2
    "  <organisation name=\"Gemeente Test\" key-file=\"pseudonym.key\"/>\n"                          // 3
    "  <suppliers>\n"                                                                                // 4
    "    <supplier id=\"S-1\" social=\"true\">\n"                                                    // 5
    "      <name>Sociaal Bedrijf</name>\n"                                                           // 6
    "      <evidence kind=\"pso-3\" valid-from=\"2026-01-01\" valid-until=\"2027-12-31\"/>\n"        // 7
    "    </supplier>\n"                                                                              // 8
    "  </suppliers>\n"                                                                               // 9
    "  <categories>\n"                                                                               // 10
    "    <category code=\"03121200-7\">\n"                                                           // 11
    "      <name>bloemen</name>\n"                                                                   // 12
    "      <social-supplier ref=\"S-1\"/>\n"                                                         // 13
    "      <nudges show=\"impact norm campaign\">\n"                                                 // 14
    "        <norm threshold=\"60\" window-days=\"30\"/>\n"                                          // 15
    "        <campaign from=\"2026-05-15\" until=\"2026-06-30\">\n"                                  // 16
    "          <text language=\"nl\">Geslaagd? Bloemen van {category} met impact.</text>\n"          // 17
    "          <text language=\"en\">Exams passed? Flowers with impact.</text>\n"                    // 18
    "        </campaign>\n"                                                                          // 19
    "        <endorsement language=\"nl\">De directeur: kies sociaal.</endorsement>\n"               // 20
    "      </nudges>\n"                                                                              // 21
    "    </category>\n"                                                                              // 22
    "  </categories>\n"                                                                              // 23
    "  <nudges language=\"nl\">\n"                                                                  // 24
    "    <department name=\"ICT\" language=\"en\"/>\n"                                               // 25
    "    <norm threshold=\"50\" min-orders=\"12\" window-days=\"91\"/>\n"                            // 26
    "    <template kind=\"norm\" language=\"nl\">{percent}% van {department} koos sociaal</template>\n"  // 27
    "    <endorsement language=\"en\">The director: choose social.</endorsement>\n"                  // 28
    "  </nudges>\n"                                                                                  // 29
    "  <experiments>\n"                                                                              // 30
    "    <experiment id=\"nudges-2026\" from=\"2026-01-01\" until=\"2026-12-31\" minimum-effect=\"5\">\n"  // 31
    "      <category code=\"03121200-7\"/>\n"                                                        // 32
    "      <arm name=\"control\" weight=\"1\" control=\"true\"/>\n"                                  // 33
    "      <arm name=\"default\" weight=\"1\"/>\n"                                                   // 34
    "      <arm name=\"impact\" weight=\"2\" nudges=\"impact\"/>\n"                                  // 35
    "    </experiment>\n"                                                                            // 36
    "  </experiments>\n"                                                                             // 37
    "</configuration>\n";                                                                            // 38

std::string with(const std::string& from, const std::string& to, std::string base = kValid) {
  const auto at = base.find(from);
  EXPECT_NE(at, std::string::npos) << "not in the configuration: " << from;
  if (at == std::string::npos) return base;
  EXPECT_EQ(base.find(from, at + 1), std::string::npos) << "more than once in the configuration: " << from;
  return base.replace(at, from.size(), to);
}

Result<std::shared_ptr<const Policy>> parse(const std::string& xml) { return parse_policy(xml, "config.xml", kFixtures); }

std::vector<std::string> problems(const std::string& xml) {
  auto policy = parse(xml);
  if (policy.ok()) return {"(loaded)"};
  std::vector<std::string> lines;
  std::istringstream in(policy.error().describe());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string only_problem(const std::string& xml) {
  const auto all = problems(xml);
  EXPECT_EQ(all.size(), 1u) << ::testing::PrintToString(all);
  return all.empty() ? std::string() : all.front();
}

TEST(NudgeConfig, LoadsEveryNudgeAndExperimentField) {
  auto r = parse(kValid);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const Policy& p = **r;
  const NudgeSettings& n = p.nudges;
  EXPECT_EQ(n.default_language, Language::nl);
  ASSERT_EQ(n.department_languages.size(), 1u);
  EXPECT_EQ(n.department_languages[0].first, "ICT");
  EXPECT_EQ(n.department_languages[0].second, Language::en);
  EXPECT_EQ(n.norm.threshold_basis_points, 5000u);
  EXPECT_EQ(n.norm.min_orders, 12u);
  EXPECT_EQ(n.norm.window_days, 91u);
  EXPECT_EQ(n.norm_template.nl, "{percent}% van {department} koos sociaal");
  EXPECT_EQ(n.norm_template.en, builtin_template(NudgeKind::norm).en);  // the built-in fills the gap
  EXPECT_EQ(n.impact_template.nl, builtin_template(NudgeKind::impact).nl);
  EXPECT_EQ(n.endorsement.en, "The director: choose social.");
  EXPECT_TRUE(n.endorsement.nl.empty());

  const CategoryNudges& c = p.categories[0].nudges;
  EXPECT_EQ(c.shown, nudge_bit(NudgeKind::impact) | nudge_bit(NudgeKind::norm) | nudge_bit(NudgeKind::campaign));
  ASSERT_TRUE(c.norm.has_value());
  EXPECT_EQ(c.norm->threshold_basis_points, 6000u);
  EXPECT_EQ(c.norm->min_orders, 12u);  // not given here: the organisation's
  EXPECT_EQ(c.norm->window_days, 30u);
  ASSERT_EQ(c.campaigns.size(), 1u);
  EXPECT_EQ(format_date(c.campaigns[0].from), "2026-05-15");
  EXPECT_EQ(format_date(c.campaigns[0].until), "2026-06-30");
  EXPECT_EQ(c.campaigns[0].text.nl, "Geslaagd? Bloemen van {category} met impact.");
  EXPECT_EQ(c.campaigns[0].text.en, "Exams passed? Flowers with impact.");
  EXPECT_EQ(c.endorsement.nl, "De directeur: kies sociaal.");

  ASSERT_EQ(p.experiments.size(), 1u);
  const Experiment& e = p.experiments[0];
  EXPECT_EQ(e.id, "nudges-2026");
  EXPECT_EQ(e.minimum_effect_basis_points, 500u);
  ASSERT_EQ(e.categories.size(), 1u);
  EXPECT_EQ(e.categories[0].first, "CPV");
  ASSERT_EQ(e.arms.size(), 3u);
  EXPECT_TRUE(e.arms[0].control);
  EXPECT_EQ(e.arms[1].nudges, 0u);
  EXPECT_EQ(e.arms[2].weight, 2u);
  EXPECT_EQ(e.arms[2].nudges, nudge_bit(NudgeKind::impact));
  EXPECT_EQ(e.control(), &e.arms[0]);
  EXPECT_EQ(p.find_experiment(p.categories[0], parse_date("2026-03-01").value()), &e);
  EXPECT_EQ(p.find_experiment(p.categories[0], parse_date("2027-01-01").value()), nullptr);
}

TEST(NudgeConfig, WithoutNudgesOnlyTheImpactNoteIsOnAndBuiltInTemplatesApply) {
  std::string xml = kValid;
  xml.erase(xml.find("      <nudges show"), xml.find("    </category>") - xml.find("      <nudges show"));
  xml.erase(xml.find("  <nudges language"), xml.find("</configuration>") - xml.find("  <nudges language"));
  auto r = parse(xml);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ((*r)->categories[0].nudges.shown, nudge_bit(NudgeKind::impact));
  EXPECT_FALSE((*r)->categories[0].nudges.norm.has_value());
  EXPECT_EQ((*r)->nudges.norm.min_orders, 10u);
  EXPECT_EQ((*r)->nudges.norm.threshold_basis_points, 5000u);
  EXPECT_EQ((*r)->nudges.norm.window_days, 91u);
  EXPECT_EQ((*r)->nudges.price_template.nl, builtin_template(NudgeKind::price).nl);
  EXPECT_TRUE((*r)->experiments.empty());
}

TEST(NudgeConfig, LanguageComesFromTheMessageThenTheDepartmentThenTheDefault) {
  auto r = parse(kValid);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const Policy& p = **r;
  EXPECT_EQ(p.language_for("en-GB", "Facilitair"), Language::en);
  EXPECT_EQ(p.language_for("NL", "ICT"), Language::nl);
  EXPECT_EQ(p.language_for("", "ICT"), Language::en);
  EXPECT_EQ(p.language_for("de", "ICT"), Language::en);  // not one of ours: the department's
  EXPECT_EQ(p.language_for("", "Facilitair"), Language::nl);
  EXPECT_EQ(p.language_for("english", "Facilitair"), Language::nl);
}

// ---- messages ----

TEST(NudgeConfigMessages, UnknownNudgeKind) {
  EXPECT_EQ(only_problem(with("show=\"impact norm campaign\"", "show=\"impact nrm\"")),
            "config.xml:14: category 03121200-7: show \"impact nrm\": \"nrm\" is unknown; expected a space-separated "
            "list of impact, norm, campaign, endorsement, price");
}

TEST(NudgeConfigMessages, UnsupportedLanguage) {
  EXPECT_EQ(only_problem(with("<nudges language=\"nl\">", "<nudges language=\"de\">")),
            "config.xml:24: nudges: language \"de\" is not supported; expected nl or en");
  EXPECT_EQ(only_problem(with("<text language=\"en\">", "<text language=\"fr\">")),
            "config.xml:18: category 03121200-7: language \"fr\" is not supported; expected nl or en");
}

TEST(NudgeConfigMessages, NormThreshold) {
  EXPECT_EQ(only_problem(with("threshold=\"60\"", "threshold=\"150\"")),
            "config.xml:15: category 03121200-7: norm threshold \"150\" is not a percentage from 0 to 100; expected a "
            "number such as 50");
}

TEST(NudgeConfigMessages, NormMinOrdersProtectsPersons) {
  EXPECT_EQ(only_problem(with("min-orders=\"12\"", "min-orders=\"3\"")),
            "config.xml:26: nudges: norm min-orders \"3\" is not a whole number from 5 to 1000000; expected at least 5 "
            "so that the norm never exposes a person, such as 10");
}

TEST(NudgeConfigMessages, NormWindowDays) {
  EXPECT_EQ(only_problem(with("window-days=\"30\"", "window-days=\"0\"")),
            "config.xml:15: category 03121200-7: norm window-days \"0\" is not a whole number from 1 to 3660; expected "
            "a number of days such as 91");
}

TEST(NudgeConfigMessages, DepartmentLanguageTwice) {
  EXPECT_EQ(only_problem(with("    <department name=\"ICT\" language=\"en\"/>\n",
                              "    <department name=\"ICT\" language=\"en\"/>\n"
                              "    <department name=\"ICT\" language=\"nl\"/>\n")),
            "config.xml:26: nudges: department \"ICT\" has a language twice (first at line 25); expected one "
            "<department> per department");
}

TEST(NudgeConfigMessages, TemplateKindUnknown) {
  EXPECT_EQ(only_problem(with("kind=\"norm\"", "kind=\"nrom\"")),
            "config.xml:27: nudges: template kind \"nrom\" is unknown; expected impact, norm or price");
}

TEST(NudgeConfigMessages, TemplatePlaceholders) {
  EXPECT_EQ(only_problem(with("{percent}% van", "{share}% van")),
            "config.xml:27: nudges: template norm (nl) has the unknown placeholder {share}; expected {social}, "
            "{orders}, {percent}, {department}, {category}, {days}");
  EXPECT_EQ(only_problem(with("{percent}% van", "{percent% van")),
            "config.xml:27: nudges: template norm (nl) has a \"{\" without \"}\"; expected placeholders written as "
            "{name}");
  EXPECT_EQ(only_problem(with("Bloemen van {category} met", "Bloemen} met")),
            "config.xml:17: category 03121200-7: campaign text (nl) has a \"}\" without \"{\"; expected placeholders "
            "written as {name}");
  EXPECT_EQ(only_problem(with("De directeur: kies sociaal.", "De directeur van {department}.")),
            "config.xml:20: category 03121200-7: endorsement (nl) has the unknown placeholder {department}; expected "
            "{category}");
}

TEST(NudgeConfigMessages, TemplateTwiceInOneLanguage) {
  EXPECT_EQ(only_problem(with("    <endorsement language=\"en\">The director: choose social.</endorsement>\n",
                              "    <endorsement language=\"en\">The director: choose social.</endorsement>\n"
                              "    <endorsement language=\"en\">Again.</endorsement>\n")),
            "config.xml:29: nudges: second endorsement in en (first at line 28); expected one per language");
}

TEST(NudgeConfigMessages, EmptyText) {
  EXPECT_EQ(only_problem(with("The director: choose social.", " ")),
            "config.xml:28: nudges: endorsement <endorsement> is empty; expected the text to show");
}

TEST(NudgeConfigMessages, CampaignDates) {
  EXPECT_EQ(only_problem(with("from=\"2026-05-15\"", "from=\"2026-05-32\"")),
            "config.xml:16: category 03121200-7: campaign from \"2026-05-32\" is not a valid date; expected "
            "YYYY-MM-DD, such as 2026-05-15");
  EXPECT_EQ(only_problem(with("until=\"2026-06-30\"", "until=\"2026-05-01\"")),
            "config.xml:16: category 03121200-7: campaign until 2026-05-01 is before from 2026-05-15; expected an end "
            "on or after the start");
}

TEST(NudgeConfigMessages, CampaignWithoutText) {
  std::string xml = with("          <text language=\"nl\">Geslaagd? Bloemen van {category} met impact.</text>\n", "");
  EXPECT_EQ(only_problem(with("          <text language=\"en\">Exams passed? Flowers with impact.</text>\n", "", xml)),
            "config.xml:16: category 03121200-7: missing <text> in <campaign>; expected <text language=\"nl\">the "
            "tip</text>");
}

TEST(NudgeConfigMessages, ExperimentId) {
  EXPECT_EQ(only_problem(with("id=\"nudges-2026\"", "id=\"nudges/2026\"")),
            "config.xml:31: experiment \"nudges/2026\": id \"nudges/2026\" has characters other than letters, digits, "
            "\"-\", \"_\" and \".\"; expected an id such as nudges-2026");
}

TEST(NudgeConfigMessages, ExperimentDates) {
  EXPECT_EQ(only_problem(with("until=\"2026-12-31\"", "until=\"2025-12-31\"")),
            "config.xml:31: experiment \"nudges-2026\": until 2025-12-31 is before from 2026-01-01; expected an end on "
            "or after the start");
  EXPECT_EQ(only_problem(with("from=\"2026-01-01\" until", "from=\"2026-1-1\" until")),
            "config.xml:31: experiment \"nudges-2026\": from \"2026-1-1\" is not a valid date; expected YYYY-MM-DD, "
            "such as 2026-01-01");
}

TEST(NudgeConfigMessages, MinimumEffect) {
  EXPECT_EQ(only_problem(with("minimum-effect=\"5\"", "minimum-effect=\"0\"")),
            "config.xml:31: experiment \"nudges-2026\": minimum-effect \"0\" is not a percentage from 0.01 to 100; "
            "expected the smallest difference in social share worth detecting, in percentage points, such as 5");
}

TEST(NudgeConfigMessages, ExperimentCategoryNotConfigured) {
  EXPECT_EQ(only_problem(with("<category code=\"03121200-7\"/>", "<category code-system=\"ERP\" code=\"XMAS\"/>")),
            "config.xml:32: experiment \"nudges-2026\": category ERP \"XMAS\" is not configured; expected the code of "
            "a <category> in <categories>");
}

TEST(NudgeConfigMessages, ArmName) {
  EXPECT_EQ(only_problem(with("name=\"impact\"", "name=\"impact note\"")),
            "config.xml:35: experiment \"nudges-2026\": arm name \"impact note\" has characters other than letters, "
            "digits, \"-\", \"_\" and \".\"; expected a name such as impact");
  EXPECT_EQ(only_problem(with("name=\"impact\"", "name=\"default\"")),
            "config.xml:35: experiment \"nudges-2026\": arm \"default\" is defined twice (first at line 34); expected "
            "unique arm names");
}

TEST(NudgeConfigMessages, ArmWeight) {
  EXPECT_EQ(only_problem(with("weight=\"2\"", "weight=\"0\"")),
            "config.xml:35: experiment \"nudges-2026\": arm weight \"0\" is not a whole number from 1 to 1000000; "
            "expected a weight such as 1");
}

TEST(NudgeConfigMessages, ArmControlFlag) {
  EXPECT_EQ(problems(with("control=\"true\"", "control=\"yes\"")).front(),
            "config.xml:31: experiment \"nudges-2026\": has no control arm; expected exactly one <arm "
            "control=\"true\">");
  EXPECT_EQ(problems(with("control=\"true\"", "control=\"yes\"")).size(), 2u);
  EXPECT_EQ(problems(with("control=\"true\"", "control=\"yes\"")).back(),
            "config.xml:33: experiment \"nudges-2026\": arm control \"yes\" is not a boolean; expected true or false");
}

TEST(NudgeConfigMessages, ControlArms) {
  EXPECT_EQ(only_problem(with("<arm name=\"default\" weight=\"1\"/>", "<arm name=\"default\" control=\"true\"/>")),
            "config.xml:31: experiment \"nudges-2026\": has 2 control arms; expected exactly one <arm "
            "control=\"true\">");
  EXPECT_EQ(only_problem(with("<arm name=\"control\" weight=\"1\" control=\"true\"/>",
                              "<arm name=\"control\" control=\"true\" nudges=\"norm\"/>")),
            "config.xml:33: experiment \"nudges-2026\": control arm \"control\" has nudges; expected none, the control "
            "passes the ERP's list through unchanged");
}

TEST(NudgeConfigMessages, OneArmIsNotAnExperiment) {
  std::string xml = with("      <arm name=\"default\" weight=\"1\"/>\n", "");
  EXPECT_EQ(only_problem(with("      <arm name=\"impact\" weight=\"2\" nudges=\"impact\"/>\n", "", xml)),
            "config.xml:31: experiment \"nudges-2026\": has only one arm; expected a control arm and at least one "
            "other");
}

TEST(NudgeConfigMessages, ArmNudges) {
  EXPECT_EQ(only_problem(with("nudges=\"impact\"", "nudges=\"impact prize\"")),
            "config.xml:35: experiment \"nudges-2026\": nudges \"impact prize\": \"prize\" is unknown; expected a "
            "space-separated list of impact, norm, campaign, endorsement, price");
}

TEST(NudgeConfigMessages, ExperimentsOverlapOrRepeat) {
  const std::string second =
      "    <experiment id=\"other\" from=\"2026-12-01\" until=\"2027-03-31\">\n"
      "      <arm name=\"control\" control=\"true\"/>\n"
      "      <arm name=\"norm\" nudges=\"norm\"/>\n"
      "    </experiment>\n"
      "  </experiments>\n";
  EXPECT_EQ(only_problem(with("  </experiments>\n", second)),
            "config.xml:37: experiment \"other\": runs on days of experiment \"nudges-2026\" (line 31) for the same "
            "categories; expected at most one experiment per category on a day");
  std::string later = second;
  later.replace(later.find("2026-12-01"), 10, "2027-01-01");
  EXPECT_EQ(problems(with("  </experiments>\n", later)), std::vector<std::string>{"(loaded)"});
  std::string same_id = later;
  same_id.replace(same_id.find("\"other\""), 7, "\"nudges-2026\"");
  EXPECT_EQ(only_problem(with("  </experiments>\n", same_id)),
            "config.xml:37: experiment \"nudges-2026\": defined twice (first at line 31); expected unique experiment "
            "ids");
}

// ---- the category's English name ----

// kValid with an English name on line 13 (every later line moves one down).
std::string with_english_name(const std::string& element = "      <name language=\"en\">flowers</name>\n") {
  return with("      <name>bloemen</name>\n", "      <name>bloemen</name>\n" + element);
}

TEST(CategoryName, TheEnglishNameIsOptionalAndUsedOnlyInEnglish) {
  auto without = parse(kValid);
  ASSERT_TRUE(without.ok()) << without.error().describe();
  const Category& plain = (*without)->categories[0];
  EXPECT_EQ(plain.name_en, "");
  EXPECT_EQ(plain.name_in(Language::nl), "bloemen");
  EXPECT_EQ(plain.name_in(Language::en), "bloemen");  // none configured: the configured name

  auto r = parse(with_english_name("      <name language=\"en\">\n        cut   flowers\n      </name>\n"));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const Category& c = (*r)->categories[0];
  EXPECT_EQ(c.name, "bloemen");
  EXPECT_EQ(c.name_en, "cut flowers");  // spaces collapse as in every text
  EXPECT_EQ(c.name_in(Language::nl), "bloemen");
  EXPECT_EQ(c.name_in(Language::en), "cut flowers");
}

TEST(CategoryNameMessages, OnlyEnglishIsALanguageOfAName) {
  EXPECT_EQ(only_problem(with_english_name("      <name language=\"nl\">bloemen</name>\n")),
            "config.xml:13: category 03121200-7: name language \"nl\" is not supported; expected en (the <name> "
            "without language is the configured name, used in Dutch)");
  // A misspelt attribute leaves a second name without language.
  EXPECT_EQ(problems(with_english_name("      <name lang=\"en\">flowers</name>\n")),
            (std::vector<std::string>{
                "config.xml:13: category 03121200-7: unknown attribute \"lang\" on <name>; expected one of language",
                "config.xml:13: category 03121200-7: second <name> in <category> (first at line 12); expected only "
                "one"}));
}

TEST(CategoryNameMessages, OneEnglishNameAndOneConfiguredName) {
  EXPECT_EQ(only_problem(with_english_name("      <name language=\"en\">flowers</name>\n"
                                           "      <name language=\"en\">blooms</name>\n")),
            "config.xml:14: category 03121200-7: second <name language=\"en\"> in <category> (first at line 13); "
            "expected one English name");
  EXPECT_EQ(only_problem(with_english_name("      <name>blooms</name>\n")),
            "config.xml:13: category 03121200-7: second <name> in <category> (first at line 12); expected only one");
  EXPECT_EQ(only_problem(with("      <name>bloemen</name>\n", "      <name language=\"en\">flowers</name>\n")),
            "config.xml:11: category 03121200-7: missing <name> without language in <category>; expected the "
            "category's configured name (used in Dutch), such as <name>Bloemen</name>");
}

TEST(CategoryNameMessages, AnEnglishNameIsNotEmpty) {
  EXPECT_EQ(only_problem(with_english_name("      <name language=\"en\"> </name>\n")),
            "config.xml:13: category 03121200-7: <name language=\"en\"> is empty; expected the category's name in "
            "English");
  EXPECT_EQ(only_problem(with_english_name("      <name language=\"\">flowers</name>\n")),
            "config.xml:13: category 03121200-7: attribute \"language\" is empty; expected en");
}

TEST(NudgeConfig, TheExampleConfigurationHasNudgesAndAnExperiment) {
  auto r = load_policy(fs::path(SD_SOURCE_DIR) / "examples/config.xml");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_FALSE((*r)->experiments.empty());
  EXPECT_FALSE((*r)->nudges.endorsement.empty());
  const Category* flowers = (*r)->find_category("CPV", "03121200-7", "");
  ASSERT_NE(flowers, nullptr);
  EXPECT_EQ(flowers->name_in(Language::en), "Flowers");
  EXPECT_EQ(flowers->name_in(Language::nl), "Bloemen");
}

}  // namespace
}  // namespace socialdefault
