// Durable choices per second: Ledger::append_choices at several batch sizes,
// and the group committer with many concurrent submitters of one record
// each (what the gateway does for orders). Every ledger is a fresh SQLite
// file (WAL, synchronous=FULL) in a temp folder on the disk of TMPDIR, so
// each COMMIT is a real fsync.
// Run: build/rel/bench/sd_ledger_bench (see bench/RESULTS.md).
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "socialdefault/group_commit.hpp"
#include "socialdefault/keys.hpp"
#include "socialdefault/ledger.hpp"
#include "sqlite_ledger.hpp"

namespace sd = socialdefault;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const sd::Keys& keys() {
  static const sd::Keys k = sd::Keys::from_secret(std::string(64, 'b')).value();
  return k;
}

// A temp folder with one ledger in it, removed at the end.
class TempLedger {
 public:
  TempLedger() {
    std::string pattern = (fs::temp_directory_path() / "sd_ledger_bench_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::cerr << "cannot create a temp folder in " << fs::temp_directory_path() << "\n";
      std::exit(1);
    }
    dir_ = pattern;
    auto ledger = sd::open_sqlite_ledger(dir_ / "ledger.sqlite", keys());
    if (!ledger) {
      std::cerr << ledger.error().describe() << "\n";
      std::exit(1);
    }
    ledger_ = std::move(ledger).value();
  }
  ~TempLedger() {
    ledger_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TempLedger(const TempLedger&) = delete;
  TempLedger& operator=(const TempLedger&) = delete;
  sd::Ledger& ledger() { return *ledger_; }
  fs::path file() const { return dir_ / "ledger.sqlite"; }
  // The ledger's own writing connection evaluates the CHECK constraints
  // again (it skips them as shipped).
  bool check_constraints() {
    auto* sqlite = dynamic_cast<sd::SqliteLedger*>(ledger_.get());
    return sqlite != nullptr && sqlite->execute("PRAGMA ignore_check_constraints = OFF").ok();
  }

 private:
  fs::path dir_;
  std::unique_ptr<sd::Ledger> ledger_;
};

// A realistic order line: every text column filled as the engine fills it.
sd::ChoiceRecord make_choice(std::int64_t n) {
  sd::ChoiceRecord c;
  c.at = sd::UtcSeconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}} + 10h + std::chrono::seconds{n % 3600};
  c.local_date = std::chrono::year{2026} / 11 / 27;
  c.correlation_id = "REQ-2026-" + std::to_string(100000 + n);
  c.order_ref = "PO-2026-" + std::to_string(200000 + n);
  c.line = 1;
  c.requester_pseudonym = keys().pseudonymise("E" + std::to_string(10000 + n % 500));
  c.department = "Burgerzaken";
  c.category_code_system = "CPV";
  c.category = "03121200-7";
  c.default_offered = "BLOEM-01";
  c.chosen_supplier = "BLOEM-01";
  c.social = true;
  c.evidence = "pso-3 2026-01-01..2027-12-31 PSO-1001";
  c.addressable = true;
  c.outcome = sd::Outcome::kept_default;
  c.amount = sd::Money{4595, "EUR"};
  c.adapter = "soap";
  return c;
}

void report_error(benchmark::State& state, const sd::Error& error) {
  state.SkipWithError(error.describe().c_str());
}

// One row's MAC (and one requester's pseudonym): HMAC-SHA256 with a key
// the thread has used before, over a text of the given length (a choice
// row's canonical encoding is about 250 bytes).
void BM_RowMac(benchmark::State& state) {
  std::string text(static_cast<std::size_t>(state.range(0)), 'r');
  std::size_t k = 0;
  for (auto _ : state) {
    text[k++ % text.size()] ^= 1;  // a new text each time, as the rows are
    benchmark::DoNotOptimize(sd::hmac_sha256(keys().chain_key(), text));
  }
}
BENCHMARK(BM_RowMac)->Arg(32)->Arg(250);

