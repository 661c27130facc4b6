// Helpers of the UBL adapter's tests: fixtures, the adapter from the
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

namespace socialdefault::ubl::testing {

inline const std::filesystem::path kFixtures = std::filesystem::path(SD_SOURCE_DIR) / "tests/adapters/ubl/fixtures";

using socialdefault::testing::corpus_dir;
using socialdefault::testing::read_file;

inline std::string fixture(const std::string& name) {
  const auto file = kFixtures / name;
  EXPECT_TRUE(std::filesystem::exists(file)) << file;
  return read_file(file);
}

inline std::shared_ptr<const Adapter> ubl_adapter(Limits limits = {}) {
  auto adapter = AdapterRegistry::builtin().create("ubl", AdapterSettings{{}, limits});
  EXPECT_TRUE(adapter.ok()) << adapter.error().describe();
  return adapter.ok() ? *adapter : nullptr;
}

using socialdefault::testing::read_order;

inline std::string identifiers(const OrderChoice& c) {
  std::string out;
  for (const SupplierIdentifier& id : c.supplier_identifiers) out += (out.empty() ? "" : ";") + id.scheme + ":" + id.value;
  return out;
}

}  // namespace socialdefault::ubl::testing
