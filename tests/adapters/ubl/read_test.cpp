// Reading UBL orders and order responses from our own fixtures: each
// identifier scheme, several lines and currencies, responses, and the
// refusals of malformed and hostile documents.
#include <gtest/gtest.h>

#include "ubl_adapter.hpp"
#include "ubl_message.hpp"
#include "ubl_test_support.hpp"

namespace socialdefault::ubl {
namespace {

using namespace socialdefault::ubl::testing;

class UblRead : public ::testing::Test {
 protected:
  void SetUp() override {
    adapter_ = ubl_adapter();
    ASSERT_NE(adapter_, nullptr);
  }
  std::vector<OrderChoice> lines(const std::string& name) {
    auto read = read_order(*adapter_, fixture(name));
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

TEST_F(UblRead, KvkEndpointIsAlsoAPeppolParticipantId) {
  const auto c = lines("order-kvk-endpoint.xml");
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(identifiers(c[0]), "peppol:0106:70000001;kvk:70000001");
  EXPECT_EQ(c[0].supplier_id, "");
  EXPECT_EQ(c[0].order_ref, "PO-KVK-1");
  EXPECT_EQ(c[0].correlation_id, "REQ-2026-004711");
  EXPECT_EQ(c[0].requester, "j.jansen@voorbeeldstad.example");
  EXPECT_EQ(c[0].department, "Burgerzaken");
  EXPECT_EQ(c[0].category.code_system, "CPV");
  EXPECT_EQ(c[0].category.code, "03121200-7");
  ASSERT_TRUE(c[0].amount.has_value());
  EXPECT_EQ(*c[0].amount, (Money{4250, "EUR"}));
  EXPECT_EQ(c[0].document_version, "2.1");  // told by the PEPPOL CustomizationID
  EXPECT_EQ(c[0].description, "Boeket voorjaar");
  EXPECT_TRUE(c[0].accepted);
}

TEST_F(UblRead, OinPartyIdentificationAndAVersionTwoZeroDocument) {
  const auto c = lines("order-oin-party.xml");
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(identifiers(c[0]), "oin:00000003273570920000");
  EXPECT_EQ(c[0].document_version, "2.0");  // told by UBLVersionID
}

TEST_F(UblRead, VatFromTheEndpointAndTheTaxSchemeOnceAndKvkFromTheLegalEntity) {
  const auto c = lines("order-vat.xml");
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(identifiers(c[0]), "peppol:9944:NL001234567B01;vat:NL001234567B01;kvk:12345678");
}

TEST_F(UblRead, CustomerAssignedAccountIdIsTheErpId) {
  const auto c = lines("order-account-id.xml");
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0].supplier_id, "BLOEM-02");
}

TEST_F(UblRead, EveryLineHasItsOwnCategoryAmountAndCurrency) {
  const auto c = lines("order-multi-line.xml");
  ASSERT_EQ(c.size(), 4U);
  EXPECT_EQ(c[0].line, 1);
  EXPECT_EQ(c[0].category.code_system, "CPV");
  EXPECT_EQ(c[0].category.code, "55520000-1");
  EXPECT_EQ(*c[0].amount, (Money{12000, "EUR"}));
  // STI wins over an earlier classification of another list.
  EXPECT_EQ(c[1].category.code_system, "CPV");
  EXPECT_EQ(c[1].category.code, "03121200-7");
  EXPECT_EQ(*c[1].amount, (Money{2500, "EUR"}));
  EXPECT_EQ(c[2].category.code_system, "UNSPSC");
  EXPECT_EQ(c[2].category.code, "50161813");
  EXPECT_EQ(*c[2].amount, (Money{8000, "USD"}));
  // Another list keeps its listID as the code system; no amount stays unknown.
  EXPECT_EQ(c[3].category.code_system, "ZZZ");
  EXPECT_EQ(c[3].category.code, "X-1");
  EXPECT_FALSE(c[3].amount.has_value());
  for (const OrderChoice& line : c) {
    EXPECT_EQ(line.order_ref, "PO-MULTI-1");
    EXPECT_EQ(identifiers(line), "peppol:0106:70000021;kvk:70000021");
  }
}

TEST_F(UblRead, ASingleLineWithoutAmountTakesThePayableAmount) {
  const auto c = lines("order-single-line-payable.xml");
  ASSERT_EQ(c.size(), 1U);
  ASSERT_TRUE(c[0].amount.has_value());
  EXPECT_EQ(*c[0].amount, (Money{6050, "EUR"}));
}

TEST_F(UblRead, ARejectingResponseMarksEveryLineNotAccepted) {
  auto read = read_order(*adapter_, fixture("order-kvk-endpoint.xml"), fixture("response-rejected.xml"));
  ASSERT_TRUE(read.ok()) << read.error().describe();
  ASSERT_EQ(read->size(), 1U);
  EXPECT_FALSE((*read)[0].accepted);
  auto accepted = read_order(*adapter_, fixture("order-kvk-endpoint.xml"), fixture("response-accepted.xml"));
  ASSERT_TRUE(accepted.ok());
  EXPECT_TRUE((*accepted)[0].accepted);
}

TEST_F(UblRead, AResponseToAnotherOrderIsRefused) {
  auto read = read_order(*adapter_, fixture("order-vat.xml"), fixture("response-rejected.xml"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message, "the OrderResponse answers order \"PO-KVK-1\", not this Order \"PO-VAT-1\"");
}

TEST_F(UblRead, OrderResponseStatuses) {
  const auto status = [&](const std::string& name) {
    auto message = adapter_->recognise(fixture(name));
    EXPECT_TRUE(message.ok()) << message.error().describe();
    EXPECT_EQ((*message)->kind(), MessageKind::order_response);
    return adapter_->read_order_status(**message);
  };
  auto rejected = status("response-rejected.xml");
  ASSERT_TRUE(rejected.ok()) << rejected.error().describe();
  EXPECT_EQ(rejected->status, OrderStatus::rejected);
  EXPECT_EQ(rejected->order_ref, "PO-KVK-1");
  EXPECT_EQ(rejected->response_ref, "RESP-PO-KVK-1");
  EXPECT_EQ(rejected->code, "RE");
  auto accepted = status("response-accepted.xml");
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->status, OrderStatus::accepted);
  auto simple = status("response-simple-rejected.xml");
  ASSERT_TRUE(simple.ok()) << simple.error().describe();
  EXPECT_EQ(simple->status, OrderStatus::rejected);
  EXPECT_EQ(simple->code, "AcceptedIndicator=false");

  auto unknown = status("response-unknown-code.xml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message,
            "OrderResponseCode \"XX\" (<b:OrderResponseCode> at line 8) does not say whether the order was accepted; "
            "expected AP (accepted), RE (rejected) or CA (conditionally accepted)");
  auto no_reference = status("response-no-reference.xml");
  ASSERT_FALSE(no_reference.ok());
  EXPECT_EQ(no_reference.error().message,
            "the OrderResponse has no <cac:OrderReference>/<cbc:ID>; expected the number of the order it answers");
}

TEST_F(UblRead, AnOrderIsNotAnOrderResponseAndShortlistsAreUnsupported) {
  auto order = adapter_->recognise(fixture("order-vat.xml"));
  ASSERT_TRUE(order.ok());
  EXPECT_EQ((*order)->kind(), MessageKind::order_request);
  auto status = adapter_->read_order_status(**order);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "a UBL Order is not an order response");
  auto shortlist = adapter_->read_shortlist(**order, nullptr);
  ASSERT_FALSE(shortlist.ok());
  EXPECT_EQ(shortlist.error().code, ErrorCode::unsupported);
  EXPECT_EQ(shortlist.error().message,
            "the ubl adapter reads orders and order responses; it does not read or rewrite shortlists");
}

TEST_F(UblRead, ABadAmountNamesTheElementLineAndValue) {
  const Error e = refusal("order-bad-amount.xml");
  EXPECT_EQ(e.code, ErrorCode::mapping);
  EXPECT_EQ(e.message,
            "<cbc:LineExtensionAmount> at line 37 of order line 1: amount \"12,50\": expected a decimal number");
}

TEST_F(UblRead, AnOrderLineWithoutLineItemIsRefused) {
  const Error e = refusal("order-no-line-item.xml");
  EXPECT_EQ(e.message, "<cac:OrderLine> at line 32 (order line 1) has no <cac:LineItem>; expected one");
}

TEST_F(UblRead, HostileAndMalformedDocumentsAreRefusedClearly) {
  Error e = refusal("hostile-billion-laughs.xml");
  EXPECT_EQ(e.code, ErrorCode::xml);
  EXPECT_EQ(e.message,
            "a DOCTYPE is not allowed in a UBL document (it opens the door to entity expansion and external "
            "fetches) (line 2, column 1)");
  e = refusal("hostile-external-entity.xml");
  EXPECT_EQ(e.code, ErrorCode::xml);
  EXPECT_EQ(e.where, "byte 22");
  e = refusal("hostile-undeclared-entity.xml");
  EXPECT_EQ(e.code, ErrorCode::xml);
  EXPECT_EQ(e.message,
            "the reference \"&xxe;\" (line 5, column 11) is not one of &amp; &lt; &gt; &quot; &apos; or a character "
            "reference to an XML character; entities from a DTD are never read");
  e = refusal("malformed-unclosed.xml");
  EXPECT_EQ(e.code, ErrorCode::xml);
  EXPECT_EQ(e.message.rfind("not well-formed XML: ", 0), 0U) << e.message;
  e = refusal("malformed-utf16-declaration.xml");
  EXPECT_EQ(e.code, ErrorCode::xml);
  e = refusal("not-ubl.xml");
  EXPECT_EQ(e.code, ErrorCode::unsupported);
  EXPECT_EQ(e.message,
            "not a UBL document: the root element <Order> at line 2 is in namespace \"urn:example:erp:purchasing:1\"; "
            "expected a UBL 2.x document such as <Order> in "
            "\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"");
}

TEST_F(UblRead, ForbiddenCharacterReferencesAndUndeclaredPrefixesAreRefused) {
  const std::string head =
      "<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\" "
      "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">";
  auto nul = adapter_->recognise(head + "<cbc:ID>&#0;</cbc:ID></Order>");
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.error().code, ErrorCode::xml);
  auto prefix = adapter_->recognise(head + "<x:ID>1</x:ID></Order>");
  ASSERT_FALSE(prefix.ok());
  EXPECT_EQ(prefix.error().message, "the prefix \"x\" of <x:ID> at line 1 is not declared");
  // Comments and CDATA may hold a raw '&'.
  auto fine = adapter_->recognise(head + "<!-- a & b --><cbc:ID><![CDATA[A&B]]></cbc:ID></Order>");
  EXPECT_TRUE(fine.ok()) << fine.error().describe();
}

TEST_F(UblRead, DepthAndSizeAreBounded) {
  Limits limits;
  limits.max_depth = 8;
  auto small = ubl_adapter(limits);
  std::string deep = "<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\">";
  for (int i = 0; i < 20; ++i) deep += "<a>";
  for (int i = 0; i < 20; ++i) deep += "</a>";
  deep += "</Order>";
  auto refused = small->recognise(deep);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "elements are nested deeper than the limit of 8 levels (<a> at line 1)");
  limits.max_bytes = 100;
  auto tiny = ubl_adapter(limits);
  auto big = tiny->recognise(fixture("order-vat.xml"));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().message.find("bytes; the limit is 100 bytes") != std::string::npos, true) << big.error().message;
}

