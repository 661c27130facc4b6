// The writer's offers in batches (GroupCommitter::Options::offer_linger and
// max_offer_batch) on a real SQLite ledger: offers wait for the linger or a
// full batch, choices never wait for them, flush_offers() and stop() write
// at once, and an offer not yet written is still found by find_pending_offer.
#include "socialdefault/group_commit.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "socialdefault/keys.hpp"
#include "sqlite_ledger.hpp"
#include "temp_dir.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using socialdefault::testing::TempDir;

const UtcSeconds kNow = UtcSeconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 28}} + 9h;

OfferRecord offer(int n) {
  OfferRecord o;
  o.at = kNow;
  o.correlation_id = "REQ-" + std::to_string(n);
  o.department = "Facilitair";
  o.category_code_system = "CPV";
  o.category = "03121200-7";
  o.default_supplier = "BLOEM-01";
  o.reason = "applied";
  o.arm = "default";
  o.adapter = "test";
  return o;
}

ChoiceRecord choice(const std::string& correlation_id) {
  ChoiceRecord c;
  c.at = kNow;
  c.local_date = std::chrono::year{2026} / 11 / 28;
  c.correlation_id = correlation_id;
  c.order_ref = "PO-" + correlation_id;
  c.line = 1;
  c.chosen_supplier = "BLOEM-01";
  c.social = true;
  c.outcome = Outcome::kept_default;
  c.amount = Money{2500, "EUR"};
  c.adapter = "test";
  return c;
}

// Waits (bounded) until the writer has written `count` offers.
bool wait_for_written(const GroupCommitter& writer, std::uint64_t count, std::chrono::milliseconds limit = 10s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (writer.stats().offers_written < count) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class OfferBatches : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ledger = SqliteLedger::open(dir_ / "ledger.sqlite", Keys::from_secret(std::string(64, 'b')).value());
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    ledger_ = std::move(ledger).value();
  }
  std::uint64_t offers_in_ledger() {
    auto count = ledger_->count_offers("CPV", "03121200-7");
    EXPECT_TRUE(count.ok()) << count.error().describe();
    return count.ok() ? *count : 0;
  }
  TempDir dir_;
  std::unique_ptr<SqliteLedger> ledger_;
};

TEST(OfferBatchOptions, TheDefaultsBatchOffers) {
  const GroupCommitter::Options options;
  EXPECT_GE(options.offer_linger, 20ms);
  EXPECT_LE(options.offer_linger, 50ms);
  EXPECT_GT(options.max_offer_batch, 1U);
  EXPECT_EQ(options.linger, 0us);  // choices are written as soon as the writer is free
}

TEST_F(OfferBatches, OffersOfOneLingerWindowShareOneTransaction) {
  GroupCommitter::Options options;
  options.offer_linger = 300ms;
  GroupCommitter writer(*ledger_, nullptr, options);
  constexpr int kOffers = 40;
  const auto started = std::chrono::steady_clock::now();
  for (int n = 0; n < kOffers; ++n) writer.enqueue_offer(offer(n));
  const auto queued = std::chrono::steady_clock::now() - started;
  if (queued < 100ms) {  // the window is still open: nothing is written yet
    EXPECT_EQ(writer.stats().offer_transactions, 0U);
    EXPECT_EQ(offers_in_ledger(), 0U);
  }
  ASSERT_TRUE(wait_for_written(writer, kOffers));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  const GroupCommitStats stats = writer.stats();
  EXPECT_EQ(stats.offers, std::uint64_t{kOffers});
  EXPECT_EQ(stats.offer_transactions, 1U);
  EXPECT_EQ(offers_in_ledger(), std::uint64_t{kOffers});
}

TEST_F(OfferBatches, AFullBatchIsWrittenAtOnceAndTheRestWaits) {
  GroupCommitter::Options options;
  options.offer_linger = 1h;
  options.max_offer_batch = 10;
  GroupCommitter writer(*ledger_, nullptr, options);
  for (int n = 0; n < 25; ++n) writer.enqueue_offer(offer(n));
  ASSERT_TRUE(wait_for_written(writer, 20));
  std::this_thread::sleep_for(50ms);  // the five left over stay queued for the linger
  GroupCommitStats stats = writer.stats();
  EXPECT_EQ(stats.offers_written, 20U);
  EXPECT_EQ(stats.offer_transactions, 2U);
  EXPECT_TRUE(writer.find_pending_offer("REQ-24").has_value());
  EXPECT_FALSE(writer.find_pending_offer("REQ-3").has_value());

  writer.flush_offers();
  stats = writer.stats();
  EXPECT_EQ(stats.offers_written, 25U);
  EXPECT_EQ(stats.offer_transactions, 3U);
  EXPECT_EQ(offers_in_ledger(), 25U);
}

