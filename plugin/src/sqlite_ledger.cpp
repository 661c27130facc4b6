// The SQLite ledger: opening, schema and migrations, appends and look-ups.
// verify() is in sqlite_ledger_verify.cpp, export_rows() in
// sqlite_ledger_export.cpp. docs/ledger.md describes the schema and chain.
#include "sqlite_ledger.hpp"

#include <openssl/crypto.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <functional>
#include <tuple>
#include <vector>

namespace socialdefault {

namespace {

// How long a writer waits for another process's write lock before giving up.
constexpr int kBusyTimeoutMs = 5000;

// Version 1. A migration is history: never edit it, add the next one.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE offers (
  id INTEGER PRIMARY KEY,
  at_utc TEXT NOT NULL,
  at_unix INTEGER NOT NULL,
  correlation_id TEXT NOT NULL,
  requester_pseudonym TEXT NOT NULL,
  department TEXT NOT NULL,
  category_code_system TEXT NOT NULL,
  category TEXT NOT NULL,
  default_supplier TEXT NOT NULL,
  reason TEXT NOT NULL,
  arm TEXT NOT NULL,
  adapter TEXT NOT NULL,
  prev_mac TEXT NOT NULL,
  mac TEXT NOT NULL
) STRICT;
CREATE INDEX offers_by_correlation ON offers (correlation_id, id);
CREATE INDEX offers_by_category ON offers (category, category_code_system);

CREATE TABLE choices (
  id INTEGER PRIMARY KEY,
  at_utc TEXT NOT NULL,
  at_unix INTEGER NOT NULL,
  local_date TEXT NOT NULL CHECK (local_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  correlation_id TEXT NOT NULL,
  order_ref TEXT NOT NULL,
  line INTEGER NOT NULL,
  requester_pseudonym TEXT NOT NULL,
  department TEXT NOT NULL,
  category_code_system TEXT NOT NULL,
  category TEXT NOT NULL,
  default_offered TEXT NOT NULL,
  chosen_supplier TEXT NOT NULL,
  chosen_identifiers TEXT NOT NULL,
  social INTEGER NOT NULL CHECK (social IN (0, 1)),
  evidence TEXT NOT NULL,
  addressable INTEGER NOT NULL CHECK (addressable IN (0, 1)),
  outcome TEXT NOT NULL CHECK (outcome IN ('kept-default', 'other-social', 'regular', 'not-offered')),
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  adapter TEXT NOT NULL,
  prev_mac TEXT NOT NULL,
  mac TEXT NOT NULL
) STRICT;
CREATE INDEX choices_by_date ON choices (local_date);
CREATE INDEX choices_by_correlation ON choices (correlation_id);

CREATE TABLE config_changes (
  id INTEGER PRIMARY KEY,
  at_utc TEXT NOT NULL,
  at_unix INTEGER NOT NULL,
  actor TEXT NOT NULL,
  file TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  summary TEXT NOT NULL,
  prev_mac TEXT NOT NULL,
  mac TEXT NOT NULL
) STRICT;

CREATE TABLE chain_heads (
  table_name TEXT PRIMARY KEY,
  last_id INTEGER NOT NULL,
  last_mac TEXT NOT NULL,
  mac TEXT NOT NULL
) STRICT;
)sql";

// Version 2: status events of orders (UBL OrderResponse), a fourth chain.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE order_statuses (
  id INTEGER PRIMARY KEY,
  at_utc TEXT NOT NULL,
  at_unix INTEGER NOT NULL,
  order_ref TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'conditionally-accepted')),
  response_ref TEXT NOT NULL,
  code TEXT NOT NULL,
  adapter TEXT NOT NULL,
  prev_mac TEXT NOT NULL,
  mac TEXT NOT NULL
) STRICT;
CREATE INDEX order_statuses_by_order ON order_statuses (order_ref, id);
CREATE INDEX choices_by_order ON choices (order_ref);
)sql";

// What an operator can do about the common failures; SQLite's own text
// says what happened but not where to look.
std::string error_hint(int code) {
  switch (code & 0xFF) {
    case SQLITE_READONLY:
      return "; the ledger file and its folder must be writable by this user (SQLite keeps -wal and -shm files "
             "beside the ledger)";
    case SQLITE_CANTOPEN: return "; check that its folder exists and that this user may write there";
    case SQLITE_BUSY: return "; another process held the ledger's write lock for more than 5 seconds";
    default: return {};
  }
}

Result<void> exec(sqlite3* db, const std::filesystem::path& file, const char* sql, std::string_view what) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string text = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return make_error(ErrorCode::database, std::string(what) + ": " + text + error_hint(sqlite3_extended_errcode(db)),
                    file.string());
}

