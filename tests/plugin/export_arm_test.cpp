// The MVI export grouped by experiment arm (GroupBy::arm): the key is the
// choice's "<experiment id>/<arm name>", the choices outside any experiment
// form one group "no-experiment", in every format and combined with the
// other keys; after a simulated experiment its figures per arm are the
// experiment report's, through the engine and through the C ABI.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "xml_schema.hpp"
#include "socialdefault/export.hpp"
#include "socialdefault/ledger.hpp"
#include "socialdefault/simulate.hpp"
#include "socialdefault/socialdefault.h"
#include "temp_dir.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using socialdefault::testing::TempDir;

Keys test_keys() { return Keys::from_secret(std::string(64, 'a')).value(); }

struct ArmOrder {
  const char* date;
  const char* department;
  const char* arm;  // "" for none recorded (NULL)
  bool social;
  std::int64_t minor;
  const char* currency;
};

ChoiceRecord to_choice(const ArmOrder& o, int n) {
  ChoiceRecord c;
  c.local_date = parse_date(o.date).value();
  c.at = UtcSeconds{std::chrono::sys_days{c.local_date}} + 10h + std::chrono::minutes{n};
  c.correlation_id = "REQ-" + std::to_string(n);
  c.order_ref = "PO-" + std::to_string(n);
  c.requester_pseudonym = test_keys().pseudonymise("employee-" + std::to_string(n));
  c.department = o.department;
  c.category_code_system = "CPV";
  c.category = "03121200-7";
  const bool offered = std::string_view(o.arm) != "" && std::string_view(o.arm).find("/control") == std::string::npos;
  c.default_offered = offered ? "BLOEM-01" : "";
  c.chosen_supplier = o.social ? "BLOEM-01" : "FLR-100";
  c.social = o.social;
  c.evidence = o.social ? "pso-3 2026-01-01..2027-12-31" : "";
  c.addressable = true;
  c.outcome = !offered ? Outcome::not_offered : o.social ? Outcome::kept_default : Outcome::regular;
  c.amount = Money{o.minor, o.currency};
  c.adapter = "soap";
  c.arm = o.arm;
  return c;
}

// Two experiments, the choices outside them ("default": an offer outside
// any experiment; none: no offer found), an experiment that happens to be
// called "no-experiment", a USD order and a rejected one.
const std::vector<ArmOrder> kOrders{
    {"2026-03-02", "Facilitair", "flowers-2026/control", true, 2000, "EUR"},         // 1
    {"2026-03-03", "Facilitair", "flowers-2026/control", false, 3000, "EUR"},        // 2
    {"2026-03-04", "Facilitair", "flowers-2026/impact", true, 2500, "EUR"},          // 3
    {"2026-04-05", "Burgerzaken", "flowers-2026/impact", true, 1500, "EUR"},         // 4
    {"2026-04-06", "Burgerzaken", "flowers-2026/impact", false, 1000, "USD"},        // 5
    {"2026-05-07", "Facilitair", "catering-2026/default", true, 40000, "EUR"},       // 6
    {"2026-05-08", "Facilitair", "default", true, 1200, "EUR"},                      // 7
    {"2026-05-09", "Burgerzaken", "", false, 800, "EUR"},                            // 8
    {"2026-06-10", "Burgerzaken", "no-experiment/control", false, 700, "EUR"},       // 9
    {"2026-06-11", "Facilitair", "flowers-2026/control", true, 9900, "EUR"},         // 10: rejected below
};

class ExportByArm : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ledger = open_sqlite_ledger(dir_ / "ledger.db", test_keys());
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    ledger_ = std::move(ledger).value();
    std::vector<ChoiceRecord> choices;
    int n = 0;
    for (const ArmOrder& o : kOrders) choices.push_back(to_choice(o, ++n));
    ASSERT_TRUE(ledger_->append_choices(choices).ok());
    OrderStatusRecord rejected;
    rejected.at = choices.back().at + 1h;
    rejected.order_ref = choices.back().order_ref;
    rejected.status = OrderStatus::rejected;
    rejected.adapter = "ubl";
    ASSERT_TRUE(ledger_->append_order_status(rejected).ok());
  }

  ExportHeader header(std::vector<GroupBy> keys) const {
    ExportHeader h;
    h.organisation = "Gemeente Voorbeeldstad";
    h.time_zone = "Europe/Amsterdam";
    h.reporting_currency = "EUR";
    h.query = {2026y / 1 / 1, 2026y / 12 / 31, std::move(keys)};
    h.generated_at = parse_utc_timestamp("2027-01-04T08:30:00Z").value();
    return h;
  }

  // "key|key currency orders/social" per row, in the order they came.
  std::vector<std::string> rows(std::vector<GroupBy> keys) {
    std::vector<std::string> out;
    auto r = ledger_->export_rows(header(std::move(keys)).query, [&](const ExportRow& row) -> Result<void> {
      std::string text;
      for (const std::string& key : row.keys) text += (text.empty() ? "" : "|") + key;
      out.push_back(text + " " + row.currency + " " + std::to_string(row.orders) + "/" +
                    std::to_string(row.social_orders));
      return {};
    });
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return out;
  }

  std::string text(std::vector<GroupBy> keys, ExportFormat format) {
    std::ostringstream out;
    auto r = write_export(*ledger_, header(std::move(keys)), format, out);
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return out.str();
  }

  TempDir dir_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(ExportByArm, OneGroupPerExperimentArmAndOneForEverythingOutside) {
  EXPECT_EQ(rows({GroupBy::arm}), (std::vector<std::string>{
                                      "catering-2026/default EUR 1/1",
                                      "flowers-2026/control EUR 2/1",  // the rejected order is left out
                                      "flowers-2026/impact EUR 2/2",
                                      "flowers-2026/impact USD 1/0",
                                      "no-experiment EUR 2/1",  // "default" and no offer together
                                      "no-experiment/control EUR 1/0",
                                  }));
}

