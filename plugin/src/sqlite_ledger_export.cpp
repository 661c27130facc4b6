// export_rows(): one GROUP BY query streamed with sqlite3_step, plus a second
// query over the same keys that yields the distinct evidence of each group in
// the same order; the two are merged like sorted files. Memory holds one
// group at a time, whatever the number of choices (SQLite's sorter spills to
// temporary files). count_orders_by_system() and count_arms() are here too:
// the colleague norm and the experiment report count the orders the export
// counts, by the one rule below.
#include <sqlite3.h>

#include <array>

#include "sqlite_ledger.hpp"

namespace socialdefault {

namespace {

// The choices the export and the norm count: the lines of an order whose
// latest status event is a rejection or a cancellation are left out,
// because nothing was bought (docs/ledger.md).
constexpr std::string_view kBought =
    "(order_ref = '' OR coalesce((SELECT status FROM order_statuses s WHERE s.order_ref = choices.order_ref "
    "ORDER BY s.id DESC LIMIT 1), '') NOT IN ('rejected', 'cancelled'))";

// Its neighbour for changed orders (schema version 5): a line counts unless
// a later version of its order is recorded. A version supersedes what has a
// lower version number (the order itself is 0, NULL in the ledger); among
// equal numbers the later arrival wins, except over lines of its own
// document, unless it is the same line again (the document came twice).
// Only changed orders are in the partial index choices_versions, so a plain
// order costs one empty index probe (docs/ledger.md, "Order versions").
constexpr std::string_view kLatest =
    "(order_ref = '' OR NOT EXISTS (SELECT 1 FROM choices v WHERE v.order_version IS NOT NULL AND "
    "v.order_ref = choices.order_ref AND (v.order_version > coalesce(choices.order_version, 0) OR "
    "(v.order_version = choices.order_version AND v.id > choices.id AND "
    "(v.document_ref IS NOT choices.document_ref OR v.line = choices.line)))))";

// The SQL expressions of a grouping key. Every expression is TEXT, so
// ORDER BY (BINARY collation) and std::string comparison agree.
std::vector<std::string> key_expressions(GroupBy key) {
  switch (key) {
    case GroupBy::department: return {"department"};
    case GroupBy::category: return {"category_code_system", "category"};
    case GroupBy::supplier:
      // A supplier outside the policy may be known only by its identifiers.
      return {"CASE WHEN chosen_supplier <> '' THEN chosen_supplier ELSE chosen_identifiers END"};
    case GroupBy::month: return {"substr(local_date, 1, 7)"};
    case GroupBy::quarter:
      return {"substr(local_date, 1, 4) || '-Q' || CAST((CAST(substr(local_date, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)"};
    case GroupBy::arm:
      // An experiment's arm is "<id>/<arm>" and neither part holds a "/";
      // "default" (an offer outside experiments) and NULL (no offer, or a
      // row older than the column) are both outside any experiment.
      return {"CASE WHEN instr(arm, '/') > 0 THEN arm ELSE '" + std::string(kOutsideExperiments) + "' END"};
  }
  return {};
}

std::string column_string(sqlite3_stmt* statement, int index) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, index));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, index)));
}

// The raw key columns of the current row (category is two columns here).
void read_raw_keys(sqlite3_stmt* statement, std::size_t count, std::vector<std::string>& out) {
  out.clear();
  for (std::size_t i = 0; i < count; ++i) out.push_back(column_string(statement, static_cast<int>(i)));
}

}  // namespace

