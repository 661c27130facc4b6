#include <gtest/gtest.h>

#include "temp_dir.hpp"
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "socialdefault/ledger.hpp"
#include "sqlite_ledger.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

Keys test_keys(char fill = 'a') { return Keys::from_secret(std::string(64, fill)).value(); }

using socialdefault::testing::TempDir;

ChoiceRecord make_choice(int n, std::string department = "Facilitair") {
  ChoiceRecord c;
  c.at = UtcSeconds{std::chrono::sys_days{2026y / 11 / 27}} + 10h + std::chrono::minutes{n};
  c.local_date = 2026y / 11 / 27;
  c.correlation_id = "REQ-" + std::to_string(n);
  c.order_ref = "PO-" + std::to_string(1000 + n);
  c.line = 1;
  c.requester_pseudonym = test_keys().pseudonymise("employee-" + std::to_string(n));
  c.department = std::move(department);
  c.category_code_system = "CPV";
  c.category = "03121200-7";
  c.default_offered = "BLOEM-01";
  c.chosen_supplier = "BLOEM-01";
  c.social = true;
  c.evidence = "pso-3 2026-01-01..2027-12-31";
  c.addressable = true;
  c.outcome = Outcome::kept_default;
  c.amount = Money{4950 + n, "EUR"};
  c.adapter = "soap";
  return c;
}

OfferRecord make_offer(int n, std::string category = "03121200-7") {
  OfferRecord o;
  o.at = UtcSeconds{std::chrono::sys_days{2026y / 11 / 27}} + 9h + std::chrono::minutes{n};
  o.correlation_id = "REQ-" + std::to_string(n);
  o.requester_pseudonym = test_keys().pseudonymise("employee-" + std::to_string(n));
  o.department = "Facilitair";
  o.category_code_system = "CPV";
  o.category = std::move(category);
  o.default_supplier = "BLOEM-01";
  o.reason = "applied";
  o.arm = "default";
  o.adapter = "soap";
  return o;
}

std::unique_ptr<SqliteLedger> open_ledger(const fs::path& file, const Keys& keys = test_keys()) {
  auto ledger = SqliteLedger::open(file, keys);
  EXPECT_TRUE(ledger.ok()) << ledger.error().describe();
  return ledger.ok() ? std::move(ledger).value() : nullptr;
}

// Plain SQL through a separate connection, as someone with file access
// would tamper.
void tamper(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  const std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << text;
}

std::string query_text(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(statement, 0);
    out = text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return out;
}

// A ledger with 5 choices, 2 offers and 1 configuration change.
class FilledLedger : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = open_ledger(file_);
    ASSERT_NE(ledger_, nullptr);
    ASSERT_TRUE(ledger_->append_offer(make_offer(1)).ok());
    ASSERT_TRUE(ledger_->append_offer(make_offer(2)).ok());
    std::vector<ChoiceRecord> choices;
    for (int i = 1; i <= 5; ++i) choices.push_back(make_choice(i));
    auto first = ledger_->append_choices(choices);
    ASSERT_TRUE(first.ok()) << first.error().describe();
    ASSERT_EQ(*first, 1);
    ConfigChangeRecord change{UtcSeconds{std::chrono::sys_days{2026y / 11 / 1}}, "inkoop", "config.xml",
                              std::string(64, 'c'), "5 categories, 26 suppliers"};
    ASSERT_TRUE(ledger_->append_config_change(change).ok());
  }

  VerifyReport verify() {
    auto report = ledger_->verify();
    EXPECT_TRUE(report.ok()) << report.error().describe();
    return report.ok() ? *report : VerifyReport{};
  }

  TempDir dir_;
  fs::path file_ = dir_ / "ledger.db";
  std::unique_ptr<SqliteLedger> ledger_;
};

