// Ledger schema version 6: the indexes choices_by_correlation and
// choices_by_order, which no query reads, are dropped; the migration from
// version 5 keeps every row, id and MAC, so a migrated ledger verifies. The
// plans of the queries the product runs against choices show that each
// reads an index, never the whole table (docs/ledger.md, "Indexes and the
// queries that read them"). And the writer, which skips the schema's CHECK
// constraints, refuses an enumerated value the schema does not allow.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "socialdefault/ledger.hpp"
#include "sqlite_ledger.hpp"
#include "sqlite_query.hpp"
#include "temp_dir.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using socialdefault::testing::TempDir;

const UtcSeconds kNow = UtcSeconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 28}} + 10h;
Keys test_keys() { return Keys::from_secret(std::string(64, 's')).value(); }

ChoiceRecord choice(std::string order_ref, int line, std::int64_t version = 0, std::string document = {}) {
  ChoiceRecord c;
  c.at = kNow;
  c.local_date = std::chrono::year{2026} / 11 / 28;
  c.correlation_id = "REQ-" + order_ref;
  c.order_ref = std::move(order_ref);
  c.line = line;
  c.department = "Facilitair";
  c.category_code_system = "CPV";
  c.category = "03121200-7";
  c.chosen_supplier = "BLOEM-01";
  c.social = true;
  c.outcome = Outcome::kept_default;
  c.amount = Money{1000 * line, "EUR"};
  c.adapter = "test";
  c.arm = "exp/a";
  c.order_version = version;
  c.document_ref = std::move(document);
  return c;
}

using testing::query_plan;
using testing::query_text;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

OrderStatusRecord status(std::string order_ref, OrderStatus value) {
  OrderStatusRecord s;
  s.at = kNow;
  s.order_ref = std::move(order_ref);
  s.status = value;
  s.adapter = "test";
  return s;
}

// A ledger with every kind of choice row: plain, replayed from the spool
// (record id), a changed order (version, document id), and statuses.
void fill(SqliteLedger& ledger) {
  ChoiceRecord spooled = choice("PO-1", 1);
  spooled.record_id = "spool-1";
  ASSERT_TRUE(ledger.append_choices(std::vector<ChoiceRecord>{spooled, choice("PO-1", 2)}).ok());
  ASSERT_TRUE(ledger.append_choices(std::vector<ChoiceRecord>{choice("PO-2", 1, 0, "DOC-2")}).ok());
  ASSERT_TRUE(ledger.append_choices(std::vector<ChoiceRecord>{choice("PO-2", 1, 1, "CHG-2")}).ok());
  ASSERT_TRUE(ledger.append_order_status(status("PO-1", OrderStatus::accepted)).ok());
  OfferRecord offer;
  offer.at = kNow;
  offer.correlation_id = "REQ-PO-1";
  offer.category_code_system = "CPV";
  offer.category = "03121200-7";
  ASSERT_TRUE(ledger.append_offer(offer).ok());
}

// What version 5 had on top of version 6: the two indexes.
constexpr const char* kBackToVersion5 =
    "CREATE INDEX choices_by_correlation ON choices (correlation_id); CREATE INDEX choices_by_order ON choices "
    "(order_ref); PRAGMA user_version = 5;";

constexpr const char* kChoiceIndexes =
    "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'choices' AND sql IS NOT NULL ORDER BY name";

TEST(LedgerMigrationV6, ANewLedgerHasOnlyTheIndexesItsQueriesRead) {
  TempDir dir;
  const fs::path file = dir / "ledger.sqlite";
  auto ledger = SqliteLedger::open(file, test_keys());
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  EXPECT_EQ(query_text(file, "PRAGMA user_version"), std::to_string(SqliteLedger::kSchemaVersion));
  EXPECT_EQ(query_text(file, kChoiceIndexes), "choices_by_date,choices_by_document,choices_by_group,choices_versions");
}

