// write_policy: the example configuration, written and loaded again, is the
// same configuration; and writing that again gives the same bytes.
#include <gtest/gtest.h>

#include <fstream>

#include "socialdefault/policy_writer.hpp"
#include "temp_dir.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<const Policy> load_example() {
  auto loaded = load_policy(fs::path(SD_SOURCE_DIR) / "examples" / "config.xml");
  EXPECT_TRUE(loaded.ok()) << (loaded ? "" : loaded.error().describe());
  return loaded ? *loaded : nullptr;
}

void expect_same_texts(const LocalizedText& a, const LocalizedText& b) {
  EXPECT_EQ(a.nl, b.nl);
  EXPECT_EQ(a.en, b.en);
}

void expect_equal(const Policy& a, const Policy& b) {
  EXPECT_EQ(a.organisation.name, b.organisation.name);
  EXPECT_EQ(a.organisation.time_zone, b.organisation.time_zone);
  EXPECT_EQ(a.organisation.reporting_currency, b.organisation.reporting_currency);
  EXPECT_EQ(fs::weakly_canonical(a.organisation.key_file), fs::weakly_canonical(b.organisation.key_file));
  ASSERT_EQ(a.suppliers.size(), b.suppliers.size());
  for (std::size_t i = 0; i < a.suppliers.size(); ++i) {
    const Supplier& x = a.suppliers[i];
    const Supplier& y = b.suppliers[i];
    SCOPED_TRACE(x.id);
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.social, y.social);
    ASSERT_EQ(x.identifiers.size(), y.identifiers.size());
    for (std::size_t k = 0; k < x.identifiers.size(); ++k) {
      EXPECT_EQ(x.identifiers[k].scheme, y.identifiers[k].scheme);
      EXPECT_EQ(x.identifiers[k].value, y.identifiers[k].value);
    }
    ASSERT_EQ(x.evidence.size(), y.evidence.size());
    for (std::size_t k = 0; k < x.evidence.size(); ++k) {
      EXPECT_EQ(x.evidence[k].kind, y.evidence[k].kind);
      EXPECT_EQ(x.evidence[k].valid_from, y.evidence[k].valid_from);
      EXPECT_EQ(x.evidence[k].valid_until, y.evidence[k].valid_until);
      EXPECT_EQ(x.evidence[k].reference, y.evidence[k].reference);
    }
    EXPECT_EQ(x.impact.statement, y.impact.statement);
    ASSERT_EQ(x.impact.figures.size(), y.impact.figures.size());
    for (std::size_t k = 0; k < x.impact.figures.size(); ++k) {
      EXPECT_EQ(x.impact.figures[k].measure, y.impact.figures[k].measure);
      EXPECT_EQ(x.impact.figures[k].value, y.impact.figures[k].value);
      EXPECT_EQ(x.impact.figures[k].unit, y.impact.figures[k].unit);
    }
  }
  ASSERT_EQ(a.categories.size(), b.categories.size());
  for (std::size_t i = 0; i < a.categories.size(); ++i) {
    const Category& x = a.categories[i];
    const Category& y = b.categories[i];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.code_system, y.code_system);
    EXPECT_EQ(x.code, y.code);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.name_en, y.name_en);
    EXPECT_EQ(x.departments, y.departments);
    EXPECT_EQ(x.social_suppliers, y.social_suppliers);
    EXPECT_EQ(x.strategy, y.strategy);
    EXPECT_EQ(x.price_tolerance_basis_points, y.price_tolerance_basis_points);
    EXPECT_EQ(x.social_shown, y.social_shown);
    EXPECT_EQ(x.nudges.shown, y.nudges.shown);
    ASSERT_EQ(x.nudges.norm.has_value(), y.nudges.norm.has_value());
    if (x.nudges.norm) {
      EXPECT_EQ(x.nudges.norm->threshold_basis_points, y.nudges.norm->threshold_basis_points);
      EXPECT_EQ(x.nudges.norm->min_orders, y.nudges.norm->min_orders);
      EXPECT_EQ(x.nudges.norm->window_days, y.nudges.norm->window_days);
    }
    ASSERT_EQ(x.nudges.campaigns.size(), y.nudges.campaigns.size());
    for (std::size_t k = 0; k < x.nudges.campaigns.size(); ++k) {
      EXPECT_EQ(x.nudges.campaigns[k].from, y.nudges.campaigns[k].from);
      EXPECT_EQ(x.nudges.campaigns[k].until, y.nudges.campaigns[k].until);
      expect_same_texts(x.nudges.campaigns[k].text, y.nudges.campaigns[k].text);
    }
    expect_same_texts(x.nudges.endorsement, y.nudges.endorsement);
  }
  EXPECT_EQ(a.nudges.default_language, b.nudges.default_language);
  EXPECT_EQ(a.nudges.department_languages, b.nudges.department_languages);
  EXPECT_EQ(a.nudges.norm.threshold_basis_points, b.nudges.norm.threshold_basis_points);
  EXPECT_EQ(a.nudges.norm.min_orders, b.nudges.norm.min_orders);
  EXPECT_EQ(a.nudges.norm.window_days, b.nudges.norm.window_days);
  expect_same_texts(a.nudges.endorsement, b.nudges.endorsement);
  expect_same_texts(a.nudges.impact_template, b.nudges.impact_template);
  expect_same_texts(a.nudges.norm_template, b.nudges.norm_template);
  expect_same_texts(a.nudges.price_template, b.nudges.price_template);
  ASSERT_EQ(a.experiments.size(), b.experiments.size());
  for (std::size_t i = 0; i < a.experiments.size(); ++i) {
    const Experiment& x = a.experiments[i];
    const Experiment& y = b.experiments[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.from, y.from);
    EXPECT_EQ(x.until, y.until);
    EXPECT_EQ(x.categories, y.categories);
    EXPECT_EQ(x.minimum_effect_basis_points, y.minimum_effect_basis_points);
    ASSERT_EQ(x.arms.size(), y.arms.size());
    for (std::size_t k = 0; k < x.arms.size(); ++k) {
      EXPECT_EQ(x.arms[k].name, y.arms[k].name);
      EXPECT_EQ(x.arms[k].weight, y.arms[k].weight);
      EXPECT_EQ(x.arms[k].control, y.arms[k].control);
      EXPECT_EQ(x.arms[k].nudges, y.arms[k].nudges);
    }
  }
}