TEST(SqliteLedger, CreatesAVersionedWalLedger) {
  TempDir dir;
  auto ledger = open_ledger(dir / "ledger.db");
  ASSERT_NE(ledger, nullptr);
  EXPECT_EQ(query_text(dir / "ledger.db", "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_text(dir / "ledger.db", "PRAGMA user_version"), std::to_string(SqliteLedger::kSchemaVersion));
  EXPECT_EQ(query_text(dir / "ledger.db", "PRAGMA application_id"), std::to_string(SqliteLedger::kApplicationId));
  EXPECT_EQ(query_text(dir / "ledger.db", "SELECT group_concat(table_name, ',') FROM (SELECT table_name FROM chain_heads ORDER BY table_name)"),
            "choices,config_changes,offers,order_statuses");
  auto report = ledger->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact);
  EXPECT_EQ(report->rows_checked, 0u);
}

TEST(SqliteLedger, WritingConnectionIsDurableAndPatient) {
  TempDir dir;
  auto ledger = open_ledger(dir / "ledger.db");
  ASSERT_NE(ledger, nullptr);
  // abs(INT64_MIN) raises "integer overflow": the statement fails unless the
  // connection has synchronous=FULL (2), foreign keys and the busy timeout.
  const auto unless = [&](const std::string& condition) {
    return ledger->execute("SELECT CASE WHEN " + condition + " THEN 1 ELSE abs(-9223372036854775807 - 1) END");
  };
  EXPECT_TRUE(unless("(SELECT synchronous FROM pragma_synchronous) = 2").ok());
  EXPECT_TRUE(unless("(SELECT foreign_keys FROM pragma_foreign_keys) = 1").ok());
  EXPECT_TRUE(unless("(SELECT timeout FROM pragma_busy_timeout) = 5000").ok());
  EXPECT_FALSE(unless("(SELECT synchronous FROM pragma_synchronous) = 1").ok());
}

TEST(SqliteLedger, OpenOrdinaryLedgerThroughTheInterface) {
  TempDir dir;
  auto ledger = open_sqlite_ledger(dir / "ledger.db", test_keys());
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  auto id = (*ledger)->append_offer(make_offer(1));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 1);
}

TEST_F(FilledLedger, StoresExplicitColumns) {
  EXPECT_EQ(query_text(file_, "SELECT local_date || '|' || at_utc || '|' || at_unix || '|' || amount_minor || '|' || "
                              "currency || '|' || outcome || '|' || social FROM choices WHERE id = 2"),
            "2026-11-27|2026-11-27T10:02:00Z|1795773720|4952|EUR|kept-default|1");
  EXPECT_EQ(query_text(file_, "SELECT typeof(amount_minor) || typeof(at_unix) || typeof(local_date) FROM choices"),
            "integerintegertext");
  // Each row names its predecessor's MAC; the first names the genesis value.
  EXPECT_EQ(query_text(file_, "SELECT prev_mac FROM choices WHERE id = 1"), std::string(64, '0'));
  EXPECT_EQ(query_text(file_, "SELECT (SELECT mac FROM choices WHERE id = 2) = (SELECT prev_mac FROM choices WHERE id = 3)"),
            "1");
  EXPECT_EQ(query_text(file_, "SELECT last_id FROM chain_heads WHERE table_name = 'choices'"), "5");
}

TEST_F(FilledLedger, AppendsContinueTheChainAndReturnTheFirstId) {
  std::vector<ChoiceRecord> more{make_choice(6), make_choice(7)};
  auto first = ledger_->append_choices(more);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 6);
  auto none = ledger_->append_choices({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  const VerifyReport report = verify();
  EXPECT_TRUE(report.intact) << report.detail;
  EXPECT_EQ(report.rows_checked, 2u + 7u + 1u);
}

TEST_F(FilledLedger, FindsTheLatestOfferAndCountsOffersPerCategory) {
  OfferRecord again = make_offer(1);
  again.default_supplier = "BLOEM-02";
  ASSERT_TRUE(ledger_->append_offer(again).ok());
  ASSERT_TRUE(ledger_->append_offer(make_offer(9, "55520000-1")).ok());

  auto found = ledger_->find_offer("REQ-1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->default_supplier, "BLOEM-02");
  EXPECT_EQ((*found)->at, again.at);
  EXPECT_EQ((*found)->requester_pseudonym, again.requester_pseudonym);
  EXPECT_EQ((*found)->arm, "default");
  auto absent = ledger_->find_offer("REQ-404");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());

  EXPECT_EQ(*ledger_->count_offers("CPV", "03121200-7"), 3u);
  EXPECT_EQ(*ledger_->count_offers("", "03121200-7"), 3u);
  EXPECT_EQ(*ledger_->count_offers("CPV", "55520000-1"), 1u);
  EXPECT_EQ(*ledger_->count_offers("ERP", "03121200-7"), 0u);
}

TEST_F(FilledLedger, ReturnsTheLastConfigurationChange) {
  auto last = ledger_->last_config_change();
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last->has_value());
  EXPECT_EQ((*last)->actor, "inkoop");
  ConfigChangeRecord next{UtcSeconds{std::chrono::sys_days{2026y / 11 / 2}}, "beheer", "config.xml",
                          std::string(64, 'd'), "6 categories"};
  ASSERT_TRUE(ledger_->append_config_change(next).ok());
  last = ledger_->last_config_change();
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->actor, "beheer");
  EXPECT_EQ((*last)->sha256, std::string(64, 'd'));
  EXPECT_EQ((*last)->summary, "6 categories");
  EXPECT_EQ((*last)->at, next.at);

  TempDir empty_dir;
  auto empty = open_ledger(empty_dir / "ledger.db");
  auto none = empty->last_config_change();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(FilledLedger, SurvivesReopening) {
  ledger_.reset();
  ledger_ = open_ledger(file_);
  ASSERT_NE(ledger_, nullptr);
  auto first = ledger_->append_choices(std::vector<ChoiceRecord>{make_choice(6)});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 6);
  EXPECT_TRUE(verify().intact);
}

