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
#include "temp_dir.hpp"
#include "ubl_test_support.hpp"

namespace socialdefault::ubl::testing {

inline const std::filesystem::path kExamples = std::filesystem::path(SD_SOURCE_DIR) / "examples";
// 2026-11-27 11:00 in Amsterdam: the example suppliers' evidence is valid.
inline const UtcSeconds kNow = UtcSeconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}} +
                               std::chrono::hours{10};

class UblEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kExamples / "config.xml")) GTEST_SKIP() << "the example configuration is absent";
    EngineOptions options;
    options.config = kExamples / "config.xml";
    options.ledger = dir_ / "ledger.sqlite";
    options.actor = ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name();
    auto engine = Engine::open(options);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    engine_ = std::move(engine).value();
    auto adapter = engine_->make_adapter("ubl", {}, Limits{});
    ASSERT_TRUE(adapter.ok()) << adapter.error().describe();
    adapter_ = *adapter;
  }

  // Reads the fixture `order` (with the response text, when given) and
  // appends what it yields.
  Result<std::vector<ChoiceRecord>> record(const std::string& order, std::optional<std::string> response = {},
                                           UtcSeconds at = kNow) {
    auto records = engine_->prepare_choices(*adapter_, fixture(order),
                                            response ? std::optional<std::string_view>(*response) : std::nullopt, at);
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

}  // namespace socialdefault::ubl::testing