TEST_F(UblRead, TheVersionComesFromUblVersionIdThenTheCustomization) {
  const auto version = [&](const std::string& top) -> Result<std::string> {
    auto m = adapter_->recognise("<Catalogue xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2\" "
                                 "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">" +
                                 top + "</Catalogue>");
    if (!m) return std::move(m).error();
    EXPECT_EQ((*m)->kind(), MessageKind::unknown);
    return std::string(dynamic_cast<const UblMessage&>(**m).version());
  };
  EXPECT_EQ(version("<cbc:UBLVersionID>2.1</cbc:UBLVersionID>").value(), "2.1");
  EXPECT_EQ(version("<cbc:UBLVersionID/><cbc:CustomizationID>urn:www.cenbii.eu:transaction:biitrns019:ver1.0"
                    "</cbc:CustomizationID>")
                .value(),
            "2.0");
  EXPECT_EQ(version("<cbc:CustomizationID>urn:www.cenbii.eu:transaction:biitrns001:ver2.0</cbc:CustomizationID>").value(),
            "2.1");
  EXPECT_EQ(version("").value(), "2");
  auto bad = version("<cbc:UBLVersionID>3.0</cbc:UBLVersionID>");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "UBLVersionID \"3.0\" (<cbc:UBLVersionID> at line 1) is not a UBL 2.x version; expected e.g. 2.0 or 2.1");
}