// (a) One append_choices transaction per iteration, of state.range(0) records.
void BM_AppendChoices(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  TempLedger temp;
  std::vector<sd::ChoiceRecord> records;
  for (std::size_t i = 0; i < batch; ++i) records.push_back(make_choice(static_cast<std::int64_t>(i)));
  for (auto _ : state) {
    auto appended = temp.ledger().append_choices(records);
    if (!appended) {
      report_error(state, appended.error());
      break;
    }
  }
  const auto total = static_cast<double>(state.iterations()) * static_cast<double>(batch);
  state.counters["records/s"] = benchmark::Counter(total, benchmark::Counter::kIsRate);
  state.counters["txn/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AppendChoices)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->UseRealTime()->Unit(benchmark::kMicrosecond);

// (a') What the schema costs the writer, measured rather than guessed: the
// same batches of 1000 on a ledger whose file was changed behind the
// ledger's back before the run (bench/RESULTS.md).
//   0: as shipped (schema version 6; the reference, as BM_AppendChoices/1000)
//   1: with the two indexes version 6 dropped (choices_by_correlation,
//      choices_by_order) created again: what version 5 cost
//   2, 3: as 0 and 1 with the CHECK constraints evaluated (the writing
//      connection skips them; `outcome IN (...)` builds a temporary b-tree
//      per row)
void run_sql(const fs::path& file, const char* sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK || sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::cerr << "cannot change " << file << ": " << sqlite3_errmsg(db) << "\n";
    std::exit(1);
  }
  sqlite3_close(db);
}

void BM_AppendChoicesSchema(benchmark::State& state) {
  const auto variant = state.range(0);
  constexpr std::size_t kBatch = 1000;
  TempLedger temp;
  if (variant == 1 || variant == 3) {
    run_sql(temp.file(), "CREATE INDEX IF NOT EXISTS choices_by_correlation ON choices (correlation_id); "
                         "CREATE INDEX IF NOT EXISTS choices_by_order ON choices (order_ref);");
  }
  if (variant >= 2 && !temp.check_constraints()) {
    state.SkipWithError("the ledger is not SQLite");
    return;
  }
  std::vector<sd::ChoiceRecord> records;
  for (std::size_t i = 0; i < kBatch; ++i) records.push_back(make_choice(static_cast<std::int64_t>(i)));
  for (auto _ : state) {
    auto appended = temp.ledger().append_choices(records);
    if (!appended) {
      report_error(state, appended.error());
      break;
    }
  }
  const auto total = static_cast<double>(state.iterations()) * static_cast<double>(kBatch);
  state.counters["records/s"] = benchmark::Counter(total, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AppendChoicesSchema)->DenseRange(0, 3)->UseRealTime()->Unit(benchmark::kMicrosecond);

// (a'') Offers at a steady rate, as the gateway queues them (one per
// rewritten shortlist), through the offer writer: state.range(0) offers per
// second for one second per iteration, with an offer_linger of
// state.range(1) ms (0: the writer writes whatever is queued as soon as it
// is free, as before the linger). Reported: the CPU the writer thread spent
// per offer (the process's CPU minus this thread's), offers per transaction.
sd::OfferRecord make_offer(std::int64_t n) {
  sd::OfferRecord o;
  o.at = sd::UtcSeconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}} + 10h + std::chrono::seconds{n % 3600};
  o.correlation_id = "REQ-2026-" + std::to_string(100000 + n);
  o.requester_pseudonym = keys().pseudonymise("E" + std::to_string(10000 + n % 500));
  o.department = "Burgerzaken";
  o.category_code_system = "CPV";
  o.category = "03121200-7";
  o.default_supplier = "BLOEM-01";
  o.reason = "applied";
  o.arm = "default";
  o.adapter = "soap";
  return o;
}

