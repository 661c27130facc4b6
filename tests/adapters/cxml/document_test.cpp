// The checks of adapters/xmldoc, through the cxml adapter (whose DOCTYPE
// policy exercises the most of them), and the cXML adapter's own refusals:
// every message's text.
#include <gtest/gtest.h>

#include "cxml_test_support.hpp"

namespace socialdefault::cxml {
namespace {

using namespace socialdefault::cxml::testing;

struct Case {
  const char* document;
  const char* message;
};

TEST(XmlDocumentChecks, EveryRefusalSaysWhatAndWhere) {
  auto adapter = cxml_adapter();
  ASSERT_NE(adapter, nullptr);
  const std::vector<Case> cases = {
      {"", "the document is empty"},
      {"<!DOCTYPE cXML SYSTEM \"a.dtd\"><!DOCTYPE cXML SYSTEM \"b.dtd\"><cXML/>",
       "a second DOCTYPE (line 1, column 31)"},
      {"<!DOCTYPE cXML SYSTEM a.dtd><cXML/>",
       "the DOCTYPE of a cXML document has no quoted system identifier (line 1, column 23)"},
      {"<!DOCTYPE cXML PUBLIC \"-//x\"><cXML/>",
       "the DOCTYPE of a cXML document has no quoted system identifier (line 1, column 29)"},
      {"<!DOCTYPE cXML SYSTEM \"a.dtd><cXML/>", "the DOCTYPE's identifier is not closed (line 1, column 23)"},
      {"<!DOCTYPE cXML [ <!ATTLIST cXML a CDATA \"x> <cXML/>",
       "a literal in the DOCTYPE's internal subset is not closed (line 1, column 16)"},
      {"<!DOCTYPE cXML [ <!-- x  <cXML/>", "a comment in the DOCTYPE is not closed (line 1, column 18)"},
      {"<!DOCTYPE cXML [ <!ATTLIST cXML a CDATA \"x\"> <cXML/>",
       "the DOCTYPE's internal subset is not closed with ']' (line 1, column 16)"},
      {"<!DOCTYPE cXML SYSTEM \"a.dtd\" x><cXML/>", "the DOCTYPE is not closed with '>' (line 1, column 1)"},
      {"<!-- c --><?xml version=\"1.0\"?><cXML/>",
       "the XML declaration must be at the very start of the document (line 1, column 11)"},
      {"hello <cXML/>",
       "text before the root element; expected only the XML declaration, comments and whitespace (line 1, column 1)"},
      {"<cXML/>\n<!DOCTYPE cXML SYSTEM \"a.dtd\">", "a DOCTYPE after the root element (line 2, column 1)"},
      {"<cXML x:a=\"1\"/>", "the prefix \"x\" of the attribute \"x:a\" of <cXML> at line 1 is not declared"},
      {"<cXML>&#xD800;</cXML>",
       "the reference \"&#xD800;\" (line 1, column 7) is not one of &amp; &lt; &gt; &quot; &apos; or a character "
       "reference to an XML character; entities from a DTD are never read"},
      {"<cXML>a & b</cXML>",
       "the reference \"&\" (line 1, column 9) is not one of &amp; &lt; &gt; &quot; &apos; or a character reference "
       "to an XML character; entities from a DTD are never read"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.document);
    auto message = adapter->recognise(c.document);
    ASSERT_FALSE(message.ok());
    EXPECT_EQ(message.error().code, ErrorCode::xml);
    EXPECT_EQ(message.error().message, c.message);
  }
  // A processing instruction, comments and an ISO-8859-1 document are fine.
  auto latin1 = adapter->recognise(std::string("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!-- & -->\n"
                                               "<?pi x?><cXML version=\"1.2.050\">caf\xE9</cXML>"));
  ASSERT_TRUE(latin1.ok()) << latin1.error().describe();
  EXPECT_EQ((*latin1)->kind(), MessageKind::unknown);
}

TEST(CxmlRefusals, OrdersWithoutTheirPartsAndWrongResponses) {
  auto adapter = cxml_adapter();
  ASSERT_NE(adapter, nullptr);
  const auto error_of = [&](const std::string& order, const std::string& response = {}) {
    auto read = read_order(*adapter, order, response);
    EXPECT_FALSE(read.ok());
    return read.ok() ? std::string() : read.error().message;
  };
  EXPECT_EQ(error_of("<cXML><Request><OrderRequest/></Request></cXML>"),
            "the OrderRequest has no <OrderRequestHeader>; expected one");
  EXPECT_EQ(error_of("<cXML><Message><PunchOutOrderMessage/></Message></cXML>"),
            "the PunchOutOrderMessage has no <PunchOutOrderMessageHeader>; expected one");
  EXPECT_EQ(error_of("<cXML><Request><OrderRequest><OrderRequestHeader orderID=\"1\"/></OrderRequest></Request></cXML>"),
            "the OrderRequest has no <ItemOut>; expected at least one");
  EXPECT_EQ(error_of("<cXML><Message><PunchOutOrderMessage><PunchOutOrderMessageHeader/></PunchOutOrderMessage>"
                     "</Message></cXML>"),
            "the PunchOutOrderMessage has no <ItemIn>; expected at least one");
  const std::string order = fixture("order-request-kvk.xml");
  EXPECT_EQ(error_of(order, "<cXML><Response><Status code=\"OK\"/></Response></cXML>"),
            "the cXML Response has no <Status code> of three digits (found \"OK\"); expected e.g. 200");
  EXPECT_EQ(error_of(order, order), "the cXML answer holds no <Response>; expected one with a <Status>");
  EXPECT_EQ(error_of("<cXML><Request><OrderRequest><OrderRequestHeader orderID=\"1\"><Total><Money currency=\"eur\">1"
                     "</Money></Total></OrderRequestHeader><ItemOut/></OrderRequest></Request></cXML>"),
            "<Money> at line 1: currency \"eur\" is not an ISO 4217 code (three capital letters)");

  // A message from another adapter is a caller's mistake.
  auto ubl = AdapterRegistry::builtin().create("ubl", AdapterSettings{});
  ASSERT_TRUE(ubl.ok());
  auto foreign = (*ubl)->recognise("<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>");
  ASSERT_TRUE(foreign.ok());
  auto read = adapter->read_choice(**foreign, nullptr);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(read.error().message,
            "the order was not recognised by the cxml adapter; pass a message from its recognise()");
}

}  // namespace
}  // namespace socialdefault::cxml