TEST(PolicyWriter, ExampleConfigurationRoundTrips) {
  auto original = load_example();
  ASSERT_TRUE(original);
  const fs::path base = fs::path(SD_SOURCE_DIR) / "examples";
  const std::string written = write_policy(*original, base);
  auto again = parse_policy(written, "written.xml", base);
  ASSERT_TRUE(again.ok()) << again.error().describe() << "\n" << written;
  expect_equal(*original, **again);
  // The key file stays relative to the configuration's folder.
  EXPECT_NE(written.find("key-file=\"pseudonym.key\""), std::string::npos) << written;
  EXPECT_EQ(write_policy(**again, base), written);
}

TEST(PolicyWriter, EditedFieldsSurviveTheRoundTrip) {
  auto original = load_example();
  ASSERT_TRUE(original);
  Policy edited = *original;
  edited.categories[0].price_tolerance_basis_points = 725;
  edited.categories[0].social_suppliers = {"BLOEM-03", "BLOEM-01"};
  edited.categories[0].social_shown = 2;
  edited.categories[1].strategy = Strategy::rotate;
  edited.categories[2].name_en = "Catering & lunches";
  edited.categories[1].name_en.clear();
  edited.suppliers[0].evidence[0].reference = "PSO-2026-0001 & co";
  edited.nudges.impact_template.en = "Gives work to {jobs} people";
  edited.suppliers[0].name = "Bloemen <atelier> \"De Werkplaats\"";
  const fs::path base = fs::path(SD_SOURCE_DIR) / "examples";
  auto again = parse_policy(write_policy(edited, base), "written.xml", base);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  expect_equal(edited, **again);
}