Result<std::int64_t> query_integer(sqlite3* db, const std::filesystem::path& file, std::string_view sql,
                                   std::string_view what) {
  auto statement = prepare_statement(db, file, sql, false);
  if (!statement) return std::move(statement).error();
  if (sqlite3_step(statement->get()) != SQLITE_ROW) return database_error(db, file, what);
  return sqlite3_column_int64(statement->get(), 0);
}

// Creates the genesis head of each chain.
Result<void> insert_chain_heads(sqlite3* db, const std::filesystem::path& file, const Key& chain_key,
                                std::span<const ChainTable* const> tables) {
  auto insert = prepare_statement(db, file, "INSERT INTO chain_heads (table_name, last_id, last_mac, mac) VALUES (?1, 0, ?2, ?3)", false);
  if (!insert) return std::move(insert).error();
  for (const ChainTable* table : tables) {
    const std::string mac = head_mac(chain_key, table->name, 0, kGenesisMac);
    sqlite3_bind_text64(insert->get(), 1, table->name.data(), table->name.size(), SQLITE_STATIC, SQLITE_UTF8);
    sqlite3_bind_text64(insert->get(), 2, kGenesisMac.data(), kGenesisMac.size(), SQLITE_STATIC, SQLITE_UTF8);
    sqlite3_bind_text64(insert->get(), 3, mac.data(), mac.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    const int rc = sqlite3_step(insert->get());
    sqlite3_reset(insert->get());
    if (rc != SQLITE_DONE) return database_error(db, file, "cannot create the chain heads");
  }
  return {};
}

Result<void> migrate_to_v1(sqlite3* db, const std::filesystem::path& file, const Key& chain_key) {
  if (auto r = exec(db, file, kSchemaV1, "cannot create the ledger schema"); !r) return r;
  // The chains of version 1 only: later versions add their own heads.
  const std::array<const ChainTable*, 3> tables{&offers_table(), &choices_table(), &config_changes_table()};
  return insert_chain_heads(db, file, chain_key, tables);
}

Result<void> migrate_to_v2(sqlite3* db, const std::filesystem::path& file, const Key& chain_key) {
  if (auto r = exec(db, file, kSchemaV2, "cannot add the order statuses to the ledger"); !r) return r;
  const std::array<const ChainTable*, 1> tables{&order_statuses_table()};
  return insert_chain_heads(db, file, chain_key, tables);
}

// Version 3: the experiment arm of a choice (NULL in older rows, which the
// chain then encodes as before), and an index for the colleague norm.
Result<void> migrate_to_v3(sqlite3* db, const std::filesystem::path& file, const Key&) {
  return exec(db, file,
              "ALTER TABLE choices ADD COLUMN arm TEXT;"
              "CREATE INDEX choices_by_group ON choices (department, category, local_date);",
              "cannot add the arm column to the ledger");
}

// Version 4: the status `cancelled` (UBL OrderCancellation, a cXML
// OrderRequest of type delete). SQLite cannot change a CHECK constraint, so
// the table is rebuilt with its rows, ids and MACs as they were; the chain
// covers the columns, not the table's definition.
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE order_statuses_v4 (
  id INTEGER PRIMARY KEY,
  at_utc TEXT NOT NULL,
  at_unix INTEGER NOT NULL,
  order_ref TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'conditionally-accepted', 'cancelled')),
  response_ref TEXT NOT NULL,
  code TEXT NOT NULL,
  adapter TEXT NOT NULL,
  prev_mac TEXT NOT NULL,
  mac TEXT NOT NULL
) STRICT;
INSERT INTO order_statuses_v4 SELECT id, at_utc, at_unix, order_ref, status, response_ref, code, adapter, prev_mac, mac
  FROM order_statuses;
DROP TABLE order_statuses;
ALTER TABLE order_statuses_v4 RENAME TO order_statuses;
CREATE INDEX order_statuses_by_order ON order_statuses (order_ref, id);
)sql";

Result<void> migrate_to_v4(sqlite3* db, const std::filesystem::path& file, const Key&) {
  return exec(db, file, kSchemaV4, "cannot add the status cancelled to the ledger");
}

Result<bool> has_column(sqlite3* db, const std::filesystem::path& file, std::string_view table,
                        std::string_view column) {
  auto count = query_integer(db, file,
                             "SELECT count(*) FROM pragma_table_info('" + std::string(table) + "') WHERE name = '" +
                                 std::string(column) + "'",
                             "cannot read the columns of " + std::string(table));
  if (!count) return std::move(count).error();
  return *count > 0;
}

