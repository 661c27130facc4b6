// `socialdefault simulate`: synthetic orders through the engine and a new
// ledger; the report recovers the effects it was given within its intervals.
#include <gtest/gtest.h>

#include <filesystem>

#include "socialdefault/simulate.hpp"
#include "temp_dir.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using socialdefault::testing::TempDir;

const fs::path kExamples = fs::path(SD_SOURCE_DIR) / "examples";

EngineOptions options(const TempDir& dir) {
  EngineOptions o;
  o.config = kExamples / "config.xml";  // the experiment catering-2027, four arms of weight 1
  o.ledger = dir / "simulated.sqlite";
  o.actor = "simulate_test";
  return o;
}

SimulationModel model() {
  SimulationModel m;
  m.experiment = "catering-2027";
  m.requesters = 1000;
  m.orders_per_requester = 2;
  m.base_share = 0.30;
  m.effect = {{"default", 0.10}, {"impact", 0.20}};  // norm: no effect
  m.seed = 2026;
  return m;
}

TEST(Simulate, TheReportRecoversTheGivenEffectsWithinTheirIntervals) {
  TempDir dir;
  auto result = run_simulation(options(dir), model());
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(result->orders, 2000);
  ASSERT_EQ(result->report.arms.size(), 4u);
  std::int64_t total = 0;
  for (const ArmReport& a : result->report.arms) {
    total += a.count.orders;
    // Four equal weights: each arm near a quarter of the requesters.
    EXPECT_NEAR(a.count.orders / 2000.0, 0.25, 0.04) << a.arm;
  }
  EXPECT_EQ(total, 2000);  // every choice linked to its offer and carrying its arm
  EXPECT_NEAR(result->report.base_share, 0.30, 0.05);
  ASSERT_EQ(result->checks.size(), 3u);
  for (const SimulationCheck& c : result->checks) {
    SCOPED_TRACE(c.arm);
    ASSERT_TRUE(c.interval.has_value());
    EXPECT_TRUE(c.recovered) << "given " << c.given << ", interval " << c.interval->lower << ".." << c.interval->upper;
  }
  EXPECT_DOUBLE_EQ(result->checks[0].given, 0.10);
  EXPECT_DOUBLE_EQ(result->checks[2].given, 0.0);
  // A 20-point effect is told apart from none; the null arm's interval holds 0.
  EXPECT_GT(result->checks[1].interval->lower, 0.0);
  EXPECT_LT(result->checks[2].interval->lower, 0.0);
  EXPECT_GT(result->checks[2].interval->upper, 0.0);
}

TEST(Simulate, TheSameSeedGivesTheSameReport) {
  TempDir a;
  TempDir b;
  auto first = run_simulation(options(a), model());
  auto second = run_simulation(options(b), model());
  ASSERT_TRUE(first.ok() && second.ok());
  for (std::size_t i = 0; i < first->report.arms.size(); ++i) {
    EXPECT_EQ(first->report.arms[i].count.orders, second->report.arms[i].count.orders);
    EXPECT_EQ(first->report.arms[i].count.social_orders, second->report.arms[i].count.social_orders);
  }
}

TEST(Simulate, RefusesAnExistingLedgerAndABadModel) {
  TempDir dir;
  EngineOptions o = options(dir);
  SimulationModel m = model();
  m.requesters = 10;
  ASSERT_TRUE(run_simulation(o, m).ok());
  auto again = run_simulation(o, m);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().describe(),
            o.ledger.string() + ": the ledger exists; simulate writes synthetic orders and needs a new ledger file");

  TempDir other;
  m.effect = {{"control", 0.1}};
  auto control = run_simulation(options(other), m);
  ASSERT_FALSE(control.ok());
  EXPECT_EQ(control.error().message, "effect for \"control\": not a treatment arm of experiment \"catering-2027\"");
  m.effect.clear();
  m.experiment = "nope";
  auto unknown = run_simulation(options(other), m);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  m.experiment = "catering-2027";
  m.base_share = 1.5;
  auto share = run_simulation(options(other), m);
  ASSERT_FALSE(share.ok());
  EXPECT_EQ(share.error().message, "base share must be from 0 to 1");
}

TEST(Simulate, TheSimulatedLedgerVerifies) {
  TempDir dir;
  SimulationModel m = model();
  m.requesters = 50;
  ASSERT_TRUE(run_simulation(options(dir), m).ok());
  auto keys = Keys::from_file(kExamples / "pseudonym.key");
  ASSERT_TRUE(keys.ok());
  auto ledger = open_sqlite_ledger(dir / "simulated.sqlite", *keys);
  ASSERT_TRUE(ledger.ok());
  auto verified = (*ledger)->verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->detail;
  EXPECT_EQ(verified->rows_checked, 50u * 2 * 2 + 1);  // offers, choices, the configuration
}

}  // namespace
}  // namespace socialdefault
