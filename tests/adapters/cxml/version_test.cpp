// A cXML OrderRequest of type update repeats the whole order: recorded as a
// new version of it, so the export counts the latest version only; every
// OrderRequest keeps its payloadID, through which a StatusUpdateRequest that
// names the order only by payloadID finds it. Malformed and hostile change
// orders record nothing.
#include <gtest/gtest.h>

#include "cxml_engine_fixture.hpp"

#include <chrono>

namespace socialdefault::cxml {
namespace {

using namespace std::chrono_literals;
using namespace socialdefault::cxml::testing;

TEST(CxmlChangeOrder, IsANewVersionOfTheOrderWithItsPayloadId) {
  auto adapter = cxml_adapter();
  auto update = read_order(*adapter, fixture("order-request-update.xml"));
  ASSERT_TRUE(update.ok()) << update.error().describe();
  ASSERT_EQ(update->size(), 1U);
  EXPECT_EQ((*update)[0].order_ref, "PO-CX-1");
  EXPECT_EQ((*update)[0].order_version, 1);  // no orderVersion: the first change
  EXPECT_EQ((*update)[0].document_ref, "1764330000.8@voorbeeldstad.example");
  auto v3 = read_order(*adapter, fixture("order-request-update-v3.xml"));
  ASSERT_TRUE(v3.ok()) << v3.error().describe();
  EXPECT_EQ((*v3)[0].order_version, 3);
  auto order = read_order(*adapter, fixture("order-request-kvk.xml"));
  ASSERT_TRUE(order.ok()) << order.error().describe();
  EXPECT_EQ((*order)[0].order_version, 0);
  EXPECT_EQ((*order)[0].document_ref, "1764240000.1@voorbeeldstad.example");
}

class CxmlVersions : public CxmlEngineTest {
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

TEST_F(CxmlVersions, TheExportCountsOnlyTheLatestVersion) {
  ASSERT_TRUE(record("order-request-kvk.xml").ok());
  EXPECT_EQ(spend(), 4250);
  ASSERT_TRUE(record("order-request-update.xml", {}, kNow + 1h).ok());
  EXPECT_EQ(orders(), 1);
  EXPECT_EQ(spend(), 5250);
  ASSERT_TRUE(record("order-request-update-v3.xml", {}, kNow + 2h).ok());
  EXPECT_EQ(spend(), 6250);
  // The first change again after version 3, and version 3 twice.
  const std::uint64_t before = rows_in_ledger();
  ASSERT_TRUE(record("order-request-update.xml", {}, kNow + 3h).ok());
  ASSERT_TRUE(record("order-request-update-v3.xml", {}, kNow + 3h).ok());
  EXPECT_EQ(rows_in_ledger(), before + 2);
  EXPECT_EQ(orders(), 1);
  EXPECT_EQ(spend(), 6250);
}

TEST_F(CxmlVersions, TwoChangesWithoutOrderVersionTheLaterWins) {
  ASSERT_TRUE(record("order-request-kvk.xml").ok());
  ASSERT_TRUE(record("order-request-update.xml", {}, kNow + 1h).ok());
  std::string again = fixture("order-request-update.xml");
  again.replace(again.find("1764330000.8@"), 13, "1764330000.9@");
  const std::string price = "<UnitPrice><Money currency=\"EUR\">52.50";
  again.replace(again.find(price), price.size(), "<UnitPrice><Money currency=\"EUR\">47.50");
  auto records = engine_->prepare_choices(*adapter_, again, std::nullopt, kNow + 2h);
  ASSERT_TRUE(records.ok()) << records.error().describe();
  ASSERT_TRUE(engine_->ledger().append_choices(*records).ok());
  EXPECT_EQ(orders(), 1);
  EXPECT_EQ(spend(), 4750);
}

TEST_F(CxmlVersions, AChangeOfAnOrderNeverRecordedIsTheOrder) {
  auto records = record("order-request-update-unknown.xml");
  ASSERT_TRUE(records.ok()) << records.error().describe();
  EXPECT_EQ((*records)[0].order_ref, "PO-CX-77");
  EXPECT_EQ(orders(), 1);
  EXPECT_EQ(spend(), 5250);
}

TEST_F(CxmlVersions, AStatusUpdateNamedByPayloadIdFindsItsOrder) {
  ASSERT_TRUE(record("order-request-kvk.xml").ok());
  ASSERT_TRUE(record("order-request-update.xml", {}, kNow + 1h).ok());
  std::string rejected = fixture("status-update-payload-only.xml");
  rejected.replace(rejected.find("<Status code=\"200\""), 18, "<Status code=\"406\"");
  auto status = engine_->record_order_status(*adapter_, rejected, kNow + 24h);
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(status->order_document_ref, "1764240000.1@voorbeeldstad.example");
  EXPECT_EQ(status->order_ref, "PO-CX-1");  // the order the ledger found for it
  EXPECT_EQ(status->status, OrderStatus::rejected);
  // The rejection was recorded for PO-CX-1: every version leaves the export.
  EXPECT_EQ(orders(), 0);
  ASSERT_TRUE(record_status("status-update-payload-only.xml").ok());
  EXPECT_EQ(orders(), 1);
  EXPECT_EQ(spend(), 5250);
}

TEST_F(CxmlVersions, AStatusUpdateForAnUnknownPayloadIdRecordsNothing) {
  ASSERT_TRUE(record("order-request-kvk.xml").ok());
  const std::uint64_t before = rows_in_ledger();
  auto status = record_status("status-update-unknown-payload.xml");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "order status: no recorded order came in the document \"never-sent@voorbeeldstad.example\" (its "
            "payloadID); expected the id of an order document recorded earlier, or the order number");
  EXPECT_EQ(rows_in_ledger(), before);
}

TEST_F(CxmlVersions, MalformedAndHostileChangeOrdersRecordNothing) {
  ASSERT_TRUE(record("order-request-kvk.xml").ok());
  const std::uint64_t before = rows_in_ledger();
  auto bad = record("order-request-update-bad-version.xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "the OrderRequest of type update has orderVersion \"drei\"; expected a whole number from 1 (the version "
            "of order \"PO-CX-1\")");
  auto anonymous = record("order-request-update-no-payload.xml");
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.error().message,
            "the OrderRequest of type update changes order \"PO-CX-1\" but the cXML has no payloadID; expected the "
            "payloadID that tells this version from others");
  auto hostile = record("hostile-update-entity.xml");
  ASSERT_FALSE(hostile.ok());
  EXPECT_EQ(hostile.error().code, ErrorCode::xml);
  EXPECT_NE(hostile.error().message.find("the DOCTYPE's internal subset declares an entity"), std::string::npos)
      << hostile.error().message;
  EXPECT_EQ(rows_in_ledger(), before);
  EXPECT_EQ(spend(), 4250);
}

TEST_F(CxmlVersions, NoSharedSecretInAVersion) {
  std::string text = fixture("order-request-update.xml");
  text.replace(text.find("1764330000.8@voorbeeldstad.example"), 34, "Geheim-Voorbeeld-7731");
  auto records = engine_->prepare_choices(*adapter_, text, std::nullopt, kNow);
  ASSERT_TRUE(records.ok()) << records.error().describe();
  EXPECT_EQ((*records)[0].document_ref, "***");
}

}  // namespace
}  // namespace socialdefault::cxml
