// How socialdefaultd sets up glibc's malloc for its traffic (docs/gateway.md,
// "Threads", the malloc entry). Every shortlist answer makes transient buffers of tens of KiB
// (the ERP's answer, the scan's element list, the rewritten body) that are
// freed before the next one arrives. With glibc's defaults the free top of
// a heap is returned to the system once it exceeds 128 KiB, so at 50
// suppliers and up the same pages were handed back and faulted in again on
// every request (about 2.7 page faults per request at 50 suppliers).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace socialdefault::gateway {

struct AllocatorTuning {
  // Free memory at the top of a heap kept for reuse before it is returned
  // to the system (M_TRIM_THRESHOLD): per arena, so per busy thread.
  std::size_t trim_threshold = std::size_t{16} << 20;
  // Allocations at least this large are mapped on their own
  // (M_MMAP_THRESHOLD); smaller ones, up to a 500-supplier answer and
  // beyond, come from the heap and are reused.
  std::size_t mmap_threshold = std::size_t{4} << 20;
  // How often socialdefaultd returns the heap's free pages (HeapTrimmer),
  // when this tuning applied.
  std::chrono::milliseconds trim_interval{std::chrono::seconds(60)};
};

// Applies tuning to glibc's malloc, unless the operator set GLIBC_TUNABLES
// (glibc_tunables: that variable's value, or null), whose settings then
// stand. Returns what was done, for the start log: "applied", "left to
// GLIBC_TUNABLES", "refused by malloc", or "not glibc".
std::string tune_allocator(const AllocatorTuning& tuning, const char* glibc_tunables);

// Hands the heap's free pages back to the system (glibc's malloc_trim):
// the ones at the top of each heap and whole free pages inside it. True
// when some were returned; false, and nothing done, without glibc.
bool trim_heap() noexcept;

// trim_heap() every interval on a thread of its own, never on an io thread
// (a trim locks one arena after the other). With the trim threshold above
// glibc keeps up to 16 MiB free in each arena, and over hours of traffic
// that free memory spreads through the heaps: a soak's resident memory
// grew about 0.08 MiB a minute with glibc's in-use bytes flat and its free
// bytes growing (bench/RESULTS.md, soak run 5). A trim a minute costs the
// pages the next requests fault in again, once.
class HeapTrimmer {
 public:
  explicit HeapTrimmer(std::chrono::milliseconds interval);
  ~HeapTrimmer();  // stops at once and joins
  HeapTrimmer(const HeapTrimmer&) = delete;
  HeapTrimmer& operator=(const HeapTrimmer&) = delete;
  std::uint64_t trims() const;

 private:
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t trims_ = 0;
  std::thread thread_;
};

}  // namespace socialdefault::gateway
