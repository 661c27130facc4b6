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

TEST(AdapterRegistry, SoapIsBuiltInAndLoadsItsMapping) {
  const AdapterRegistry registry = AdapterRegistry::builtin();
  const auto names = registry.names();
  EXPECT_NE(std::find(names.begin(), names.end(), "soap"), names.end());

  AdapterSettings settings;
  settings.mapping = std::filesystem::path(SD_SOURCE_DIR) / "examples" / "erp" / "mapping.xml";
  auto adapter = registry.create("soap", settings);
  ASSERT_TRUE(adapter.ok()) << adapter.error().describe();
  EXPECT_EQ((*adapter)->name(), "soap");
}

TEST(AdapterRegistry, SoapNeedsAMappingFile) {
  const AdapterRegistry registry = AdapterRegistry::builtin();
  auto none = registry.create("soap", AdapterSettings{});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::config);
  EXPECT_EQ(none.error().describe(),
            "the soap adapter needs a mapping file (AdapterSettings::mapping is empty); expected the path of a mapping "
            "such as examples/erp/mapping.xml");
  AdapterSettings settings;
  settings.mapping = "does/not/exist.xml";
  auto missing = registry.create("soap", settings);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::io);
}

}  // namespace
}  // namespace socialdefault
