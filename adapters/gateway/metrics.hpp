// Counters and histograms for /metrics in the Prometheus text format.
// Cheap to update from any thread; rendering takes a snapshot.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "socialdefault/group_commit.hpp"

namespace socialdefault::gateway {

class Histogram {
 public:
  // Upper bounds in seconds; +Inf is implicit.
  static constexpr std::array<double, 14> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  void observe(std::chrono::microseconds elapsed) noexcept;
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_us_{0};
};

// A counter with label values; the label set is small (routes, outcomes).
// Every request counts here: the values are looked up as views, so a label
// set seen before costs no allocation.
class LabelledCounter {
 public:
  using Values = std::initializer_list<std::string_view>;
  explicit LabelledCounter(std::vector<std::string> label_names) : names_(std::move(label_names)) {}
  void add(Values values, std::uint64_t n = 1);
  std::uint64_t get(Values values) const;
  void render(std::string& out, const std::string& name, const std::string& help) const;

 private:
  // Orders stored label sets and looked-up views alike, lexicographically.
  struct Less {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                          [](std::string_view x, std::string_view y) { return x < y; });
    }
  };
  std::vector<std::string> names_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::uint64_t, Less> values_;
};

// The process as Prometheus' client libraries export it (process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_start_time_seconds, process_open_fds, process_max_fds), read from
// /proc/self when /metrics is asked for, and glibc's heap
// (socialdefault_heap_bytes{state="in_use"|"free"}, from mallinfo2): for an
// operator who watches memory and descriptors over weeks, and tells memory
// the allocator keeps from memory in use.
struct ProcessStats {
  bool known = false;  // /proc/self/stat was read (CPU, memory, start)
  double cpu_seconds = 0;
  std::uint64_t resident_bytes = 0;
  std::uint64_t virtual_bytes = 0;
  double start_time_seconds = 0;  // since the Unix epoch
  std::uint64_t open_fds = 0;     // entries of /proc/self/fd, the one listing them included
  std::uint64_t max_fds = 0;      // RLIMIT_NOFILE's soft limit
  std::optional<std::uint64_t> heap_in_use_bytes;  // glibc only
  std::optional<std::uint64_t> heap_free_bytes;

  static ProcessStats read();
  void render(std::string& out) const;
};

struct Metrics {
  LabelledCounter requests{{"route", "outcome"}};
  LabelledCounter rewrites{{"reason"}};
  LabelledCounter fail_open{{"stage"}};
  LabelledCounter choices{{"durability"}};
  Histogram upstream_latency;
  Histogram ledger_latency;
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> reloads{0};
  std::atomic<std::uint64_t> reloads_failed{0};
  std::function<std::size_t()> spool_depth;  // set by whoever owns the spool
  std::function<GroupCommitStats()> offer_stats;  // the engine's background offer writer

  std::string render() const;
};

}  // namespace socialdefault::gateway
