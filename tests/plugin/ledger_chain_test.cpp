// The chain's encoding on the append path: rows are bound and MACed through
// views (ChainRowView) and one reused encoding buffer, and must encode byte
// for byte as the documented canonical row (docs/ledger.md) that verify
// recomputes from the stored columns; a ledger written before keeps verifying.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <string>
#include <vector>

#include "ledger_chain.hpp"
#include "socialdefault/keys.hpp"
#include "socialdefault/ledger.hpp"
#include "temp_dir.hpp"

namespace socialdefault {
namespace {

using namespace std::chrono_literals;

const Keys& keys() {
  static const Keys k = Keys::from_secret(std::string(64, 'c')).value();
  return k;
}

ChoiceRecord choice(int n, std::string arm = {}) {
  ChoiceRecord c;
  c.at = UtcSeconds{std::chrono::sys_days{2026y / 11 / 27}} + 10h + std::chrono::seconds{n};
  c.local_date = 2026y / 11 / 27;
  c.correlation_id = "REQ-" + std::to_string(n);
  c.order_ref = "PO-" + std::to_string(n);
  c.line = n;
  c.requester_pseudonym = "p" + std::to_string(n);
  c.department = "Burgerzaken";
  c.category_code_system = "CPV";
  c.category = "03121200-7";
  c.default_offered = "BLOEM-01";
  c.chosen_supplier = n % 2 == 0 ? "BLOEM-01" : "FLR-100";
  c.chosen_identifiers = n % 2 == 0 ? "" : "KVK:60000100";
  c.social = n % 2 == 0;
  c.evidence = c.social ? "pso-3 2026-01-01..2027-12-31" : "";
  c.addressable = true;
  c.outcome = c.social ? Outcome::kept_default : Outcome::regular;
  c.amount = Money{-4595 + n, "EUR"};
  c.adapter = "soap";
  c.arm = std::move(arm);
  return c;
}

OfferRecord offer(int n) {
  OfferRecord o;
  o.at = UtcSeconds{std::chrono::sys_days{2026y / 11 / 27}} + 9h + std::chrono::seconds{n};
  o.correlation_id = "REQ-" + std::to_string(n);
  o.requester_pseudonym = "p" + std::to_string(n);
  o.department = "Facilitair";
  o.category_code_system = "CPV";
  o.category = "55520000-1";
  o.default_supplier = "CAT-S1";
  o.reason = "applied";
  o.arm = n % 2 == 0 ? "" : "catering/norm";
  o.adapter = "soap";
  return o;
}

// The documented encoding, written out independently of ledger_chain.cpp:
// 8-byte big-endian length, then the bytes.
std::string field(std::string_view bytes) {
  std::string out;
  const std::uint64_t size = bytes.size();
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xFF));
  out.append(bytes);
  return out;
}

std::string documented_choice_row(const ChoiceRecord& c, std::int64_t id, std::string_view prev_mac) {
  std::string out = field("choices") + field(std::to_string(id));
  const auto text = [&](std::string_view name, std::string_view value) {
    out += field(name) + field("t" + std::string(value));
  };
  const auto integer = [&](std::string_view name, std::int64_t value) {
    out += field(name) + field("i" + std::to_string(value));
  };
  text("at_utc", format_utc(c.at));
  integer("at_unix", c.at.time_since_epoch().count());
  text("local_date", format_date(c.local_date));
  text("correlation_id", c.correlation_id);
  text("order_ref", c.order_ref);
  integer("line", c.line);
  text("requester_pseudonym", c.requester_pseudonym);
  text("department", c.department);
  text("category_code_system", c.category_code_system);
  text("category", c.category);
  text("default_offered", c.default_offered);
  text("chosen_supplier", c.chosen_supplier);
  text("chosen_identifiers", c.chosen_identifiers);
  integer("social", c.social ? 1 : 0);
  text("evidence", c.evidence);
  integer("addressable", c.addressable ? 1 : 0);
  text("outcome", to_string(c.outcome));
  integer("amount_minor", c.amount.minor);
  text("currency", c.amount.currency);
  text("adapter", c.adapter);
  if (!c.arm.empty()) text("arm", c.arm);
  return out + field(prev_mac);
}

std::string hex_mac(std::string_view bytes) {
  const auto mac = hmac_sha256(keys().chain_key(), bytes);
  return to_hex(mac.data(), mac.size());
}

