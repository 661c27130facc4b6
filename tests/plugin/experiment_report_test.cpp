// The experiment report: the interval arithmetic against the published
// worked examples, the orders needed, and the report from a ledger in the
// three formats.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "socialdefault/experiment_report.hpp"
#include "sqlite_ledger.hpp"
#include "temp_dir.hpp"

namespace socialdefault {
namespace {

using namespace std::chrono_literals;

// Newcombe RG (1998). Two-sided confidence intervals for the single
// proportion: comparison of seven methods. Statistics in Medicine
// 17:857-872, table I, method 3 (Wilson score, no continuity correction).
TEST(WilsonInterval, MatchesNewcombesWorkedExamples) {
  struct Case {
    std::int64_t x, n;
    double lower, upper;
  };
  for (const Case& c : {Case{81, 263, 0.2553, 0.3662}, Case{15, 148, 0.0624, 0.1605}, Case{0, 20, 0.0, 0.1611},
                        Case{1, 29, 0.0061, 0.1718}}) {
    SCOPED_TRACE(std::to_string(c.x) + "/" + std::to_string(c.n));
    const Interval i = wilson_interval(c.x, c.n);
    EXPECT_NEAR(i.lower, c.lower, 0.00005);
    EXPECT_NEAR(i.upper, c.upper, 0.00005);
  }
}

// Newcombe RG (1998). Interval estimation for the difference between
// independent proportions: comparison of eleven methods. Statistics in
// Medicine 17:873-890, table II, method 10 (hybrid score), examples (a)-(h).
TEST(NewcombeDifference, MatchesNewcombesWorkedExamples) {
  struct Case {
    std::int64_t x1, n1, x2, n2;
    double lower, upper;
  };
  for (const Case& c : {Case{56, 70, 48, 80, 0.0524, 0.3339}, Case{9, 10, 3, 10, 0.1705, 0.8090},
                        Case{6, 7, 2, 7, 0.0582, 0.8062}, Case{5, 56, 0, 29, -0.0381, 0.1926},
                        Case{0, 10, 0, 20, -0.1611, 0.2775}, Case{0, 10, 0, 10, -0.2775, 0.2775},
                        Case{10, 10, 0, 20, 0.6791, 1.0000}, Case{10, 10, 0, 10, 0.6075, 1.0000}}) {
    SCOPED_TRACE(std::to_string(c.x1) + "/" + std::to_string(c.n1) + " - " + std::to_string(c.x2) + "/" +
                 std::to_string(c.n2));
    const Interval i = newcombe_difference(c.x1, c.n1, c.x2, c.n2);
    EXPECT_NEAR(i.lower, c.lower, 0.00005);
    EXPECT_NEAR(i.upper, c.upper, 0.00005);
  }
}

TEST(OrdersPerArm, FollowsTheFormulaForTwoProportions) {
  // 0.50 against 0.60, alpha 0.05 two-sided, power 0.80:
  // (1.95996 sqrt(2 * 0.55 * 0.45) + 0.84162 sqrt(0.25 + 0.24))^2 / 0.01 = 387.3.
  EXPECT_EQ(orders_per_arm(0.5, 0.1), 388);
  // Symmetric: 0.40 against 0.50 needs the same.
  EXPECT_EQ(orders_per_arm(0.4, 0.1), 388);
  // Near 1 the test looks down instead: 0.95 against 0.85.
  EXPECT_EQ(orders_per_arm(0.95, 0.1), orders_per_arm(0.85, 0.1));
  // Halving the effect roughly quadruples the orders.
  EXPECT_NEAR(orders_per_arm(0.45, 0.05) / 388.0, 4.0, 0.1);
  EXPECT_EQ(orders_per_arm(0.5, 0.0), 0);
}

LocalDate day(int y, unsigned m, unsigned d) {
  return LocalDate{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

ChoiceRecord choice(int n, bool social, const std::string& arm) {
  ChoiceRecord c;
  c.at = UtcSeconds{std::chrono::sys_days{2026y / 3 / 1}};
  c.local_date = day(2026, 3, 1);
  c.correlation_id = "REQ-" + std::to_string(n);
  c.department = "A";
  c.category_code_system = "CPV";
  c.category = "03121200-7";
  c.chosen_supplier = social ? "S" : "R";
  c.social = social;
  c.amount = Money{100, "EUR"};
  c.adapter = "soap";
  c.arm = arm;
  return c;
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteLedger::open(dir_ / "ledger.sqlite", Keys::from_secret(std::string(64, 'a')).value());
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    ledger_ = std::move(opened).value();
    experiment_.id = "exp-1";
    experiment_.from = day(2026, 1, 1);
    experiment_.until = day(2026, 12, 31);
    experiment_.minimum_effect_basis_points = 1000;
    experiment_.arms = {ExperimentArm{"control", 1, true, 0, 0}, ExperimentArm{"impact", 1, false, 1, 0},
                        ExperimentArm{"norm", 1, false, 2, 0}};
    // Newcombe's example (a): 56/70 against 48/80.
    std::vector<ChoiceRecord> rows;
    int n = 0;
    for (int i = 0; i < 70; ++i) rows.push_back(choice(++n, i < 56, "exp-1/impact"));
    for (int i = 0; i < 80; ++i) rows.push_back(choice(++n, i < 48, "exp-1/control"));
    ASSERT_TRUE(ledger_->append_choices(rows).ok());
    policy_.experiments.push_back(experiment_);
  }

  socialdefault::testing::TempDir dir_;
  std::unique_ptr<SqliteLedger> ledger_;
  Experiment experiment_;
  Policy policy_;
};

TEST_F(ReportTest, GivesSharesDifferencesAndOrdersNeededPerArm) {
  auto report = experiment_report(*ledger_, experiment_);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  ASSERT_EQ(report->arms.size(), 3u);
  const ArmReport& control = report->arms[0];
  const ArmReport& impact = report->arms[1];
  const ArmReport& norm = report->arms[2];
  EXPECT_EQ(control.count.orders, 80);
  EXPECT_EQ(control.count.social_orders, 48);
  EXPECT_FALSE(control.difference.has_value());
  EXPECT_EQ(impact.count.orders, 70);
  ASSERT_TRUE(impact.difference.has_value());
  EXPECT_NEAR(*impact.difference, 0.2, 1e-12);
  EXPECT_NEAR(impact.difference_interval->lower, 0.0524, 0.00005);
  EXPECT_NEAR(impact.difference_interval->upper, 0.3339, 0.00005);
  EXPECT_EQ(norm.count.orders, 0);
  EXPECT_FALSE(norm.share.has_value());
  EXPECT_FALSE(norm.difference.has_value());
  // Base 0.60 against 0.70 at 10 points.
  EXPECT_DOUBLE_EQ(report->base_share, 0.6);
  EXPECT_FALSE(report->base_share_assumed);
  EXPECT_EQ(impact.orders_needed, orders_per_arm(0.6, 0.1));
  EXPECT_EQ(impact.more_orders_needed, impact.orders_needed - 70);
  EXPECT_EQ(norm.more_orders_needed, norm.orders_needed);
}

TEST_F(ReportTest, WithoutControlOrdersTheWorstCaseBaseIsAssumed) {
  experiment_.id = "exp-2";
  auto report = experiment_report(*ledger_, experiment_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->base_share_assumed);
  EXPECT_DOUBLE_EQ(report->base_share, 0.45);
  EXPECT_EQ(report->arms[0].orders_needed, orders_per_arm(0.45, 0.1));
}

TEST_F(ReportTest, WritesCsvXmlAndJson) {
  const UtcSeconds now = UtcSeconds{std::chrono::sys_days{2026y / 11 / 27}};
  std::ostringstream csv;
  ASSERT_TRUE(write_experiment_reports(*ledger_, policy_, "", ExportFormat::csv, csv, now).ok());
  const std::string n = std::to_string(orders_per_arm(0.6, 0.1));
  const std::string more = std::to_string(orders_per_arm(0.6, 0.1) - 70);
  EXPECT_NE(csv.str().find("exp-1,2026-01-01,2026-12-31,10.00,0.05,0.80,60.00,false,impact,false,1,70,56,80.00,"
                           "69.18,87.70,20.00,5.24,33.39," + n + "," + more + "\r\n"),
            std::string::npos)
      << csv.str();
  EXPECT_NE(csv.str().find(",norm,false,1,0,0,,,,,,," + n + "," + n + "\r\n"), std::string::npos) << csv.str();

  std::ostringstream xml;
  ASSERT_TRUE(write_experiment_reports(*ledger_, policy_, "exp-1", ExportFormat::xml, xml, now).ok());
  EXPECT_NE(xml.str().find("<difference lower=\"5.24\" upper=\"33.39\">20.00</difference>"), std::string::npos)
      << xml.str();

  std::ostringstream json;
  ASSERT_TRUE(write_experiment_reports(*ledger_, policy_, "exp-1", ExportFormat::json, json, now).ok());
  EXPECT_NE(json.str().find("\"difference\":\"20.00\",\"difference_lower\":\"5.24\",\"difference_upper\":\"33.39\""),
            std::string::npos)
      << json.str();
  EXPECT_NE(json.str().find("\"arm\":\"norm\",\"control\":false,\"weight\":1,\"orders\":0,\"social_orders\":0,"
                            "\"social_share\":null"),
            std::string::npos)
      << json.str();
}

// The report counts as the export does: a rejected order is not counted for
// its arm (Newcombe's example (a) stays as it was).
TEST_F(ReportTest, ARejectedOrderIsNotCountedForItsArm) {
  ChoiceRecord extra = choice(1000, true, "exp-1/control");
  extra.order_ref = "PO-REJECTED";
  ASSERT_TRUE(ledger_->append_choices(std::span<const ChoiceRecord>(&extra, 1)).ok());
  auto counted = experiment_report(*ledger_, experiment_);
  ASSERT_TRUE(counted.ok()) << counted.error().describe();
  EXPECT_EQ(counted->arms[0].count.orders, 81);
  OrderStatusRecord rejected;
  rejected.at = extra.at;
  rejected.order_ref = "PO-REJECTED";
  rejected.status = OrderStatus::rejected;
  rejected.adapter = "ubl";
  ASSERT_TRUE(ledger_->append_order_status(rejected).ok());
  auto report = experiment_report(*ledger_, experiment_);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_EQ(report->arms[0].arm, "control");
  EXPECT_EQ(report->arms[0].count.orders, 80);
  EXPECT_EQ(report->arms[0].count.social_orders, 48);
}

TEST_F(ReportTest, ADatabaseErrorSaysWhatCouldNotBeCounted) {
  ASSERT_TRUE(ledger_->execute("DROP TABLE order_statuses").ok());
  auto report = experiment_report(*ledger_, experiment_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::database);
  EXPECT_NE(report.error().describe().find("ledger.sqlite"), std::string::npos) << report.error().describe();
  EXPECT_NE(report.error().describe().find("cannot count the orders per arm: no such table: order_statuses"),
            std::string::npos)
      << report.error().describe();
}

TEST_F(ReportTest, AnUnknownExperimentIsNotFound) {
  std::ostringstream out;
  auto r = write_experiment_reports(*ledger_, policy_, "nope", ExportFormat::csv, out, UtcSeconds{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(r.error().message, "experiment \"nope\" is not in the configuration; expected the id of an <experiment>");
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace socialdefault
