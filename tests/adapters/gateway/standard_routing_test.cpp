// UBL and cXML documents through the gateway's request core: recognised by
// content type and root element, handed to their own adapter whatever the
// route's, recorded through a real engine, and refused when hostile.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "backend.hpp"
#include "gateway_fakes.hpp"
#include "request_handler.hpp"
#include "standard_documents.hpp"
#include "standard_test_backend.hpp"
#include "test_files.hpp"

namespace socialdefault::gateway::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = fs::path(SD_SOURCE_DIR);

using socialdefault::testing::read_file;

TEST(StandardDocuments, DetectedByContentTypeAndRootElement) {
  const std::string cxml = "<?xml version=\"1.0\"?>\n<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/cXML.dtd\" [ <!-- > --> ]>\n"
                           "<!-- <Order> -->\n<cXML payloadID=\"1\"><Request/></cXML>";
  EXPECT_EQ(detect_standard_document("text/xml; charset=utf-8", cxml), StandardDocument::cxml);
  EXPECT_EQ(detect_standard_document("", cxml), StandardDocument::cxml);
  EXPECT_EQ(detect_standard_document("application/soap+xml", cxml), StandardDocument::none);
  EXPECT_EQ(detect_standard_document("application/json", cxml), StandardDocument::none);
  EXPECT_EQ(detect_standard_document("application/xml",
                                     "<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>"),
            StandardDocument::ubl);
  EXPECT_EQ(detect_standard_document("application/xml",
                                     "\xEF\xBB\xBF<r:OrderResponse xmlns:a=\"x\"\n  xmlns:r='urn:oasis:names:specification:"
                                     "ubl:schema:xsd:OrderResponse-2'>"),
            StandardDocument::ubl);
  EXPECT_EQ(detect_standard_document("text/xml", "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                                                 "<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>"),
            StandardDocument::none);
  EXPECT_EQ(detect_standard_document("text/xml", "<cXML xmlns=\"urn:other\"/>"), StandardDocument::none);
  EXPECT_EQ(detect_standard_document("text/xml", "not xml"), StandardDocument::none);
  EXPECT_STREQ(to_string(StandardDocument::cxml), "cxml");
}

class StandardRouting : public StandardRouteTest {
 protected:
  std::int64_t orders_in_export() { return totals().first; }
};

TEST_F(StandardRouting, ACxmlOrderOnASoapRouteIsRecordedByTheCxmlAdapter) {
  const std::string order = read_file(kSource / "tests/adapters/cxml/fixtures/order-request-kvk.xml");
  upstream_.answer = read_file(kSource / "tests/adapters/cxml/fixtures/response-200.xml");
  upstream_.content_type = "text/xml";
  const Response response = post(order);
  EXPECT_EQ(response.result_int(), 200);
  ASSERT_EQ(upstream_.bodies.size(), 1U);
  EXPECT_EQ(upstream_.bodies[0], order);  // forwarded byte for byte, DOCTYPE and all
  EXPECT_EQ(response.body(), upstream_.answer);
  EXPECT_EQ(orders_in_export(), 1);
  EXPECT_NE(log_text_.str().find("\"outcome\":\"recorded\""), std::string::npos) << log_text_.str();
  EXPECT_EQ(log_text_.str().find("Geheim-Voorbeeld-7731"), std::string::npos);
}

TEST_F(StandardRouting, ACxmlDocumentDeclaringEntitiesIsRefusedAndNotForwarded) {
  const Response response = post(read_file(kSource / "tests/adapters/cxml/fixtures/hostile-internal-entity.xml"));
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_NE(response.body().find("the DOCTYPE's internal subset declares an entity"), std::string::npos)
      << response.body();
  EXPECT_TRUE(upstream_.bodies.empty());
  EXPECT_EQ(orders_in_export(), 0);
}

TEST_F(StandardRouting, AUblOrderIsRecordedAndALaterRejectionTakesItOut) {
  const Response response = post(read_file(kSource / "tests/adapters/ubl/fixtures/order-kvk-endpoint.xml"),
                                 "application/xml");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "OK");
  EXPECT_EQ(orders_in_export(), 1);
  const Response status = post(read_file(kSource / "tests/adapters/ubl/fixtures/response-rejected.xml"), "application/xml");
  EXPECT_EQ(status.result_int(), 200);
  EXPECT_EQ(upstream_.bodies.size(), 2U);
  EXPECT_NE(log_text_.str().find("\"outcome\":\"status-recorded\""), std::string::npos) << log_text_.str();
  EXPECT_EQ(orders_in_export(), 0);
}

TEST_F(StandardRouting, AUblDocumentWithADoctypeIsRefusedAndNotForwarded) {
  const Response response = post(read_file(kSource / "tests/adapters/ubl/fixtures/hostile-external-entity.xml"),
                                 "application/xml");
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(response.body(),
            "socialdefault gateway: a DOCTYPE is not allowed in a UBL document; the document was not forwarded\n");
  EXPECT_TRUE(upstream_.bodies.empty());
}