TEST(PolicyWriter, KeyFileOutsideTheFolderIsWrittenAbsolute) {
  auto original = load_example();
  ASSERT_TRUE(original);
  testing::TempDir dir;
  const std::string written = write_policy(*original, dir.path());
  const std::string absolute = (fs::path(SD_SOURCE_DIR) / "examples" / "pseudonym.key").lexically_normal().string();
  EXPECT_NE(written.find("key-file=\"" + absolute + "\""), std::string::npos) << written;
  auto again = parse_policy(written, "elsewhere.xml", dir.path());
  ASSERT_TRUE(again.ok()) << again.error().describe();
  expect_equal(*original, **again);
}

TEST(PolicyWriter, Percentages) {
  EXPECT_EQ(format_percentage(0), "0");
  EXPECT_EQ(format_percentage(1500), "15");
  EXPECT_EQ(format_percentage(750), "7.5");
  EXPECT_EQ(format_percentage(25), "0.25");
  EXPECT_EQ(format_percentage(1005), "10.05");
}


// ---- a change of a hand-written file keeps its comments

// Comments at the top level, before suppliers, inside a category and its
// nudges, after the root; spellings the writer would not use (social="1",
// attributes left at their default, a norm that sets one attribute).
constexpr std::string_view kCommented = R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- top: kept by Inkoop -->
<configuration xmlns="urn:socialdefault:config:1">
  <!-- before the organisation -->
  <organisation name="Gemeente Voorbeeldstad" key-file="pseudonym.key"/>
  <suppliers>
    <!-- before BLOEM-01 -->
    <supplier id="BLOEM-01" social="1">
      <name>Bloemenatelier De Werkplaats</name>
      <evidence kind="pso-3" valid-from="2026-01-01" valid-until="2027-12-31"/>
    </supplier>
    <!-- before BLOEM-03 -->
    <supplier id="BLOEM-03" social="true">
      <!-- inside BLOEM-03 -->
      <name>Kwekerij Samen</name>
      <evidence kind="code-sociale-ondernemingen" valid-from="2026-03-01" valid-until="2028-02-29"/>
    </supplier>
    <supplier id="FLR-100"><name>Bloemen Groothandel Holland</name></supplier>
  </suppliers>
  <categories>
    <category code="03121200-7" strategy="rotate" price-tolerance="15">
      <!-- inside flowers, before its name -->
      <name>Bloemen</name>
      <social-supplier ref="BLOEM-01"/>
      <!-- inside flowers, before BLOEM-03 -->
      <social-supplier ref="BLOEM-03"/>
      <nudges show="impact norm">
        <!-- inside the nudges: only the window is our own -->
        <norm window-days="30"/>
      </nudges>
      <!-- at the end of flowers -->
    </category>
    <category code="18530000-3">
      <name>Relatiegeschenken</name>
      <social-supplier ref="BLOEM-03"/>
    </category>
  </categories>
  <nudges>
    <norm threshold="60"/>
  </nudges>
  <!-- at the end of the configuration -->
</configuration>
<!-- after the root -->
)";

constexpr std::string_view kComments[] = {
    "<!-- top: kept by Inkoop -->",
    "<!-- before the organisation -->",
    "<!-- before BLOEM-01 -->",
    "<!-- before BLOEM-03 -->",
    "<!-- inside BLOEM-03 -->",
    "<!-- inside flowers, before its name -->",
    "<!-- inside flowers, before BLOEM-03 -->",
    "<!-- inside the nudges: only the window is our own -->",
    "<!-- at the end of flowers -->",
    "<!-- at the end of the configuration -->",
    "<!-- after the root -->",
};

