// Conformance over the shared corpus: every SOAP message in it either passes
// through untouched (none carries a shortlist of the example contract) or is
// refused with a clear error; nothing crashes.
#include <gtest/gtest.h>

#include <cstdlib>

#include "soap_test_support.hpp"

namespace socialdefault::soap::testing {
namespace {

std::filesystem::path corpus_messages() { return socialdefault::testing::corpus_dir() / "soap" / "messages"; }

TEST(SoapConformance, CorpusMessagesPassThroughUnchanged) {
  const std::filesystem::path dir = corpus_messages();
  if (!std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "no SOAP corpus at " << dir << " (set SD_CORPUS_DIR to the shared corpus)";
  }
  const SoapAdapter adapter = example_adapter();
  std::size_t files = 0;
  std::size_t recognised = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    const std::string bytes = read_file(entry.path());
    auto message = adapter.recognise(bytes);
    if (!message.ok()) {
      // Refused: it must say why, and point at a byte where that applies.
      const Error& e = message.error();
      EXPECT_TRUE(e.code == ErrorCode::xml || e.code == ErrorCode::unsupported) << e.describe();
      EXPECT_GT(e.message.size(), 10u) << e.describe();
      continue;
    }
    ++recognised;
    const Message& m = **message;
    EXPECT_EQ(m.bytes(), bytes);
    EXPECT_NE(m.kind(), MessageKind::shortlist_response);
    // What the gateway does with it: nothing to read, so nothing to rewrite.
    EXPECT_FALSE(adapter.read_shortlist(m, nullptr).ok());
    Decision applied;
    applied.reason = Reason::applied;
    auto out = adapter.apply_decision(m, Shortlist{}, applied, flowers_policy());
    EXPECT_FALSE(out.ok());
    Decision passed;
    passed.reason = Reason::no_policy;
    auto unchanged = adapter.apply_decision(m, Shortlist{}, passed, flowers_policy());
    ASSERT_TRUE(unchanged.ok());
    EXPECT_EQ(*unchanged, bytes);
  }
  EXPECT_GT(files, 0u) << "the corpus folder " << dir << " is empty";
  EXPECT_GT(recognised, 0u);
}

}  // namespace
}  // namespace socialdefault::soap::testing
