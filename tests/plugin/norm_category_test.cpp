// The colleague norm counts by the configured category an order resolved
// to, not by the code system the ERP happened to send: an order sent without
// a code system counts for its category, one whose code system resolves to
// no category (or another) does not. k and the threshold still hold.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "socialdefault/engine.hpp"
#include "temp_dir.hpp"
#include "test_files.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using socialdefault::testing::read_file;
using socialdefault::testing::TempDir;

const fs::path kExamples = fs::path(SD_SOURCE_DIR) / "examples";
// 2026-11-27 11:00 in Amsterdam; no experiment runs for flowers then.
const UtcSeconds kNow = UtcSeconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}} + 10h;
const LocalDate kToday{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{27}};

// The example deployment (flowers show the norm) with k = 5.
class NormByCategory : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string config = read_file(kExamples / "config.xml");
    const std::string norm = "<norm threshold=\"50\" min-orders=\"10\" window-days=\"91\"/>";
    const auto n = config.find(norm);
    ASSERT_NE(n, std::string::npos);
    config.replace(n, norm.size(), "<norm threshold=\"50\" min-orders=\"5\" window-days=\"91\"/>");
    std::ofstream(dir_ / "config.xml", std::ios::binary) << config;
    fs::copy_file(kExamples / "pseudonym.key", dir_ / "pseudonym.key");
    EngineOptions options;
    options.config = dir_ / "config.xml";
    options.mapping = kExamples / "erp" / "mapping.xml";
    options.ledger = dir_ / "ledger.sqlite";
    options.actor = "norm_category_test";
    auto engine = Engine::open(options);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    engine_ = std::move(engine).value();
  }

  // An example message for another requisition; with_system false drops
  // the category's listID, as an ERP whose mapping has no code system does.
  static std::string message(const std::string& name, const std::string& id, bool with_system) {
    std::string text = read_file(kExamples / "erp" / name);
    const auto replace_all = [&](const std::string& from, const std::string& to) {
      for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
      }
    };
    replace_all("REQ-2026-004711", id);
    if (!with_system) replace_all(" listID=\"CPV\"", "");
    return text;
  }

  // The norm note shown to a requester of Burgerzaken, or "".
  std::string norm_shown(UtcSeconds now, bool with_system = true) {
    const RewriteResult r = engine_->rewrite(message("shortlist-response.xml", "REQ-S", with_system),
                                             message("shortlist-request.xml", "REQ-S", with_system), now);
    EXPECT_TRUE(r.decision.has_value()) << r.outcome;
    if (!r.decision) return {};
    for (const Note& n : r.decision->notes) {
      if (n.kind == "norm") return n.text;
    }
    return {};
  }

  void record_without_system(int from, int to, UtcSeconds now) {
    for (int i = from; i < to; ++i) {
      auto recorded = engine_->record(message("order-request.xml", "REQ-O-" + std::to_string(i), false),
                                      std::nullopt, now);
      ASSERT_TRUE(recorded.ok()) << recorded.error().describe();
      ASSERT_EQ(recorded->size(), 1u);
      // The mapping gave no code system: the ledger holds none.
      EXPECT_EQ((*recorded)[0].category_code_system, "");
      EXPECT_EQ((*recorded)[0].category, "03121200-7");
    }
  }

  static ChoiceRecord choice(int n, std::string system, bool social, std::string department = "Burgerzaken",
                             LocalDate date = kToday) {
    ChoiceRecord c;
    c.at = kNow;
    c.local_date = date;
    c.correlation_id = "REQ-L-" + std::to_string(n);
    c.order_ref = "PO-" + std::to_string(n);
    c.requester_pseudonym = "p" + std::to_string(n);
    c.department = std::move(department);
    c.category_code_system = std::move(system);
    c.category = "03121200-7";
    c.chosen_supplier = social ? "BLOEM-01" : "FLR-100";
    c.social = social;
    c.outcome = Outcome::not_offered;
    c.amount = Money{1000, "EUR"};
    c.adapter = "soap";
    return c;
  }

  TempDir dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(NormByCategory, OrdersSentWithoutACodeSystemCountForTheConfiguredCategory) {
  EXPECT_EQ(norm_shown(kNow), "");  // nothing in the ledger yet
  record_without_system(0, 4, kNow);
  EXPECT_EQ(norm_shown(kNow + 61s), "");  // 4 orders: below k
  record_without_system(4, 6, kNow);
  // The shortlist names the category CPV 03121200-7; the orders named only
  // the code. Both resolve to Bloemen, so the orders count.
  EXPECT_EQ(norm_shown(kNow + 122s),
            "6 van de 6 bestellingen voor Bloemen bij Burgerzaken gingen de afgelopen 91 dagen naar een sociale "
            "onderneming");
}

