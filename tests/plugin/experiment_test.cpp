// Experiments and the colleague norm through the keys, the ledger and the
// engine: stable weighted assignment, the arm column (and the migration of
// a ledger without it), the norm query and its cache, the control arm.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "socialdefault/engine.hpp"
#include "sqlite_ledger.hpp"
#include "temp_dir.hpp"
#include "test_files.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using socialdefault::testing::TempDir;

const fs::path kExamples = fs::path(SD_SOURCE_DIR) / "examples";
// 2026-11-27 11:00 in Amsterdam.
const UtcSeconds kNow = UtcSeconds{std::chrono::sys_days{2026y / 11 / 27}} + 10h;
const std::string kSecret = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

LocalDate day(int y, unsigned m, unsigned d) {
  return LocalDate{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

using socialdefault::testing::read_file;

// ---- assignment ----

Experiment three_arms() {
  Experiment e;
  e.id = "exp-1";
  e.arms = {ExperimentArm{"control", 1, true, 0, 0}, ExperimentArm{"default", 1, false, 0, 0},
            ExperimentArm{"impact", 2, false, nudge_bit(NudgeKind::impact), 0}};
  return e;
}

TEST(Assignment, IsStableForTheSameSecretExperimentAndPseudonym) {
  const Keys a = Keys::from_secret(kSecret).value();
  const Keys b = Keys::from_secret(kSecret).value();  // a restart: the keys are derived again
  const Keys other = Keys::from_secret(std::string(64, 'f')).value();
  int differs_by_experiment = 0;
  int differs_by_secret = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string pseudonym = a.pseudonymise("E" + std::to_string(i));
    EXPECT_EQ(a.assignment_bucket("exp-1", pseudonym), b.assignment_bucket("exp-1", pseudonym));
    differs_by_experiment += a.assignment_bucket("exp-1", pseudonym) != a.assignment_bucket("exp-2", pseudonym);
    differs_by_secret += a.assignment_bucket("exp-1", pseudonym) != other.assignment_bucket("exp-1", pseudonym);
  }
  EXPECT_EQ(differs_by_experiment, 200);
  EXPECT_EQ(differs_by_secret, 200);
  // The inputs are length-prefixed: moving a character across the boundary changes the bucket.
  EXPECT_NE(a.assignment_bucket("ab", "c"), a.assignment_bucket("a", "bc"));
}

TEST(Assignment, FollowsTheWeightsWithinAFewPercentOverManyRequesters) {
  const Keys keys = Keys::from_secret(kSecret).value();
  const Experiment e = three_arms();  // 1 : 1 : 2
  std::map<std::string, int> counts;
  constexpr int kRequesters = 20000;
  for (int i = 0; i < kRequesters; ++i) {
    counts[e.arm_for(keys.assignment_bucket(e.id, keys.pseudonymise("requester-" + std::to_string(i)))).name]++;
  }
  EXPECT_NEAR(counts["control"] / double(kRequesters), 0.25, 0.02);
  EXPECT_NEAR(counts["default"] / double(kRequesters), 0.25, 0.02);
  EXPECT_NEAR(counts["impact"] / double(kRequesters), 0.50, 0.02);
}

// ---- ledger ----

ChoiceRecord choice(int n, std::string department, bool social, std::string arm, LocalDate date = day(2026, 11, 27)) {
  ChoiceRecord c;
  c.at = kNow;
  c.local_date = date;
  c.correlation_id = "REQ-" + std::to_string(n);
  c.requester_pseudonym = "p" + std::to_string(n);
  c.department = std::move(department);
  c.category_code_system = "CPV";
  c.category = "03121200-7";
  c.chosen_supplier = social ? "BLOEM-01" : "FLR-100";
  c.social = social;
  c.outcome = Outcome::not_offered;
  c.amount = Money{1000, "EUR"};
  c.adapter = "soap";
  c.arm = std::move(arm);
  return c;
}

int user_version(const fs::path& file) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr);
  const int version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
  sqlite3_finalize(s);
  sqlite3_close(db);
  return version;
}

