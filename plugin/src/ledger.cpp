// Names of the ledger's enumerations, shared by every backend and the exports.
#include "socialdefault/ledger.hpp"

#include <array>
#include <set>

namespace socialdefault {

namespace {

constexpr std::array<Outcome, 4> kOutcomes{Outcome::kept_default, Outcome::other_social, Outcome::regular,
                                           Outcome::not_offered};
constexpr std::array<GroupBy, 6> kGroupBys{GroupBy::department, GroupBy::category, GroupBy::supplier,
                                           GroupBy::month,      GroupBy::quarter,  GroupBy::arm};

}  // namespace

const char* to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::kept_default: return "kept-default";
    case Outcome::other_social: return "other-social";
    case Outcome::regular: return "regular";
    case Outcome::not_offered: return "not-offered";
  }
  return "not-offered";
}

Result<Outcome> parse_outcome(std::string_view text) {
  for (Outcome outcome : kOutcomes) {
    if (text == to_string(outcome)) return outcome;
  }
  return make_error(ErrorCode::invalid_argument,
                    "outcome \"" + std::string(text) + "\" is not one of kept-default, other-social, regular, not-offered");
}

const char* to_string(GroupBy key) noexcept {
  switch (key) {
    case GroupBy::department: return "department";
    case GroupBy::category: return "category";
    case GroupBy::supplier: return "supplier";
    case GroupBy::month: return "month";
    case GroupBy::quarter: return "quarter";
    case GroupBy::arm: return "arm";
  }
  return "department";
}

Result<GroupBy> parse_group_by(std::string_view name) {
  for (GroupBy key : kGroupBys) {
    if (name == to_string(key)) return key;
  }
  return make_error(ErrorCode::invalid_argument, "group-by \"" + std::string(name) +
                                                    "\" is not one of department, category, supplier, month, quarter, arm");
}

Result<std::vector<CodeSystemCount>> Ledger::count_orders_by_system(std::string_view, std::string_view, LocalDate,
                                                                    LocalDate) {
  return make_error(ErrorCode::unsupported,
                    "this ledger backend cannot count orders per code system for the colleague norm");
}

Result<std::vector<ArmCount>> Ledger::count_arms(std::string_view, LocalDate, LocalDate) {
  return make_error(ErrorCode::unsupported, "this ledger backend cannot count orders per experiment arm");
}

Result<std::vector<StoredConfigChange>> Ledger::recent_config_changes(std::size_t) {
  return make_error(ErrorCode::unsupported, "this ledger backend cannot list the configuration changes");
}

const char* to_string(OrderStatus status) noexcept {
  switch (status) {
    case OrderStatus::accepted: return "accepted";
    case OrderStatus::rejected: return "rejected";
    case OrderStatus::conditionally_accepted: return "conditionally-accepted";
    case OrderStatus::cancelled: return "cancelled";
  }
  return "accepted";
}

Result<OrderStatus> parse_order_status(std::string_view text) {
  for (OrderStatus status : {OrderStatus::accepted, OrderStatus::rejected, OrderStatus::conditionally_accepted,
                             OrderStatus::cancelled}) {
    if (text == to_string(status)) return status;
  }
  return make_error(ErrorCode::invalid_argument,
                    "order status \"" + std::string(text) +
                        "\" is not one of accepted, rejected, conditionally-accepted, cancelled");
}

Result<std::int64_t> Ledger::append_order_status(const OrderStatusRecord&) {
  return make_error(ErrorCode::unsupported, "this ledger backend does not keep order statuses");
}

Result<std::string> Ledger::order_of_document(std::string_view) {
  return make_error(ErrorCode::unsupported, "this ledger backend does not keep order document ids");
}

Result<std::int64_t> Ledger::append_offers(std::span<const OfferRecord> offers) {
  std::int64_t first = 0;
  for (const OfferRecord& offer : offers) {
    auto id = append_offer(offer);
    if (!id) return id;
    if (first == 0) first = *id;
  }
  return first;
}

Result<void> check_export_query(const ExportQuery& query) {
  if (!query.from.ok()) return make_error(ErrorCode::invalid_argument, "the period's start is not a calendar date");
  if (!query.to.ok()) return make_error(ErrorCode::invalid_argument, "the period's end is not a calendar date");
  for (LocalDate day : {query.from, query.to}) {
    if (static_cast<int>(day.year()) < 1 || static_cast<int>(day.year()) > 9999) {
      return make_error(ErrorCode::invalid_argument, "the period must lie within the years 0001 to 9999");
    }
  }
  if (query.to < query.from) {
    return make_error(ErrorCode::invalid_argument,
                      "the period starts on " + format_date(query.from) + " but ends before that, on " + format_date(query.to));
  }
  std::set<GroupBy> seen;
  for (GroupBy key : query.group_by) {
    if (!seen.insert(key).second) {
      return make_error(ErrorCode::invalid_argument, std::string("group-by \"") + to_string(key) + "\" is given twice");
    }
  }
  return {};
}

Result<ExportQuery> parse_export_query(std::string_view from, std::string_view to, std::string_view group_by) {
  ExportQuery query;
  auto f = parse_date(from);
  if (!f) return make_error(ErrorCode::invalid_argument, "from: " + f.error().message);
  auto t = parse_date(to);
  if (!t) return make_error(ErrorCode::invalid_argument, "to: " + t.error().message);
  query.from = *f;
  query.to = *t;
  while (!group_by.empty()) {
    const std::size_t comma = group_by.find(',');
    const std::string_view item = group_by.substr(0, comma);
    group_by = comma == std::string_view::npos ? std::string_view() : group_by.substr(comma + 1);
    if (item.empty()) continue;
    auto key = parse_group_by(item);
    if (!key) return make_error(ErrorCode::invalid_argument, "group-by: " + key.error().message);
    query.group_by.push_back(*key);
  }
  if (auto checked = check_export_query(query); !checked) return std::move(checked).error();
  return query;
}

}  // namespace socialdefault
