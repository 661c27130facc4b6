// How the engine turns order lines into choice records: suppliers resolved
// by any configured identifier, unknown suppliers kept with their
// identifiers, one record per line under the line's own category, and
// currencies kept apart in the export. A fake adapter hands the engine the
// lines, so these tests do not depend on any protocol.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "temp_dir.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "socialdefault/engine.hpp"
#include "sqlite_ledger.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using socialdefault::testing::TempDir;

const fs::path kExamples = fs::path(SD_SOURCE_DIR) / "examples";
// 2026-11-27 11:00 in Amsterdam: BLOEM-01 and CAT-S1 have valid evidence.
const UtcSeconds kNow = UtcSeconds{std::chrono::sys_days{2026y / 11 / 27}} + 10h;

class FakeMessage final : public Message {
 public:
  MessageKind kind() const noexcept override { return MessageKind::order_request; }
  std::string_view bytes() const noexcept override { return "fake"; }
};

// Returns the lines it was given, whatever the bytes.
class FakeAdapter final : public Adapter {
 public:
  explicit FakeAdapter(std::vector<OrderChoice> lines) : lines_(std::move(lines)) {}
  std::string_view name() const noexcept override { return "fake"; }
  Result<std::unique_ptr<Message>> recognise(std::string_view) const override {
    return std::unique_ptr<Message>(std::make_unique<FakeMessage>());
  }
  Result<Shortlist> read_shortlist(const Message&, const Message*) const override {
    return make_error(ErrorCode::unsupported, "fake");
  }
  Result<std::string> apply_decision(const Message&, const Shortlist&, const Decision&, const Policy&) const override {
    return make_error(ErrorCode::unsupported, "fake");
  }
  Result<std::vector<OrderChoice>> read_choice(const Message&, const Message*) const override { return lines_; }

 private:
  std::vector<OrderChoice> lines_;
};

OrderChoice line(int n, std::string code_system, std::string code, std::vector<SupplierIdentifier> ids,
                 std::int64_t minor, std::string currency = "EUR") {
  OrderChoice c;
  c.order_ref = "PO-1";
  c.line = n;
  c.category = CategoryRef{std::move(code_system), std::move(code)};
  c.department = "Burgerzaken";
  c.supplier_identifiers = std::move(ids);
  c.amount = Money{minor, std::move(currency)};
  return c;
}

class OrderLinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kExamples / "config.xml")) GTEST_SKIP() << "the example configuration is absent";
    EngineOptions options;
    options.config = kExamples / "config.xml";
    options.ledger = dir_ / "ledger.sqlite";
    options.actor = "order_lines_test";
    auto engine = Engine::open(options);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    engine_ = std::move(engine).value();
  }

  std::vector<ChoiceRecord> record(std::vector<OrderChoice> lines) {
    FakeAdapter adapter(std::move(lines));
    auto records = engine_->prepare_choices(adapter, "order", std::nullopt, kNow);
    EXPECT_TRUE(records.ok()) << records.error().describe();
    if (!records.ok()) return {};
    auto stored = engine_->ledger().append_choices(*records);
    EXPECT_TRUE(stored.ok()) << stored.error().describe();
    return std::move(records).value();
  }

  std::vector<ExportRow> rows(std::vector<GroupBy> keys) {
    std::vector<ExportRow> out;
    ExportQuery query{2026y / 1 / 1, 2026y / 12 / 31, std::move(keys)};
    auto done = engine_->ledger().export_rows(query, [&](const ExportRow& row) -> Result<void> {
      out.push_back(row);
      return {};
    });
    EXPECT_TRUE(done.ok()) << done.error().describe();
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(OrderLinesTest, ResolvesASupplierWithoutErpIdThroughEachConfiguredScheme) {
  const auto records = record({
      line(1, "CPV", "03121200-7", {{"kvk", "70000001"}}, 1000),
      line(2, "CPV", "03121200-7", {{"peppol", "0106:70000001"}}, 1000),
      line(3, "CPV", "03121200-7", {{"erp", "BLOEM-01"}}, 1000),
      // The first identifier the policy knows wins; an unknown one before it is skipped.
      line(4, "CPV", "03121200-7", {{"duns", "999999999"}, {"kvk", "60000100"}}, 1000),
  });
  ASSERT_EQ(records.size(), 4U);
  EXPECT_EQ(records[0].chosen_supplier, "BLOEM-01");
  EXPECT_TRUE(records[0].social);
  EXPECT_EQ(records[0].chosen_identifiers, "");
  EXPECT_EQ(records[1].chosen_supplier, "BLOEM-01");
  EXPECT_EQ(records[2].chosen_supplier, "BLOEM-01");
  EXPECT_EQ(records[3].chosen_supplier, "FLR-100");
  EXPECT_FALSE(records[3].social);
}

TEST_F(OrderLinesTest, AnUnknownSupplierIsRecordedAsRegularWithItsIdentifiers) {
  const auto records = record({line(1, "CPV", "03121200-7", {{"kvk", "12345678"}, {"vat", "NL001234567B01"}}, 4250)});
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].chosen_supplier, "");
  EXPECT_EQ(records[0].chosen_identifiers, "kvk:12345678;vat:NL001234567B01");
  EXPECT_FALSE(records[0].social);
  EXPECT_EQ(records[0].evidence, "");
  EXPECT_TRUE(records[0].addressable);  // flowers had social suppliers on the day
  EXPECT_EQ(records[0].amount, (Money{4250, "EUR"}));

  const auto by_supplier = rows({GroupBy::supplier});
  ASSERT_EQ(by_supplier.size(), 1U);
  EXPECT_EQ(by_supplier[0].keys, std::vector<std::string>{"kvk:12345678;vat:NL001234567B01"});
  EXPECT_EQ(by_supplier[0].orders, 1);
  EXPECT_EQ(by_supplier[0].social_orders, 0);
}

TEST_F(OrderLinesTest, TheDocumentVersionIsRecordedWithTheAdapter) {
  auto versioned = line(1, "CPV", "03121200-7", {{"kvk", "70000001"}}, 1000);
  versioned.document_version = "2.1";
  const auto records = record({versioned, line(2, "CPV", "03121200-7", {{"kvk", "70000001"}}, 1000)});
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].adapter, "fake/2.1");
  EXPECT_EQ(records[1].adapter, "fake");
}

TEST_F(OrderLinesTest, EachLineCountsUnderItsOwnCategory) {
  record({
      line(1, "CPV", "03121200-7", {{"kvk", "70000001"}}, 2500),   // flowers, social
      line(2, "CPV", "55520000-1", {{"kvk", "60000021"}}, 12000),  // catering, regular
      line(3, "CPV", "55520000-1", {{"kvk", "70000021"}}, 8000),   // catering, social
  });
  const auto by_category = rows({GroupBy::category});
  ASSERT_EQ(by_category.size(), 2U);
  EXPECT_EQ(by_category[0].keys, std::vector<std::string>{"CPV:03121200-7"});
  EXPECT_EQ(by_category[0].orders, 1);
  EXPECT_EQ(by_category[0].spend, 2500);
  EXPECT_EQ(by_category[0].social_spend, 2500);
  EXPECT_EQ(by_category[1].keys, std::vector<std::string>{"CPV:55520000-1"});
  EXPECT_EQ(by_category[1].orders, 2);
  EXPECT_EQ(by_category[1].spend, 20000);
  EXPECT_EQ(by_category[1].social_orders, 1);
  EXPECT_EQ(by_category[1].social_spend, 8000);
}

