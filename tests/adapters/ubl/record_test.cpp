// UBL orders through the engine into the ledger and the export, with the
// example deployment: suppliers resolved by scheme, unknown ones kept, lines
// per category and currency, rejections left out, refusals record nothing.
#include <gtest/gtest.h>

#include "ubl_engine_fixture.hpp"

#include <chrono>

namespace socialdefault::ubl {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace socialdefault::ubl::testing;

using UblRecord = UblEngineTest;

TEST_F(UblRecord, ASocialSupplierFoundByKvkWithTheUblVersion) {
  auto records = record("order-kvk-endpoint.xml");
  ASSERT_TRUE(records.ok()) << records.error().describe();
  ASSERT_EQ(records->size(), 1U);
  const ChoiceRecord& c = (*records)[0];
  EXPECT_EQ(c.chosen_supplier, "BLOEM-01");
  EXPECT_TRUE(c.social);
  EXPECT_EQ(c.adapter, "ubl/2.1");
  EXPECT_EQ(c.order_ref, "PO-KVK-1");
  EXPECT_EQ(c.department, "Burgerzaken");
  EXPECT_NE(c.requester_pseudonym, "");
  EXPECT_EQ(c.requester_pseudonym.find("jansen"), std::string::npos);
}

TEST_F(UblRecord, AnErpAccountIdAndAnUnknownSupplier) {
  auto known = record("order-account-id.xml");
  ASSERT_TRUE(known.ok()) << known.error().describe();
  EXPECT_EQ((*known)[0].chosen_supplier, "BLOEM-02");
  auto unknown = record("order-vat.xml");
  ASSERT_TRUE(unknown.ok()) << unknown.error().describe();
  const ChoiceRecord& c = (*unknown)[0];
  EXPECT_EQ(c.chosen_supplier, "");
  EXPECT_EQ(c.chosen_identifiers, "peppol:9944:NL001234567B01;vat:NL001234567B01;kvk:12345678");
  EXPECT_FALSE(c.social);
}

TEST_F(UblRecord, LinesCountPerCategoryAndCurrency) {
  auto records = record("order-multi-line.xml");
  ASSERT_TRUE(records.ok()) << records.error().describe();
  ASSERT_EQ(records->size(), 4U);
  for (const ChoiceRecord& c : *records) EXPECT_EQ(c.chosen_supplier, "CAT-S1");
  const auto by_category = rows({GroupBy::category});
  // CPV catering and flowers in EUR, UNSPSC in USD, ZZZ without amount (EUR 0).
  ASSERT_EQ(by_category.size(), 4U);
  EXPECT_EQ(by_category[0].keys[0], "CPV:03121200-7");
  EXPECT_EQ(by_category[0].spend, 2500);
  EXPECT_EQ(by_category[1].keys[0], "CPV:55520000-1");
  EXPECT_EQ(by_category[1].spend, 12000);
  EXPECT_EQ(by_category[2].keys[0], "UNSPSC:50161813");
  EXPECT_EQ(by_category[2].currency, "USD");
  EXPECT_EQ(by_category[2].spend, 8000);
  EXPECT_EQ(by_category[3].keys[0], "ZZZ:X-1");
  EXPECT_EQ(by_category[3].currency, "EUR");
  EXPECT_EQ(by_category[3].spend, 0);
}

TEST_F(UblRecord, ARejectedOrderResponseTakesTheOrderOutOfTheExport) {
  ASSERT_TRUE(record("order-kvk-endpoint.xml").ok());
  ASSERT_TRUE(record("order-account-id.xml").ok());
  ASSERT_EQ(rows({})[0].orders, 2);
  auto status = engine_->record_order_status(*adapter_, fixture("response-rejected.xml"), kNow);
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(status->order_ref, "PO-KVK-1");
  EXPECT_EQ(status->status, OrderStatus::rejected);
  EXPECT_EQ(status->adapter, "ubl");
  const auto totals = rows({});
  ASSERT_EQ(totals.size(), 1U);
  EXPECT_EQ(totals[0].orders, 1);
  EXPECT_EQ(totals[0].spend, 4250);
  auto report = engine_->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
}

TEST_F(UblRecord, AnOrderRejectedInTheSameExchangeIsNotRecorded) {
  auto records = record("order-kvk-endpoint.xml", fixture("response-rejected.xml"));
  ASSERT_TRUE(records.ok()) << records.error().describe();
  EXPECT_TRUE(records->empty());
}

TEST_F(UblRecord, AnOrderIsNotAStatus) {
  auto status = engine_->record_order_status(*adapter_, fixture("order-vat.xml"), kNow);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "not an order response: the ubl adapter reads it as order-request");
}

TEST_F(UblRecord, AStatusIsNotAnOrder) {
  auto records = record("response-accepted.xml");
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.error().message, "not an order request: the ubl adapter reads it as order-response");
}

TEST_F(UblRecord, HostileAndMalformedDocumentsRecordNothing) {
  for (const char* name : {"hostile-billion-laughs.xml", "hostile-external-entity.xml", "hostile-undeclared-entity.xml",
                           "malformed-unclosed.xml", "malformed-utf16-declaration.xml", "not-ubl.xml",
                           "order-bad-amount.xml", "order-no-line-item.xml"}) {
    SCOPED_TRACE(name);
    auto records = record(name);
    EXPECT_FALSE(records.ok());
  }
  auto status = engine_->record_order_status(*adapter_, fixture("hostile-billion-laughs.xml"), kNow);
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(rows({}).empty());
  auto report = engine_->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact);
  EXPECT_EQ(report->rows_checked, 1U);  // the configuration change only
}

}  // namespace
}  // namespace socialdefault::ubl
