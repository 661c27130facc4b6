// Durable choices per second: Ledger::append_choices at several batch sizes,
// and the group committer with many concurrent submitters of one record
// each (what the gateway does for orders). Every ledger is a fresh SQLite
// file (WAL, synchronous=FULL) in a temp folder on the disk of TMPDIR, so
// each COMMIT is a real fsync.
// Run: build/rel/bench/sd_ledger_bench (see bench/RESULTS.md).
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
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
  // PRAGMA ignore_check_constraints on the ledger's own writing connection.
  bool ignore_checks() {
    auto* sqlite = dynamic_cast<sd::SqliteLedger*>(ledger_.get());
    return sqlite != nullptr && sqlite->execute("PRAGMA ignore_check_constraints = ON").ok();
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
// ledger's back before the run. Not a configuration anyone should run; the
// figures say what a schema migration would buy (bench/RESULTS.md).
//   0: as shipped (the reference, as BM_AppendChoices/1000)
//   1: without the indexes no query uses (choices_by_correlation, choices_by_order)
//   2: the writer connection ignores the CHECK constraints (its `outcome IN
//      (...)` builds a temporary b-tree per row)
//   3: both
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
    run_sql(temp.file(), "DROP INDEX choices_by_correlation; DROP INDEX choices_by_order;");
  }
  if (variant >= 2 && !temp.ignore_checks()) {
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
