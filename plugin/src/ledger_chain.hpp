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
// The same without the name, for a caller that names the record only when
// it is refused (the message then follows "what: ").
Result<void> validate_choice(const ChoiceRecord& choice);

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

// A column value as the append path binds and MACs it: a view into its
// record, so that appending a row copies none of its texts.
using ChainValueView = std::variant<std::int64_t, std::string_view, std::monostate>;

// One row of views, refilled for every record of a batch. The texts a
// record does not hold as such (its formatted time and date, the tagged
// integers of the encoding) live here in buffers that keep their capacity,
// so a batch allocates almost nothing per row. The views point into the
// record given to fill() (and into this object): neither may change or go
// before the row is used. Encodes exactly as the ChainRow of the same record.
class ChainRowView {
 public:
  ChainRowView() = default;
  ChainRowView(const ChainRowView&) = delete;
  ChainRowView& operator=(const ChainRowView&) = delete;

  void fill(const OfferRecord& offer);
  void fill(const ChoiceRecord& choice);
  // Views of a row as stored (config changes and order statuses, which are
  // rare enough to go through ChainRow).
  void fill(std::span<const ChainValue> row);
  std::span<const ChainValueView> values() const noexcept { return {values_.data(), size_}; }

  // The row's MAC (row_mac of the same values), encoded in a buffer of this
  // object that is reused from row to row.
  std::string mac(const Key& chain_key, const ChainTable& table, std::int64_t id, std::string_view prev_mac);

 private:
  std::string at_utc_;
  std::string local_date_;
  std::string canonical_;
  std::array<ChainValueView, 24> values_{};
  std::size_t size_ = 0;
};

// canonical_row into `out` (cleared first, its capacity kept).
void canonical_row_into(std::string& out, const ChainTable& table, std::int64_t id,
                        std::span<const ChainValueView> values, std::string_view prev_mac);

}  // namespace socialdefault
