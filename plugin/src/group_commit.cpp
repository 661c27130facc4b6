#include "socialdefault/group_commit.hpp"

#include <algorithm>
#include <future>
#include <iterator>

namespace socialdefault {

const char* to_string(Durability durability) noexcept {
  switch (durability) {
    case Durability::ledger: return "ledger";
    case Durability::spool: return "spool";
    case Durability::lost: return "lost";
  }
  return "lost";
}

GroupCommitter::GroupCommitter(Ledger& ledger, CommitFallback* fallback, const Options& options)
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

void GroupCommitter::enqueue_offer(OfferRecord offer) {
  {
    std::lock_guard lock(mutex_);
    ++stats_.offers;
    if (!stopping_) {
      offers_.push_back(std::move(offer));
      // The first offer sets the writer's deadline and a full batch is due
      // now; otherwise the writer has nothing new to decide, so it is not woken.
      if (offers_.size() == 1) offers_since_ = std::chrono::steady_clock::now();
      if (offers_.size() == 1 || offers_.size() >= options_.max_offer_batch) wake_.notify_one();
      return;
    }
  }
  // Without the writer thread (the engine is closing) the offer is written
  // here rather than lost.
  Result<std::int64_t> appended = make_error(ErrorCode::internal, "not attempted");
  try {
    appended = ledger_.append_offers(std::span<const OfferRecord>(&offer, 1));
  } catch (const std::exception& e) {
    appended = make_error(ErrorCode::database, std::string("ledger failure: ") + e.what());
  }
  std::lock_guard lock(mutex_);
  ++stats_.offer_transactions;
  ++offers_settled_;
  if (appended) {
    ++stats_.offers_written;
  } else {
    ++stats_.offer_failures;
    ++stats_.offers_dropped;
    stats_.last_offer_error = appended.error();
  }
}

std::optional<OfferRecord> GroupCommitter::find_pending_offer(std::string_view correlation_id) const {
  const auto matches = [correlation_id](const OfferRecord& offer) { return offer.correlation_id == correlation_id; };
  std::lock_guard lock(mutex_);
  // Newest first: the queue is newer than the batch in flight.
  if (auto it = std::find_if(offers_.rbegin(), offers_.rend(), matches); it != offers_.rend()) return *it;
  if (auto it = std::find_if(offers_in_flight_.rbegin(), offers_in_flight_.rend(), matches);
      it != offers_in_flight_.rend()) {
    return *it;
  }
  return std::nullopt;
}

void GroupCommitter::flush_offers() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = stats_.offers;
  offers_flush_target_ = std::max(offers_flush_target_, target);
  wake_.notify_one();
  offers_settled_cv_.wait(lock, [&] { return offers_settled_ >= target || stopped_; });
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
    // The deadline moves when the first offer is queued, so it is computed
    // again on every wake rather than once per wait.
    for (;;) {
      const auto now = std::chrono::steady_clock::now();
      if (stopping_ || !pending_.empty() || !tasks_.empty() || offers_due(now) || now >= next_drain) break;
      auto deadline = next_drain;
      if (!offers_.empty()) deadline = std::min(deadline, offers_since_ + options_.offer_linger);
      wake_.wait_until(lock, deadline);
    }
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
    }
    if (offers_due(std::chrono::steady_clock::now())) {
      // After every choice batch, so that a steady stream of choices cannot
      // starve the offers (and the reverse: offers wait at most one batch).
      // A batch is capped so that a choice arriving meanwhile waits for at
      // most max_offer_batch rows; the rest stay due for the next round.
      if (offers_.size() <= std::max<std::size_t>(1, options_.max_offer_batch)) {
        offers_in_flight_.swap(offers_);
      } else {
        const auto end = offers_.begin() + static_cast<std::ptrdiff_t>(options_.max_offer_batch);
        offers_in_flight_.assign(std::make_move_iterator(offers_.begin()), std::make_move_iterator(end));
        offers_.erase(offers_.begin(), end);
      }
      lock.unlock();
      write_offers();
      lock.lock();
      offers_settled_ += offers_in_flight_.size();
      offers_in_flight_.clear();
      offers_settled_cv_.notify_all();
    }
    if (stopping_ && pending_.empty() && offers_.empty() && tasks_.empty()) break;
    // Checked on every round, so a steady load does not postpone the drain.
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
  stopped_ = true;
  offers_settled_cv_.notify_all();
}

bool GroupCommitter::offers_due(std::chrono::steady_clock::time_point now) const {
  if (offers_.empty()) return false;
  return stopping_ || offers_flush_target_ > offers_settled_ || offers_.size() >= options_.max_offer_batch ||
         now >= offers_since_ + options_.offer_linger;
}

void GroupCommitter::write_offers() {
  // offers_in_flight_ is only changed by this thread, so it is read here
  // without the lock; find_pending_offer reads it under the lock.
  const std::span<const OfferRecord> offers(offers_in_flight_);
  for (unsigned attempt = 1;; ++attempt) {
    Result<std::int64_t> appended = make_error(ErrorCode::internal, "not attempted");
    try {
      appended = ledger_.append_offers(offers);
    } catch (const std::exception& e) {
      appended = make_error(ErrorCode::database, std::string("ledger failure: ") + e.what());
    }
    {
      std::lock_guard lock(mutex_);
      ++stats_.offer_transactions;
      if (appended) {
        stats_.offers_written += offers.size();
        return;
      }
      ++stats_.offer_failures;
      stats_.last_offer_error = appended.error();
      if (attempt >= std::max(1U, options_.offer_attempts)) {
        stats_.offers_dropped += offers.size();
        return;
      }
    }
    std::this_thread::sleep_for(options_.offer_retry_delay);
  }
}

void GroupCommitter::write_batch(std::deque<Pending>& batch) {
  if (batch.size() == 1) {
    batch.front().done(write_records(batch.front().records));
    return;
  }
  // Moved, not copied: a record is a dozen strings, and this thread's time
  // per record bounds the durable choices per second.
  std::size_t count = 0;
  for (const Pending& p : batch) count += p.records.size();
  std::vector<ChoiceRecord> records;
  records.reserve(count);
  for (Pending& p : batch) std::move(p.records.begin(), p.records.end(), std::back_inserter(records));
  std::chrono::microseconds latency{0};
  Result<std::int64_t> appended = append(records, latency);
  if (!appended && appended.error().code == ErrorCode::invalid_argument) {
    // The ledger refused a record as invalid: only its own request may pay
    // for that, so every request is written on its own.
    const std::span<const ChoiceRecord> all(records);
    std::size_t offset = 0;
    for (Pending& p : batch) {
      const std::size_t n = p.records.size();  // moved from, but still sized
      p.done(write_records(all.subspan(offset, n)));
      offset += n;
    }
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