// Version 5: changed orders as superseding versions (docs/ledger.md,
// "Order versions"). Two nullable chained columns: NULL in older rows,
// which the chain leaves out, so every old row keeps its MAC. The record
// ids of the spool's replays, created outside the schema version before,
// become part of it. A column already there is not added again, so a
// ledger whose version was set back by hand still opens.
Result<void> migrate_to_v5(sqlite3* db, const std::filesystem::path& file, const Key&) {
  constexpr std::string_view what = "cannot add order versions to the ledger";
  for (const auto& [column, type] : {std::pair<std::string_view, std::string_view>{"order_version", "INTEGER"},
                                     std::pair<std::string_view, std::string_view>{"document_ref", "TEXT"}}) {
    auto present = has_column(db, file, "choices", column);
    if (!present) return std::move(present).error();
    if (*present) continue;
    const std::string sql = "ALTER TABLE choices ADD COLUMN " + std::string(column) + " " + std::string(type);
    if (auto r = exec(db, file, sql.c_str(), what); !r) return r;
  }
  // Partial indexes: only changed orders and orders with a document id are
  // in them, so the export's version rule and the look-up of a payloadID
  // read a few entries, whatever the number of plain orders.
  return exec(db, file,
              "CREATE INDEX IF NOT EXISTS choices_versions ON choices (order_ref, order_version) "
              "WHERE order_version IS NOT NULL;"
              "CREATE INDEX IF NOT EXISTS choices_by_document ON choices (document_ref) WHERE document_ref IS NOT NULL;"
              "CREATE TABLE IF NOT EXISTS choice_record_ids (record_id TEXT PRIMARY KEY, "
              "choice_id INTEGER NOT NULL) STRICT, WITHOUT ROWID;",
              what);
}

// Version 6: the two indexes no query reads. Every query the product runs
// against choices was checked with EXPLAIN QUERY PLAN (docs/ledger.md,
// "Indexes and the queries that read them"; tests/plugin/
// ledger_migration_v6_test.cpp): choices_by_correlation (version 1) served
// none (the spool's replays find a choice through choice_record_ids and the
// primary key), and choices_by_order (version 2) none either: the export's
// version rule reads choices_versions, the rejection rule
// order_statuses_by_order, a status named by its payloadID
// choices_by_document. Each cost the writer a b-tree insert per choice
// (together about a fifth of its CPU per row). Rows, ids and MACs are not
// touched, so a migrated ledger verifies as before.
Result<void> migrate_to_v6(sqlite3* db, const std::filesystem::path& file, const Key&) {
  return exec(db, file, "DROP INDEX IF EXISTS choices_by_correlation; DROP INDEX IF EXISTS choices_by_order;",
              "cannot drop the unused indexes of the ledger");
}

// Version 7: offers counted per category in offer_counts, kept by the same
// transaction that appends them, in place of the index offers_by_category
// (docs/ledger.md, "Indexes and the queries that read them"). Its only
// reader was count_offers, the rotation's seed, which counted every entry of
// the category (a scan of all its offers on the first shortlist of each
// category after a start); the index cost the offer writer a b-tree insert
// per offer, about a fifth of its CPU. Derived data, not a chain: rows, ids
// and MACs are untouched, so a migrated ledger verifies as before. The
// counts are made afresh from the offers, so a ledger whose version was set
// back by hand still opens.
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE IF NOT EXISTS offer_counts (
  category TEXT NOT NULL,
  category_code_system TEXT NOT NULL,
  offers INTEGER NOT NULL,
  PRIMARY KEY (category, category_code_system)
) STRICT, WITHOUT ROWID;
DELETE FROM offer_counts;
INSERT INTO offer_counts (category, category_code_system, offers)
  SELECT category, category_code_system, count(*) FROM offers GROUP BY category, category_code_system;
DROP INDEX IF EXISTS offers_by_category;
)sql";

Result<void> migrate_to_v7(sqlite3* db, const std::filesystem::path& file, const Key&) {
  return exec(db, file, kSchemaV7, "cannot count the ledger's offers per category");
}

using Migration = Result<void> (*)(sqlite3*, const std::filesystem::path&, const Key&);
// kMigrations[v] takes a ledger from version v to v + 1.
constexpr std::array<Migration, SqliteLedger::kSchemaVersion> kMigrations{
    migrate_to_v1, migrate_to_v2, migrate_to_v3, migrate_to_v4, migrate_to_v5, migrate_to_v6, migrate_to_v7};

