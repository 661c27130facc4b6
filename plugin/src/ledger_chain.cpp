#include "ledger_chain.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <span>
#include <type_traits>

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

// Must give exactly offer_row's values (tests/plugin/ledger_chain_test.cpp).
void ChainRowView::fill(const OfferRecord& o) {
  if (!at_formatted_ || o.at != at_) at_utc_ = format_utc(o.at);
  at_ = o.at;
  at_formatted_ = true;
  values_.clear();
  values_.emplace_back(std::string_view(at_utc_));
  values_.emplace_back(unix_seconds(o.at));
  for (const std::string* text : {&o.correlation_id, &o.requester_pseudonym, &o.department, &o.category_code_system,
                                  &o.category, &o.default_supplier, &o.reason, &o.arm, &o.adapter}) {
    values_.emplace_back(std::string_view(*text));
  }
}

// Must give exactly choice_row's values (tests/plugin/ledger_chain_test.cpp).
void ChainRowView::fill(const ChoiceRecord& c) {
  // The records of one batch mostly share their second and their date, and
  // formatting them is about a tenth of the row's encoding (snprintf).
  if (!at_formatted_ || c.at != at_) at_utc_ = format_utc(c.at);
  if (!date_formatted_ || c.local_date != date_) local_date_ = format_date(c.local_date);
  at_ = c.at;
  date_ = c.local_date;
  at_formatted_ = date_formatted_ = true;
  const auto text_or_null = [](const std::string& text) {
    return text.empty() ? ChainValueView{std::monostate{}} : ChainValueView{std::string_view(text)};
  };
  values_.clear();
  values_.emplace_back(std::string_view(at_utc_));
  values_.emplace_back(unix_seconds(c.at));
  values_.emplace_back(std::string_view(local_date_));
  values_.emplace_back(std::string_view(c.correlation_id));
  values_.emplace_back(std::string_view(c.order_ref));
  values_.emplace_back(std::int64_t{c.line});
  values_.emplace_back(std::string_view(c.requester_pseudonym));
  values_.emplace_back(std::string_view(c.department));
  values_.emplace_back(std::string_view(c.category_code_system));
  values_.emplace_back(std::string_view(c.category));
  values_.emplace_back(std::string_view(c.default_offered));
  values_.emplace_back(std::string_view(c.chosen_supplier));
  values_.emplace_back(std::string_view(c.chosen_identifiers));
  values_.emplace_back(std::int64_t{c.social ? 1 : 0});
  values_.emplace_back(std::string_view(c.evidence));
  values_.emplace_back(std::int64_t{c.addressable ? 1 : 0});
  values_.emplace_back(std::string_view(to_string(c.outcome)));
  values_.emplace_back(c.amount.minor);
  values_.emplace_back(std::string_view(c.amount.currency));
  values_.emplace_back(std::string_view(c.adapter));
  values_.emplace_back(text_or_null(c.arm));
  values_.emplace_back(c.order_version == 0 ? ChainValueView{std::monostate{}} : ChainValueView{c.order_version});
  values_.emplace_back(text_or_null(c.document_ref));
}

ChainRow config_change_row(const ConfigChangeRecord& c) {
  return {format_utc(c.at), unix_seconds(c.at), c.actor, c.file, c.sha256, c.summary};
}

ChainRow order_status_row(const OrderStatusRecord& s) {
  return {format_utc(s.at), unix_seconds(s.at), s.order_ref, std::string(to_string(s.status)), s.response_ref,
          s.code, s.adapter};
}

