// The engine's background offer writer: offers are queued by rewrite() and
// written in batches; a choice still links to a queued offer; closing the
// engine writes the queue. Uses the example deployment and a temp ledger.
#include <gtest/gtest.h>

#include "temp_dir.hpp"
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "socialdefault/engine.hpp"
#include "socialdefault/group_commit.hpp"
#include "sqlite_ledger.hpp"
#include "test_files.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kExamples = fs::path(SD_SOURCE_DIR) / "examples";
constexpr std::string_view kExampleId = "REQ-2026-004711";
// 2026-11-27 11:00 in Amsterdam: every flowers supplier has valid evidence.
const UtcSeconds kNow = UtcSeconds{std::chrono::sys_days{2026y / 11 / 27}} + 10h;

using socialdefault::testing::TempDir;

using socialdefault::testing::read_file;

// An example message with its requisition id (and optionally the supplier) replaced.
std::string example(const std::string& name, const std::string& id, const std::string& supplier = {}) {
  std::string text = read_file(kExamples / "erp" / name);
  for (auto at = text.find(kExampleId); at != std::string::npos; at = text.find(kExampleId, at + id.size())) {
    text.replace(at, kExampleId.size(), id);
  }
  if (!supplier.empty()) {
    const std::string open = "<pur:SupplierId>";
    const auto from = text.find(open);
    const auto to = text.find("</pur:SupplierId>", from);
    if (from != std::string::npos && to != std::string::npos) {
      text.replace(from + open.size(), to - from - open.size(), supplier);
    }
  }
  return text;
}

std::string correlation(int n) { return "REQ-T-" + std::to_string(n); }

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kExamples / "config.xml") || !fs::exists(kExamples / "erp" / "mapping.xml")) {
      GTEST_SKIP() << "the example configuration or mapping is absent";
    }
    options_.config = kExamples / "config.xml";
    options_.mapping = kExamples / "erp" / "mapping.xml";
    options_.ledger = dir_ / "ledger.sqlite";
    options_.actor = "engine_test";
    auto engine = Engine::open(options_);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    engine_ = std::move(engine).value();
  }

  RewriteResult rewrite(const std::string& id) {
    const std::string request = example("shortlist-request.xml", id);
    return engine_->rewrite(example("shortlist-response.xml", id), request, kNow);
  }

  // The ledger as a fresh process would see it.
  std::unique_ptr<Ledger> reopen() {
    auto keys = Keys::from_file(kExamples / "pseudonym.key");
    EXPECT_TRUE(keys.ok());
    auto ledger = open_sqlite_ledger(options_.ledger, *keys);
    EXPECT_TRUE(ledger.ok()) << ledger.error().describe();
    return std::move(ledger).value();
  }

  TempDir dir_;
  EngineOptions options_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, OffersOfConcurrentRewritesAllLandWithAnIntactChain) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> not_rewritten{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const RewriteResult result = rewrite(correlation(t * kPerThread + i));
        if (result.outcome != "applied" || result.error.has_value()) ++not_rewritten;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(not_rewritten.load(), 0);
  engine_->flush_offers();

  const GroupCommitStats stats = engine_->offer_stats();
  EXPECT_EQ(stats.offers, std::uint64_t{kThreads * kPerThread});
  EXPECT_EQ(stats.offers_written, std::uint64_t{kThreads * kPerThread});
  EXPECT_EQ(stats.offers_dropped, 0U);
  // Batched: fewer transactions than offers (the rewrites outrun the fsyncs).
  EXPECT_LT(stats.offer_transactions, stats.offers);

  auto count = engine_->ledger().count_offers("CPV", "03121200-7");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, std::uint64_t{kThreads * kPerThread});
  for (int n = 0; n < kThreads * kPerThread; ++n) {
    auto found = engine_->ledger().find_offer(correlation(n));
    ASSERT_TRUE(found.ok());
    EXPECT_TRUE(found->has_value()) << correlation(n);
  }
  auto report = engine_->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
}

TEST_F(EngineTest, RotationKeepsCountingWhileOffersAreQueued) {
  // Flowers rotate over three social suppliers: three shortlists in a row
  // show three different defaults although none is written yet.
  std::vector<std::string> defaults;
  for (int n = 0; n < 3; ++n) {
    const RewriteResult result = rewrite(correlation(n));
    ASSERT_TRUE(result.decision.has_value());
    defaults.push_back(result.decision->default_supplier_id);
  }
  EXPECT_NE(defaults[0], defaults[1]);
  EXPECT_NE(defaults[1], defaults[2]);
  EXPECT_NE(defaults[0], defaults[2]);
}

TEST_F(EngineTest, AChoiceRightAfterItsRewriteLinksToTheOffer) {
  const RewriteResult shown = rewrite(correlation(1));
  ASSERT_TRUE(shown.decision.has_value());
  const std::string offered = shown.decision->default_supplier_id;
  ASSERT_FALSE(offered.empty());

  auto recorded = engine_->record(example("order-request.xml", correlation(1), offered),
                                  example("order-response.xml", correlation(1)), kNow + 30s);
  ASSERT_TRUE(recorded.ok()) << recorded.error().describe();
  ASSERT_EQ(recorded->size(), 1U);
  EXPECT_EQ((*recorded)[0].outcome, Outcome::kept_default);
  EXPECT_EQ((*recorded)[0].default_offered, offered);
  EXPECT_EQ((*recorded)[0].chosen_supplier, offered);
}

