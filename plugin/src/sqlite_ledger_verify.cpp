// verify(): recomputes every chain of the SQLite ledger from one read
// snapshot and names the first broken row. The rules are in docs/ledger.md.
#include <sqlite3.h>

#include <optional>

#include "sqlite_ledger.hpp"

namespace socialdefault {

namespace {

std::string select_rows_sql(const ChainTable& table) {
  std::string sql = "SELECT id";
  for (const ChainColumn& column : table.columns) sql += ", " + std::string(column.name);
  return sql + ", prev_mac, mac FROM " + std::string(table.name) + " ORDER BY id";
}

std::optional<std::string> text_column(sqlite3_stmt* statement, int index) {
  if (sqlite3_column_type(statement, index) != SQLITE_TEXT) return std::nullopt;
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, index));
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, index)));
}

// Reads the data columns as stored; nullopt names the first column whose
// storage type is not the one the chain was computed over.
std::optional<std::string_view> read_values(sqlite3_stmt* statement, const ChainTable& table, ChainRow& values) {
  values.clear();
  int index = 0;
  for (const ChainColumn& column : table.columns) {
    ++index;
    if (column.nullable && sqlite3_column_type(statement, index) == SQLITE_NULL) {
      values.emplace_back(std::monostate{});
      continue;
    }
    if (column.type == ColumnType::integer) {
      if (sqlite3_column_type(statement, index) != SQLITE_INTEGER) return column.name;
      values.emplace_back(std::int64_t{sqlite3_column_int64(statement, index)});
    } else {
      auto text = text_column(statement, index);
      if (!text) return column.name;
      values.emplace_back(std::move(*text));
    }
  }
  return std::nullopt;
}

class ChainVerifier {
 public:
  ChainVerifier(sqlite3* db, const std::filesystem::path& file, const Key& key, VerifyReport& report)
      : db_(db), file_(file), key_(key), report_(report) {}

