// Ledger schema version 7: offers are counted per category in offer_counts
// by the transaction that appends them, and the index offers_by_category,
// whose only reader was that count, is gone. A version 6 ledger is counted
// from its offers on open and keeps every row, id and MAC; a batch the
// ledger refuses leaves the counts as they were; count_offers reads the
// counts by their primary key (docs/ledger.md, "Indexes and the queries that
// read them").
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
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
using socialdefault::testing::query_plan;
using socialdefault::testing::query_text;
using socialdefault::testing::TempDir;

const UtcSeconds kNow = UtcSeconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 29}} + 9h;
Keys test_keys() { return Keys::from_secret(std::string(64, 's')).value(); }

OfferRecord offer(std::string correlation_id, std::string system, std::string category) {
  OfferRecord o;
  o.at = kNow;
  o.correlation_id = std::move(correlation_id);
  o.requester_pseudonym = "p-1";
  o.department = "Facilitair";
  o.category_code_system = std::move(system);
  o.category = std::move(category);
  o.default_supplier = "BLOEM-01";
  o.reason = "applied";
  o.adapter = "test";
  return o;
}

// Three categories over two code systems, interleaved, in two batches.
void fill(SqliteLedger& ledger) {
  ASSERT_TRUE(ledger
                  .append_offers(std::vector<OfferRecord>{offer("R-1", "CPV", "03121200-7"),
                                                          offer("R-2", "CPV", "55520000-1"),
                                                          offer("R-3", "CPV", "03121200-7"),
                                                          offer("R-4", "ERP", "03121200-7")})
                  .ok());
  ASSERT_TRUE(ledger
                  .append_offers(std::vector<OfferRecord>{offer("R-5", "CPV", "03121200-7"),
                                                          offer("R-6", "ERP", "03121200-7")})
                  .ok());
}

// offer_counts as "category system count" lines, and the same counted from
// the offers themselves: the two must agree.
constexpr const char* kCounts =
    "SELECT category || ' ' || category_code_system || ' ' || offers FROM offer_counts "
    "ORDER BY category, category_code_system";
constexpr const char* kCountedFromOffers =
    "SELECT category || ' ' || category_code_system || ' ' || count(*) FROM offers "
    "GROUP BY category, category_code_system ORDER BY category, category_code_system";
constexpr const char* kOfferIndexes =
    "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'offers' AND sql IS NOT NULL ORDER BY name";
constexpr const char* kMacs =
    "SELECT group_concat(mac, ' ') FROM (SELECT mac FROM offers ORDER BY id UNION ALL SELECT mac FROM chain_heads)";

// What version 6 had in place of version 7's counts.
constexpr const char* kBackToVersion6 =
    "DROP TABLE offer_counts; CREATE INDEX offers_by_category ON offers (category, category_code_system); "
    "PRAGMA user_version = 6;";

void expect_counts(Ledger& ledger) {
  EXPECT_EQ(ledger.count_offers("CPV", "03121200-7").value(), 3U);
  EXPECT_EQ(ledger.count_offers("ERP", "03121200-7").value(), 2U);
  EXPECT_EQ(ledger.count_offers("", "03121200-7").value(), 5U);  // any code system
  EXPECT_EQ(ledger.count_offers("CPV", "55520000-1").value(), 1U);
  EXPECT_EQ(ledger.count_offers("CPV", "39000000-2").value(), 0U);
  EXPECT_EQ(ledger.count_offers("", "39000000-2").value(), 0U);
}

// A new ledger of this version.
class OfferCounts : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteLedger::open(file_, test_keys());
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    ledger_ = std::move(opened).value();
  }
  TempDir dir_;
  const fs::path file_ = dir_ / "ledger.sqlite";
  std::unique_ptr<SqliteLedger> ledger_;
};

TEST_F(OfferCounts, ANewLedgerCountsItsOffersPerCategoryWithoutAnIndexOfThem) {
  EXPECT_EQ(query_text(file_, "PRAGMA user_version"), "7");
  EXPECT_EQ(query_text(file_, kOfferIndexes), "offers_by_correlation");
  fill(*ledger_);
  EXPECT_EQ(query_text(file_, kCounts), "03121200-7 CPV 3,03121200-7 ERP 2,55520000-1 CPV 1");
  EXPECT_EQ(query_text(file_, kCounts), query_text(file_, kCountedFromOffers));
  expect_counts(*ledger_);
  // A single offer (the engine's path once its writer has stopped) counts too.
  ASSERT_TRUE(ledger_->append_offer(offer("R-7", "CPV", "55520000-1")).ok());
  EXPECT_EQ(ledger_->count_offers("CPV", "55520000-1").value(), 2U);
  EXPECT_EQ(query_text(file_, kCounts), query_text(file_, kCountedFromOffers));
}

