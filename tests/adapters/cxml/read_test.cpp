// Reading cXML OrderRequest and PunchOutOrderMessage documents from our own
// fixtures: the supplier by each credential domain, lines, amounts and
// currencies, responses, the DOCTYPE rules, hostile documents, and
// SharedSecret values kept out of everything the adapter returns.
#include <gtest/gtest.h>

#include "cxml_adapter.hpp"
#include "cxml_test_support.hpp"

namespace socialdefault::cxml {
namespace {

using namespace socialdefault::cxml::testing;

constexpr std::string_view kSecret = "Geheim-Voorbeeld-7731";

class CxmlRead : public ::testing::Test {
 protected:
  void SetUp() override {
    adapter_ = cxml_adapter();
    ASSERT_NE(adapter_, nullptr);
  }
  std::vector<OrderChoice> lines(const std::string& name, const Adapter* adapter = nullptr) {
    auto read = read_order(adapter != nullptr ? *adapter : *adapter_, fixture(name));
    EXPECT_TRUE(read.ok()) << name << ": " << read.error().describe();
    return read.ok() ? *read : std::vector<OrderChoice>{};
  }
  Error refusal(const std::string& name) {
    auto read = read_order(*adapter_, fixture(name));
    EXPECT_FALSE(read.ok()) << name << " was read";
    return read.ok() ? Error{} : read.error();
  }
  std::shared_ptr<const Adapter> adapter_;
};

TEST_F(CxmlRead, AnOrderRequestToAKvkCredential) {
  const auto c = lines("order-request-kvk.xml");
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(identifiers(c[0]), "kvk:70000001");
  EXPECT_EQ(c[0].supplier_id, "");
  EXPECT_EQ(c[0].order_ref, "PO-CX-1");
  EXPECT_EQ(c[0].correlation_id, "REQ-2026-004711");
  EXPECT_EQ(c[0].requester, "j.jansen@voorbeeldstad.example");  // the endUser, not the buyer
  EXPECT_EQ(c[0].department, "Burgerzaken");
  EXPECT_EQ(c[0].category.code_system, "CPV");
  EXPECT_EQ(c[0].category.code, "03121200-7");
  ASSERT_TRUE(c[0].amount.has_value());
  EXPECT_EQ(*c[0].amount, (Money{4250, "EUR"}));
  EXPECT_EQ(c[0].document_version, "1.2.063");  // from the DTD address, which is never fetched
  EXPECT_EQ(c[0].description, "Boeket");
}

TEST_F(CxmlRead, DomainsAreMatchedWithoutRegardToCase) {
  EXPECT_EQ(identifiers(lines("order-request-duns.xml")[0]), "duns:490000001");
  EXPECT_EQ(identifiers(lines("order-request-networkid.xml")[0]), "cxml-networkid:AN01000000001");
  EXPECT_EQ(identifiers(lines("order-request-unknown.xml")[0]), "duns:999999999;cxml-networkid:AN09999999999");
  // An unlisted domain is its own scheme, lower-cased.
  const auto erp = lines("order-request-erp-id.xml");
  EXPECT_EQ(identifiers(erp[0]), "voorbeeldstaderp:BLOEM-03");
  EXPECT_EQ(erp[0].supplier_id, "");
}

TEST_F(CxmlRead, TheMappingNamesTheErpDomainAndTheRequesterAndDepartmentSources) {
  auto mapped = cxml_adapter({}, kFixtures / "mapping.xml");
  ASSERT_NE(mapped, nullptr);
  const auto c = lines("order-request-erp-id.xml", mapped.get());
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0].supplier_id, "BLOEM-03");
  EXPECT_EQ(identifiers(c[0]), "erp:BLOEM-03");
  EXPECT_EQ(c[0].requester, "burgerzaken@voorbeeldstad.example");  // ShipTo's email first
  EXPECT_EQ(c[0].department, "KP-4711");                           // the CostCenter extrinsic
}