Result<void> SqliteLedger::export_rows(const ExportQuery& query, const ExportSink& sink) {
  if (auto r = check_export_query(query); !r) return r;

  std::vector<std::string> raw_keys;             // SQL expressions, currency last
  std::vector<std::size_t> key_width;            // raw columns per GroupBy
  for (GroupBy key : query.group_by) {
    auto expressions = key_expressions(key);
    key_width.push_back(expressions.size());
    raw_keys.insert(raw_keys.end(), expressions.begin(), expressions.end());
  }
  raw_keys.emplace_back("currency");
  std::string keys_sql;
  for (const std::string& expression : raw_keys) keys_sql += (keys_sql.empty() ? "" : ", ") + expression;

  const std::string where = export_filter_sql();
  const std::string totals_sql =
      "SELECT " + keys_sql +
      ", count(*), sum(amount_minor), sum(social), sum(CASE WHEN social = 1 THEN amount_minor ELSE 0 END)"
      ", sum(CASE WHEN outcome <> 'not-offered' THEN 1 ELSE 0 END)"
      ", sum(CASE WHEN outcome = 'kept-default' THEN 1 ELSE 0 END)"
      ", sum(CASE WHEN outcome = 'other-social' THEN 1 ELSE 0 END)"
      ", sum(CASE WHEN outcome = 'regular' THEN 1 ELSE 0 END)"
      ", sum(addressable), sum(CASE WHEN addressable = 1 THEN amount_minor ELSE 0 END)"
      ", sum(CASE WHEN addressable = 1 AND social = 1 THEN amount_minor ELSE 0 END)" +
      where + " GROUP BY " + keys_sql + " ORDER BY " + keys_sql;
  const std::string evidence_sql = "SELECT DISTINCT " + keys_sql + ", evidence" + where +
                                   " AND evidence <> '' ORDER BY " + keys_sql + ", evidence";

  auto db = open_sqlite_connection(file_, true);
  if (!db) return std::move(db).error();
  if (sqlite3_exec(db->get(), "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return database_error(db->get(), file_, "cannot start the export");
  }
  auto totals = prepare_statement(db->get(), file_, totals_sql, false);
  if (!totals) return std::move(totals).error();
  auto evidence = prepare_statement(db->get(), file_, evidence_sql, false);
  if (!evidence) return std::move(evidence).error();
  const std::string from = format_date(query.from);
  const std::string to = format_date(query.to);
  for (sqlite3_stmt* s : {totals->get(), evidence->get()}) {
    sqlite3_bind_text64(s, 1, from.data(), from.size(), SQLITE_STATIC, SQLITE_UTF8);
    sqlite3_bind_text64(s, 2, to.data(), to.size(), SQLITE_STATIC, SQLITE_UTF8);
  }

  const std::size_t n = raw_keys.size();
  sqlite3_stmt* ts = totals->get();
  sqlite3_stmt* es = evidence->get();
  int evidence_step = sqlite3_step(es);
  std::vector<std::string> group, evidence_group;
  if (evidence_step == SQLITE_ROW) read_raw_keys(es, n, evidence_group);
  ExportRow row;
  int step;
  while ((step = sqlite3_step(ts)) == SQLITE_ROW) {
    read_raw_keys(ts, n, group);
    row = ExportRow{};
    std::size_t raw = 0;
    for (std::size_t k = 0; k < query.group_by.size(); ++k) {
      if (query.group_by[k] == GroupBy::category) {
        // "CPV:03121200-7"; the code alone when the system is empty.
        row.keys.push_back(group[raw].empty() ? group[raw + 1] : group[raw] + ":" + group[raw + 1]);
      } else {
        row.keys.push_back(group[raw]);
      }
      raw += key_width[k];
    }
    row.currency = group[n - 1];
    int c = static_cast<int>(n);
    row.orders = sqlite3_column_int64(ts, c++);
    row.spend = sqlite3_column_int64(ts, c++);
    row.social_orders = sqlite3_column_int64(ts, c++);
    row.social_spend = sqlite3_column_int64(ts, c++);
    row.offered = sqlite3_column_int64(ts, c++);
    row.kept_default = sqlite3_column_int64(ts, c++);
    row.other_social = sqlite3_column_int64(ts, c++);
    row.regular = sqlite3_column_int64(ts, c++);
    row.addressable_orders = sqlite3_column_int64(ts, c++);
    row.addressable_spend = sqlite3_column_int64(ts, c++);
    row.addressable_social_spend = sqlite3_column_int64(ts, c++);

    // Both queries are ordered by the same keys: skip evidence of groups
    // before this one (there are none unless the data changed), take this one's.
    while (evidence_step == SQLITE_ROW && evidence_group < group) {
      evidence_step = sqlite3_step(es);
      if (evidence_step == SQLITE_ROW) read_raw_keys(es, n, evidence_group);
    }
    while (evidence_step == SQLITE_ROW && evidence_group == group) {
      if (!row.evidence.empty()) row.evidence += "; ";
      row.evidence += column_string(es, static_cast<int>(n));
      evidence_step = sqlite3_step(es);
      if (evidence_step == SQLITE_ROW) read_raw_keys(es, n, evidence_group);
    }
    if (evidence_step != SQLITE_ROW && evidence_step != SQLITE_DONE) {
      return database_error(db->get(), file_, "cannot read the evidence for the export");
    }
    if (auto r = sink(row); !r) return r;
  }
  if (step != SQLITE_DONE) return database_error(db->get(), file_, "cannot aggregate the choices for the export");
  sqlite3_exec(db->get(), "COMMIT", nullptr, nullptr, nullptr);
  return {};
}

std::string export_filter_sql() {
  return " FROM choices WHERE local_date BETWEEN ?1 AND ?2 AND " + std::string(kBought) + " AND " + std::string(kLatest);
}

std::string count_arms_sql() {
  return "SELECT substr(arm, length(?1) + 2), count(*), sum(social) FROM choices WHERE substr(arm, 1, length(?1) + 1) "
         "= ?1 || '/' AND local_date BETWEEN ?2 AND ?3 AND " +
         std::string(kBought) + " AND " + std::string(kLatest) + " GROUP BY arm ORDER BY arm";
}

std::string count_orders_by_system_sql() {
  return "SELECT category_code_system, count(*), sum(social) FROM choices WHERE department = ?1 AND category = ?2 "
         "AND local_date BETWEEN ?3 AND ?4 AND " +
         std::string(kBought) + " AND " + std::string(kLatest) + " GROUP BY category_code_system ORDER BY category_code_system";
}

Result<std::vector<CodeSystemCount>> SqliteLedger::count_orders_by_system(std::string_view department,
                                                                          std::string_view category, LocalDate from,
                                                                          LocalDate to) {
  // A range of the index choices_by_group (department, category,
  // local_date): only the group's rows of the window are read, and the
  // rejection rule looks up each order's statuses through
  // order_statuses_by_order. EXPLAIN QUERY PLAN with SQLite 3.40.1 (checked
  // by tests/plugin/norm_count_test.cpp):
  //   SEARCH choices USING INDEX choices_by_group (department=? AND category=? AND local_date>? AND local_date<?)
  //   CORRELATED SCALAR SUBQUERY 1
  //     SEARCH s USING INDEX order_statuses_by_order (order_ref=?)
  //   USE TEMP B-TREE FOR GROUP BY
  // A group may hold most of the window's orders (half a second of CPU at
  // 200,000, docs/nudges.md), so it is read like the export, on a read-only
  // connection of its own, and never holds up an append on the writing one.
  // The engine asks once a minute per group at most, so opening the
  // connection and preparing the statement per call costs little.
  const std::string sql = count_orders_by_system_sql();
  const std::string first = format_date(from);
  const std::string last = format_date(to);
  constexpr std::string_view what = "cannot count the orders per code system";
  auto db = open_sqlite_connection(file_, true);
  if (!db) return std::move(db).error();
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db->get(), sql.data(), static_cast<int>(sql.size()), 0, &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    return database_error(db->get(), file_, what);
  }
  const SqliteStatement statement(raw);
  const std::array<std::string_view, 4> values{department, category, first, last};
  for (std::size_t i = 0; i < values.size(); ++i) {
    sqlite3_bind_text64(raw, static_cast<int>(i + 1), values[i].data(), values[i].size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  std::vector<CodeSystemCount> counts;
  int step;
  while ((step = sqlite3_step(raw)) == SQLITE_ROW) {
    counts.push_back(CodeSystemCount{column_string(raw, 0),
                                     OrderCount{sqlite3_column_int64(raw, 1), sqlite3_column_int64(raw, 2)}});
  }
  if (step != SQLITE_DONE) return database_error(db->get(), file_, what);
  return counts;
}

Result<std::vector<ArmCount>> SqliteLedger::count_arms(std::string_view experiment, LocalDate from, LocalDate to) {
  // The experiment report's counts, by the export's rules (kBought,
  // kLatest): a rejected or cancelled order, or a superseded version of a
  // changed order, is not counted for its arm either, so the
  // report's orders per arm are the export's grouped by arm over the
  // experiment's days. substr, not LIKE: an experiment id may contain "_",
  // which LIKE reads as a wildcard. Like the export, on a read-only
  // connection of its own.
  const std::string sql = count_arms_sql();
  const std::string first = format_date(from);
  const std::string last = format_date(to);
  constexpr std::string_view what = "cannot count the orders per arm";
  auto db = open_sqlite_connection(file_, true);
  if (!db) return std::move(db).error();
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db->get(), sql.data(), static_cast<int>(sql.size()), 0, &s, nullptr) != SQLITE_OK) {
    sqlite3_finalize(s);
    return database_error(db->get(), file_, what);
  }
  const SqliteStatement statement(s);
  const std::array<std::string_view, 3> values{experiment, first, last};
  for (std::size_t i = 0; i < values.size(); ++i) {
    sqlite3_bind_text64(s, static_cast<int>(i + 1), values[i].data(), values[i].size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  std::vector<ArmCount> arms;
  int step;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    arms.push_back(ArmCount{column_string(s, 0), OrderCount{sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2)}});
  }
  if (step != SQLITE_DONE) return database_error(db->get(), file_, what);
  return arms;
}

}  // namespace socialdefault
