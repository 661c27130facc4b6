#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "plugin/tzif_fixture.hpp"
#include "socialdefault/policy.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

const fs::path kSource = SD_SOURCE_DIR;
const fs::path kFixtures = kSource / "tests/plugin/data/config";

// Every test reads zones from a tz database it writes itself, so results do
// not depend on the tzdata of the machine.
class ZoneEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    dir_ = std::make_unique<testing::ScratchDir>("sd_policy_test_tz");
    dir_->write("Europe/Amsterdam", testing::tzif_v2("CET-1CEST,M3.5.0,M10.5.0/3"));
    dir_->write("UTC", testing::tzif_v2("UTC0"));
    guard_ = std::make_unique<testing::TzdirGuard>(dir_->path());
  }
  void TearDown() override {
    guard_.reset();
    dir_.reset();
  }
  static fs::path zone_dir() { return fs::temp_directory_path() / ("sd_policy_test_tz_" + std::to_string(::getpid())); }

 private:
  std::unique_ptr<testing::ScratchDir> dir_;
  std::unique_ptr<testing::TzdirGuard> guard_;
};
const auto* const kZoneEnvironment = ::testing::AddGlobalTestEnvironment(new ZoneEnvironment);

// The smallest valid configuration. Tests change one piece of it and expect
// the problem on a known line; the line numbers are in the comments.
const std::string kValid =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                   // 1
    "<configuration xmlns=\"urn:socialdefault:config:1\">\n"                                       // 2
    "  <organisation name=\"Gemeente Test\" time-zone=\"Europe/Amsterdam\" reporting-currency=\"EUR\" "
    "key-file=\"pseudonym.key\"/>\n"                                                                // 3
    "  <suppliers>\n"                                                                               // 4
    "    <supplier id=\"S-1\" social=\"true\">\n"                                                   // 5
    "      <name>Sociaal Bedrijf</name>\n"                                                          // 6
    "      <identifier scheme=\"kvk\">70000001</identifier>\n"                                      // 7
    "      <evidence kind=\"pso-3\" valid-from=\"2026-01-01\" valid-until=\"2027-12-31\"/>\n"       // 8
    "    </supplier>\n"                                                                             // 9
    "    <supplier id=\"R-1\">\n"                                                                   // 10
    "      <name>Regulier Bedrijf</name>\n"                                                         // 11
    "    </supplier>\n"                                                                             // 12
    "  </suppliers>\n"                                                                              // 13
    "  <categories>\n"                                                                              // 14
    "    <category code=\"03121200-7\">\n"                                                          // 15
    "      <name>Bloemen</name>\n"                                                                  // 16
    "      <social-supplier ref=\"S-1\"/>\n"                                                        // 17
    "    </category>\n"                                                                             // 18
    "  </categories>\n"                                                                             // 19
    "</configuration>\n";                                                                           // 20

// kValid with `from` (which must occur exactly once) replaced by `to`.
std::string with(const std::string& from, const std::string& to, std::string base = kValid) {
  const auto at = base.find(from);
  EXPECT_NE(at, std::string::npos) << "not in the configuration: " << from;
  if (at == std::string::npos) return base;
  EXPECT_EQ(base.find(from, at + 1), std::string::npos) << "more than once in the configuration: " << from;
  return base.replace(at, from.size(), to);
}

Result<std::shared_ptr<const Policy>> parse(const std::string& xml) { return parse_policy(xml, "config.xml", kFixtures); }