TEST_F(ExportByArm, CombinesWithTheOtherKeysInTheOrderGiven) {
  EXPECT_EQ(rows({GroupBy::department, GroupBy::arm}), (std::vector<std::string>{
                                                           "Burgerzaken|flowers-2026/impact EUR 1/1",
                                                           "Burgerzaken|flowers-2026/impact USD 1/0",
                                                           "Burgerzaken|no-experiment EUR 1/0",
                                                           "Burgerzaken|no-experiment/control EUR 1/0",
                                                           "Facilitair|catering-2026/default EUR 1/1",
                                                           "Facilitair|flowers-2026/control EUR 2/1",
                                                           "Facilitair|flowers-2026/impact EUR 1/1",
                                                           "Facilitair|no-experiment EUR 1/1",
                                                       }));
  EXPECT_EQ(rows({GroupBy::arm, GroupBy::month}), (std::vector<std::string>{
                                                      "catering-2026/default|2026-05 EUR 1/1",
                                                      "flowers-2026/control|2026-03 EUR 2/1",
                                                      "flowers-2026/impact|2026-03 EUR 1/1",
                                                      "flowers-2026/impact|2026-04 EUR 1/1",
                                                      "flowers-2026/impact|2026-04 USD 1/0",
                                                      "no-experiment|2026-05 EUR 2/1",
                                                      "no-experiment/control|2026-06 EUR 1/0",
                                                  }));
  // The evidence of each group is its own, though the key is an expression.
  std::vector<std::string> evidence;
  ASSERT_TRUE(ledger_
                  ->export_rows(header({GroupBy::quarter, GroupBy::arm}).query,
                                [&](const ExportRow& row) -> Result<void> {
                                  evidence.push_back(row.keys[1] + ":" + row.evidence);
                                  return {};
                                })
                  .ok());
  EXPECT_EQ(evidence, (std::vector<std::string>{
                          "flowers-2026/control:pso-3 2026-01-01..2027-12-31",  // Q1
                          "flowers-2026/impact:pso-3 2026-01-01..2027-12-31",
                          "catering-2026/default:pso-3 2026-01-01..2027-12-31",  // Q2
                          "flowers-2026/impact:pso-3 2026-01-01..2027-12-31",
                          "flowers-2026/impact:",  // the USD order is not social
                          "no-experiment:pso-3 2026-01-01..2027-12-31",
                          "no-experiment/control:",
                      }));
}

// The experiment report counts as the export does: the rejected order is
// left out of its arm there too, and each arm's figures are the export's
// rows of that arm (all currencies).
TEST_F(ExportByArm, TheReportsCountsPerArmAreTheExports) {
  auto counted = ledger_->count_arms("flowers-2026", 2026y / 1 / 1, 2026y / 12 / 31);
  ASSERT_TRUE(counted.ok()) << counted.error().describe();
  std::map<std::string, std::string> reported;
  for (const ArmCount& a : *counted) {
    reported["flowers-2026/" + a.arm] = std::to_string(a.count.orders) + "/" + std::to_string(a.count.social_orders);
  }
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> sums;
  ASSERT_TRUE(ledger_
                  ->export_rows(header({GroupBy::arm}).query,
                                [&](const ExportRow& row) -> Result<void> {
                                  if (row.keys[0].starts_with("flowers-2026/")) {
                                    sums[row.keys[0]].first += row.orders;
                                    sums[row.keys[0]].second += row.social_orders;
                                  }
                                  return {};
                                })
                  .ok());
  std::map<std::string, std::string> exported;
  for (const auto& [arm, sum] : sums) exported[arm] = std::to_string(sum.first) + "/" + std::to_string(sum.second);
  EXPECT_EQ(reported, (std::map<std::string, std::string>{{"flowers-2026/control", "2/1"},
                                                          {"flowers-2026/impact", "3/2"}}));
  EXPECT_EQ(exported, reported);
}

