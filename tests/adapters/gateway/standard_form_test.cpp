// The PunchOut form decoder: a cXML cart in the field cxml-urlencoded or
// cxml-base64 of an application/x-www-form-urlencoded body, and each way
// such a form can be broken.
#include <gtest/gtest.h>

#include <string>

#include "standard_documents.hpp"
#include "../../form_encoding.hpp"

namespace socialdefault::gateway::testing {
namespace {

using socialdefault::testing::base64;
using socialdefault::testing::form_encode;

const std::string kCart = "<?xml version=\"1.0\"?><cXML payloadID=\"1@x\"><Message><PunchOutOrderMessage/></Message></cXML>";

TEST(PunchOutForm, UrlEncodedFieldDecodes) {
  auto decoded = decode_punchout_form("cxml-urlencoded=" + form_encode(kCart), 1 << 20);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(*decoded, kCart);
  // '+' is a space; lower-case hex digits are hex digits.
  auto spaces = decode_punchout_form("cxml-urlencoded=%3ca+b%3E", 100);
  ASSERT_TRUE(spaces.ok());
  EXPECT_EQ(*spaces, "<a b>");
}

TEST(PunchOutForm, TheFieldNeedNotBeFirst) {
  auto decoded = decode_punchout_form("return_url=https%3A%2F%2Fshop&x=&cxml-urlencoded=" + form_encode(kCart) +
                                          "&submit=Bestellen",
                                      1 << 20);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(*decoded, kCart);
  // A malformed escape in a field that is not ours does not matter.
  auto other = decode_punchout_form("note=100%&cxml-urlencoded=%3Cx%2F%3E", 100);
  ASSERT_TRUE(other.ok()) << other.error().describe();
  EXPECT_EQ(*other, "<x/>");
  // A percent-encoded field name is still the field.
  auto named = decode_punchout_form("cxml%2Durlencoded=%3Cy%2F%3E", 100);
  ASSERT_TRUE(named.ok()) << named.error().describe();
  EXPECT_EQ(*named, "<y/>");
}

TEST(PunchOutForm, Base64FieldDecodes) {
  for (std::string cart : {kCart, kCart + "a", kCart + "ab"}) {  // each padding
    auto decoded = decode_punchout_form("a=1&cxml-base64=" + form_encode(base64(cart)), 1 << 20);
    ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
    EXPECT_EQ(*decoded, cart);
  }
  // A '+' the sender did not percent-encode arrives as a space and still
  // counts as '+'; line breaks are ignored.
  const std::string plus = "\xfb\xef";  // base64 "++8="
  auto raw = decode_punchout_form("cxml-base64=++8=", 100);
  ASSERT_TRUE(raw.ok()) << raw.error().describe();
  EXPECT_EQ(*raw, plus);
  auto wrapped = decode_punchout_form("cxml-base64=PGE%0D%0AvPg%3D%3D", 100);
  ASSERT_TRUE(wrapped.ok()) << wrapped.error().describe();
  EXPECT_EQ(*wrapped, "<a/>");
}

TEST(PunchOutForm, MalformedPercentEscapes) {
  for (const auto& [form, escape, byte] : {std::tuple<std::string, std::string, int>{"cxml-urlencoded=%3Ca%ZZ", "%ZZ", 20},
                                           {"cxml-urlencoded=%3Ca%4", "%4", 20},
                                           {"cxml-urlencoded=%", "%", 16},
                                           {"x=1&cxml-urlencoded=%G1", "%G1", 20}}) {
    auto decoded = decode_punchout_form(form, 100);
    ASSERT_FALSE(decoded.ok()) << form;
    EXPECT_EQ(decoded.error().code, ErrorCode::xml);
    EXPECT_EQ(decoded.error().message, "the form field cxml-urlencoded has a malformed percent escape \"" + escape +
                                           "\" at byte " + std::to_string(byte) +
                                           " of the form; expected % and two hexadecimal digits");
    EXPECT_EQ(decoded.error().where, "byte " + std::to_string(byte));
  }
}

TEST(PunchOutForm, MalformedBase64) {
  auto bad = decode_punchout_form("cxml-base64=PGE*Pg%3D%3D", 100);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "the form field cxml-base64 is not base64: the character \"*\" at character 3 of its value; expected A-Z, "
            "a-z, 0-9, +, / and '=' padding");
  auto after = decode_punchout_form("cxml-base64=PGE%3DvPg", 100);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().message,
            "the form field cxml-base64 is not base64: a character after '=' at character 4 of its value; expected "
            "A-Z, a-z, 0-9, +, / and '=' padding");
  auto length = decode_punchout_form("cxml-base64=PGEvP", 100);
  ASSERT_FALSE(length.ok());
  EXPECT_EQ(length.error().message,
            "the form field cxml-base64 is not base64: its length does not fit 4-character groups; expected the whole "
            "document encoded");
}