std::string insert_sql(const ChainTable& table) {
  std::string columns = "id";
  std::string values = "?1";
  int index = 1;
  for (const ChainColumn& column : table.columns) {
    columns += ", " + std::string(column.name);
    values += ", ?" + std::to_string(++index);
  }
  columns += ", prev_mac, mac";
  values += ", ?" + std::to_string(index + 1) + ", ?" + std::to_string(index + 2);
  return "INSERT INTO " + std::string(table.name) + " (" + columns + ") VALUES (" + values + ")";
}

void bind_text(sqlite3_stmt* statement, int index, std::string_view text) {
  // SQLITE_STATIC: every bound string outlives the step that reads it.
  sqlite3_bind_text64(statement, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

std::string column_text(sqlite3_stmt* statement, int index) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, index));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, index)));
}

UtcSeconds column_time(sqlite3_stmt* statement, int index) {
  return UtcSeconds{std::chrono::seconds{sqlite3_column_int64(statement, index)}};
}

}  // namespace

void SqliteCloser::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
void StatementFinalizer::operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }

StatementScope::~StatementScope() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Error database_error(sqlite3* db, const std::filesystem::path& file, std::string_view what) {
  return make_error(ErrorCode::database,
                    std::string(what) + ": " + sqlite3_errmsg(db) + error_hint(sqlite3_extended_errcode(db)), file.string());
}

Result<SqliteDb> open_sqlite_connection(const std::filesystem::path& file, bool read_only) {
  sqlite3* raw = nullptr;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK) {
    return make_error(ErrorCode::database,
                      std::string("cannot open the ledger: ") + (db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc)) +
                          error_hint(rc),
                      file.string());
  }
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  if (auto r = exec(db.get(), file, "PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;",
                    "cannot configure the ledger connection");
      !r) {
    return std::move(r).error();
  }
  if (read_only) {
    if (auto r = exec(db.get(), file, "PRAGMA query_only = ON;", "cannot configure the ledger connection"); !r) {
      return std::move(r).error();
    }
  }
  return db;
}

Result<SqliteStatement> prepare_statement(sqlite3* db, const std::filesystem::path& file, std::string_view sql,
                                          bool persistent) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  SqliteStatement statement(raw);
  if (rc != SQLITE_OK) return database_error(db, file, "cannot prepare a ledger statement");
  return statement;
}

Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::filesystem::path& file, const Keys& keys) {
  auto ledger = SqliteLedger::open(file, keys);
  if (!ledger) return std::move(ledger).error();
  return std::unique_ptr<Ledger>(std::move(ledger).value());
}

SqliteLedger::SqliteLedger(Token, std::filesystem::path file, const Keys& keys)
    : file_(std::move(file)), chain_key_(keys.chain_key()) {}

SqliteLedger::~SqliteLedger() { OPENSSL_cleanse(chain_key_.data(), chain_key_.size()); }

Result<std::unique_ptr<SqliteLedger>> SqliteLedger::open(const std::filesystem::path& file, const Keys& keys) {
  auto ledger = std::make_unique<SqliteLedger>(Token{}, file, keys);
  auto db = open_sqlite_connection(file, false);
  if (!db) return std::move(db).error();
  ledger->db_ = std::move(db).value();
  if (auto r = ledger->configure(); !r) return std::move(r).error();
  if (auto r = ledger->migrate(); !r) return std::move(r).error();
  if (auto r = ledger->prepare(); !r) return std::move(r).error();
  return ledger;
}

Result<void> SqliteLedger::configure() {
  sqlite3* db = db_.get();
  // The first read of the file: a file that is not a database fails here.
  auto application_id = query_integer(db, file_, "PRAGMA application_id", "cannot open the ledger");
  if (!application_id) return std::move(application_id).error();
  if (*application_id != kApplicationId) {
    auto objects = query_integer(db, file_, "SELECT count(*) FROM sqlite_schema", "cannot open the ledger");
    if (!objects) return std::move(objects).error();
    if (*application_id != 0 || *objects != 0) {
      return make_error(ErrorCode::database,
                        "is an SQLite database but not a socialdefault ledger (application_id " +
                            std::to_string(*application_id) + ", " + std::to_string(*objects) +
                            " schema objects); refusing to change it",
                        file_.string());
    }
  }
  auto mode = prepare_statement(db, file_, "PRAGMA journal_mode = WAL", false);
  if (!mode) return std::move(mode).error();
  if (sqlite3_step(mode->get()) != SQLITE_ROW) return database_error(db, file_, "cannot switch the ledger to WAL");
  const std::string journal = column_text(mode->get(), 0);
  if (journal != "wal") {
    return make_error(ErrorCode::database, "cannot switch the ledger to WAL (journal mode stays \"" + journal + "\")",
                      file_.string());
  }
  // A 32 MB page cache (the default is 2 MB) keeps the index pages that
  // every append touches in memory: large batches got about 1.5x faster
  // (bench/ledger_bench.cpp, bench/RESULTS.md).
  // The schema's CHECK constraints hold for every row this connection
  // writes by construction: validate_choice runs before the transaction,
  // outcome and status come from enums, social and addressable from bools.
  // Checking them again cost the writer about a quarter of its time per
  // row, because SQLite evaluates `outcome IN (...)` of four values by
  // building a temporary b-tree for every row it inserts (bench/RESULTS.md,
  // group commit run 4). So this writing connection skips them; every other
  // connection to the file (a DBA's sqlite3, the read-only ones) still has them.
  return exec(db, file_,
              "PRAGMA synchronous = FULL; PRAGMA cache_size = -32768; PRAGMA ignore_check_constraints = ON;",
              "cannot configure the ledger connection");
}

