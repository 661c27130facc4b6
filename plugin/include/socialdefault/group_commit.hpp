// Group commit: many threads hand choice records in, one thread writes them
// to the ledger in as few transactions as it can (everything pending at the
// moment it wakes goes into one Ledger::append_choices), then wakes the
// waiters. When the ledger refuses, the batch goes to the fallback (a durable
// spool) so an order is never lost and never blocked; the fallback is drained
// back into the ledger from the same thread, so the ledger has one writer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
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
  };

  // ledger and fallback (may be null) must outlive the committer.
  GroupCommitter(Ledger& ledger, CommitFallback* fallback, Options options);
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

  // Writes what is pending, then stops the thread. Later submits complete as lost.
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

  Ledger& ledger_;
  CommitFallback* fallback_;
  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> pending_;
  std::deque<std::function<void()>> tasks_;  // run on the writer thread
  bool stopping_ = false;
  GroupCommitStats stats_;
  std::thread thread_;
};

}  // namespace socialdefault