TEST(LedgerMigrationV6, AVersionFiveLedgerKeepsItsChainAndLosesTheUnusedIndexes) {
  TempDir dir;
  const fs::path file = dir / "ledger.sqlite";
  std::string macs;
  {
    auto ledger = SqliteLedger::open(file, test_keys());
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    fill(**ledger);
    ASSERT_TRUE((*ledger)->execute(kBackToVersion5).ok());
  }
  ASSERT_EQ(query_text(file, "PRAGMA user_version"), "5");
  ASSERT_EQ(query_text(file, kChoiceIndexes),
            "choices_by_correlation,choices_by_date,choices_by_document,choices_by_group,choices_by_order,"
            "choices_versions");
  macs = query_text(file, "SELECT group_concat(mac, ' ') FROM (SELECT mac FROM choices ORDER BY id)") +
         query_text(file, "SELECT group_concat(mac, ' ') FROM chain_heads");

  auto ledger = SqliteLedger::open(file, test_keys());
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  EXPECT_EQ(query_text(file, "PRAGMA user_version"), std::to_string(SqliteLedger::kSchemaVersion));
  EXPECT_EQ(query_text(file, kChoiceIndexes), "choices_by_date,choices_by_document,choices_by_group,choices_versions");
  EXPECT_EQ(query_text(file, "SELECT group_concat(mac, ' ') FROM (SELECT mac FROM choices ORDER BY id)") +
                query_text(file, "SELECT group_concat(mac, ' ') FROM chain_heads"),
            macs);
  auto report = (*ledger)->verify();
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_TRUE(report->intact) << report->detail;
  EXPECT_EQ(report->rows_checked, 6U);

  // It goes on as before: a replay is skipped, a status named by its
  // document finds its order, the export counts the latest version.
  ChoiceRecord replay = choice("PO-1", 1);
  replay.record_id = "spool-1";
  ASSERT_TRUE((*ledger)->append_choices(std::vector<ChoiceRecord>{replay}).ok());
  OrderStatusRecord by_document = status("", OrderStatus::rejected);
  by_document.order_document_ref = "CHG-2";
  ASSERT_TRUE((*ledger)->append_order_status(by_document).ok());
  EXPECT_EQ(query_text(file, "SELECT order_ref || ' ' || status FROM order_statuses ORDER BY id"),
            "PO-1 accepted,PO-2 rejected");
  std::int64_t spend = 0;
  ASSERT_TRUE((*ledger)
                  ->export_rows(ExportQuery{std::chrono::year{2026} / 1 / 1, std::chrono::year{2026} / 12 / 31, {}},
                                [&](const ExportRow& row) -> Result<void> {
                                  spend += row.spend;
                                  return {};
                                })
                  .ok());
  EXPECT_EQ(spend, 3000);  // PO-1's two lines; PO-2 was rejected
  report = (*ledger)->verify();
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_TRUE(report->intact) << report->detail;
  EXPECT_EQ(report->rows_checked, 7U);
}

class ChoicePlans : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ledger = SqliteLedger::open(file_, test_keys());
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    fill(**ledger);
  }
  TempDir dir_;
  const fs::path file_ = dir_ / "ledger.sqlite";
};

// The export (and the experiment report, the colleague norm): a range of an
// index on the date, each order's latest status through
// order_statuses_by_order, and a later version only among changed orders.
TEST_F(ChoicePlans, TheExportReadsADateRangeAndProbesStatusesAndVersions) {
  const std::string plan = query_plan(file_, "SELECT count(*)" + export_filter_sql());
  EXPECT_TRUE(contains(plan, "SEARCH choices USING INDEX choices_by_date (local_date>? AND local_date<?)")) << plan;
  EXPECT_TRUE(contains(plan, "SEARCH s USING INDEX order_statuses_by_order (order_ref=?)")) << plan;
  EXPECT_TRUE(contains(plan, "SEARCH v USING INDEX choices_versions (order_ref=?")) << plan;
  EXPECT_FALSE(contains(plan, "SCAN")) << plan;
}