Result<void> SqliteLedger::migrate() {
  sqlite3* db = db_.get();
  // IMMEDIATE: two processes opening a new ledger at once must not both create it.
  if (auto r = exec(db, file_, "BEGIN IMMEDIATE", "cannot start the schema check"); !r) return r;
  auto result = [&]() -> Result<void> {
    auto version = query_integer(db, file_, "PRAGMA user_version", "cannot read the ledger's schema version");
    if (!version) return std::move(version).error();
    if (*version > kSchemaVersion || *version < 0) {
      return make_error(ErrorCode::database,
                        "the ledger has schema version " + std::to_string(*version) + "; this socialdefault knows up to " +
                            std::to_string(kSchemaVersion) + " (upgrade socialdefault to use this ledger)",
                        file_.string());
    }
    if (*version < kSchemaVersion) {
      for (auto v = *version; v < kSchemaVersion; ++v) {
        if (auto r = kMigrations[static_cast<std::size_t>(v)](db, file_, chain_key_); !r) return r;
      }
      const std::string pragmas = "PRAGMA user_version = " + std::to_string(kSchemaVersion) +
                                  "; PRAGMA application_id = " + std::to_string(kApplicationId) + ";";
      if (auto r = exec(db, file_, pragmas.c_str(), "cannot record the ledger's schema version"); !r) return r;
    }
    // The record ids of choices handed in more than once (the gateway's
    // spool replay) are created by migrate_to_v5.
    return {};
  }();
  if (!result) {
    rollback_if_open();
    return result;
  }
  if (auto r = exec(db, file_, "COMMIT", "cannot commit the ledger schema"); !r) {
    rollback_if_open();
    return r;
  }
  return {};
}

Result<void> SqliteLedger::prepare() {
  struct Entry {
    SqliteStatement* target;
    std::string sql;
  };
  const std::array<Entry, 16> entries{{
      {&begin_, "BEGIN IMMEDIATE"},
      {&commit_, "COMMIT"},
      {&rollback_, "ROLLBACK"},
      {&select_head_, "SELECT last_id, last_mac FROM chain_heads WHERE table_name = ?1"},
      {&update_head_, "UPDATE chain_heads SET last_id = ?2, last_mac = ?3, mac = ?4 WHERE table_name = ?1"},
      {&insert_offer_, insert_sql(offers_table())},
      {&insert_choice_, insert_sql(choices_table())},
      {&insert_config_change_, insert_sql(config_changes_table())},
      {&insert_order_status_, insert_sql(order_statuses_table())},
      {&find_offer_,
       "SELECT at_unix, correlation_id, requester_pseudonym, department, category_code_system, category, "
       "default_supplier, reason, arm, adapter FROM offers WHERE correlation_id = ?1 ORDER BY id DESC LIMIT 1"},
      {&count_offers_, std::string(kCountOffersSql)},
      {&count_offers_any_system_, std::string(kCountOffersAnySystemSql)},
      {&add_offer_count_,
       "INSERT INTO offer_counts (category, category_code_system, offers) VALUES (?1, ?2, ?3) "
       "ON CONFLICT (category, category_code_system) DO UPDATE SET offers = offers + excluded.offers"},
      {&last_config_change_,
       "SELECT at_unix, actor, file, sha256, summary FROM config_changes ORDER BY id DESC LIMIT 1"},
      {&find_record_id_,
       "SELECT c.correlation_id FROM choice_record_ids r JOIN choices c ON c.id = r.choice_id WHERE r.record_id = ?1"},
      {&insert_record_id_, "INSERT OR REPLACE INTO choice_record_ids (record_id, choice_id) VALUES (?1, ?2)"},
  }};
  for (const Entry& entry : entries) {
    auto statement = prepare_statement(db_.get(), file_, entry.sql, true);
    if (!statement) return std::move(statement).error();
    *entry.target = std::move(statement).value();
  }
  return {};
}