TEST(ChainRowView, EncodesAsTheDocumentedRow) {
  ChainRowView view;
  std::string encoded;
  for (int n = 0; n < 4; ++n) {
    const ChoiceRecord c = choice(n, n < 2 ? "" : "flowers/impact");
    const ChainRow row = choice_row(c);
    view.fill(row);  // the same view refilled, as the append path does
    canonical_row_into(encoded, choices_table(), n + 1, view.values(), kGenesisMac);
    EXPECT_EQ(encoded, documented_choice_row(c, n + 1, kGenesisMac)) << n;
    EXPECT_EQ(encoded, canonical_row(choices_table(), n + 1, row, kGenesisMac)) << n;
    EXPECT_EQ(view.mac(keys().chain_key(), choices_table(), n + 1, kGenesisMac),
              hex_mac(documented_choice_row(c, n + 1, kGenesisMac)));
    EXPECT_EQ(view.mac(keys().chain_key(), choices_table(), n + 1, kGenesisMac),
              row_mac(keys().chain_key(), choices_table(), n + 1, row, kGenesisMac));
  }
  // Offers (no NULL column) through the same view.
  const OfferRecord o = offer(3);
  const ChainRow offer_values = offer_row(o);
  view.fill(offer_values);
  canonical_row_into(encoded, offers_table(), 7, view.values(), "prev");
  std::string expected = field("offers") + field("7");
  const std::vector<std::pair<std::string_view, std::string>> columns{
      {"at_utc", "t" + format_utc(o.at)},
      {"at_unix", "i" + std::to_string(o.at.time_since_epoch().count())},
      {"correlation_id", "t" + o.correlation_id},
      {"requester_pseudonym", "t" + o.requester_pseudonym},
      {"department", "t" + o.department},
      {"category_code_system", "t" + o.category_code_system},
      {"category", "t" + o.category},
      {"default_supplier", "t" + o.default_supplier},
      {"reason", "t" + o.reason},
      {"arm", "t" + o.arm},
      {"adapter", "t" + o.adapter}};
  for (const auto& [name, value] : columns) expected += field(name) + field(value);
  EXPECT_EQ(encoded, expected + field("prev"));
}

// The append path fills the view straight from the record; it must give the
// values of choice_row exactly (so the MACs and what is bound agree with
// verify()), for every kind of row: with and without arm, order version and
// document id, each outcome, empty texts.
TEST(ChainRowView, FillingFromTheRecordGivesTheRowsValues) {
  ChainRowView from_record;
  ChainRowView from_row;
  std::string direct;
  std::string via_row;
  for (int n = 0; n < 8; ++n) {
    ChoiceRecord c = choice(n, n % 3 == 0 ? "" : "flowers/impact");
    c.order_version = n < 4 ? 0 : n;  // rows 0-3 as before version 5
    c.document_ref = n < 4 || n % 2 == 0 ? "" : "DOC-" + std::to_string(n);
    c.outcome = static_cast<Outcome>(n % 4);
    if (n == 5) c.requester_pseudonym.clear();
    const ChainRow row = choice_row(c);
    from_record.fill(c);
    from_row.fill(row);
    ASSERT_EQ(from_record.values().size(), from_row.values().size()) << n;
    for (std::size_t i = 0; i < row.size(); ++i) {
      EXPECT_EQ(from_record.values()[i], from_row.values()[i]) << "row " << n << ", column " << i;
    }
    canonical_row_into(direct, choices_table(), n + 1, from_record.values(), kGenesisMac);
    canonical_row_into(via_row, choices_table(), n + 1, from_row.values(), kGenesisMac);
    EXPECT_EQ(direct, via_row) << n;
    if (n < 4) {
      EXPECT_EQ(direct, documented_choice_row(c, n + 1, kGenesisMac)) << n;
    }
  }
  // The view keeps the formatted time and date while they repeat: a change
  // of either alone shows.
  ChoiceRecord c = choice(1);
  from_record.fill(c);
  c.local_date = 2026y / 12 / 1;
  from_record.fill(c);
  canonical_row_into(direct, choices_table(), 1, from_record.values(), kGenesisMac);
  EXPECT_EQ(direct, documented_choice_row(c, 1, kGenesisMac));
  c.at += 1h;
  from_record.fill(c);
  canonical_row_into(direct, choices_table(), 1, from_record.values(), kGenesisMac);
  EXPECT_EQ(direct, documented_choice_row(c, 1, kGenesisMac));
}

// Offers too are filled straight from the record: the values of offer_row,
// also after a choice filled the same view (and the other way round).
TEST(ChainRowView, FillingFromAnOfferGivesTheOfferRowsValues) {
  ChainRowView from_record;
  ChainRowView from_row;
  std::string direct;
  std::string via_row;
  for (int n = 0; n < 6; ++n) {
    OfferRecord o = offer(n);
    if (n == 1) o.at = offer(0).at;  // the same second as the row before
    if (n == 3) {
      o.arm.clear();
      o.at += 1h;
    }
    if (n == 4) from_record.fill(choice(n));
    const ChainRow row = offer_row(o);
    from_record.fill(o);
    from_row.fill(row);
    ASSERT_EQ(from_record.values().size(), row.size()) << n;
    for (std::size_t i = 0; i < row.size(); ++i) {
      EXPECT_EQ(from_record.values()[i], from_row.values()[i]) << "row " << n << ", column " << i;
    }
    canonical_row_into(direct, offers_table(), n + 1, from_record.values(), kGenesisMac);
    canonical_row_into(via_row, offers_table(), n + 1, from_row.values(), kGenesisMac);
    EXPECT_EQ(direct, via_row) << n;
  }
  // A choice after an offer of another second formats its own time and date.
  ChoiceRecord c = choice(1);
  c.at += 2h;
  from_record.fill(c);
  canonical_row_into(direct, choices_table(), 1, from_record.values(), kGenesisMac);
  EXPECT_EQ(direct, documented_choice_row(c, 1, kGenesisMac));
}

