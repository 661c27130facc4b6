// The spool's replay into the SQLite ledger is idempotent: every spooled
// record carries a record id, and the ledger skips a record whose id it
// already holds. A crash between the ledger's commit and the removal of the
// drained file replays that file, and must not duplicate a row.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "gateway_fakes.hpp"
#include "socialdefault/keys.hpp"
#include "spool.hpp"

namespace socialdefault::gateway::testing {
namespace {

ChoiceRecord choice(const std::string& id) {
  ChoiceRecord r;
  r.at = UtcSeconds(std::chrono::seconds(1795000000));
  r.local_date = std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{27}};
  r.correlation_id = id;
  r.order_ref = "PO-" + id;
  r.chosen_supplier = "BLOEM-01";
  r.social = true;
  r.outcome = Outcome::kept_default;
  r.amount = Money{12500, "EUR"};
  r.adapter = "soap";
  return r;
}

std::unique_ptr<Ledger> open_ledger(const TempDir& dir) {
  auto keys = Keys::from_secret(std::string(64, 'k'));
  EXPECT_TRUE(keys) << keys.error().describe();
  auto ledger = open_sqlite_ledger(dir.path() / "ledger.db", *keys);
  EXPECT_TRUE(ledger) << ledger.error().describe();
  return ledger ? std::move(ledger).value() : nullptr;
}

std::uint64_t rows(Ledger& ledger) {
  auto report = ledger.verify();
  EXPECT_TRUE(report) << report.error().describe();
  if (!report) return 0;
  EXPECT_TRUE(report->intact) << report->detail;
  return report->rows_checked;
}

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SpoolReplay, EverySpooledRecordGetsItsOwnRecordId) {
  TempDir dir;
  auto spool = Spool::open(dir.path() / "spool");
  ASSERT_TRUE(spool) << spool.error().describe();
  ASSERT_TRUE((*spool)->keep(std::vector<ChoiceRecord>{choice("REQ-1"), choice("REQ-2")}));
  std::istringstream lines(read_all(dir.path() / "spool" / "choices.spool"));
  std::vector<std::string> ids;
  for (std::string line; std::getline(lines, line);) {
    auto record = choice_from_json(line);
    ASSERT_TRUE(record) << record.error().describe();
    EXPECT_TRUE(record->record_id.starts_with("spool-")) << line;
    EXPECT_EQ(record->record_id.size(), 6u + 32u) << line;
    ids.push_back(record->record_id);
  }
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_NE(ids[0], ids[1]);
}

TEST(SpoolReplay, JsonKeepsRecordIdAndArm) {
  ChoiceRecord r = choice("REQ-1");
  r.record_id = "spool-0123";
  r.arm = "flowers-note/impact";
  auto back = choice_from_json(choice_to_json(r));
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(back->record_id, "spool-0123");
  EXPECT_EQ(back->arm, "flowers-note/impact");
  // A line spooled before record ids existed still reads, without one.
  std::string old = choice_to_json(choice("REQ-2"));
  EXPECT_EQ(old.find("record_id"), std::string::npos);
  auto read = choice_from_json(old);
  ASSERT_TRUE(read) << read.error().describe();
  EXPECT_TRUE(read->record_id.empty());
}

// The crash: the drain committed the file's records to the ledger, and the
// process died before it removed the file. The restart drains it again.
TEST(SpoolReplay, ReplayAfterACrashBetweenCommitAndRemovalDuplicatesNothing) {
  TempDir dir;
  auto ledger = open_ledger(dir);
  ASSERT_TRUE(ledger);
  std::string spooled;
  {
    auto spool = Spool::open(dir.path() / "spool");
    ASSERT_TRUE(spool) << spool.error().describe();
    ASSERT_TRUE((*spool)->keep(std::vector<ChoiceRecord>{choice("REQ-1"), choice("REQ-2"), choice("REQ-3")}));
    spooled = read_all(dir.path() / "spool" / "choices.spool");
    auto moved = (*spool)->drain(*ledger);
    ASSERT_TRUE(moved) << moved.error().describe();
    EXPECT_EQ(*moved, 3u);
    EXPECT_EQ((*spool)->depth(), 0u);
  }
  ASSERT_EQ(rows(*ledger), 3u);
  // What the crash left behind: the file, renamed aside for the drain.
  std::ofstream(dir.path() / "spool" / "choices.draining.00000000000000000001", std::ios::binary) << spooled;
  auto restarted = Spool::open(dir.path() / "spool");
  ASSERT_TRUE(restarted) << restarted.error().describe();
  EXPECT_EQ((*restarted)->depth(), 3u);
  auto again = (*restarted)->drain(*ledger);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ((*restarted)->depth(), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "spool" / "choices.draining.00000000000000000001"));
  EXPECT_EQ(rows(*ledger), 3u) << "the replay added rows the ledger already held";

  // A record spooled later still goes in: only known ids are skipped.
  auto spool = Spool::open(dir.path() / "spool");
  ASSERT_TRUE(spool);
  ASSERT_TRUE((*spool)->keep(std::vector<ChoiceRecord>{choice("REQ-4")}));
  ASSERT_TRUE((*spool)->drain(*ledger));
  EXPECT_EQ(rows(*ledger), 4u);
}

TEST(SpoolReplay, LedgerSkipsAKnownRecordIdAlsoWithinOneBatch) {
  TempDir dir;
  auto ledger = open_ledger(dir);
  ASSERT_TRUE(ledger);
  ChoiceRecord a = choice("REQ-1");
  a.record_id = "spool-a";
  ChoiceRecord b = choice("REQ-2");
  b.record_id = "spool-b";
  ASSERT_TRUE(ledger->append_choices(std::vector<ChoiceRecord>{a, a, b}));
  EXPECT_EQ(rows(*ledger), 2u);
  auto again = ledger->append_choices(std::vector<ChoiceRecord>{b, a});
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(rows(*ledger), 2u);
  // Records without an id are not checked: the group commit's own path.
  ASSERT_TRUE(ledger->append_choices(std::vector<ChoiceRecord>{choice("REQ-3"), choice("REQ-3")}));
  EXPECT_EQ(rows(*ledger), 4u);
  // An id that names a row of another order does not hide this one.
  ChoiceRecord other = choice("REQ-9");
  other.record_id = "spool-a";
  ASSERT_TRUE(ledger->append_choices(std::vector<ChoiceRecord>{other}));
  EXPECT_EQ(rows(*ledger), 5u);
}

}  // namespace
}  // namespace socialdefault::gateway::testing