Result<void> SqliteLedger::run(sqlite3_stmt* statement, std::string_view what) {
  StatementScope scope(statement);
  if (sqlite3_step(statement) != SQLITE_DONE) return database_error(db_.get(), file_, what);
  return {};
}

void SqliteLedger::rollback_if_open() noexcept {
  // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR);
  // a second ROLLBACK would only fail.
  if (sqlite3_get_autocommit(db_.get()) != 0) return;
  if (rollback_) {
    StatementScope scope(rollback_.get());
    sqlite3_step(rollback_.get());
  } else {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Result<SqliteLedger::Head> SqliteLedger::read_head(const ChainTable& table) {
  sqlite3_stmt* statement = select_head_.get();
  StatementScope scope(statement);
  bind_text(statement, 1, table.name);
  const int rc = sqlite3_step(statement);
  if (rc == SQLITE_DONE) {
    return make_error(ErrorCode::tampered,
                      "the chain head of " + std::string(table.name) + " is missing; run verify", file_.string());
  }
  if (rc != SQLITE_ROW) return database_error(db_.get(), file_, "cannot read the chain head of " + std::string(table.name));
  return Head{sqlite3_column_int64(statement, 0), column_text(statement, 1)};
}

Result<bool> SqliteLedger::holds_record(const ChoiceRecord& choice) {
  sqlite3_stmt* s = find_record_id_.get();
  StatementScope scope(s);
  bind_text(s, 1, choice.record_id);
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return false;
  if (rc != SQLITE_ROW) return database_error(db_.get(), file_, "cannot look up the record id of a choice");
  // A record id that points at another choice (an edited table) is not
  // trusted to skip this one.
  return column_text(s, 0) == choice.correlation_id;
}

Result<std::int64_t> SqliteLedger::append_rows(const ChainTable& table, sqlite3_stmt* insert,
                                               std::span<const ChainRow> rows, std::span<const ChoiceRecord> choices) {
  return append_rows(table, insert, rows.size(), [rows](std::size_t i, ChainRowView& view) { view.fill(rows[i]); },
                     choices, {});
}

Result<std::int64_t> SqliteLedger::append_rows(const ChainTable& table, sqlite3_stmt* insert, std::size_t count,
                                               const FillRow& fill, std::span<const ChoiceRecord> choices,
                                               const AlsoWrite& also) {
  if (count == 0) return std::int64_t{0};
  const std::string what = "cannot append to " + std::string(table.name);
  if (auto r = run(begin_.get(), what); !r) return std::move(r).error();
  auto result = [&]() -> Result<std::int64_t> {
    auto head = read_head(table);
    if (!head) return std::move(head).error();
    std::int64_t id = head->last_id;
    std::string mac = head->last_mac;
    ChainRowView view;
    for (std::size_t i = 0; i < count; ++i) {
      const ChoiceRecord* choice = i < choices.size() && !choices[i].record_id.empty() ? &choices[i] : nullptr;
      if (choice != nullptr) {
        auto held = holds_record(*choice);
        if (!held) return std::move(held).error();
        if (*held) continue;  // replayed: the ledger has it already
      }
      ++id;
      // The MAC's encoding goes into view's buffer, reused for the batch.
      fill(i, view);
      std::string next_mac = view.mac(chain_key_, table, id, mac);
      StatementScope scope(insert);
      sqlite3_bind_int64(insert, 1, id);
      int index = 1;
      for (const ChainValueView& value : view.values()) {
        ++index;
        if (const auto* number = std::get_if<std::int64_t>(&value)) {
          sqlite3_bind_int64(insert, index, *number);
        } else if (std::holds_alternative<std::monostate>(value)) {
          sqlite3_bind_null(insert, index);
        } else {
          bind_text(insert, index, std::get<std::string_view>(value));
        }
      }
      bind_text(insert, index + 1, mac);
      bind_text(insert, index + 2, next_mac);
      if (sqlite3_step(insert) != SQLITE_DONE) return database_error(db_.get(), file_, what);
      mac = std::move(next_mac);
      if (choice != nullptr) {
        StatementScope id_scope(insert_record_id_.get());
        bind_text(insert_record_id_.get(), 1, choice->record_id);
        sqlite3_bind_int64(insert_record_id_.get(), 2, id);
        if (sqlite3_step(insert_record_id_.get()) != SQLITE_DONE) return database_error(db_.get(), file_, what);
      }
    }
    if (id == head->last_id) return head->last_id + 1;  // every row was already there
    if (also) {
      if (auto r = also(); !r) return std::move(r).error();
    }
    const std::string new_head_mac = head_mac(chain_key_, table.name, id, mac);
    StatementScope scope(update_head_.get());
    bind_text(update_head_.get(), 1, table.name);
    sqlite3_bind_int64(update_head_.get(), 2, id);
    bind_text(update_head_.get(), 3, mac);
    bind_text(update_head_.get(), 4, new_head_mac);
    if (sqlite3_step(update_head_.get()) != SQLITE_DONE) return database_error(db_.get(), file_, what);
    return head->last_id + 1;
  }();
  if (!result) {
    rollback_if_open();
    return result;
  }
  // COMMIT is where synchronous=FULL fsyncs the WAL: after it the rows survive a crash.
  if (auto r = run(commit_.get(), what); !r) {
    rollback_if_open();
    return std::move(r).error();
  }
  return result;
}

Result<std::int64_t> SqliteLedger::append_offer(const OfferRecord& offer) {
  return append_offers(std::span<const OfferRecord>(&offer, 1));
}

Result<std::int64_t> SqliteLedger::append_offers(std::span<const OfferRecord> offers) {
  // Bound and MACed straight from each record, as choices are: every
  // shortlist the gateway rewrites queues one.
  std::lock_guard lock(mutex_);
  return append_rows(
      offers_table(), insert_offer_.get(), offers.size(),
      [offers](std::size_t i, ChainRowView& view) { view.fill(offers[i]); }, {},
      [this, offers]() { return add_offer_counts(offers); });
}

Result<void> SqliteLedger::add_offer_counts(std::span<const OfferRecord> offers) {
  // One upsert per category of the batch, not per offer: a batch is mostly
  // a few categories, so the offers are sorted by category and counted in runs.
  std::vector<const OfferRecord*> sorted;
  sorted.reserve(offers.size());
  for (const OfferRecord& offer : offers) sorted.push_back(&offer);
  const auto key = [](const OfferRecord* offer) { return std::tie(offer->category, offer->category_code_system); };
  std::sort(sorted.begin(), sorted.end(), [&key](const OfferRecord* a, const OfferRecord* b) { return key(a) < key(b); });
  sqlite3_stmt* add = add_offer_count_.get();
  for (std::size_t first = 0; first < sorted.size();) {
    std::size_t end = first + 1;
    while (end < sorted.size() && key(sorted[end]) == key(sorted[first])) ++end;
    StatementScope scope(add);
    bind_text(add, 1, sorted[first]->category);
    bind_text(add, 2, sorted[first]->category_code_system);
    sqlite3_bind_int64(add, 3, static_cast<std::int64_t>(end - first));
    if (sqlite3_step(add) != SQLITE_DONE) return database_error(db_.get(), file_, "cannot count the offers");
    first = end;
  }
  return {};
}

Result<std::int64_t> SqliteLedger::append_choices(std::span<const ChoiceRecord> choices) {
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (auto r = validate_choice(choices[i], i + 1); !r) return std::move(r).error();
  }
  // Each row is bound and MACed straight from its record (no ChainRow of
  // copied texts): this thread's time per record bounds the durable
  // choices per second.
  std::lock_guard lock(mutex_);
  return append_rows(choices_table(), insert_choice_.get(), choices.size(),
                     [choices](std::size_t i, ChainRowView& view) { view.fill(choices[i]); }, choices, {});
}

Result<std::int64_t> SqliteLedger::append_config_change(const ConfigChangeRecord& change) {
  const std::array<ChainRow, 1> rows{config_change_row(change)};
  std::lock_guard lock(mutex_);
  return append_rows(config_changes_table(), insert_config_change_.get(), rows);
}

Result<std::int64_t> SqliteLedger::append_order_status(const OrderStatusRecord& status) {
  if (status.order_ref.empty() && status.order_document_ref.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "order status: the order reference is empty; expected the order number the response answers");
  }
  if (auto r = validate_order_status(status, status.order_ref.empty()
                                                 ? "order status (document \"" + status.order_document_ref + "\")"
                                                 : "order status (order \"" + status.order_ref + "\")"); !r) {
    return std::move(r).error();
  }
  std::lock_guard lock(mutex_);
  if (status.order_ref.empty()) {
    // Named only by the document that carried the order (a cXML payloadID):
    // the order number recorded with that document. Rare, so not cached.
    auto resolved = order_of_document_locked(status.order_document_ref);
    if (!resolved) return std::move(resolved).error();
    OrderStatusRecord named = status;
    named.order_ref = std::move(resolved).value();
    const std::array<ChainRow, 1> rows{order_status_row(named)};
    return append_rows(order_statuses_table(), insert_order_status_.get(), rows);
  }
  const std::array<ChainRow, 1> rows{order_status_row(status)};
  return append_rows(order_statuses_table(), insert_order_status_.get(), rows);
}

