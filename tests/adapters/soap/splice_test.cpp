// The splice engine under the rewrite: edits over the original bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "splice.hpp"

namespace socialdefault::soap {
namespace {

TEST(SoapSplice, ReplacesAndInsertsInOrder) {
  Splice splice("<a>old</a>");
  splice.insert(3, "[1]");
  splice.replace({3, 6}, "new");
  splice.insert(3, "[2]");
  splice.insert(10, "!");
  ASSERT_TRUE(splice.prepare().ok());
  std::string out;
  splice.render(0, 10, out);
  EXPECT_EQ(out, "<a>[1][2]new</a>");  // an insertion at the end belongs to the next range
  out.clear();
  splice.render(3, 6, out);
  EXPECT_EQ(out, "[1][2]new");
}

TEST(SoapSplice, OverlappingReplacementsAreRefused) {
  Splice splice("<a>abcdef</a>");
  splice.replace({3, 6}, "x");
  splice.replace({5, 8}, "y");
  auto prepared = splice.prepare();
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.error().code, ErrorCode::mapping);
  EXPECT_EQ(prepared.error().describe(),
            "byte 5: two mapped fields would change the same bytes; check that the mapping's paths point at "
            "different elements");
  Splice twice("<a>abcdef</a>");
  twice.replace({3, 6}, "x");
  twice.replace({3, 6}, "y");
  EXPECT_FALSE(twice.prepare().ok());
}

TEST(SoapSplice, EditOutsideTheMessageIsAnInternalError) {
  Splice splice("<a/>");
  splice.replace({2, 9}, "x");
  auto prepared = splice.prepare();
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.error().describe(), "byte 2: an edit lies outside the message");
}

TEST(SoapSplice, CrossesTellsWhetherABoundaryCutsAnEdit) {
  Splice splice("0123456789");
  splice.replace({2, 5}, "x");
  splice.insert(7, "y");
  ASSERT_TRUE(splice.prepare().ok());
  EXPECT_FALSE(splice.crosses(2));
  EXPECT_TRUE(splice.crosses(3));
  EXPECT_FALSE(splice.crosses(5));
  EXPECT_FALSE(splice.crosses(7));
}

// Many edits, insertions at the start of a replacement among them: crosses
// agrees at every offset with a look at each edit.
TEST(SoapSplice, CrossesAgreesWithEveryEditAtEveryOffset) {
  const std::string original(64, '.');
  Splice splice(original);
  const std::vector<std::pair<std::size_t, std::size_t>> edits{{3, 9}, {9, 9}, {9, 12}, {20, 20}, {20, 21}, {30, 44}, {50, 50}, {63, 64}};
  for (std::size_t k = edits.size(); k-- > 0;) {  // out of order: prepare sorts
    if (edits[k].first == edits[k].second) splice.insert(edits[k].first, "i");
    else splice.replace({edits[k].first, edits[k].second}, "r");
  }
  ASSERT_TRUE(splice.prepare().ok());
  for (std::size_t offset = 0; offset <= original.size(); ++offset) {
    SCOPED_TRACE(offset);
    const bool expected = std::any_of(edits.begin(), edits.end(),
                                      [&](const auto& e) { return e.first < offset && offset < e.second; });
    EXPECT_EQ(splice.crosses(offset), expected);
  }
}

}  // namespace
}  // namespace socialdefault::soap