TEST_F(OrderLinesTest, ACurrencyOtherThanTheReportingOneIsKeptApart) {
  record({
      line(1, "CPV", "03121200-7", {{"kvk", "70000001"}}, 1000, "EUR"),
      line(2, "CPV", "03121200-7", {{"kvk", "70000001"}}, 3000, "NOK"),
      line(3, "CPV", "03121200-7", {{"kvk", "70000001"}}, 500, "EUR"),
  });
  const auto by_category = rows({GroupBy::category});
  ASSERT_EQ(by_category.size(), 2U);
  std::map<std::string, ExportRow> by_currency;
  for (const ExportRow& row : by_category) by_currency[row.currency] = row;
  ASSERT_EQ(by_currency.count("EUR"), 1U);
  ASSERT_EQ(by_currency.count("NOK"), 1U);
  EXPECT_EQ(by_currency["EUR"].orders, 2);
  EXPECT_EQ(by_currency["EUR"].spend, 1500);
  EXPECT_EQ(by_currency["NOK"].orders, 1);
  EXPECT_EQ(by_currency["NOK"].spend, 3000);
}

OrderStatusRecord status(const std::string& order_ref, OrderStatus s) {
  OrderStatusRecord r;
  r.at = kNow;
  r.order_ref = order_ref;
  r.status = s;
  r.response_ref = "RESP-1";
  r.code = s == OrderStatus::rejected ? "RE" : "AP";
  r.adapter = "fake";
  return r;
}

TEST_F(OrderLinesTest, TheExportLeavesOutAnOrderWhoseLatestStatusIsRejected) {
  auto first = line(1, "CPV", "03121200-7", {{"kvk", "70000001"}}, 1000);
  auto second = line(1, "CPV", "03121200-7", {{"kvk", "70000001"}}, 7000);
  second.order_ref = "PO-2";
  record({first, second});
  ASSERT_TRUE(engine_->ledger().append_order_status(status("PO-2", OrderStatus::accepted)).ok());
  ASSERT_TRUE(engine_->ledger().append_order_status(status("PO-1", OrderStatus::rejected)).ok());
  auto totals = rows({});
  ASSERT_EQ(totals.size(), 1U);
  EXPECT_EQ(totals[0].orders, 1);
  EXPECT_EQ(totals[0].spend, 7000);

  // A later acceptance (a corrected response) brings the order back.
  ASSERT_TRUE(engine_->ledger().append_order_status(status("PO-1", OrderStatus::conditionally_accepted)).ok());
  totals = rows({});
  ASSERT_EQ(totals.size(), 1U);
  EXPECT_EQ(totals[0].orders, 2);
  EXPECT_EQ(totals[0].spend, 8000);

  auto report = engine_->verify();
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_TRUE(report->intact) << report->detail;
}

TEST_F(OrderLinesTest, AStatusWithoutAnOrderReferenceIsRefused) {
  auto appended = engine_->ledger().append_order_status(status("", OrderStatus::rejected));
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.error().message,
            "order status: the order reference is empty; expected the order number the response answers");
}

TEST_F(OrderLinesTest, AnAlteredStatusRowBreaksTheChain) {
  ASSERT_TRUE(engine_->ledger().append_order_status(status("PO-1", OrderStatus::accepted)).ok());
  ASSERT_TRUE(engine_->ledger().append_order_status(status("PO-2", OrderStatus::accepted)).ok());
  auto* sqlite = dynamic_cast<SqliteLedger*>(&engine_->ledger());
  ASSERT_NE(sqlite, nullptr);
  ASSERT_TRUE(sqlite->execute("UPDATE order_statuses SET status = 'rejected' WHERE id = 2").ok());
  auto report = engine_->verify();
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_broken_table, "order_statuses");
  EXPECT_EQ(report->first_broken_row, 2);
  EXPECT_EQ(report->problem, "altered");
}