// Every problem, one per line, as check-config prints them.
std::vector<std::string> problems(const std::string& xml) {
  auto policy = parse(xml);
  if (policy.ok()) return {"(loaded)"};
  EXPECT_EQ(policy.error().code, ErrorCode::config);
  std::vector<std::string> lines;
  std::istringstream in(policy.error().describe());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string only_problem(const std::string& xml) {
  const auto all = problems(xml);
  EXPECT_EQ(all.size(), 1u) << ::testing::PrintToString(all);
  return all.empty() ? std::string() : all.front();
}

const Policy& loaded(const Result<std::shared_ptr<const Policy>>& r) {
  static const Policy empty;
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r.ok() ? **r : empty;
}

// ---- what loads ----

TEST(PolicyLoader, TheBaseConfigurationLoads) {
  auto r = parse(kValid);
  const Policy& p = loaded(r);
  EXPECT_EQ(p.organisation.name, "Gemeente Test");
  ASSERT_EQ(p.suppliers.size(), 2u);
  EXPECT_EQ(p.suppliers[1].line, 10);
  EXPECT_FALSE(p.suppliers[1].social);
  ASSERT_EQ(p.categories.size(), 1u);
  const Category& c = p.categories[0];
  EXPECT_EQ(c.code_system, "CPV");
  EXPECT_EQ(c.strategy, Strategy::fixed);
  EXPECT_EQ(c.price_tolerance_basis_points, 0u);
  EXPECT_EQ(c.social_shown, 3u);
  EXPECT_EQ(c.line, 15);
  EXPECT_EQ(p.source, fs::path("config.xml"));
}

TEST(PolicyLoader, LoadsEveryFieldOfAFile) {
  auto r = load_policy(kFixtures / "valid.xml");
  const Policy& p = loaded(r);
  EXPECT_EQ(p.organisation.name, "Gemeente Proefdorp");
  EXPECT_EQ(p.organisation.time_zone, "Europe/Amsterdam");
  EXPECT_EQ(p.organisation.reporting_currency, "EUR");
  EXPECT_EQ(p.organisation.key_file, kFixtures / "pseudonym.key");
  EXPECT_EQ(p.zone.name(), "Europe/Amsterdam");
  EXPECT_EQ(p.zone.offset_at(parse_utc_timestamp("2026-07-01T00:00:00Z").value()), 7200);
  EXPECT_EQ(p.source, kFixtures / "valid.xml");
  // sha256sum tests/plugin/data/config/valid.xml
  EXPECT_EQ(p.source_sha256, "4601af4b03d02ac982f3be982e925e9fa310502039218ffd2f77bc97d3ff9708");

  ASSERT_EQ(p.suppliers.size(), 3u);
  const Supplier& s1 = p.suppliers[0];
  EXPECT_EQ(s1.id, "S-1");
  EXPECT_EQ(s1.name, "Werkplaats Proefdorp");  // white space collapsed
  EXPECT_TRUE(s1.social);
  EXPECT_EQ(s1.line, 7);
  ASSERT_EQ(s1.identifiers.size(), 2u);
  EXPECT_EQ(s1.identifiers[1].scheme, "peppol");
  EXPECT_EQ(s1.identifiers[1].value, "0106:70000099");
  ASSERT_EQ(s1.evidence.size(), 2u);
  EXPECT_EQ(s1.evidence[0].kind, EvidenceKind::pso_2);
  EXPECT_EQ(s1.evidence[0].reference, "PSO-0001");
  EXPECT_EQ(s1.evidence[1].kind, EvidenceKind::pso_3);
  EXPECT_EQ(s1.evidence[1].valid_from, parse_date("2026-01-01").value());
  EXPECT_EQ(s1.evidence[1].valid_until, parse_date("2027-12-31").value());
  EXPECT_EQ(s1.impact.statement, "Werkt met 6 mensen met een afstand tot de arbeidsmarkt");
  ASSERT_EQ(s1.impact.figures.size(), 2u);
  EXPECT_EQ(s1.impact.figures[0].measure, "jobs-distance-labour-market");
  EXPECT_EQ(s1.impact.figures[0].value, 6);
  EXPECT_EQ(s1.impact.figures[0].unit, "persons");
  EXPECT_EQ(s1.impact.figures[1].unit, "");
  EXPECT_EQ(p.suppliers[1].name, "Groen & Co");
  EXPECT_TRUE(p.suppliers[1].social);
  EXPECT_EQ(p.suppliers[1].evidence[0].kind, EvidenceKind::other);
  EXPECT_FALSE(p.suppliers[2].social);
  EXPECT_EQ(p.find_supplier_by_identifier("kvk", "70000099"), &s1);

  ASSERT_EQ(p.categories.size(), 3u);
  EXPECT_EQ(p.categories[0].strategy, Strategy::rotate);
  EXPECT_EQ(p.categories[0].price_tolerance_basis_points, 750u);
  EXPECT_THAT(p.categories[0].social_suppliers, ElementsAre("S-1", "S-2"));
  EXPECT_EQ(p.categories[1].price_tolerance_basis_points, 25u);
  EXPECT_EQ(p.categories[1].social_shown, 1u);
  EXPECT_THAT(p.categories[1].departments, ElementsAre("Burgerzaken", "Publiekszaken"));
  EXPECT_EQ(p.categories[2].code_system, "ERP");
  EXPECT_EQ(p.categories[2].code, "XMAS");
  EXPECT_EQ(p.find_category("CPV", "03121200-7", "Publiekszaken"), &p.categories[1]);
  EXPECT_EQ(p.find_category("CPV", "03121200-7", "Sport"), &p.categories[0]);
}

TEST(PolicyLoader, ThePercentageBecomesBasisPoints) {
  const auto tolerance = [](const char* value) {
    auto r = parse(with("<category code=\"03121200-7\">",
                        std::string("<category code=\"03121200-7\" price-tolerance=\"") + value + "\">"));
    return r.ok() ? (*r)->categories[0].price_tolerance_basis_points : 999'999u;
  };
  EXPECT_EQ(tolerance("15"), 1500u);
  EXPECT_EQ(tolerance("10.5"), 1050u);
  EXPECT_EQ(tolerance("0.25"), 25u);
  EXPECT_EQ(tolerance("0"), 0u);
  EXPECT_EQ(tolerance("1000"), 100000u);
}

TEST(PolicyLoader, NamespacesAreMatchedByUriNotPrefix) {
  std::string xml = kValid;
  for (const char* tag_text : {"configuration", "organisation", "suppliers", "supplier", "name", "identifier",
                                "evidence", "categories", "category", "social-supplier"}) {
    const std::string tag = tag_text;
    for (const std::string& open : {"<" + tag + " ", "<" + tag + ">", "</" + tag + ">"}) {
      std::string::size_type at = 0;
      while ((at = xml.find(open, at)) != std::string::npos) {
        xml.insert(at + (open[1] == '/' ? 2 : 1), "cfg:");
        at += open.size() + 4;
      }
    }
  }
  xml = with("xmlns=\"urn:socialdefault:config:1\"", "xmlns:cfg=\"urn:socialdefault:config:1\"", xml);
  auto r = parse(xml);
  const Policy& p = loaded(r);
  EXPECT_EQ(p.suppliers.size(), 2u);
  EXPECT_EQ(p.categories.size(), 1u);
}

TEST(PolicyLoader, AcceptsSchemaLocationCommentsAndByteOrderMark) {
  std::string xml = with("<configuration xmlns=\"urn:socialdefault:config:1\">",
                         "<configuration xmlns=\"urn:socialdefault:config:1\" "
                         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                         "xsi:schemaLocation=\"urn:socialdefault:config:1 config.xsd\" xml:lang=\"nl\">");
  xml = with("<suppliers>", "<suppliers><!-- <supplier id=\"X\"/> --><?editor keep?>", xml);
  EXPECT_TRUE(parse(xml).ok());
  EXPECT_TRUE(parse("\xEF\xBB\xBF" + xml).ok());
}

TEST(PolicyLoader, CategoriesOutsideCpvNeedNoCpvCode) {
  auto r = parse(with("<category code=\"03121200-7\">", "<category code-system=\"ERP\" code=\"XMAS\">"));
  EXPECT_EQ(loaded(r).categories.at(0).code, "XMAS");
}

TEST(PolicyLoader, TheExampleConfigurationLoads) {
  auto r = load_policy(kSource / "examples/config.xml");
  const Policy& p = loaded(r);
  EXPECT_EQ(p.organisation.name, "Gemeente Voorbeeldstad");
  EXPECT_EQ(p.zone.name(), "Europe/Amsterdam");
  EXPECT_EQ(p.organisation.reporting_currency, "EUR");
  EXPECT_TRUE(fs::is_regular_file(p.organisation.key_file));
  EXPECT_EQ(p.suppliers.size(), 26u);
  ASSERT_EQ(p.categories.size(), 6u);

  const auto expect_category = [&](const char* system, const char* code, const char* department, Strategy strategy,
                                   std::uint32_t basis_points, unsigned shown, std::vector<std::string> social) {
    SCOPED_TRACE(std::string(code) + " " + department);
    const Category* c = p.find_category(system, code, department);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->strategy, strategy);
    EXPECT_EQ(c->price_tolerance_basis_points, basis_points);
    EXPECT_EQ(c->social_shown, shown);
    EXPECT_EQ(c->social_suppliers, social);
    for (const std::string& id : social) {
      const Supplier* s = p.find_supplier(id);
      ASSERT_NE(s, nullptr) << id;
      EXPECT_TRUE(s->social) << id;
      EXPECT_FALSE(s->impact.statement.empty()) << id;
    }
  };
  expect_category("CPV", "03121200-7", "Inkoop", Strategy::rotate, 1500, 3, {"BLOEM-01", "BLOEM-02", "BLOEM-03"});
  expect_category("CPV", "18530000-3", "Inkoop", Strategy::fixed, 1000, 3, {"GIFT-S1", "GIFT-S2", "GIFT-S3"});
  expect_category("CPV", "55520000-1", "Inkoop", Strategy::rotate, 1000, 3, {"CAT-S1", "CAT-S2", "CAT-S3"});
  expect_category("CPV", "55520000-1", "Facilitair", Strategy::rotate, 1000, 2, {"CAT-S1", "CAT-S2", "CAT-S3"});
  expect_category("CPV", "55120000-7", "Inkoop", Strategy::fixed, 2000, 3, {"VEN-S1", "VEN-S2", "VEN-S3"});
  expect_category("ERP", "XMAS", "Inkoop", Strategy::rotate, 1000, 3, {"XMAS-S1", "XMAS-S2", "XMAS-S3"});

  const Supplier* bloem = p.find_supplier("BLOEM-01");
  ASSERT_NE(bloem, nullptr);
  EXPECT_EQ(bloem->name, "Bloemenatelier De Werkplaats");
  EXPECT_EQ(bloem->impact.statement, "Werkt met 14 mensen met een afstand tot de arbeidsmarkt");
  EXPECT_EQ(bloem->impact.figures.at(0).value, 14);
  EXPECT_EQ(bloem->evidence.at(0).kind, EvidenceKind::pso_3);
  EXPECT_TRUE(bloem->social_on(parse_date("2026-06-01").value()));
  EXPECT_FALSE(bloem->social_on(parse_date("2028-01-01").value()));
  EXPECT_EQ(p.find_supplier_by_identifier("kvk", "60000100"), p.find_supplier("FLR-100"));
  EXPECT_FALSE(p.find_supplier("FLR-100")->social);
  EXPECT_EQ(p.find_supplier("VEN-S3")->evidence.at(0).kind, EvidenceKind::other);
  EXPECT_EQ(p.find_supplier("GIFT-S1")->evidence.at(0).kind, EvidenceKind::pso_30plus);
  EXPECT_EQ(p.find_supplier("BLOEM-02")->name, "Groen & Meer Leerwerkbedrijf");
}

