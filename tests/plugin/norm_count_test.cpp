// Ledger::count_orders_by_system, the colleague norm's count: a department's
// orders with one category code over a window of days, per code system as
// the ERP sent it, with the lines the export leaves out left out, read
// through the index choices_by_group.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "socialdefault/ledger.hpp"
#include "sqlite_ledger.hpp"
#include "sqlite_query.hpp"
#include "temp_dir.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using socialdefault::testing::TempDir;

constexpr LocalDate kFrom = 2026y / 9 / 1;
constexpr LocalDate kTo = 2026y / 11 / 27;

Keys test_keys() { return Keys::from_secret(std::string(64, 'n')).value(); }

ChoiceRecord choice(int n, std::string system, bool social, LocalDate date = kTo, std::string department = "Facilitair",
                    std::string code = "03121200-7") {
  ChoiceRecord c;
  c.at = UtcSeconds{std::chrono::sys_days{date}} + 10h;
  c.local_date = date;
  c.correlation_id = "REQ-" + std::to_string(n);
  c.order_ref = "PO-" + std::to_string(n);
  c.requester_pseudonym = "p" + std::to_string(n);
  c.department = std::move(department);
  c.category_code_system = std::move(system);
  c.category = std::move(code);
  c.chosen_supplier = social ? "BLOEM-01" : "FLR-100";
  c.social = social;
  c.evidence = social ? "pso-3 2026-01-01..2027-12-31" : "";
  c.outcome = Outcome::not_offered;
  c.amount = Money{1000 + n, "EUR"};
  c.adapter = "soap";
  return c;
}

OrderStatusRecord status(const std::string& order_ref, OrderStatus s) {
  OrderStatusRecord r;
  r.at = UtcSeconds{std::chrono::sys_days{kTo}} + 12h;
  r.order_ref = order_ref;
  r.status = s;
  r.code = s == OrderStatus::rejected ? "RE" : "AP";
  r.adapter = "ubl";
  return r;
}

class NormCount : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ledger = SqliteLedger::open(dir_ / "ledger.sqlite", test_keys());
    ASSERT_TRUE(ledger.ok()) << ledger.error().describe();
    ledger_ = std::move(ledger).value();
  }

  // The window's data: what counts, and what must be left out.
  void fill() {
    int n = 0;
    std::vector<ChoiceRecord> rows;
    // Counted: CPV on both bounds of the window and inside it.
    rows.push_back(choice(n++, "CPV", true, kFrom));
    rows.push_back(choice(n++, "CPV", false, 2026y / 10 / 15));
    rows.push_back(choice(n++, "CPV", true, kTo));
    // Counted: sent without a code system, and under another one.
    rows.push_back(choice(n++, "", true));
    rows.push_back(choice(n++, "", false, 2026y / 9 / 30));
    rows.push_back(choice(n++, "UNSPSC", true));
    // A line without an order number: no status can reject it.
    rows.push_back(choice(n++, "CPV", false));
    rows.back().order_ref = "";
    // Left out: a day before and a day after the window.
    rows.push_back(choice(n++, "CPV", true, 2026y / 8 / 31));
    rows.push_back(choice(n++, "", true, 2026y / 11 / 28));
    // Left out: another department, another code, a department whose name
    // only starts the same.
    rows.push_back(choice(n++, "CPV", true, kTo, "Burgerzaken"));
    rows.push_back(choice(n++, "CPV", true, kTo, "Facilitair", "18530000-3"));
    rows.push_back(choice(n++, "CPV", true, kTo, "Facilitair Zuid"));
    // PO-12 rejected (left out), PO-13 rejected and then accepted
    // (counted), PO-14 accepted and then rejected (left out).
    rows.push_back(choice(n++, "CPV", true));
    rows.push_back(choice(n++, "", true));
    rows.push_back(choice(n++, "", false));
    ASSERT_TRUE(ledger_->append_choices(rows).ok());
    for (const auto& s : {status("PO-12", OrderStatus::rejected), status("PO-13", OrderStatus::rejected),
                          status("PO-13", OrderStatus::accepted), status("PO-14", OrderStatus::accepted),
                          status("PO-14", OrderStatus::rejected)}) {
      ASSERT_TRUE(ledger_->append_order_status(s).ok());
    }
  }

  TempDir dir_;
  std::unique_ptr<SqliteLedger> ledger_;
};

TEST_F(NormCount, CountsTheDepartmentsOrdersOfTheCodePerCodeSystem) {
  fill();
  auto counted = ledger_->count_orders_by_system("Facilitair", "03121200-7", kFrom, kTo);
  ASSERT_TRUE(counted.ok()) << counted.error().describe();
  ASSERT_EQ(counted->size(), 3u);
  // In code system order; the empty code system is a row of its own.
  EXPECT_EQ((*counted)[0].category_code_system, "");
  EXPECT_EQ((*counted)[0].count.orders, 3);  // PO-3, PO-4, PO-13
  EXPECT_EQ((*counted)[0].count.social_orders, 2);
  EXPECT_EQ((*counted)[1].category_code_system, "CPV");
  EXPECT_EQ((*counted)[1].count.orders, 4);  // PO-0, PO-1, PO-2 and the line without an order number
  EXPECT_EQ((*counted)[1].count.social_orders, 2);
  EXPECT_EQ((*counted)[2].category_code_system, "UNSPSC");
  EXPECT_EQ((*counted)[2].count.orders, 1);
  EXPECT_EQ((*counted)[2].count.social_orders, 1);
}

