// How socialdefaultd sets up glibc's malloc for its traffic (docs/gateway.md,
// "Threads", the malloc entry). Every shortlist answer makes transient buffers of tens of KiB
// (the ERP's answer, the scan's element list, the rewritten body) that are
// freed before the next one arrives. With glibc's defaults the free top of
// a heap is returned to the system once it exceeds 128 KiB, so at 50
// suppliers and up the same pages were handed back and faulted in again on
// every request (about 2.7 page faults per request at 50 suppliers).
#pragma once

#include <cstddef>
#include <string>

namespace socialdefault::gateway {

struct AllocatorTuning {
  // Free memory at the top of a heap kept for reuse before it is returned
  // to the system (M_TRIM_THRESHOLD): per arena, so per busy thread.
  std::size_t trim_threshold = std::size_t{16} << 20;
  // Allocations at least this large are mapped on their own
  // (M_MMAP_THRESHOLD); smaller ones, up to a 500-supplier answer and
  // beyond, come from the heap and are reused.
  std::size_t mmap_threshold = std::size_t{4} << 20;
};

// Applies tuning to glibc's malloc, unless the operator set GLIBC_TUNABLES
// (glibc_tunables: that variable's value, or null), whose settings then
// stand. Returns what was done, for the start log: "applied", "left to
// GLIBC_TUNABLES", "refused by malloc", or "not glibc".
std::string tune_allocator(const AllocatorTuning& tuning, const char* glibc_tunables);

}  // namespace socialdefault::gateway
