// socialdefaultd's malloc set-up (allocator.hpp): with glibc's defaults a
// thread that makes and frees a few hundred KiB of buffers per request has
// the free pages taken back and faults them in again each time; with the
// tuning it reuses them. Page faults are counted per thread (getrusage), so
// the test measures what the tuning is for, not a timing.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <cstring>
#include <memory>
#include <thread>

#include "allocator.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace socialdefault::gateway {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitizer = true;
#else
constexpr bool kSanitizer = false;
#endif

constexpr int kRounds = 300;

// Minor page faults of a fresh thread that, kRounds times, makes three
// 100 KiB buffers (each below glibc's default mmap threshold of 128 KiB),
// writes them and frees them: the pattern of a shortlist answer's buffers.
long faults_of_a_request_loop() {
  long faults = 0;
  std::thread worker([&faults] {
    rusage before{};
    getrusage(RUSAGE_THREAD, &before);
    for (int round = 0; round < kRounds; ++round) {
      std::unique_ptr<char[]> buffers[3];
      for (auto& b : buffers) {
        b.reset(new char[100 * 1024]);
        std::memset(b.get(), round & 0xFF, 100 * 1024);
      }
    }
    rusage after{};
    getrusage(RUSAGE_THREAD, &after);
    faults = after.ru_minflt - before.ru_minflt;
  });
  worker.join();
  return faults;
}

// glibc's defaults, as far as they can be set again (the thresholds it
// starts from; its adjustment of them stays off once they are set).
void glibc_defaults() {
#if defined(__GLIBC__)
  ASSERT_EQ(mallopt(M_TRIM_THRESHOLD, 128 * 1024), 1);
  ASSERT_EQ(mallopt(M_MMAP_THRESHOLD, 128 * 1024), 1);
#endif
}

class AllocatorTuningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (kSanitizer) GTEST_SKIP() << "AddressSanitizer replaces glibc's malloc, which is what this test measures";
#if !defined(__GLIBC__)
    GTEST_SKIP() << "not built against glibc: the tuning is glibc's malloc's";
#endif
  }
};

TEST_F(AllocatorTuningTest, TheTunedHeapKeepsItsPagesFromOneRequestToTheNext) {
  glibc_defaults();
  const long untuned = faults_of_a_request_loop();
  // The loop's pages are returned and faulted in again on most rounds.
  EXPECT_GT(untuned, kRounds * 4) << "the loop should fault with glibc's defaults";

  EXPECT_EQ(tune_allocator(AllocatorTuning{}, nullptr), "applied");
  const long tuned = faults_of_a_request_loop();
  // Only the first round's pages (300 KiB: about 75) and the heap's growth.
  EXPECT_LT(tuned, kRounds / 2) << "with glibc's defaults: " << untuned;
  EXPECT_GT(untuned, tuned * 10);
  RecordProperty("faults_untuned", static_cast<int>(untuned));
  RecordProperty("faults_tuned", static_cast<int>(tuned));
}

TEST_F(AllocatorTuningTest, GlibcTunablesSetByTheOperatorStand) {
  glibc_defaults();
  EXPECT_EQ(tune_allocator(AllocatorTuning{}, "glibc.malloc.trim_threshold=131072"), "left to GLIBC_TUNABLES");
  EXPECT_GT(faults_of_a_request_loop(), kRounds * 4) << "the thresholds should be as they were";
  // An empty variable sets nothing, so the tuning applies.
  EXPECT_EQ(tune_allocator(AllocatorTuning{}, ""), "applied");
  EXPECT_LT(faults_of_a_request_loop(), kRounds / 2);
}

TEST_F(AllocatorTuningTest, AThresholdMallocCannotTakeIsRefused) {
  AllocatorTuning too_large;
  too_large.trim_threshold = std::size_t{1} << 40;
  EXPECT_EQ(tune_allocator(too_large, nullptr), "refused by malloc");
}

}  // namespace
}  // namespace socialdefault::gateway
