// recognise(): SOAP 1.1 and 1.2 under any prefix, classification by
// namespace URI and local name, and refusal of hostile or broken input with
// a clear error (never a crash).
#include <gtest/gtest.h>

#include <optional>

#include "fast_scan.hpp"
#include "soap_test_support.hpp"

namespace socialdefault::soap::testing {
namespace {

constexpr std::string_view kErp = "urn:example:erp:purchasing:1";

// A small shortlist response whose payload elements use prefix p ("" for
// none); declarations are passed in by the caller.
std::string shortlist_payload(std::string_view p, std::string_view declarations) {
  const std::string q(p);
  return "<" + q + "GetSupplierShortlistResponse" + std::string(declarations) + ">" + "<" + q +
         "RequisitionId>REQ-2026-000001</" + q + "RequisitionId><" + q + "Category listID=\"CPV\">03121200-7</" + q +
         "Category><" + q + "Suppliers><" + q + "Supplier><" + q + "SupplierId>FLR-100</" + q + "SupplierId><" + q +
         "Name>Bloemen Groothandel Holland</" + q + "Name><" + q + "Preselected>true</" + q + "Preselected></" + q +
         "Supplier><" + q + "Supplier><" + q + "SupplierId>BLOEM-01</" + q + "SupplierId><" + q +
         "Name>Bloemenatelier De Werkplaats</" + q + "Name><" + q + "Preselected>false</" + q + "Preselected></" + q +
         "Supplier></" + q + "Suppliers></" + q + "GetSupplierShortlistResponse>";
}

struct Variant {
  const char* label;
  std::string bytes;
  SoapVersion version;
};

std::vector<Variant> variants() {
  const std::string s11(kSoap11Namespace), s12(kSoap12Namespace), erp(kErp);
  return {
      {"soap: with the payload prefix on the Envelope",
       "<soap:Envelope xmlns:soap=\"" + s11 + "\" xmlns:erp=\"" + erp + "\"><soap:Body>" +
           shortlist_payload("erp:", "") + "</soap:Body></soap:Envelope>",
       SoapVersion::soap11},
      {"SOAP-ENV: with a default namespace on the payload",
       "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"" + s11 + "\"><SOAP-ENV:Header/><SOAP-ENV:Body>" +
           shortlist_payload("", " xmlns=\"" + erp + "\"") + "</SOAP-ENV:Body></SOAP-ENV:Envelope>",
       SoapVersion::soap11},
      {"s: with the payload prefix on the payload",
       "<s:Envelope xmlns:s=\"" + s11 + "\"><s:Body>" + shortlist_payload("ns2:", " xmlns:ns2=\"" + erp + "\"") +
           "</s:Body></s:Envelope>",
       SoapVersion::soap11},
      {"env: SOAP 1.2",
       "<env:Envelope xmlns:env=\"" + s12 + "\"><env:Body>" + shortlist_payload("e:", " xmlns:e=\"" + erp + "\"") +
           "</env:Body></env:Envelope>",
       SoapVersion::soap12},
      {"the SOAP namespace as default namespace",
       "<Envelope xmlns=\"" + s11 + "\"><Body>" + shortlist_payload("p:", " xmlns:p=\"" + erp + "\"") +
           "</Body></Envelope>",
       SoapVersion::soap11},
      {"a prefix redeclared closer in",
       "<x:Envelope xmlns:x=\"" + s12 + "\"><y:Body xmlns:x=\"" + erp + "\" xmlns:y=\"" + s12 + "\">" +
           shortlist_payload("x:", "") + "</y:Body></x:Envelope>",
       SoapVersion::soap12},
  };
}

TEST(SoapRecognise, ShortlistUnderEveryPrefixStyle) {
  const SoapAdapter adapter = example_adapter();
  for (const Variant& v : variants()) {
    SCOPED_TRACE(v.label);
    auto message = recognise_ok(adapter, v.bytes);
    ASSERT_NE(message, nullptr);
    EXPECT_EQ(message->kind(), MessageKind::shortlist_response);
    EXPECT_EQ(message->bytes(), v.bytes);
    EXPECT_EQ(static_cast<const SoapMessage&>(*message).version(), v.version);
    auto shortlist = adapter.read_shortlist(*message, nullptr);
    ASSERT_TRUE(shortlist.ok()) << shortlist.error().describe();
    ASSERT_EQ(shortlist->candidates.size(), 2u);
    EXPECT_EQ(shortlist->candidates[1].supplier_id, "BLOEM-01");
    EXPECT_TRUE(shortlist->candidates[0].preselected);
    EXPECT_EQ(shortlist->category.code_system, "CPV");

    // And it rewrites into a message that is recognised the same way.
    auto out = rewrite(adapter, v.bytes, [](const Shortlist& s) {
      return decision_for(s, {"BLOEM-01", "FLR-100"}, "BLOEM-01");
    });
    ASSERT_TRUE(out.ok()) << out.error().describe();
    auto again = recognise_ok(adapter, *out);
    ASSERT_NE(again, nullptr);
    auto reread = adapter.read_shortlist(*again, nullptr);
    ASSERT_TRUE(reread.ok()) << reread.error().describe();
    EXPECT_EQ(reread->candidates[0].supplier_id, "BLOEM-01");
    EXPECT_TRUE(reread->candidates[0].preselected);
    EXPECT_FALSE(reread->candidates[1].preselected);
  }
}

TEST(SoapRecognise, PrefixBoundCloserInDecidesTheNamespace) {
  const SoapAdapter adapter = example_adapter();
  // erp: is bound to another namespace on the payload itself: not ours.
  const std::string other = "<soap:Envelope xmlns:soap=\"" + std::string(kSoap11Namespace) + "\" xmlns:erp=\"" +
                            std::string(kErp) + "\"><soap:Body>" +
                            shortlist_payload("erp:", " xmlns:erp=\"urn:other:erp\"") + "</soap:Body></soap:Envelope>";
  auto message = recognise_ok(adapter, other);
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(message->kind(), MessageKind::unknown);
  // x:Body where x has been rebound to the ERP namespace is not a Body.
  auto rebound = adapter.recognise("<x:Envelope xmlns:x=\"" + std::string(kSoap12Namespace) + "\"><x:Body xmlns:x=\"" +
                                   std::string(kErp) + "\"/></x:Envelope>");
  ASSERT_FALSE(rebound.ok());
  EXPECT_EQ(rebound.error().describe(),
            "byte 0: the SOAP Envelope has no Body; expected <Body> in http://www.w3.org/2003/05/soap-envelope");
  // The prefix soap: bound to something that is not SOAP.
  auto not_soap = adapter.recognise("<soap:Envelope xmlns:soap=\"urn:not-soap\"><soap:Body/></soap:Envelope>");
  ASSERT_FALSE(not_soap.ok());
  EXPECT_EQ(not_soap.error().code, ErrorCode::unsupported);
  EXPECT_EQ(not_soap.error().describe(),
            "byte 0: not a SOAP envelope: the root element is <soap:Envelope> in namespace \"urn:not-soap\"; expected "
            "Envelope in http://schemas.xmlsoap.org/soap/envelope/ (SOAP 1.1) or "
            "http://www.w3.org/2003/05/soap-envelope (SOAP 1.2)");
}

TEST(SoapRecognise, ClassifiesTheExampleMessages) {
  const SoapAdapter adapter = example_adapter();
  const std::pair<const char*, MessageKind> expected[] = {
      {"shortlist-request.xml", MessageKind::shortlist_request},
      {"shortlist-response.xml", MessageKind::shortlist_response},
      {"shortlist-response-soap12.xml", MessageKind::shortlist_response},
      {"order-request.xml", MessageKind::order_request},
      {"order-response.xml", MessageKind::order_response},
      {"order-response-fault.xml", MessageKind::fault},
  };
  for (const auto& [file, kind] : expected) {
    SCOPED_TRACE(file);
    auto message = recognise_ok(adapter, example(file));
    ASSERT_NE(message, nullptr);
    EXPECT_EQ(message->kind(), kind);
  }
}

// recognise_borrowed points into the caller's bytes instead of copying them,
// on the fast path and on the DOM path (whose parse buffer it then makes),
// and the shortlist and the rewrite are the same as from a copy.
TEST(SoapRecognise, ABorrowedMessagePointsIntoTheBytesAndReadsTheSame) {
  const SoapAdapter adapter = example_adapter();
  const std::string response = example("shortlist-response.xml");
  const std::string request = example("shortlist-request.xml");
  for (const bool dom_only : {false, true}) {
    SCOPED_TRACE(dom_only ? "DOM path" : "fast path");
    std::optional<FastPathOff> off;
    if (dom_only) off.emplace();
    auto copied = adapter.recognise(response);
    auto borrowed = adapter.recognise_borrowed(response);
    auto borrowed_request = adapter.recognise_borrowed(request);
    ASSERT_TRUE(copied.ok() && borrowed.ok() && borrowed_request.ok());
    EXPECT_NE((*copied)->bytes().data(), response.data());
    EXPECT_EQ((*borrowed)->bytes().data(), response.data());
    EXPECT_EQ((*borrowed_request)->bytes().data(), request.data());
    EXPECT_EQ((*borrowed_request)->kind(), MessageKind::shortlist_request);
    EXPECT_EQ(static_cast<const SoapMessage&>(**borrowed).fast() != nullptr, !dom_only);
    auto from_copy = adapter.read_shortlist(**copied, borrowed_request->get());
    auto from_borrowed = adapter.read_shortlist(**borrowed, borrowed_request->get());
    ASSERT_TRUE(from_copy.ok() && from_borrowed.ok());
    ASSERT_EQ(from_borrowed->candidates.size(), from_copy->candidates.size());
    EXPECT_EQ(from_borrowed->requester, from_copy->requester);
    for (std::size_t i = 0; i < from_copy->candidates.size(); ++i) {
      EXPECT_EQ(from_borrowed->candidates[i].supplier_id, from_copy->candidates[i].supplier_id);
      EXPECT_EQ(from_borrowed->candidates[i].name, from_copy->candidates[i].name);
    }
    const Policy policy = flowers_policy();
    auto out_copy = adapter.apply_decision(**copied, *from_copy, example_decision(*from_copy), policy);
    auto out_borrowed = adapter.apply_decision(**borrowed, *from_borrowed, example_decision(*from_borrowed), policy);
    ASSERT_TRUE(out_copy.ok() && out_borrowed.ok());
    EXPECT_EQ(*out_borrowed, *out_copy);
    EXPECT_NE(*out_borrowed, response);
  }
}

TEST(SoapRecognise, Soap12FaultAndEmptyBody) {
  const SoapAdapter adapter = example_adapter();
  auto fault = recognise_ok(adapter, "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body>"
                                     "<e:Fault><e:Code><e:Value>e:Receiver</e:Value></e:Code></e:Fault>"
                                     "</e:Body></e:Envelope>");
  ASSERT_NE(fault, nullptr);
  EXPECT_EQ(fault->kind(), MessageKind::fault);
  // A SOAP 1.1 Fault element inside a SOAP 1.2 envelope is just an element.
  auto mixed = recognise_ok(adapter, "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body>"
                                     "<f:Fault xmlns:f=\"http://schemas.xmlsoap.org/soap/envelope/\"/>"
                                     "</e:Body></e:Envelope>");
  ASSERT_NE(mixed, nullptr);
  EXPECT_EQ(mixed->kind(), MessageKind::unknown);
  auto empty = recognise_ok(adapter, "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body>"
                                     "  <!-- nothing -->  </e:Body></e:Envelope>");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->kind(), MessageKind::unknown);
}

TEST(SoapRecognise, EnvelopeWithoutBody) {
  const SoapAdapter adapter = example_adapter();
  auto message = adapter.recognise("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header/></s:Envelope>");
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::unsupported);
  EXPECT_EQ(message.error().describe(),
            "byte 0: the SOAP Envelope has no Body; expected <Body> in http://schemas.xmlsoap.org/soap/envelope/");
}