TEST(PolicyLoader, TheExampleKeyIsOneLineOf64HexDigits) {
  std::ifstream in(kSource / "examples/pseudonym.key");
  std::string key, rest;
  std::getline(in, key);
  std::getline(in, rest);
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos) << key;
  EXPECT_TRUE(rest.empty());
}

// ---- how problems are reported ----

TEST(PolicyLoader, ReportsEveryProblemWithFileAndLineInLineOrder) {
  auto r = load_policy(kFixtures / "broken.xml");
  ASSERT_FALSE(r.ok());
  const std::string file = (kFixtures / "broken.xml").string();
  EXPECT_EQ(r.error().code, ErrorCode::config);
  EXPECT_EQ(r.error().where, file + ":3");
  EXPECT_EQ(r.error().describe(),
            file + ":3: organisation: reporting-currency \"eur\" is not an ISO 4217 code; expected three capital "
                   "letters such as EUR\n" +
                file + ":5: supplier \"S-1\": social=\"true\" but no <evidence>; expected at least one <evidence "
                       "kind=.. valid-from=.. valid-until=..>\n" +
                file + ":10: category 03121200-7: strategy \"random\" is unknown; expected fixed or rotate\n" + file +
                ":12: category 03121200-7: social supplier \"V-9\" is not defined; expected the id of a <supplier> "
                "in <suppliers>");
  // The first problem alone is the message's first line, without its location.
  EXPECT_EQ(r.error().message.substr(0, r.error().message.find('\n')),
            "organisation: reporting-currency \"eur\" is not an ISO 4217 code; expected three capital letters such "
            "as EUR");
}

TEST(PolicyLoader, LinesAreRightWithCrLfAndByteOrderMark) {
  std::string xml = with("<social-supplier ref=\"S-1\"/>", "<social-supplier ref=\"V-9\"/>");
  std::string crlf;
  for (char c : xml) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const std::string expected =
      "config.xml:17: category 03121200-7: social supplier \"V-9\" is not defined; expected the id of a <supplier> in "
      "<suppliers>";
  EXPECT_EQ(only_problem(crlf), expected);
  EXPECT_EQ(only_problem("\xEF\xBB\xBF" + xml), expected);
}

TEST(PolicyLoader, AnAttributeOnTheSecondLineOfATagHasItsOwnLine) {
  EXPECT_EQ(only_problem(with("reporting-currency=\"EUR\" ", "\n    reporting-currency=\"EURO\" ")),
            "config.xml:4: organisation: reporting-currency \"EURO\" is not an ISO 4217 code; expected three capital "
            "letters such as EUR");
}