TEST(OrderStatusNames, RoundTripAndRefuseOthers) {
  for (OrderStatus s : {OrderStatus::accepted, OrderStatus::rejected, OrderStatus::conditionally_accepted,
                        OrderStatus::cancelled}) {
    auto parsed = parse_order_status(to_string(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  auto bad = parse_order_status("shipped");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "order status \"shipped\" is not one of accepted, rejected, conditionally-accepted, cancelled");
}

TEST(LedgerMigration, AVersionOneLedgerGainsTheOrderStatusChain) {
  TempDir dir;
  const fs::path file = dir / "ledger.sqlite";
  const Keys keys = Keys::from_secret(std::string(64, 'm')).value();
  {
    auto ledger = SqliteLedger::open(file, keys);
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    // Back to what version 1 wrote: no order_statuses table, no head for it,
    // and no arm column (version 3).
    ASSERT_TRUE((*ledger)
                    ->execute("DROP TABLE order_statuses; DROP INDEX IF EXISTS choices_by_order; "
                              "DELETE FROM chain_heads WHERE table_name = 'order_statuses'; "
                              "DROP INDEX choices_by_group; ALTER TABLE choices DROP COLUMN arm; "
                              "PRAGMA user_version = 1;")
                    .ok());
  }
  auto ledger = SqliteLedger::open(file, keys);
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  OrderStatusRecord r = status("PO-9", OrderStatus::rejected);
  auto id = (*ledger)->append_order_status(r);
  ASSERT_TRUE(id.ok()) << id.error().describe();
  EXPECT_EQ(*id, 1);
  auto report = (*ledger)->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
  EXPECT_EQ(report->rows_checked, 1U);
}

TEST(LedgerMigration, AVersionThreeLedgerKeepsItsStatusesAndGainsCancelled) {
  TempDir dir;
  const fs::path file = dir / "ledger.sqlite";
  const Keys keys = Keys::from_secret(std::string(64, 'm')).value();
  {
    auto ledger = SqliteLedger::open(file, keys);
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    ASSERT_TRUE((*ledger)->append_order_status(status("PO-3", OrderStatus::rejected)).ok());
    // Back to version 3's table, whose CHECK knows no cancelled.
    ASSERT_TRUE((*ledger)
                    ->execute("CREATE TABLE v3 (id INTEGER PRIMARY KEY, at_utc TEXT NOT NULL, at_unix INTEGER NOT NULL, "
                              "order_ref TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', "
                              "'conditionally-accepted')), response_ref TEXT NOT NULL, code TEXT NOT NULL, adapter TEXT "
                              "NOT NULL, prev_mac TEXT NOT NULL, mac TEXT NOT NULL) STRICT; "
                              "INSERT INTO v3 SELECT * FROM order_statuses; DROP TABLE order_statuses; "
                              "ALTER TABLE v3 RENAME TO order_statuses; "
                              "CREATE INDEX order_statuses_by_order ON order_statuses (order_ref, id); "
                              "PRAGMA user_version = 3;")
                    .ok());
  }
  {
    // The writer skips CHECK constraints (its rows meet them by
    // construction), so the old table's refusal shows on a plain connection.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    const int rc = sqlite3_exec(db,
                                "INSERT INTO order_statuses (at_utc, at_unix, order_ref, status, response_ref, code, "
                                "adapter, prev_mac, mac) VALUES ('2026-01-01T00:00:00Z', 0, 'PO-3', 'cancelled', '', "
                                "'', 'test', '', '')",
                                nullptr, nullptr, &message);
    const std::string text = message == nullptr ? "" : message;
    sqlite3_free(message);
    sqlite3_close(db);
    ASSERT_NE(rc, SQLITE_OK);
    EXPECT_NE(text.find("CHECK constraint failed"), std::string::npos) << text;
  }
  auto ledger = SqliteLedger::open(file, keys);
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  auto id = (*ledger)->append_order_status(status("PO-3", OrderStatus::cancelled));
  ASSERT_TRUE(id.ok()) << id.error().describe();
  EXPECT_EQ(*id, 2);
  auto report = (*ledger)->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
  EXPECT_EQ(report->rows_checked, 2U);
}

}  // namespace
}  // namespace socialdefault