// The error for bytes that must be refused; it has to say where.
Error refused(std::string_view bytes, Limits limits = {}) {
  const SoapAdapter adapter = example_adapter(limits);
  auto message = adapter.recognise(bytes);
  EXPECT_FALSE(message.ok());
  if (message.ok()) return Error{};
  EXPECT_EQ(message.error().code, ErrorCode::xml);
  return message.error();
}

constexpr std::string_view kOpen = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>";
constexpr std::string_view kClose = "</s:Body></s:Envelope>";

std::string in_body(std::string_view payload) {
  return std::string(kOpen) + std::string(payload) + std::string(kClose);
}

TEST(SoapRecognise, DoctypeIsRefused) {
  EXPECT_EQ(refused("<?xml version=\"1.0\"?>\n<!DOCTYPE s:Envelope [<!ENTITY lol \"lol\"><!ENTITY lol2 "
                    "\"&lol;&lol;&lol;&lol;\">]>\n" + in_body("<x>&lol2;</x>"))
                .describe(),
            "byte 22: a DOCTYPE is not allowed in a SOAP message (SOAP forbids it: it opens the door to entity "
            "expansion and external fetches) (line 2, column 1)");
  EXPECT_EQ(refused("<!-- c --><!DOCTYPE x SYSTEM \"http://attacker.example/x.dtd\">" + in_body("")).where, "byte 10");
  // Inside the document pugixml refuses it as malformed.
  EXPECT_EQ(refused(in_body("<!DOCTYPE x>")).describe(),
            "byte 72: not well-formed XML: Error parsing document type declaration (line 1, column 73)");
}