Result<std::string> SqliteLedger::order_of_document(std::string_view document_ref) {
  std::lock_guard lock(mutex_);
  return order_of_document_locked(document_ref);
}

Result<std::string> SqliteLedger::order_of_document_locked(std::string_view document_ref) {
  auto statement = prepare_statement(db_.get(), file_, kOrderOfDocumentSql, false);
  if (!statement) return std::move(statement).error();
  bind_text(statement->get(), 1, document_ref);
  const int rc = sqlite3_step(statement->get());
  if (rc == SQLITE_ROW) return column_text(statement->get(), 0);
  if (rc != SQLITE_DONE) return database_error(db_.get(), file_, "cannot look up the order of a document");
  return make_error(ErrorCode::invalid_argument,
                    "order status: no recorded order came in the document \"" + std::string(document_ref) +
                        "\" (its payloadID); expected the id of an order document recorded earlier, or the order "
                        "number",
                    file_.string());
}

Result<std::optional<OfferRecord>> SqliteLedger::find_offer(std::string_view correlation_id) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = find_offer_.get();
  StatementScope scope(s);
  bind_text(s, 1, correlation_id);
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<OfferRecord>{};
  if (rc != SQLITE_ROW) return database_error(db_.get(), file_, "cannot look up the offer");
  OfferRecord offer;
  offer.at = column_time(s, 0);
  offer.correlation_id = column_text(s, 1);
  offer.requester_pseudonym = column_text(s, 2);
  offer.department = column_text(s, 3);
  offer.category_code_system = column_text(s, 4);
  offer.category = column_text(s, 5);
  offer.default_supplier = column_text(s, 6);
  offer.reason = column_text(s, 7);
  offer.arm = column_text(s, 8);
  offer.adapter = column_text(s, 9);
  return std::optional<OfferRecord>{std::move(offer)};
}

