#include <gtest/gtest.h>

#include "xml_schema.hpp"
#include "temp_dir.hpp"
#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "socialdefault/export.hpp"
#include "socialdefault/ledger.hpp"
#include "test_files.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kGoldenDir = fs::path(SD_SOURCE_DIR) / "tests/plugin/data/ledger";

Keys test_keys() { return Keys::from_secret(std::string(64, 'e')).value(); }

using socialdefault::testing::TempDir;

struct Order {
  const char* date;
  const char* department;
  const char* code_system;
  const char* category;
  const char* offered;    // "" when no offer was shown
  const char* chosen;
  bool social;
  const char* evidence;
  bool addressable;
  Outcome outcome;
  std::int64_t minor;
  const char* currency;
};

ChoiceRecord to_choice(const Order& o, int n) {
  ChoiceRecord c;
  c.local_date = parse_date(o.date).value();
  c.at = UtcSeconds{std::chrono::sys_days{c.local_date}} + 9h + std::chrono::minutes{n};
  c.correlation_id = "REQ-" + std::to_string(n);
  c.order_ref = "PO-" + std::to_string(n);
  c.requester_pseudonym = test_keys().pseudonymise("employee-" + std::to_string(n % 7));
  c.department = o.department;
  c.category_code_system = o.code_system;
  c.category = o.category;
  c.default_offered = o.offered;
  c.chosen_supplier = o.chosen;
  c.social = o.social;
  c.evidence = o.evidence;
  c.addressable = o.addressable;
  c.outcome = o.outcome;
  c.amount = Money{o.minor, o.currency};
  c.adapter = "soap";
  return c;
}

// The worked example of docs/ledger.md: four departments, two currencies,
// one order outside 2026.
const std::vector<Order> kOrders{
    {"2026-03-10", "Facilitair", "CPV", "03121200-7", "BLOEM-01", "BLOEM-01", true,
     "pso-3 2026-01-01..2027-12-31 PSO-1001", true, Outcome::kept_default, 4950, "EUR"},
    {"2026-03-15", "Facilitair", "CPV", "03121200-7", "BLOEM-01", "FLR-100", false, "", true, Outcome::regular, 3500,
     "EUR"},
    {"2026-05-02", "Facilitair", "CPV", "55520000-1", "CAT-S1", "CAT-S2", true, "pso-3 2026-01-01..2026-12-31 PSO-2002",
     true, Outcome::other_social, 42000, "EUR"},
    {"2026-11-20", "Burgerzaken", "CPV", "18530000-3", "GIFT-S1", "GIFT-S1", true,
     "pso-30plus 2026-01-01..2027-12-31", true, Outcome::kept_default, 2500, "EUR"},
    {"2026-11-27", "Burgerzaken", "ERP", "XMAS", "", "XMAS-R1", false, "", true, Outcome::not_offered, 125000, "EUR"},
    {"2026-11-21", "Burgerzaken", "CPV", "18530000-3", "GIFT-S1", "GIFT-R2", false, "", true, Outcome::regular, 8000,
     "USD"},
    {"2026-07-01", "Sport & Cultuur", "ERP", "MISC", "", "VEN-S3", true, "other 2026-01-01..2026-12-31", false,
     Outcome::not_offered, 15000, "EUR"},
    {"2025-12-31", "Facilitair", "CPV", "03121200-7", "BLOEM-01", "BLOEM-01", true,
     "pso-3 2025-01-01..2025-12-31 PSO-0999", true, Outcome::kept_default, 99900, "EUR"},
};

std::unique_ptr<Ledger> filled_ledger(const fs::path& file, const std::vector<Order>& orders = kOrders) {
  auto ledger = open_sqlite_ledger(file, test_keys());
  EXPECT_TRUE(ledger.ok()) << ledger.error().describe();
  if (!ledger.ok()) return nullptr;
  std::vector<ChoiceRecord> choices;
  int n = 0;
  for (const Order& o : orders) choices.push_back(to_choice(o, ++n));
  auto appended = (*ledger)->append_choices(choices);
  EXPECT_TRUE(appended.ok()) << appended.error().describe();
  return std::move(ledger).value();
}