TEST_F(UblRead, OrdersWithoutTheirPartsAndForeignMessages) {
  const std::string ns =
      " xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\""
      " xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\""
      " xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\"";
  const auto error_of = [&](const std::string& order, const std::string& response = {}) {
    auto read = read_order(*adapter_, order, response);
    EXPECT_FALSE(read.ok());
    return read.ok() ? std::string() : read.error().message;
  };
  EXPECT_EQ(error_of("<Order" + ns + "/>"), "the Order has no <cbc:ID>; expected the order number");
  EXPECT_EQ(error_of("<Order" + ns + "><cbc:ID>1</cbc:ID></Order>"),
            "the Order has no <cac:OrderLine>; expected at least one");
  EXPECT_EQ(error_of("<Order" + ns +
                     "><cbc:ID>1</cbc:ID><cac:OrderLine><cac:LineItem><cbc:LineExtensionAmount>5"
                     "</cbc:LineExtensionAmount></cac:LineItem></cac:OrderLine></Order>"),
            "<cbc:LineExtensionAmount> at line 1 of order line 1 has no currencyID and the document has no "
            "DocumentCurrencyCode; expected an ISO 4217 code");
  // A response where the order belongs, and a bad AcceptedIndicator.
  EXPECT_EQ(error_of(fixture("response-rejected.xml")), "a UBL OrderResponse is not an order");
  EXPECT_EQ(error_of(fixture("order-kvk-endpoint.xml"), fixture("order-vat.xml")),
            "a UBL Order is not an order response");
  std::string simple = fixture("response-simple-rejected.xml");
  simple.replace(simple.find(">false<"), 7, ">nee<");
  auto message = adapter_->recognise(simple);
  ASSERT_TRUE(message.ok());
  auto status = adapter_->read_order_status(**message);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "the OrderResponseSimple's <cbc:AcceptedIndicator> is \"nee\"; expected true or false");

  auto cxml = AdapterRegistry::builtin().create("cxml", AdapterSettings{});
  ASSERT_TRUE(cxml.ok());
  auto foreign = (*cxml)->recognise("<cXML/>");
  ASSERT_TRUE(foreign.ok());
  auto read = adapter_->read_choice(**foreign, nullptr);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message, "the order was not recognised by the ubl adapter; pass a message from its recognise()");
  auto foreign_status = adapter_->read_order_status(**foreign);
  ASSERT_FALSE(foreign_status.ok());
  EXPECT_EQ(foreign_status.error().message,
            "the order response was not recognised by the ubl adapter; pass a message from its recognise()");
}

TEST(UblAdapterCreate, TakesNoMapping) {
  auto adapter = AdapterRegistry::builtin().create("ubl", AdapterSettings{"mapping.xml", {}});
  ASSERT_FALSE(adapter.ok());
  EXPECT_EQ(adapter.error().message, "the ubl adapter takes no mapping (UBL fixes where everything is); got \"mapping.xml\"");
}

TEST(UblSchemes, IcdCodesAndOtherNames) {
  EXPECT_EQ(scheme_for("0106"), "kvk");
  EXPECT_EQ(scheme_for("0190"), "oin");
  EXPECT_EQ(scheme_for("9944"), "vat");
  EXPECT_EQ(scheme_for("0060"), "duns");
  EXPECT_EQ(scheme_for("0088"), "gln");
  EXPECT_EQ(scheme_for("0192"), "icd-0192");
  EXPECT_EQ(scheme_for("SE:ORGNR"), "se:orgnr");
}

}  // namespace
}  // namespace socialdefault::ubl
