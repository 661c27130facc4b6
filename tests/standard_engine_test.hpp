// What the engine-level tests of the standard-document adapters (UBL, cXML)
// share: an engine on a configuration with a ledger in a temporary folder,
// one adapter of the engine, appending what an order yields as
// `socialdefault record` does, and reading 2026's export back.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "socialdefault/engine.hpp"
#include "temp_dir.hpp"

namespace socialdefault::testing {

// 2026-11-27 11:00 in Amsterdam: the example suppliers' evidence is valid.
inline const UtcSeconds kStandardNow =
    UtcSeconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}} + std::chrono::hours{10};

class StandardEngineTest : public ::testing::Test {
 protected:
  // Opens the engine on config (actor: the test suite) and its adapter
  // `kind` with mapping (empty for none).
  void open(const std::filesystem::path& config, std::string_view kind, const std::filesystem::path& mapping) {
    EngineOptions options;
    options.config = config;
    options.ledger = dir_ / "ledger.sqlite";
    options.actor = ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name();
    auto engine = Engine::open(options);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    engine_ = std::move(engine).value();
    auto adapter = engine_->make_adapter(kind, mapping, Limits{});
    ASSERT_TRUE(adapter.ok()) << adapter.error().describe();
    adapter_ = *adapter;
  }

  // Reads an order (with the supplier's answer, when given) and appends
  // what it yields.
  Result<std::vector<ChoiceRecord>> record_text(std::string_view order, std::optional<std::string_view> response,
                                                UtcSeconds at) {
    auto records = engine_->prepare_choices(*adapter_, order, response, at);
    if (!records) return records;
    if (!records->empty()) {
      auto stored = engine_->ledger().append_choices(*records);
      if (!stored) return std::move(stored).error();
    }
    return records;
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

  TempDir dir_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<const Adapter> adapter_;
};

}  // namespace socialdefault::testing