ExportHeader year_2026(std::vector<GroupBy> group_by) {
  ExportHeader h;
  h.organisation = "Gemeente Voorbeeldstad";
  h.time_zone = "Europe/Amsterdam";
  h.reporting_currency = "EUR";
  h.query.from = 2026y / 1 / 1;
  h.query.to = 2026y / 12 / 31;
  h.query.group_by = std::move(group_by);
  h.generated_at = parse_utc_timestamp("2027-01-04T08:30:00Z").value();
  return h;
}

std::string export_text(Ledger& ledger, const ExportHeader& header, ExportFormat format) {
  std::ostringstream out;
  auto r = write_export(ledger, header, format, out);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return out.str();
}

std::vector<ExportRow> rows_of(Ledger& ledger, const ExportQuery& query) {
  std::vector<ExportRow> rows;
  auto r = ledger.export_rows(query, [&](const ExportRow& row) -> Result<void> {
    rows.push_back(row);
    return {};
  });
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return rows;
}

using socialdefault::testing::read_file;

// Compares with the golden file; SD_UPDATE_GOLDEN=1 rewrites it instead
// (then review the diff by hand).
void expect_golden(const std::string& actual, const std::string& name) {
  const fs::path golden = kGoldenDir / name;
  if (std::getenv("SD_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden;
  EXPECT_EQ(actual, read_file(golden)) << "differs from " << golden;
}

class Export : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = filled_ledger(dir_ / "ledger.db");
    ASSERT_NE(ledger_, nullptr);
  }
  TempDir dir_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(Export, CsvMatchesGolden) {
  expect_golden(export_text(*ledger_, year_2026({GroupBy::department, GroupBy::category}), ExportFormat::csv),
                "export-department-category.csv");
}

TEST_F(Export, XmlMatchesGolden) {
  expect_golden(export_text(*ledger_, year_2026({GroupBy::department, GroupBy::category}), ExportFormat::xml),
                "export-department-category.xml");
}

TEST_F(Export, JsonMatchesGolden) {
  expect_golden(export_text(*ledger_, year_2026({GroupBy::department, GroupBy::category}), ExportFormat::json),
                "export-department-category.json");
}

TEST_F(Export, AggregatesPerDepartmentByHand) {
  const auto rows = rows_of(*ledger_, year_2026({GroupBy::department}).query);
  ASSERT_EQ(rows.size(), 4u);
  // Burgerzaken EUR: the gift (social, kept) and the Christmas packages (no offer).
  EXPECT_EQ(rows[0].keys, std::vector<std::string>{"Burgerzaken"});
  EXPECT_EQ(rows[0].currency, "EUR");
  EXPECT_EQ(rows[0].orders, 2);
  EXPECT_EQ(rows[0].spend, 127500);
  EXPECT_EQ(rows[0].social_orders, 1);
  EXPECT_EQ(rows[0].social_spend, 2500);
  EXPECT_EQ(rows[0].offered, 1);
  EXPECT_EQ(rows[0].kept_default, 1);
  EXPECT_EQ(rows[0].evidence, "pso-30plus 2026-01-01..2027-12-31");
  // Facilitair: the 2025 order is outside the period.
  const ExportRow& f = rows[2];
  EXPECT_EQ(f.keys, std::vector<std::string>{"Facilitair"});
  EXPECT_EQ(f.orders, 3);
  EXPECT_EQ(f.spend, 4950 + 3500 + 42000);
  EXPECT_EQ(f.social_orders, 2);
  EXPECT_EQ(f.social_spend, 4950 + 42000);
  EXPECT_EQ(f.offered, 3);
  EXPECT_EQ(f.kept_default, 1);
  EXPECT_EQ(f.other_social, 1);
  EXPECT_EQ(f.regular, 1);
  EXPECT_EQ(f.addressable_orders, 3);
  EXPECT_EQ(f.addressable_social_spend, 4950 + 42000);
  // Distinct evidence, sorted, "; "-separated.
  EXPECT_EQ(f.evidence, "pso-3 2026-01-01..2026-12-31 PSO-2002; pso-3 2026-01-01..2027-12-31 PSO-1001");
  // Social but not addressable: counts as social spend, not as addressable.
  const ExportRow& s = rows[3];
  EXPECT_EQ(s.keys, std::vector<std::string>{"Sport & Cultuur"});
  EXPECT_EQ(s.social_spend, 15000);
  EXPECT_EQ(s.addressable_orders, 0);
  EXPECT_EQ(s.addressable_spend, 0);
  EXPECT_EQ(s.offered, 0);
}

TEST_F(Export, EurAndUsdAreNeverSummed) {
  const auto rows = rows_of(*ledger_, year_2026({}).query);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].keys.empty());
  EXPECT_EQ(rows[0].currency, "EUR");
  EXPECT_EQ(rows[0].orders, 6);
  EXPECT_EQ(rows[0].spend, 4950 + 3500 + 42000 + 2500 + 125000 + 15000);
  EXPECT_EQ(rows[1].currency, "USD");
  EXPECT_EQ(rows[1].orders, 1);
  EXPECT_EQ(rows[1].spend, 8000);

  const auto by_department = rows_of(*ledger_, year_2026({GroupBy::department}).query);
  ASSERT_EQ(by_department.size(), 4u);
  EXPECT_EQ(by_department[0].currency, "EUR");
  EXPECT_EQ(by_department[1].keys, std::vector<std::string>{"Burgerzaken"});
  EXPECT_EQ(by_department[1].currency, "USD");
  EXPECT_EQ(by_department[1].spend, 8000);
  EXPECT_EQ(by_department[1].regular, 1);

  const std::string csv = export_text(*ledger_, year_2026({GroupBy::department}), ExportFormat::csv);
  EXPECT_NE(csv.find("Burgerzaken,EUR,2,1275.00,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("Burgerzaken,USD,1,80.00,"), std::string::npos) << csv;
}

TEST_F(Export, GroupsByCategorySupplierMonthAndQuarter) {
  auto rows = rows_of(*ledger_, year_2026({GroupBy::quarter, GroupBy::month}).query);
  std::vector<std::string> keys;
  for (const auto& row : rows) keys.push_back(row.keys[0] + " " + row.keys[1] + " " + row.currency);
  EXPECT_EQ(keys, (std::vector<std::string>{"2026-Q1 2026-03 EUR", "2026-Q2 2026-05 EUR", "2026-Q3 2026-07 EUR",
                                            "2026-Q4 2026-11 EUR", "2026-Q4 2026-11 USD"}));
  EXPECT_EQ(rows[0].orders, 2);

  rows = rows_of(*ledger_, year_2026({GroupBy::category}).query);
  keys.clear();
  for (const auto& row : rows) keys.push_back(row.keys[0]);
  EXPECT_EQ(keys, (std::vector<std::string>{"CPV:03121200-7", "CPV:18530000-3", "CPV:18530000-3", "CPV:55520000-1",
                                            "ERP:MISC", "ERP:XMAS"}));

  rows = rows_of(*ledger_, year_2026({GroupBy::supplier}).query);
  keys.clear();
  for (const auto& row : rows) keys.push_back(row.keys[0]);
  EXPECT_EQ(keys, (std::vector<std::string>{"BLOEM-01", "CAT-S2", "FLR-100", "GIFT-R2", "GIFT-S1", "VEN-S3", "XMAS-R1"}));
}

TEST(ExportPeriod, BoundsAreInclusiveLocalDates) {
  TempDir dir;
  const std::vector<Order> orders{
      {"2026-03-31", "A", "CPV", "1", "", "X", false, "", false, Outcome::not_offered, 100, "EUR"},
      {"2026-04-01", "A", "CPV", "1", "", "X", false, "", false, Outcome::not_offered, 200, "EUR"},
      {"2026-06-30", "A", "CPV", "1", "", "X", false, "", false, Outcome::not_offered, 400, "EUR"},
      {"2026-07-01", "A", "CPV", "1", "", "X", false, "", false, Outcome::not_offered, 800, "EUR"},
  };
  auto ledger = filled_ledger(dir / "ledger.db", orders);
  ExportQuery q2{2026y / 4 / 1, 2026y / 6 / 30, {}};
  auto rows = rows_of(*ledger, q2);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].spend, 600);
  ExportQuery one_day{2026y / 7 / 1, 2026y / 7 / 1, {GroupBy::quarter}};
  rows = rows_of(*ledger, one_day);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].keys[0], "2026-Q3");
  EXPECT_EQ(rows[0].spend, 800);
  ExportQuery empty{2027y / 1 / 1, 2027y / 12 / 31, {}};
  EXPECT_TRUE(rows_of(*ledger, empty).empty());
  ExportHeader header = year_2026({GroupBy::department});
  header.query = empty;
  std::ostringstream json;
  ASSERT_TRUE(write_export(*ledger, header, ExportFormat::json, json).ok());
  const auto parsed = boost::json::parse(json.str());
  EXPECT_TRUE(parsed.at("rows").as_array().empty());
}

