#include "ledger_chain.hpp"

#include <array>

namespace socialdefault {

namespace {

using enum ColumnType;

// The column order is part of the MAC: never reorder, only append (and a
// migration that appends a column must keep old rows verifiable, see
// docs/ledger.md).
constexpr std::array<ChainColumn, 11> kOfferColumns{{
    {"at_utc", text},
    {"at_unix", integer},
    {"correlation_id", text},
    {"requester_pseudonym", text},
    {"department", text},
    {"category_code_system", text},
    {"category", text},
    {"default_supplier", text},
    {"reason", text},
    {"arm", text},
    {"adapter", text},
}};

constexpr std::array<ChainColumn, 23> kChoiceColumns{{
    {"at_utc", text},
    {"at_unix", integer},
    {"local_date", text},
    {"correlation_id", text},
    {"order_ref", text},
    {"line", integer},
    {"requester_pseudonym", text},
    {"department", text},
    {"category_code_system", text},
    {"category", text},
    {"default_offered", text},
    {"chosen_supplier", text},
    {"chosen_identifiers", text},
    {"social", integer},
    {"evidence", text},
    {"addressable", integer},
    {"outcome", text},
    {"amount_minor", integer},
    {"currency", text},
    {"adapter", text},
    {"arm", text, true},  // schema version 2
    {"order_version", integer, true},  // schema version 5
    {"document_ref", text, true},      // schema version 5
}};

constexpr std::array<ChainColumn, 6> kConfigChangeColumns{{
    {"at_utc", text},
    {"at_unix", integer},
    {"actor", text},
    {"file", text},
    {"sha256", text},
    {"summary", text},
}};

// Schema version 2.
constexpr std::array<ChainColumn, 7> kOrderStatusColumns{{
    {"at_utc", text},
    {"at_unix", integer},
    {"order_ref", text},
    {"status", text},
    {"response_ref", text},
    {"code", text},
    {"adapter", text},
}};

const ChainTable kOffers{"offers", kOfferColumns};
const ChainTable kChoices{"choices", kChoiceColumns};
const ChainTable kConfigChanges{"config_changes", kConfigChangeColumns};
const ChainTable kOrderStatuses{"order_statuses", kOrderStatusColumns};
const std::array<const ChainTable*, 4> kTables{&kOffers, &kChoices, &kConfigChanges, &kOrderStatuses};

std::int64_t unix_seconds(UtcSeconds at) { return at.time_since_epoch().count(); }

}  // namespace

const ChainTable& offers_table() noexcept { return kOffers; }
const ChainTable& choices_table() noexcept { return kChoices; }
const ChainTable& config_changes_table() noexcept { return kConfigChanges; }
const ChainTable& order_statuses_table() noexcept { return kOrderStatuses; }
std::span<const ChainTable* const> chained_tables() noexcept { return kTables; }

ChainRow offer_row(const OfferRecord& o) {
  return {format_utc(o.at),    unix_seconds(o.at), o.correlation_id,     o.requester_pseudonym,
          o.department,        o.category_code_system, o.category,      o.default_supplier,
          o.reason,            o.arm,              o.adapter};
}

ChainRow choice_row(const ChoiceRecord& c) {
  return {format_utc(c.at),
          unix_seconds(c.at),
          format_date(c.local_date),
          c.correlation_id,
          c.order_ref,
          std::int64_t{c.line},
          c.requester_pseudonym,
          c.department,
          c.category_code_system,
          c.category,
          c.default_offered,
          c.chosen_supplier,
          c.chosen_identifiers,
          std::int64_t{c.social ? 1 : 0},
          c.evidence,
          std::int64_t{c.addressable ? 1 : 0},
          std::string(to_string(c.outcome)),
          c.amount.minor,
          c.amount.currency,
          c.adapter,
          // Empty (no offer linked) is NULL, as in rows from before version 2.
          c.arm.empty() ? ChainValue{std::monostate{}} : ChainValue{c.arm},
          // The order itself and a document without an id are NULL, so rows
          // from before version 5 and rows like them encode alike.
          c.order_version == 0 ? ChainValue{std::monostate{}} : ChainValue{c.order_version},
          c.document_ref.empty() ? ChainValue{std::monostate{}} : ChainValue{c.document_ref}};
}

ChainRow config_change_row(const ConfigChangeRecord& c) {
  return {format_utc(c.at), unix_seconds(c.at), c.actor, c.file, c.sha256, c.summary};
}

ChainRow order_status_row(const OrderStatusRecord& s) {
  return {format_utc(s.at), unix_seconds(s.at), s.order_ref, std::string(to_string(s.status)), s.response_ref,
          s.code, s.adapter};
}

Result<void> validate_choice(const ChoiceRecord& choice, const std::string& what) {
  if (!choice.local_date.ok()) {
    return make_error(ErrorCode::invalid_argument, what + ": local_date is not a calendar date");
  }
  const int year = static_cast<int>(choice.local_date.year());
  if (year < 1 || year > 9999) {
    return make_error(ErrorCode::invalid_argument, what + ": local_date must have a four-digit year");
  }
  if (!is_currency_code(choice.amount.currency)) {
    return make_error(ErrorCode::invalid_argument, what + ": currency \"" + choice.amount.currency +
                                                       "\" is not an ISO 4217 code (three capital letters)");
  }
  if (choice.order_version < 0) {
    return make_error(ErrorCode::invalid_argument, what + ": order_version " + std::to_string(choice.order_version) +
                                                       " is negative; expected 0 (the order itself) or a change's number");
  }
  if (choice.order_version > 0 && choice.order_ref.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      what + ": version " + std::to_string(choice.order_version) +
                          " of an order has no order reference; expected the number of the order it changes");
  }
  return {};
}

void append_field(std::string& out, std::string_view bytes) {
  const std::uint64_t size = bytes.size();
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xFF));
  out.append(bytes);
}

std::string canonical_row(const ChainTable& table, std::int64_t id, std::span<const ChainValue> values,
                          std::string_view prev_mac) {
  std::string out;
  out.reserve(256);
  append_field(out, table.name);
  append_field(out, std::to_string(id));
  std::string tagged;
  for (std::size_t i = 0; i < table.columns.size() && i < values.size(); ++i) {
    if (std::holds_alternative<std::monostate>(values[i])) continue;
    append_field(out, table.columns[i].name);
    if (const auto* number = std::get_if<std::int64_t>(&values[i])) {
      tagged = "i" + std::to_string(*number);
    } else {
      tagged = "t" + std::get<std::string>(values[i]);
    }
    append_field(out, tagged);
  }
  append_field(out, prev_mac);
  return out;
}

std::string row_mac(const Key& chain_key, const ChainTable& table, std::int64_t id,
                    std::span<const ChainValue> values, std::string_view prev_mac) {
  const auto mac = hmac_sha256(chain_key, canonical_row(table, id, values, prev_mac));
  return to_hex(mac.data(), mac.size());
}

std::string head_mac(const Key& chain_key, std::string_view table, std::int64_t last_id, std::string_view last_mac) {
  std::string out;
  append_field(out, "chain_heads");
  append_field(out, table);
  append_field(out, std::to_string(last_id));
  append_field(out, last_mac);
  const auto mac = hmac_sha256(chain_key, out);
  return to_hex(mac.data(), mac.size());
}

}  // namespace socialdefault
