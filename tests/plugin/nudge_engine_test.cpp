// Issue 5 through the engine rather than decide(): a campaign's date window
// and an experiment's days are the organisation's local dates (Amsterdam),
// and a requester's arm stays the same after a restart and after a reload
// that leaves the experiment alone; a requester without an id is not
// assigned; a text is written only where the mapping has a place for it.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "socialdefault/engine.hpp"
#include "temp_dir.hpp"
#include "test_files.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using socialdefault::testing::read_file;
using socialdefault::testing::TempDir;

const fs::path kExamples = fs::path(SD_SOURCE_DIR) / "examples";

UtcSeconds utc(const char* text) { return parse_utc_timestamp(text).value(); }

// The example configuration (flowers: impact, norm and a campaign from
// 2026-06-01 to 2026-07-15) with an experiment on flowers in November 2026.
std::string config_with_experiment(const std::string& impact_weight = "1") {
  std::string config = read_file(kExamples / "config.xml");
  const std::string experiments = "<experiments>\n";
  const auto at = config.find(experiments);
  EXPECT_NE(at, std::string::npos);
  config.insert(at + experiments.size(),
                "    <experiment id=\"flowers-nov\" from=\"2026-11-01\" until=\"2026-11-30\">\n"
                "      <category code=\"03121200-7\"/>\n"
                "      <arm name=\"control\" control=\"true\"/>\n"
                "      <arm name=\"impact\" weight=\"" + impact_weight + "\" nudges=\"impact\"/>\n"
                "    </experiment>\n");
  return config;
}

class NudgeEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_ / "config.xml", std::ios::binary) << config_with_experiment();
    fs::copy_file(kExamples / "pseudonym.key", dir_ / "pseudonym.key");
    options_.config = dir_ / "config.xml";
    options_.ledger = dir_ / "ledger.sqlite";
    options_.actor = "nudge_engine_test";
    open();
  }

  void open() {
    engine_.reset();  // a restart: the old engine goes first
    auto engine = Engine::open(options_);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    engine_ = std::move(engine).value();
  }

  // A flowers shortlist: a regular supplier preselected, two social ones.
  Decision offer(const std::string& requester, UtcSeconds now) {
    Shortlist s;
    s.correlation_id = "REQ-" + std::to_string(++offers_);
    s.category = CategoryRef{"CPV", "03121200-7"};
    s.requester = requester;
    s.department = "Burgerzaken";
    Candidate regular;
    regular.supplier_id = "FLR-100";
    regular.preselected = true;
    Candidate social;
    social.supplier_id = "BLOEM-01";
    s.candidates = {regular, social};
    auto decision = engine_->offer(s, "test", now);
    EXPECT_TRUE(decision.ok()) << decision.error().describe();
    return decision.ok() ? *decision : Decision{};
  }

  static bool has_note(const Decision& d, const std::string& kind) {
    for (const Note& n : d.notes) {
      if (n.kind == kind) return true;
    }
    return false;
  }

  // requester -> arm for 40 requesters on a day of the experiment.
  std::map<std::string, std::string> arms() {
    std::map<std::string, std::string> out;
    for (int i = 0; i < 40; ++i) {
      const std::string requester = "E" + std::to_string(10000 + i);
      out[requester] = offer(requester, utc("2026-11-16T10:00:00Z")).arm;
    }
    return out;
  }

  TempDir dir_;
  EngineOptions options_;
  std::unique_ptr<Engine> engine_;
  int offers_ = 0;
};

TEST_F(NudgeEngine, TheCampaignWindowIsTheOrganisationsLocalDays) {
  // Summer time in Amsterdam: local midnight is 22:00 UTC the day before.
  EXPECT_FALSE(has_note(offer("E1", utc("2026-05-31T21:59:59Z")), "campaign"));
  const Decision first = offer("E1", utc("2026-05-31T22:00:00Z"));  // 2026-06-01 00:00 local
  ASSERT_TRUE(has_note(first, "campaign"));
  EXPECT_TRUE(has_note(offer("E1", utc("2026-07-15T21:59:59Z")), "campaign"));  // 23:59:59 on the last day
  EXPECT_FALSE(has_note(offer("E1", utc("2026-07-15T22:00:00Z")), "campaign"));
  for (const Note& n : first.notes) {
    if (n.kind == "campaign") {
      EXPECT_EQ(n.text, "Geslaagd! Feliciteer met bloemen van een sociale onderneming.");
    }
  }
}

TEST_F(NudgeEngine, AnExperimentAssignsOnlyOnItsLocalDays) {
  // Winter time: local midnight is 23:00 UTC the day before.
  EXPECT_EQ(offer("E1", utc("2026-10-31T22:59:59Z")).arm, "default");
  EXPECT_EQ(offer("E1", utc("2026-10-31T23:00:00Z")).arm.rfind("flowers-nov/", 0), 0u);
  EXPECT_EQ(offer("E1", utc("2026-11-30T22:59:59Z")).arm.rfind("flowers-nov/", 0), 0u);
  const Decision after = offer("E1", utc("2026-11-30T23:00:00Z"));
  EXPECT_EQ(after.arm, "default");
  EXPECT_TRUE(has_note(after, "impact"));  // the category's own nudges again
}