TEST(LedgerMigrationV7, AVersionSixLedgerIsCountedFromItsOffersAndKeepsItsChain) {
  TempDir dir;
  const fs::path file = dir / "ledger.sqlite";
  {
    auto ledger = SqliteLedger::open(file, test_keys());
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    fill(**ledger);
    ASSERT_TRUE((*ledger)->execute(kBackToVersion6).ok());
  }
  ASSERT_EQ(query_text(file, "PRAGMA user_version"), "6");
  ASSERT_EQ(query_text(file, kOfferIndexes), "offers_by_category,offers_by_correlation");
  ASSERT_EQ(query_text(file, kCounts), "error: no such table: offer_counts");
  const std::string macs = query_text(file, kMacs);

  auto ledger = SqliteLedger::open(file, test_keys());
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  EXPECT_EQ(query_text(file, "PRAGMA user_version"), "7");
  EXPECT_EQ(query_text(file, kOfferIndexes), "offers_by_correlation");
  EXPECT_EQ(query_text(file, kCounts), "03121200-7 CPV 3,03121200-7 ERP 2,55520000-1 CPV 1");
  EXPECT_EQ(query_text(file, kMacs), macs);
  expect_counts(**ledger);
  auto report = (*ledger)->verify();
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_TRUE(report->intact) << report->detail;
  EXPECT_EQ(report->rows_checked, 6U);

  // Later offers add to the counts made by the migration.
  ASSERT_TRUE((*ledger)->append_offers(std::vector<OfferRecord>{offer("R-8", "ERP", "03121200-7")}).ok());
  EXPECT_EQ((*ledger)->count_offers("ERP", "03121200-7").value(), 3U);
  EXPECT_EQ(query_text(file, kCounts), query_text(file, kCountedFromOffers));
}

// The counts are written inside the offers' transaction: when the ledger
// refuses the batch after they were added (here the chain head's update),
// neither the offers nor their counts remain.
TEST_F(OfferCounts, ARefusedBatchLeavesTheCountsAsTheyWere) {
  fill(*ledger_);
  const std::string counts = query_text(file_, kCounts);
  ASSERT_TRUE(ledger_
                  ->execute("CREATE TEMP TRIGGER refuse_offers BEFORE UPDATE ON main.chain_heads "
                            "WHEN NEW.table_name = 'offers' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;")
                  .ok());
  auto refused = ledger_->append_offers(
      std::vector<OfferRecord>{offer("R-9", "CPV", "03121200-7"), offer("R-10", "CPV", "39000000-2")});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().describe().find("refused by the test"), std::string::npos) << refused.error().describe();
  EXPECT_EQ(query_text(file_, kCounts), counts);
  EXPECT_EQ(query_text(file_, "SELECT count(*) FROM offers"), "6");
  expect_counts(*ledger_);

  ASSERT_TRUE(ledger_->execute("DROP TRIGGER temp.refuse_offers").ok());
  ASSERT_TRUE(ledger_->append_offers(std::vector<OfferRecord>{offer("R-9", "CPV", "39000000-2")}).ok());
  EXPECT_EQ(ledger_->count_offers("CPV", "39000000-2").value(), 1U);
  EXPECT_EQ(query_text(file_, kCounts), query_text(file_, kCountedFromOffers));
}

// Many categories in one batch, in no order: one count per category, each
// right (the batch is sorted and counted in runs).
TEST_F(OfferCounts, ABatchOfManyCategoriesCountsEachOnce) {
  std::vector<OfferRecord> batch;
  for (int i = 0; i < 300; ++i) {
    // Category i % 7 under system i % 2: 14 groups, visited out of order.
    batch.push_back(offer("R-" + std::to_string(i), i % 2 == 0 ? "CPV" : "ERP", "cat-" + std::to_string((i * 5) % 7)));
  }
  ASSERT_TRUE(ledger_->append_offers(batch).ok());
  EXPECT_EQ(query_text(file_, "SELECT count(*) FROM offer_counts"), "14");
  EXPECT_EQ(query_text(file_, "SELECT sum(offers) FROM offer_counts"), "300");
  EXPECT_EQ(query_text(file_, kCounts), query_text(file_, kCountedFromOffers));
}

// count_offers reads offer_counts by its primary key, never the offers.
TEST_F(OfferCounts, TheCountsAreReadByTheirPrimaryKey) {
  fill(*ledger_);
  const std::string by_system = query_plan(file_, std::string(kCountOffersSql));
  EXPECT_NE(by_system.find("SEARCH offer_counts USING PRIMARY KEY (category=? AND category_code_system=?)"),
            std::string::npos)
      << by_system;
  const std::string any_system = query_plan(file_, std::string(kCountOffersAnySystemSql));
  EXPECT_NE(any_system.find("SEARCH offer_counts USING PRIMARY KEY (category=?)"), std::string::npos) << any_system;
  EXPECT_EQ((by_system + any_system).find("offers "), std::string::npos) << by_system << any_system;
  EXPECT_EQ((by_system + any_system).find("SCAN"), std::string::npos) << by_system << any_system;
}

}  // namespace
}  // namespace socialdefault
