#include <gtest/gtest.h>

#include "socialdefault/result.hpp"

namespace socialdefault {
namespace {

TEST(Result, CarriesValueOrError) {
  Result<int> good = 42;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);

  Result<int> bad = make_error(ErrorCode::config, "social supplier \"V-9\" is not defined", "config.xml:42");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::config);
  EXPECT_EQ(bad.error().describe(), "config.xml:42: social supplier \"V-9\" is not defined");
}

TEST(Result, VoidResult) {
  Result<void> fine;
  EXPECT_TRUE(fine.ok());
  Result<void> failed = make_error(ErrorCode::io, "disk full");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().describe(), "disk full");
  EXPECT_STREQ(to_string(ErrorCode::tampered), "tampered");
}

}  // namespace
}  // namespace socialdefault