TEST(SoapRecognise, SizeLimit) {
  const std::string message = in_body("");
  Limits limits;
  limits.max_bytes = message.size() - 1;
  EXPECT_EQ(refused(message, limits).describe(),
            "byte 93: the message is 94 bytes; the limit is 93 bytes");
  limits.max_bytes = message.size();
  const SoapAdapter adapter = example_adapter(limits);
  EXPECT_TRUE(adapter.recognise(message).ok());
}

TEST(SoapRecognise, DepthLimit) {
  std::string deep;
  for (int i = 0; i < 10; ++i) deep += "<a>";
  for (int i = 0; i < 10; ++i) deep += "</a>";
  Limits limits;
  limits.max_depth = 11;  // Envelope, Body and ten levels of <a> make 12
  EXPECT_EQ(refused(in_body(deep), limits).describe(),
            "byte 99: elements are nested deeper than the limit of 11 levels (line 1, column 100)");
  limits.max_depth = 12;
  const SoapAdapter adapter = example_adapter(limits);
  EXPECT_TRUE(adapter.recognise(in_body(deep)).ok());
}

TEST(SoapRecognise, VeryDeepNestingIsRefusedWithoutExhaustingTheStack) {
  std::string deep;
  for (int i = 0; i < 200000; ++i) deep += "<a>";
  for (int i = 0; i < 200000; ++i) deep += "</a>";
  const Error e = refused(in_body(deep));
  EXPECT_NE(e.message.find("nested deeper than the limit of 64 levels"), std::string::npos) << e.describe();
}

