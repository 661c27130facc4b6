// The embedded SQLite backend of the Ledger interface. Private to the core:
// other modules use open_sqlite_ledger() and the Ledger interface; the tests
// use this header for fault injection (execute()).
//
// Concurrency: one writing connection guarded by a mutex. Every append is one
// BEGIN IMMEDIATE transaction that reads the chain head inside the
// transaction, so appends from several threads of this process, and from
// other processes that open the same file, serialise on SQLite's write lock
// and never fork a chain. verify() and export_rows() open their own
// read-only connection per call and read one WAL snapshot, so a long export
// never holds up an acknowledgement; so does count_orders_by_system().
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "ledger_chain.hpp"
#include "socialdefault/ledger.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace socialdefault {

struct SqliteCloser {
  void operator()(sqlite3* db) const noexcept;
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const noexcept;
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;
using SqliteStatement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// Resets a statement (and clears its bindings) when the scope ends, so a
// cached statement is never left mid-step holding a read lock.
class StatementScope {
 public:
  explicit StatementScope(sqlite3_stmt* statement) noexcept : statement_(statement) {}
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;
  ~StatementScope();

 private:
  sqlite3_stmt* statement_;
};

// "what: sqlite's message", located at the ledger file.
Error database_error(sqlite3* db, const std::filesystem::path& file, std::string_view what);
// Opens a connection with the ledger's pragmas; read_only connections are
// for verify and export.
Result<SqliteDb> open_sqlite_connection(const std::filesystem::path& file, bool read_only);
// The query of SqliteLedger::count_orders_by_system (?1 department,
// ?2 category code, ?3 and ?4 the first and last date), for its plan's test.
std::string count_orders_by_system_sql();
// " FROM choices WHERE ..." of the export (?1 and ?2 the first and last
// date), and the query of SqliteLedger::count_arms (?1 the experiment, ?2
// and ?3 the dates): for the plans' tests (schema version 6).
std::string export_filter_sql();
std::string count_arms_sql();
// The look-up of the order a document carried (append_order_status by a
// cXML payloadID; ?1 the document id), for its plan's test.
inline constexpr std::string_view kOrderOfDocumentSql =
    "SELECT order_ref FROM choices WHERE document_ref = ?1 AND order_ref <> '' ORDER BY id LIMIT 1";
// count_offers (?1 the code system, ?2 the category; without a code
// system, ?1 the category): read from offer_counts, for their plans' test.
inline constexpr std::string_view kCountOffersSql =
    "SELECT coalesce(sum(offers), 0) FROM offer_counts WHERE category = ?2 AND category_code_system = ?1";
inline constexpr std::string_view kCountOffersAnySystemSql =
    "SELECT coalesce(sum(offers), 0) FROM offer_counts WHERE category = ?1";
Result<SqliteStatement> prepare_statement(sqlite3* db, const std::filesystem::path& file, std::string_view sql,
                                          bool persistent);

class SqliteLedger final : public Ledger {
  struct Token {
    explicit Token() = default;
  };

 public:
  // The schema version this program writes; older files are migrated on open.
  static constexpr int kSchemaVersion = 7;
  // PRAGMA application_id of a socialdefault ledger ("SDLG").
  static constexpr int kApplicationId = 0x53444C47;

  static Result<std::unique_ptr<SqliteLedger>> open(const std::filesystem::path& file, const Keys& keys);

  SqliteLedger(Token, std::filesystem::path file, const Keys& keys);
  ~SqliteLedger() override;
  SqliteLedger(const SqliteLedger&) = delete;
  SqliteLedger& operator=(const SqliteLedger&) = delete;

  Result<std::int64_t> append_offer(const OfferRecord& offer) override;
  Result<std::int64_t> append_offers(std::span<const OfferRecord> offers) override;
  Result<std::optional<OfferRecord>> find_offer(std::string_view correlation_id) override;
  Result<std::int64_t> append_choices(std::span<const ChoiceRecord> choices) override;
  Result<std::int64_t> append_config_change(const ConfigChangeRecord& change) override;
  Result<std::optional<ConfigChangeRecord>> last_config_change() override;
  Result<std::vector<StoredConfigChange>> recent_config_changes(std::size_t limit) override;
  Result<std::int64_t> append_order_status(const OrderStatusRecord& status) override;
  Result<std::string> order_of_document(std::string_view document_ref) override;
  Result<std::uint64_t> count_offers(std::string_view category_code_system, std::string_view category) override;
  // In sqlite_ledger_export.cpp, by the export's rule for rejected orders,
  // so the experiment report's orders per arm are the export's by arm.
  Result<std::vector<ArmCount>> count_arms(std::string_view experiment, LocalDate from, LocalDate to) override;
  // In sqlite_ledger_export.cpp, beside the export's rule for rejected
  // orders; like the export, on a read-only connection of its own.
  Result<std::vector<CodeSystemCount>> count_orders_by_system(std::string_view department, std::string_view category,
                                                              LocalDate from, LocalDate to) override;
  Result<void> export_rows(const ExportQuery& query, const ExportSink& sink) override;
  Result<VerifyReport> verify() override;

  // Runs SQL on the writing connection under its lock: for maintenance and
  // fault injection in tests (e.g. PRAGMA max_page_count to simulate a full disk).
  Result<void> execute(std::string_view sql);

  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  struct Head {
    std::int64_t last_id = 0;
    std::string last_mac;
  };

  Result<void> configure();
  // order_of_document for a caller that holds mutex_.
  Result<std::string> order_of_document_locked(std::string_view document_ref);
  Result<void> migrate();
  Result<void> prepare();
  Result<Head> read_head(const ChainTable& table);
  // Appends rows to one chain in one transaction; returns the first id.
  // choices: the records of the rows when the table is choices (else
  // empty); a record whose record_id is already stored is skipped, the
  // record ids of the others are stored with their row ids.
  Result<std::int64_t> append_rows(const ChainTable& table, sqlite3_stmt* insert, std::span<const ChainRow> rows,
                                   std::span<const ChoiceRecord> choices = {});
  // The same for `count` rows whose values fill(i, view) puts into the view;
  // also (when set) writes what goes with the rows in their transaction.
  using FillRow = std::function<void(std::size_t, ChainRowView&)>;
  using AlsoWrite = std::function<Result<void>()>;
  Result<std::int64_t> append_rows(const ChainTable& table, sqlite3_stmt* insert, std::size_t count,
                                   const FillRow& fill, std::span<const ChoiceRecord> choices, const AlsoWrite& also);
  // Adds the offers to offer_counts; inside append_offers' transaction.
  Result<void> add_offer_counts(std::span<const OfferRecord> offers);
  // True when a choice with this record id and correlation id is stored.
  Result<bool> holds_record(const ChoiceRecord& choice);
  // Runs a statement without results (BEGIN, COMMIT, ...).
  Result<void> run(sqlite3_stmt* statement, std::string_view what);
  void rollback_if_open() noexcept;

  std::filesystem::path file_;
  Key chain_key_{};
  std::mutex mutex_;  // guards db_ and every statement below
  SqliteDb db_;       // declared before the statements: they are finalised first
  SqliteStatement begin_, commit_, rollback_;
  SqliteStatement select_head_, update_head_;
  SqliteStatement insert_offer_, insert_choice_, insert_config_change_, insert_order_status_;
  SqliteStatement find_offer_, count_offers_, count_offers_any_system_, add_offer_count_, last_config_change_;
  SqliteStatement find_record_id_, insert_record_id_;
};

}  // namespace socialdefault
