#include "allocator.hpp"

#include <climits>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace socialdefault::gateway {

std::string tune_allocator(const AllocatorTuning& tuning, const char* glibc_tunables) {
#if defined(__GLIBC__)
  if (glibc_tunables != nullptr && *glibc_tunables != '\0') return "left to GLIBC_TUNABLES";
  if (tuning.trim_threshold > static_cast<std::size_t>(INT_MAX) ||
      tuning.mmap_threshold > static_cast<std::size_t>(INT_MAX)) {
    return "refused by malloc";
  }
  // Both are set: setting either one turns off glibc's adjustment of the
  // other, so each must be given its value here.
  const bool trim = mallopt(M_TRIM_THRESHOLD, static_cast<int>(tuning.trim_threshold)) == 1;
  const bool mmap = mallopt(M_MMAP_THRESHOLD, static_cast<int>(tuning.mmap_threshold)) == 1;
  return trim && mmap ? "applied" : "refused by malloc";
#else
  (void)tuning;
  (void)glibc_tunables;
  return "not glibc";
#endif
}

}  // namespace socialdefault::gateway