double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void BM_OfferStream(benchmark::State& state) {
  const auto rate = state.range(0);
  TempLedger temp;
  sd::GroupCommitter::Options options;
  options.offer_linger = std::chrono::milliseconds{state.range(1)};
  sd::GroupCommitter writer(temp.ledger(), nullptr, options);
  // Prepared before the clock starts: the producer's own work is not the point.
  std::vector<sd::OfferRecord> offers;
  for (std::int64_t n = 0; n < rate; ++n) offers.push_back(make_offer(n));
  constexpr auto kTick = 5ms;
  const std::int64_t per_tick = std::max<std::int64_t>(1, rate / 200);
  const double process_before = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  const double thread_before = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  std::int64_t queued = 0;
  for (auto _ : state) {
    auto next = std::chrono::steady_clock::now();
    for (std::int64_t n = 0; n < rate;) {
      for (std::int64_t k = 0; k < per_tick && n < rate; ++k, ++n) writer.enqueue_offer(offers[static_cast<std::size_t>(n)]);
      next += kTick;
      std::this_thread::sleep_until(next);
    }
    queued += rate;
  }
  writer.stop();
  const double writer_cpu = (cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - process_before) -
                            (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - thread_before);
  const sd::GroupCommitStats stats = writer.stats();
  if (stats.offers_written != static_cast<std::uint64_t>(queued)) state.SkipWithError("offers were not written");
  state.counters["writer_us/offer"] = queued == 0 ? 0.0 : writer_cpu * 1e6 / static_cast<double>(queued);
  state.counters["txns"] = static_cast<double>(stats.offer_transactions);
  state.counters["offers/txn"] = stats.offer_transactions == 0
                                     ? 0.0
                                     : static_cast<double>(stats.offers_written) /
                                           static_cast<double>(stats.offer_transactions);
}
BENCHMARK(BM_OfferStream)
    ->Args({3200, 0})
    ->Args({3200, 50})
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// (a''') The offer writer's CPU per offer, without the timing of a stream:
// one append_offers transaction per iteration of state.range(0) offers, a
// batch as large as the gateway's writer commits at 8,000 shortlists a
// second (its 50 ms linger), each batch with new correlation ids. The CPU
// column is this thread's (all the work is on it); cpu_per_offer divides it
// by the offers.
void BM_AppendOffers(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  TempLedger temp;
  std::vector<sd::OfferRecord> offers;
  std::int64_t next = 0;
  for (std::size_t i = 0; i < batch; ++i) offers.push_back(make_offer(next++));
  for (auto _ : state) {
    auto appended = temp.ledger().append_offers(offers);
    if (!appended) {
      report_error(state, appended.error());
      break;
    }
    state.PauseTiming();
    for (auto& o : offers) o.correlation_id = "REQ-2026-" + std::to_string(100000 + next++);
    state.ResumeTiming();
  }
  const auto total = static_cast<double>(state.iterations()) * static_cast<double>(batch);
  state.counters["offers"] = total;
  state.counters["cpu_per_offer"] = benchmark::Counter(total, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_AppendOffers)->Arg(400)->Unit(benchmark::kMillisecond);

// (b) The group committer: every benchmark thread submits one record per
// iteration and waits until it is durable, like a gateway worker per order.
struct Shared {
  std::unique_ptr<TempLedger> temp;
  std::unique_ptr<sd::GroupCommitter> committer;
  std::chrono::steady_clock::time_point started;
};
Shared shared;

void BM_GroupCommit(benchmark::State& state) {
  if (state.thread_index() == 0) {
    shared.temp = std::make_unique<TempLedger>();
    shared.committer = std::make_unique<sd::GroupCommitter>(shared.temp->ledger(), nullptr);
  }
  const sd::ChoiceRecord record = make_choice(state.thread_index());
  std::int64_t lost = 0;
  for (auto _ : state) {
    const sd::CommitOutcome outcome = shared.committer->commit({record});
    if (outcome.durability != sd::Durability::ledger) ++lost;
  }
  state.SetItemsProcessed(state.iterations());
  // Counters are summed over the threads: one thread reports the shared ones.
  if (state.thread_index() == 0) {
    shared.committer->stop();
    const sd::GroupCommitStats stats = shared.committer->stats();
    state.counters["txns"] = static_cast<double>(stats.transactions);
    state.counters["records/txn"] =
        stats.transactions == 0 ? 0.0 : static_cast<double>(stats.records) / static_cast<double>(stats.transactions);
    shared.committer.reset();
    shared.temp.reset();
  }
  state.counters["durable/s"] = benchmark::Counter(static_cast<double>(state.iterations() - lost),
                                                   benchmark::Counter::kIsRate);
  if (lost > 0) state.SkipWithError("records were not made durable");
}
BENCHMARK(BM_GroupCommit)->Threads(64)->Threads(256)->UseRealTime()->MinTime(3.0)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