TEST(LedgerArm, ALedgerWithoutTheArmColumnIsMigratedAndStillVerifies) {
  TempDir dir;
  const Keys keys = Keys::from_secret(kSecret).value();
  const fs::path file = dir / "ledger.sqlite";
  {
    // A version 2 ledger: its rows have no arm. A version 3 row without an
    // arm stores NULL and encodes exactly like one, so dropping the column
    // leaves a genuine version 2 file.
    auto ledger = SqliteLedger::open(file, keys);
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    const std::array<ChoiceRecord, 2> old{choice(1, "Facilitair", true, ""), choice(2, "Facilitair", false, "")};
    ASSERT_TRUE((*ledger)->append_choices(old).ok());
    ASSERT_TRUE((*ledger)->execute("DROP INDEX choices_by_group; ALTER TABLE choices DROP COLUMN arm; "
                                   "PRAGMA user_version = 2;")
                    .ok());
  }
  ASSERT_EQ(user_version(file), 2);
  auto ledger = SqliteLedger::open(file, keys);
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  EXPECT_EQ(user_version(file), SqliteLedger::kSchemaVersion);
  auto verified = (*ledger)->verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->detail;

  const std::array<ChoiceRecord, 2> fresh{choice(3, "Facilitair", true, "exp-1/impact"),
                                          choice(4, "Facilitair", false, "exp-1/control")};
  ASSERT_TRUE((*ledger)->append_choices(fresh).ok());
  verified = (*ledger)->verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->detail;
  EXPECT_EQ(verified->rows_checked, 4u + 0u + 0u);

  // The arm is covered by the chain.
  ASSERT_TRUE((*ledger)->execute("UPDATE choices SET arm = 'exp-1/control' WHERE id = 3").ok());
  verified = (*ledger)->verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_FALSE(verified->intact);
  EXPECT_EQ(verified->first_broken_table, "choices");
  EXPECT_EQ(verified->first_broken_row, 3);
}

TEST(LedgerArm, CountsOrdersPerArmOfOneExperimentWithinItsDays) {
  TempDir dir;
  const Keys keys = Keys::from_secret(kSecret).value();
  auto ledger = SqliteLedger::open(dir / "ledger.sqlite", keys);
  ASSERT_TRUE(ledger.ok());
  const std::vector<ChoiceRecord> rows{
      choice(1, "A", true, "exp_1/impact"),  choice(2, "A", false, "exp_1/impact"),
      choice(3, "A", false, "exp_1/control"), choice(4, "A", true, "expx1/impact"),  // "_" is no wildcard
      choice(5, "A", true, "exp_1/impact", day(2027, 1, 1)), choice(6, "A", true, "default"),
      choice(7, "A", true, ""),
  };
  ASSERT_TRUE((*ledger)->append_choices(rows).ok());
  auto arms = (*ledger)->count_arms("exp_1", day(2026, 1, 1), day(2026, 12, 31));
  ASSERT_TRUE(arms.ok()) << arms.error().describe();
  ASSERT_EQ(arms->size(), 2u);
  EXPECT_EQ((*arms)[0].arm, "control");
  EXPECT_EQ((*arms)[0].count.orders, 1);
  EXPECT_EQ((*arms)[0].count.social_orders, 0);
  EXPECT_EQ((*arms)[1].arm, "impact");
  EXPECT_EQ((*arms)[1].count.orders, 2);
  EXPECT_EQ((*arms)[1].count.social_orders, 1);
}

// ---- engine ----

