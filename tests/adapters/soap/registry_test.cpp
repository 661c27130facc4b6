#include <gtest/gtest.h>

#include "socialdefault/adapter.hpp"

namespace socialdefault {
namespace {

TEST(AdapterRegistry, NamesTheBuiltInAdaptersWhenOneIsUnknown) {
  const AdapterRegistry registry = AdapterRegistry::builtin();
  auto missing = registry.create("no-such-adapter", AdapterSettings{});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find("no-such-adapter"), std::string::npos);
}

}  // namespace
}  // namespace socialdefault
