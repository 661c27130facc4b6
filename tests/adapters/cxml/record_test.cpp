// cXML orders through the engine into the ledger, with a small deployment
// whose suppliers are also known by DUNS and NetworkID: resolution by each
// domain, unknown suppliers kept, refusals record nothing, and no
// SharedSecret anywhere in the ledger file.
#include <gtest/gtest.h>

#include "cxml_engine_fixture.hpp"

#include <chrono>

namespace socialdefault::cxml {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace socialdefault::cxml::testing;

constexpr std::string_view kSecret = "Geheim-Voorbeeld-7731";

using CxmlRecord = CxmlEngineTest;

TEST_F(CxmlRecord, EachDomainResolvesTheSupplier) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"order-request-kvk.xml", "BLOEM-01"},
      {"order-request-duns.xml", "BLOEM-01"},
      {"order-request-networkid.xml", "BLOEM-01"},
      {"order-request-erp-id.xml", "BLOEM-03"},
      {"punchout-order-message.xml", "BLOEM-01"},
  };
  for (const auto& [file, supplier] : cases) {
    SCOPED_TRACE(file);
    auto records = record(file);
    ASSERT_TRUE(records.ok()) << records.error().describe();
    ASSERT_EQ(records->size(), 1U);
    EXPECT_EQ((*records)[0].chosen_supplier, supplier);
    EXPECT_TRUE((*records)[0].social);
    EXPECT_EQ((*records)[0].adapter, "cxml/1.2.063");
  }
}

TEST_F(CxmlRecord, AnUnknownSupplierIsRecordedAsRegularWithItsIdentifiers) {
  auto records = record("order-request-unknown.xml");
  ASSERT_TRUE(records.ok()) << records.error().describe();
  const ChoiceRecord& c = (*records)[0];
  EXPECT_EQ(c.chosen_supplier, "");
  EXPECT_EQ(c.chosen_identifiers, "duns:999999999;cxml-networkid:AN09999999999");
  EXPECT_FALSE(c.social);
  EXPECT_TRUE(c.addressable);
}

TEST_F(CxmlRecord, AMultiLineOrderResolvesEachLine) {
  auto records = record("order-request-multi-line.xml");
  ASSERT_TRUE(records.ok()) << records.error().describe();
  ASSERT_EQ(records->size(), 4U);
  EXPECT_EQ((*records)[0].chosen_supplier, "FLR-100");
  EXPECT_FALSE((*records)[0].social);
  EXPECT_EQ((*records)[1].chosen_supplier, "BLOEM-01");
  EXPECT_EQ((*records)[2].chosen_identifiers, "duns:999999999");
  EXPECT_EQ((*records)[2].amount, (Money{8000, "USD"}));
  EXPECT_EQ((*records)[3].amount, (Money{0, "EUR"}));  // no price: zero in the reporting currency
  EXPECT_EQ((*records)[1].department, "KP-4711");
}

TEST_F(CxmlRecord, AnOrderTheSupplierRefusedIsNotRecorded) {
  auto records = record("order-request-kvk.xml", "response-406.xml");
  ASSERT_TRUE(records.ok()) << records.error().describe();
  EXPECT_TRUE(records->empty());
}

TEST_F(CxmlRecord, RefusedDocumentsRecordNothingAndNoSecretReachesTheLedger) {
  for (const char* name : {"hostile-internal-entity.xml", "hostile-external-entity.xml", "hostile-undeclared-entity.xml",
                           "malformed-unclosed.xml", "not-cxml.xml", "order-request-no-order-id.xml",
                           "order-request-bad-quantity.xml", "secret-in-bad-money.xml", "profile-request.xml"}) {
    SCOPED_TRACE(name);
    auto records = record(name);
    ASSERT_FALSE(records.ok());
    EXPECT_EQ(records.error().describe().find(kSecret), std::string::npos);
  }
  auto report = engine_->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->rows_checked, 1U);  // the configuration change only

  ASSERT_TRUE(record("secret-in-department.xml").ok());
  ASSERT_TRUE(record("order-request-kvk.xml").ok());
  engine_.reset();  // closes the ledger: every page is in the file or its WAL
  for (const char* suffix : {"", "-wal"}) {
    const fs::path file = dir_ / ("ledger.sqlite" + std::string(suffix));
    if (!fs::exists(file)) continue;
    EXPECT_EQ(read_file(file).find(kSecret), std::string::npos) << file;
  }
}

}  // namespace
}  // namespace socialdefault::cxml
