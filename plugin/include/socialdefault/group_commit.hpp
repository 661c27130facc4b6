// Group commit: many threads hand choice records in, one thread writes them
// to the ledger in as few transactions as it can (everything pending at the
// moment it wakes goes into one Ledger::append_choices), then wakes the
// waiters. When the ledger refuses, the batch goes to the fallback (a durable
// spool) so an order is never lost and never blocked; the fallback is drained
// back into the ledger from the same thread, so the ledger has one writer.
//
// The same thread also writes offers (what default a shortlist showed). They
// are not acknowledged data: nobody waits for them, they are queued and
// written in batches of one Ledger::append_offers transaction each, at most
// every offer_linger (or at once when max_offer_batch are queued), so the
// writer pays one commit and fsync per batch of offers instead of one per
// few offers (docs/ledger.md, "Offers in batches"). A crash loses at most the
// offers of the last linger window: their choices count as not-offered. A batch
// the ledger refuses is tried again a bounded number of times, then dropped
// and counted (a lost offer only makes the later choice "not-offered"). An
// offer that is queued or being written is found by find_pending_offer, so a
// choice recorded right after its shortlist still links to it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

#include "socialdefault/ledger.hpp"
#include "socialdefault/result.hpp"

namespace socialdefault {

// Where records go when the ledger refuses them, and how they come back.
class CommitFallback {
 public:
  virtual ~CommitFallback() = default;
  // Stores the records durably (written and synced) or fails.
  virtual Result<void> keep(std::span<const ChoiceRecord> records) = 0;
  // Moves kept records into the ledger; returns how many were moved.
  virtual Result<std::size_t> drain(Ledger& ledger) = 0;
  // Records kept and not yet drained.
  virtual std::size_t depth() const = 0;
};

enum class Durability {
  ledger,  // in the ledger
  spool,   // in the fallback, to be drained later
  lost,    // neither accepted it: the caller must not acknowledge
};
const char* to_string(Durability durability) noexcept;

struct CommitOutcome {
  Durability durability = Durability::lost;
  std::optional<Error> ledger_error;    // why the ledger refused, when it did
  std::optional<Error> fallback_error;  // why the fallback refused, when it did
  std::chrono::microseconds ledger_latency{0};
  std::size_t batch_records = 0;        // records in the transaction this one was part of
};

struct GroupCommitStats {
  std::uint64_t transactions = 0;  // ledger transactions attempted
  std::uint64_t records = 0;       // records handed in
  std::uint64_t spooled = 0;       // records that went to the fallback
  std::uint64_t drained = 0;       // records moved from the fallback into the ledger
  std::uint64_t lost = 0;
  std::uint64_t offers = 0;               // offers queued
  std::uint64_t offers_written = 0;       // offers in the ledger
  std::uint64_t offer_transactions = 0;   // offer batches attempted (retries included)
  std::uint64_t offer_failures = 0;       // offer batch attempts the ledger refused
  std::uint64_t offers_dropped = 0;       // offers given up after the last attempt
  std::optional<Error> last_offer_error;  // why the last refused offer batch was refused
};

class GroupCommitter {
 public:
  using Callback = std::function<void(const CommitOutcome&)>;

  struct Options {
    // How long the writer waits after the first record of a batch for more
    // to arrive. Zero: write at once (concurrent requests still batch while
    // the previous transaction is being synced).
    std::chrono::microseconds linger{0};
    std::size_t max_batch = 4096;
    // How often the fallback is drained while it holds records.
    std::chrono::milliseconds drain_interval{5000};
    // How often an offer batch is tried before it is dropped, and the pause
    // between tries (a locked or briefly full ledger may recover).
    unsigned offer_attempts = 3;
    std::chrono::milliseconds offer_retry_delay{50};
    // How long the first queued offer waits for others before the batch is
    // written, and how many offers make a batch due at once. Choices are
    // never held back by it; flush_offers() and stop() write at once. Zero:
    // offers are written as soon as the writer is free.
    std::chrono::milliseconds offer_linger{50};
    std::size_t max_offer_batch = 512;
  };

  // ledger and fallback (may be null) must outlive the committer.
  GroupCommitter(Ledger& ledger, CommitFallback* fallback, const Options& options);
  GroupCommitter(Ledger& ledger, CommitFallback* fallback) : GroupCommitter(ledger, fallback, Options{}) {}
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Hands records in; done runs on the writer thread once they are durable
  // (or definitely not). An empty list completes at once.
  void submit(std::vector<ChoiceRecord> records, Callback done);
  // submit() and wait.
  CommitOutcome commit(std::vector<ChoiceRecord> records);
  // Drains the fallback now, on the writer thread, and waits.
  Result<std::size_t> drain_fallback();

  // Queues an offer for the next offer batch; returns at once. After stop()
  // the offer is written at once on the caller's thread.
  void enqueue_offer(OfferRecord offer);
  // The latest offer for the correlation id among those queued or being
  // written; empty when none is (then the ledger has the latest, if any).
  std::optional<OfferRecord> find_pending_offer(std::string_view correlation_id) const;
  // Waits until every offer queued before the call is written or dropped.
  void flush_offers();

  // Writes what is pending (choices and offers), then stops the thread.
  // Later submits complete as lost.
  void stop();
  GroupCommitStats stats() const;

 private:
  struct Pending {
    std::vector<ChoiceRecord> records;
    Callback done;
  };
  void run();
  void write_batch(std::deque<Pending>& batch);
  CommitOutcome write_records(std::span<const ChoiceRecord> records);
  Result<std::int64_t> append(std::span<const ChoiceRecord> records, std::chrono::microseconds& latency);
  CommitOutcome settle(std::span<const ChoiceRecord> records, const Result<std::int64_t>& appended,
                       std::chrono::microseconds latency);
  // Writes offers_in_flight_ with the bounded retries; called without the lock.
  void write_offers();
  // Whether the queued offers are to be written now; called with the lock.
  bool offers_due(std::chrono::steady_clock::time_point now) const;

  Ledger& ledger_;
  CommitFallback* fallback_;
  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> pending_;
  std::deque<std::function<void()>> tasks_;  // run on the writer thread
  std::vector<OfferRecord> offers_;            // queued, oldest first
  std::vector<OfferRecord> offers_in_flight_;  // taken by the writer, not yet settled
  std::uint64_t offers_settled_ = 0;           // written or dropped, in queue order
  std::uint64_t offers_flush_target_ = 0;      // flush_offers(): write at once until this many settled
  std::chrono::steady_clock::time_point offers_since_;  // when the oldest queued offer came
  std::condition_variable offers_settled_cv_;
  bool stopping_ = false;
  bool stopped_ = false;                       // the writer thread has finished
  GroupCommitStats stats_;
  std::thread thread_;
};

}  // namespace socialdefault