TEST(SoapRecognise, MalformedXmlGivesTheByteOffset) {
  EXPECT_EQ(refused(in_body("<a><b></a>")).describe(),
            "byte 80: not well-formed XML: Start-end tags mismatch (line 1, column 81)");
  EXPECT_EQ(refused(std::string(kOpen) + "<a>").describe(),
            "byte 74: not well-formed XML: Start-end tags mismatch (line 1, column 75)");
  EXPECT_EQ(refused("").describe(), "byte 0: the message is empty");
  EXPECT_EQ(refused("   \n").describe(), "byte 0: the message is empty");
  EXPECT_EQ(refused("no xml at all").describe(),
            "byte 0: text before the root element; expected only the XML declaration, comments and whitespace "
            "(line 1, column 1)");
}

TEST(SoapRecognise, WellFormednessPugixmlDoesNotCheck) {
  EXPECT_EQ(refused(in_body("") + "<second/>").describe(),
            "byte 94: a second root element <second> (line 1, column 95); expected exactly one");
  EXPECT_EQ(refused(in_body("") + "trailing").describe(),
            "byte 94: content after the root element (line 1, column 95); expected only comments and whitespace");
  EXPECT_EQ(refused(in_body("") + "<?xml version=\"1.0\"?>").describe(),
            "byte 94: the XML declaration must be at the very start of the document");
  EXPECT_EQ(refused(in_body("") + "<!DOCTYPE x>").describe(), "byte 94: a DOCTYPE is not allowed in a SOAP message");
  EXPECT_EQ(refused("<!-- c --><?xml version=\"1.0\"?>" + in_body("")).describe(),
            "byte 10: the XML declaration must be at the very start of the document (line 1, column 11)");
  EXPECT_EQ(refused(in_body("<a x=\"1\" x=\"2\"/>")).describe(),
            "byte 72: attribute \"x\" appears twice on <a> (line 1, column 73)");
  EXPECT_EQ(refused(in_body("<a xmlns:p=\"urn:p\" xmlns:q=\"urn:p\" p:x=\"1\" q:x=\"2\"/>")).describe(),
            "byte 72: attribute \"x\" appears twice on <a> (line 1, column 73)");
  EXPECT_EQ(refused(in_body("<p:a/>")).describe(),
            "byte 72: the prefix \"p\" of <p:a> is not declared (line 1, column 73)");
  EXPECT_EQ(refused(in_body("<a p:x=\"1\"/>")).describe(),
            "byte 75: the prefix \"p\" of attribute p:x is not declared (line 1, column 76)");
  EXPECT_EQ(refused(in_body("<a xmlns:p=\"\"/>")).describe(),
            "byte 75: xmlns:p=\"\" is not allowed in XML 1.0 (line 1, column 76)");
  EXPECT_EQ(refused(in_body("<a>&nbsp;</a>")).describe(),
            "byte 75: undefined entity &nbsp; (a SOAP message has no DTD, so only &lt; &gt; &amp; &apos; &quot; exist)");
  EXPECT_EQ(refused(in_body("<a>fish & chips</a>")).describe(),
            "byte 80: '&' is not followed by a reference like &amp; or &#233;");
  EXPECT_EQ(refused(in_body("<a>&#1;</a>")).describe(),
            "byte 75: character reference &#1; is not an allowed XML character");
  EXPECT_EQ(refused(in_body("<a x=\"a<b\"/>")).describe(), "byte 79: '<' is not allowed in an attribute value");
  EXPECT_EQ(refused(in_body("<a x=\"&bogus;\"/>")).describe(),
            "byte 78: undefined entity &bogus; (a SOAP message has no DTD, so only &lt; &gt; &amp; &apos; &quot; "
            "exist)");
}

