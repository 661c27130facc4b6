// The colleague norm's count at 200,000 choices in a 91-day window (about
// 2,200 a day): Ledger::count_orders_by_system for one group, which is what
// Engine::norm_figures asks at most once a minute per group, against the
// export's aggregation by department and category over the same window,
// which the norm used before. The choices are spread over `groups`
// department-and-category groups (40: 8 departments x 5 categories; 1: the
// worst case, every choice in the counted group), a fifth sent without a
// code system, one order in 199 rejected (each status is a durable append of
// its own). The ledger is filled once per group count in a temp folder on
// the disk of TMPDIR, or in SD_NORM_BENCH_KEEP (an existing folder) where
// they are kept, for timing the queries with the sqlite3 shell or callgrind.
// Run: build/rel/bench/sd_norm_bench (see docs/nudges.md for the figures).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "socialdefault/keys.hpp"
#include "socialdefault/ledger.hpp"

namespace sd = socialdefault;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kChoices = 200'000;
constexpr int kDays = 91;
constexpr sd::LocalDate kToday = std::chrono::year{2026} / 11 / 27;
const std::vector<std::string> kDepartments{"Burgerzaken", "Facilitair", "Financien", "ICT",
                                            "Onderwijs",   "Sport",      "Wonen",     "Zorg"};
const std::vector<std::string> kCodes{"03121200-7", "18530000-3", "55520000-1", "55120000-7", "XMAS"};

const sd::Keys& keys() {
  static const sd::Keys k = sd::Keys::from_secret(std::string(64, 'n')).value();
  return k;
}

sd::LocalDate day_of(std::int64_t n) {
  return sd::LocalDate{std::chrono::sys_days{kToday} - std::chrono::days{n % kDays}};
}

sd::ChoiceRecord make_choice(std::int64_t n, int groups) {
  const std::size_t group = static_cast<std::size_t>(groups == 1 ? 0 : n % groups);
  sd::ChoiceRecord c;
  c.local_date = day_of(n);
  c.at = sd::UtcSeconds{std::chrono::sys_days{c.local_date}} + 10h + std::chrono::seconds{n % 3600};
  c.correlation_id = "REQ-2026-" + std::to_string(100000 + n);
  c.order_ref = "PO-2026-" + std::to_string(200000 + n);
  c.requester_pseudonym = keys().pseudonymise("E" + std::to_string(10000 + n % 500));
  c.department = kDepartments[group % kDepartments.size()];
  c.category = kCodes[group / kDepartments.size() % kCodes.size()];
  c.category_code_system = n / 7 % 5 == 0 ? "" : c.category == "XMAS" ? "ERP" : "CPV";
  c.social = n % 3 != 0;
  c.chosen_supplier = c.social ? "BLOEM-01" : "FLR-100";
  c.evidence = c.social ? "pso-3 2026-01-01..2027-12-31 PSO-1001" : "";
  c.addressable = true;
  c.default_offered = "BLOEM-01";
  c.outcome = c.social ? sd::Outcome::kept_default : sd::Outcome::regular;
  c.amount = sd::Money{4595, "EUR"};
  c.adapter = "soap";
  return c;
}

// One filled ledger per group count, kept for the whole run.
class FilledLedger {
 public:
  explicit FilledLedger(int groups) {
    const char* keep = std::getenv("SD_NORM_BENCH_KEEP");
    const fs::path parent = keep != nullptr && *keep != '\0' ? fs::path(keep) : fs::temp_directory_path();
    kept_ = keep != nullptr && *keep != '\0';
    std::string pattern = (parent / ("sd_norm_bench_" + std::to_string(groups) + "_XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) fail("cannot create a temp folder in " + parent.string());
    dir_ = pattern;
    if (kept_) std::cerr << "ledger with " << groups << " groups: " << (dir_ / "ledger.sqlite").string() << "\n";
    auto ledger = sd::open_sqlite_ledger(dir_ / "ledger.sqlite", keys());
    if (!ledger) fail(ledger.error().describe());
    ledger_ = std::move(ledger).value();
    std::vector<sd::ChoiceRecord> batch;
    for (std::int64_t n = 0; n < kChoices; ++n) {
      batch.push_back(make_choice(n, groups));
      if (batch.size() == 10'000) {
        if (auto r = ledger_->append_choices(batch); !r) fail(r.error().describe());
        batch.clear();
      }
    }
    for (std::int64_t n = 0; n < kChoices; n += 199) {
      sd::OrderStatusRecord status;
      status.at = sd::UtcSeconds{std::chrono::sys_days{kToday}};
      status.order_ref = "PO-2026-" + std::to_string(200000 + n);
      status.status = sd::OrderStatus::rejected;
      status.code = "RE";
      status.adapter = "ubl";
      if (auto r = ledger_->append_order_status(status); !r) fail(r.error().describe());
    }
  }
  ~FilledLedger() {
    ledger_.reset();
    std::error_code ec;
    if (!kept_) fs::remove_all(dir_, ec);
  }
  FilledLedger(const FilledLedger&) = delete;
  FilledLedger& operator=(const FilledLedger&) = delete;
  sd::Ledger& ledger() { return *ledger_; }

  static FilledLedger& of(int groups) {
    static std::map<int, std::unique_ptr<FilledLedger>> filled;
    auto& entry = filled[groups];
    if (!entry) entry = std::make_unique<FilledLedger>(groups);
    return *entry;
  }

 private:
  [[noreturn]] static void fail(const std::string& message) {
    std::cerr << message << "\n";
    std::exit(1);
  }

  fs::path dir_;
  bool kept_ = false;
  std::unique_ptr<sd::Ledger> ledger_;
};

const sd::LocalDate kFirst{std::chrono::sys_days{kToday} - std::chrono::days{kDays - 1}};

// What the norm asks now: one group's orders per code system.
void BM_NormCountOneGroup(benchmark::State& state) {
  sd::Ledger& ledger = FilledLedger::of(static_cast<int>(state.range(0))).ledger();
  std::int64_t orders = 0;
  for (auto _ : state) {
    auto counted = ledger.count_orders_by_system("Burgerzaken", "03121200-7", kFirst, kToday);
    if (!counted) {
      state.SkipWithError(counted.error().describe().c_str());
      break;
    }
    orders = 0;
    for (const sd::CodeSystemCount& c : *counted) orders += c.count.orders;
    benchmark::DoNotOptimize(orders);
  }
  state.counters["group_orders"] = static_cast<double>(orders);
}
BENCHMARK(BM_NormCountOneGroup)->ArgName("groups")->Arg(40)->Arg(1)->Unit(benchmark::kMillisecond);

// What the norm asked before: the export's aggregation of the whole window.
void BM_NormCountWholeExport(benchmark::State& state) {
  sd::Ledger& ledger = FilledLedger::of(static_cast<int>(state.range(0))).ledger();
  const sd::ExportQuery query{kFirst, kToday, {sd::GroupBy::department, sd::GroupBy::category}};
  for (auto _ : state) {
    std::int64_t orders = 0;
    auto exported = ledger.export_rows(query, [&](const sd::ExportRow& row) -> sd::Result<void> {
      orders += row.orders;
      return {};
    });
    if (!exported) {
      state.SkipWithError(exported.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(orders);
  }
}
BENCHMARK(BM_NormCountWholeExport)->ArgName("groups")->Arg(40)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
