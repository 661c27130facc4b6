// read_shortlist() and read_choice(): what the core gets out of the messages.
#include <gtest/gtest.h>

#include "soap_test_support.hpp"

namespace socialdefault::soap::testing {
namespace {

struct Read {
  SoapAdapter adapter = example_adapter();
  std::unique_ptr<Message> message(std::string_view text) { return recognise_ok(adapter, text); }
};

TEST(SoapReadShortlist, ExampleResponseWithContextFromTheRequest) {
  Read r;
  auto response = r.message(example("shortlist-response.xml"));
  auto request = r.message(example("shortlist-request.xml"));
  ASSERT_TRUE(response && request);
  auto shortlist = r.adapter.read_shortlist(*response, request.get());
  ASSERT_TRUE(shortlist.ok()) << shortlist.error().describe();
  EXPECT_EQ(shortlist->correlation_id, "REQ-2026-004711");
  EXPECT_EQ(shortlist->category.code_system, "CPV");
  EXPECT_EQ(shortlist->category.code, "03121200-7");
  EXPECT_EQ(shortlist->requester, "E10442");
  EXPECT_EQ(shortlist->department, "Burgerzaken");
  ASSERT_EQ(shortlist->candidates.size(), 5u);
  const Candidate& first = shortlist->candidates[0];
  EXPECT_EQ(first.supplier_id, "FLR-100");
  EXPECT_EQ(first.name, "Bloemen Groothandel Holland");
  EXPECT_EQ(first.price, (Money{4250, "EUR"}));
  EXPECT_TRUE(first.preselected);
  ASSERT_EQ(first.identifiers.size(), 1u);
  EXPECT_EQ(first.identifiers[0].scheme, "kvk");
  EXPECT_EQ(first.identifiers[0].value, "60000100");
  EXPECT_EQ(shortlist->candidates[1].name, "Groen & Meer Leerwerkbedrijf");
  EXPECT_FALSE(shortlist->candidates[1].preselected);
  EXPECT_EQ(shortlist->candidates[3].supplier_id, "BLOEM-01");
  EXPECT_EQ(shortlist->candidates[3].price, (Money{4850, "EUR"}));
}

TEST(SoapReadShortlist, WithoutTheRequestTheRequesterIsUnknown) {
  Read r;
  auto response = r.message(example("shortlist-response-soap12.xml"));
  ASSERT_TRUE(response);
  auto shortlist = r.adapter.read_shortlist(*response, nullptr);
  ASSERT_TRUE(shortlist.ok()) << shortlist.error().describe();
  EXPECT_EQ(shortlist->requester, "");
  EXPECT_EQ(shortlist->department, "");
  EXPECT_EQ(shortlist->candidates[1].name, "Groen & Meer Leerwerkbedrijf");  // from CDATA
  EXPECT_TRUE(shortlist->candidates[0].preselected);                        // "1"
  EXPECT_FALSE(shortlist->candidates[1].preselected);                       // "0"
}

std::string with(std::string text, std::string_view from, std::string_view to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string read_error(std::string_view response) {
  Read r;
  auto message = r.message(response);
  if (!message) return "(not recognised)";
  auto shortlist = r.adapter.read_shortlist(*message, nullptr);
  EXPECT_FALSE(shortlist.ok());
  if (shortlist.ok()) return "(read)";
  EXPECT_EQ(shortlist.error().code, ErrorCode::mapping);
  return shortlist.error().describe();
}

TEST(SoapReadShortlist, EveryProblemNamesTheCandidateAndTheField) {
  const std::string base = example("shortlist-response.xml");
  EXPECT_EQ(read_error(with(base, "<Preselected>true</Preselected>", "<Preselected>yes</Preselected>")),
            "shortlist/candidates/preselected: candidate 1 (<Supplier> at byte 478): shortlist/candidates/preselected "
            "is \"yes\"; expected one of \"true\", \"1\", \"false\", \"0\"");
  EXPECT_EQ(read_error(with(base, "<SupplierId>FLR-200</SupplierId>", "<SupplierId> </SupplierId>")),
            "shortlist/candidates/id: candidate 3 (<Supplier> at byte 1003): shortlist/candidates/id (erp:SupplierId) "
            "is missing or empty; expected the supplier id");
  EXPECT_EQ(read_error(with(base, "42.50", "42,50")),
            "shortlist/candidates/price: candidate 1 (<Supplier> at byte 478): shortlist/candidates/price \"42,50\" "
            "\"EUR\": expected a decimal number");
  EXPECT_EQ(read_error(with(base, "<UnitPrice currency=\"EUR\">45.95", "<UnitPrice>45.95")),
            "shortlist/candidates/currency: candidate 2 (<Supplier> at byte 737): shortlist/candidates/price is "
            "\"45.95\" but shortlist/candidates/currency (erp:UnitPrice/@currency) is missing; expected a currency code");
}

TEST(SoapReadShortlist, AbsentFlagAndEmptyPriceAreNotErrors) {
  Read r;
  std::string text = with(example("shortlist-response.xml"), "<Preselected>false</Preselected>", "");
  text = with(text, "<UnitPrice currency=\"EUR\">47.00</UnitPrice>", "<UnitPrice currency=\"EUR\"/>");
  auto message = r.message(text);
  ASSERT_TRUE(message);
  auto shortlist = r.adapter.read_shortlist(*message, nullptr);
  ASSERT_TRUE(shortlist.ok()) << shortlist.error().describe();
  EXPECT_FALSE(shortlist->candidates[1].preselected);
  EXPECT_FALSE(shortlist->candidates[2].price.has_value());
}

// Prefixes are resolved once per list of candidates; a candidate or a field
// that declares namespaces of its own must still be read in its own scope.
TEST(SoapReadShortlist, CandidatesWithScopesOfTheirOwn) {
  Read r;
  std::string text = example("shortlist-response.xml");
  // Candidate 2 writes its fields with a prefix it declares itself.
  text = with(text,
              "<Supplier>\n          <SupplierId>BLOEM-02</SupplierId>\n          <Name>Groen &amp; Meer "
              "Leerwerkbedrijf</Name>",
              "<Supplier xmlns:p=\"urn:example:erp:purchasing:1\">\n          <p:SupplierId>BLOEM-02</p:SupplierId>\n"
              "          <p:Name>Groen &amp; Meer Leerwerkbedrijf</p:Name>");
  // Candidate 3 moves its name out of the contract's namespace: not a name.
  text = with(text, "<Name>Fleurop Partner Centrum</Name>",
              "<Name xmlns=\"urn:other\">Fleurop Partner Centrum</Name>");
  // Candidate 4 rebinds the default namespace on itself to the same URI.
  text = with(text, "<Supplier>\n          <SupplierId>BLOEM-01</SupplierId>",
              "<Supplier xmlns=\"urn:example:erp:purchasing:1\">\n          <SupplierId>BLOEM-01</SupplierId>");
  auto message = r.message(text);
  ASSERT_TRUE(message);
  auto shortlist = r.adapter.read_shortlist(*message, nullptr);
  ASSERT_TRUE(shortlist.ok()) << shortlist.error().describe();
  ASSERT_EQ(shortlist->candidates.size(), 5u);
  EXPECT_EQ(shortlist->candidates[1].supplier_id, "BLOEM-02");
  EXPECT_EQ(shortlist->candidates[1].name, "Groen & Meer Leerwerkbedrijf");
  EXPECT_EQ(shortlist->candidates[2].supplier_id, "FLR-200");
  EXPECT_EQ(shortlist->candidates[2].name, "");
  EXPECT_EQ(shortlist->candidates[3].supplier_id, "BLOEM-01");
  EXPECT_EQ(shortlist->candidates[3].name, "Bloemenatelier De Werkplaats");
  EXPECT_EQ(shortlist->candidates[4].name, "Tuincentrum Randstad");
}

TEST(SoapReadShortlist, WrongKindsOfMessage) {
  Read r;
  auto order = r.message(example("order-request.xml"));
  auto response = r.message(example("shortlist-response.xml"));
  ASSERT_TRUE(order && response);
  auto a = r.adapter.read_shortlist(*order, nullptr);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::unsupported);
  EXPECT_EQ(a.error().describe(),
            "expected a message of kind shortlist-response ({urn:example:erp:purchasing:1}GetSupplierShortlistResponse), "
            "got <pur:SubmitRequisition> at byte 163 (kind order-request)");
  auto b = r.adapter.read_shortlist(*response, response.get());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().describe(),
            "expected a message of kind shortlist-request ({urn:example:erp:purchasing:1}GetSupplierShortlist), got "
            "<GetSupplierShortlistResponse> at byte 206 (kind shortlist-response)");
}

TEST(SoapReadChoice, OrderRequestAlone) {
  Read r;
  auto request = r.message(example("order-request.xml"));
  ASSERT_TRUE(request);
  auto choices = r.adapter.read_choice(*request, nullptr);
  ASSERT_TRUE(choices.ok()) << choices.error().describe();
  ASSERT_EQ(choices->size(), 1u);
  const OrderChoice& c = choices->front();
  EXPECT_EQ(c.line, 1);
  EXPECT_EQ(c.correlation_id, "REQ-2026-004711");
  EXPECT_EQ(c.category.code_system, "CPV");
  EXPECT_EQ(c.category.code, "03121200-7");
  EXPECT_EQ(c.requester, "E10442");
  EXPECT_EQ(c.department, "Burgerzaken");
  EXPECT_EQ(c.supplier_id, "BLOEM-02");
  EXPECT_EQ(c.amount, (Money{4595, "EUR"}));
  EXPECT_EQ(c.description, "Boeket bij afscheid collega, afdeling Burgerzaken");
  EXPECT_EQ(c.order_ref, "");
  EXPECT_TRUE(c.accepted);
}

TEST(SoapReadChoice, AcceptedResponseGivesTheOrderNumber) {
  Read r;
  auto request = r.message(example("order-request.xml"));
  auto response = r.message(example("order-response.xml"));
  ASSERT_TRUE(request && response);
  auto choices = r.adapter.read_choice(*request, response.get());
  ASSERT_TRUE(choices.ok()) << choices.error().describe();
  EXPECT_EQ(choices->front().order_ref, "PO-2026-018342");
  EXPECT_TRUE(choices->front().accepted);
}

TEST(SoapReadChoice, FaultMeansNotAccepted) {
  Read r;
  auto request = r.message(example("order-request.xml"));
  auto fault = r.message(example("order-response-fault.xml"));
  ASSERT_TRUE(request && fault);
  EXPECT_EQ(fault->kind(), MessageKind::fault);
  auto choices = r.adapter.read_choice(*request, fault.get());
  ASSERT_TRUE(choices.ok()) << choices.error().describe();
  EXPECT_FALSE(choices->front().accepted);
  EXPECT_EQ(choices->front().supplier_id, "BLOEM-02");
  EXPECT_EQ(choices->front().order_ref, "");
}

TEST(SoapReadChoice, RejectedStatusMeansNotAccepted) {
  Read r;
  auto request = r.message(example("order-request.xml"));
  auto rejected = r.message(with(example("order-response.xml"), ">Accepted<", ">Rejected<"));
  auto pending = r.message(with(example("order-response.xml"), ">Accepted<", ">PendingApproval<"));
  ASSERT_TRUE(request && rejected && pending);
  auto no = r.adapter.read_choice(*request, rejected.get());
  ASSERT_TRUE(no.ok()) << no.error().describe();
  EXPECT_FALSE(no->front().accepted);
  EXPECT_EQ(no->front().order_ref, "PO-2026-018342");
  auto yes = r.adapter.read_choice(*request, pending.get());
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(yes->front().accepted);
}

TEST(SoapReadChoice, Problems) {
  Read r;
  auto shortlist = r.message(example("shortlist-response.xml"));
  auto request = r.message(example("order-request.xml"));
  auto no_supplier = r.message(with(example("order-request.xml"), "<pur:SupplierId>BLOEM-02</pur:SupplierId>", ""));
  auto bad_amount = r.message(with(example("order-request.xml"), "45.95", "45.955"));
  ASSERT_TRUE(shortlist && request && no_supplier && bad_amount);
  auto a = r.adapter.read_choice(*shortlist, nullptr);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().describe(),
            "expected a message of kind order-request ({urn:example:erp:purchasing:1}SubmitRequisition), got "
            "<GetSupplierShortlistResponse> at byte 206 (kind shortlist-response)");
  auto b = r.adapter.read_choice(*request, shortlist.get());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::unsupported);
  auto c = r.adapter.read_choice(*no_supplier, nullptr);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().describe(),
            "order/supplier: the order <pur:SubmitRequisition> at byte 163 has no supplier: order/supplier "
            "(erp:SupplierId) is missing or empty");
  auto d = r.adapter.read_choice(*bad_amount, nullptr);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().describe(), "order/amount: the order: order/amount \"45.955\" \"EUR\": more than 2 decimals for EUR");
}

