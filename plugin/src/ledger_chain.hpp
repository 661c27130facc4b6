// The MAC chain of the ledger, independent of the database that stores it:
// which columns each chained table has, in which order they are MACed, and
// the canonical encoding. A PostgreSQL backend reuses this file unchanged so
// that both backends produce and verify the same MACs.
#pragma once

#include <array>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "socialdefault/keys.hpp"
#include "socialdefault/ledger.hpp"

namespace socialdefault {

enum class ColumnType { integer, text };

struct ChainColumn {
  std::string_view name;
  ColumnType type;
  // Added by a later schema version: NULL in older rows, and a NULL column
  // is left out of the MAC, so those rows encode exactly as before.
  bool nullable = false;
};

// A chained table: its own rows form one chain with ids 1, 2, 3, ...
struct ChainTable {
  std::string_view name;
  std::span<const ChainColumn> columns;  // the data columns, without id, prev_mac and mac
};

const ChainTable& offers_table() noexcept;
const ChainTable& choices_table() noexcept;
const ChainTable& config_changes_table() noexcept;
const ChainTable& order_statuses_table() noexcept;
// In verification order.
std::span<const ChainTable* const> chained_tables() noexcept;

// One column value; the alternative must match the column's ColumnType,
// std::monostate is NULL (only in a nullable column).
using ChainValue = std::variant<std::int64_t, std::string, std::monostate>;
using ChainRow = std::vector<ChainValue>;

// The prev_mac of the first row of every chain.
inline constexpr std::string_view kGenesisMac = "0000000000000000000000000000000000000000000000000000000000000000";

// Rows as stored. Values are checked by the caller (validate_*).
ChainRow offer_row(const OfferRecord& offer);
ChainRow choice_row(const ChoiceRecord& choice);
ChainRow config_change_row(const ConfigChangeRecord& change);
ChainRow order_status_row(const OrderStatusRecord& status);

// Checks what the schema's constraints would refuse, with a message that
// names the record; `what` is e.g. "choice 2 (correlation id REQ-1)".
Result<void> validate_choice(const ChoiceRecord& choice, const std::string& what);
// The same for the position-th record of a batch (1-based): the name,
// `choice 2 (correlation id "REQ-1")`, is only built for an error.
Result<void> validate_choice(const ChoiceRecord& choice, std::size_t position);
Result<void> validate_order_status(const OrderStatusRecord& status, const std::string& what);

// The values the schema's CHECK constraints allow for the enumerated text
// columns (choices.outcome, order_statuses.status). The writing connection
// skips CHECK constraints, so these are checked in C++ before binding: a new
// enumerator needs a migration that widens the CHECK, and this list with it.
inline constexpr std::array<std::string_view, 4> kSchemaOutcomes{"kept-default", "other-social", "regular",
                                                                 "not-offered"};
inline constexpr std::array<std::string_view, 4> kSchemaOrderStatuses{"accepted", "rejected",
                                                                      "conditionally-accepted", "cancelled"};

// Appends one length-prefixed field: 8-byte big-endian length, then the bytes.
void append_field(std::string& out, std::string_view bytes);

// The canonical encoding of a row: field(table) field(id) then, per column,
// field(name) field(type tag + value), then field(prev_mac). Integers are
// decimal ASCII after the tag 'i', texts follow the tag 't'; a NULL column
// contributes nothing (neither its name nor a value).
std::string canonical_row(const ChainTable& table, std::int64_t id, std::span<const ChainValue> values,
                          std::string_view prev_mac);
// Lower-case hex HMAC-SHA256 over canonical_row with the chain key.
std::string row_mac(const Key& chain_key, const ChainTable& table, std::int64_t id,
                    std::span<const ChainValue> values, std::string_view prev_mac);
// The MAC of a chain head: field("chain_heads") field(table) field(last_id) field(last_mac).
std::string head_mac(const Key& chain_key, std::string_view table, std::int64_t last_id, std::string_view last_mac);

// A column value as the append path binds and MACs it: a view into a
// ChainRow's value.
using ChainValueView = std::variant<std::int64_t, std::string_view, std::monostate>;

// The values of a ChainRow as views, refilled for every row of a batch:
// the append path binds them as they are (no copies of the texts) and
// encodes the row for its MAC into a buffer of this object that keeps its
// capacity from row to row. The views point into the row given to fill(),
// which must not change or go before they are used.
class ChainRowView {
 public:
  ChainRowView() = default;
  ChainRowView(const ChainRowView&) = delete;
  ChainRowView& operator=(const ChainRowView&) = delete;

  void fill(std::span<const ChainValue> row);
  // The values of choice_row(choice), viewed straight from the record (only
  // the two formatted times are held here): no copy of its texts. The
  // record must not change or go before the views are used.
  void fill(const ChoiceRecord& choice);
  // The values of offer_row(offer), the same way.
  void fill(const OfferRecord& offer);
  std::span<const ChainValueView> values() const noexcept { return values_; }

  // row_mac of the same values.
  std::string mac(const Key& chain_key, const ChainTable& table, std::int64_t id, std::string_view prev_mac);

 private:
  std::string canonical_;
  std::vector<ChainValueView> values_;
  // The records' formatted values, and what they were formatted from.
  std::string at_utc_, local_date_;
  UtcSeconds at_{};
  LocalDate date_{};
  bool at_formatted_ = false, date_formatted_ = false;
};

// canonical_row into `out` (cleared first, its capacity kept).
void canonical_row_into(std::string& out, const ChainTable& table, std::int64_t id,
                        std::span<const ChainValueView> values, std::string_view prev_mac);

}  // namespace socialdefault