TEST_F(ExportByArm, CsvHasAnArmColumn) {
  const std::string csv = text({GroupBy::arm, GroupBy::department}, ExportFormat::csv);
  EXPECT_TRUE(csv.starts_with("arm,department,currency,orders,spend,social_orders,")) << csv;
  // The control shows no default: nothing offered, so no outcome shares.
  EXPECT_NE(csv.find("\r\nflowers-2026/control,Facilitair,EUR,2,50.00,1,20.00,50.0,40.0,0,,,,2,50.00,40.0,"
                     "pso-3 2026-01-01..2027-12-31\r\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\r\nno-experiment,Burgerzaken,EUR,1,8.00,0,0.00,0.0,0.0,0,,,,1,8.00,0.0,\r\n"), std::string::npos)
      << csv;
}

TEST_F(ExportByArm, JsonNamesTheKeyArm) {
  const auto json = boost::json::parse(text({GroupBy::arm}, ExportFormat::json));
  EXPECT_EQ(json.at("group_by"), boost::json::parse(R"(["arm"])"));
  const auto& rows = json.at("rows").as_array();
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[2].at("arm").as_string(), "flowers-2026/impact");
  EXPECT_EQ(rows[2].at("orders").as_int64(), 2);
  EXPECT_EQ(rows[2].at("kept_default_share").as_string(), "100.0");
  EXPECT_EQ(rows[4].at("arm").as_string(), "no-experiment");
  EXPECT_EQ(rows[4].at("offered_orders").as_int64(), 1);
}

std::pair<int, std::string> validate(const fs::path& xml) {
  return socialdefault::testing::validate_against_schema(xml, "audit-export.xsd");
}

TEST_F(ExportByArm, XmlHasAnArmKeyAndValidatesAgainstTheSchema) {
  const std::string xml = text({GroupBy::month, GroupBy::arm}, ExportFormat::xml);
  EXPECT_NE(xml.find("<group-by>month arm</group-by>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("    <key name=\"month\">2026-05</key>\n    <key name=\"arm\">no-experiment</key>\n"),
            std::string::npos)
      << xml;
  if (!socialdefault::testing::have_xmllint()) {
    GTEST_SKIP() << "xmllint is not installed (apt-get install -y libxml2-utils)";
  }
  int n = 0;
  // Every key at once: six keys per row.
  for (const auto& keys : std::vector<std::vector<GroupBy>>{
           {GroupBy::arm},
           {GroupBy::month, GroupBy::arm},
           {GroupBy::department, GroupBy::category, GroupBy::supplier, GroupBy::month, GroupBy::quarter, GroupBy::arm}}) {
    const fs::path file = dir_ / ("arm-" + std::to_string(++n) + ".xml");
    std::ofstream(file, std::ios::binary) << text(keys, ExportFormat::xml);
    const auto [status, output] = validate(file);
    EXPECT_EQ(status, 0) << output;
    EXPECT_NE(output.find("validates"), std::string::npos) << output;
  }
  // The schema knows its keys: a key it does not name is refused.
  std::string unknown = xml;
  for (std::size_t at = unknown.find("name=\"arm\""); at != std::string::npos; at = unknown.find("name=\"arm\"", at)) {
    unknown.replace(at, 10, "name=\"ARM\"");
  }
  const fs::path bad = dir_ / "unknown-key.xml";
  std::ofstream(bad, std::ios::binary) << unknown;
  const auto [status, output] = validate(bad);
  EXPECT_NE(status, 0) << output;
}

TEST(ExportByArmQuery, TheTextFormParsesArmAndRefusesItTwice) {
  auto query = parse_export_query("2026-01-01", "2026-12-31", "department,arm");
  ASSERT_TRUE(query.ok()) << query.error().describe();
  EXPECT_EQ(query->group_by, (std::vector<GroupBy>{GroupBy::department, GroupBy::arm}));
  EXPECT_EQ(*parse_group_by("arm"), GroupBy::arm);
  EXPECT_STREQ(to_string(GroupBy::arm), "arm");
  auto twice = parse_export_query("2026-01-01", "2026-12-31", "arm,month,arm");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().describe(), "group-by \"arm\" is given twice");
  auto wrong = parse_export_query("2026-01-01", "2026-12-31", "arms");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().describe(),
            "group-by: group-by \"arms\" is not one of department, category, supplier, month, quarter, arm");
}

