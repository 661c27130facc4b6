// Ledger schema version 5: changed orders as superseding versions, document
// ids, and the migration from version 4 (and older) that adds them and the
// spool's record ids, with every old row still verifying. The rule the export
// and the colleague norm share: only each order's latest version counts.
#include <gtest/gtest.h>

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

const UtcSeconds kNow = UtcSeconds{std::chrono::sys_days{2026y / 11 / 27}} + 10h;
Keys test_keys() { return Keys::from_secret(std::string(64, 'v')).value(); }

ChoiceRecord choice(std::string order_ref, int line, std::int64_t minor, std::int64_t version = 0,
                    std::string document = {}) {
  ChoiceRecord c;
  c.at = kNow;
  c.local_date = 2026y / 11 / 27;
  c.correlation_id = "REQ-" + order_ref;
  c.order_ref = std::move(order_ref);
  c.line = line;
  c.department = "Facilitair";
  c.category_code_system = "CPV";
  c.category = "03121200-7";
  c.chosen_supplier = "BLOEM-01";
  c.social = true;
  c.amount = Money{minor, "EUR"};
  c.adapter = "test";
  c.order_version = version;
  c.document_ref = std::move(document);
  return c;
}

using testing::query_text;

class OrderVersions : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ledger = SqliteLedger::open(dir_ / "ledger.sqlite", test_keys());
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    ledger_ = std::move(ledger).value();
  }
  void append(std::vector<ChoiceRecord> choices) {
    auto stored = ledger_->append_choices(choices);
    ASSERT_TRUE(stored.ok()) << stored.error().describe();
  }
  // orders and spend of the period, over all groups.
  std::pair<std::int64_t, std::int64_t> totals() {
    std::pair<std::int64_t, std::int64_t> out{0, 0};
    auto done = ledger_->export_rows(ExportQuery{2026y / 1 / 1, 2026y / 12 / 31, {}}, [&](const ExportRow& row) -> Result<void> {
      out.first += row.orders;
      out.second += row.spend;
      return {};
    });
    EXPECT_TRUE(done.ok()) << done.error().describe();
    return out;
  }
  TempDir dir_;
  std::unique_ptr<SqliteLedger> ledger_;
};

TEST_F(OrderVersions, TheLatestVersionOfEachOrderCounts) {
  append({choice("PO-1", 1, 1000), choice("PO-1", 2, 500), choice("PO-2", 1, 700)});
  EXPECT_EQ(totals(), std::make_pair(std::int64_t{3}, std::int64_t{2200}));
  append({choice("PO-1", 1, 1200, 1, "CHG-1")});
  EXPECT_EQ(totals(), std::make_pair(std::int64_t{2}, std::int64_t{1900}));
  // Version 3 before version 2: version 3 stands.
  append({choice("PO-1", 1, 3000, 3, "CHG-3"), choice("PO-1", 2, 300, 3, "CHG-3")});
  append({choice("PO-1", 1, 2000, 2, "CHG-2")});
  EXPECT_EQ(totals(), std::make_pair(std::int64_t{3}, std::int64_t{4000}));
  // Version 3 again (same document): nothing counted twice.
  append({choice("PO-1", 1, 3000, 3, "CHG-3"), choice("PO-1", 2, 300, 3, "CHG-3")});
  EXPECT_EQ(totals(), std::make_pair(std::int64_t{3}, std::int64_t{4000}));
  // Another document with the same number: the later arrival wins.
  append({choice("PO-1", 1, 100, 3, "CHG-3b")});
  EXPECT_EQ(totals(), std::make_pair(std::int64_t{2}, std::int64_t{800}));
  auto report = ledger_->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
  EXPECT_EQ(report->rows_checked, 10U);
}

TEST_F(OrderVersions, OrdersWithoutVersionsCountAsBefore) {
  // The same order number twice without versions (older callers, SOAP
  // orders recorded line by line): every line counts, as before version 5.
  append({choice("PO-1", 1, 1000)});
  append({choice("PO-1", 1, 1000)});
  append({choice("", 1, 250), choice("", 1, 250)});
  EXPECT_EQ(totals(), std::make_pair(std::int64_t{4}, std::int64_t{2500}));
}