class CommentedFile : public ::testing::Test {
 protected:
  CommentedFile() {
    fs::copy_file(fs::path(SD_SOURCE_DIR) / "examples" / "pseudonym.key", dir.path() / "pseudonym.key");
    auto loaded = parse_policy(kCommented, "config.xml", dir.path());
    EXPECT_TRUE(loaded) << loaded.error().describe();
    if (loaded) policy = **loaded;
  }
  // The text written for edited, and the Policy it loads to.
  std::shared_ptr<const Policy> write_and_load(const Policy& edited, std::string& text) {
    text = write_policy(edited, dir.path(), kCommented);
    auto again = parse_policy(text, "config.xml", dir.path());
    EXPECT_TRUE(again) << again.error().describe() << "\n" << text;
    return again ? *again : nullptr;
  }
  static std::size_t position(const std::string& text, std::string_view what) {
    const std::size_t at = text.find(what);
    EXPECT_NE(at, std::string::npos) << what << " is missing in\n" << text;
    return at;
  }
  testing::TempDir dir;
  Policy policy;
};

TEST_F(CommentedFile, EveryCommentStaysInItsPlaceWhenACategoryChanges) {
  Policy edited = policy;
  edited.categories[0].strategy = Strategy::fixed;
  edited.categories[0].social_suppliers = {"BLOEM-03", "BLOEM-01"};
  std::string text;
  auto again = write_and_load(edited, text);
  ASSERT_NE(again, nullptr);
  expect_equal(*again, edited);
  EXPECT_EQ(write_policy(*again, dir.path()), write_policy(edited, dir.path()));
  for (std::string_view comment : kComments) position(text, comment);
  // Each before the element it preceded, also where the order changed.
  EXPECT_LT(position(text, "<!-- top: kept by Inkoop -->"), position(text, "<configuration"));
  EXPECT_LT(position(text, "<!-- before BLOEM-03 -->"), position(text, "<supplier id=\"BLOEM-03\""));
  EXPECT_GT(position(text, "<!-- before BLOEM-03 -->"), position(text, "<supplier id=\"BLOEM-01\""));
  EXPECT_LT(position(text, "<!-- inside flowers, before BLOEM-03 -->"), position(text, "<social-supplier ref=\"BLOEM-03\""));
  EXPECT_GT(position(text, "<!-- inside flowers, before BLOEM-03 -->"), position(text, "strategy=\"fixed\""));
  EXPECT_GT(position(text, "<!-- at the end of flowers -->"), position(text, "<social-supplier ref=\"BLOEM-01\""));
  EXPECT_LT(position(text, "<!-- at the end of flowers -->"), position(text, "<category code=\"18530000-3\">"));
  EXPECT_GT(position(text, "<!-- after the root -->"), position(text, "</configuration>"));
  // What did not change keeps its own spelling.
  position(text, "<supplier id=\"BLOEM-01\" social=\"1\">");
  position(text, "<category code=\"18530000-3\">");
  position(text, "<norm window-days=\"30\" />");
  EXPECT_EQ(again->categories[0].nudges.norm->threshold_basis_points, 6000u);
}

TEST_F(CommentedFile, CommentsOfARemovedElementMoveToTheNextOne) {
  Policy edited = policy;
  edited.categories[0].social_suppliers = {"BLOEM-01"};
  edited.categories[1].social_suppliers = {"BLOEM-01"};
  edited.suppliers.erase(edited.suppliers.begin() + 1);  // BLOEM-03
  std::string text;
  auto again = write_and_load(edited, text);
  ASSERT_NE(again, nullptr);
  expect_equal(*again, edited);
  for (std::string_view comment : kComments) position(text, comment);
  EXPECT_EQ(text.find("<supplier id=\"BLOEM-03\""), std::string::npos) << text;
  EXPECT_EQ(text.find("ref=\"BLOEM-03\""), std::string::npos) << text;
  EXPECT_LT(position(text, "<!-- inside BLOEM-03 -->"), position(text, "<supplier id=\"FLR-100\""));
  EXPECT_LT(position(text, "<!-- inside flowers, before BLOEM-03 -->"), position(text, "<nudges show="));
}

// Kept as written, <norm window-days="30"/> would follow the organisation's
// new threshold: the category is then written out in full.
TEST_F(CommentedFile, AnUnchangedNormThatWouldLoadDifferentlyIsWrittenInFull) {
  Policy edited = policy;
  edited.nudges.norm.threshold_basis_points = 7000;
  std::string text;
  auto again = write_and_load(edited, text);
  ASSERT_NE(again, nullptr);
  expect_equal(*again, edited);
  EXPECT_EQ(again->categories[0].nudges.norm->threshold_basis_points, 6000u);
  EXPECT_EQ(again->nudges.norm.threshold_basis_points, 7000u);
  for (std::string_view comment : kComments) position(text, comment);
  EXPECT_EQ(text.find("<norm window-days=\"30\" />"), std::string::npos) << text;
}

