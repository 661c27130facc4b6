// Loading a mapping file: the example loads, and every problem is reported as
// "file:line: field: what is wrong; what was expected".
#include <gtest/gtest.h>

#include <algorithm>

#include "soap_test_support.hpp"

namespace socialdefault::soap::testing {
namespace {

// Line numbers in the expectations below refer to this text.
constexpr std::string_view kBase = R"(<mapping xmlns="urn:socialdefault:mapping:1">
  <namespace prefix="erp" uri="urn:example:erp:purchasing:1"/>
  <shortlist>
    <request element="erp:GetSupplierShortlist"/>
    <response element="erp:GetSupplierShortlistResponse"/>
    <candidates path="erp:Suppliers/erp:Supplier">
      <id path="erp:SupplierId"/>
      <name path="erp:Name"/>
      <price path="erp:UnitPrice"/>
      <currency path="erp:UnitPrice/@currency"/>
      <preselected path="erp:Preselected" true="true 1" false="false 0"/>
      <note path="erp:Remark"/>
      <identifier scheme="kvk" path="erp:KvK"/>
    </candidates>
    <message-note path="erp:Message"/>
    <correlation-id from="response" path="erp:RequisitionId"/>
    <category from="response" path="erp:Category" system-path="erp:Category/@listID"/>
    <requester from="request" path="erp:Requester"/>
    <department from="request" path="erp:Requester/@department"/>
  </shortlist>
  <order>
    <request element="erp:SubmitRequisition"/>
    <response element="erp:SubmitRequisitionResponse"/>
    <correlation-id path="erp:RequisitionId"/>
    <category path="erp:Category" system="CPV"/>
    <requester path="erp:Requester"/>
    <department path="erp:Requester/@department"/>
    <supplier path="erp:SupplierId"/>
    <amount path="erp:Amount"/>
    <currency path="erp:Amount/@currency"/>
    <description path="erp:Description"/>
    <order-number path="erp:OrderNumber"/>
    <status path="erp:Status">
      <rejected>Rejected</rejected>
    </status>
  </order>
</mapping>
)";

// kBase with one piece of text replaced (it must occur exactly once).
std::string with(std::string_view from, std::string_view to) {
  std::string text(kBase);
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "ambiguous: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The complete description of the error loading xml gives.
std::string problem(std::string_view xml) {
  auto mapping = parse_mapping(xml, "m.xml");
  EXPECT_FALSE(mapping.ok());
  if (mapping.ok()) return "(loaded)";
  EXPECT_EQ(mapping.error().code, ErrorCode::config);
  return mapping.error().describe();
}

TEST(SoapMapping, BaseAndExampleLoadWithEveryPathResolvedToItsNamespace) {
  auto base = parse_mapping(kBase, "m.xml");
  ASSERT_TRUE(base.ok()) << base.error().describe();
  const Mapping& m = **base;
  ASSERT_TRUE(m.shortlist && m.order);
  EXPECT_EQ(m.shortlist->response, (ExpandedName{"urn:example:erp:purchasing:1", "GetSupplierShortlistResponse"}));
  ASSERT_EQ(m.shortlist->candidates.elements.steps().size(), 2u);
  EXPECT_EQ(m.shortlist->candidates.elements.steps()[1].local, "Supplier");
  EXPECT_EQ(m.shortlist->candidates.currency.path->attribute()->local, "currency");
  EXPECT_EQ(m.shortlist->candidates.true_literals, (std::vector<std::string>{"true", "1"}));
  EXPECT_EQ(m.shortlist->requester.from, Side::request);
  EXPECT_EQ(m.shortlist->correlation_id.from, Side::response);
  EXPECT_EQ(m.order->category.system.fixed, "CPV");
  EXPECT_EQ(m.order->supplier.from, Side::request);
  EXPECT_EQ(m.order->rejected_statuses, (std::vector<std::string>{"Rejected"}));

  const auto example = example_mapping();
  ASSERT_NE(example, nullptr);
  EXPECT_EQ(example->name, "Example ERP purchasing v1");
  EXPECT_EQ(example->shortlist->candidates.identifiers.at(0).scheme, "kvk");
}

TEST(SoapMapping, PrefixesAreTheMappingsOwnNotTheMessages) {
  // The same mapping written with another prefix, and with the mapping
  // namespace itself behind a prefix, means the same thing.
  std::string text(kBase);
  const std::string uri = "urn:example:erp:purchasing:1";
  text.replace(text.find(uri), uri.size(), "URI");
  for (std::size_t at; (at = text.find("erp:")) != std::string::npos;) text.replace(at, 4, "p:");
  text.replace(text.find("prefix=\"erp\""), 12, "prefix=\"p\"");
  text.replace(text.find("\"URI\""), 5, "\"" + uri + "\"");
  auto mapping = parse_mapping(text, "m.xml");
  ASSERT_TRUE(mapping.ok()) << mapping.error().describe();
  EXPECT_EQ((*mapping)->shortlist->candidates.id.path->steps()[0].uri, "urn:example:erp:purchasing:1");

  auto prefixed = parse_mapping(R"(<m:mapping xmlns:m="urn:socialdefault:mapping:1">
  <m:namespace prefix="e" uri="urn:e"/>
  <m:order><m:request element="e:Order"/><m:supplier path="e:Supplier"/></m:order>
</m:mapping>)", "m.xml");
  ASSERT_TRUE(prefixed.ok()) << prefixed.error().describe();
  EXPECT_EQ((*prefixed)->order->request, (ExpandedName{"urn:e", "Order"}));
}

TEST(SoapMapping, MissingFileIsAnIoError) {
  auto mapping = load_mapping("no/such/mapping.xml");
  ASSERT_FALSE(mapping.ok());
  EXPECT_EQ(mapping.error().code, ErrorCode::io);
  EXPECT_EQ(mapping.error().describe(), "no/such/mapping.xml: cannot open the mapping file; expected a readable file");
}

TEST(SoapMapping, InvalidUtf8IsRefusedWithItsByte) {
  EXPECT_EQ(problem(with("erp:Remark", "erp:R\xE9mark")),
            "m.xml:12: not valid UTF-8 at byte 529; expected a UTF-8 mapping file");
}

TEST(SoapMapping, MalformedXmlNamesLineAndByte) {
  EXPECT_EQ(problem(with("</candidates>", "</candidate>")),
            "m.xml:14: not well-formed XML: Start-end tags mismatch (byte 592)");
}

TEST(SoapMapping, DoctypeIsRefused) {
  EXPECT_EQ(problem("<!DOCTYPE mapping>\n" + std::string(kBase)),
            "m.xml:1: a DOCTYPE is not allowed in a mapping file; expected plain XML");
}

TEST(SoapMapping, WrongRootElement) {
  EXPECT_EQ(problem(with("<mapping xmlns=\"urn:socialdefault:mapping:1\">", "<mapping xmlns=\"urn:other\">")),
            "m.xml:1: the root element is <mapping> in namespace \"urn:other\"; expected <mapping "
            "xmlns=\"urn:socialdefault:mapping:1\">");
}

TEST(SoapMapping, UnknownElementListsTheExpectedOnes) {
  EXPECT_EQ(problem(with("<name path=\"erp:Name\"/>", "<nmae path=\"erp:Name\"/>")),
            "m.xml:8: shortlist/candidates: unknown element <nmae>; expected one of: id, name, price, currency, "
            "preselected, note, identifier");
}

TEST(SoapMapping, ElementOfAnotherNamespace) {
  EXPECT_EQ(problem(with("<note path=\"erp:Remark\"/>", "<x:note xmlns:x=\"urn:x\" path=\"erp:Remark\"/>")),
            "m.xml:12: shortlist/candidates: element <x:note> is in namespace \"urn:x\"; expected elements of "
            "urn:socialdefault:mapping:1");
}

TEST(SoapMapping, ChildElementInsideAField) {
  EXPECT_EQ(problem(with("<id path=\"erp:SupplierId\"/>", "<id path=\"erp:SupplierId\"><name/></id>")),
            "m.xml:7: shortlist/candidates/id: unexpected element <name>; expected no child elements");
}

TEST(SoapMapping, UnexpectedText) {
  EXPECT_EQ(problem(with("<shortlist>", "<shortlist>oops")),
            "m.xml:3: shortlist: unexpected text \"oops\"; expected only elements");
}

TEST(SoapMapping, UnknownAttribute) {
  EXPECT_EQ(problem(with("<id path=\"erp:SupplierId\"/>", "<id paht=\"erp:SupplierId\"/>")),
            "m.xml:7: shortlist/candidates/id: unknown attribute \"paht\"; expected one of: path\n"
            "m.xml:7: shortlist/candidates/id: attribute \"path\" is missing; expected a path such as "
            "prefix:Element or prefix:Element/@attribute");
  EXPECT_EQ(problem(with("<shortlist>", "<shortlist mode=\"x\">")),
            "m.xml:3: shortlist: unknown attribute \"mode\"; expected none");
}

TEST(SoapMapping, ElementTwice) {
  EXPECT_EQ(problem(with("<name path=\"erp:Name\"/>", "<name path=\"erp:Name\"/><name path=\"erp:Name\"/>")),
            "m.xml:8: shortlist/candidates/name: appears more than once (first at line 8); expected it once");
}

TEST(SoapMapping, RequiredElementsMissing) {
  EXPECT_EQ(problem(with("<response element=\"erp:GetSupplierShortlistResponse\"/>", "")),
            "m.xml:3: shortlist: <response> is missing; expected the payload element that carries the shortlist, "
            "e.g. <response element=\"erp:GetSupplierShortlistResponse\"/>");
  EXPECT_EQ(problem(with("<id path=\"erp:SupplierId\"/>", "")),
            "m.xml:6: shortlist/candidates: <id> is missing; expected the path to the supplier id, e.g. <id "
            "path=\"erp:SupplierId\"/>");
  EXPECT_EQ(problem(with("<preselected path=\"erp:Preselected\" true=\"true 1\" false=\"false 0\"/>", "")),
            "m.xml:6: shortlist/candidates: <preselected> is missing; expected the path to the preselected flag, "
            "e.g. <preselected path=\"erp:Preselected\" true=\"true\" false=\"false\"/>");
  EXPECT_EQ(problem(with("<supplier path=\"erp:SupplierId\"/>", "")),
            "m.xml:21: order: <supplier> is missing; expected the path to the chosen supplier's id, e.g. <supplier "
            "path=\"erp:SupplierId\"/>");
  EXPECT_EQ(problem(with("<request element=\"erp:SubmitRequisition\"/>", "")),
            "m.xml:21: order: <request> is missing; expected the payload element of the order, e.g. <request "
            "element=\"erp:SubmitRequisition\"/>");
}

TEST(SoapMapping, CandidatesSectionMissing) {
  std::string text(kBase);
  text.erase(text.find("    <candidates"), text.find("    <message-note") - text.find("    <candidates"));
  EXPECT_EQ(problem(text),
            "m.xml:3: shortlist: <candidates> is missing; expected <candidates path=\"...\"> with the fields of each "
            "candidate");
}

TEST(SoapMapping, RequiredAttributesMissing) {
  EXPECT_EQ(problem(with("<response element=\"erp:GetSupplierShortlistResponse\"/>", "<response/>")),
            "m.xml:5: shortlist/response: attribute \"element\" is missing; expected the payload element, e.g. "
            "element=\"erp:Name\"");
  EXPECT_EQ(problem(with("<candidates path=\"erp:Suppliers/erp:Supplier\">", "<candidates>")),
            "m.xml:6: shortlist/candidates: attribute \"path\" is missing; expected the path from the response "
            "payload to each candidate, e.g. erp:Suppliers/erp:Supplier");
}

// The first line of a problem report and how many problems it lists.
std::pair<std::string, std::size_t> first_of(const std::string& report) {
  return {report.substr(0, report.find('\n')), 1 + static_cast<std::size_t>(std::count(report.begin(), report.end(), '\n'))};
}

TEST(SoapMapping, NamespaceDeclarations) {
  // Without the prefix every path that uses it fails too, and says so.
  const auto [missing, count] = first_of(problem(with("prefix=\"erp\" ", "")));
  EXPECT_EQ(missing, "m.xml:2: namespace (no prefix): attribute \"prefix\" is missing or empty; expected a prefix such as erp");
  EXPECT_EQ(count, 29u);  // the declaration and 28 uses
  const std::string invalid = problem(with("prefix=\"erp\"", "prefix=\"1erp\""));
  const std::string invalid_start =
      "m.xml:2: namespace 1erp: prefix \"1erp\" is not an XML name; expected letters, digits, - _ .\n"
      "m.xml:4: shortlist/request: element \"erp:GetSupplierShortlist\": prefix \"erp\" is not declared";
  EXPECT_EQ(invalid.substr(0, invalid_start.size()), invalid_start);
  std::string reserved = with("prefix=\"erp\"", "prefix=\"xml\"");
  for (std::size_t at; (at = reserved.find("erp:")) != std::string::npos;) reserved.replace(at, 4, "xml:");
  EXPECT_EQ(problem(reserved), "m.xml:2: namespace xml: prefix \"xml\" is reserved by XML; expected another prefix");
  EXPECT_EQ(problem(with("<namespace prefix=\"erp\" uri=\"urn:example:erp:purchasing:1\"/>",
                         "<namespace prefix=\"erp\" uri=\"urn:example:erp:purchasing:1\"/>\n"
                         "<namespace prefix=\"erp\" uri=\"urn:b\"/>")),
            "m.xml:3: namespace erp: prefix is declared twice (first at line 2); expected each prefix once");
  EXPECT_EQ(problem(with("uri=\"urn:example:erp:purchasing:1\"", "uri=\"\"")),
            "m.xml:2: namespace erp: attribute \"uri\" is missing or empty; expected the namespace URI the prefix "
            "stands for");
}

TEST(SoapMapping, NeitherShortlistNorOrder) {
  EXPECT_EQ(problem("<mapping xmlns=\"urn:socialdefault:mapping:1\"/>"),
            "m.xml:1: mapping: has neither <shortlist> nor <order>; expected at least one of them");
}

TEST(SoapMapping, PathSyntaxProblems) {
  const auto id_path = [](std::string_view path) {
    return problem(with("<id path=\"erp:SupplierId\"/>", "<id path=\"" + std::string(path) + "\"/>"));
  };
  EXPECT_EQ(id_path(""),
            "m.xml:7: shortlist/candidates/id: path=\"\": is empty; expected child steps like prefix:Name separated by "
            "\"/\", optionally ending in \"/@attribute\", or \".\"");
  EXPECT_EQ(id_path("erp:A//erp:B"),
            "m.xml:7: shortlist/candidates/id: path=\"erp:A//erp:B\": step 2 is empty; expected child steps like "
            "prefix:Name separated by \"/\", optionally ending in \"/@attribute\"");
  EXPECT_EQ(id_path("../erp:B"),
            "m.xml:7: shortlist/candidates/id: path=\"../erp:B\": step 1 \"..\" is not supported; expected child steps "
            "like prefix:Name separated by \"/\", optionally ending in \"/@attribute\"");
  EXPECT_EQ(id_path("erp:A[1]"),
            "m.xml:7: shortlist/candidates/id: path=\"erp:A[1]\": step 1 \"erp:A[1]\" is not supported; expected child "
            "steps like prefix:Name separated by \"/\", optionally ending in \"/@attribute\"");
  EXPECT_EQ(id_path("@id/erp:B"),
            "m.xml:7: shortlist/candidates/id: path=\"@id/erp:B\": step 1 \"@id\": an attribute must be the last step");
  EXPECT_EQ(id_path("erp:1st"),
            "m.xml:7: shortlist/candidates/id: path=\"erp:1st\": step 1 \"erp:1st\" is not an XML name; expected "
            "prefix:Name or Name");
  EXPECT_EQ(id_path("erpx:SupplierId"),
            "m.xml:7: shortlist/candidates/id: path=\"erpx:SupplierId\": step 1 prefix \"erpx\" is not declared; "
            "expected a <namespace prefix=\"erpx\" uri=\"...\"/> in the mapping (declared: erp)");
  EXPECT_EQ(problem(with("<candidates path=\"erp:Suppliers/erp:Supplier\">",
                         "<candidates path=\"erp:Suppliers/@id\">")),
            "m.xml:6: shortlist/candidates: path=\"erp:Suppliers/@id\": step 2 \"@id\" selects an attribute; expected "
            "a path to elements");
}

TEST(SoapMapping, ElementNameWithUndeclaredPrefix) {
  EXPECT_EQ(problem(with("<response element=\"erp:GetSupplierShortlistResponse\"/>",
                         "<response element=\"e:GetSupplierShortlistResponse\"/>")),
            "m.xml:5: shortlist/response: element \"e:GetSupplierShortlistResponse\": prefix \"e\" is not declared; "
            "expected a <namespace prefix=\"e\" uri=\"...\"/> in the mapping (declared: erp)");
}

TEST(SoapMapping, FromMustBeRequestOrResponse) {
  EXPECT_EQ(problem(with("<requester from=\"request\"", "<requester from=\"both\"")),
            "m.xml:18: shortlist/requester: from=\"both\"; expected \"request\" or \"response\"");
}

TEST(SoapMapping, FromNeedsThatMessageMapped) {
  EXPECT_EQ(problem(with("<request element=\"erp:GetSupplierShortlist\"/>", "")),
            "m.xml:18: shortlist/requester: is read from the request (from=\"request\"), so <shortlist> needs "
            "<request element=\"...\"/>\n"
            "m.xml:19: shortlist/department: is read from the request (from=\"request\"), so <shortlist> needs "
            "<request element=\"...\"/>");
  EXPECT_EQ(problem(with("<response element=\"erp:SubmitRequisitionResponse\"/>", "")),
            "m.xml:32: order/order-number: is read from the response (from=\"response\"), so <order> needs <response "
            "element=\"...\"/>\n"
            "m.xml:33: order/status: is read from the response (from=\"response\"), so <order> needs <response "
            "element=\"...\"/>");
}

TEST(SoapMapping, CurrencyPathOrValue) {
  EXPECT_EQ(problem(with("<currency path=\"erp:UnitPrice/@currency\"/>",
                         "<currency path=\"erp:UnitPrice/@currency\" value=\"EUR\"/>")),
            "m.xml:10: shortlist/candidates/currency: has both path and value; expected one of them");
  EXPECT_EQ(problem(with("<currency path=\"erp:UnitPrice/@currency\"/>", "<currency/>")),
            "m.xml:10: shortlist/candidates/currency: has neither path nor value; expected path=\"...\" or a fixed "
            "value=\"EUR\"");
  EXPECT_EQ(problem(with("<currency path=\"erp:UnitPrice/@currency\"/>", "<currency value=\"eur\"/>")),
            "m.xml:10: shortlist/candidates/currency: value \"eur\" is not an ISO 4217 currency code; expected three "
            "capital letters such as EUR");
  EXPECT_EQ(problem(with("<currency path=\"erp:UnitPrice/@currency\"/>", "")),
            "m.xml:9: shortlist/candidates/price: has no currency; expected a <currency> (a path, or a fixed "
            "value=\"EUR\") in <candidates>");
  EXPECT_EQ(problem(with("<currency path=\"erp:Amount/@currency\"/>", "")),
            "m.xml:29: order/amount: has no currency; expected a <currency> (a path, or a fixed value=\"EUR\") in "
            "<order>");
}

TEST(SoapMapping, PreselectedLiterals) {
  const std::string flag = "<preselected path=\"erp:Preselected\" true=\"true 1\" false=\"false 0\"/>";
  EXPECT_EQ(problem(with(flag, "<preselected path=\"erp:Preselected\" false=\"N\"/>")),
            "m.xml:11: shortlist/candidates/preselected: attribute \"true\" is missing or empty; expected the "
            "literal(s) meaning true, e.g. true=\"true 1\"");
  EXPECT_EQ(problem(with(flag, "<preselected path=\"erp:Preselected\" true=\"J\" false=\" \"/>")),
            "m.xml:11: shortlist/candidates/preselected: attribute \"false\" is missing or empty; expected the "
            "literal(s) meaning false, e.g. false=\"false 0\"");
  EXPECT_EQ(problem(with(flag, "<preselected path=\"erp:Preselected\" true=\"J 1\" false=\"N 1\"/>")),
            "m.xml:11: shortlist/candidates/preselected: \"1\" is both a true and a false literal; expected distinct "
            "literals");
}

TEST(SoapMapping, CategorySystem) {
  EXPECT_EQ(problem(with("<category path=\"erp:Category\" system=\"CPV\"/>",
                         "<category path=\"erp:Category\" system=\"CPV\" system-path=\"erp:Category/@listID\"/>")),
            "m.xml:25: order/category: has both system and system-path; expected one of them");
  EXPECT_EQ(problem(with("<category path=\"erp:Category\" system=\"CPV\"/>", "<category path=\"erp:Category\" system=\"\"/>")),
            "m.xml:25: order/category: system is empty; expected a code system such as CPV");
  EXPECT_EQ(problem(with("system-path=\"erp:Category/@listID\"", "system-path=\"erp:Category/@\"")),
            "m.xml:17: shortlist/category: system-path=\"erp:Category/@\": step 2 \"\" is not an XML name; expected "
            "prefix:Name or Name");
}

TEST(SoapMapping, Identifiers) {
  EXPECT_EQ(problem(with("<identifier scheme=\"kvk\" path=\"erp:KvK\"/>", "<identifier path=\"erp:KvK\"/>")),
            "m.xml:13: shortlist/candidates/identifier: attribute \"scheme\" is missing or empty; expected a scheme "
            "such as kvk");
  EXPECT_EQ(problem(with("<identifier scheme=\"kvk\" path=\"erp:KvK\"/>",
                         "<identifier scheme=\"kvk\" path=\"erp:KvK\"/><identifier scheme=\"kvk\" path=\"erp:CoC\"/>")),
            "m.xml:13: shortlist/candidates/identifier: scheme \"kvk\" is mapped twice; expected each scheme once");
}

TEST(SoapMapping, RejectedStatuses) {
  EXPECT_EQ(problem(with("<rejected>Rejected</rejected>", "")),
            "m.xml:33: order/status: has no <rejected> values; expected at least one status that means the order was "
            "rejected");
  EXPECT_EQ(problem(with("<rejected>Rejected</rejected>", "<rejected> </rejected>")),
            "m.xml:34: order/status/rejected: is empty; expected a status value that means the order was rejected");
}

TEST(SoapMapping, TwoKindsOfMessageWithOneElement) {
  EXPECT_EQ(problem(with("<response element=\"erp:SubmitRequisitionResponse\"/>",
                         "<response element=\"erp:GetSupplierShortlistResponse\"/>")),
            "m.xml:1: order/response: is the same element as shortlist/response "
            "({urn:example:erp:purchasing:1}GetSupplierShortlistResponse); expected a distinct element for each kind "
            "of message");
}

TEST(SoapMapping, WrittenFieldsNeedTheirOwnPlace) {
  EXPECT_EQ(problem(with("<note path=\"erp:Remark\"/>", "<note path=\"erp:Preselected\"/>")),
            "m.xml:12: shortlist/candidates/note: has the same path as shortlist/candidates/preselected "
            "(\"erp:Preselected\"); expected its own element or attribute, since socialdefault writes into it");
  EXPECT_EQ(problem(with("<message-note path=\"erp:Message\"/>", "<message-note path=\"erp:RequisitionId\"/>")),
            "m.xml:15: shortlist/message-note: has the same path as shortlist/correlation-id (\"erp:RequisitionId\"); "
            "expected its own element or attribute, since socialdefault writes into it");
}

TEST(SoapMapping, EveryProblemIsListedFirstOneIsTheLocation) {
  std::string text = with("<name path=\"erp:Name\"/>", "<name path=\"\"/>");
  const std::string description = "<description path=\"erp:Description\"/>";
  text.replace(text.find(description), description.size(), "<description/>");
  auto both = parse_mapping(text, "m.xml");
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().where, "m.xml:8");
  EXPECT_EQ(both.error().describe(),
            "m.xml:8: shortlist/candidates/name: path=\"\": is empty; expected child steps like prefix:Name separated "
            "by \"/\", optionally ending in \"/@attribute\", or \".\"\n"
            "m.xml:31: order/description: attribute \"path\" is missing; expected a path such as prefix:Element or "
            "prefix:Element/@attribute");
}

}  // namespace
}  // namespace socialdefault::soap::testing
