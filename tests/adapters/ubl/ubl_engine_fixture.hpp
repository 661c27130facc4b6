// The set-up every UBL test that goes through the engine shares (record,
// status, version tests): the example deployment, a ledger in a temporary
// folder, the engine's ubl adapter, and recording and counting in one call,
// as `socialdefault record --adapter ubl` does it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "socialdefault/engine.hpp"
#include "standard_engine_test.hpp"
#include "ubl_test_support.hpp"

namespace socialdefault::ubl::testing {

inline const std::filesystem::path kExamples = std::filesystem::path(SD_SOURCE_DIR) / "examples";
inline const UtcSeconds kNow = socialdefault::testing::kStandardNow;

class UblEngineTest : public socialdefault::testing::StandardEngineTest {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kExamples / "config.xml")) GTEST_SKIP() << "the example configuration is absent";
    open(kExamples / "config.xml", "ubl", {});
  }

  // Reads the fixture `order` (with the response text, when given) and
  // appends what it yields.
  Result<std::vector<ChoiceRecord>> record(const std::string& order, std::optional<std::string> response = {},
                                           UtcSeconds at = kNow) {
    return record_text(fixture(order), response ? std::optional<std::string_view>(*response) : std::nullopt, at);
  }

  // The fixture `name` as a status of an order recorded earlier.
  Result<OrderStatusRecord> record_status(const std::string& name, UtcSeconds at = kNow + std::chrono::hours{24}) {
    return engine_->record_order_status(*adapter_, fixture(name), at);
  }
};

}  // namespace socialdefault::ubl::testing