TEST_F(CxmlRead, EveryItemIsALineWithItsOwnSupplierCategoryAmountAndCurrency) {
  const auto c = lines("order-request-multi-line.xml");
  ASSERT_EQ(c.size(), 4U);
  // The item's SupplierID wins over the header's To credential.
  EXPECT_EQ(identifiers(c[0]), "duns:460000100");
  EXPECT_EQ(c[0].category.code_system, "CPV");  // CPV wins over an earlier custom classification
  EXPECT_EQ(*c[0].amount, (Money{2500, "EUR"}));  // 2.5 x 10.00
  EXPECT_EQ(c[0].department, "Burgerzaken");
  EXPECT_EQ(identifiers(c[1]), "cxml-networkid:AN01000000001");
  EXPECT_EQ(c[1].category.code_system, "UNSPSC");
  EXPECT_EQ(c[1].category.code, "10161600");
  EXPECT_EQ(*c[1].amount, (Money{5997, "EUR"}));  // 3 x 19.99
  EXPECT_EQ(c[1].department, "Facilitair");        // the item's own extrinsic
  EXPECT_EQ(identifiers(c[2]), "duns:999999999");
  EXPECT_EQ(c[2].category.code_system, "custom");
  EXPECT_EQ(c[2].category.code, "K-1");
  EXPECT_EQ(*c[2].amount, (Money{8000, "USD"}));
  EXPECT_FALSE(c[3].amount.has_value());  // no price, and the Total belongs to all lines
  for (int i = 0; i < 4; ++i) EXPECT_EQ(c[static_cast<std::size_t>(i)].line, i + 1);
}

TEST_F(CxmlRead, ASingleItemWithoutPriceTakesTheTotal) {
  const auto c = lines("order-request-single-no-price.xml");
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(*c[0].amount, (Money{5500, "EUR"}));
}

TEST_F(CxmlRead, APunchOutOrderMessageComesFromTheSupplier) {
  const auto c = lines("punchout-order-message.xml");
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(identifiers(c[0]), "cxml-networkid:AN01000000001");  // From, not To
  EXPECT_EQ(c[0].correlation_id, "SESSION-8842");
  EXPECT_EQ(c[0].order_ref, "");
  EXPECT_EQ(*c[0].amount, (Money{3000, "EUR"}));
  EXPECT_EQ(c[0].description, "Tulpen, 10 stuks");
}

TEST_F(CxmlRead, TheResponseStatusSaysWhetherTheOrderWasAccepted) {
  auto ok = read_order(*adapter_, fixture("order-request-kvk.xml"), fixture("response-200.xml"));
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_TRUE((*ok)[0].accepted);
  auto refused = read_order(*adapter_, fixture("order-request-kvk.xml"), fixture("response-406.xml"));
  ASSERT_TRUE(refused.ok()) << refused.error().describe();
  EXPECT_FALSE((*refused)[0].accepted);
  auto response = adapter_->recognise(fixture("response-406.xml"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ((*response)->kind(), MessageKind::order_response);
}

TEST_F(CxmlRead, AnInternalSubsetWithoutEntitiesIsAccepted) {
  EXPECT_EQ(lines("internal-subset-without-entities.xml").size(), 1U);
}

TEST_F(CxmlRead, HostileAndMalformedDocumentsAreRefusedClearly) {
  Error e = refusal("hostile-internal-entity.xml");
  EXPECT_EQ(e.code, ErrorCode::xml);
  EXPECT_EQ(e.message,
            "the DOCTYPE's internal subset declares an entity; a cXML document may name its DTD but not declare "
            "entities (entity expansion and external fetches are refused) (line 3, column 3)");
  e = refusal("hostile-external-entity.xml");
  EXPECT_EQ(e.code, ErrorCode::xml);
  EXPECT_EQ(e.where, "byte 39");  // the <!ENTITY
  e = refusal("hostile-undeclared-entity.xml");
  EXPECT_EQ(e.code, ErrorCode::xml);
  EXPECT_NE(e.message.find("the reference \"&xxe;\""), std::string::npos) << e.message;
  e = refusal("malformed-unclosed.xml");
  EXPECT_EQ(e.code, ErrorCode::xml);
  EXPECT_EQ(e.message.rfind("not well-formed XML: ", 0), 0U) << e.message;
  e = refusal("not-cxml.xml");
  EXPECT_EQ(e.code, ErrorCode::unsupported);
  EXPECT_EQ(e.message, "not a cXML document: the root element is <Order> at line 2; expected <cXML> without a namespace");
  e = refusal("order-request-no-order-id.xml");
  EXPECT_EQ(e.message, "the OrderRequestHeader has no orderID; expected the order number");
  e = refusal("order-request-bad-quantity.xml");
  EXPECT_EQ(e.message,
            "<ItemOut> at line 41: quantity \"-2\" is not a non-negative decimal number; expected e.g. 2 or 2.5");
  e = refusal("profile-request.xml");
  EXPECT_EQ(e.code, ErrorCode::unsupported);
  EXPECT_EQ(e.message, "the cXML document holds no OrderRequest or PunchOutOrderMessage; nothing to record");
}

TEST_F(CxmlRead, ASharedSecretNeverReachesAnErrorOrAValue) {
  const Error e = refusal("secret-in-bad-money.xml");
  EXPECT_EQ(e.message.find(kSecret), std::string::npos) << e.message;
  EXPECT_EQ(e.where.find(kSecret), std::string::npos) << e.where;
  EXPECT_NE(e.message.find("amount \"***\""), std::string::npos) << e.message;

  const auto c = lines("secret-in-department.xml");
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0].department, "***");
  for (const OrderChoice& line : lines("order-request-kvk.xml")) {
    for (const std::string& value : {line.requester, line.department, line.supplier_id, line.description,
                                     line.order_ref, line.correlation_id, identifiers(line)}) {
      EXPECT_EQ(value.find(kSecret), std::string::npos) << value;
    }
  }
}

