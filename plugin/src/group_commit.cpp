#include "socialdefault/group_commit.hpp"

#include <future>

namespace socialdefault {

const char* to_string(Durability durability) noexcept {
  switch (durability) {
    case Durability::ledger: return "ledger";
    case Durability::spool: return "spool";
    case Durability::lost: return "lost";
  }
  return "lost";
}

GroupCommitter::GroupCommitter(Ledger& ledger, CommitFallback* fallback, Options options)
    : ledger_(ledger), fallback_(fallback), options_(options), thread_([this] { run(); }) {}

GroupCommitter::~GroupCommitter() { stop(); }

void GroupCommitter::submit(std::vector<ChoiceRecord> records, Callback done) {
  if (records.empty()) {
    CommitOutcome outcome;
    outcome.durability = Durability::ledger;
    done(outcome);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      stats_.records += records.size();
      pending_.push_back(Pending{std::move(records), std::move(done)});
      wake_.notify_one();
      return;
    }
    stats_.lost += records.size();
  }
  CommitOutcome outcome;
  outcome.ledger_error = make_error(ErrorCode::internal, "the group committer is stopped");
  done(outcome);
}

CommitOutcome GroupCommitter::commit(std::vector<ChoiceRecord> records) {
  std::promise<CommitOutcome> promise;
  auto future = promise.get_future();
  submit(std::move(records), [&promise](const CommitOutcome& outcome) { promise.set_value(outcome); });
  return future.get();
}

Result<std::size_t> GroupCommitter::drain_fallback() {
  if (fallback_ == nullptr) return std::size_t{0};
  std::promise<Result<std::size_t>> promise;
  auto future = promise.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return make_error(ErrorCode::internal, "the group committer is stopped");
    tasks_.push_back([this, &promise] {
      auto drained = fallback_->drain(ledger_);
      if (drained) {
        std::lock_guard inner(mutex_);
        stats_.drained += *drained;
      }
      promise.set_value(std::move(drained));
    });
    wake_.notify_one();
  }
  return future.get();
}

void GroupCommitter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

GroupCommitStats GroupCommitter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void GroupCommitter::run() {
  auto next_drain = std::chrono::steady_clock::now() + options_.drain_interval;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_until(lock, next_drain, [this] { return stopping_ || !pending_.empty() || !tasks_.empty(); });
    while (!tasks_.empty()) {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
    if (!pending_.empty()) {
      if (options_.linger.count() > 0 && !stopping_) {
        // Let concurrent requests join this transaction.
        wake_.wait_for(lock, options_.linger, [this] { return stopping_; });
      }
      std::deque<Pending> batch;
      std::size_t count = 0;
      while (!pending_.empty() && (batch.empty() || count + pending_.front().records.size() <= options_.max_batch)) {
        count += pending_.front().records.size();
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
      lock.unlock();
      write_batch(batch);
      lock.lock();
      continue;
    }
    if (stopping_) break;
    if (std::chrono::steady_clock::now() >= next_drain) {
      next_drain = std::chrono::steady_clock::now() + options_.drain_interval;
      if (fallback_ != nullptr && fallback_->depth() > 0) {
        lock.unlock();
        auto drained = fallback_->drain(ledger_);
        lock.lock();
        if (drained) stats_.drained += *drained;
      }
    }
  }
}

void GroupCommitter::write_batch(std::deque<Pending>& batch) {
  if (batch.size() == 1) {
    batch.front().done(write_records(batch.front().records));
    return;
  }
  std::vector<ChoiceRecord> records;
  for (Pending& p : batch) records.insert(records.end(), p.records.begin(), p.records.end());
  std::chrono::microseconds latency{0};
  Result<std::int64_t> appended = append(records, latency);
  if (!appended && appended.error().code == ErrorCode::invalid_argument) {
    // The ledger refused a record as invalid: only its own request may pay
    // for that, so every request is written on its own.
    for (Pending& p : batch) p.done(write_records(p.records));
    return;
  }
  const CommitOutcome outcome = settle(records, appended, latency);
  for (Pending& p : batch) p.done(outcome);
}

Result<std::int64_t> GroupCommitter::append(std::span<const ChoiceRecord> records,
                                            std::chrono::microseconds& latency) {
  const auto started = std::chrono::steady_clock::now();
  Result<std::int64_t> appended = make_error(ErrorCode::internal, "not attempted");
  try {
    appended = ledger_.append_choices(records);
  } catch (const std::exception& e) {
    appended = make_error(ErrorCode::database, std::string("ledger failure: ") + e.what());
  }
  latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  std::lock_guard lock(mutex_);
  ++stats_.transactions;
  return appended;
}

CommitOutcome GroupCommitter::write_records(std::span<const ChoiceRecord> records) {
  std::chrono::microseconds latency{0};
  const Result<std::int64_t> appended = append(records, latency);
  return settle(records, appended, latency);
}

CommitOutcome GroupCommitter::settle(std::span<const ChoiceRecord> records, const Result<std::int64_t>& appended,
                                     std::chrono::microseconds latency) {
  CommitOutcome outcome;
  outcome.batch_records = records.size();
  outcome.ledger_latency = latency;
  if (appended) {
    outcome.durability = Durability::ledger;
    return outcome;
  }
  outcome.ledger_error = appended.error();
  Result<void> kept = make_error(ErrorCode::internal, "no fallback is configured");
  if (fallback_ != nullptr) {
    try {
      kept = fallback_->keep(records);
    } catch (const std::exception& e) {
      kept = make_error(ErrorCode::io, std::string("fallback failure: ") + e.what());
    }
  }
  outcome.durability = kept ? Durability::spool : Durability::lost;
  if (!kept) outcome.fallback_error = kept.error();
  std::lock_guard lock(mutex_);
  if (outcome.durability == Durability::spool) stats_.spooled += records.size();
  if (outcome.durability == Durability::lost) stats_.lost += records.size();
  return outcome;
}

}  // namespace socialdefault
