// The cXML mapping file: what it sets, the defaults, and every error message.
#include <gtest/gtest.h>

#include <cstdlib>

#include "cxml_mapping.hpp"
#include "cxml_test_support.hpp"

namespace socialdefault::cxml {
namespace {

using namespace socialdefault::cxml::testing;

std::string mapping(const std::string& body) {
  return "<?xml version=\"1.0\"?>\n<cxml-mapping xmlns=\"urn:socialdefault:cxml-mapping:1\">\n" + body +
         "</cxml-mapping>\n";
}

Error error_of(const std::string& xml) {
  auto parsed = parse_mapping(xml, "m.xml");
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? Error{} : parsed.error();
}

TEST(CxmlMapping, TheExampleFileAddsToTheDefaults) {
  auto m = load_mapping(kFixtures / "mapping.xml");
  ASSERT_TRUE(m.ok()) << m.error().describe();
  EXPECT_EQ(m->scheme_for("voorbeeldstaderp"), "erp");
  EXPECT_EQ(m->scheme_for("DUNS"), "duns");
  EXPECT_EQ(m->scheme_for("networkid"), "cxml-networkid");
  EXPECT_EQ(m->scheme_for("AribaNetworkUserId"), "aribanetworkuserid");
  ASSERT_EQ(m->requester.size(), 2U);
  EXPECT_EQ(m->requester[0].kind, Source::Kind::ship_to);
  EXPECT_EQ(m->requester[0].field, "email");
  ASSERT_EQ(m->department.size(), 1U);
  EXPECT_EQ(m->department[0].name, "CostCenter");
}

TEST(CxmlMapping, AFileMayOverrideABuiltInDomain) {
  auto m = parse_mapping(mapping("  <domain name=\"duns\" scheme=\"erp\"/>\n"), "m.xml");
  ASSERT_TRUE(m.ok()) << m.error().describe();
  EXPECT_EQ(m->scheme_for("DUNS"), "erp");
  EXPECT_EQ(m->department.size(), Mapping::defaults().department.size());
}

TEST(CxmlMapping, ErrorsNameTheFileLineAndWhatIsExpected) {
  Error e = error_of("<cxml-mapping>");
  EXPECT_EQ(e.code, ErrorCode::config);
  EXPECT_EQ(e.where, "m.xml:1");
  EXPECT_EQ(e.message.rfind("not well-formed XML: ", 0), 0U);

  e = error_of("<?xml version=\"1.0\"?>\n<mapping xmlns=\"urn:socialdefault:cxml-mapping:1\"/>\n");
  EXPECT_EQ(e.where, "m.xml:2");
  EXPECT_EQ(e.message, "the root element is <mapping>; expected <cxml-mapping> in namespace \"urn:socialdefault:cxml-mapping:1\"");

  e = error_of(mapping("  <domain scheme=\"erp\"/>\n"));
  EXPECT_EQ(e.where, "m.xml:3");
  EXPECT_EQ(e.message, "<domain> has no name attribute; expected one");

  e = error_of(mapping("  <domain name=\"X\" scheme=\"erp\"/>\n  <domain name=\"x\" scheme=\"kvk\"/>\n"));
  EXPECT_EQ(e.where, "m.xml:4");
  EXPECT_EQ(e.message, "domain \"x\" is given twice; expected each domain once");

  e = error_of(mapping("  <requester/>\n"));
  EXPECT_EQ(e.message, "<requester> is empty; expected at least one of contact, ship-to, extrinsic");

  e = error_of(mapping("  <requester><contact field=\"phone\"/></requester>\n"));
  EXPECT_EQ(e.message, "<contact field=\"phone\">; expected field=\"email\" or field=\"name\"");

  e = error_of(mapping("  <department><ship-to field=\"city\"/></department>\n"));
  EXPECT_EQ(e.message, "<ship-to field=\"city\">; expected field=\"name\", \"deliver-to\", \"address-id\" or \"email\"");

  e = error_of(mapping("  <department><extrinsic/></department>\n"));
  EXPECT_EQ(e.message, "<extrinsic> has no name attribute; expected one");

  e = error_of(mapping("  <department><credential/></department>\n"));
  EXPECT_EQ(e.message, "unknown element <credential> in <department>; expected one of contact, ship-to, extrinsic");

  e = error_of(mapping("  <supplier/>\n"));
  EXPECT_EQ(e.message, "unknown element <supplier> in <cxml-mapping>; expected one of domain, requester, department");

  e = error_of(mapping("  <x:domain xmlns:x=\"urn:other\" name=\"a\" scheme=\"b\"/>\n"));
  EXPECT_EQ(e.message, "element <x:domain> is not in namespace \"urn:socialdefault:cxml-mapping:1\"");

  auto missing = load_mapping(kFixtures / "no-such-mapping.xml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::io);
  EXPECT_EQ(missing.error().message, "cannot read the cXML mapping " + (kFixtures / "no-such-mapping.xml").string());
}

TEST(CxmlMapping, TheExampleFileValidatesAgainstTheSchema) {
  if (std::system("xmllint --version > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "xmllint is not installed (apt-get install -y libxml2-utils)";
  }
  const std::string command = "xmllint --noout --schema '" +
                              (std::filesystem::path(SD_SOURCE_DIR) / "schemas/cxml-mapping.xsd").string() + "' '" +
                              (kFixtures / "mapping.xml").string() + "' 2>/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  // And the schema refuses what the loader refuses.
  const std::string bad = "xmllint --noout --schema '" +
                          (std::filesystem::path(SD_SOURCE_DIR) / "schemas/cxml-mapping.xsd").string() + "' '" +
                          (kFixtures / "config.xml").string() + "' > /dev/null 2>&1";
  EXPECT_NE(std::system(bad.c_str()), 0);
}

TEST(CxmlMapping, TheAdapterRefusesABadMappingFile) {
  auto adapter = AdapterRegistry::builtin().create("cxml", AdapterSettings{kFixtures / "no-such-mapping.xml", {}});
  ASSERT_FALSE(adapter.ok());
  EXPECT_EQ(adapter.error().code, ErrorCode::io);
}

}  // namespace
}  // namespace socialdefault::cxml