TEST(ChainRowView, AnEmptyArmIsLeftOutOfTheEncoding) {
  ChainRowView view;
  const ChainRow without = choice_row(choice(1));
  view.fill(without);
  std::string encoded;
  canonical_row_into(encoded, choices_table(), 1, view.values(), kGenesisMac);
  EXPECT_EQ(encoded.find("arm"), std::string::npos);
  const ChainRow with = choice_row(choice(1, "flowers/norm"));
  view.fill(with);
  canonical_row_into(encoded, choices_table(), 1, view.values(), kGenesisMac);
  EXPECT_NE(encoded.find("tflowers/norm"), std::string::npos);
}

// Reads id, prev_mac and mac of every stored choice.
std::vector<std::array<std::string, 2>> stored_macs(const std::filesystem::path& file) {
  std::vector<std::array<std::string, 2>> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT prev_mac, mac FROM choices ORDER BY id", -1, &s, nullptr);
  while (s != nullptr && sqlite3_step(s) == SQLITE_ROW) {
    rows.push_back({reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                    reinterpret_cast<const char*>(sqlite3_column_text(s, 1))});
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return rows;
}

TEST(ChainAppend, StoredMacsAreTheDocumentedEncodingAndVerify) {
  testing::TempDir dir;
  const auto file = dir.path() / "ledger.sqlite";
  std::vector<ChoiceRecord> batch;
  for (int n = 1; n <= 5; ++n) batch.push_back(choice(n, n == 3 ? "flowers/impact" : ""));
  {
    auto ledger = open_sqlite_ledger(file, keys());
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    ASSERT_TRUE((*ledger)->append_choices(std::span(batch).first(2)).ok());
    ASSERT_TRUE((*ledger)->append_choices(std::span(batch).subspan(2)).ok());
    auto report = (*ledger)->verify();
    ASSERT_TRUE(report.ok()) << report.error().describe();
    EXPECT_TRUE(report->intact) << report->detail;
  }
  const auto rows = stored_macs(file);
  ASSERT_EQ(rows.size(), batch.size());
  std::string prev(kGenesisMac);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0], prev) << i;
    EXPECT_EQ(rows[i][1], hex_mac(documented_choice_row(batch[i], static_cast<std::int64_t>(i + 1), prev))) << i;
    prev = rows[i][1];
  }
}

// The writing connection skips the CHECK constraints (validated in code
// instead); the schema keeps them for every other connection.
TEST(ChainAppend, OtherConnectionsStillHaveTheSchemasChecks) {
  testing::TempDir dir;
  const auto file = dir.path() / "ledger.sqlite";
  auto ledger = open_sqlite_ledger(file, keys());
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  const std::vector<ChoiceRecord> batch{choice(1), choice(2)};
  ASSERT_TRUE((*ledger)->append_choices(batch).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  for (const char* sql : {"UPDATE choices SET outcome = 'nonsense' WHERE id = 1",
                          "UPDATE choices SET currency = 'EURO' WHERE id = 1",
                          "UPDATE choices SET local_date = '26-11-27' WHERE id = 1",
                          "UPDATE choices SET social = 2 WHERE id = 2"}) {
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_CONSTRAINT) << sql;
    EXPECT_NE(std::string(sqlite3_errmsg(db)).find("CHECK constraint failed"), std::string::npos) << sqlite3_errmsg(db);
  }
  sqlite3_close(db);
}

TEST(ChainAppend, ARefusedChoiceIsNamedByItsPlaceAndCorrelationId) {
  testing::TempDir dir;
  auto ledger = open_sqlite_ledger(dir.path() / "ledger.sqlite", keys());
  ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
  std::vector<ChoiceRecord> batch{choice(1), choice(2), choice(3)};
  batch[2].amount.currency = "EURO";
  auto appended = (*ledger)->append_choices(batch);
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(appended.error().describe(),
            "choice 3 (correlation id \"REQ-3\"): currency \"EURO\" is not an ISO 4217 code (three capital letters)");
  EXPECT_TRUE(stored_macs(dir.path() / "ledger.sqlite").empty());
}

}  // namespace
}  // namespace socialdefault