// The example deployment with an experiment on flowers and a norm that
// needs 5 orders; written to a temp folder with the example key.
class EngineExperiment : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string config = read_file(kExamples / "config.xml");
    const std::string experiments = "<experiments>\n";
    const auto at = config.find(experiments);
    ASSERT_NE(at, std::string::npos);
    config.insert(at + experiments.size(),
                  "    <experiment id=\"flowers-test\" from=\"2026-11-01\" until=\"2026-12-31\">\n"
                  "      <category code=\"03121200-7\"/>\n"
                  "      <arm name=\"control\" control=\"true\"/>\n"
                  "      <arm name=\"norm\" nudges=\"norm\"/>\n"
                  "    </experiment>\n");
    const std::string norm = "<norm threshold=\"50\" min-orders=\"10\" window-days=\"91\"/>";
    const auto n = config.find(norm);
    ASSERT_NE(n, std::string::npos);
    config.replace(n, norm.size(), "<norm threshold=\"50\" min-orders=\"5\" window-days=\"91\"/>");
    std::ofstream(dir_ / "config.xml", std::ios::binary) << config;
    fs::copy_file(kExamples / "pseudonym.key", dir_ / "pseudonym.key");
    options_.config = dir_ / "config.xml";
    options_.mapping = kExamples / "erp" / "mapping.xml";
    options_.ledger = dir_ / "ledger.sqlite";
    options_.actor = "experiment_test";
    auto engine = Engine::open(options_);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    engine_ = std::move(engine).value();
  }

  static std::string message(const std::string& name, const std::string& id, const std::string& requester) {
    std::string text = read_file(kExamples / "erp" / name);
    const auto replace = [&](const std::string& from, const std::string& to) {
      const auto at = text.find(from);
      if (at != std::string::npos) text.replace(at, from.size(), to);
    };
    replace("REQ-2026-004711", id);
    replace(">E10442<", ">" + requester + "<");
    return text;
  }

  RewriteResult rewrite(const std::string& id, const std::string& requester, UtcSeconds now = kNow) {
    return engine_->rewrite(message("shortlist-response.xml", id, requester),
                            message("shortlist-request.xml", id, requester), now);
  }

  TempDir dir_;
  EngineOptions options_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineExperiment, TheControlArmPassesTheListThroughAndEveryArmIsRecorded) {
  const std::string response = message("shortlist-response.xml", "REQ-X-0", "E0");
  std::map<std::string, int> arms;
  for (int i = 0; i < 40; ++i) {
    const std::string id = "REQ-X-" + std::to_string(i);
    const std::string requester = "E" + std::to_string(i);
    const RewriteResult r = rewrite(id, requester);
    ASSERT_TRUE(r.decision.has_value()) << r.outcome;
    const std::string arm = r.decision->arm;
    arms[arm]++;
    // The same requester gets the same arm again, for another order.
    EXPECT_EQ(rewrite(id + "-again", requester).decision->arm, arm);
    if (arm == "flowers-test/control") {
      EXPECT_EQ(r.outcome, "experiment-control");
      EXPECT_FALSE(r.rewritten);
      EXPECT_EQ(r.body, message("shortlist-response.xml", id, requester));
    } else {
      EXPECT_EQ(arm, "flowers-test/norm");
      EXPECT_TRUE(r.rewritten);
    }
    auto choices = engine_->record(message("order-request.xml", id, requester), std::nullopt, kNow + 1min);
    ASSERT_TRUE(choices.ok()) << choices.error().describe();
    ASSERT_EQ(choices->size(), 1u);
    EXPECT_EQ((*choices)[0].arm, arm);
  }
  EXPECT_GT(arms["flowers-test/control"], 5);
  EXPECT_GT(arms["flowers-test/norm"], 5);
  engine_->flush_offers();
  auto found = engine_->ledger().find_offer("REQ-X-3");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->arm.rfind("flowers-test/", 0), 0u);
  auto verified = engine_->verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->detail;
}

TEST_F(EngineExperiment, TheNormComesFromTheLedgerAndIsRefreshedAtMostOnceAMinute) {
  // A requester in the norm arm.
  std::string requester;
  for (int i = 0; requester.empty() && i < 100; ++i) {
    if (rewrite("REQ-P-" + std::to_string(i), "N" + std::to_string(i)).decision->arm == "flowers-test/norm") {
      requester = "N" + std::to_string(i);
    }
  }
  ASSERT_FALSE(requester.empty());
  const auto norm_of = [&](UtcSeconds now) {
    const RewriteResult r = rewrite("REQ-N", requester, now);
    for (const Note& n : r.decision->notes) {
      if (n.kind == "norm") return n.text;
    }
    return std::string();
  };
  EXPECT_EQ(norm_of(kNow), "");  // nothing in the ledger yet; this caches zero orders
  // Six orders from Burgerzaken for BLOEM-02, which is social.
  for (int i = 0; i < 6; ++i) {
    auto recorded = engine_->record(message("order-request.xml", "REQ-O-" + std::to_string(i), "O" + std::to_string(i)),
                                    std::nullopt, kNow);
    ASSERT_TRUE(recorded.ok()) << recorded.error().describe();
  }
  EXPECT_EQ(norm_of(kNow + 30s), "");  // still the cached figures
  EXPECT_EQ(norm_of(kNow + 61s),
            "6 van de 6 bestellingen voor Bloemen bij Burgerzaken gingen de afgelopen 91 dagen naar een sociale "
            "onderneming");
}

}  // namespace
}  // namespace socialdefault