TEST(ExportShares, PercentagesHaveOneDecimalRoundedHalfUp) {
  TempDir dir;
  std::vector<Order> orders;
  // 16 offered orders: 1 kept (6.25 % -> 6.3), 2 other social (12.5 %), 13 regular (81.25 % -> 81.3).
  for (int i = 0; i < 16; ++i) {
    const Outcome outcome = i == 0 ? Outcome::kept_default : i < 3 ? Outcome::other_social : Outcome::regular;
    orders.push_back({"2026-02-02", "A", "CPV", "1", "S-1", i < 3 ? "S-1" : "R-1", i < 3,
                      i < 3 ? "pso-2 2026-01-01..2026-12-31" : "", true, outcome, i == 0 ? 1 : 0, "EUR"});
  }
  // One more regular order of 2 cents: 17 orders, 3 cents of which 1 social.
  orders.push_back({"2026-02-02", "A", "CPV", "1", "S-1", "R-1", false, "", true, Outcome::regular, 2, "EUR"});
  auto ledger = filled_ledger(dir / "ledger.db", orders);
  const std::string csv = export_text(*ledger, year_2026({}), ExportFormat::csv);
  // orders 17, social 3: 17.6 %; spend 3 cents, social 1: 33.3 %; offered 17:
  // kept 1 (5.9 %), other 2 (11.8 %), regular 14 (82.4 %).
  EXPECT_NE(csv.find("\r\nEUR,17,0.03,3,0.01,17.6,33.3,17,5.9,11.8,82.4,17,0.03,33.3,pso-2 2026-01-01..2026-12-31\r\n"),
            std::string::npos)
      << csv;

  TempDir dir2;
  orders.resize(16);
  auto exact = filled_ledger(dir2 / "ledger.db", orders);
  const std::string halves = export_text(*exact, year_2026({}), ExportFormat::csv);
  EXPECT_NE(halves.find("\r\nEUR,16,0.01,3,0.01,18.8,100.0,16,6.3,12.5,81.3,16,0.01,100.0,"), std::string::npos)
      << halves;
}