TEST_F(ChoicePlans, TheExperimentReportAndTheNormReadIndexes) {
  const std::string arms = query_plan(file_, count_arms_sql());
  EXPECT_TRUE(contains(arms, "SEARCH choices USING INDEX choices_by_date (local_date>? AND local_date<?)")) << arms;
  EXPECT_TRUE(contains(arms, "SEARCH v USING INDEX choices_versions (order_ref=?")) << arms;
  EXPECT_FALSE(contains(arms, "SCAN choices")) << arms;
  const std::string norm = query_plan(file_, count_orders_by_system_sql());
  EXPECT_TRUE(contains(norm, "SEARCH choices USING INDEX choices_by_group")) << norm;
  EXPECT_TRUE(contains(norm, "SEARCH v USING INDEX choices_versions (order_ref=?")) << norm;
  EXPECT_FALSE(contains(norm, "SCAN choices")) << norm;
}

// A status named by its order number reads no choice at all (it is one
// insert into order_statuses); named by the payloadID of its document, it
// finds the order through the partial index of document ids.
TEST_F(ChoicePlans, AStatusByItsDocumentIdIsAnIndexProbe) {
  const std::string plan = query_plan(file_, std::string(kOrderOfDocumentSql));
  EXPECT_TRUE(contains(plan, "SEARCH choices USING INDEX choices_by_document (document_ref=?)")) << plan;
  EXPECT_FALSE(contains(plan, "SCAN")) << plan;
}

// The spool's replay check (SqliteLedger::holds_record) goes from the
// record id to the choice by its primary key.
TEST_F(ChoicePlans, AReplayedRecordIsFoundByItsIdAndThePrimaryKey) {
  const std::string plan = query_plan(
      file_, "SELECT c.correlation_id FROM choice_record_ids r JOIN choices c ON c.id = r.choice_id WHERE r.record_id = ?1");
  EXPECT_TRUE(contains(plan, "SEARCH r USING PRIMARY KEY (record_id=?)")) << plan;
  EXPECT_TRUE(contains(plan, "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)")) << plan;
  EXPECT_FALSE(contains(plan, "SCAN")) << plan;
}

// The writing connection skips CHECK constraints, so an enumerated value the
// schema does not allow is refused in C++, naming the field and the value.
TEST(LedgerEnumeratedValues, AnOutcomeOutsideTheSchemaIsRefused) {
  TempDir dir;
  auto ledger = SqliteLedger::open(dir / "ledger.sqlite", test_keys());
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  ChoiceRecord bad = choice("PO-9", 1);
  bad.outcome = static_cast<Outcome>(7);
  auto appended = (*ledger)->append_choices(std::vector<ChoiceRecord>{choice("PO-8", 1), bad});
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(appended.error().message,
            "choice 2 (correlation id \"REQ-PO-9\"): outcome 7 is not a value the ledger's schema allows; expected one "
            "of kept-default, other-social, regular, not-offered");
  EXPECT_EQ(query_text((*ledger)->file(), "SELECT count(*) FROM choices"), "0");
}

TEST(LedgerEnumeratedValues, AStatusOutsideTheSchemaIsRefused) {
  TempDir dir;
  auto ledger = SqliteLedger::open(dir / "ledger.sqlite", test_keys());
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  OrderStatusRecord bad = status("PO-9", static_cast<OrderStatus>(42));
  auto appended = (*ledger)->append_order_status(bad);
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(appended.error().message,
            "order status (order \"PO-9\"): status 42 is not a value the ledger's schema allows; expected one of "
            "accepted, rejected, conditionally-accepted, cancelled");
  EXPECT_EQ(query_text((*ledger)->file(), "SELECT count(*) FROM order_statuses"), "0");
  // Every value the enum has is one the schema allows.
  for (OrderStatus value :
       {OrderStatus::accepted, OrderStatus::rejected, OrderStatus::conditionally_accepted, OrderStatus::cancelled}) {
    EXPECT_TRUE((*ledger)->append_order_status(status("PO-1", value)).ok()) << to_string(value);
  }
}

}  // namespace
}  // namespace socialdefault