// A SharedSecret may hold elements (the DTD says ANY): every piece of its
// text is kept out of the values, not only the whole (found by cxml_fuzz:
// the first piece, "Geheim-Voo", was left in the department).
TEST_F(CxmlRead, EveryPieceOfASharedSecretWithElementsIsRedacted) {
  std::string text = fixture("secret-in-department.xml");
  const std::string whole = "<SharedSecret>Geheim-Voorbeeld-7731</SharedSecret>";
  ASSERT_NE(text.find(whole), std::string::npos);
  text.replace(text.find(whole), whole.size(),
               "<SharedSecret>Geheim-Voo<SharedSecret>SECRET-0123456789</SharedSecret>rbeeld-7731</SharedSecret>");
  auto read = read_order(*adapter_, text);
  ASSERT_TRUE(read.ok()) << read.error().describe();
  ASSERT_EQ(read->size(), 1U);
  const std::string& department = (*read)[0].department;
  for (const std::string_view piece : {"Geheim-Voo", "rbeeld-7731", "SECRET-0123456789"}) {
    EXPECT_EQ(department.find(piece), std::string::npos) << department;
  }
}

TEST_F(CxmlRead, ShortlistsAreUnsupported) {
  auto m = adapter_->recognise(fixture("order-request-kvk.xml"));
  ASSERT_TRUE(m.ok());
  auto shortlist = adapter_->read_shortlist(**m, nullptr);
  ASSERT_FALSE(shortlist.ok());
  EXPECT_EQ(shortlist.error().code, ErrorCode::unsupported);
  EXPECT_EQ(shortlist.error().message,
            "the cxml adapter reads OrderRequest and PunchOutOrderMessage; it does not read or rewrite shortlists");
  auto status = adapter_->read_order_status(**m);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::unsupported);  // an order is not a status (status_test.cpp)
}

TEST(CxmlMultiply, ExactProductsRoundedOnceHalfAwayFromZero) {
  EXPECT_EQ(multiply(Money{333, "EUR"}, "2.5").value(), (Money{833, "EUR"}));  // 8.325 -> 8.33
  EXPECT_EQ(multiply(Money{10499, "USD"}, "2", "2").value(), (Money{10499, "USD"}));
  EXPECT_EQ(multiply(Money{100, "JPY"}, "0.5").value(), (Money{50, "JPY"}));
  EXPECT_EQ(multiply(Money{-333, "EUR"}, "2.5").value(), (Money{-833, "EUR"}));
  auto bad = multiply(Money{100, "EUR"}, "1e3");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "quantity \"1e3\" is not a non-negative decimal number; expected e.g. 2 or 2.5");
  auto zero_basis = multiply(Money{100, "EUR"}, "1", "0");
  ASSERT_FALSE(zero_basis.ok());
  EXPECT_EQ(zero_basis.error().message, "PriceBasisQuantity quantity \"0\" is not a positive decimal number");
  auto huge = multiply(Money{std::numeric_limits<std::int64_t>::max(), "EUR"}, "999999999999999999");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().message, "quantity \"999999999999999999\" times the unit price is too large");
}

}  // namespace
}  // namespace socialdefault::cxml