TEST(ExportShares, EmptyWhenTheDenominatorIsZero) {
  TempDir dir;
  auto ledger = filled_ledger(dir / "ledger.db",
                              {{"2026-07-01", "A", "ERP", "MISC", "", "X-1", false, "", false, Outcome::not_offered, 0, "EUR"}});
  const std::string csv = export_text(*ledger, year_2026({}), ExportFormat::csv);
  EXPECT_NE(csv.find("\r\nEUR,1,0.00,0,0.00,0.0,,0,,,,0,0.00,,\r\n"), std::string::npos) << csv;
  const std::string json = export_text(*ledger, year_2026({}), ExportFormat::json);
  const auto row = boost::json::parse(json).at("rows").at(0);
  EXPECT_TRUE(row.at("social_share_spend").is_null());
  EXPECT_TRUE(row.at("kept_default_share").is_null());
  EXPECT_EQ(row.at("social_share_orders").as_string(), "0.0");
  const std::string xml = export_text(*ledger, year_2026({}), ExportFormat::xml);
  EXPECT_EQ(xml.find("social-share-spend"), std::string::npos);
  EXPECT_NE(xml.find("<social-share-orders>0.0</social-share-orders>"), std::string::npos);
  EXPECT_NE(xml.find("<evidence/>"), std::string::npos);
}

