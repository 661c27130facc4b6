// The process metrics of /metrics (ProcessStats, metrics.hpp): present in
// Prometheus' text format with plausible values, and following the process:
// descriptors it opens, memory it touches, CPU it spends, and what glibc's
// malloc hands out.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <string>
#include <vector>

#include "metrics.hpp"

namespace socialdefault::gateway {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitizer = true;
#else
constexpr bool kSanitizer = false;
#endif
#else
constexpr bool kSanitizer = false;
#endif

constexpr std::uint64_t kMiB = 1 << 20;

// The value of the sample line "NAME VALUE"; NaN when there is none.
double value_of(const std::string& text, const std::string& name) {
  const std::string start = "\n" + name + " ";
  const std::size_t at = ("\n" + text).find(start);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(text.c_str() + at + start.size() - 1, nullptr);
}

TEST(ProcessMetrics, AreInThePrometheusTextWithPlausibleValues) {
  Metrics metrics;
  const std::string text = metrics.render();
  for (const char* name : {"process_cpu_seconds_total counter", "process_resident_memory_bytes gauge",
                           "process_virtual_memory_bytes gauge", "process_start_time_seconds gauge",
                           "process_open_fds gauge", "process_max_fds gauge"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name + "\n"), std::string::npos) << name << "\n" << text;
  }
  const double resident = value_of(text, "process_resident_memory_bytes");
  EXPECT_GT(resident, static_cast<double>(kMiB)) << text;
  EXPECT_GE(value_of(text, "process_virtual_memory_bytes"), resident) << text;
  const double now = static_cast<double>(std::time(nullptr));
  const double started = value_of(text, "process_start_time_seconds");
  EXPECT_GT(started, now - 86400) << text;  // this test process started less than a day ago
  EXPECT_LE(started, now + 5) << text;
  const double open = value_of(text, "process_open_fds");
  EXPECT_GE(open, 3) << text;  // stdin, stdout, stderr
  EXPECT_GE(value_of(text, "process_max_fds"), open) << text;
  EXPECT_GE(value_of(text, "process_cpu_seconds_total"), 0) << text;
}

TEST(ProcessMetrics, FollowTheDescriptorsTheMemoryAndTheCpuOfTheProcess) {
  const ProcessStats before = ProcessStats::read();
  ASSERT_TRUE(before.known) << "/proc/self/stat was not read";

  std::vector<int> fds;
  for (int i = 0; i < 16; ++i) fds.push_back(open("/dev/null", O_RDONLY | O_CLOEXEC));
  std::vector<char> block(64 * kMiB);
  for (std::size_t i = 0; i < block.size(); i += 4096) block[i] = static_cast<char>(i);
  // 100 ms of this thread's CPU (the counter has clock-tick resolution).
  const std::clock_t until = std::clock() + CLOCKS_PER_SEC / 10;
  volatile std::uint64_t spin = 0;
  while (std::clock() < until) spin = spin + 1;

  const ProcessStats after = ProcessStats::read();
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
  EXPECT_GE(after.open_fds, before.open_fds + 16);
  EXPECT_GE(after.resident_bytes, before.resident_bytes + 60 * kMiB);
  EXPECT_GE(after.cpu_seconds, before.cpu_seconds + 0.05);
  EXPECT_EQ(after.start_time_seconds, before.start_time_seconds);
  EXPECT_EQ(block[4096], static_cast<char>(4096));
}

TEST(ProcessMetrics, TheHeapFollowsWhatMallocHandsOut) {
  if (kSanitizer) GTEST_SKIP() << "AddressSanitizer replaces glibc's malloc, whose figures these are";
  const ProcessStats before = ProcessStats::read();
  if (!before.heap_in_use_bytes) GTEST_SKIP() << "not built against glibc 2.33 or later: no mallinfo2";
  std::vector<char> block(32 * kMiB, 'x');
  const ProcessStats during = ProcessStats::read();
  ASSERT_TRUE(during.heap_in_use_bytes && during.heap_free_bytes);
  EXPECT_GE(*during.heap_in_use_bytes, *before.heap_in_use_bytes + 32 * kMiB);
  std::string text;
  during.render(text);
  EXPECT_NE(text.find("socialdefault_heap_bytes{state=\"in_use\"} " + std::to_string(*during.heap_in_use_bytes) + "\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("socialdefault_heap_bytes{state=\"free\"} "), std::string::npos) << text;
  block.clear();
  block.shrink_to_fit();
  const ProcessStats after = ProcessStats::read();
  EXPECT_LT(*after.heap_in_use_bytes, *during.heap_in_use_bytes);
}

}  // namespace
}  // namespace socialdefault::gateway