TEST_F(StandardRouting, SoapStillGoesToTheRoutesAdapter) {
  const Response response = post(read_file(kSource / "tests/adapters/cxml/fixtures/not-cxml.xml"), "application/soap+xml");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(orders_in_export(), 0);
  EXPECT_EQ(upstream_.bodies.size(), 1U);
}

TEST_F(StandardRouting, ACxmlRejectionAndAUblCancellationTakeRecordedOrdersOut) {
  upstream_.answer = read_file(kSource / "tests/adapters/cxml/fixtures/response-200.xml");
  upstream_.content_type = "text/xml";
  ASSERT_EQ(post(read_file(kSource / "tests/adapters/cxml/fixtures/order-request-kvk.xml")).result_int(), 200);
  upstream_.answer = "OK";
  ASSERT_EQ(post(read_file(kSource / "tests/adapters/ubl/fixtures/order-kvk-endpoint.xml"), "application/xml")
                .result_int(),
            200);
  EXPECT_EQ(orders_in_export(), 2);

  const std::string confirmation = read_file(kSource / "tests/adapters/cxml/fixtures/confirmation-reject.xml");
  EXPECT_EQ(post(confirmation).result_int(), 200);
  EXPECT_EQ(upstream_.bodies.back(), confirmation);
  EXPECT_EQ(orders_in_export(), 1);
  EXPECT_EQ(post(read_file(kSource / "tests/adapters/ubl/fixtures/cancellation.xml"), "application/xml").result_int(),
            200);
  EXPECT_EQ(orders_in_export(), 0);
  const std::string log = log_text_.str();
  std::size_t recorded = 0;
  for (std::size_t at = log.find("\"outcome\":\"status-recorded\""); at != std::string::npos;
       at = log.find("\"outcome\":\"status-recorded\"", at + 1)) {
    ++recorded;
  }
  EXPECT_EQ(recorded, 2U) << log;
  EXPECT_EQ(log.find("Geheim-Leverancier-5520"), std::string::npos);
}

TEST_F(StandardRouting, AStatusThatSettlesNothingFailsOpenAndIsForwarded) {
  const std::string update = read_file(kSource / "tests/adapters/cxml/fixtures/status-update-500.xml");
  const Response response = post(update);
  EXPECT_EQ(response.result_int(), 200);
  ASSERT_EQ(upstream_.bodies.size(), 1U);
  EXPECT_EQ(upstream_.bodies[0], update);
  EXPECT_NE(log_text_.str().find("\"stage\":\"status\""), std::string::npos) << log_text_.str();
  EXPECT_NE(metrics_.render().find("socialdefault_fail_open_total{stage=\"record\"} 1"), std::string::npos);
}

TEST_F(StandardRouting, APunchOutFormIsRecordedAndForwardedAsItCame) {
  const std::string cart = read_file(kSource / "tests/adapters/cxml/fixtures/punchout-order-message.xml");
  std::string encoded;
  for (unsigned char c : cart) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
      encoded.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      encoded.push_back('+');
    } else {
      static const char* hex = "0123456789ABCDEF";
      encoded += {'%', hex[c >> 4], hex[c & 15]};
    }
  }
  const std::string form = "return=ok&cxml-urlencoded=" + encoded;
  upstream_.answer = "<html><body>Winkelwagen ontvangen</body></html>";
  upstream_.content_type = "text/html";
  const Response response = post(form, "application/x-www-form-urlencoded");
  EXPECT_EQ(response.result_int(), 200);
  ASSERT_EQ(upstream_.bodies.size(), 1U);
  EXPECT_EQ(upstream_.bodies[0], form);
  EXPECT_EQ(response.body(), upstream_.answer);
  EXPECT_EQ(orders_in_export(), 1);
  EXPECT_NE(log_text_.str().find("\"outcome\":\"recorded\""), std::string::npos) << log_text_.str();

  const std::string broken = "cxml-urlencoded=%3CcXML%ZZ";
  const Response passed = post(broken, "application/x-www-form-urlencoded");
  EXPECT_EQ(passed.result_int(), 200);
  ASSERT_EQ(upstream_.bodies.size(), 2U);
  EXPECT_EQ(upstream_.bodies[1], broken);
  EXPECT_NE(log_text_.str().find("\"stage\":\"form\""), std::string::npos) << log_text_.str();
  EXPECT_NE(log_text_.str().find("malformed percent escape"), std::string::npos) << log_text_.str();
  EXPECT_NE(metrics_.render().find("socialdefault_fail_open_total{stage=\"form\"} 1"), std::string::npos)
      << metrics_.render();
  EXPECT_EQ(orders_in_export(), 1);

  // A form that is not a cart passes without a word.
  EXPECT_EQ(post("name=Jansen&afdeling=Burgerzaken", "application/x-www-form-urlencoded").result_int(), 200);
  EXPECT_NE(metrics_.render().find("socialdefault_fail_open_total{stage=\"form\"} 1"), std::string::npos);
  EXPECT_NE(log_text_.str().rfind("\"outcome\":\"passed\""), std::string::npos);
}

}  // namespace
}  // namespace socialdefault::gateway::testing
