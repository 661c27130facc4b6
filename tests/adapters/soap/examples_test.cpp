// The example ERP files validate against the schema inside the WSDL, and the
// mapping files against schemas/mapping.xsd (with xmllint, when installed).
#include <gtest/gtest.h>

#include <cstdlib>

#include <pugixml.hpp>

#include "soap_test_support.hpp"

namespace socialdefault::soap::testing {
namespace {

bool have_xmllint() { return std::system("xmllint --version >/dev/null 2>&1") == 0; }

std::filesystem::path scratch_dir() {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("sd-soap-examples-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                     "-" + std::to_string(reinterpret_cast<std::uintptr_t>(&have_xmllint) & 0xffff));
  std::filesystem::create_directories(dir);
  return dir;
}

// Copies an element into its own document, declaring every namespace in
// scope on it, so the fragment stands alone.
void write_standalone(pugi::xml_node element, const std::filesystem::path& file) {
  pugi::xml_document doc;
  pugi::xml_node copy = doc.append_copy(element);
  for (pugi::xml_node n = element.parent(); n && n.type() == pugi::node_element; n = n.parent()) {
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
      if (is_namespace_declaration(a) && !copy.attribute(a.name())) copy.append_attribute(a.name()) = a.value();
    }
  }
  ASSERT_TRUE(doc.save_file(file.c_str(), "  ", pugi::format_default, pugi::encoding_utf8));
}

int xmllint_validate(const std::filesystem::path& schema, const std::filesystem::path& file) {
  const std::string command = "xmllint --noout --nonet --schema '" + schema.string() + "' '" + file.string() + "' 2>&1";
  return std::system(command.c_str());
}

TEST(SoapExamples, PayloadsValidateAgainstTheWsdlSchema) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint is not installed (Debian: libxml2-utils)";
  const std::filesystem::path dir = scratch_dir();
  pugi::xml_document wsdl;
  ASSERT_TRUE(wsdl.load_file((examples_dir() / "purchasing.wsdl").c_str()));
  const pugi::xml_node schema = wsdl.document_element().child("wsdl:types").child("xs:schema");
  ASSERT_TRUE(schema);
  write_standalone(schema, dir / "purchasing.xsd");

  const SoapAdapter adapter = example_adapter();
  for (const char* name : {"shortlist-request.xml", "shortlist-response.xml", "shortlist-response-soap12.xml",
                           "order-request.xml", "order-response.xml", "order-response-fault.xml"}) {
    SCOPED_TRACE(name);
    const std::string bytes = example(name);
    auto message = adapter.recognise(bytes);
    ASSERT_TRUE(message.ok()) << message.error().describe();
    const auto& soap = static_cast<const SoapMessage&>(**message);
    pugi::xml_node payload = soap.payload();
    if (soap.kind() == MessageKind::fault) {  // the detail entry is the contract's part
      payload = payload.child("detail").first_child();
      while (payload && payload.type() != pugi::node_element) payload = payload.next_sibling();
    }
    ASSERT_TRUE(payload);
    write_standalone(payload, dir / name);
    EXPECT_EQ(xmllint_validate(dir / "purchasing.xsd", dir / name), 0);
  }
  // The rewritten example too: an injected supplier without a price is valid.
  auto out = rewrite(adapter, example("shortlist-response.xml"), example_decision);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  auto rewritten = adapter.recognise(*out);
  ASSERT_TRUE(rewritten.ok());
  write_standalone(static_cast<const SoapMessage&>(**rewritten).payload(), dir / "rewritten.xml");
  EXPECT_EQ(xmllint_validate(dir / "purchasing.xsd", dir / "rewritten.xml"), 0);
  std::filesystem::remove_all(dir);
}

TEST(SoapExamples, MappingsValidateAgainstTheMappingSchema) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint is not installed (Debian: libxml2-utils)";
  const std::filesystem::path xsd = source_dir() / "schemas" / "mapping.xsd";
  EXPECT_EQ(xmllint_validate(xsd, examples_dir() / "mapping.xml"), 0);
  EXPECT_EQ(xmllint_validate(xsd, golden_dir() / "attributes.mapping.xml"), 0);
}

TEST(SoapExamples, TheWsdlHasBothBindings) {
  pugi::xml_document wsdl;
  ASSERT_TRUE(wsdl.load_file((examples_dir() / "purchasing.wsdl").c_str()));
  const pugi::xml_node definitions = wsdl.document_element();
  EXPECT_STREQ(definitions.attribute("targetNamespace").value(), "urn:example:erp:purchasing:1");
  std::vector<std::string> transports;
  for (pugi::xml_node binding : definitions.children("wsdl:binding")) {
    for (pugi::xml_node child : binding.children()) {
      const std::string_view local = split_name(child.name()).local;
      if (local == "binding") transports.push_back(std::string(*element_namespace(child)));
    }
  }
  EXPECT_EQ(transports, (std::vector<std::string>{"http://schemas.xmlsoap.org/wsdl/soap/",
                                                  "http://schemas.xmlsoap.org/wsdl/soap12/"}));
}

}  // namespace
}  // namespace socialdefault::soap::testing