Result<std::optional<ConfigChangeRecord>> SqliteLedger::last_config_change() {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = last_config_change_.get();
  StatementScope scope(s);
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<ConfigChangeRecord>{};
  if (rc != SQLITE_ROW) return database_error(db_.get(), file_, "cannot read the last configuration change");
  ConfigChangeRecord change;
  change.at = column_time(s, 0);
  change.actor = column_text(s, 1);
  change.file = column_text(s, 2);
  change.sha256 = column_text(s, 3);
  change.summary = column_text(s, 4);
  return std::optional<ConfigChangeRecord>{std::move(change)};
}

Result<std::uint64_t> SqliteLedger::count_offers(std::string_view category_code_system, std::string_view category) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = category_code_system.empty() ? count_offers_any_system_.get() : count_offers_.get();
  StatementScope scope(s);
  if (category_code_system.empty()) {
    bind_text(s, 1, category);
  } else {
    bind_text(s, 1, category_code_system);
    bind_text(s, 2, category);
  }
  if (sqlite3_step(s) != SQLITE_ROW) return database_error(db_.get(), file_, "cannot count the offers");
  return static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
}

// Prepared per call rather than with the other statements: the console asks
// for it now and then, never on an order's path.
Result<std::vector<StoredConfigChange>> SqliteLedger::recent_config_changes(std::size_t limit) {
  std::lock_guard lock(mutex_);
  auto statement = prepare_statement(
      db_.get(), file_, "SELECT id, at_unix, actor, file, sha256, summary FROM config_changes ORDER BY id DESC LIMIT ?1",
      false);
  if (!statement) return std::move(statement).error();
  sqlite3_stmt* s = statement->get();
  // A negative LIMIT is none in SQLite: a limit beyond int64 means all.
  sqlite3_bind_int64(s, 1, limit > static_cast<std::size_t>(INT64_MAX) ? -1 : static_cast<sqlite3_int64>(limit));
  std::vector<StoredConfigChange> changes;
  int rc = 0;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    StoredConfigChange stored;
    stored.row = sqlite3_column_int64(s, 0);
    stored.change.at = column_time(s, 1);
    stored.change.actor = column_text(s, 2);
    stored.change.file = column_text(s, 3);
    stored.change.sha256 = column_text(s, 4);
    stored.change.summary = column_text(s, 5);
    changes.push_back(std::move(stored));
  }
  if (rc != SQLITE_DONE) return database_error(db_.get(), file_, "cannot read the configuration changes");
  return changes;
}

Result<void> SqliteLedger::execute(std::string_view sql) {
  std::lock_guard lock(mutex_);
  const std::string text(sql);
  return exec(db_.get(), file_, text.c_str(), "cannot execute");
}

}  // namespace socialdefault