TEST_F(FilledLedger, IntactLedgerVerifiesWithItsRowCount) {
  const VerifyReport report = verify();
  EXPECT_TRUE(report.intact);
  EXPECT_EQ(report.rows_checked, 8u);
  EXPECT_EQ(report.problem, "");
  EXPECT_EQ(report.detail, "");
}

TEST_F(FilledLedger, NamesAnAlteredColumnOfAMiddleRow) {
  tamper(file_, "UPDATE choices SET amount_minor = 1 WHERE id = 3");
  const VerifyReport report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_broken_table, "choices");
  EXPECT_EQ(report.first_broken_row, 3);
  EXPECT_EQ(report.problem, "altered");
  EXPECT_EQ(report.detail, "choices row 3: its contents do not match its MAC: altered");
  EXPECT_EQ(report.rows_checked, 2u + 2u);  // the offers and choices 1-2
}

TEST_F(FilledLedger, NamesAnAlteredTextColumnAndTheOffersChain) {
  tamper(file_, "UPDATE offers SET default_supplier = 'FLR-100' WHERE id = 2");
  const VerifyReport report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_broken_table, "offers");
  EXPECT_EQ(report.first_broken_row, 2);
  EXPECT_EQ(report.problem, "altered");
}

TEST_F(FilledLedger, NamesAnAlteredConfigurationChange) {
  tamper(file_, "UPDATE config_changes SET actor = 'someone else'");
  const VerifyReport report = verify();
  EXPECT_EQ(report.first_broken_table, "config_changes");
  EXPECT_EQ(report.first_broken_row, 1);
  EXPECT_EQ(report.problem, "altered");
}

TEST_F(FilledLedger, NamesARemovedRow) {
  tamper(file_, "DELETE FROM choices WHERE id = 3");
  const VerifyReport report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_broken_table, "choices");
  EXPECT_EQ(report.first_broken_row, 3);
  EXPECT_EQ(report.problem, "removed");
  EXPECT_EQ(report.detail, "choices row 3 is missing (the next row is 4): removed");
}

TEST_F(FilledLedger, NamesARemovedFirstRow) {
  tamper(file_, "DELETE FROM choices WHERE id = 1");
  const VerifyReport report = verify();
  EXPECT_EQ(report.first_broken_row, 1);
  EXPECT_EQ(report.problem, "removed");
}

TEST_F(FilledLedger, NamesARemovedRowWhoseSuccessorsWereRenumbered) {
  // Closing the gap: row 3 deleted and rows 4, 5 moved down. Row 3 (old 4)
  // carries its old id in its MAC, so it no longer matches.
  tamper(file_,
         "DELETE FROM choices WHERE id = 3; UPDATE choices SET id = id + 100 WHERE id > 3;"
         "UPDATE choices SET id = id - 101 WHERE id > 100;"
         "UPDATE chain_heads SET last_id = 4 WHERE table_name = 'choices'");
  const VerifyReport report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_broken_table, "choices");
  // The head was edited without the key: that is found first.
  EXPECT_EQ(report.problem, "altered");
  EXPECT_EQ(report.detail, "the chain head of choices does not match its MAC: chain_heads was altered");
}

TEST_F(FilledLedger, NamesAForgedRowAppendedAtTheEnd) {
  tamper(file_,
         "INSERT INTO choices SELECT 6, at_utc, at_unix, local_date, 'REQ-FORGED', order_ref, line, requester_pseudonym,"
         " department, category_code_system, category, default_offered, chosen_supplier, chosen_identifiers, social,"
         " evidence, addressable, outcome, 100000, currency, adapter, mac, mac, arm, order_version, document_ref"
         " FROM choices WHERE id = 5");
  const VerifyReport report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_broken_table, "choices");
  EXPECT_EQ(report.first_broken_row, 6);
  EXPECT_EQ(report.problem, "inserted");
  EXPECT_EQ(report.detail, "choices row 6 lies beyond the chain head (last id 5): inserted");
}