TEST_F(EngineTest, AChoiceFindsAnOfferTheWriterCannotWriteYet) {
  // Another connection holds the write lock, so the offer stays queued (or
  // in flight, the writer waiting on the lock) while the choice is prepared.
  sqlite3* blocker = nullptr;
  ASSERT_EQ(sqlite3_open(options_.ledger.c_str(), &blocker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  const RewriteResult shown = rewrite(correlation(2));
  ASSERT_TRUE(shown.decision.has_value());
  const std::string offered = shown.decision->default_supplier_id;
  std::this_thread::sleep_for(50ms);  // let the writer take the batch and block
  EXPECT_EQ(engine_->offer_stats().offers_written, 0U);

  auto prepared = engine_->prepare_choices(*engine_->adapter(), example("order-request.xml", correlation(2), offered),
                                           example("order-response.xml", correlation(2)), kNow + 30s);
  ASSERT_EQ(sqlite3_exec(blocker, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(blocker);
  ASSERT_TRUE(prepared.ok()) << prepared.error().describe();
  ASSERT_EQ(prepared->size(), 1U);
  EXPECT_EQ((*prepared)[0].outcome, Outcome::kept_default);
  EXPECT_EQ((*prepared)[0].default_offered, offered);

  engine_->flush_offers();
  EXPECT_EQ(engine_->offer_stats().offers_written, 1U);
  auto found = engine_->ledger().find_offer(correlation(2));
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->default_supplier, offered);
}

TEST_F(EngineTest, ClosingTheEngineWritesTheQueuedOffers) {
  constexpr int kOffers = 25;
  for (int n = 0; n < kOffers; ++n) ASSERT_EQ(rewrite(correlation(n)).outcome, "applied");
  engine_.reset();

  auto ledger = reopen();
  ASSERT_NE(ledger, nullptr);
  auto count = ledger->count_offers("CPV", "03121200-7");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, std::uint64_t{kOffers});
  auto last = ledger->find_offer(correlation(kOffers - 1));
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last->has_value());
  EXPECT_EQ((*last)->reason, "applied");
  EXPECT_EQ((*last)->department, "Burgerzaken");
  auto report = ledger->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
}

// The writer itself: a batch the ledger refuses is retried, then dropped and
// counted with the ledger's reason.
TEST(OfferWriterTest, ARefusedBatchIsRetriedThenDroppedAndCounted) {
  TempDir dir;
  auto keys = Keys::from_secret(std::string(64, 'k'));
  ASSERT_TRUE(keys.ok());
  auto ledger = SqliteLedger::open(dir / "ledger.sqlite", *keys);
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  ASSERT_TRUE((*ledger)->execute("PRAGMA query_only = ON").ok());

  GroupCommitter::Options options;
  options.offer_attempts = 3;
  options.offer_retry_delay = 1ms;
  GroupCommitter writer(**ledger, nullptr, options);
  OfferRecord offer;
  offer.at = kNow;
  offer.correlation_id = "REQ-DROP";
  writer.enqueue_offer(offer);
  writer.flush_offers();

  const GroupCommitStats stats = writer.stats();
  EXPECT_EQ(stats.offers, 1U);
  EXPECT_EQ(stats.offers_written, 0U);
  EXPECT_EQ(stats.offer_failures, 3U);
  EXPECT_EQ(stats.offer_transactions, 3U);
  EXPECT_EQ(stats.offers_dropped, 1U);
  ASSERT_TRUE(stats.last_offer_error.has_value());
  EXPECT_NE(stats.last_offer_error->describe().find("cannot append to offers"), std::string::npos)
      << stats.last_offer_error->describe();
  EXPECT_FALSE(writer.find_pending_offer("REQ-DROP").has_value());

  // Once the ledger accepts again, the next batch is written.
  ASSERT_TRUE((*ledger)->execute("PRAGMA query_only = OFF").ok());
  offer.correlation_id = "REQ-KEEP";
  writer.enqueue_offer(offer);
  writer.flush_offers();
  EXPECT_EQ(writer.stats().offers_written, 1U);
  auto found = (*ledger)->find_offer("REQ-KEEP");
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->has_value());
}

TEST(OfferWriterTest, AppendOffersWritesOneChainedBatch) {
  TempDir dir;
  auto keys = Keys::from_secret(std::string(64, 'k'));
  ASSERT_TRUE(keys.ok());
  auto ledger = SqliteLedger::open(dir / "ledger.sqlite", *keys);
  ASSERT_TRUE(ledger.ok());
  std::vector<OfferRecord> offers(5);
  for (std::size_t i = 0; i < offers.size(); ++i) {
    offers[i].at = kNow + std::chrono::seconds{i};
    offers[i].correlation_id = "REQ-" + std::to_string(i);
    offers[i].category_code_system = "CPV";
    offers[i].category = "03121200-7";
  }
  ASSERT_EQ((*ledger)->append_offer(offers[0]).value(), 1);
  auto first = (*ledger)->append_offers(offers);
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(*first, 2);
  EXPECT_EQ((*ledger)->append_offers(std::span<const OfferRecord>{}).value(), 0);
  EXPECT_EQ((*ledger)->count_offers("CPV", "03121200-7").value(), 6U);
  auto report = (*ledger)->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
  EXPECT_EQ(report->rows_checked, 6U);
}

}  // namespace
}  // namespace socialdefault