TEST_F(OrderVersions, TheNormCountsTheLatestVersionThroughTheVersionIndex) {
  append({choice("PO-1", 1, 1000), choice("PO-1", 2, 1000)});
  append({choice("PO-1", 1, 1000, 1, "CHG-1")});
  auto counts = ledger_->count_orders_by_system("Facilitair", "03121200-7", 2026y / 11 / 1, 2026y / 11 / 30);
  ASSERT_TRUE(counts.ok()) << counts.error().describe();
  ASSERT_EQ(counts->size(), 1U);
  EXPECT_EQ((*counts)[0].count.orders, 1);

  const std::string plan = testing::query_plan(ledger_->file(), count_orders_by_system_sql());
  EXPECT_NE(plan.find("SEARCH v USING INDEX choices_versions (order_ref=?"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN v"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN choices"), std::string::npos) << plan;
}

TEST_F(OrderVersions, TheExperimentReportCountsTheLatestVersionPerArm) {
  ChoiceRecord order = choice("PO-1", 1, 1000);
  order.arm = "exp-1/impact";
  ChoiceRecord change = choice("PO-1", 1, 1500, 1, "CHG-1");
  change.arm = "exp-1/impact";
  append({order, change});
  auto arms = ledger_->count_arms("exp-1", 2026y / 11 / 1, 2026y / 11 / 30);
  ASSERT_TRUE(arms.ok()) << arms.error().describe();
  ASSERT_EQ(arms->size(), 1U);
  EXPECT_EQ((*arms)[0].arm, "impact");
  EXPECT_EQ((*arms)[0].count.orders, 1);
}

TEST_F(OrderVersions, AStatusNamedByItsDocumentIdFindsTheOrder) {
  append({choice("PO-7", 1, 1000, 0, "payload-7@erp.example")});
  OrderStatusRecord status;
  status.at = kNow;
  status.status = OrderStatus::rejected;
  status.code = "406";
  status.adapter = "cxml";
  status.order_document_ref = "payload-7@erp.example";
  auto id = ledger_->append_order_status(status);
  ASSERT_TRUE(id.ok()) << id.error().describe();
  EXPECT_EQ(query_text(ledger_->file(), "SELECT order_ref FROM order_statuses"), "PO-7");
  EXPECT_EQ(totals().first, 0);

  status.order_document_ref = "payload-8@erp.example";
  auto unknown = ledger_->append_order_status(status);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(unknown.error().message,
            "order status: no recorded order came in the document \"payload-8@erp.example\" (its payloadID); expected "
            "the id of an order document recorded earlier, or the order number");
  status.order_document_ref.clear();
  auto nothing = ledger_->append_order_status(status);
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().message,
            "order status: the order reference is empty; expected the order number the response answers");
}

TEST_F(OrderVersions, ImpossibleVersionsAreRefused) {
  auto negative = ledger_->append_choices(std::vector<ChoiceRecord>{choice("PO-1", 1, 100, -2, "CHG")});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().message,
            "choice 1 (correlation id \"REQ-PO-1\"): order_version -2 is negative; expected 0 (the order itself) or a "
            "change's number");
  auto anonymous = ledger_->append_choices(std::vector<ChoiceRecord>{choice("", 1, 100, 2, "CHG")});
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.error().message,
            "choice 1 (correlation id \"REQ-\"): version 2 of an order has no order reference; expected the number "
            "of the order it changes");
}

// Back to what version 4 wrote: rows appended without versions have NULL
// in the new columns, which the chain leaves out, so dropping the columns
// gives exactly a version-4 file with a version-4 chain.
constexpr const char* kBackToVersion4 =
    "DROP INDEX choices_versions; DROP INDEX choices_by_document; ALTER TABLE choices DROP COLUMN order_version; "
    "ALTER TABLE choices DROP COLUMN document_ref; PRAGMA user_version = 4;";