TEST_F(FilledLedger, NamesAForgedRowInsertedInTheMiddle) {
  // Make room at id 3, then insert a row that claims to follow row 2.
  tamper(file_,
         "UPDATE choices SET id = id + 100 WHERE id >= 3; UPDATE choices SET id = id - 99 WHERE id > 100;"
         "INSERT INTO choices SELECT 3, at_utc, at_unix, local_date, 'REQ-FORGED', order_ref, line,"
         " requester_pseudonym, department, category_code_system, category, default_offered, chosen_supplier,"
         " chosen_identifiers, social, evidence, addressable, outcome, 100000, currency, adapter, mac,"
         " '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', arm, order_version, document_ref"
         " FROM choices WHERE id = 2");
  const VerifyReport report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_broken_table, "choices");
  EXPECT_EQ(report.first_broken_row, 3);
  EXPECT_EQ(report.problem, "inserted");
  EXPECT_EQ(report.detail, "choices row 3 is not part of the chain (the next row follows the row before it): inserted");
}

TEST_F(FilledLedger, NamesATruncatedTail) {
  tamper(file_, "DELETE FROM choices WHERE id = 5");
  const VerifyReport report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_broken_table, "choices");
  EXPECT_EQ(report.first_broken_row, 5);
  EXPECT_EQ(report.problem, "truncated");
  EXPECT_EQ(report.detail, "choices ends at row 4 but the chain head says 5: rows were removed from the end (truncated)");
}

TEST_F(FilledLedger, NamesATruncationHiddenByEditingTheHead) {
  tamper(file_,
         "DELETE FROM choices WHERE id = 5;"
         "UPDATE chain_heads SET last_id = 4, last_mac = (SELECT mac FROM choices WHERE id = 4)"
         " WHERE table_name = 'choices'");
  const VerifyReport report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_broken_table, "choices");
  EXPECT_EQ(report.first_broken_row, 4);
  EXPECT_EQ(report.problem, "altered");
}

TEST_F(FilledLedger, NamesAMissingChainHead) {
  tamper(file_, "DELETE FROM chain_heads WHERE table_name = 'config_changes'");
  const VerifyReport report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_broken_table, "config_changes");
  EXPECT_EQ(report.problem, "truncated");
  EXPECT_EQ(report.detail, "the chain head of config_changes is missing, so a removed tail cannot be ruled out");
  EXPECT_EQ(report.rows_checked, 7u);

  auto append = ledger_->append_config_change(ConfigChangeRecord{});
  ASSERT_FALSE(append.ok());
  EXPECT_EQ(append.error().code, ErrorCode::tampered);
  EXPECT_EQ(append.error().describe(), file_.string() + ": the chain head of config_changes is missing; run verify");
}

TEST_F(FilledLedger, AnotherKeyDoesNotVerify) {
  ledger_.reset();
  auto other = open_ledger(file_, test_keys('b'));
  ASSERT_NE(other, nullptr);
  auto report = other->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_broken_table, "offers");
  EXPECT_EQ(report->problem, "altered");
}

TEST_F(FilledLedger, RefusesAnInvalidChoiceAndWritesNothing) {
  ChoiceRecord bad = make_choice(7);
  bad.amount.currency = "eur";
  std::vector<ChoiceRecord> batch{make_choice(6), bad};
  auto r = ledger_->append_choices(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().describe(),
            "choice 2 (correlation id \"REQ-7\"): currency \"eur\" is not an ISO 4217 code (three capital letters)");

  ChoiceRecord no_date = make_choice(8);
  no_date.local_date = 2026y / 2 / 30;
  r = ledger_->append_choices(std::vector<ChoiceRecord>{no_date});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(), "choice 1 (correlation id \"REQ-8\"): local_date is not a calendar date");

  ChoiceRecord far = make_choice(9);
  far.local_date = std::chrono::year{12026} / 1 / 1;
  r = ledger_->append_choices(std::vector<ChoiceRecord>{far});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(), "choice 1 (correlation id \"REQ-9\"): local_date must have a four-digit year");

  EXPECT_EQ(query_text(file_, "SELECT count(*) FROM choices"), "5");
  EXPECT_TRUE(verify().intact);
}

