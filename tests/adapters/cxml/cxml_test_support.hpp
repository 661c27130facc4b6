// Helpers of the cXML adapter's tests: fixtures, the adapter from the
// registry, and reading an order in one call.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "socialdefault/adapter.hpp"
#include "test_files.hpp"

namespace socialdefault::cxml::testing {

inline const std::filesystem::path kFixtures = std::filesystem::path(SD_SOURCE_DIR) / "tests/adapters/cxml/fixtures";

using socialdefault::testing::corpus_dir;
using socialdefault::testing::read_file;

inline std::string fixture(const std::string& name) {
  const auto file = kFixtures / name;
  EXPECT_TRUE(std::filesystem::exists(file)) << file;
  return read_file(file);
}

inline std::shared_ptr<const Adapter> cxml_adapter(Limits limits = {}, std::filesystem::path mapping = {}) {
  auto adapter = AdapterRegistry::builtin().create("cxml", AdapterSettings{std::move(mapping), limits});
  EXPECT_TRUE(adapter.ok()) << adapter.error().describe();
  return adapter.ok() ? *adapter : nullptr;
}

using socialdefault::testing::read_order;

inline std::string identifiers(const OrderChoice& c) {
  std::string out;
  for (const SupplierIdentifier& id : c.supplier_identifiers) out += (out.empty() ? "" : ";") + id.scheme + ":" + id.value;
  return out;
}

}  // namespace socialdefault::cxml::testing
