#include "socialdefault/group_commit.hpp"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "gateway_fakes.hpp"
#include "socialdefault/keys.hpp"
#include "spool.hpp"

namespace socialdefault::gateway::testing {
namespace {

ChoiceRecord choice(const std::string& id) {
  ChoiceRecord r;
  r.at = UtcSeconds(std::chrono::seconds(1795000000));
  r.local_date = std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{27}};
  r.correlation_id = id;
  r.chosen_supplier = "BLOEM-01";
  r.social = true;
  r.outcome = Outcome::kept_default;
  r.amount = Money{12500, "EUR"};
  r.adapter = "soap";
  return r;
}

TEST(GroupCommit, ConcurrentCommitsShareTransactions) {
  FakeLedger ledger;
  ledger.delay = std::chrono::milliseconds(20);  // a slow fsync lets others queue up
  GroupCommitter committer(ledger, nullptr);
  constexpr int kThreads = 32;
  std::vector<std::thread> threads;
  std::atomic<int> in_ledger{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const CommitOutcome outcome = committer.commit({choice("REQ-" + std::to_string(i))});
      if (outcome.durability == Durability::ledger) ++in_ledger;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(in_ledger.load(), kThreads);
  EXPECT_EQ(ledger.choices().size(), static_cast<std::size_t>(kThreads));
  // Every record is in, in fewer transactions than records: batching happened.
  EXPECT_LT(ledger.transactions, kThreads);
  EXPECT_GT(*std::max_element(ledger.batch_sizes.begin(), ledger.batch_sizes.end()), 1u);
  EXPECT_EQ(committer.stats().records, static_cast<std::uint64_t>(kThreads));
}

TEST(GroupCommit, EmptyCommitCompletesAtOnce) {
  FakeLedger ledger;
  GroupCommitter committer(ledger, nullptr);
  EXPECT_EQ(committer.commit({}).durability, Durability::ledger);
  EXPECT_EQ(ledger.transactions, 0);
}

TEST(GroupCommit, LedgerFailureWithoutFallbackIsLost) {
  FakeLedger ledger;
  ledger.fail = true;
  GroupCommitter committer(ledger, nullptr);
  const CommitOutcome outcome = committer.commit({choice("REQ-1")});
  EXPECT_EQ(outcome.durability, Durability::lost);
  ASSERT_TRUE(outcome.ledger_error.has_value());
  EXPECT_EQ(outcome.ledger_error->message, "disk I/O error (simulated)");
  ASSERT_TRUE(outcome.fallback_error.has_value());
  EXPECT_EQ(outcome.fallback_error->message, "no fallback is configured");
}

TEST(GroupCommit, LedgerFailureGoesToSpoolAndIsReplayed) {
  TempDir dir;
  FakeLedger ledger;
  auto spool = Spool::open(dir.path() / "spool");
  ASSERT_TRUE(spool) << spool.error().describe();
  GroupCommitter::Options options;
  options.drain_interval = std::chrono::milliseconds(50);
  GroupCommitter committer(ledger, spool->get(), options);

  ledger.fail = true;
  const CommitOutcome outcome = committer.commit({choice("REQ-1"), choice("REQ-2")});
  EXPECT_EQ(outcome.durability, Durability::spool);
  EXPECT_EQ((*spool)->depth(), 2u);
  EXPECT_TRUE(ledger.choices().empty());
  // The spool is a file of JSON lines, synced before the commit returned.
  std::ifstream in(dir.path() / "spool" / "choices.spool");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_NE(line.find("\"correlation_id\":\"REQ-1\""), std::string::npos);

  // The ledger comes back: the periodic drain moves the records in.
  ledger.fail = false;
  for (int i = 0; i < 100 && (*spool)->depth() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ((*spool)->depth(), 0u);
  const auto recorded = ledger.choices();
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded[0].correlation_id, "REQ-1");
  EXPECT_EQ(recorded[1].amount, (Money{12500, "EUR"}));
  EXPECT_EQ(recorded[1].outcome, Outcome::kept_default);
  EXPECT_EQ(committer.stats().drained, 2u);
}

TEST(GroupCommit, SpoolSurvivesARestartAndIsReplayedAtStart) {
  TempDir dir;
  {
    auto spool = Spool::open(dir.path() / "spool");
    ASSERT_TRUE(spool);
    const std::vector<ChoiceRecord> records{choice("REQ-9")};
    ASSERT_TRUE((*spool)->keep(records));
  }
  // A torn line from a crash mid-write is skipped, not replayed.
  std::ofstream(dir.path() / "spool" / "choices.spool", std::ios::app) << "{\"at\":17950";
  auto spool = Spool::open(dir.path() / "spool");
  ASSERT_TRUE(spool);
  EXPECT_EQ((*spool)->depth(), 2u);
  FakeLedger ledger;
  GroupCommitter committer(ledger, spool->get());
  auto drained = committer.drain_fallback();
  ASSERT_TRUE(drained) << drained.error().describe();
  EXPECT_EQ(*drained, 1u);
  EXPECT_EQ((*spool)->unreadable(), 1u);
  EXPECT_EQ((*spool)->depth(), 0u);
  ASSERT_EQ(ledger.choices().size(), 1u);
  EXPECT_EQ(ledger.choices()[0].correlation_id, "REQ-9");
}

TEST(GroupCommit, ChoiceJsonRoundTrip) {
  ChoiceRecord r = choice("REQ-\"quoted\"\n");
  r.evidence = "pso-3 2026-01-01..2027-12-31";
  r.outcome = Outcome::other_social;
  auto back = choice_from_json(choice_to_json(r));
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(back->correlation_id, r.correlation_id);
  EXPECT_EQ(back->evidence, r.evidence);
  EXPECT_EQ(back->outcome, Outcome::other_social);
  EXPECT_EQ(back->at, r.at);
  EXPECT_EQ(back->local_date, r.local_date);
  EXPECT_FALSE(choice_from_json("{\"at\":1}").ok());
}

TEST(GroupCommit, AnInvalidRecordDoesNotDragOthersIntoTheSpool) {
  TempDir dir;
  FakeLedger ledger;
  ledger.reject_correlation = "REQ-BAD";
  ledger.delay = std::chrono::milliseconds(20);
  auto spool = Spool::open(dir.path());
  ASSERT_TRUE(spool);
  GroupCommitter committer(ledger, spool->get());
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::map<std::string, Durability> outcomes;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      const std::string id = i == 5 ? "REQ-BAD" : "REQ-" + std::to_string(i);
      const CommitOutcome outcome = committer.commit({choice(id)});
      std::lock_guard lock(mutex);
      outcomes[id] = outcome.durability;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(outcomes["REQ-BAD"], Durability::spool);
  for (const auto& [id, durability] : outcomes) {
    if (id != "REQ-BAD") {
      EXPECT_EQ(durability, Durability::ledger) << id;
    }
  }
  EXPECT_EQ(ledger.choices().size(), 11u);
  EXPECT_EQ((*spool)->depth(), 1u);

  // Draining moves the record the ledger will never take aside.
  auto drained = committer.drain_fallback();
  ASSERT_TRUE(drained) << drained.error().describe();
  EXPECT_EQ(*drained, 0u);
  EXPECT_EQ((*spool)->depth(), 0u);
  EXPECT_EQ((*spool)->rejected(), 1u);
  std::ifstream in(dir.path() / "choices.rejected");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_NE(line.find("\"correlation_id\":\"REQ-BAD\""), std::string::npos);
  EXPECT_NE(line.find("\"rejected_because\":\"choice (correlation id \\\"REQ-BAD\\\"): currency is not an ISO 4217 code\""),
            std::string::npos)
      << line;
}

// The SQLite ledger (WAL, synchronous=FULL) behind the committer: every
// record arrives, in far fewer transactions than requests. Prints the rate;
// it is a measurement, not a timed assertion.
TEST(GroupCommit, RealLedgerBatchesConcurrentOrders) {
  TempDir dir;
  auto keys = Keys::from_secret(std::string(64, 'k'));
  ASSERT_TRUE(keys) << keys.error().describe();
  auto ledger = open_sqlite_ledger(dir.path() / "ledger.db", *keys);
  ASSERT_TRUE(ledger) << ledger.error().describe();
  GroupCommitter committer(**ledger, nullptr);
  constexpr int kThreads = 64;
  constexpr int kEach = 40;
  std::atomic<int> durable{0};
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const auto outcome = committer.commit({choice("REQ-" + std::to_string(t) + "-" + std::to_string(i))});
        if (outcome.durability == Durability::ledger) ++durable;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(durable.load(), kThreads * kEach);
  const auto stats = committer.stats();
  EXPECT_LT(stats.transactions, static_cast<std::uint64_t>(kThreads * kEach / 4));
  auto report = (*ledger)->verify();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_TRUE(report->intact);
  EXPECT_EQ(report->rows_checked, static_cast<std::uint64_t>(kThreads * kEach));
  std::cout << "group commit: " << kThreads * kEach << " choices in " << stats.transactions << " transactions, "
            << static_cast<long>(kThreads * kEach / seconds) << " durable choices/s\n";
  ::testing::Test::RecordProperty("choices_per_second", static_cast<int>(kThreads * kEach / seconds));
}

TEST(GroupCommit, StoppedCommitterRefuses) {
  FakeLedger ledger;
  GroupCommitter committer(ledger, nullptr);
  committer.stop();
  const CommitOutcome outcome = committer.commit({choice("REQ-1")});
  EXPECT_EQ(outcome.durability, Durability::lost);
  EXPECT_EQ(outcome.ledger_error->message, "the group committer is stopped");
}

}  // namespace
}  // namespace socialdefault::gateway::testing