TEST(SoapReadChoice, SupplierIdentifiersAndFixedCurrency) {
  const auto mapping = mapping_from(R"(<mapping xmlns="urn:socialdefault:mapping:1">
  <namespace prefix="o" uri="urn:o"/>
  <order>
    <request element="o:Order"/>
    <supplier path="o:Vendor/@erp"/>
    <identifier scheme="kvk" path="o:Vendor/@kvk"/>
    <identifier scheme="peppol" path="o:Vendor/o:Endpoint"/>
    <amount path="o:Total"/>
    <currency value="EUR"/>
  </order>
</mapping>)");
  ASSERT_NE(mapping, nullptr);
  const SoapAdapter adapter(mapping, Limits{});
  auto message = recognise_ok(adapter, "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                                       "<Order xmlns=\"urn:o\"><Vendor erp=\"CAT-S1\" kvk=\"70000021\"/>"
                                       "<Total>120</Total></Order></s:Body></s:Envelope>");
  ASSERT_NE(message, nullptr);
  auto choices = adapter.read_choice(*message, nullptr);
  ASSERT_TRUE(choices.ok()) << choices.error().describe();
  const OrderChoice& c = choices->front();
  EXPECT_EQ(c.supplier_id, "CAT-S1");
  ASSERT_EQ(c.supplier_identifiers.size(), 1u);  // the PEPPOL endpoint is absent
  EXPECT_EQ(c.supplier_identifiers[0].value, "70000021");
  EXPECT_EQ(c.amount, (Money{12000, "EUR"}));
  EXPECT_EQ(c.correlation_id, "");
}

}  // namespace
}  // namespace socialdefault::soap::testing
