#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "socialdefault/bytes.hpp"

namespace socialdefault {
namespace {

// same_bytes compares in words of 8, 4, 2 or 1 bytes, the last word
// overlapping the one before: every length up to a few words, with one
// byte changed at every place, must be told apart, and equal bytes must
// match wherever they lie in memory.
TEST(SameBytes, TellsEveryChangedByteAtEveryLength) {
  const std::string base = "urn:example:erp:purchasing:1/Supplier-0123456789";
  for (std::size_t n = 0; n <= base.size(); ++n) {
    const std::string a = base.substr(0, n);
    std::string b = a;
    ASSERT_TRUE(same_bytes(a, b)) << "length " << n;
    for (std::size_t k = 0; k < n; ++k) {
      std::string c = a;
      c[k] = static_cast<char>(c[k] ^ 0x01);
      EXPECT_FALSE(same_bytes(a, c)) << "length " << n << ", byte " << k;
      EXPECT_FALSE(same_bytes(c, a)) << "length " << n << ", byte " << k;
    }
  }
}

TEST(SameBytes, DifferentLengthsDiffer) {
  EXPECT_FALSE(same_bytes("EUR", "EURO"));
  EXPECT_FALSE(same_bytes("", "x"));
  EXPECT_FALSE(same_bytes("12345678", "123456789"));
  EXPECT_TRUE(same_bytes("", std::string_view{}));
}

TEST(SameBytes, ComparesViewsAtAnyAlignment) {
  const std::string text = "xxBLOEM-01xxxBLOEM-01xBLOEM-02";
  const std::string_view t = text;
  EXPECT_TRUE(same_bytes(t.substr(2, 8), t.substr(13, 8)));
  EXPECT_FALSE(same_bytes(t.substr(2, 8), t.substr(22, 8)));
  EXPECT_TRUE(same_bytes(t.substr(2, 8), "BLOEM-01"));
}

// The '>' that ends a start tag is the first outside a quoted value, in
// either quote, the other quote counting as a character inside one.
TEST(StartTagClose, SkipsQuotedValues) {
  const std::string_view empty;
  EXPECT_EQ(start_tag_close("<a>", 1), 2u);
  EXPECT_EQ(start_tag_close("<a b=\"1>2\">", 1), 10u);
  EXPECT_EQ(start_tag_close("<a b='1>2' c=\"it's >\"/>", 1), 22u);
  EXPECT_EQ(start_tag_close("<a b=\"x'>\">", 1), 10u);
  EXPECT_EQ(start_tag_close("<a b=\">", 1), std::string_view::npos);
  EXPECT_EQ(start_tag_close("<a", 1), std::string_view::npos);
  EXPECT_EQ(start_tag_close(empty, 0), std::string_view::npos);
}

}  // namespace
}  // namespace socialdefault