TEST_F(NormCount, TheWindowsBoundsAreIncluded) {
  fill();
  // Only the first day: PO-0.
  auto first = ledger_->count_orders_by_system("Facilitair", "03121200-7", kFrom, kFrom);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].category_code_system, "CPV");
  EXPECT_EQ((*first)[0].count.orders, 1);
  // The day after the window alone: the order of 2026-11-28.
  auto after = ledger_->count_orders_by_system("Facilitair", "03121200-7", 2026y / 11 / 28, 2026y / 11 / 28);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].category_code_system, "");
  EXPECT_EQ((*after)[0].count.orders, 1);
}

TEST_F(NormCount, NothingToCountIsNoRows) {
  fill();
  auto none = ledger_->count_orders_by_system("Inkoop", "03121200-7", kFrom, kTo);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto empty_window = ledger_->count_orders_by_system("Facilitair", "03121200-7", 2025y / 1 / 1, 2025y / 12 / 31);
  ASSERT_TRUE(empty_window.ok());
  EXPECT_TRUE(empty_window->empty());
}

// The norm counts what the export counts: the same window grouped by
// department and category gives the same figures per code system.
TEST_F(NormCount, AgreesWithTheExport) {
  fill();
  std::map<std::string, OrderCount> exported;
  auto rows = ledger_->export_rows(ExportQuery{kFrom, kTo, {GroupBy::department, GroupBy::category}},
                                   [&](const ExportRow& row) -> Result<void> {
                                     if (row.keys[0] != "Facilitair") return {};
                                     const std::string& key = row.keys[1];
                                     if (key != "03121200-7" && !key.ends_with(":03121200-7")) return {};
                                     OrderCount& c = exported[key.substr(0, key.find(':') == std::string::npos
                                                                                ? 0
                                                                                : key.find(':'))];
                                     c.orders += row.orders;
                                     c.social_orders += row.social_orders;
                                     return {};
                                   });
  ASSERT_TRUE(rows.ok()) << rows.error().describe();
  auto counted = ledger_->count_orders_by_system("Facilitair", "03121200-7", kFrom, kTo);
  ASSERT_TRUE(counted.ok());
  ASSERT_EQ(counted->size(), exported.size());
  for (const CodeSystemCount& c : *counted) {
    ASSERT_TRUE(exported.contains(c.category_code_system)) << c.category_code_system;
    EXPECT_EQ(c.count.orders, exported[c.category_code_system].orders) << c.category_code_system;
    EXPECT_EQ(c.count.social_orders, exported[c.category_code_system].social_orders) << c.category_code_system;
  }
}

// The query reads a range of choices_by_group, not the whole table, and
// finds each order's latest status through order_statuses_by_order.
TEST_F(NormCount, ReadsThroughTheGroupIndex) {
  fill();
  const std::string plan = testing::query_plan(ledger_->file(), count_orders_by_system_sql());
  EXPECT_NE(plan.find("SEARCH choices USING INDEX choices_by_group (department=? AND category=? AND local_date>? AND "
                      "local_date<?)"),
            std::string::npos)
      << plan;
  EXPECT_NE(plan.find("USING INDEX order_statuses_by_order (order_ref=?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN choices"), std::string::npos) << plan;
}

TEST_F(NormCount, ADatabaseErrorSaysWhatCouldNotBeCounted) {
  ASSERT_TRUE(ledger_->execute("DROP TABLE order_statuses").ok());
  auto counted = ledger_->count_orders_by_system("Facilitair", "03121200-7", kFrom, kTo);
  ASSERT_FALSE(counted.ok());
  EXPECT_EQ(counted.error().code, ErrorCode::database);
  EXPECT_NE(counted.error().describe().find(
                "cannot count the orders per code system: no such table: order_statuses"),
            std::string::npos)
      << counted.error().describe();
  EXPECT_NE(counted.error().describe().find("ledger.sqlite"), std::string::npos) << counted.error().describe();
}

// A backend without the count refuses it (the base class's default).
class BackendWithoutCounts final : public Ledger {
 public:
  Result<std::int64_t> append_offer(const OfferRecord&) override { return std::int64_t{0}; }
  Result<std::optional<OfferRecord>> find_offer(std::string_view) override { return std::optional<OfferRecord>{}; }
  Result<std::int64_t> append_choices(std::span<const ChoiceRecord>) override { return std::int64_t{0}; }
  Result<std::int64_t> append_config_change(const ConfigChangeRecord&) override { return std::int64_t{0}; }
  Result<std::optional<ConfigChangeRecord>> last_config_change() override {
    return std::optional<ConfigChangeRecord>{};
  }
  Result<std::uint64_t> count_offers(std::string_view, std::string_view) override { return std::uint64_t{0}; }
  Result<void> export_rows(const ExportQuery&, const ExportSink&) override { return {}; }
  Result<VerifyReport> verify() override { return VerifyReport{}; }
};

TEST(NormCountDefault, IsUnsupported) {
  BackendWithoutCounts backend;
  auto counted = backend.count_orders_by_system("Facilitair", "03121200-7", kFrom, kTo);
  ASSERT_FALSE(counted.ok());
  EXPECT_EQ(counted.error().code, ErrorCode::unsupported);
  EXPECT_EQ(counted.error().message,
            "this ledger backend cannot count orders per code system for the colleague norm");
}

}  // namespace
}  // namespace socialdefault