TEST_F(NudgeEngine, ARequesterWithoutAnIdIsNotAssigned) {
  const Decision d = offer("", utc("2026-11-16T10:00:00Z"));
  EXPECT_EQ(d.arm, "default");
  EXPECT_EQ(d.reason, Reason::applied);
  EXPECT_TRUE(has_note(d, "impact"));
}

TEST_F(NudgeEngine, TheArmSurvivesARestartAndAReloadThatKeepsTheExperiment) {
  const auto before = arms();
  std::map<std::string, int> per_arm;
  for (const auto& [requester, arm] : before) per_arm[arm]++;
  EXPECT_GT(per_arm["flowers-nov/control"], 5);
  EXPECT_GT(per_arm["flowers-nov/impact"], 5);

  open();
  EXPECT_EQ(arms(), before) << "after a restart";

  // A reload that changes something else (the norm's threshold).
  std::string changed = config_with_experiment();
  const std::string norm = "<norm threshold=\"50\" min-orders=\"10\" window-days=\"91\"/>";
  const auto at = changed.find(norm);
  ASSERT_NE(at, std::string::npos);
  changed.replace(at, norm.size(), "<norm threshold=\"60\" min-orders=\"10\" window-days=\"91\"/>");
  std::ofstream(dir_ / "config.xml", std::ios::binary | std::ios::trunc) << changed;
  auto reloaded = engine_->reload("nudge_engine_test", utc("2026-11-16T09:00:00Z"));
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().describe();
  EXPECT_EQ(engine_->policy()->nudges.norm.threshold_basis_points, 6000u);
  EXPECT_EQ(arms(), before) << "after a reload";

  // Changing the weights does reassign (docs/nudges.md): the test can tell.
  std::ofstream(dir_ / "config.xml", std::ios::binary | std::ios::trunc) << config_with_experiment("3");
  ASSERT_TRUE(engine_->reload("nudge_engine_test", utc("2026-11-16T09:30:00Z")).ok());
  EXPECT_NE(arms(), before) << "after changing the weights";
}

// Each text goes only where the ERP's message has a place for it: with the
// example mapping the campaign tip is in Message and the impact note in the
// default's Remark; with a mapping without <note> and <message-note> the
// default is still set but no text is written.
TEST_F(NudgeEngine, ATextIsWrittenOnlyWhereTheMappingHasAPlaceForIt) {
  const std::string response = read_file(kExamples / "erp" / "shortlist-response.xml");
  const std::string request = read_file(kExamples / "erp" / "shortlist-request.xml");
  const std::string tip = "Geslaagd! Feliciteer met bloemen van een sociale onderneming.";
  const auto rewrite_with = [&](const fs::path& mapping) {
    options_.mapping = mapping;
    open();
    return engine_->rewrite(response, request, utc("2026-06-10T09:00:00Z"));
  };

  const RewriteResult placed = rewrite_with(kExamples / "erp" / "mapping.xml");
  ASSERT_TRUE(placed.rewritten) << placed.outcome;
  ASSERT_TRUE(placed.decision.has_value());
  std::string impact;
  for (const Note& n : placed.decision->notes) {
    if (n.kind == "impact") impact = n.text;
  }
  ASSERT_FALSE(impact.empty());
  EXPECT_NE(placed.body.find("<Message>" + tip + "</Message>"), std::string::npos) << placed.body;
  EXPECT_NE(placed.body.find(impact + "</Remark>"), std::string::npos) << placed.body;

  std::string mapping = read_file(kExamples / "erp" / "mapping.xml");
  for (const std::string line : {"      <note path=\"erp:Remark\" separator=\" \"/>\n",
                                 "    <message-note path=\"erp:Message\"/>\n"}) {
    const auto at = mapping.find(line);
    ASSERT_NE(at, std::string::npos) << line;
    mapping.erase(at, line.size());
  }
  std::ofstream(dir_ / "mapping-without-notes.xml", std::ios::binary) << mapping;
  const RewriteResult unplaced = rewrite_with(dir_ / "mapping-without-notes.xml");
  ASSERT_TRUE(unplaced.rewritten) << unplaced.outcome;
  // Decided as before (flowers rotate, so the default is the next one), only not written.
  EXPECT_FALSE(unplaced.decision->default_supplier_id.empty());
  EXPECT_TRUE(has_note(*unplaced.decision, "campaign"));
  EXPECT_TRUE(has_note(*unplaced.decision, "impact"));
  EXPECT_EQ(unplaced.body.find(tip), std::string::npos) << unplaced.body;
  for (const Note& n : unplaced.decision->notes) {
    EXPECT_EQ(unplaced.body.find(n.text), std::string::npos) << n.kind << " is written:\n" << unplaced.body;
  }
  EXPECT_EQ(unplaced.body.find("<Message>"), std::string::npos) << unplaced.body;
}

}  // namespace
}  // namespace socialdefault
