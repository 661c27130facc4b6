// A UBL OrderChange: the whole changed order, recorded as a new version of
// the order it names; the export and the colleague norm count only each
// order's latest version, a change that arrives twice or late changes
// nothing, a change of an order never recorded is the order itself, and
// malformed or hostile changes record nothing.
#include <gtest/gtest.h>

#include "ubl_engine_fixture.hpp"

#include <chrono>

namespace socialdefault::ubl {
namespace {

using namespace std::chrono_literals;
using namespace socialdefault::ubl::testing;

TEST(UblOrderChange, IsReadAsANewVersionOfTheOrderItChanges) {
  auto adapter = ubl_adapter();
  auto message = adapter->recognise(fixture("order-change.xml"));
  ASSERT_TRUE(message.ok()) << message.error().describe();
  EXPECT_EQ((*message)->kind(), MessageKind::order_request);
  auto lines = adapter->read_choice(**message, nullptr);
  ASSERT_TRUE(lines.ok()) << lines.error().describe();
  // The third line is Cancelled in the change: not bought, not read.
  ASSERT_EQ(lines->size(), 2U);
  for (const OrderChoice& line : *lines) {
    EXPECT_EQ(line.order_ref, "PO-KVK-1");
    EXPECT_EQ(line.order_version, 1);
    EXPECT_EQ(line.document_ref, "CHG-PO-KVK-1-1");
    EXPECT_EQ(line.document_version, "2.1");
    EXPECT_EQ(line.correlation_id, "REQ-2026-004711");
    EXPECT_EQ(line.department, "Burgerzaken");
  }
  EXPECT_EQ((*lines)[0].line, 1);
  EXPECT_EQ((*lines)[0].amount->minor, 8500);
  EXPECT_EQ((*lines)[1].line, 2);
  EXPECT_EQ((*lines)[1].amount->minor, 1500);
}

TEST(UblOrderChange, ALineDeletedWithThePeppolCodeIsLeftOutToo) {
  std::string text = fixture("order-change.xml");
  const std::string cancelled = "<cbc:LineStatusCode>Cancelled</cbc:LineStatusCode>";
  text.replace(text.find(cancelled), cancelled.size(), "<cbc:LineStatusCode>2</cbc:LineStatusCode>");
  auto lines = read_order(*ubl_adapter(), text);
  ASSERT_TRUE(lines.ok()) << lines.error().describe();
  EXPECT_EQ(lines->size(), 2U);
  const std::string changed = "<cbc:LineStatusCode>2</cbc:LineStatusCode>";
  text.replace(text.find(changed), changed.size(), "<cbc:LineStatusCode>3</cbc:LineStatusCode>");
  auto all = read_order(*ubl_adapter(), text);
  ASSERT_TRUE(all.ok()) << all.error().describe();
  EXPECT_EQ(all->size(), 3U);
}

TEST(UblOrderChange, AnOrderIsTheOrderItself) {
  auto lines = read_order(*ubl_adapter(), fixture("order-kvk-endpoint.xml"));
  ASSERT_TRUE(lines.ok()) << lines.error().describe();
  EXPECT_EQ((*lines)[0].order_version, 0);
  EXPECT_EQ((*lines)[0].document_ref, "");
}

class UblVersions : public UblEngineTest {
 protected:
  std::int64_t spend() {
    std::int64_t total = 0;
    for (const ExportRow& row : rows()) total += row.spend;
    return total;
  }
  std::uint64_t rows_in_ledger() {
    auto report = engine_->verify();
    EXPECT_TRUE(report.ok());
    EXPECT_TRUE(report->intact) << report->detail;
    return report->rows_checked;
  }
};

TEST_F(UblVersions, TheExportCountsOnlyTheLatestVersion) {
  ASSERT_TRUE(record("order-kvk-endpoint.xml").ok());
  EXPECT_EQ(orders(), 1);
  EXPECT_EQ(spend(), 4250);

  auto change = record("order-change.xml", {}, kNow + 24h);
  ASSERT_TRUE(change.ok()) << change.error().describe();
  ASSERT_EQ(change->size(), 2U);
  EXPECT_EQ((*change)[0].order_version, 1);
  EXPECT_EQ((*change)[0].document_ref, "CHG-PO-KVK-1-1");
  EXPECT_EQ((*change)[0].chosen_supplier, "BLOEM-01");
  EXPECT_EQ(orders(), 2);
  EXPECT_EQ(spend(), 8500 + 1500);

  ASSERT_TRUE(record("order-change-2.xml", {}, kNow + 48h).ok());
  EXPECT_EQ(orders(), 2);
  EXPECT_EQ(spend(), 12750 + 1500);

  // Every version stays in the ledger, chained.
  const std::uint64_t before = rows_in_ledger();
  // The first change again, late, and the second one twice: appended, not counted.
  ASSERT_TRUE(record("order-change.xml", {}, kNow + 72h).ok());
  ASSERT_TRUE(record("order-change-2.xml", {}, kNow + 72h).ok());
  EXPECT_EQ(rows_in_ledger(), before + 4);
  EXPECT_EQ(orders(), 2);
  EXPECT_EQ(spend(), 12750 + 1500);
}

TEST_F(UblVersions, TheColleagueNormCountsTheLatestVersion) {
  ASSERT_TRUE(record("order-kvk-endpoint.xml").ok());
  ASSERT_TRUE(record("order-change.xml").ok());
  auto counts = engine_->ledger().count_orders_by_system("Burgerzaken", "03121200-7", 2026y / 11 / 1, 2026y / 11 / 30);
  ASSERT_TRUE(counts.ok()) << counts.error().describe();
  ASSERT_EQ(counts->size(), 1U);
  EXPECT_EQ((*counts)[0].category_code_system, "CPV");
  EXPECT_EQ((*counts)[0].count.orders, 2);        // the change's two lines, not the order's one as well
  EXPECT_EQ((*counts)[0].count.social_orders, 2);
}

TEST_F(UblVersions, AChangeOfAnOrderNeverRecordedIsTheOrder) {
  ASSERT_TRUE(record("order-kvk-endpoint.xml").ok());
  auto change = record("order-change-unknown-order.xml");
  ASSERT_TRUE(change.ok()) << change.error().describe();
  EXPECT_EQ(orders(), 3);
  EXPECT_EQ(spend(), 4250 + 8500 + 1500);
}

TEST_F(UblVersions, AStatusOfTheOrderAppliesToEveryVersion) {
  ASSERT_TRUE(record("order-kvk-endpoint.xml").ok());
  ASSERT_TRUE(record("order-change.xml").ok());
  ASSERT_TRUE(record_status("cancellation.xml").ok());
  EXPECT_EQ(orders(), 0);
}

TEST_F(UblVersions, MalformedAndHostileChangesRecordNothing) {
  const std::uint64_t before = rows_in_ledger();
  const std::vector<std::pair<std::string, std::string>> refused{
      {"order-change-no-reference.xml",
       "the OrderChange has no <cac:OrderReference>/<cbc:ID>; expected the number of the order it changes"},
      {"order-change-bad-sequence.xml",
       "the OrderChange's <cbc:SequenceNumberID> is \"first\"; expected a whole number from 1 (the change's place "
       "among the changes of order \"PO-KVK-1\")"},
      {"order-change-no-id.xml", "the OrderChange has no <cbc:ID>; expected the change document's own id"},
      {"order-change-all-cancelled.xml",
       "the OrderChange cancels every line of order \"PO-KVK-1\"; expected at least one line that is not Cancelled "
       "(send an OrderCancellation to cancel the order)"},
      {"order-change-two-orders.xml",
       "the OrderChange names 2 orders; expected one <cac:OrderReference> (the order it changes)"},
  };
  for (const auto& [name, message] : refused) {
    auto records = record(name);
    ASSERT_FALSE(records.ok()) << name;
    EXPECT_EQ(records.error().message, message) << name;
  }
  auto hostile = record("hostile-order-change-entity.xml");
  ASSERT_FALSE(hostile.ok());
  EXPECT_EQ(hostile.error().code, ErrorCode::xml);
  EXPECT_NE(hostile.error().message.find("a DOCTYPE is not allowed in a UBL document"), std::string::npos)
      << hostile.error().message;
  std::string negative = fixture("order-change.xml");
  const std::string sequence = "<cbc:SequenceNumberID>1<";
  negative.replace(negative.find(sequence), sequence.size(), "<cbc:SequenceNumberID>-1<");
  auto message = adapter_->recognise(negative);
  ASSERT_TRUE(message.ok()) << message.error().describe();
  auto lines = adapter_->read_choice(**message, nullptr);
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.error().where, "SequenceNumberID");
  EXPECT_EQ(rows_in_ledger(), before);
  EXPECT_EQ(orders(), 0);
}

}  // namespace
}  // namespace socialdefault::ubl