TEST(ExportCsv, QuotesADepartmentWithACommaAndAQuote) {
  TempDir dir;
  auto ledger = filled_ledger(
      dir / "ledger.db",
      {{"2026-06-01", "Zorg, \"Welzijn\" & Jeugd", "CPV", "1", "", "X-1", false, "", false, Outcome::not_offered, 1000,
        "EUR"},
       {"2026-06-02", "Ruimte\r\nen Wonen", "CPV", "1", "", "X-1", false, "", false, Outcome::not_offered, 1000, "EUR"}});
  const std::string csv = export_text(*ledger, year_2026({GroupBy::department}), ExportFormat::csv);
  EXPECT_NE(csv.find("\r\n\"Ruimte\r\nen Wonen\",EUR,1,10.00,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\r\n\"Zorg, \"\"Welzijn\"\" & Jeugd\",EUR,1,10.00,"), std::string::npos) << csv;
  // Three records, each ending in CRLF; no bare LF outside the quoted field.
  EXPECT_EQ(csv.rfind("\r\n"), csv.size() - 2);
  EXPECT_TRUE(csv.starts_with("department,currency,orders,spend,social_orders,social_spend,"));
}

TEST(ExportXml, EscapesMarkupAndReplacesWhatXmlCannotCarry) {
  TempDir dir;
  auto ledger = filled_ledger(dir / "ledger.db", {{"2026-06-01", "R&D <Lab> \"x\"\x01", "CPV", "1", "", "X-1", false,
                                                   "", false, Outcome::not_offered, 1000, "EUR"},
                                                  {"2026-06-01", "Bad \xff UTF-8\r", "CPV", "1", "", "X-1", false, "",
                                                   false, Outcome::not_offered, 1000, "EUR"}});
  const std::string xml = export_text(*ledger, year_2026({GroupBy::department}), ExportFormat::xml);
  EXPECT_NE(xml.find("<key name=\"department\">Bad \xEF\xBF\xBD UTF-8&#13;</key>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<key name=\"department\">R&amp;D &lt;Lab&gt; &quot;x&quot;\xEF\xBF\xBD</key>"), std::string::npos)
      << xml;
  const std::string json = export_text(*ledger, year_2026({GroupBy::department}), ExportFormat::json);
  const auto parsed = boost::json::parse(json);
  EXPECT_EQ(parsed.at("rows").at(0).at("department").as_string(), "Bad \xEF\xBF\xBD UTF-8\r");
  EXPECT_EQ(parsed.at("rows").at(1).at("department").as_string(), "R&D <Lab> \"x\"\x01");
}

std::pair<int, std::string> run_xmllint(const fs::path& xml) {
  return socialdefault::testing::validate_against_schema(xml, "audit-export.xsd");
}