TEST(SoapRecognise, ProcessingInstructionsAndCommentsAroundTheRootAreFine) {
  const SoapAdapter adapter = example_adapter();
  const std::string bytes = "<?xml version=\"1.0\"?>\n<!-- before -->\n<?app hint?>\n" + in_body("") +
                            "\n<!-- after -->\n";
  auto message = recognise_ok(adapter, bytes);
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(message->bytes(), bytes);
}

TEST(SoapRecognise, MessagesFromAnotherAdapterOrMappingAreRefused) {
  const SoapAdapter adapter = example_adapter();
  const SoapAdapter other(example_mapping(), Limits{});
  auto message = recognise_ok(other, example("shortlist-response.xml"));
  ASSERT_NE(message, nullptr);
  auto shortlist = adapter.read_shortlist(*message, nullptr);
  ASSERT_FALSE(shortlist.ok());
  EXPECT_EQ(shortlist.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(shortlist.error().message.find("was recognised with another mapping"), std::string::npos);

  struct Foreign final : Message {
    MessageKind kind() const noexcept override { return MessageKind::shortlist_response; }
    std::string_view bytes() const noexcept override { return "<x/>"; }
  } foreign;
  auto read = adapter.read_shortlist(foreign, nullptr);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().describe(), "the response was not recognised by the soap adapter");
}

}  // namespace
}  // namespace socialdefault::soap::testing