TEST_F(CommentedFile, AnOriginalThatIsNotXmlIsIgnored) {
  EXPECT_EQ(write_policy(policy, dir.path(), "<configuration"), write_policy(policy, dir.path()));
}

TEST_F(CommentedFile, TheExampleKeepsItsCommentsThroughAChange) {
  auto example = load_example();
  ASSERT_NE(example, nullptr);
  std::ifstream in(fs::path(SD_SOURCE_DIR) / "examples" / "config.xml", std::ios::binary);
  const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Policy edited = *example;
  edited.categories[2].price_tolerance_basis_points = 1250;
  const fs::path base = fs::path(SD_SOURCE_DIR) / "examples";
  const std::string text = write_policy(edited, base, original);
  auto again = parse_policy(text, "config.xml", base);
  ASSERT_TRUE(again) << again.error().describe();
  expect_equal(**again, edited);
  std::size_t comments = 0;
  for (std::size_t at = original.find("<!--"); at != std::string::npos; at = original.find("<!--", at + 1)) {
    const std::string comment = original.substr(at, original.find("-->", at) + 3 - at);
    EXPECT_NE(text.find(comment), std::string::npos) << comment;
    ++comments;
  }
  EXPECT_GT(comments, 5u);
}


// A prefixed file keeps its prefix: elements are matched by local name,
// the ones the edit did not touch stay as written, and the ones written
// anew take the file's prefix.
TEST_F(CommentedFile, APrefixedFileKeepsItsPrefixAndComments) {
  std::string prefixed(kCommented);
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"<configuration xmlns=", "<c:configuration xmlns:c="}, {"</configuration>", "</c:configuration>"}}) {
    prefixed.replace(prefixed.find(from), from.size(), to);
  }
  for (std::size_t at = prefixed.find('<', prefixed.find("<c:configuration") + 1); at != std::string::npos;
       at = prefixed.find('<', at + 1)) {
    const char next = prefixed[at + 1];
    if (next == '!' || next == '?' || prefixed.compare(at, 4, "</c:") == 0) continue;
    prefixed.insert(at + (next == '/' ? 2 : 1), "c:");
  }
  auto loaded = parse_policy(prefixed, "config.xml", dir.path());
  ASSERT_TRUE(loaded) << loaded.error().describe() << "\n" << prefixed;
  Policy edited = **loaded;
  edited.categories[0].strategy = Strategy::fixed;
  const std::string text = write_policy(edited, dir.path(), prefixed);
  auto again = parse_policy(text, "config.xml", dir.path());
  ASSERT_TRUE(again) << again.error().describe() << "\n" << text;
  expect_equal(**again, edited);
  for (std::string_view comment : kComments) position(text, comment);
  EXPECT_LT(position(text, "<!-- before BLOEM-03 -->"), position(text, "<c:supplier id=\"BLOEM-03\""));
  EXPECT_NE(text.find("<c:configuration xmlns:c=\"urn:socialdefault:config:1\""), std::string::npos) << text;
  EXPECT_EQ(text.find("xmlns=\""), std::string::npos) << text;
  // Every element carries the prefix: none is written in the default namespace.
  for (std::size_t at = text.find('<'); at != std::string::npos; at = text.find('<', at + 1)) {
    const char next = text[at + 1];
    if (next == '!' || next == '?') continue;
    EXPECT_EQ(text.compare(at + (next == '/' ? 2 : 1), 2, "c:"), 0) << text.substr(at, 40);
  }
  // What the edit did not touch keeps the file's own spelling.
  position(text, "<c:supplier id=\"BLOEM-01\" social=\"1\">");
  position(text, "<c:category code=\"18530000-3\">");
}

}  // namespace
}  // namespace socialdefault
