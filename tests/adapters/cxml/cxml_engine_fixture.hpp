// The set-up every cXML test that goes through the engine shares (record,
// status, version tests): the fixtures' deployment (its suppliers are also
// known by DUNS and NetworkID) with the example key, a ledger in a temporary
// folder, the engine's cxml adapter with the fixtures' mapping, and
// recording and counting in one call, as `socialdefault record --adapter
// cxml` does it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cxml_test_support.hpp"
#include "socialdefault/engine.hpp"
#include "standard_engine_test.hpp"

namespace socialdefault::cxml::testing {

inline const std::filesystem::path kExamples = std::filesystem::path(SD_SOURCE_DIR) / "examples";
inline const UtcSeconds kNow = socialdefault::testing::kStandardNow;

class CxmlEngineTest : public socialdefault::testing::StandardEngineTest {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kExamples / "pseudonym.key")) GTEST_SKIP() << "the example key file is absent";
    open(kFixtures / "config.xml", "cxml", kFixtures / "mapping.xml");
  }

  // Reads the fixture `order` (with the fixture `response`, the supplier's
  // answer, when given) and appends what it yields.
  Result<std::vector<ChoiceRecord>> record(const std::string& order, const std::string& response = {},
                                           UtcSeconds at = kNow) {
    const std::string answer = response.empty() ? std::string() : fixture(response);
    return record_text(fixture(order), response.empty() ? std::nullopt : std::optional<std::string_view>(answer), at);
  }

  // The fixture `name` as a status of an order recorded earlier.
  Result<OrderStatusRecord> record_status(const std::string& name, UtcSeconds at = kNow + std::chrono::hours{24}) {
    return engine_->record_order_status(*adapter_, fixture(name), at);
  }
};

}  // namespace socialdefault::cxml::testing