namespace {

std::string joined(std::span<const std::string_view> values) {
  std::string out;
  for (std::string_view value : values) out += (out.empty() ? "" : ", ") + std::string(value);
  return out;
}

// An enumerator is stored as its name: the name must read back as the same
// enumerator (a value cast from an integer out of range would be written as
// the fallback name) and be one the schema allows.
template <typename Enum, typename Parse>
Result<void> check_enumerated_with(Enum value, Parse parse, std::span<const std::string_view> allowed,
                                   std::string_view field, const std::string& what) {
  const std::string_view name = to_string(value);
  const auto parsed = parse(name);
  const bool known = parsed.ok() && *parsed == value;
  if (known && std::find(allowed.begin(), allowed.end(), name) != allowed.end()) return {};
  const std::string shown = known ? "\"" + std::string(name) + "\""
                                  : std::to_string(static_cast<long long>(static_cast<std::underlying_type_t<Enum>>(value)));
  return make_error(ErrorCode::invalid_argument, what + ": " + std::string(field) + " " + shown +
                                                     " is not a value the ledger's schema allows; expected one of " +
                                                     joined(allowed));
}

Result<void> check_enumerated(Outcome value, std::span<const std::string_view> allowed, std::string_view field,
                              const std::string& what) {
  return check_enumerated_with(value, parse_outcome, allowed, field, what);
}

Result<void> check_enumerated(OrderStatus value, std::span<const std::string_view> allowed, std::string_view field,
                              const std::string& what) {
  return check_enumerated_with(value, parse_order_status, allowed, field, what);
}

}  // namespace

Result<void> validate_choice(const ChoiceRecord& choice, std::size_t position) {
  auto checked = validate_choice(choice, std::string());
  if (checked) return checked;
  Error error = std::move(checked).error();
  error.message = "choice " + std::to_string(position) + " (correlation id \"" + choice.correlation_id + "\")" +
                  error.message;
  return error;
}

Result<void> validate_order_status(const OrderStatusRecord& status, const std::string& what) {
  return check_enumerated(status.status, kSchemaOrderStatuses, "status", what);
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
  if (auto r = check_enumerated(choice.outcome, kSchemaOutcomes, "outcome", what); !r) return r;
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

namespace {

// The 8-byte big-endian length of a field, appended in one piece.
void append_length(std::string& out, std::uint64_t size) {
  char length[8];
  for (int i = 7; i >= 0; --i, size >>= 8) length[i] = static_cast<char>(size & 0xFF);
  out.append(length, sizeof length);
}

}  // namespace

void append_field(std::string& out, std::string_view bytes) {
  append_length(out, bytes.size());
  out.append(bytes);
}

namespace {

// append_field of a decimal integer, without a temporary string.
void append_integer_field(std::string& out, char tag, std::int64_t value) {
  char digits[24];
  digits[0] = tag;
  const auto [end, ec] = std::to_chars(digits + (tag != '\0' ? 1 : 0), digits + sizeof digits, value);
  (void)ec;  // 24 characters hold every int64
  append_field(out, std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

// A field of the tag 't' and the text, without a temporary string.
void append_text_field(std::string& out, std::string_view text) {
  append_length(out, text.size() + 1);
  out.push_back('t');
  out.append(text);
}

}  // namespace

void canonical_row_into(std::string& out, const ChainTable& table, std::int64_t id,
                        std::span<const ChainValueView> values, std::string_view prev_mac) {
  out.clear();
  append_field(out, table.name);
  append_integer_field(out, '\0', id);
  for (std::size_t i = 0; i < table.columns.size() && i < values.size(); ++i) {
    if (std::holds_alternative<std::monostate>(values[i])) continue;
    append_field(out, table.columns[i].name);
    if (const auto* number = std::get_if<std::int64_t>(&values[i])) {
      append_integer_field(out, 'i', *number);
    } else {
      append_text_field(out, std::get<std::string_view>(values[i]));
    }
  }
  append_field(out, prev_mac);
}

std::string canonical_row(const ChainTable& table, std::int64_t id, std::span<const ChainValue> values,
                          std::string_view prev_mac) {
  ChainRowView view;
  view.fill(values);
  std::string out;
  out.reserve(256);
  canonical_row_into(out, table, id, view.values(), prev_mac);
  return out;
}

void ChainRowView::fill(std::span<const ChainValue> row) {
  values_.clear();  // keeps its capacity for the next row
  for (const ChainValue& value : row) {
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      values_.emplace_back(*number);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      values_.emplace_back(std::string_view(*text));
    } else {
      values_.emplace_back(std::monostate{});
    }
  }
}

std::string ChainRowView::mac(const Key& chain_key, const ChainTable& table, std::int64_t id,
                              std::string_view prev_mac) {
  canonical_row_into(canonical_, table, id, values(), prev_mac);
  const auto mac = hmac_sha256(chain_key, canonical_);
  return to_hex(mac.data(), mac.size());
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