TEST(PolicyLoader, LimitsTheNumberOfProblemsShown) {
  std::string many;
  for (int i = 0; i < 150; ++i) many += "<social-supplier ref=\"V-" + std::to_string(i) + "\"/>\n";
  const auto all = problems(with("<social-supplier ref=\"S-1\"/>\n", many));
  ASSERT_EQ(all.size(), 101u);
  EXPECT_EQ(all.front(),
            "config.xml:17: category 03121200-7: social supplier \"V-0\" is not defined; expected the id of a "
            "<supplier> in <suppliers>");
  EXPECT_EQ(all.back(), "config.xml: 50 more problems not shown");
}

TEST(PolicyLoader, EveryTruncationIsAnErrorNotACrash) {
  std::ifstream in(kSource / "examples/config.xml", std::ios::binary);
  const std::string full((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto end = full.rfind("</configuration>");
  ASSERT_NE(end, std::string::npos);
  for (std::size_t cut = 0; cut < end; cut += 13) {
    auto r = parse_policy(full.substr(0, cut), "config.xml", kSource / "examples");
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_EQ(r.error().where.rfind("config.xml:", 0), 0u) << r.error().describe();
  }
}

// ---- one test per message: the file ----

TEST(PolicyMessages, MissingFile) {
  auto r = load_policy(kFixtures / "no-such-config.xml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::io);
  EXPECT_EQ(r.error().describe(), (kFixtures / "no-such-config.xml").string() +
                                      ": cannot read the configuration (No such file or directory); expected a "
                                      "readable file");
}

TEST(PolicyMessages, TooLarge) {
  const std::string huge(16 * 1024 * 1024 + 1, ' ');
  auto r = parse(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::config);
  EXPECT_EQ(r.error().describe(),
            "config.xml:1: file: larger than 16777216 bytes; expected a configuration of at most 16 MiB");
}

TEST(PolicyMessages, NotWellFormed) {
  EXPECT_EQ(only_problem(with("  </suppliers>\n", "  </supplier>\n")),
            "config.xml:13: XML: Start-end tags mismatch; expected well-formed XML");
  EXPECT_EQ(only_problem(""), "config.xml:1: XML: No document element found; expected well-formed XML");
}

TEST(PolicyMessages, Doctype) {
  EXPECT_EQ(only_problem(with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                              "<!DOCTYPE configuration [<!ENTITY x \"xxxxxxxx\">]>")),
            "config.xml:1: DOCTYPE: a document type declaration is not allowed; expected none");
}

TEST(PolicyMessages, EncodingOtherThanUtf8) {
  EXPECT_EQ(only_problem(with("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"")),
            "config.xml:1: XML declaration: encoding \"ISO-8859-1\" is not supported; expected UTF-8");
  EXPECT_TRUE(parse(with("encoding=\"UTF-8\"", "encoding=\"utf-8\"")).ok());
}

TEST(PolicyMessages, InvalidUtf8AndControlCharacters) {
  EXPECT_EQ(only_problem(with("Sociaal Bedrijf", "Sociaal Bedrijf caf\xE9")),
            "config.xml:6: file: byte 0xE9 is not valid UTF-8; expected a file saved as UTF-8");
  EXPECT_EQ(only_problem(with("Sociaal Bedrijf", "Sociaal \xC0\xAF")),  // overlong '/'
            "config.xml:6: file: byte 0xC0 is not valid UTF-8; expected a file saved as UTF-8");
  EXPECT_EQ(only_problem(with("Sociaal Bedrijf", "Sociaal \xED\xA0\x80")),  // a surrogate
            "config.xml:6: file: byte 0xED is not valid UTF-8; expected a file saved as UTF-8");
  EXPECT_EQ(only_problem(with("Regulier Bedrijf", std::string("Regulier\0Bedrijf", 16))),
            "config.xml:11: file: control character 0x00 is not allowed in XML; expected text");
  EXPECT_TRUE(parse(with("Sociaal Bedrijf", "Caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8C\xB7")).ok());
}

TEST(PolicyMessages, SecondRootElement) {
  EXPECT_EQ(only_problem(kValid + "<extra/>\n"),
            "config.xml:21: configuration: a second root element <extra> follows <configuration>; expected one root "
            "element");
}

TEST(PolicyMessages, WrongRootElement) {
  EXPECT_EQ(only_problem(with("xmlns=\"urn:socialdefault:config:1\"", "xmlns=\"urn:socialdefault:config:2\"")),
            "config.xml:2: root element: <configuration> in namespace \"urn:socialdefault:config:2\"; expected "
            "<configuration xmlns=\"urn:socialdefault:config:1\">");
  EXPECT_EQ(only_problem(with(" xmlns=\"urn:socialdefault:config:1\"", "")),
            "config.xml:2: root element: <configuration> in no namespace; expected <configuration "
            "xmlns=\"urn:socialdefault:config:1\">");
  EXPECT_EQ(only_problem("<?xml version=\"1.0\"?>\n<config xmlns=\"urn:socialdefault:config:1\"/>\n"),
            "config.xml:2: root element: <config> in namespace \"urn:socialdefault:config:1\"; expected "
            "<configuration xmlns=\"urn:socialdefault:config:1\">");
}

// ---- one test per message: the structure ----

TEST(PolicyMessages, UnknownElement) {
  EXPECT_THAT(problems(with("<name>Sociaal Bedrijf</name>", "<nmae>Sociaal Bedrijf</nmae>")),
              ElementsAre("config.xml:5: supplier \"S-1\": missing <name> in <supplier>; expected the supplier's name",
                          "config.xml:6: supplier \"S-1\": unknown element <nmae> in <supplier>; expected one of "
                          "name, identifier, evidence, impact"));
  EXPECT_EQ(only_problem(with("  <suppliers>\n", "  <suppliers><supplier-group/>\n")),
            "config.xml:4: suppliers: unknown element <supplier-group> in <suppliers>; expected one of supplier");
  EXPECT_EQ(only_problem(with("<evidence kind=\"pso-3\" valid-from=\"2026-01-01\" valid-until=\"2027-12-31\"/>",
                              "<evidence kind=\"pso-3\" valid-from=\"2026-01-01\" valid-until=\"2027-12-31\"><x/>"
                              "</evidence>")),
            "config.xml:8: supplier \"S-1\": unknown element <x> in <evidence>; expected no child elements");
}

TEST(PolicyMessages, ElementInsideText) {
  EXPECT_EQ(only_problem(with("<name>Bloemen</name>", "<name>Bloemen<b>!</b></name>")),
            "config.xml:16: category 03121200-7: unknown element <b> in <name>; expected text only");
}

TEST(PolicyMessages, ElementInAnotherNamespace) {
  EXPECT_THAT(
      problems(with("<name>Regulier Bedrijf</name>", "<x:name xmlns:x=\"urn:other\">Regulier Bedrijf</x:name>")),
      ElementsAre("config.xml:10: supplier \"R-1\": missing <name> in <supplier>; expected the supplier's name",
                  "config.xml:11: supplier \"R-1\": element <x:name> in namespace \"urn:other\" inside <supplier>; "
                  "expected one of name, identifier, evidence, impact in namespace \"urn:socialdefault:config:1\""));
  EXPECT_THAT(problems(with("<name>Bloemen</name>", "<name xmlns=\"\">Bloemen</name>")),
              ElementsAre("config.xml:15: category 03121200-7: missing <name> in <category>; expected the category's "
                          "name",
                          "config.xml:16: category 03121200-7: element <name> in no namespace inside <category>; "
                          "expected one of name, departments, social-supplier, nudges in namespace "
                          "\"urn:socialdefault:config:1\""));
}

TEST(PolicyMessages, OutOfOrder) {
  EXPECT_EQ(only_problem(with("      <name>Sociaal Bedrijf</name>\n      <identifier scheme=\"kvk\">70000001</identifier>\n",
                              "      <identifier scheme=\"kvk\">70000001</identifier>\n      <name>Sociaal Bedrijf</name>\n")),
            "config.xml:7: supplier \"S-1\": element <name> is out of order in <supplier>; expected the order name, "
            "identifier, evidence, impact");
}

TEST(PolicyMessages, SecondElementWhereOneIsAllowed) {
  EXPECT_EQ(only_problem(with("<name>Bloemen</name>", "<name>Bloemen</name><name>Blumen</name>")),
            "config.xml:16: category 03121200-7: second <name> in <category> (first at line 16); expected only one");
  EXPECT_EQ(only_problem(with("  <suppliers>\n", "  <organisation name=\"B\" key-file=\"pseudonym.key\"/><suppliers>\n")),
            "config.xml:4: configuration: second <organisation> in <configuration> (first at line 3); expected only "
            "one");
}

TEST(PolicyMessages, MissingElement) {
  EXPECT_EQ(only_problem(with("      <name>Bloemen</name>\n", "\n")),
            "config.xml:15: category 03121200-7: missing <name> in <category>; expected the category's name");
  EXPECT_EQ(only_problem(with("      <social-supplier ref=\"S-1\"/>\n", "\n")),
            "config.xml:15: category 03121200-7: missing <social-supplier> in <category>; expected at least one "
            "<social-supplier ref=\"..\"/>");
  EXPECT_EQ(only_problem(with("  <categories>\n", "  <categories><category code=\"03121200-8\"><name>B</name>"
                                                   "<departments/><social-supplier ref=\"S-1\"/></category>\n")),
            "config.xml:14: category 03121200-8: missing <department> in <departments>; expected at least one "
            "<department>");
  EXPECT_THAT(problems(with("  <categories>\n    <category code=\"03121200-7\">\n      <name>Bloemen</name>\n"
                            "      <social-supplier ref=\"S-1\"/>\n    </category>\n  </categories>\n",
                            "")),
              ElementsAre("config.xml:2: configuration: missing <categories> in <configuration>; expected the list "
                          "of categories"));
}

TEST(PolicyMessages, UnexpectedText) {
  EXPECT_EQ(only_problem(with("  <suppliers>\n", "  <suppliers>Leveranciers:\n")),
            "config.xml:4: suppliers: unexpected text \"Leveranciers:\" in <suppliers>; expected only elements");
}

TEST(PolicyMessages, UnknownAttribute) {
  EXPECT_THAT(problems(with("social=\"true\"", "socail=\"true\"")),
              ElementsAre("config.xml:5: supplier \"S-1\": unknown attribute \"socail\" on <supplier>; expected one "
                          "of id, social",
                          "config.xml:17: category 03121200-7: supplier \"S-1\" is not social; expected a supplier "
                          "with social=\"true\" and evidence"));
  EXPECT_EQ(only_problem(with("<name>Bloemen</name>", "<name lang=\"nl\">Bloemen</name>")),
            "config.xml:16: category 03121200-7: unknown attribute \"lang\" on <name>; expected one of language");
  EXPECT_EQ(only_problem(with("<configuration ", "<configuration version=\"1\" ")),
            "config.xml:2: configuration: unknown attribute \"version\" on <configuration>; expected no attributes");
  EXPECT_EQ(only_problem(with("<category code=\"03121200-7\">", "<category code=\"03121200-7\" x:y=\"1\" xmlns:x=\"urn:x\">")),
            "config.xml:15: category 03121200-7: unknown attribute \"x:y\" on <category>; expected one of "
            "code-system, code, strategy, price-tolerance, social-shown");
}

TEST(PolicyMessages, DuplicateAttribute) {
  EXPECT_EQ(only_problem(with("<category code=\"03121200-7\">", "<category code=\"03121200-7\" code=\"03121200-7\">")),
            "config.xml:15: category 03121200-7: attribute \"code\" appears twice on <category>; expected it once");
}

TEST(PolicyMessages, MissingAttribute) {
  EXPECT_EQ(only_problem(with(" key-file=\"pseudonym.key\"", "")),
            "config.xml:3: organisation: missing attribute \"key-file\" on <organisation>; expected the file that "
            "holds the pseudonymisation secret");
  EXPECT_THAT(problems(with(" id=\"R-1\"", "")),
              ElementsAre("config.xml:10: supplier: missing attribute \"id\" on <supplier>; expected the id the ERP "
                          "uses for this supplier"));
  EXPECT_EQ(only_problem(with("<identifier scheme=\"kvk\">", "<identifier>")),
            "config.xml:7: supplier \"S-1\": missing attribute \"scheme\" on <identifier>; expected kvk, peppol, "
            "oin, vat, duns or another scheme name");
  EXPECT_EQ(only_problem(with(" valid-from=\"2026-01-01\"", "")),
            "config.xml:8: supplier \"S-1\": missing attribute \"valid-from\" on <evidence>; expected a date "
            "YYYY-MM-DD");
  EXPECT_THAT(problems(with("<category code=\"03121200-7\">", "<category>")),
              ElementsAre("config.xml:15: category: missing attribute \"code\" on <category>; expected the category "
                          "code, such as 03121200-7"));
}

TEST(PolicyMessages, EmptyAttribute) {
  EXPECT_EQ(only_problem(with("name=\"Gemeente Test\"", "name=\"\"")),
            "config.xml:3: organisation: attribute \"name\" is empty; expected the organisation's name");
  EXPECT_THAT(problems(with("<social-supplier ref=\"S-1\"/>", "<social-supplier ref=\" \"/>")),
              ElementsAre("config.xml:17: category 03121200-7: attribute \"ref\" is empty; expected the id of a "
                          "social supplier"));
}

TEST(PolicyMessages, AttributeWithSurroundingSpaces) {
  EXPECT_EQ(only_problem(with("name=\"Gemeente Test\"", "name=\"Gemeente Test \"")),
            "config.xml:3: organisation: attribute \"name\" value \"Gemeente Test \" has leading or trailing spaces; "
            "expected the value without them");
}

TEST(PolicyMessages, EmptyText) {
  EXPECT_EQ(only_problem(with("<name>Bloemen</name>", "<name>  </name>")),
            "config.xml:16: category 03121200-7: <name> is empty; expected the category's name");
  EXPECT_EQ(only_problem(with("<name>Regulier Bedrijf</name>", "<name/>")),
            "config.xml:11: supplier \"R-1\": <name> is empty; expected the supplier's name");
  EXPECT_EQ(only_problem(with("70000001</identifier>", "</identifier>")),
            "config.xml:7: supplier \"S-1\": <identifier> is empty; expected the supplier's number in that scheme");
}

// ---- one test per message: the organisation ----

TEST(PolicyMessages, BadCurrency) {
  EXPECT_EQ(only_problem(with("reporting-currency=\"EUR\"", "reporting-currency=\"eur\"")),
            "config.xml:3: organisation: reporting-currency \"eur\" is not an ISO 4217 code; expected three capital "
            "letters such as EUR");
}

TEST(PolicyMessages, UnknownOrUnsafeTimeZone) {
  const std::string expected = "; expected an IANA zone name such as Europe/Amsterdam";
  EXPECT_EQ(only_problem(with("Europe/Amsterdam", "Mars/Olympus_Mons")),
            "config.xml:3: organisation: time zone \"Mars/Olympus_Mons\": unknown zone (no such zone in the tz "
            "database at " +
                ZoneEnvironment::zone_dir().string() + ")" + expected);
  EXPECT_EQ(only_problem(with("Europe/Amsterdam", "../../etc/passwd")),
            "config.xml:3: organisation: time zone \"../../etc/passwd\": \"..\" is not allowed" + expected);
  EXPECT_EQ(only_problem(with("Europe/Amsterdam", "/etc/localtime")),
            "config.xml:3: organisation: time zone \"/etc/localtime\": a path is not allowed" + expected);
}

TEST(PolicyMessages, TimeZoneDefaultsToAmsterdam) {
  auto r = parse(with(" time-zone=\"Europe/Amsterdam\"", ""));
  EXPECT_EQ(loaded(r).zone.name(), "Europe/Amsterdam");
}

TEST(PolicyMessages, KeyFileMissing) {
  EXPECT_EQ(only_problem(with("pseudonym.key", "missing.key")),
            "config.xml:3: organisation: key-file \"missing.key\" does not exist (looked for " +
                (kFixtures / "missing.key").string() +
                "); expected a file with the pseudonymisation secret, made with: openssl rand -hex 32");
}

TEST(PolicyMessages, KeyFileNotAFile) {
  EXPECT_EQ(only_problem(with("pseudonym.key", ".")),
            "config.xml:3: organisation: key-file \".\" is not a regular file; expected a file with the secret");
}

TEST(PolicyMessages, KeyFileEmpty) {
  EXPECT_EQ(only_problem(with("pseudonym.key", "empty.key")),
            "config.xml:3: organisation: key-file \"empty.key\" is empty; expected the secret in it");
}

TEST(PolicyMessages, KeyFileUnreadable) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: every file is readable, so this cannot be provoked";
  testing::ScratchDir dir("sd_policy_test_key");
  dir.write("secret.key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
  ASSERT_EQ(::chmod((dir.path() / "secret.key").c_str(), 0), 0);
  auto r = parse_policy(with("pseudonym.key", "secret.key"), "config.xml", dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(),
            "config.xml:3: organisation: key-file \"secret.key\" cannot be read (Permission denied); expected a file "
            "the service may read");
}

TEST(PolicyMessages, KeyFileAbsolutePathIsUsedAsIs) {
  auto r = parse(with("pseudonym.key", (kFixtures / "pseudonym.key").string()));
  EXPECT_EQ(loaded(r).organisation.key_file, kFixtures / "pseudonym.key");
}

// ---- one test per message: suppliers ----

TEST(PolicyMessages, DuplicateSupplierId) {
  EXPECT_EQ(only_problem(with("id=\"R-1\"", "id=\"S-1\"")),
            "config.xml:10: supplier \"S-1\": defined twice (first at line 5); expected unique supplier ids");
}

TEST(PolicyMessages, DuplicateIdentifier) {
  EXPECT_EQ(only_problem(with("<name>Regulier Bedrijf</name>",
                              "<name>Regulier Bedrijf</name><identifier scheme=\"kvk\">70000001</identifier>")),
            "config.xml:11: supplier \"R-1\": identifier kvk \"70000001\" is also used by supplier \"S-1\" (line 7); "
            "expected an identifier that names one supplier");
  EXPECT_EQ(only_problem(with("<identifier scheme=\"kvk\">70000001</identifier>",
                              "<identifier scheme=\"kvk\">70000001</identifier><identifier "
                              "scheme=\"kvk\">70000001</identifier>")),
            "config.xml:7: supplier \"S-1\": identifier kvk \"70000001\" is also used by this supplier (line 7); "
            "expected an identifier that names one supplier");
  // The same number in another scheme is another identifier.
  EXPECT_TRUE(parse(with("<name>Regulier Bedrijf</name>",
                         "<name>Regulier Bedrijf</name><identifier scheme=\"oin\">70000001</identifier>"))
                  .ok());
}

TEST(PolicyMessages, SocialIsNotABoolean) {
  EXPECT_THAT(problems(with("social=\"true\"", "social=\"yes\"")),
              ElementsAre("config.xml:5: supplier \"S-1\": social \"yes\" is not a boolean; expected true or false",
                          "config.xml:17: category 03121200-7: supplier \"S-1\" is not social; expected a supplier "
                          "with social=\"true\" and evidence"));
}

TEST(PolicyMessages, SocialSupplierWithoutEvidence) {
  EXPECT_EQ(only_problem(with("<evidence kind=\"pso-3\" valid-from=\"2026-01-01\" valid-until=\"2027-12-31\"/>", "")),
            "config.xml:5: supplier \"S-1\": social=\"true\" but no <evidence>; expected at least one <evidence "
            "kind=.. valid-from=.. valid-until=..>");
}

TEST(PolicyMessages, UnknownEvidenceKind) {
  EXPECT_EQ(only_problem(with("kind=\"pso-3\"", "kind=\"pso-4\"")),
            "config.xml:8: supplier \"S-1\": evidence kind \"pso-4\" is unknown; expected one of pso-1, pso-2, pso-3, "
            "pso-30plus, code-sociale-ondernemingen, sheltered-employer, other");
}

TEST(PolicyMessages, EveryEvidenceKindIsAccepted) {
  for (EvidenceKind kind : {EvidenceKind::pso_1, EvidenceKind::pso_2, EvidenceKind::pso_3, EvidenceKind::pso_30plus,
                            EvidenceKind::code_sociale_ondernemingen, EvidenceKind::sheltered_employer,
                            EvidenceKind::other}) {
    auto r = parse(with("kind=\"pso-3\"", std::string("kind=\"") + to_string(kind) + "\""));
    EXPECT_EQ(loaded(r).suppliers.at(0).evidence.at(0).kind, kind) << to_string(kind);
  }
}

TEST(PolicyMessages, BadDate) {
  EXPECT_EQ(only_problem(with("valid-from=\"2026-01-01\"", "valid-from=\"2026-02-30\"")),
            "config.xml:8: supplier \"S-1\": evidence valid-from \"2026-02-30\" is not a valid date; expected "
            "YYYY-MM-DD, such as 2026-01-31");
  EXPECT_EQ(only_problem(with("valid-until=\"2027-12-31\"", "valid-until=\"31-12-2027\"")),
            "config.xml:8: supplier \"S-1\": evidence valid-until \"31-12-2027\" is not a valid date; expected "
            "YYYY-MM-DD, such as 2026-01-31");
}

TEST(PolicyMessages, EvidenceEndsBeforeItStarts) {
  EXPECT_EQ(only_problem(with("valid-until=\"2027-12-31\"", "valid-until=\"2025-12-31\"")),
            "config.xml:8: supplier \"S-1\": evidence valid-until 2025-12-31 is before valid-from 2026-01-01; "
            "expected an end on or after the start");
}

TEST(PolicyMessages, FigureValueNotAWholeNumber) {
  const std::string evidence = "<evidence kind=\"pso-3\" valid-from=\"2026-01-01\" valid-until=\"2027-12-31\"/>";
  EXPECT_EQ(only_problem(with(evidence, evidence + "<impact><statement>Werkt met 14 mensen</statement>"
                                                   "<figure measure=\"jobs\" value=\"14.5\"/></impact>")),
            "config.xml:8: supplier \"S-1\": figure value \"14.5\" is not a whole number; expected an integer such "
            "as 14");
  EXPECT_EQ(only_problem(with(evidence, evidence + "<impact><figure measure=\"jobs\" "
                                                   "value=\"99999999999999999999\"/></impact>")),
            "config.xml:8: supplier \"S-1\": figure value \"99999999999999999999\" is not a whole number; expected "
            "an integer such as 14");
  EXPECT_EQ(only_problem(with(evidence, evidence + "<impact><statement/></impact>")),
            "config.xml:8: supplier \"S-1\": <statement> is empty; expected a sentence on the supplier's impact");
}

// ---- one test per message: categories ----

TEST(PolicyMessages, UnknownStrategy) {
  EXPECT_EQ(only_problem(with("<category code=\"03121200-7\">", "<category code=\"03121200-7\" strategy=\"random\">")),
            "config.xml:15: category 03121200-7: strategy \"random\" is unknown; expected fixed or rotate");
}

TEST(PolicyMessages, BadPriceTolerance) {
  for (const char* bad : {"-5", "15.555", "abc", "1000.01", "15%", "1e3", "7.", ".5", "99999"}) {
    EXPECT_EQ(only_problem(with("<category code=\"03121200-7\">",
                                std::string("<category code=\"03121200-7\" price-tolerance=\"") + bad + "\">")),
              std::string("config.xml:15: category 03121200-7: price-tolerance \"") + bad +
                  "\" is not a valid percentage; expected a number from 0 to 1000 with at most 2 decimals, such as "
                  "15 or 7.5");
  }
}

TEST(PolicyMessages, BadSocialShown) {
  for (const char* bad : {"0", "-1", "x", "1001", "2.0", "+3", "4294967299"}) {
    EXPECT_EQ(only_problem(with("<category code=\"03121200-7\">",
                                std::string("<category code=\"03121200-7\" social-shown=\"") + bad + "\">")),
              std::string("config.xml:15: category 03121200-7: social-shown \"") + bad +
                  "\" is not a positive whole number; expected 1 to 1000, such as 3");
  }
}

TEST(PolicyMessages, CodeNotMatchingCpv) {
  for (const char* bad : {"0312120-7", "03121200", "03121200-77", "0312120A-7", "03121200/7"}) {
    EXPECT_EQ(only_problem(with("code=\"03121200-7\"", std::string("code=\"") + bad + "\"")),
              std::string("config.xml:15: category ") + bad + ": code \"" + bad +
                  "\" does not match the CPV pattern; expected 8 digits, a hyphen and a check digit, such as "
                  "03121200-7");
  }
}

TEST(PolicyMessages, SocialSupplierNotDefined) {
  EXPECT_EQ(only_problem(with("<social-supplier ref=\"S-1\"/>", "<social-supplier ref=\"V-9\"/>")),
            "config.xml:17: category 03121200-7: social supplier \"V-9\" is not defined; expected the id of a "
            "<supplier> in <suppliers>");
}

TEST(PolicyMessages, SocialSupplierNotSocial) {
  EXPECT_EQ(only_problem(with("<social-supplier ref=\"S-1\"/>", "<social-supplier ref=\"R-1\"/>")),
            "config.xml:17: category 03121200-7: supplier \"R-1\" is not social; expected a supplier with "
            "social=\"true\" and evidence");
}

TEST(PolicyMessages, SocialSupplierListedTwice) {
  EXPECT_EQ(only_problem(with("<social-supplier ref=\"S-1\"/>", "<social-supplier ref=\"S-1\"/><social-supplier "
                                                                 "ref=\"S-1\"/>")),
            "config.xml:17: category 03121200-7: social supplier \"S-1\" is listed twice; expected each supplier once");
}

const std::string kSecondCategory = "  </categories>\n";

TEST(PolicyMessages, DuplicateCategory) {
  EXPECT_EQ(only_problem(with(kSecondCategory, "<category code=\"03121200-7\" strategy=\"rotate\"><name>Bloemen 2</name>"
                                               "<social-supplier ref=\"S-1\"/></category>\n" +
                                                   kSecondCategory)),
            "config.xml:19: category 03121200-7: defined twice for the same departments (first at line 15); expected "
            "one entry per code and department scope");
  const std::string scoped =
      "<category code=\"03121200-7\"><name>Bloemen</name><departments><department>A</department><department>B"
      "</department></departments><social-supplier ref=\"S-1\"/></category>\n";
  const std::string same_set =
      "<category code=\"03121200-7\"><name>Bloemen</name><departments><department>B</department><department>A"
      "</department></departments><social-supplier ref=\"S-1\"/></category>\n";
  EXPECT_EQ(only_problem(with(kSecondCategory, scoped + same_set + kSecondCategory)),
            "config.xml:20: category 03121200-7: defined twice for the same departments (first at line 19); expected "
            "one entry per code and department scope");
  // Another code system is another category.
  EXPECT_TRUE(parse(with(kSecondCategory, "<category code-system=\"UNSPSC\" code=\"03121200-7\"><name>B</name>"
                                          "<social-supplier ref=\"S-1\"/></category>\n" +
                                              kSecondCategory))
                  .ok());
}

TEST(PolicyMessages, DepartmentInTwoScopes) {
  const std::string a =
      "<category code=\"03121200-7\"><name>Bloemen</name><departments><department>A</department><department>B"
      "</department></departments><social-supplier ref=\"S-1\"/></category>\n";
  const std::string b =
      "<category code=\"03121200-7\"><name>Bloemen</name><departments><department>B</department><department>C"
      "</department></departments><social-supplier ref=\"S-1\"/></category>\n";
  EXPECT_EQ(only_problem(with(kSecondCategory, a + b + kSecondCategory)),
            "config.xml:20: category 03121200-7: department \"B\" is also scoped by the entry at line 19; expected "
            "each department in one entry per code");
}

TEST(PolicyMessages, DepartmentListedTwice) {
  EXPECT_EQ(only_problem(with("<name>Bloemen</name>", "<name>Bloemen</name><departments><department>A</department>"
                                                      "<department> A </department></departments>")),
            "config.xml:16: category 03121200-7: department \"A\" is listed twice; expected each department once");
}

TEST(PolicyMessages, EmptyDepartment) {
  EXPECT_EQ(only_problem(with("<name>Bloemen</name>",
                              "<name>Bloemen</name><departments><department></department></departments>")),
            "config.xml:16: category 03121200-7: <department> is empty; expected a department name as the ERP sends "
            "it");
}

// ---- the schema describes the same format ----

class Schema : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v xmllint >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "xmllint is not installed (apt-get install -y libxml2-utils)";
    }
  }
  static int validate(const fs::path& file) {
    const std::string command = "xmllint --noout --schema '" + (kSource / "schemas/config.xsd").string() + "' '" +
                                file.string() + "' >/dev/null 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

TEST_F(Schema, ValidatesTheExampleConfiguration) { EXPECT_EQ(validate(kSource / "examples/config.xml"), 0); }

TEST_F(Schema, ValidatesTheValidFixture) { EXPECT_EQ(validate(kFixtures / "valid.xml"), 0); }

TEST_F(Schema, RefusesTheBrokenFixture) { EXPECT_NE(validate(kFixtures / "broken.xml"), 0); }

}  // namespace
}  // namespace socialdefault
