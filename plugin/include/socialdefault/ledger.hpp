// The durable record: offers, choices and configuration changes, each row
// chained to its predecessor with an HMAC. SQLite is the embedded backend;
// the interface is what a PostgreSQL backend implements for shared ledgers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "socialdefault/keys.hpp"
#include "socialdefault/money.hpp"
#include "socialdefault/result.hpp"
#include "socialdefault/time_zone.hpp"

namespace socialdefault {

// What default was shown for a correlation id.
struct OfferRecord {
  UtcSeconds at{};
  std::string correlation_id;
  std::string requester_pseudonym;
  std::string department;
  std::string category_code_system;
  std::string category;
  std::string default_supplier;   // empty when no default was set
  std::string reason;             // to_string(Reason)
  std::string arm;
  std::string adapter;
};

enum class Outcome {
  kept_default,   // chose the default that was offered
  other_social,   // an offer was shown; chose another social supplier
  regular,        // an offer was shown; chose a regular supplier
  not_offered,    // no offer is recorded for the correlation id
};
const char* to_string(Outcome outcome) noexcept;  // "kept-default", "other-social", "regular", "not-offered"
Result<Outcome> parse_outcome(std::string_view text);

struct ChoiceRecord {
  UtcSeconds at{};
  LocalDate local_date;            // the organisation's date of `at`, used for periods
  std::string correlation_id;
  std::string order_ref;
  int line = 1;
  std::string requester_pseudonym;
  std::string department;
  std::string category_code_system;
  std::string category;
  std::string default_offered;     // empty when not offered
  std::string chosen_supplier;
  std::string chosen_identifiers;  // "scheme:value;..." for suppliers not in the policy
  bool social = false;             // social with valid evidence on local_date
  std::string evidence;            // e.g. "pso-3 2026-01-01..2026-12-31 R-123"; empty when not social
  bool addressable = false;        // the category had an eligible social supplier on local_date
  Outcome outcome = Outcome::not_offered;
  Money amount;
  std::string adapter;
  std::string arm;                 // the linked offer's arm ("default", "experiment/arm"); empty: no offer (NULL)
  // A unique id given by whoever may hand the same record in twice (the
  // gateway's spool replays at least once); a ledger that already holds a
  // choice with this id skips the record. Empty: no such check. Not part of
  // the chain (docs/ledger.md).
  std::string record_id;
  // Schema version 5: changed orders (UBL OrderChange, cXML OrderRequest of
  // type update) are recorded as a new version of the same order_ref. 0 is
  // the order itself (NULL in the ledger); n > 0 a change, numbered by the
  // document (UBL SequenceNumberID, cXML orderVersion). The export and the
  // colleague norm count only each order's latest version (docs/ledger.md).
  std::int64_t order_version = 0;
  // The id of the document that carried the order (cXML payloadID, UBL
  // OrderChange ID); empty is NULL. A status that names its order only by
  // this id is resolved through it; a version seen twice (same document,
  // same line) counts once.
  std::string document_ref{};
};

// Orders of a group and how many of them went to a social supplier.
struct OrderCount {
  std::int64_t orders = 0;
  std::int64_t social_orders = 0;
};

// Orders of a group under one code system, as the ERP sent it (empty when
// it sent none).
struct CodeSystemCount {
  std::string category_code_system;
  OrderCount count;
};

// One arm's orders in an experiment.
struct ArmCount {
  std::string arm;                 // the arm's name, without the experiment
  OrderCount count;
};

// What the supplier answered to an order (UBL OrderResponse and the like),
// or that the buyer cancelled it (UBL OrderCancellation, schema version 4).
enum class OrderStatus {
  accepted,
  rejected,
  conditionally_accepted,
  cancelled,
};
const char* to_string(OrderStatus status) noexcept;  // "accepted", "rejected", "conditionally-accepted", "cancelled"
Result<OrderStatus> parse_order_status(std::string_view text);

// A status event of a recorded order. The export leaves out the lines of an
// order whose latest event is `rejected` or `cancelled` (docs/ledger.md).
struct OrderStatusRecord {
  UtcSeconds at{};
  std::string order_ref;      // the buyer's order number, as in ChoiceRecord::order_ref
  OrderStatus status = OrderStatus::accepted;
  std::string response_ref;   // the response document's own id; may be empty
  std::string code;           // the protocol's code as sent, e.g. UBL OrderResponseCode "RE"
  std::string adapter;
  // When the response names the order only by the id of the document that
  // carried it (a cXML StatusUpdateRequest's DocumentReference payloadID)
  // and order_ref is empty: append_order_status resolves it to the order
  // number recorded with that document (ChoiceRecord::document_ref).
  std::string order_document_ref{};
};

struct ConfigChangeRecord {
  UtcSeconds at{};
  std::string actor;        // who made the change (OS user, admin token name)
  std::string file;         // file name as given
  std::string sha256;       // digest of the new content
  std::string summary;      // e.g. "5 categories, 19 suppliers"
};

// A configuration change read back, with its row in the ledger's chain.
struct StoredConfigChange {
  std::int64_t row = 0;
  ConfigChangeRecord change;
};

struct VerifyReport {
  bool intact = true;
  std::uint64_t rows_checked = 0;
  std::string first_broken_table;  // "offers", "choices", "config_changes", "order_statuses"
  std::int64_t first_broken_row = 0;
  std::string problem;             // "altered", "removed", "inserted", "truncated"
  std::string detail;              // one sentence for people: what is wrong and where; empty when intact
};

// Grouping keys of an export. `arm` groups by the choice's experiment and
// arm, "<experiment id>/<arm name>"; the choices outside any experiment (arm
// "default", or none recorded) form one group, kOutsideExperiments.
enum class GroupBy { department, category, supplier, month, quarter, arm };
inline constexpr std::string_view kOutsideExperiments = "no-experiment";
Result<GroupBy> parse_group_by(std::string_view name);
const char* to_string(GroupBy key) noexcept;

struct ExportQuery {
  LocalDate from;                     // inclusive, organisation's zone
  LocalDate to;                       // inclusive
  std::vector<GroupBy> group_by;      // may be empty: one total per currency
};

// One aggregated row; counts and minor units only, the writers derive shares.
struct ExportRow {
  std::vector<std::string> keys;      // one per ExportQuery::group_by, same order
  std::string currency;               // amounts of different currencies never mix
  std::int64_t orders = 0;
  std::int64_t spend = 0;
  std::int64_t social_orders = 0;
  std::int64_t social_spend = 0;
  std::int64_t offered = 0;           // orders with an offer shown
  std::int64_t kept_default = 0;
  std::int64_t other_social = 0;
  std::int64_t regular = 0;
  std::int64_t addressable_orders = 0;
  std::int64_t addressable_spend = 0;
  std::int64_t addressable_social_spend = 0;  // social spend within addressable orders
  std::string evidence;               // distinct evidence valid on the orders' dates, "; "-separated
};

using ExportSink = std::function<Result<void>(const ExportRow&)>;

// Checks a query before anything is read or written: real dates, from <= to,
// no key twice. Every backend's export_rows starts with it.
Result<void> check_export_query(const ExportQuery& query);

// A query from its text form, as the CLI, the C API and the admin API take
// it: dates YYYY-MM-DD and a comma-separated list of keys (may be empty).
// Errors name the field: "from: ...", "to: ...", "group-by: ...".
Result<ExportQuery> parse_export_query(std::string_view from, std::string_view to, std::string_view group_by);

class Ledger {
 public:
  virtual ~Ledger() = default;