TEST(LedgerMigrationV5, AVersionFourLedgerKeepsItsChainAndRecordIdsAndGainsVersions) {
  TempDir dir;
  const fs::path file = dir / "ledger.sqlite";
  {
    auto ledger = SqliteLedger::open(file, test_keys());
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    ChoiceRecord spooled = choice("PO-1", 1, 1000);
    spooled.record_id = "spool-1";
    ASSERT_TRUE((*ledger)->append_choices(std::vector<ChoiceRecord>{spooled, choice("PO-1", 2, 500)}).ok());
    OrderStatusRecord accepted;
    accepted.at = kNow;
    accepted.order_ref = "PO-1";
    accepted.adapter = "test";
    ASSERT_TRUE((*ledger)->append_order_status(accepted).ok());
    ASSERT_TRUE((*ledger)->execute(kBackToVersion4).ok());
  }
  ASSERT_EQ(query_text(file, "PRAGMA user_version"), "4");
  ASSERT_EQ(query_text(file, "SELECT count(*) FROM pragma_table_info('choices') WHERE name = 'order_version'"), "0");

  auto ledger = SqliteLedger::open(file, test_keys());
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  EXPECT_EQ(query_text(file, "PRAGMA user_version"), std::to_string(SqliteLedger::kSchemaVersion));
  EXPECT_EQ(query_text(file, "SELECT name FROM pragma_table_info('choices') WHERE name IN ('order_version', "
                             "'document_ref') ORDER BY name"),
            "document_ref,order_version");
  EXPECT_EQ(query_text(file, "SELECT name FROM sqlite_schema WHERE name IN ('choices_versions', "
                             "'choices_by_document', 'choice_record_ids') ORDER BY name"),
            "choice_record_ids,choices_by_document,choices_versions");
  auto before = (*ledger)->verify();
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->intact) << before->detail;
  EXPECT_EQ(before->rows_checked, 3U);

  // The spool's record id survived: a replay is still skipped.
  ChoiceRecord replay = choice("PO-1", 1, 1000);
  replay.record_id = "spool-1";
  ASSERT_TRUE((*ledger)->append_choices(std::vector<ChoiceRecord>{replay}).ok());
  ASSERT_TRUE((*ledger)->append_choices(std::vector<ChoiceRecord>{choice("PO-1", 1, 4000, 1, "CHG-1")}).ok());
  auto after = (*ledger)->verify();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->intact) << after->detail;
  EXPECT_EQ(after->rows_checked, 4U);
  std::int64_t spend = 0;
  ASSERT_TRUE((*ledger)
                  ->export_rows(ExportQuery{2026y / 1 / 1, 2026y / 12 / 31, {}},
                                [&](const ExportRow& row) -> Result<void> {
                                  spend += row.spend;
                                  return {};
                                })
                  .ok());
  EXPECT_EQ(spend, 4000);
}

// The record ids were created outside the schema version before version 5;
// a ledger that lacks them gains them in the migration.
TEST(LedgerMigrationV5, AnOlderLedgerWithoutRecordIdsGainsThem) {
  TempDir dir;
  const fs::path file = dir / "ledger.sqlite";
  {
    auto ledger = SqliteLedger::open(file, test_keys());
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    ASSERT_TRUE((*ledger)->append_choices(std::vector<ChoiceRecord>{choice("PO-1", 1, 1000)}).ok());
    ASSERT_TRUE((*ledger)->execute(std::string(kBackToVersion4) + "DROP TABLE choice_record_ids;").ok());
  }
  auto ledger = SqliteLedger::open(file, test_keys());
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  EXPECT_EQ(query_text(file, "SELECT count(*) FROM sqlite_schema WHERE name = 'choice_record_ids'"), "1");
  ChoiceRecord spooled = choice("PO-2", 1, 1000);
  spooled.record_id = "spool-2";
  ASSERT_TRUE((*ledger)->append_choices(std::vector<ChoiceRecord>{spooled}).ok());
  ASSERT_TRUE((*ledger)->append_choices(std::vector<ChoiceRecord>{spooled}).ok());
  auto report = (*ledger)->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
  EXPECT_EQ(report->rows_checked, 2U);
}

// A version-5 ledger opened again changes nothing, and a ledger from a newer
// program is refused with the version named.
TEST(LedgerMigrationV5, ANewerLedgerIsRefused) {
  TempDir dir;
  const fs::path file = dir / "ledger.sqlite";
  {
    auto ledger = SqliteLedger::open(file, test_keys());
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    ASSERT_TRUE((*ledger)->execute("PRAGMA user_version = 99").ok());
  }
  auto ledger = SqliteLedger::open(file, test_keys());
  ASSERT_FALSE(ledger.ok());
  EXPECT_EQ(ledger.error().message, "the ledger has schema version 99; this socialdefault knows up to " +
                                        std::to_string(SqliteLedger::kSchemaVersion) +
                                        " (upgrade socialdefault to use this ledger)");
}

}  // namespace
}  // namespace socialdefault