TEST_F(Export, XmlValidatesAgainstTheSchema) {
  if (!socialdefault::testing::have_xmllint()) {
    GTEST_SKIP() << "xmllint is not installed (apt-get install -y libxml2-utils)";
  }
  int n = 0;
  for (const auto& group_by : std::vector<std::vector<GroupBy>>{
           {}, {GroupBy::department, GroupBy::category}, {GroupBy::quarter, GroupBy::supplier, GroupBy::month}}) {
    const fs::path file = dir_ / ("export-" + std::to_string(++n) + ".xml");
    std::ofstream(file, std::ios::binary) << export_text(*ledger_, year_2026(group_by), ExportFormat::xml);
    const auto [status, output] = run_xmllint(file);
    EXPECT_EQ(status, 0) << output;
    EXPECT_NE(output.find("validates"), std::string::npos) << output;
  }
  // The schema is not a formality: a row without its currency is refused.
  std::string broken = export_text(*ledger_, year_2026({GroupBy::department}), ExportFormat::xml);
  const auto at = broken.find("    <currency>EUR</currency>\n");
  ASSERT_NE(at, std::string::npos);
  broken.erase(at, std::string("    <currency>EUR</currency>\n").size());
  const fs::path bad = dir_ / "broken.xml";
  std::ofstream(bad, std::ios::binary) << broken;
  EXPECT_NE(run_xmllint(bad).first, 0);
}

TEST_F(Export, JsonIsOneObjectWithTypedValues) {
  const std::string text = export_text(*ledger_, year_2026({GroupBy::department}), ExportFormat::json);
  boost::json::value json = boost::json::parse(text);
  EXPECT_EQ(json.at("organisation").as_string(), "Gemeente Voorbeeldstad");
  EXPECT_EQ(json.at("period").at("from").as_string(), "2026-01-01");
  EXPECT_EQ(json.at("group_by").at(0).as_string(), "department");
  const auto& rows = json.at("rows").as_array();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[2].at("department").as_string(), "Facilitair");
  EXPECT_EQ(rows[2].at("orders").as_int64(), 3);
  EXPECT_EQ(rows[2].at("spend").as_string(), "504.50");
  EXPECT_EQ(rows[2].at("social_share_spend").as_string(), "93.1");
  EXPECT_EQ(rows[2].at("kept_default_share").as_string(), "33.3");
}

TEST(ExportStreaming, RowsArriveInKeyOrderWithManyChoices) {
  TempDir dir;
  auto ledger = open_sqlite_ledger(dir / "ledger.db", test_keys());
  ASSERT_TRUE(ledger.ok());
  // 20,000 choices over 12 months, 7 departments and 2 currencies, appended
  // in a shuffled order in batches of 1,000.
  constexpr int kChoices = 20000;
  const std::vector<std::string> departments{"Burgerzaken", "Facilitair", "ICT", "Onderwijs",
                                             "Sport & Cultuur", "Wonen", "Zorg"};
  std::vector<int> order(kChoices);
  for (int i = 0; i < kChoices; ++i) order[static_cast<std::size_t>(i)] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(20261127));
  std::int64_t total_spend = 0;
  std::set<std::vector<std::string>> expected_groups;
  std::vector<ChoiceRecord> batch;
  for (int i : order) {
    Order o{"2026-01-01", "", "CPV", "03121200-7", "BLOEM-01", "BLOEM-01", true, "pso-3 2026-01-01..2027-12-31", true,
            Outcome::kept_default, 100 + i % 97, i % 10 == 0 ? "USD" : "EUR"};
    ChoiceRecord c = to_choice(o, i);
    c.local_date = std::chrono::year{2026} / std::chrono::month{static_cast<unsigned>(i % 12 + 1)} /
                   std::chrono::day{static_cast<unsigned>(i % 28 + 1)};
    c.department = departments[static_cast<std::size_t>(i % 7)];
    total_spend += c.amount.minor;
    expected_groups.insert({format_date(c.local_date).substr(0, 7), c.department, c.amount.currency});
    batch.push_back(std::move(c));
    if (batch.size() == 1000) {
      ASSERT_TRUE((*ledger)->append_choices(batch).ok());
      batch.clear();
    }
  }
  ExportQuery query{2026y / 1 / 1, 2026y / 12 / 31, {GroupBy::month, GroupBy::department}};
  std::vector<std::string> previous;
  std::int64_t orders = 0, spend = 0;
  int groups = 0;
  auto r = (*ledger)->export_rows(query, [&](const ExportRow& row) -> Result<void> {
    std::vector<std::string> key = row.keys;
    key.push_back(row.currency);
    EXPECT_LT(previous, key) << "rows out of order after group " << groups;
    previous = std::move(key);
    EXPECT_EQ(row.evidence, "pso-3 2026-01-01..2027-12-31");
    orders += row.orders;
    spend += row.spend;
    ++groups;
    return {};
  });
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(orders, kChoices);
  EXPECT_EQ(spend, total_spend);
  EXPECT_EQ(static_cast<std::size_t>(groups), expected_groups.size());
  EXPECT_EQ(previous, *expected_groups.rbegin());
}