TEST(PunchOutForm, Oversize) {
  const std::string big(200, 'x');
  auto url = decode_punchout_form("cxml-urlencoded=" + big, 100);
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.error().message,
            "the form field cxml-urlencoded holds more than 100 bytes; expected a cXML document within the body limit");
  auto b64 = decode_punchout_form("cxml-base64=" + base64(big), 100);
  ASSERT_FALSE(b64.ok());
  EXPECT_EQ(b64.error().message,
            "the form field cxml-base64 holds more than 100 bytes; expected a cXML document within the body limit");
  // Exactly at the limit is fine.
  auto exact = decode_punchout_form("cxml-urlencoded=" + std::string(100, 'y'), 100);
  ASSERT_TRUE(exact.ok());
  auto exact64 = decode_punchout_form("cxml-base64=" + base64(std::string(99, 'z')), 99);
  ASSERT_TRUE(exact64.ok()) << exact64.error().describe();
}

TEST(PunchOutForm, MissingOrEmptyField) {
  for (const char* form : {"", "cxml=abc", "a=1&b=2", "cxml-urlencodedX=%3C"}) {
    auto missing = decode_punchout_form(form, 100);
    ASSERT_FALSE(missing.ok()) << form;
    EXPECT_EQ(missing.error().code, ErrorCode::not_found);
    EXPECT_EQ(missing.error().message,
              "the form has no field cxml-urlencoded or cxml-base64; expected a PunchOut cart in one of them");
  }
  for (const char* form : {"cxml-urlencoded=", "cxml-urlencoded&a=1"}) {
    auto empty = decode_punchout_form(form, 100);
    ASSERT_FALSE(empty.ok()) << form;
    EXPECT_EQ(empty.error().message, "the form field cxml-urlencoded is empty; expected a cXML document");
  }
}

TEST(PunchOutForm, TheFirstCartFieldWins) {
  auto decoded = decode_punchout_form("cxml-base64=PGEvPg%3D%3D&cxml-urlencoded=%3Cb%2F%3E", 100);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "<a/>");
}

TEST(PunchOutForm, ReadStandardBodyByContentType) {
  const std::string form = "cxml-urlencoded=" + form_encode(kCart);
  const StandardBody cart = read_standard_body("application/x-www-form-urlencoded; charset=UTF-8", form, 1 << 20);
  EXPECT_EQ(cart.document, StandardDocument::cxml);
  EXPECT_TRUE(cart.from_form);
  EXPECT_FALSE(cart.form_error.has_value());
  EXPECT_EQ(cart.xml(form), kCart);

  // The same bytes under another content type are not a form.
  const StandardBody text = read_standard_body("text/plain", form, 1 << 20);
  EXPECT_EQ(text.document, StandardDocument::none);
  EXPECT_FALSE(text.from_form);
  EXPECT_EQ(text.xml(form), form);

  // XML bodies are detected as before.
  const StandardBody xml = read_standard_body("text/xml", kCart, 1 << 20);
  EXPECT_EQ(xml.document, StandardDocument::cxml);
  EXPECT_FALSE(xml.from_form);
  EXPECT_EQ(xml.xml(kCart), kCart);

  const StandardBody other = read_standard_body("application/x-www-form-urlencoded", "a=1", 1 << 20);
  EXPECT_EQ(other.document, StandardDocument::none);
  EXPECT_FALSE(other.form_error.has_value());

  const StandardBody broken = read_standard_body("application/x-www-form-urlencoded", "cxml-urlencoded=%Z", 1 << 20);
  EXPECT_EQ(broken.document, StandardDocument::none);
  ASSERT_TRUE(broken.form_error.has_value());
  EXPECT_EQ(broken.form_error->code, ErrorCode::xml);

  const std::string ubl = "cxml-urlencoded=" + form_encode("<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>");
  const StandardBody not_cxml = read_standard_body("application/x-www-form-urlencoded", ubl, 1 << 20);
  EXPECT_EQ(not_cxml.document, StandardDocument::none);
  ASSERT_TRUE(not_cxml.form_error.has_value());
  EXPECT_EQ(not_cxml.form_error->message,
            "the PunchOut form's cxml field does not hold a <cXML> document; expected a PunchOutOrderMessage");
  EXPECT_TRUE(form_content_type("Application/X-WWW-Form-Urlencoded"));
  EXPECT_FALSE(form_content_type("multipart/form-data; boundary=x"));
}

}  // namespace
}  // namespace socialdefault::gateway::testing