TEST_F(NormByCategory, OnlyOrdersThatResolveToTheShortlistsCategoryCount) {
  std::vector<ChoiceRecord> rows;
  int n = 0;
  // The window's days before today are counted apart from today: its
  // first day and yesterday belong to it.
  const std::chrono::sys_days today{kToday};
  rows.push_back(choice(n++, "CPV", true, "Burgerzaken", LocalDate{today - std::chrono::days{90}}));
  rows.push_back(choice(n++, "CPV", true, "Burgerzaken", LocalDate{today - std::chrono::days{1}}));
  for (int i = 0; i < 3; ++i) rows.push_back(choice(n++, "CPV", true));
  rows.push_back(choice(n++, "", false, "Burgerzaken", LocalDate{today - std::chrono::days{30}}));
  // The same code in a list the configuration does not have: no category.
  for (int i = 0; i < 4; ++i) rows.push_back(choice(n++, "UNSPSC", true));
  // Another department, and a day just outside the 91-day window.
  for (int i = 0; i < 3; ++i) rows.push_back(choice(n++, "CPV", false, "Facilitair"));
  rows.push_back(choice(n++, "CPV", false, "Burgerzaken", LocalDate{today - std::chrono::days{91}}));
  // An order the supplier rejected: nothing was bought, as in the export.
  rows.push_back(choice(n++, "CPV", false));
  ASSERT_TRUE(engine_->ledger().append_choices(rows).ok());
  OrderStatusRecord rejected;
  rejected.at = kNow;
  rejected.order_ref = rows.back().order_ref;
  rejected.status = OrderStatus::rejected;
  rejected.code = "RE";
  rejected.adapter = "ubl";
  ASSERT_TRUE(engine_->ledger().append_order_status(rejected).ok());

  // The shortlist itself comes without a code system: it resolves to
  // Bloemen, and so do the CPV orders and the one without a system.
  EXPECT_EQ(norm_shown(kNow, false),
            "5 van de 6 bestellingen voor Bloemen bij Burgerzaken gingen de afgelopen 91 dagen naar een sociale "
            "onderneming");
}

TEST_F(NormByCategory, TheEarlierDaysAndTodayAddUpAndANewDayCountsAgain) {
  const std::chrono::sys_days today{kToday};
  std::vector<ChoiceRecord> rows;
  const LocalDate two_days_ago{today - std::chrono::days{2}};
  for (int i = 0; i < 3; ++i) rows.push_back(choice(i, "", true, "Burgerzaken", two_days_ago));
  ASSERT_TRUE(engine_->ledger().append_choices(rows).ok());
  EXPECT_EQ(norm_shown(kNow), "");  // 3 orders
  record_without_system(0, 2, kNow);
  EXPECT_EQ(norm_shown(kNow + 61s),
            "5 van de 5 bestellingen voor Bloemen bij Burgerzaken gingen de afgelopen 91 dagen naar een sociale "
            "onderneming");
  // 89 days later the orders of two days before kToday have left the
  // window; today's two remain, below k.
  EXPECT_EQ(norm_shown(kNow + std::chrono::days{89}), "");
  EXPECT_EQ(norm_shown(kNow + std::chrono::days{88}),
            "5 van de 5 bestellingen voor Bloemen bij Burgerzaken gingen de afgelopen 91 dagen naar een sociale "
            "onderneming");
}

TEST_F(NormByCategory, TheThresholdStillHoldsOverTheResolvedOrders) {
  std::vector<ChoiceRecord> rows;
  for (int i = 0; i < 5; ++i) rows.push_back(choice(i, "CPV", true));
  for (int i = 5; i < 11; ++i) rows.push_back(choice(i, "", false));
  ASSERT_TRUE(engine_->ledger().append_choices(rows).ok());
  // 5 of 11 is below 50 %: counted by the shortlist's code system alone it
  // would be 5 of 5, a norm the department's orders do not support.
  EXPECT_EQ(norm_shown(kNow), "");
}

}  // namespace
}  // namespace socialdefault
