// The splice engine under the rewrite: edits over the original bytes.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace socialdefault::soap
