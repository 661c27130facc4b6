#include "metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace socialdefault::gateway {

namespace {

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void gauge(std::string& out, const char* name, const char* help, const std::string& value) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " + value + "\n";
}

}  // namespace

ProcessStats ProcessStats::read() {
  ProcessStats stats;
  // /proc/self/stat: the fields after the command's closing parenthesis,
  // the first of which (index 0) is field 3 of proc(5).
  std::ifstream stat_file("/proc/self/stat");
  std::string line;
  if (std::getline(stat_file, line)) {
    const std::size_t close = line.rfind(')');
    if (close != std::string::npos) {
      std::istringstream rest(line.substr(close + 1));
      std::vector<std::string> fields;
      for (std::string field; rest >> field;) fields.push_back(field);
      if (fields.size() > 21) {
        const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
        const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
        stats.cpu_seconds = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;  // utime, stime
        stats.virtual_bytes = std::stoull(fields[20]);
        stats.resident_bytes = static_cast<std::uint64_t>(std::stod(fields[21]) * page);
        // starttime counts ticks since boot; /proc/stat's btime is the boot in Unix seconds.
        std::ifstream boot_file("/proc/stat");
        for (std::string key; boot_file >> key;) {
          if (key == "btime") {
            double boot = 0;
            boot_file >> boot;
            stats.start_time_seconds = boot + std::stod(fields[19]) / ticks;
            break;
          }
          boot_file.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
        }
        stats.known = true;
      }
    }
  }
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) {
    ++stats.open_fds;
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) stats.max_fds = limit.rlim_cur;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 heap = mallinfo2();
  stats.heap_in_use_bytes = heap.uordblks + heap.hblkhd;  // from the arenas, and mapped on their own
  stats.heap_free_bytes = heap.fordblks;
#endif
  return stats;
}

void ProcessStats::render(std::string& out) const {
  if (known) {
    out += "# HELP process_cpu_seconds_total User and system CPU time of the process.\n"
           "# TYPE process_cpu_seconds_total counter\n";
    out += "process_cpu_seconds_total " + format_double(cpu_seconds) + "\n";
    gauge(out, "process_resident_memory_bytes", "Resident memory of the process.", std::to_string(resident_bytes));
    gauge(out, "process_virtual_memory_bytes", "Virtual memory of the process.", std::to_string(virtual_bytes));
    char start[32];
    std::snprintf(start, sizeof start, "%.2f", start_time_seconds);
    gauge(out, "process_start_time_seconds", "Start of the process, in seconds since the Unix epoch.", start);
  }
  gauge(out, "process_open_fds", "Open file descriptors.", std::to_string(open_fds));
  gauge(out, "process_max_fds", "The limit on open file descriptors.", std::to_string(max_fds));
  if (heap_in_use_bytes && heap_free_bytes) {
    out += "# HELP socialdefault_heap_bytes glibc malloc: bytes handed out (in_use) and bytes free in its arenas "
           "(free). Resident memory that grows with free and not in_use is the allocator keeping memory, not a "
           "leak.\n# TYPE socialdefault_heap_bytes gauge\n";
    out += "socialdefault_heap_bytes{state=\"in_use\"} " + std::to_string(*heap_in_use_bytes) + "\n";
    out += "socialdefault_heap_bytes{state=\"free\"} " + std::to_string(*heap_free_bytes) + "\n";
  }
}

void Histogram::observe(std::chrono::microseconds elapsed) noexcept {
  const double seconds = static_cast<double>(elapsed.count()) / 1e6;
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, elapsed.count())), std::memory_order_relaxed);
}

void Histogram::render(std::string& out, const std::string& name, const std::string& help) const {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out += name + "_bucket{le=\"" + format_double(kBounds[i]) + "\"} " + std::to_string(cumulative) + "\n";
  }
  cumulative += buckets_[kBounds.size()].load(std::memory_order_relaxed);
  out += name + "_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
  out += name + "_sum " + format_double(static_cast<double>(sum_us_.load()) / 1e6) + "\n";
  out += name + "_count " + std::to_string(count_.load()) + "\n";
}

void LabelledCounter::add(Values values, std::uint64_t n) {
  std::lock_guard lock(mutex_);
  if (auto it = values_.find(values); it != values_.end()) {
    it->second += n;
    return;
  }
  values_.emplace(std::vector<std::string>(values.begin(), values.end()), n);
}

std::uint64_t LabelledCounter::get(Values values) const {
  std::lock_guard lock(mutex_);
  auto it = values_.find(values);
  return it == values_.end() ? 0 : it->second;
}

void LabelledCounter::render(std::string& out, const std::string& name, const std::string& help) const {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [values, n] : values_) {
    out += name + "{";
    for (std::size_t i = 0; i < names_.size() && i < values.size(); ++i) {
      if (i > 0) out += ",";
      out += names_[i] + "=\"" + escape_label(values[i]) + "\"";
    }
    out += "} " + std::to_string(n) + "\n";
  }
}

std::string Metrics::render() const {
  std::string out;
  requests.render(out, "socialdefault_requests_total", "Requests through the gateway by route and outcome.");
  rewrites.render(out, "socialdefault_rewrites_total", "Shortlist responses by the engine's reason.");
  fail_open.render(out, "socialdefault_fail_open_total", "Messages passed through unchanged because socialdefault could not act, by stage.");
  choices.render(out, "socialdefault_choices_total", "Recorded order choices by where they were made durable.");
  upstream_latency.render(out, "socialdefault_upstream_seconds", "Time the ERP took to answer.");
  ledger_latency.render(out, "socialdefault_ledger_seconds", "Time of a group-commit transaction.");
  gauge(out, "socialdefault_spool_depth", "Choice records in the spool waiting for the ledger.",
        std::to_string(spool_depth ? spool_depth() : 0));
  // Offers are written in the background (not durable when the shortlist
  // goes back); one the ledger keeps refusing is dropped after its retries,
  // and this is where that shows.
  const GroupCommitStats offers = offer_stats ? offer_stats() : GroupCommitStats{};
  out += "# HELP socialdefault_offers_total Offers (the default shown for a shortlist) by what became of them.\n# TYPE socialdefault_offers_total counter\n";
  out += "socialdefault_offers_total{result=\"queued\"} " + std::to_string(offers.offers) + "\n";
  out += "socialdefault_offers_total{result=\"written\"} " + std::to_string(offers.offers_written) + "\n";
  out += "socialdefault_offers_total{result=\"dropped\"} " + std::to_string(offers.offers_dropped) + "\n";
  out += "# HELP socialdefault_offer_batch_failures_total Offer batches the ledger refused (each is retried).\n# TYPE socialdefault_offer_batch_failures_total counter\n";
  out += "socialdefault_offer_batch_failures_total " + std::to_string(offers.offer_failures) + "\n";
  gauge(out, "socialdefault_connections", "Open client connections.", std::to_string(connections.load()));
  out += "# HELP socialdefault_connections_refused_total Connections answered 503 at the connection cap.\n# TYPE socialdefault_connections_refused_total counter\n";
  out += "socialdefault_connections_refused_total " + std::to_string(connections_refused.load()) + "\n";
  out += "# HELP socialdefault_reloads_total Configuration reloads by result.\n# TYPE socialdefault_reloads_total counter\n";
  out += "socialdefault_reloads_total{result=\"ok\"} " + std::to_string(reloads.load()) + "\n";
  out += "socialdefault_reloads_total{result=\"refused\"} " + std::to_string(reloads_failed.load()) + "\n";
  ProcessStats::read().render(out);
  return out;
}

}  // namespace socialdefault::gateway
