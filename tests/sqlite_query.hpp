// Reads a ledger file behind the ledger's back, as the tests of its schema
// and migrations need: what a query returns, rows joined by commas, and
// how SQLite plans it.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <string>

namespace socialdefault::testing {

// The first column of every row of sql, joined by ","; NULL as "NULL"; a
// query that does not prepare gives "error: " and SQLite's message.
inline std::string query_text(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK) {
    while (sqlite3_step(s) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      out += (out.empty() ? "" : ",") + std::string(text != nullptr ? text : "NULL");
    }
  } else {
    out = std::string("error: ") + sqlite3_errmsg(db);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

// EXPLAIN QUERY PLAN of sql, one step per line (SQLite's detail column), for
// the tests that pin which index a query reads; "error: " and SQLite's
// message when it does not prepare.
inline std::string query_plan(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  std::string plan;
  const std::string explain = "EXPLAIN QUERY PLAN " + sql;
  if (sqlite3_prepare_v2(db, explain.c_str(), -1, &s, nullptr) == SQLITE_OK) {
    while (sqlite3_step(s) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
      plan += '\n';
    }
  } else {
    plan = std::string("error: ") + sqlite3_errmsg(db);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return plan;
}

}  // namespace socialdefault::testing