  // Checks one chain; on the first break fills the report and stops.
  Result<void> check(const ChainTable& table) {
    const std::string name(table.name);
    auto head_statement = prepare_statement(db_, file_, "SELECT last_id, last_mac, mac FROM chain_heads WHERE table_name = ?1", false);
    if (!head_statement) return std::move(head_statement).error();
    sqlite3_stmt* hs = head_statement->get();
    sqlite3_bind_text64(hs, 1, table.name.data(), table.name.size(), SQLITE_STATIC, SQLITE_UTF8);
    const int rc = sqlite3_step(hs);
    if (rc == SQLITE_DONE) {
      return broken(name, 0, "truncated", "the chain head of " + name + " is missing, so a removed tail cannot be ruled out");
    }
    if (rc != SQLITE_ROW) return database_error(db_, file_, "cannot read the chain head of " + name);
    const std::int64_t head_id = sqlite3_column_int64(hs, 0);
    const auto head_last_mac = text_column(hs, 1);
    const auto head_own_mac = text_column(hs, 2);
    if (sqlite3_column_type(hs, 0) != SQLITE_INTEGER || !head_last_mac || !head_own_mac ||
        head_mac(key_, table.name, head_id, *head_last_mac) != *head_own_mac) {
      return broken(name, head_id, "altered",
                    "the chain head of " + name + " does not match its MAC: chain_heads was altered");
    }

    auto rows_statement = prepare_statement(db_, file_, select_rows_sql(table), false);
    if (!rows_statement) return std::move(rows_statement).error();
    auto next_statement = prepare_statement(
        db_, file_, "SELECT prev_mac FROM " + name + " WHERE id > ?1 ORDER BY id LIMIT 1", false);
    if (!next_statement) return std::move(next_statement).error();

    sqlite3_stmt* rs = rows_statement->get();
    const int prev_index = static_cast<int>(table.columns.size()) + 1;
    std::int64_t expected = 1;
    std::string prev_mac(kGenesisMac);
    ChainRow values;
    int step;
    while ((step = sqlite3_step(rs)) == SQLITE_ROW) {
      const std::int64_t id = sqlite3_column_int64(rs, 0);
      const std::string row = name + " row " + std::to_string(id);
      if (id < expected) return broken(name, id, "inserted", row + ": ids start at 1, so this row was inserted");
      if (id > head_id) {
        return broken(name, id, "inserted",
                      row + " lies beyond the chain head (last id " + std::to_string(head_id) + "): inserted");
      }
      if (id > expected) {
        return broken(name, expected, "removed",
                      name + " row " + std::to_string(expected) + " is missing (the next row is " + std::to_string(id) +
                          "): removed");
      }
      if (auto column = read_values(rs, table, values)) {
        return broken(name, id, "altered", row + ": column " + std::string(*column) + " has the wrong type: altered");
      }
      const auto stored_prev = text_column(rs, prev_index);
      const auto stored_mac = text_column(rs, prev_index + 1);
      if (!stored_prev || !stored_mac) {
        return broken(name, id, "altered", row + ": prev_mac or mac is not text: altered");
      }
      if (row_mac(key_, table, id, values, *stored_prev) != *stored_mac) {
        // Altered rows keep their place in the chain (the next row still
        // names their MAC); an inserted row does not (the next row names
        // the row before it).
        std::optional<std::string> next_prev;
        if (id == head_id) {
          next_prev = *head_last_mac;
        } else {
          auto next = next_prev_mac(next_statement->get(), id);
          if (!next) return std::move(next).error();
          next_prev = std::move(next).value();
        }
        if (next_prev && *next_prev != *stored_mac && *next_prev == prev_mac) {
          return broken(name, id, "inserted",
                        row + " is not part of the chain (the next row follows the row before it): inserted");
        }
        return broken(name, id, "altered", row + ": its contents do not match its MAC: altered");
      }
      if (*stored_prev != prev_mac) {
        return broken(name, id, "removed",
                      row + " does not follow the row before it (prev_mac differs): a row before it was removed");
      }
      ++report_.rows_checked;
      prev_mac = *stored_mac;
      expected = id + 1;
    }
    if (step != SQLITE_DONE) return database_error(db_, file_, "cannot read " + name);
    const std::int64_t last = expected - 1;
    if (head_id > last) {
      return broken(name, last + 1, "truncated",
                    name + " ends at row " + std::to_string(last) + " but the chain head says " + std::to_string(head_id) +
                        ": rows were removed from the end (truncated)");
    }
    if (*head_last_mac != prev_mac) {
      return broken(name, last, "altered", name + " row " + std::to_string(last) + " is not the row the chain head names: altered");
    }
    return {};
  }

 private:
  Result<void> broken(const std::string& table, std::int64_t row, const char* problem, std::string detail) {
    report_.intact = false;
    report_.first_broken_table = table;
    report_.first_broken_row = row;
    report_.problem = problem;
    report_.detail = std::move(detail);
    return {};
  }

  Result<std::optional<std::string>> next_prev_mac(sqlite3_stmt* statement, std::int64_t id) {
    StatementScope scope(statement);
    sqlite3_bind_int64(statement, 1, id);
    const int rc = sqlite3_step(statement);
    if (rc == SQLITE_DONE) return std::optional<std::string>{};
    if (rc != SQLITE_ROW) return database_error(db_, file_, "cannot read the next row");
    return text_column(statement, 0);
  }

  sqlite3* db_;
  const std::filesystem::path& file_;
  const Key& key_;
  VerifyReport& report_;
};

}  // namespace

Result<VerifyReport> SqliteLedger::verify() {
  auto db = open_sqlite_connection(file_, true);
  if (!db) return std::move(db).error();
  // One read transaction: every chain and head is seen at the same instant,
  // while appends go on through the writing connection.
  if (sqlite3_exec(db->get(), "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return database_error(db->get(), file_, "cannot start verification");
  }
  VerifyReport report;
  ChainVerifier verifier(db->get(), file_, chain_key_, report);
  for (const ChainTable* table : chained_tables()) {
    if (auto r = verifier.check(*table); !r) return std::move(r).error();
    if (!report.intact) break;
  }
  sqlite3_exec(db->get(), "COMMIT", nullptr, nullptr, nullptr);
  return report;
}

}  // namespace socialdefault
