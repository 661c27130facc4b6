// Ledger::recent_config_changes: the console's list of configuration
// changes, served by the ledger interface so that any backend can serve it.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "socialdefault/ledger.hpp"
#include "sqlite_ledger.hpp"
#include "temp_dir.hpp"

namespace socialdefault {
namespace {

using namespace std::chrono_literals;
using socialdefault::testing::TempDir;

ConfigChangeRecord change(int n) {
  ConfigChangeRecord c;
  c.at = UtcSeconds{std::chrono::sys_days{2026y / 11 / 27}} + 10h + std::chrono::minutes{n};
  c.actor = "inkoop-" + std::to_string(n);
  c.file = "config.xml";
  c.sha256 = std::string(64, static_cast<char>('a' + n));
  c.summary = "change " + std::to_string(n);
  return c;
}

class RecentConfigChanges : public ::testing::Test {
 protected:
  RecentConfigChanges() {
    auto opened = SqliteLedger::open(dir_ / "ledger.db", Keys::from_secret(std::string(64, 'k')).value());
    EXPECT_TRUE(opened) << opened.error().describe();
    if (opened) ledger_ = std::move(opened).value();
  }
  TempDir dir_;
  std::unique_ptr<SqliteLedger> ledger_;
};

TEST_F(RecentConfigChanges, AnEmptyLedgerHasNone) {
  ASSERT_NE(ledger_, nullptr);
  auto none = ledger_->recent_config_changes(20);
  ASSERT_TRUE(none) << none.error().describe();
  EXPECT_TRUE(none->empty());
}

TEST_F(RecentConfigChanges, NewestFirstWithTheirRowsUpToTheLimit) {
  ASSERT_NE(ledger_, nullptr);
  for (int n = 1; n <= 5; ++n) ASSERT_TRUE(ledger_->append_config_change(change(n)));
  auto three = ledger_->recent_config_changes(3);
  ASSERT_TRUE(three) << three.error().describe();
  ASSERT_EQ(three->size(), 3u);
  EXPECT_EQ((*three)[0].row, 5);
  EXPECT_EQ((*three)[1].row, 4);
  EXPECT_EQ((*three)[2].row, 3);
  const ConfigChangeRecord& newest = (*three)[0].change;
  EXPECT_EQ(newest.at, change(5).at);
  EXPECT_EQ(newest.actor, "inkoop-5");
  EXPECT_EQ(newest.file, "config.xml");
  EXPECT_EQ(newest.sha256, std::string(64, 'f'));
  EXPECT_EQ(newest.summary, "change 5");
  EXPECT_EQ((*three)[2].change.actor, "inkoop-3");

  auto all = ledger_->recent_config_changes(100);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ(all->back().row, 1);
  EXPECT_EQ(all->back().change.summary, "change 1");
  auto zero = ledger_->recent_config_changes(0);
  ASSERT_TRUE(zero);
  EXPECT_TRUE(zero->empty());
}

// A row that cannot be read (here a view whose value overflows when it is
// stepped to) is an error that names the ledger, not a shorter list.
TEST_F(RecentConfigChanges, ARowThatCannotBeReadIsAnError) {
  ASSERT_NE(ledger_, nullptr);
  ASSERT_TRUE(ledger_->append_config_change(change(1)));
  ASSERT_TRUE(ledger_->execute(
      "ALTER TABLE config_changes RENAME TO config_changes_kept; "
      "CREATE VIEW config_changes AS SELECT id, abs(-9223372036854775807 - 1) AS at_unix, actor, file, sha256, summary "
      "FROM config_changes_kept"));
  auto broken = ledger_->recent_config_changes(5);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::database);
  EXPECT_EQ(broken.error().where, (dir_ / "ledger.db").string());
  EXPECT_EQ(broken.error().message.rfind("cannot read the configuration changes: integer overflow", 0), 0u)
      << broken.error().message;
}

// A backend without the list says so, rather than showing an empty one.
TEST(LedgerDefaults, ABackendWithoutTheListRefusesWithAMessage) {
  struct Minimal final : Ledger {
    Result<std::int64_t> append_offer(const OfferRecord&) override { return 1; }
    Result<std::optional<OfferRecord>> find_offer(std::string_view) override { return std::optional<OfferRecord>{}; }
    Result<std::int64_t> append_choices(std::span<const ChoiceRecord>) override { return 1; }
    Result<std::int64_t> append_config_change(const ConfigChangeRecord&) override { return 1; }
    Result<std::optional<ConfigChangeRecord>> last_config_change() override {
      return std::optional<ConfigChangeRecord>{};
    }
    Result<std::uint64_t> count_offers(std::string_view, std::string_view) override { return 0u; }
    Result<void> export_rows(const ExportQuery&, const ExportSink&) override { return {}; }
    Result<VerifyReport> verify() override { return VerifyReport{}; }
  } minimal;
  auto listed = minimal.recent_config_changes(5);
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().code, ErrorCode::unsupported);
  EXPECT_EQ(listed.error().message, "this ledger backend cannot list the configuration changes");
}

}  // namespace
}  // namespace socialdefault