TEST_F(OfferBatches, ChoicesDoNotWaitForTheOfferLinger) {
  GroupCommitter::Options options;
  options.offer_linger = 1h;
  GroupCommitter writer(*ledger_, nullptr, options);
  writer.enqueue_offer(offer(1));
  const auto started = std::chrono::steady_clock::now();
  const CommitOutcome outcome = writer.commit({choice("REQ-1")});
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(outcome.durability, Durability::ledger);
  EXPECT_LT(took, 10s);  // an hour if the choice waited for the offer's window
  // The choice's transaction did not take the offer along.
  EXPECT_EQ(writer.stats().transactions, 1U);
  EXPECT_EQ(writer.stats().offers_written, 0U);
  EXPECT_TRUE(writer.find_pending_offer("REQ-1").has_value());
}

TEST_F(OfferBatches, FlushAndStopWriteEverythingAtOnce) {
  GroupCommitter::Options options;
  options.offer_linger = 1h;
  GroupCommitter writer(*ledger_, nullptr, options);
  for (int n = 0; n < 3; ++n) writer.enqueue_offer(offer(n));
  const auto started = std::chrono::steady_clock::now();
  writer.flush_offers();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(writer.stats().offers_written, 3U);
  EXPECT_EQ(writer.stats().offer_transactions, 1U);

  for (int n = 3; n < 5; ++n) writer.enqueue_offer(offer(n));
  writer.stop();
  EXPECT_EQ(writer.stats().offers_written, 5U);
  EXPECT_EQ(writer.stats().offer_transactions, 2U);
  EXPECT_EQ(offers_in_ledger(), 5U);
  auto report = ledger_->verify();
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_TRUE(report->intact) << report->detail;
}

// Until its batch is written, an offer is found in the queue (so a choice
// recorded right after its shortlist still links to it); afterwards in the
// ledger. It is never in neither.
TEST_F(OfferBatches, AQueuedOfferIsFoundUntilItIsInTheLedger) {
  GroupCommitter::Options options;
  options.offer_linger = 1h;
  GroupCommitter writer(*ledger_, nullptr, options);
  OfferRecord first = offer(7);
  first.default_supplier = "BLOEM-02";
  writer.enqueue_offer(first);
  OfferRecord again = offer(7);
  again.default_supplier = "BLOEM-03";
  writer.enqueue_offer(again);

  auto pending = writer.find_pending_offer("REQ-7");
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->default_supplier, "BLOEM-03");  // the latest of the two
  auto stored = ledger_->find_offer("REQ-7");
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());

  writer.flush_offers();
  EXPECT_FALSE(writer.find_pending_offer("REQ-7").has_value());
  stored = ledger_->find_offer("REQ-7");
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->default_supplier, "BLOEM-03");
}

// Offers from many threads at a steady rate: every one is written, in far
// fewer transactions than offers.
TEST_F(OfferBatches, ManyThreadsShareFewTransactions) {
  GroupCommitter::Options options;
  options.offer_linger = 50ms;
  GroupCommitter writer(*ledger_, nullptr, options);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&writer, t] {
      for (int n = 0; n < kPerThread; ++n) {
        writer.enqueue_offer(offer(t * 1000 + n));
        std::this_thread::sleep_for(1ms);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  writer.flush_offers();
  const GroupCommitStats stats = writer.stats();
  EXPECT_EQ(stats.offers_written, std::uint64_t{kThreads * kPerThread});
  EXPECT_LT(stats.offer_transactions, std::uint64_t{kThreads * kPerThread / 4});
  EXPECT_EQ(offers_in_ledger(), std::uint64_t{kThreads * kPerThread});
}

}  // namespace
}  // namespace socialdefault