TEST(SqliteLedger, AppendsFromManyThreadsKeepOneChain) {
  TempDir dir;
  auto ledger = open_ledger(dir / "ledger.db");
  ASSERT_NE(ledger, nullptr);
  constexpr int kThreads = 4;
  constexpr int kRounds = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        const int n = t * 1000 + i;
        std::vector<ChoiceRecord> batch{make_choice(n), make_choice(n + 500)};
        if (!ledger->append_choices(batch).ok()) ++failures;
        if (!ledger->append_offer(make_offer(n)).ok()) ++failures;
        if (!ledger->find_offer("REQ-" + std::to_string(n)).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto report = ledger->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
  EXPECT_EQ(report->rows_checked, static_cast<std::uint64_t>(kThreads * kRounds * 3));
  // A batch is one transaction: its two rows are adjacent.
  EXPECT_EQ(query_text(dir / "ledger.db",
                       "SELECT count(*) FROM choices a JOIN choices b ON b.id = a.id + 1"
                       " WHERE a.id % 2 = 1 AND CAST(substr(b.correlation_id, 5) AS INTEGER) <> "
                       "CAST(substr(a.correlation_id, 5) AS INTEGER) + 500"),
            "0");
}

TEST(SqliteLedger, TwoConnectionsToOneFileKeepOneChain) {
  // Two gateways (processes) on one file: each append reads the head inside
  // its own write transaction.
  TempDir dir;
  auto first = open_ledger(dir / "ledger.db");
  auto second = open_ledger(dir / "ledger.db");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((i % 2 ? first : second)->append_choices(std::vector<ChoiceRecord>{make_choice(i)}).ok());
  }
  auto report = first->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
  EXPECT_EQ(report->rows_checked, 10u);
}

TEST(SqliteLedgerFaults, RefusesAFileThatIsNotADatabase) {
  TempDir dir;
  const fs::path file = dir / "ledger.db";
  std::ofstream(file) << "order,supplier,amount\nPO-1,BLOEM-01,49.50\n" << std::string(600, 'x');
  auto ledger = open_sqlite_ledger(file, test_keys());
  ASSERT_FALSE(ledger.ok());
  EXPECT_EQ(ledger.error().code, ErrorCode::database);
  EXPECT_EQ(ledger.error().describe(), file.string() + ": cannot open the ledger: file is not a database");
}

TEST(SqliteLedgerFaults, RefusesAnotherApplicationsDatabase) {
  TempDir dir;
  const fs::path file = dir / "other.db";
  tamper(file, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)");
  auto ledger = open_sqlite_ledger(file, test_keys());
  ASSERT_FALSE(ledger.ok());
  EXPECT_EQ(ledger.error().describe(),
            file.string() +
                ": is an SQLite database but not a socialdefault ledger (application_id 0, 1 schema objects); refusing "
                "to change it");
  EXPECT_EQ(query_text(file, "SELECT count(*) FROM sqlite_schema"), "1");
}

TEST(SqliteLedgerFaults, RefusesALedgerFromANewerVersion) {
  TempDir dir;
  const fs::path file = dir / "ledger.db";
  ASSERT_NE(open_ledger(file), nullptr);
  tamper(file, "PRAGMA user_version = 99");
  auto ledger = open_sqlite_ledger(file, test_keys());
  ASSERT_FALSE(ledger.ok());
  EXPECT_EQ(ledger.error().describe(),
            file.string() + ": the ledger has schema version 99; this socialdefault knows up to 7 (upgrade socialdefault "
                            "to use this ledger)");
}

TEST(SqliteLedgerFaults, MissingDirectoryIsAClearError) {
  TempDir dir;
  const fs::path file = dir / "no-such-dir" / "ledger.db";
  auto ledger = open_sqlite_ledger(file, test_keys());
  ASSERT_FALSE(ledger.ok());
  EXPECT_EQ(ledger.error().code, ErrorCode::database);
  EXPECT_EQ(ledger.error().describe(), file.string() + ": cannot open the ledger: unable to open database file; check that its folder exists and that this user may write there");
}