  virtual Result<std::int64_t> append_offer(const OfferRecord& offer) = 0;
  // Appends offers in one transaction (the engine's background offer writer);
  // returns the first row id, 0 for an empty span. The default appends one
  // by one, for backends without a batch form; SQLite overrides it.
  virtual Result<std::int64_t> append_offers(std::span<const OfferRecord> offers);
  // The latest offer for a correlation id.
  virtual Result<std::optional<OfferRecord>> find_offer(std::string_view correlation_id) = 0;
  // Appends all records in one durable transaction (group commit); returns the first row id.
  // A record whose record_id the ledger already holds is skipped (SQLite).
  virtual Result<std::int64_t> append_choices(std::span<const ChoiceRecord> choices) = 0;
  virtual Result<std::int64_t> append_config_change(const ConfigChangeRecord& change) = 0;
  // Appends one order status event durably; returns its row id. The default
  // is an `unsupported` error, for backends that do not keep statuses.
  virtual Result<std::int64_t> append_order_status(const OrderStatusRecord& status);
  // The order number recorded with a document id (ChoiceRecord::document_ref,
  // a cXML payloadID): what a status naming its order only by that document
  // answers. An invalid_argument error when no recorded order came in it;
  // the default is an `unsupported` error.
  virtual Result<std::string> order_of_document(std::string_view document_ref);
  // The latest configuration change, for "did the file change since".
  virtual Result<std::optional<ConfigChangeRecord>> last_config_change() = 0;
  // The latest `limit` configuration changes, newest first, with their
  // rows: the console's list of changes. The default refuses (unsupported),
  // for backends that do not have it yet.
  virtual Result<std::vector<StoredConfigChange>> recent_config_changes(std::size_t limit);
  // How many offers a category has had: the rotation counter.
  virtual Result<std::uint64_t> count_offers(std::string_view category_code_system, std::string_view category) = 0;
  // Orders of a department with category code `category` and local_date in
  // [from, to], per code system the orders were recorded with (empty
  // included), in code system order; the lines the export leaves out (an
  // order whose latest status is a rejection) are left out. The colleague
  // norm resolves each code system to its configured category. The default
  // refuses (unsupported), for backends that do not have it yet.
  virtual Result<std::vector<CodeSystemCount>> count_orders_by_system(std::string_view department,
                                                                      std::string_view category, LocalDate from,
                                                                      LocalDate to);
  // Orders per arm of an experiment with local_date in [from, to], in arm
  // name order. The default refuses (unsupported).
  virtual Result<std::vector<ArmCount>> count_arms(std::string_view experiment, LocalDate from, LocalDate to);

  // Aggregates choices of the period, calling sink once per group, in key
  // order. Memory does not grow with the number of choices.
  virtual Result<void> export_rows(const ExportQuery& query, const ExportSink& sink) = 0;

  virtual Result<VerifyReport> verify() = 0;
};

// Opens (creating when absent) a SQLite ledger: WAL, synchronous=FULL.
Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::filesystem::path& file, const Keys& keys);

}  // namespace socialdefault