// The example configuration's experiment, simulated: the export by arm over
// the experiment's days gives each arm the orders and social orders of the
// experiment report, through the engine and through the C ABI.
class ExportOfASimulation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("sd_export_arm");
    EngineOptions options;
    options.config = fs::path(SD_SOURCE_DIR) / "examples/config.xml";
    options.ledger = *dir_ / "simulated.sqlite";
    options.actor = "export_arm_test";
    SimulationModel model;
    model.experiment = "catering-2027";
    model.requesters = 150;
    model.orders_per_requester = 2;
    model.base_share = 0.40;
    model.effect = {{"impact", 0.20}};
    model.seed = 5;
    auto simulated = run_simulation(options, model);
    ASSERT_TRUE(simulated.ok()) << simulated.error().describe();
    report_ = new ExperimentReport(simulated->report);
  }
  static void TearDownTestSuite() {
    delete report_;
    delete dir_;
  }

  // arm -> "orders/social_orders" of the report.
  static std::map<std::string, std::string> reported() {
    std::map<std::string, std::string> arms;
    for (const ArmReport& a : report_->arms) {
      arms["catering-2027/" + a.arm] = std::to_string(a.count.orders) + "/" + std::to_string(a.count.social_orders);
    }
    return arms;
  }

  static TempDir* dir_;
  static ExperimentReport* report_;
};

TempDir* ExportOfASimulation::dir_ = nullptr;
ExperimentReport* ExportOfASimulation::report_ = nullptr;

TEST_F(ExportOfASimulation, TheEnginesExportByArmMatchesTheExperimentReport) {
  ASSERT_NE(report_, nullptr);
  ASSERT_EQ(report_->arms.size(), 4u);
  EngineOptions options;
  options.config = fs::path(SD_SOURCE_DIR) / "examples/config.xml";
  options.ledger = *dir_ / "simulated.sqlite";
  options.actor = "export_arm_test";
  auto engine = Engine::open(options);
  ASSERT_TRUE(engine.ok()) << engine.error().describe();
  std::map<std::string, std::string> exported;
  std::int64_t orders = 0;
  auto r = (*engine)->ledger().export_rows(ExportQuery{report_->from, report_->until, {GroupBy::arm}},
                                           [&](const ExportRow& row) -> Result<void> {
                                             EXPECT_EQ(row.currency, "EUR");
                                             exported[row.keys.at(0)] =
                                                 std::to_string(row.orders) + "/" + std::to_string(row.social_orders);
                                             orders += row.orders;
                                             return {};
                                           });
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(exported, reported());
  EXPECT_EQ(orders, 300);
}

TEST_F(ExportOfASimulation, TheCApiExportsByArm) {
  ASSERT_NE(report_, nullptr);
  const std::string config = (fs::path(SD_SOURCE_DIR) / "examples/config.xml").string();
  const std::string mapping = (fs::path(SD_SOURCE_DIR) / "examples/erp/mapping.xml").string();
  const std::string ledger = (*dir_ / "simulated.sqlite").string();
  sd_engine* engine = nullptr;
  sd_error* error = nullptr;
  ASSERT_EQ(sd_engine_open(config.c_str(), mapping.c_str(), ledger.c_str(), nullptr, &engine, &error), SD_OK)
      << (error != nullptr ? sd_error_message(error) : "");
  char* out = nullptr;
  size_t size = 0;
  const std::string from = format_date(report_->from);
  const std::string until = format_date(report_->until);
  EXPECT_EQ(sd_export(engine, from.c_str(), until.c_str(), "arm", "json", &out, &size, &error), SD_OK)
      << (error != nullptr ? sd_error_message(error) : "");
  const std::string json_text = out == nullptr ? std::string() : std::string(out, size);
  sd_buffer_free(out);
  out = nullptr;
  // A key the export does not know is refused with its name.
  EXPECT_EQ(sd_export(engine, from.c_str(), until.c_str(), "arm,experiment", "csv", &out, &size, &error),
            SD_INVALID_ARGUMENT);
  ASSERT_NE(error, nullptr);
  EXPECT_STREQ(sd_error_message(error),
               "group-by: group-by \"experiment\" is not one of department, category, supplier, month, quarter, arm");
  sd_error_free(error);
  sd_buffer_free(out);
  sd_engine_close(engine);

  std::map<std::string, std::string> exported;
  const boost::json::value json = boost::json::parse(json_text);
  for (const auto& row : json.at("rows").as_array()) {
    exported[std::string(row.at("arm").as_string())] =
        std::to_string(row.at("orders").as_int64()) + "/" + std::to_string(row.at("social_orders").as_int64());
  }
  EXPECT_EQ(exported, reported());
}

}  // namespace
}  // namespace socialdefault