// Runs fn as an unprivileged user when the tests run as root (root ignores
// directory permissions), in a child process so the test runner keeps its
// privileges. fn's result is compared with expected inside the child.
void expect_unprivileged(const std::function<std::string()>& fn, const std::string& expected) {
  if (geteuid() != 0) {
    EXPECT_EQ(fn(), expected);
    return;
  }
  GTEST_FLAG_SET(death_test_style, "fast");
  EXPECT_EXIT(
      {
        if (setgid(65534) != 0 || setuid(65534) != 0) std::_Exit(3);
        const std::string got = fn();
        std::fprintf(stderr, "got: %s\n", got.c_str());
        std::_Exit(got == expected ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "got: ");
}

TEST(SqliteLedgerFaults, ReadOnlyDirectoryIsAClearError) {
  TempDir dir;
  const fs::path locked = dir / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const fs::path file = locked / "ledger.db";
  expect_unprivileged(
      [&] {
        auto ledger = open_sqlite_ledger(file, test_keys());
        return ledger.ok() ? std::string("opened") : ledger.error().describe();
      },
      file.string() + ": cannot open the ledger: unable to open database file; check that its folder exists and that this user may write there");
  EXPECT_FALSE(fs::exists(file));
}

TEST(SqliteLedgerFaults, ReadOnlyLedgerRefusesAppendsAndStaysIntact) {
  TempDir dir;
  const fs::path folder = dir / "ledger";
  fs::create_directory(folder);
  const fs::path file = folder / "ledger.db";
  {
    auto ledger = open_ledger(file);
    ASSERT_NE(ledger, nullptr);
    ASSERT_TRUE(ledger->append_choices(std::vector<ChoiceRecord>{make_choice(1), make_choice(2)}).ok());
  }
  const auto read_only = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
  fs::permissions(file, read_only);
  fs::permissions(folder, read_only | fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec);
  expect_unprivileged(
      [&] {
        auto ledger = open_sqlite_ledger(file, test_keys());
        if (!ledger.ok()) return ledger.error().describe();
        auto r = (*ledger)->append_choices(std::vector<ChoiceRecord>{make_choice(3)});
        return r.ok() ? std::string("appended") : r.error().describe();
      },
      file.string() + ": cannot open the ledger: attempt to write a readonly database; the ledger file and its folder "
                      "must be writable by this user (SQLite keeps -wal and -shm files beside the ledger)");
  fs::permissions(folder, fs::perms::owner_all, fs::perm_options::add);
  fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
  auto ledger = open_ledger(file);
  ASSERT_NE(ledger, nullptr);
  auto report = ledger->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
  EXPECT_EQ(report->rows_checked, 2u);
}

TEST_F(FilledLedger, FullDiskIsAClearErrorAndWritesNothing) {
  // Cap the file at its current size: the next page SQLite needs fails with SQLITE_FULL.
  ASSERT_TRUE(ledger_->execute("SELECT 1").ok());
  const std::string pages = query_text(file_, "PRAGMA page_count");
  ASSERT_TRUE(ledger_->execute("PRAGMA max_page_count = " + pages).ok());
  std::vector<ChoiceRecord> batch;
  for (int i = 0; i < 200; ++i) {
    ChoiceRecord c = make_choice(100 + i);
    c.chosen_identifiers = std::string(500, 'i');
    batch.push_back(std::move(c));
  }
  auto r = ledger_->append_choices(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::database);
  EXPECT_EQ(r.error().describe(), file_.string() + ": cannot append to choices: database or disk is full");

  // Nothing of the batch is there, and the chain is whole.
  EXPECT_EQ(query_text(file_, "SELECT count(*) FROM choices"), "5");
  VerifyReport report = verify();
  EXPECT_TRUE(report.intact) << report.detail;
  EXPECT_EQ(report.rows_checked, 8u);

  // Space again: appending resumes where the chain stopped.
  ASSERT_TRUE(ledger_->execute("PRAGMA max_page_count = 1073741823").ok());
  auto first = ledger_->append_choices(batch);
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(*first, 6);
  report = verify();
  EXPECT_TRUE(report.intact) << report.detail;
  EXPECT_EQ(report.rows_checked, 208u);
}

TEST_F(FilledLedger, ExecuteReportsSqlErrors) {
  auto r = ledger_->execute("SELEKT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(), file_.string() + ": cannot execute: near \"SELEKT\": syntax error");
}

TEST(LedgerNames, OutcomesRoundTrip) {
  for (Outcome o : {Outcome::kept_default, Outcome::other_social, Outcome::regular, Outcome::not_offered}) {
    auto parsed = parse_outcome(to_string(o));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, o);
  }
  EXPECT_STREQ(to_string(Outcome::other_social), "other-social");
  auto bad = parse_outcome("kept");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().describe(), "outcome \"kept\" is not one of kept-default, other-social, regular, not-offered");
}

}  // namespace
}  // namespace socialdefault