TEST_F(Export, ASinkErrorStopsTheExport) {
  int calls = 0;
  auto r = ledger_->export_rows(year_2026({GroupBy::department}).query, [&](const ExportRow&) -> Result<void> {
    ++calls;
    return make_error(ErrorCode::io, "client went away");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(), "client went away");
  EXPECT_EQ(calls, 1);
}

TEST_F(Export, AFailingOutputIsAnIoError) {
  std::ostream closed(nullptr);  // badbit from the start, as after a write error
  auto r = write_export(*ledger_, year_2026({GroupBy::department}), ExportFormat::csv, closed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::io);
  EXPECT_EQ(r.error().describe(), "cannot write the export: the output failed (disk full or closed pipe?)");
}

TEST_F(Export, RefusesABadQueryBeforeWritingAnything) {
  ExportHeader header = year_2026({GroupBy::month, GroupBy::department, GroupBy::month});
  std::ostringstream out;
  auto r = write_export(*ledger_, header, ExportFormat::xml, out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(), "group-by \"month\" is given twice");
  EXPECT_EQ(out.str(), "");

  header = year_2026({});
  header.query.from = 2026y / 12 / 1;
  header.query.to = 2026y / 11 / 30;
  r = write_export(*ledger_, header, ExportFormat::csv, out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(), "the period starts on 2026-12-01 but ends before that, on 2026-11-30");
  EXPECT_EQ(out.str(), "");

  header.query.from = 2026y / 2 / 30;
  auto bad_date = ledger_->export_rows(header.query, [](const ExportRow&) -> Result<void> { return {}; });
  ASSERT_FALSE(bad_date.ok());
  EXPECT_EQ(bad_date.error().describe(), "the period's start is not a calendar date");
  header.query.from = 2026y / 2 / 1;
  header.query.to = 2026y / 2 / 31;
  EXPECT_EQ(check_export_query(header.query).error().describe(), "the period's end is not a calendar date");
  header.query.to = std::chrono::year{10000} / 1 / 1;
  EXPECT_EQ(check_export_query(header.query).error().describe(), "the period must lie within the years 0001 to 9999");
}

TEST(ExportNames, FormatsAndKeysParse) {
  EXPECT_EQ(*parse_export_format("csv"), ExportFormat::csv);
  EXPECT_EQ(*parse_export_format("xml"), ExportFormat::xml);
  EXPECT_EQ(*parse_export_format("json"), ExportFormat::json);
  auto bad = parse_export_format("pdf");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().describe(), "export format \"pdf\" is not one of csv, xml, json");

  for (GroupBy key :
       {GroupBy::department, GroupBy::category, GroupBy::supplier, GroupBy::month, GroupBy::quarter, GroupBy::arm}) {
    EXPECT_EQ(*parse_group_by(to_string(key)), key);
  }
  auto unknown = parse_group_by("week");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().describe(),
            "group-by \"week\" is not one of department, category, supplier, month, quarter, arm");
}

}  // namespace
}  // namespace socialdefault
