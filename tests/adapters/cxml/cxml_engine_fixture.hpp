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
#include "temp_dir.hpp"

namespace socialdefault::cxml::testing {

inline const std::filesystem::path kExamples = std::filesystem::path(SD_SOURCE_DIR) / "examples";
// 2026-11-27 11:00 in Amsterdam: the example suppliers' evidence is valid.
inline const UtcSeconds kNow = UtcSeconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}} +
                               std::chrono::hours{10};

class CxmlEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kExamples / "pseudonym.key")) GTEST_SKIP() << "the example key file is absent";
    EngineOptions options;
    options.config = kFixtures / "config.xml";
    options.ledger = dir_ / "ledger.sqlite";
    options.actor = ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name();
    auto engine = Engine::open(options);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    engine_ = std::move(engine).value();
    auto adapter = engine_->make_adapter("cxml", kFixtures / "mapping.xml", Limits{});
    ASSERT_TRUE(adapter.ok()) << adapter.error().describe();
    adapter_ = *adapter;
  }

  // Reads the fixture `order` (with the fixture `response`, the supplier's
  // answer, when given) and appends what it yields.
  Result<std::vector<ChoiceRecord>> record(const std::string& order, const std::string& response = {},
                                           UtcSeconds at = kNow) {
    const std::string answer = response.empty() ? std::string() : fixture(response);
    auto records = engine_->prepare_choices(
        *adapter_, fixture(order), response.empty() ? std::nullopt : std::optional<std::string_view>(answer), at);
    if (!records) return records;
    if (!records->empty()) {
      auto stored = engine_->ledger().append_choices(*records);
      if (!stored) return std::move(stored).error();
    }
    return records;
  }

  // The fixture `name` as a status of an order recorded earlier.
  Result<OrderStatusRecord> record_status(const std::string& name, UtcSeconds at = kNow + std::chrono::hours{24}) {
    return engine_->record_order_status(*adapter_, fixture(name), at);
  }

  std::vector<ExportRow> rows(std::vector<GroupBy> keys = {}) {
    std::vector<ExportRow> out;
    auto done = engine_->ledger().export_rows(
        ExportQuery{std::chrono::year{2026} / 1 / 1, std::chrono::year{2026} / 12 / 31, std::move(keys)},
        [&](const ExportRow& row) -> Result<void> {
          out.push_back(row);
          return {};
        });
    EXPECT_TRUE(done.ok()) << done.error().describe();
    return out;
  }

  // Order lines the export counts in 2026.
  std::int64_t orders() {
    std::int64_t n = 0;
    for (const ExportRow& row : rows()) n += row.orders;
    return n;
  }

  socialdefault::testing::TempDir dir_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<const Adapter> adapter_;
};

}  // namespace socialdefault::cxml::testing
