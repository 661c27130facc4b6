// The fast path (fast_scan.hpp) against the DOM path: every golden input, the
// example ERP messages, the benchmark's documents and generated variants
// (prefixes, SOAP 1.2, CDATA, references, comments, attribute order and
// quotes, CRLF, BOM, declarations on inner elements, hostile input), plus a
// few thousand seeded random mutations, go through both; recognising, the
// shortlist read, and the rewritten bytes (or the error texts) must be the
// same. Where the fast path is expected to take a message, the test also
// checks that it did, so the comparison cannot pass by falling back always.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../../../bench/shortlist_generator.hpp"
#include "fast_scan.hpp"
#include "soap_test_support.hpp"

namespace socialdefault::soap::testing {
namespace {

std::string dump(const Shortlist& s) {
  std::ostringstream out;
  out << "correlation=" << s.correlation_id << "|category=" << s.category.code_system << ":" << s.category.code
      << "|requester=" << s.requester << "|department=" << s.department << "|language=" << s.language << "\n";
  for (const Candidate& c : s.candidates) {
    out << c.supplier_id << "|" << c.name << "|";
    if (c.price) out << c.price->minor << " " << c.price->currency;
    out << "|" << c.preselected;
    for (const SupplierIdentifier& i : c.identifiers) out << "|" << i.scheme << "=" << i.value;
    out << "\n";
  }
  return out.str();
}

std::string describe(const Error& e) { return e.describe(); }

// Everything the two paths are compared on, as text.
struct Outcome {
  bool fast = false;  // the fast path took the message
  std::string text;
};

using MakeDecision = std::function<Decision(const Shortlist&)>;

Outcome run(const SoapAdapter& adapter, std::string_view bytes, const MakeDecision& make, const Policy& policy,
            bool dom_only, const Message* request = nullptr) {
  std::optional<FastPathOff> off;
  if (dom_only) off.emplace();
  Outcome o;
  auto message = adapter.recognise(bytes);
  if (!message) {
    o.text = "recognise: " + describe(message.error());
    return o;
  }
  const auto& soap = static_cast<const SoapMessage&>(**message);
  o.fast = soap.fast() != nullptr;
  o.text = std::string("kind ") + to_string(soap.kind()) + " soap12=" + std::to_string(soap.version() == SoapVersion::soap12) +
           " encoding=" + to_string(soap.encoding()) + "\n";
  if (soap.kind() != MessageKind::shortlist_response) return o;
  auto shortlist = adapter.read_shortlist(soap, request);
  if (!shortlist) {
    o.text += "read: " + describe(shortlist.error());
    return o;
  }
  o.text += dump(*shortlist);
  const Decision decision = make(*shortlist);
  auto out = adapter.apply_decision(soap, *shortlist, decision, policy);
  o.text += out ? "out:\n" + *out : "apply: " + describe(out.error());
  return o;
}

// Social options first: BLOEM-03 injected and preselected, then every
// candidate in reverse order; notes for BLOEM-03, for the first candidate
// (with characters that need escaping) and for the message.
Decision inject_and_reverse(const Shortlist& s) {
  Decision d;
  d.reason = Reason::applied;
  d.default_supplier_id = "BLOEM-03";
  const bool present = std::any_of(s.candidates.begin(), s.candidates.end(),
                                    [](const Candidate& c) { return c.supplier_id == "BLOEM-03"; });
  if (!present) {
    Placement p;
    p.supplier_id = "BLOEM-03";
    p.injected = true;
    p.social = true;
    p.preselected = true;
    d.order.push_back(p);
  }
  for (std::size_t i = s.candidates.size(); i-- > 0;) {
    Placement p;
    p.supplier_id = s.candidates[i].supplier_id;
    p.source = i;
    p.preselected = present && p.supplier_id == "BLOEM-03" && std::none_of(d.order.begin(), d.order.end(),
                                                                            [](const Placement& q) { return q.preselected; });
    d.order.push_back(p);
  }
  d.notes.push_back(candidate_note("BLOEM-03", "Kwekerij Samen: 9 banen."));
  if (!s.candidates.empty()) d.notes.push_back(candidate_note(s.candidates.front().supplier_id, "Prijs <incl.> & \"btw\""));
  d.notes.push_back(message_note("Sociale leveranciers staan bovenaan."));
  return d;
}

// The order stays; only the preselected flag moves to the last candidate.
Decision flag_only(const Shortlist& s) {
  Decision d;
  d.reason = Reason::applied;
  for (std::size_t i = 0; i < s.candidates.size(); ++i) {
    Placement p;
    p.supplier_id = s.candidates[i].supplier_id;
    p.source = i;
    p.preselected = i + 1 == s.candidates.size();
    d.order.push_back(p);
  }
  if (!s.candidates.empty()) d.default_supplier_id = s.candidates.back().supplier_id;
  return d;
}

struct Comparison {
  int compared = 0;
  int fast = 0;
};

// Both paths, both decisions; returns whether the fast path took the message.
bool compare(const SoapAdapter& adapter, std::string_view bytes, const std::string& label, Comparison* stats = nullptr) {
  const Policy policy = flowers_policy();
  bool fast = false;
  for (const MakeDecision& make : {MakeDecision(inject_and_reverse), MakeDecision(flag_only)}) {
    const Outcome f = run(adapter, bytes, make, policy, false);
    const Outcome d = run(adapter, bytes, make, policy, true);
    EXPECT_FALSE(d.fast) << label;
    EXPECT_EQ(d.text, f.text) << label << "\ninput:\n" << bytes;
    fast = f.fast;
  }
  if (stats != nullptr) {
    ++stats->compared;
    stats->fast += fast ? 1 : 0;
  }
  return fast;
}

// Variants of the example response, each a list of replacements.
struct Variant {
  std::string name;
  std::vector<std::pair<std::string, std::string>> edits;
  bool fast = true;  // expected to take the fast path
};

std::string apply(std::string text, const Variant& v) {
  for (const auto& [from, to] : v.edits) {
    if (from.empty()) {
      text = to + text;
      continue;
    }
    std::size_t at = 0;
    while ((at = text.find(from, at)) != std::string::npos) {
      text.replace(at, from.size(), to);
      at += to.size();
    }
  }
  return text;
}

// A remark in every candidate (the first one's is where an injected
// supplier's note goes).
const std::pair<std::string, std::string> kRemarks{"</Preselected>\n",
                                                   "</Preselected>\n          <Remark>Zie catalogus</Remark>\n"};

const std::vector<Variant>& variants() {
  static const std::vector<Variant> v = {
      {"as is", {}},
      {"SOAP-ENV prefix", {{"soap:", "SOAP-ENV:"}, {"xmlns:soap", "xmlns:SOAP-ENV"}}},
      {"s prefix and erp prefix",
       {{"soap:", "s:"}, {"xmlns:soap", "xmlns:s"}, {"<Get", "<erp:Get"}, {"</Get", "</erp:Get"},
        {"xmlns=\"urn:example", "xmlns:erp=\"urn:example"}, {"<Re", "<erp:Re"}, {"</Re", "</erp:Re"},
        {"<Ca", "<erp:Ca"}, {"</Ca", "</erp:Ca"}, {"<Su", "<erp:Su"}, {"</Su", "</erp:Su"}, {"<Na", "<erp:Na"},
        {"</Na", "</erp:Na"}, {"<K", "<erp:K"}, {"</K", "</erp:K"}, {"<Un", "<erp:Un"}, {"</Un", "</erp:Un"},
        {"<Pr", "<erp:Pr"}, {"</Pr", "</erp:Pr"}}},
      {"SOAP 1.2", {{"http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"}}},
      {"CDATA in a name", {{"Tuincentrum Randstad", "<![CDATA[Tuincentrum & Randstad]]>"}}, false},
      {"CDATA elsewhere", {{"<!-- ERP release 2026.1, node app-02 -->", "<x><![CDATA[a <b> c]]></x>"}}},
      {"references in fields",
       {{"<SupplierId>FLR-300", "<SupplierId>&#70;LR-&#x33;00"}, {"Fleurop Partner", "Fleurop &lt;Partner&gt; &apos;&quot;"}}},
      {"reference in an attribute", {{"listID=\"CPV\"", "listID=\"C&#80;V\""}}},
      {"comment inside a field", {{"<Preselected>true</Preselected>", "<Preselected><!-- x -->true</Preselected>"}}},
      {"comment inside a candidate", {{"<KvK>70000001</KvK>", "<KvK>70000001</KvK><!-- social -->"}}},
      {"attributes, single quotes and their order",
       {{"<UnitPrice currency=\"EUR\">", "<UnitPrice vat='incl' currency='EUR' >"}, {"<Supplier>", "<Supplier  status=\"active\" >"}}},
      {"CRLF line ends", {{"\n", "\r\n"}}},
      {"tabs and no indentation", {{"\n        ", "\n\t"}, {"  ", ""}}},
      {"BOM and standalone", {{"", "\xEF\xBB\xBF"}, {"encoding=\"UTF-8\"?>", "encoding=\"UTF-8\" standalone=\"yes\"?>"}}},
      {"declarations on inner elements",
       {{"<Suppliers>", "<Suppliers xmlns:x=\"urn:x\" xmlns=\"urn:example:erp:purchasing:1\">"},
        {"<Supplier>", "<Supplier xmlns:y=\"urn:y\">"}}},
      {"remarks on every candidate and a message element",
       {{"</Preselected>\n", "</Preselected>\n          <Remark>Zie catalogus</Remark>\n"},
        {"</Suppliers>\n", "</Suppliers>\n      <Message/>\n"}}},
      // The injected supplier is copied from the first candidate by ranges
      // when that candidate has a remark to write the note into; these
      // vary what the copy must keep and leave out.
      {"copy: plain", {kRemarks}},
      {"copy: text of the candidate's own", {kRemarks, {"<Supplier>\n", "<Supplier>los\n"}}},
      {"copy: CDATA of the candidate's own", {kRemarks, {"<Supplier>\n", "<Supplier><![CDATA[x]]>\n"}}},
      {"copy: comments and unknown elements between kept fields",
       {kRemarks, {"<KvK>", "<!-- k --><Extra a=\"1>\">1<Deep/></Extra>\n          <KvK>"}}},
      {"copy: attribute on a kept field", {kRemarks, {"<Name>", "<Name xml:lang=\"nl\">"}}},
      {"copy: id attribute on a kept field", {kRemarks, {"<SupplierId>", "<SupplierId id=\"s\">"}}},
      {"copy: blank remark", {kRemarks, {"<Remark>Zie catalogus</Remark>", "<Remark>  </Remark>"}}},
      {"copy: self-closing remark", {{"</Preselected>\n", "</Preselected>\n          <Remark/>\n"}}},
      {"copy: remark first", {{"<SupplierId>", "<Remark>Eerst</Remark>\n<SupplierId>"}}},
      {"copy: no indentation", {kRemarks, {"\n          <", "<"}}},
      {"copy: references in kept values", {kRemarks, {"<Name>Bloemen", "<Name>&#66;loemen"}}},
      {"copy: CRLF", {kRemarks, {"\n", "\r\n"}}},
      {"empty and self-closing flags", {{"<Preselected>false</Preselected>", "<Preselected/>"}}},
      {"numeric flags", {{">false<", ">0<"}, {">true<", ">1<"}}},
      // A flag that already says what it should is left as it is, in its
      // own spelling; only the first of two flag elements counts.
      {"mixed flag spellings", {{">false<", ">0<"}}},
      {"two flag elements", {{"<Preselected>false</Preselected>", "<Preselected>false</Preselected><Preselected>1</Preselected>"}}},
      // Children are matched to mapped names by length first: names of a
      // mapped name's length, and a mapped name in another namespace.
      {"unmapped children as long as mapped ones", {{"<KvK>", "<Kvk>1</Kvk><XYZ/><Nam>n</Nam><KvK>"}}},
      {"a mapped name in another namespace", {{"<Name>", "<o:Name xmlns:o=\"urn:other\">Other</o:Name><Name>"}}},
      {"unknown elements and a header", {{"<RequisitionId>", "<Extra a=\"1\"><Deep/></Extra><RequisitionId>"}}},
      {"flag as the only remark element", {{"<Preselected>true</Preselected>", "<Preselected>  true  </Preselected>"}}},
      {"undefined entity", {{"Groen &amp; Meer", "Groen &nbsp; Meer"}}, false},
      {"forbidden character reference", {{"Groen &amp; Meer", "Groen &#1; Meer"}}, false},
      {"unbound prefix", {{"<KvK>60000300</KvK>", "<q:KvK>60000300</q:KvK>"}}, false},
      {"duplicate attribute", {{"currency=\"EUR\">47.00", "currency=\"EUR\" currency=\"EUR\">47.00"}}, false},
      {"DOCTYPE", {{"<soap:Envelope", "<!DOCTYPE x><soap:Envelope"}}, false},
      {"processing instruction", {{"<Suppliers>", "<Suppliers><?pi x?>"}}, false},
      {"mismatched end tag", {{"</Name>\n          <KvK>60000200", "</Nam>\n          <KvK>60000200"}}, false},
      {"missing supplier id", {{"<SupplierId>FLR-200</SupplierId>", ""}}, false},
      {"price without currency", {{"<UnitPrice currency=\"EUR\">47.00", "<UnitPrice>47.00"}}, false},
      {"bad flag", {{"<Preselected>true</Preselected>", "<Preselected>yes</Preselected>"}}, false},
      {"text after the root", {{"</soap:Envelope>", "</soap:Envelope>x"}}, false},
      {"comment with two dashes", {{"<!-- sorted by unit price", "<!-- sorted -- by unit price"}}, false},
      {"latin1", {{"encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\""}}, false},
      {"empty body", {{"<soap:Body>", "<soap:Body/><soap:Other>"}, {"</soap:Body>", "</soap:Other>"}}, false},
      {"fault", {{"GetSupplierShortlistResponse", "soap:Fault"}}, false},
      {"signature mentioned in a comment", {{"<!-- ERP release", "<!-- Signature ERP release"}}},
      {"signature element in the header",
       {{"<!-- ERP release", "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo/></ds:Signature><!-- ERP release"}},
       false},
      {"signature covering the whole document",
       {{"<!-- ERP release",
         "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo><ds:Reference URI=\"\"/>"
         "</ds:SignedInfo></ds:Signature><!-- ERP release"}},
       false},
      {"prefix longer than sixteen bytes", {{"soap:", "soap-envelope-1-1:"}, {"xmlns:soap", "xmlns:soap-envelope-1-1"}}},
      {"names of exactly sixteen bytes", {{"<Name>", "<NameOfSixteen16>"}, {"</Name>", "</NameOfSixteen16>"}}},
      {"two colons in a name", {{"<Name>", "<soap:x:Name>"}, {"</Name>", "</soap:x:Name>"}}, false},
      {"colon at the end of a name", {{"<Name>", "<soap:>"}, {"</Name>", "</soap:>"}}, false},
      {"name starting with a digit after the colon", {{"<Name>", "<soap:1Name>"}, {"</Name>", "</soap:1Name>"}}, false},
      {"candidate that is a child of another element", {{"<Suppliers>", "<Suppliers><Supplier/>"}}, false},
  };
  return v;
}

TEST(SoapFastPath, GeneratedVariantsOfTheExampleGiveTheSameResultOnBothPaths) {
  const SoapAdapter adapter = example_adapter();
  const std::string base = example("shortlist-response.xml");
  for (const Variant& v : variants()) {
    const std::string input = apply(base, v);
    const bool fast = compare(adapter, input, v.name);
    if (v.fast) {
      EXPECT_TRUE(fast) << v.name << ": expected the fast path to take it";
    }
  }
}

TEST(SoapFastPath, ExampleMessagesAndGoldenInputsGiveTheSameResultOnBothPaths) {
  const SoapAdapter adapter = example_adapter();
  Comparison stats;
  for (const auto& entry : std::filesystem::directory_iterator(examples_dir())) {
    if (entry.path().extension() != ".xml" || entry.path().filename() == "mapping.xml") continue;
    compare(adapter, read_file(entry.path()), entry.path().filename().string(), &stats);
  }
  for (const auto& entry : std::filesystem::directory_iterator(golden_dir())) {
    const std::string name = entry.path().filename().string();
    if (name.find(".in.xml") == std::string::npos && name.find(".out.xml") == std::string::npos) continue;
    compare(adapter, read_file(entry.path()), name, &stats);
  }
  // The attribute golden file has its own mapping: fields in attributes.
  const auto mapping = parse_mapping(golden("attributes.mapping.xml"), "attributes.mapping.xml");
  ASSERT_TRUE(mapping.ok()) << mapping.error().describe();
  const SoapAdapter attributes(*mapping, {});
  EXPECT_TRUE(compare(attributes, golden("attributes.in.xml"), "attributes.in.xml", &stats));
  EXPECT_GE(stats.fast, 3) << "the fast path should take the example responses (" << stats.compared << " compared)";
}

TEST(SoapFastPath, SharedCorpusGivesTheSameResultOnBothPaths) {
  const std::filesystem::path dir = socialdefault::testing::corpus_dir() / "soap" / "messages";
  if (!std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "no SOAP corpus at " << dir << " (set SD_CORPUS_DIR to the shared corpus)";
  }
  const SoapAdapter adapter = example_adapter();
  Comparison stats;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) compare(adapter, read_file(entry.path()), entry.path().filename().string(), &stats);
  }
  EXPECT_GT(stats.compared, 0) << dir;
}

// A note whose element a candidate lacks: the fast path creates it as the
// DOM path does (after the candidate's last child element, kept or not,
// indented like it, under the candidate's prefix), in the injected
// supplier's copy of the first candidate and in each candidate itself.
TEST(SoapFastPath, ANoteWhoseElementACandidateLacksIsCreatedTheSameWay) {
  const SoapAdapter adapter = example_adapter();
  const std::string example_response = example("shortlist-response.xml");
  const std::string first_end = "<Preselected>true</Preselected>\n        </Supplier>";
  ASSERT_NE(example_response.find(first_end), std::string::npos);
  const auto first_candidate = [&](std::string_view replacement) {
    std::string doc = example_response;
    doc.replace(doc.find(first_end), first_end.size(), replacement);
    return doc;
  };
  std::string prefixed = bench::shortlist_response(3);
  const std::string remark = "          <erp:Remark>Levering binnen twee werkdagen, factuur per maand.</erp:Remark>\n";
  ASSERT_NE(prefixed.find(remark), std::string::npos);
  prefixed.erase(prefixed.find(remark), remark.size());
  const std::pair<const char*, std::string> cases[] = {
      {"the last child is kept", example_response},
      {"the last child is dropped",
       first_candidate("<Preselected>true</Preselected>\n          <Delivery>2 dagen</Delivery>\n        </Supplier>")},
      {"a comment after the last child",
       first_candidate("<Preselected>true</Preselected>\n          <!-- checked -->\n        </Supplier>")},
      {"the last child on the same line",
       first_candidate("<Preselected>true</Preselected><Delivery/></Supplier>")},
      {"tabs", first_candidate("<Preselected>true</Preselected>\n\t\t\t<Delivery>x</Delivery>\n\t\t</Supplier>")},
      {"prefixed names", prefixed},
  };
  // BLOEM-03 injected first with a note, the rest as they were, no other
  // note: only the injected copy needs the created element.
  const MakeDecision inject_with_note = [](const Shortlist& shortlist) {
    Decision d;
    d.reason = Reason::applied;
    d.default_supplier_id = "BLOEM-03";
    Placement injected;
    injected.supplier_id = "BLOEM-03";
    injected.injected = true;
    injected.social = true;
    injected.preselected = true;
    d.order.push_back(injected);
    for (std::size_t i = 0; i < shortlist.candidates.size(); ++i) {
      Placement p;
      p.supplier_id = shortlist.candidates[i].supplier_id;
      p.source = i;
      d.order.push_back(p);
    }
    d.notes.push_back(candidate_note("BLOEM-03", "Kwekerij Samen: 9 banen & <meer>."));
    return d;
  };
  // The order kept, a note for every candidate: each one lacking the
  // element gets it created in place.
  const MakeDecision note_for_each = [](const Shortlist& shortlist) {
    Decision d = flag_only(shortlist);
    for (const Candidate& c : shortlist.candidates) {
      d.notes.push_back(candidate_note(c.supplier_id, "Notitie & <" + c.supplier_id + ">"));
    }
    return d;
  };
  const Policy policy = flowers_policy();
  for (const auto& [label, doc] : cases) {
    EXPECT_TRUE(compare(adapter, doc, label)) << label << ": expected the fast path to take it";
    for (const MakeDecision& make : {inject_with_note, note_for_each}) {
      const Outcome f = run(adapter, doc, make, policy, false);
      const Outcome d = run(adapter, doc, make, policy, true);
      EXPECT_TRUE(f.fast) << label;
      EXPECT_EQ(d.text, f.text) << label;
    }
    EXPECT_NE(run(adapter, doc, inject_with_note, policy, false).text.find("banen &amp; &lt;meer&gt;.</"),
              std::string::npos) << label;
    EXPECT_NE(run(adapter, doc, note_for_each, policy, false).text.find("Notitie &amp; &lt;FLR-"), std::string::npos)
        << label;
  }
}

// The n-th (from 0) occurrence of from replaced by to.
std::string replace_nth(std::string text, std::string_view from, std::string_view to, int n) {
  std::size_t at = text.find(from);
  for (int k = 0; k < n && at != std::string::npos; ++k) at = text.find(from, at + 1);
  EXPECT_NE(at, std::string::npos) << from << " #" << n;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The scan takes a candidate's child whose start tag is byte for byte the
// one at the same place in the candidate before as that one was resolved;
// these change what the same bytes mean, or where they are, from one
// candidate to the next.
TEST(SoapFastPath, RepeatedChildTagsOfCandidatesAreResolvedAgainWhenTheirMeaningChanges) {
  const SoapAdapter adapter = example_adapter();
  const std::string base = example("shortlist-response.xml");
  const std::string prefixed = apply(base, {"p:Name", {{"<Name>", "<p:Name>"}, {"</Name>", "</p:Name>"}}});
  const std::string declared_on_each =
      apply(prefixed, {"", {{"<Supplier>", "<Supplier xmlns:p=\"urn:example:erp:purchasing:1\">"}}});
  EXPECT_TRUE(compare(adapter, declared_on_each, "prefix declared on every candidate"));
  // Declared by the first candidate only: the second's p:Name is unbound.
  const std::string first_only =
      replace_nth(prefixed, "<Supplier>", "<Supplier xmlns:p=\"urn:example:erp:purchasing:1\">", 0);
  EXPECT_FALSE(compare(adapter, first_only, "prefix declared by the first candidate only"));
  // Declared again, for another namespace: the second's p:Name is not the mapped name.
  const std::string rebound =
      replace_nth(declared_on_each, "xmlns:p=\"urn:example:erp:purchasing:1\"", "xmlns:p=\"urn:other\"", 1);
  compare(adapter, rebound, "prefix bound to another namespace by the second candidate");
  // Declared on the Suppliers element and again, for another namespace, by
  // the third candidate only.
  const std::string outer = apply(prefixed, {"", {{"<Suppliers>", "<Suppliers xmlns:p=\"urn:example:erp:purchasing:1\">"}}});
  EXPECT_TRUE(compare(adapter, outer, "prefix declared around the candidates"));
  compare(adapter, replace_nth(outer, "<Supplier>", "<Supplier xmlns:p=\"urn:other\">", 2),
          "prefix declared around the candidates and bound to another namespace by the third");
  // The default namespace: undeclared on a child by the second candidate.
  compare(adapter, replace_nth(base, "<Name>", "<Name xmlns=\"\">", 1), "default namespace undeclared on a child");
  // Children in another order, one more, one fewer, an empty one, and a
  // start tag with a space before '>'.
  EXPECT_TRUE(compare(adapter,
                      replace_nth(base, "<SupplierId>BLOEM-02</SupplierId>\n          <Name>Groen &amp; Meer Leerwerkbedrijf</Name>",
                                  "<Name>Groen &amp; Meer Leerwerkbedrijf</Name>\n          <SupplierId>BLOEM-02</SupplierId>", 0),
                      "children in another order"));
  EXPECT_TRUE(compare(adapter, replace_nth(base, "<KvK>", "<Extra>x</Extra><KvK>", 2), "one more child"));
  EXPECT_TRUE(compare(adapter, replace_nth(base, "<KvK>70000002</KvK>", "", 0), "one fewer child"));
  EXPECT_TRUE(compare(adapter, replace_nth(base, "<KvK>70000001</KvK>", "<KvK/>", 0), "an empty child"));
  EXPECT_TRUE(compare(adapter, replace_nth(base, "<Name>", "<Name >", 3), "a space before '>'"));
  // A known tag as a grandchild: it matches no mapped field there.
  EXPECT_TRUE(compare(adapter, replace_nth(base, "<KvK>60000200</KvK>", "<Extra><KvK>1</KvK></Extra><KvK>60000200</KvK>", 0),
                      "a known tag one level deeper"));
}

// Known tags with attributes: the flag is an attribute of a child whose
// start tag is the same in every candidate, or of the candidate's own
// start tag, the same in every candidate but the first; each candidate's
// flag must be found in its own bytes (writing the last one's must not
// touch the one before it).
TEST(SoapFastPath, RepeatedTagsWithAttributesAreReadAndWrittenWhereTheyAre) {
  for (const bool on_candidate : {false, true}) {
    const std::string flag = on_candidate ? "@voorkeur" : "b:Status/@voorkeur";
    const auto mapping = parse_mapping(R"(<mapping xmlns="urn:socialdefault:mapping:1" name="flag in an attribute">
  <namespace prefix="b" uri="urn:example:bestel:2"/>
  <shortlist>
    <response element="b:Antwoord"/>
    <candidates path="b:Leverancier">
      <id path="b:Code"/>
      <name path="b:Naam"/>
      <price path="b:Prijs/@bedrag"/>
      <currency path="b:Prijs/@munt"/>
      <preselected path=")" + flag + R"(" true="J" false="N"/>
    </candidates>
  </shortlist>
</mapping>)",
                                       "flag-in-an-attribute.mapping.xml");
    ASSERT_TRUE(mapping.ok()) << mapping.error().describe();
    const SoapAdapter adapter(*mapping, {});
    std::string doc =
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><b:Antwoord xmlns:b=\"urn:example:bestel:2\">";
    for (const char* code : {"XMAS-R1", "XMAS-S2", "XMAS-R2", "XMAS-R3"}) {
      const std::string value = std::string_view(code) == "XMAS-R1" ? "J" : "N";
      doc += "\n<b:Leverancier" + (on_candidate ? " voorkeur=\"" + value + "\"" : std::string()) + "><b:Code>" + code +
             "</b:Code><b:Naam>N " + code + "</b:Naam><b:Prijs munt=\"EUR\" bedrag=\"20.00\">20</b:Prijs>" +
             (on_candidate ? std::string() : "<b:Status voorkeur=\"" + value + "\">s</b:Status>") + "</b:Leverancier>";
    }
    doc += "\n</b:Antwoord></s:Body></s:Envelope>";
    EXPECT_TRUE(compare(adapter, doc, flag + " with the same start tag in every candidate")) << flag;
  }
}

// A repeated child of a candidate whose content is text up to its end tag
// is taken whole (Scanner::leaf); when it is anything else after the same
// start tag (a comment, CDATA, a child, a reference, an end tag with space
// or of another name, no content) it is read as any element, and both
// paths give the same result or the same error.
TEST(SoapFastPath, ARepeatedChildThatIsNotPlainTextIsReadAsAnyElement) {
  const SoapAdapter adapter = example_adapter();
  const std::string base = bench::shortlist_response(6);
  const std::string name = "<erp:Name>Bloemen Groothandel 5</erp:Name>";
  ASSERT_NE(base.find(name), std::string::npos);
  const std::string remark = "<erp:Remark>Levering binnen twee werkdagen, factuur per maand.</erp:Remark>";
  ASSERT_NE(base.find(remark), std::string::npos);
  struct Case {
    std::string label, from, to;
    bool fast;
  };
  const std::vector<Case> cases = {
      {"comment in the name", name, "<erp:Name><!-- c -->Bloemen Groothandel 5</erp:Name>", true},
      {"CDATA in the name", name, "<erp:Name>Bloemen <![CDATA[Groot<handel>]]> 5</erp:Name>", true},
      {"a child in the name", name, "<erp:Name>Bloemen <erp:Nb/>Groothandel 5</erp:Name>", true},
      {"a reference in the name", name, "<erp:Name>Bloemen &amp; Groothandel 5</erp:Name>", true},
      {"a bare ampersand in the name", name, "<erp:Name>Bloemen & Groothandel 5</erp:Name>", false},
      {"space before the end tag's '>'", name, "<erp:Name>Bloemen Groothandel 5</erp:Name\n >", true},
      {"an end tag of a longer name", name, "<erp:Name>Bloemen Groothandel 5</erp:NameX>", false},
      {"an end tag of the parent", name, "<erp:Name>Bloemen Groothandel 5</erp:Supplier>", false},
      {"an empty name", name, "<erp:Name></erp:Name>", true},
      {"'>' in the name", name, "<erp:Name>Bloemen > Groothandel 5</erp:Name>", true},
      {"comment in every remark", remark, "<erp:Remark>Levering<!-- x --></erp:Remark>", true},
      {"every remark empty", remark, "<erp:Remark></erp:Remark>", true},
  };
  for (const Case& c : cases) {
    std::string doc = base;  // the name of the sixth candidate, the remark of every one
    for (std::size_t at = 0; (at = doc.find(c.from, at)) != std::string::npos; at += c.to.size()) {
      doc.replace(at, c.from.size(), c.to);
    }
    EXPECT_EQ(compare(adapter, doc, c.label), c.fast) << c.label;
  }
}

// How many candidates of bytes the fast path recorded from the shape of a
// candidate before them (CandidateShape in fast_scan.cpp); -1: the DOM path.
// On this thread, whose shape from the message before may check the first
// candidate too.
long shaped_candidates_here(const SoapAdapter& adapter, std::string_view bytes) {
  auto message = adapter.recognise(bytes);
  if (!message) return -1;
  const FastShortlist* fast = static_cast<const SoapMessage&>(**message).fast();
  return fast == nullptr ? -1 : static_cast<long>(fast->shaped_candidates);
}

// The same on a thread of its own, which has seen no message before.
long shaped_candidates(const SoapAdapter& adapter, std::string_view bytes) {
  long count = -1;
  std::thread([&] { count = shaped_candidates_here(adapter, bytes); }).join();
  return count;
}

// A candidate whose markup repeats the one before it is recorded from that
// one's shape; one that differs anywhere is read as any other and is the
// shape for the next ones; a candidate that declares a namespace or holds
// CDATA is never a shape. Both paths agree on each document, and the count
// of candidates recorded from a shape says which way each went.
TEST(SoapFastPath, CandidatesLikeTheOneBeforeAreRecordedFromItsShape) {
  const SoapAdapter adapter = example_adapter();
  const std::string base = bench::shortlist_response(6);
  const std::string name = "<erp:Name>Bloemen Groothandel 3</erp:Name>";  // the fourth candidate's
  const std::string id = "<erp:SupplierId>FLR-1003</erp:SupplierId>";
  const std::string kvk = "\n          <erp:KvK>60000003</erp:KvK>";
  const std::string remark = "<erp:Remark>Levering binnen twee werkdagen, factuur per maand.</erp:Remark>";  // every one's
  for (const std::string* from : {&name, &id, &kvk, &remark}) ASSERT_NE(base.find(*from), std::string::npos) << *from;
  struct Case {
    std::string label, from, to;
    long shaped;
  };
  const std::vector<Case> cases = {
      {"as generated", "", "", 5},
      {"a reference in the fourth's name", name, "<erp:Name>Bloemen &amp; Groothandel 3</erp:Name>", 5},
      {"an empty name in the fourth", name, "<erp:Name></erp:Name>", 5},
      {"'>' in the fourth's name", name, "<erp:Name>Bloemen > Groothandel 3</erp:Name>", 5},
      // The fourth differs: read, and its shape kept beside the first's,
      // against which the fifth and the sixth are recorded (CDATA: the
      // fourth is no shape).
      {"a comment in the fourth's name", name, "<erp:Name><!-- c -->Bloemen Groothandel 3</erp:Name>", 4},
      {"a child in the fourth's name", name, "<erp:Name>Bloemen <erp:Nb/>Groothandel 3</erp:Name>", 4},
      {"CDATA in the fourth's name", name, "<erp:Name><![CDATA[Bloemen]]></erp:Name>", 4},
      {"another attribute value in the fourth", "<erp:UnitPrice currency=\"EUR\">43.11",
       "<erp:UnitPrice currency=\"USD\">43.11", 4},
      {"other white space in the fourth", kvk, "\n\t<erp:KvK>60000003</erp:KvK>", 4},
      {"a self-closing child in the fourth", remark + "\n        </erp:Supplier>\n        <erp:Supplier>\n          " + id,
       remark + "\n        </erp:Supplier>\n        <erp:Supplier>\n          <erp:Extra/>" + id, 4},
      // The fourth is read and is not a shape, and the first's shape no
      // longer fits (a namespace was declared since): the fifth is read
      // and is one.
      {"a declaration in the fourth", id, "<erp:SupplierId xmlns:x=\"urn:x\">FLR-1003</erp:SupplierId>", 3},
      {"a declaration in every candidate", "<erp:Supplier>", "<erp:Supplier xmlns:x=\"urn:x\">", 0},
      {"CDATA in every candidate", remark, "<erp:Remark><![CDATA[Levering]]></erp:Remark>", 0},
      {"an undefined reference in the fourth's name", name, "<erp:Name>Bloemen &x; Groothandel 3</erp:Name>", -1},
      {"a bare '<' in the fourth's name", name, "<erp:Name>Bloemen < Groothandel 3</erp:Name>", -1},
  };
  for (const Case& c : cases) {
    std::string doc = base;
    for (std::size_t at = 0; !c.from.empty() && (at = doc.find(c.from, at)) != std::string::npos; at += c.to.size()) {
      doc.replace(at, c.from.size(), c.to);
    }
    ASSERT_NE(doc, c.from.empty() ? std::string() : base) << c.label;
    EXPECT_EQ(compare(adapter, doc, c.label), c.shaped >= 0) << c.label;
    EXPECT_EQ(shaped_candidates(adapter, doc), c.shaped) << c.label;
  }
}

// The shape outlives its message: the next message's first candidate is
// checked against it when the namespace declarations in scope, the
// encoding and the mapping are the same and the shape has no value of the
// candidate's own; otherwise that candidate is read, and is the shape.
TEST(SoapFastPath, TheShapeOfTheMessageBeforeChecksTheFirstCandidateWhereItFits) {
  const SoapAdapter adapter = example_adapter();
  const std::string base = bench::shortlist_response(6);
  const auto edit = [](std::string doc, const std::vector<std::pair<std::string, std::string>>& edits) {
    for (const auto& [from, to] : edits) {
      std::size_t at = doc.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      for (; at != std::string::npos; at = doc.find(from, at + to.size())) doc.replace(at, from.size(), to);
    }
    return doc;
  };
  // The candidates' ids under a prefix of their own, bound to the ERP's
  // namespace on the payload, or to another one: the same candidate bytes.
  const std::string payload = "<erp:GetSupplierShortlistResponse xmlns:erp=\"urn:example:erp:purchasing:1\"";
  const auto prefixed = [&](const std::string& uri) {
    return edit(base, {{payload, payload + " xmlns:c=\"" + uri + "\""},
                       {"<erp:SupplierId>", "<c:SupplierId>"},
                       {"</erp:SupplierId>", "</c:SupplierId>"}});
  };
  const std::string bound = prefixed("urn:example:erp:purchasing:1");
  const std::string elsewhere = prefixed("urn:example:other");
  const std::string ascii = edit(base, {{"encoding=\"UTF-8\"", "encoding=\"US-ASCII\""}});
  const std::string own_value = edit(base, {{"<erp:Supplier>\n", "<erp:Supplier>los\n"}});
  std::thread([&] {
    EXPECT_EQ(shaped_candidates_here(adapter, base), 5);
    EXPECT_EQ(shaped_candidates_here(adapter, base), 6);
    // Ids in another namespace: not the ids, whatever the bytes.
    EXPECT_EQ(shaped_candidates_here(adapter, bound), 5);
    EXPECT_EQ(shaped_candidates_here(adapter, bound), 6);
    EXPECT_TRUE(compare(adapter, elsewhere, "ids in another namespace after ids in the ERP's"));
    auto message = adapter.recognise(elsewhere);
    ASSERT_TRUE(message.ok());
    EXPECT_FALSE(adapter.read_shortlist(**message, nullptr).ok()) << "no candidate has an id";
    EXPECT_TRUE(compare(adapter, bound, "ids under a prefix after ids in another namespace"));
    EXPECT_EQ(shaped_candidates_here(adapter, bound), 6);
    EXPECT_EQ(shaped_candidates_here(adapter, ascii), 5);
    // The shape learned under UTF-8 is still kept beside the US-ASCII one.
    EXPECT_EQ(shaped_candidates_here(adapter, base), 6);
    // A value of the candidate's own decides how a supplier is injected:
    // the first candidate is read (and learned, each message).
    EXPECT_EQ(shaped_candidates_here(adapter, own_value), 5);
    EXPECT_EQ(shaped_candidates_here(adapter, own_value), 5);
    EXPECT_TRUE(compare(adapter, own_value, "a value of the candidates' own"));
    // Those four learnings (compare scans twice) took the places of the
    // shapes matched least recently, the base one last: read again.
    EXPECT_EQ(shaped_candidates_here(adapter, base), 5);
    EXPECT_TRUE(compare(adapter, base, "after a value of the candidates' own"));
  }).join();
}

// Candidates that are the payload's own children may be named by a
// payload field (here the correlation id is the first one's code): reading
// such a candidate records that field, so the shape of the message before
// does not check them.
TEST(SoapFastPath, CandidatesUnderThePayloadAreReadInEachMessage) {
  std::string text = golden("attributes.mapping.xml");
  const std::string correlation = "<correlation-id path=\"@aanvraag\"/>";
  ASSERT_NE(text.find(correlation), std::string::npos);
  text.replace(text.find(correlation), correlation.size(), "<correlation-id path=\"b:Leverancier/@code\"/>");
  const auto mapping = parse_mapping(text, "attributes-correlation.mapping.xml");
  ASSERT_TRUE(mapping.ok()) << mapping.error().describe();
  const SoapAdapter adapter(*mapping, {});
  const std::string doc =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
      "<b:LeveranciersAntwoord xmlns:b=\"urn:example:bestel:2\"><b:Categorie>XMAS</b:Categorie>\n"
      "<b:Leverancier code=\"XMAS-R1\" prijs=\"24.95\" voorkeur=\"J\"><b:Naam>Kerstpakket NL</b:Naam></b:Leverancier>\n"
      "<b:Leverancier code=\"XMAS-R1\" prijs=\"24.95\" voorkeur=\"J\"><b:Naam>Kerstpakket BE</b:Naam></b:Leverancier>\n"
      "</b:LeveranciersAntwoord></s:Body></s:Envelope>";
  std::thread([&] {
    for (int message = 0; message < 3; ++message) {
      EXPECT_TRUE(compare(adapter, doc, "message " + std::to_string(message))) << message;
      EXPECT_EQ(shaped_candidates_here(adapter, doc), 1) << message;
    }
  }).join();
}

// A shape whose storage grew past what the thread keeps (here its markup:
// 20 KB of white space in each candidate, which is markup) is let go whole,
// not kept without its markup: the next message's first candidate is read,
// and a shape beside it is kept.
TEST(SoapFastPath, AShapeTooLargeToKeepIsLetGoWhole) {
  const SoapAdapter adapter = example_adapter();
  const std::string base = bench::shortlist_response(3);
  const std::string remark = "<erp:Remark>Levering binnen twee werkdagen, factuur per maand.</erp:Remark>";
  std::string large = base;
  for (std::size_t at = 0; (at = large.find(remark, at)) != std::string::npos; at += 20000 + remark.size()) {
    large.insert(at, std::string(20000, ' '));
  }
  ASSERT_EQ(large.size(), base.size() + 3 * 20000);
  std::thread([&] {
    EXPECT_EQ(shaped_candidates_here(adapter, base), 2);
    EXPECT_EQ(shaped_candidates_here(adapter, large), 2);
    EXPECT_EQ(shaped_candidates_here(adapter, large), 2) << "the large shape was kept";
    EXPECT_EQ(shaped_candidates_here(adapter, base), 3) << "the small shape was not kept";
    EXPECT_TRUE(compare(adapter, large, "candidates of 20 KB of markup"));
    EXPECT_TRUE(compare(adapter, base, "after them"));
  }).join();
}

// Candidates in a few shapes (a remark some have, extra children others
// have): the thread keeps the last four shapes and checks a candidate
// against the one the candidate before matched first, then the others, so
// each is recorded from its own; a list whose candidates are all unlike
// each other is read candidate by candidate, and both paths agree.
TEST(SoapFastPath, CandidatesOfSeveralShapesAreEachRecordedFromTheirOwn) {
  const SoapAdapter adapter = example_adapter();
  const std::string base = bench::shortlist_response(12);
  const std::string remark = "<erp:Remark>Levering binnen twee werkdagen, factuur per maand.</erp:Remark>";
  const std::string end = "</erp:Supplier>";
  // extra(k): k more children in candidate k (counted from 0).
  const auto with = [&](const std::function<std::string(int)>& extra, bool drop_odd_remarks) {
    std::string doc = base;
    std::size_t at = 0;
    for (int k = 0; (at = doc.find(end, at)) != std::string::npos; ++k) {
      std::string insert = extra(k);
      if (drop_odd_remarks && k % 2 == 1) {
        const std::size_t r = doc.rfind(remark, at);
        doc.erase(r, remark.size());
        at -= remark.size();
      }
      doc.insert(at, insert);
      at += insert.size() + end.size();
    }
    return doc;
  };
  const auto children = [](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += "<erp:X>" + std::to_string(i) + "</erp:X>";
    return out;
  };
  const std::string two = with([](int) { return std::string(); }, true);
  const std::string four = with([&](int k) { return children(k % 4); }, false);
  const std::string unlike = with([&](int k) { return children(k); }, false);
  ASSERT_NE(two, base);
  std::thread([&] {
    EXPECT_EQ(shaped_candidates_here(adapter, two), 10) << "two shapes in turn: the first of each read";
    EXPECT_EQ(shaped_candidates_here(adapter, two), 12) << "both kept from the message before";
    EXPECT_TRUE(compare(adapter, two, "two shapes in turn"));
    // The first of these four has the shape of the even ones before.
    EXPECT_EQ(shaped_candidates_here(adapter, four), 9) << "four shapes in turn: the first of three read";
    EXPECT_EQ(shaped_candidates_here(adapter, four), 12) << "all four kept from the message before";
    EXPECT_TRUE(compare(adapter, four, "four shapes in turn"));
    // Candidates with 0, 1, 2, ... 11 extra children: the first four have
    // the shapes of the message before, the others none.
    EXPECT_EQ(shaped_candidates_here(adapter, unlike), 4);
    EXPECT_TRUE(compare(adapter, unlike, "candidates unlike each other"));
  }).join();
  EXPECT_EQ(shaped_candidates(adapter, unlike), 0) << "on a thread that has seen no message";
  EXPECT_EQ(shaped_candidates(adapter, four), 8) << "on a thread that has seen no message";
}

// Children of the candidates' parent that are not candidates (notes among
// the suppliers) differ from every shape in their first chunk and do not
// count against the shapes: eight of them after each of the first four
// candidates leave every candidate after the first recorded from its shape.
TEST(SoapFastPath, OtherChildrenAmongTheCandidatesLeaveTheShapesAsTheyAre) {
  const SoapAdapter adapter = example_adapter();
  std::string doc = bench::shortlist_response(20);
  const std::string end = "</erp:Supplier>";
  std::string notes;
  for (int k = 0; k < 8; ++k) notes += "\n        <erp:Note>" + std::to_string(k) + "</erp:Note>";
  std::size_t at = 0;
  for (int candidate = 0; candidate < 4; ++candidate) {
    at = doc.find(end, at);
    ASSERT_NE(at, std::string::npos);
    at += end.size();
    doc.insert(at, notes);
    at += notes.size();
  }
  EXPECT_TRUE(compare(adapter, doc, "notes among the candidates"));
  EXPECT_EQ(shaped_candidates(adapter, doc), 19);
}

TEST(SoapFastPath, BenchmarkDocumentsTakeTheFastPathAndMatch) {
  const SoapAdapter adapter = example_adapter();
  for (int n : {1, 2, 10, 50, 500}) {
    const std::string doc = bench::shortlist_response(n);
    EXPECT_TRUE(compare(adapter, doc, "bench " + std::to_string(n))) << n;
    // Every candidate after the first repeats its tags.
    EXPECT_EQ(shaped_candidates(adapter, doc), n - 1) << n;
    // Four shapes in turn: every candidate after the first of each.
    const std::string varied = bench::shortlist_response(n, bench::Shapes::varied);
    EXPECT_TRUE(compare(adapter, varied, "bench varied " + std::to_string(n))) << n;
    EXPECT_EQ(shaped_candidates(adapter, varied), std::max(0, n - 4)) << n;
  }
}

// Reading into one reused Shortlist (as the gateway's io thread does)
// gives exactly what a fresh read gives, whatever the shortlist before it
// held: more or fewer candidates, a price, an identifier or a preselected
// flag the next one lacks, a message the DOM path reads, and an error.
TEST(SoapFastPath, ReadingIntoAReusedShortlistGivesWhatAFreshReadGives) {
  const SoapAdapter adapter = example_adapter();
  const std::string base = example("shortlist-response.xml");
  const Variant bare{"first candidate bare",
                     {{"<KvK>60000100</KvK>", ""},
                      {"<UnitPrice currency=\"EUR\">42.50</UnitPrice>", ""},
                      {"<Preselected>true</Preselected>", ""},
                      {"<RequisitionId>REQ-2026-004711</RequisitionId>", "<RequisitionId>R-2</RequisitionId>"}}};
  std::vector<std::pair<std::string, std::string>> inputs = {
      {"bench 50", bench::shortlist_response(50)},
      {"example", base},
      {"first candidate bare", apply(base, bare)},
      {"bench 500", bench::shortlist_response(500)},
      {"bench 1", bench::shortlist_response(1)},
      {"example again", base},
  };
  for (const Variant& v : variants()) inputs.emplace_back(v.name, apply(base, v));
  inputs.emplace_back("bench 3", bench::shortlist_response(3));

  Shortlist reused;
  int fast_reads = 0, failed_reads = 0;
  for (const auto& [label, bytes] : inputs) {
    auto message = adapter.recognise(bytes);
    if (!message || (*message)->kind() != MessageKind::shortlist_response) continue;
    fast_reads += static_cast<const SoapMessage&>(**message).fast() != nullptr ? 1 : 0;
    auto fresh = adapter.read_shortlist(**message, nullptr);
    auto into = adapter.read_shortlist_into(**message, nullptr, reused);
    ASSERT_EQ(into.ok(), fresh.ok()) << label;
    if (!fresh) {
      ++failed_reads;
      EXPECT_EQ(describe(into.error()), describe(fresh.error())) << label;
      continue;
    }
    EXPECT_EQ(dump(reused), dump(*fresh)) << label;
  }
  EXPECT_GE(fast_reads, 20) << "the fast path should take most of these";
  EXPECT_GE(failed_reads, 1) << "one of the inputs should fail to read";
}

// A thread's scan fills the FastShortlist the thread dropped last
// (FastShortlistRelease). Whatever that one held (more candidates, a
// payload attribute, another prefix), a message scanned into it gives what
// it gives on a thread that never scanned; and a message still alive keeps
// its own while others are scanned and dropped.
TEST(SoapFastPath, AScanIntoTheStorageOfTheMessageBeforeGivesWhatAFirstScanGives) {
  const SoapAdapter adapter = example_adapter();
  const Policy policy = flowers_policy();
  const std::string base = example("shortlist-response.xml");
  const Variant no_system{"no code system", {{"<Category listID=\"CPV\">", "<Category>"}}};
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"bench 500", bench::shortlist_response(500)},
      {"example", base},
      {"example without the category's code system", apply(base, no_system)},
      {"bench 1", bench::shortlist_response(1)},
      {"bench 50", bench::shortlist_response(50)},
      {"example again", base},
  };
  // The outcome, and the namespace scopes the scan recorded for copies of
  // candidates (which the outcome shows only when a copy is needed).
  const auto scan = [&](const std::string& bytes) {
    Outcome o = run(adapter, bytes, inject_and_reverse, policy, false);
    auto message = adapter.recognise(bytes);
    const FastShortlist* fast = message ? static_cast<const SoapMessage&>(**message).fast() : nullptr;
    for (std::size_t k = 0; fast != nullptr && k < fast->scopes.size(); ++k) {
      o.text += "\nscope " + fast->scopes[k].open + " x" + std::to_string(fast->scopes[k].wrappers) + " of " +
                std::to_string(fast->scopes[k].declarations.size());
    }
    return o;
  };
  const auto first_scan = [&](const std::string& bytes) {
    Outcome o;
    std::thread([&] { o = scan(bytes); }).join();
    return o;
  };
  for (const auto& [label, bytes] : inputs) {
    const Outcome expected = first_scan(bytes);
    ASSERT_TRUE(expected.fast) << label;
    EXPECT_NE(expected.text.find("\nscope <w"), std::string::npos) << label;
    const Outcome got = scan(bytes);
    EXPECT_TRUE(got.fast) << label;
    EXPECT_EQ(got.text, expected.text) << label;
  }

  const std::string kept_bytes = bench::shortlist_response(10);
  auto kept = adapter.recognise(kept_bytes);
  ASSERT_TRUE(kept.ok());
  const std::string expected = dump(*adapter.read_shortlist(**kept, nullptr));
  for (const auto& [label, bytes] : inputs) {
    EXPECT_TRUE(run(adapter, bytes, inject_and_reverse, policy, false).fast) << label;
    auto read = adapter.read_shortlist(**kept, nullptr);
    ASSERT_TRUE(read.ok()) << label;
    EXPECT_EQ(dump(*read), expected) << "after " << label;
  }
}

// parse_mapping makes the scan's plan once; a copy of the Mapping carries
// the original's plan, which points into the original: the scan must not use
// it (under ASan, using it after the original is gone would fail here).
TEST(SoapFastPath, ACopiedMappingDoesNotUseTheOriginalsPlan) {
  std::shared_ptr<const Mapping> original = example_mapping();
  ASSERT_NE(original->fast_scan_plan, nullptr);
  auto copy = std::make_shared<Mapping>(*original);
  copy->shortlist->candidates.id = original->shortlist->candidates.name;  // the copy reads ids from names
  original.reset();
  const SoapAdapter adapter(copy, {});
  auto message = adapter.recognise(bench::shortlist_response(3));
  ASSERT_TRUE(message.ok()) << message.error().describe();
  ASSERT_NE(static_cast<const SoapMessage&>(**message).fast(), nullptr);
  auto shortlist = adapter.read_shortlist(**message, nullptr);
  ASSERT_TRUE(shortlist.ok()) << shortlist.error().describe();
  ASSERT_EQ(shortlist->candidates.size(), 3u);
  EXPECT_EQ(shortlist->candidates[0].supplier_id, "Bloemen Groothandel 0");
}

// A shortlist request takes the fast path too (the context fields the
// mapping reads from it); every mix of the two paths for request and
// response reads and rewrites the same.
TEST(SoapFastPath, ContextFromTheRequestIsReadTheSameWay) {
  const SoapAdapter adapter = example_adapter();
  const std::string request_bytes = example("shortlist-request.xml");
  auto request = adapter.recognise(request_bytes);
  ASSERT_TRUE(request.ok()) << request.error().describe();
  EXPECT_EQ((*request)->kind(), MessageKind::shortlist_request);
  EXPECT_NE(static_cast<const SoapMessage&>(**request).fast(), nullptr);
  std::unique_ptr<Message> dom_request;
  {
    FastPathOff off;
    auto parsed = adapter.recognise(request_bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
    EXPECT_EQ(static_cast<const SoapMessage&>(**parsed).fast(), nullptr);
    dom_request = std::move(parsed).value();
  }
  const Policy policy = flowers_policy();
  const std::string response = example("shortlist-response.xml");
  const Outcome f = run(adapter, response, inject_and_reverse, policy, false, request->get());
  EXPECT_TRUE(f.fast);
  EXPECT_NE(f.text.find("department=Burgerzaken"), std::string::npos) << f.text;
  EXPECT_EQ(run(adapter, response, inject_and_reverse, policy, true, request->get()).text, f.text);
  EXPECT_EQ(run(adapter, response, inject_and_reverse, policy, false, dom_request.get()).text, f.text);
  EXPECT_EQ(run(adapter, response, inject_and_reverse, policy, true, dom_request.get()).text, f.text);
}

// Random byte edits of a small response with markup-heavy characters: both
// paths must agree on every one (most are refused, which is the point: the
// fast path must never accept what the DOM path refuses).
// SD_FAST_PATH_MUTATIONS and SD_FAST_PATH_SEED run more of them locally.
Comparison mutate_and_compare(const SoapAdapter& adapter, const std::vector<std::string>& seeds, int rounds) {
  static constexpr std::string_view kAlphabet = "<>&;#x\"'/:=!-[]? \r\n\tCDATAxmlns0aZ\xC3\xA9";
  const char* seed = std::getenv("SD_FAST_PATH_SEED");
  std::mt19937 random(seed != nullptr ? static_cast<unsigned>(std::atoi(seed)) : 20261127u);
  Comparison stats;
  for (int round = 0; round < rounds; ++round) {
    std::string doc = seeds[random() % seeds.size()];
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits && !doc.empty(); ++e) {
      const std::size_t at = random() % doc.size();
      switch (random() % 4) {
        case 0: doc.erase(at, 1 + random() % 3); break;
        case 1: doc.insert(at, 1, kAlphabet[random() % kAlphabet.size()]); break;
        case 2: doc[at] = kAlphabet[random() % kAlphabet.size()]; break;
        default: {
          const std::size_t from = random() % doc.size();
          doc.insert(at, doc.substr(from, 1 + random() % 40));
        }
      }
    }
    compare(adapter, doc, "mutation " + std::to_string(round), &stats);
    if (::testing::Test::HasFailure()) break;
  }
  return stats;
}

int mutation_rounds(int otherwise) {
  const char* count = std::getenv("SD_FAST_PATH_MUTATIONS");
  return count != nullptr ? std::atoi(count) : otherwise;
}

// Random byte edits of the shortlist request: recognised on either path,
// the kind (or the error) and the shortlist read with it as context (or the
// error) must be the same.
TEST(SoapFastPath, SeededRandomMutationsOfTheRequestGiveTheSameContextOnBothPaths) {
  static constexpr std::string_view kAlphabet = "<>&;#x\"'/:=!-[]? \r\n\tCDATAxmlns0aZ\xC3\xA9";
  const SoapAdapter adapter = example_adapter();
  const std::string seed = example("shortlist-request.xml");
  const std::string response_bytes = example("shortlist-response.xml");
  auto response = adapter.recognise(response_bytes);
  ASSERT_TRUE(response.ok()) << response.error().describe();
  std::mt19937 random(20261128u);
  const auto outcome = [&](std::string_view bytes, bool dom_only, bool& fast) {
    std::optional<FastPathOff> off;
    if (dom_only) off.emplace();
    auto request = adapter.recognise(bytes);
    if (!request) return "recognise: " + describe(request.error());
    fast = static_cast<const SoapMessage&>(**request).fast() != nullptr;
    std::string text = std::string("kind ") + to_string((*request)->kind()) + "\n";
    if ((*request)->kind() != MessageKind::shortlist_request) return text;
    auto shortlist = adapter.read_shortlist(**response, request->get());
    return text + (shortlist ? dump(*shortlist) : "read: " + describe(shortlist.error()));
  };
  int fast_taken = 0;
  const int rounds = mutation_rounds(1000);
  for (int round = 0; round < rounds; ++round) {
    std::string doc = seed;
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % doc.size();
      switch (random() % 3) {
        case 0: doc.erase(at, 1 + random() % 3); break;
        case 1: doc.insert(at, 1, kAlphabet[random() % kAlphabet.size()]); break;
        default: doc[at] = kAlphabet[random() % kAlphabet.size()];
      }
    }
    bool fast = false, unused = false;
    const std::string f = outcome(doc, false, fast);
    const std::string d = outcome(doc, true, unused);
    ASSERT_EQ(f, d) << "mutation " << round << ":\n" << doc;
    fast_taken += fast ? 1 : 0;
  }
  EXPECT_GT(fast_taken, rounds / 20) << "the fast path took too few of the mutations to mean anything";
}

TEST(SoapFastPath, SeededRandomMutationsGiveTheSameResultOnBothPaths) {
  const SoapAdapter adapter = example_adapter();
  std::vector<std::string> seeds = {example("shortlist-response.xml"), bench::shortlist_response(3)};
  for (const Variant& v : variants()) {
    if (v.fast) seeds.push_back(apply(seeds.front(), v));
  }
  // Candidates in two shapes in turn: every other one without its remark.
  std::string two = bench::shortlist_response(6);
  const std::string remark = "<erp:Remark>Levering binnen twee werkdagen, factuur per maand.</erp:Remark>";
  std::size_t k = 0;
  for (std::size_t at = two.find(remark); at != std::string::npos; at = two.find(remark, at), ++k) {
    if (k % 2 == 1) {
      two.erase(at, remark.size());
    } else {
      at += remark.size();
    }
  }
  ASSERT_EQ(k, 6u);
  seeds.push_back(two);
  const Comparison stats = mutate_and_compare(adapter, seeds, mutation_rounds(3000));
  EXPECT_GT(stats.fast, 100) << "the fast path took too few of the mutations to mean anything";
}

TEST(SoapFastPath, SeededRandomMutationsOfAttributeFieldsGiveTheSameResultOnBothPaths) {
  const auto mapping = parse_mapping(golden("attributes.mapping.xml"), "attributes.mapping.xml");
  ASSERT_TRUE(mapping.ok()) << mapping.error().describe();
  const SoapAdapter adapter(*mapping, {});
  const Comparison stats = mutate_and_compare(adapter, {golden("attributes.in.xml")}, mutation_rounds(1000));
  EXPECT_GT(stats.fast, 30) << "the fast path took too few of the mutations to mean anything";
}

// Whether the first candidate has text of its own decides how an injected
// supplier is copied; text inside its children, comments and '>' in
// attribute values must not count, CDATA of its own does.
TEST(SoapFastPath, OwnTextOfTheFirstCandidateIsToldFromTextInItsChildren) {
  const SoapAdapter adapter = example_adapter();
  const auto own_text = [&](const std::string& content) {
    const std::string doc =
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
        "<GetSupplierShortlistResponse xmlns=\"urn:example:erp:purchasing:1\"><RequisitionId>R-1</RequisitionId>"
        "<Category listID=\"CPV\">03121200-7</Category><Suppliers><Supplier>" +
        content + "</Supplier><Supplier>x<A/></Supplier></Suppliers></GetSupplierShortlistResponse></soap:Body></soap:Envelope>";
    auto message = adapter.recognise(doc);
    const FastShortlist* fast = message ? static_cast<const SoapMessage&>(**message).fast() : nullptr;
    EXPECT_NE(fast, nullptr) << content;
    return fast != nullptr && fast->candidates.size() == 2 && fast->candidates[0].own_text;
  };
  EXPECT_FALSE(own_text("\n  <A>x</A>\n  <B/>\n"));
  EXPECT_FALSE(own_text("<!-- a > b --><A c=\"1 > 0\" d='/>'>x<C>y</C></A>\r\n\t"));
  EXPECT_FALSE(own_text("<A><![CDATA[in a child]]></A>"));
  EXPECT_FALSE(own_text(""));
  EXPECT_TRUE(own_text("\n  <A>x</A> los\n"));
  EXPECT_TRUE(own_text("<A/>x"));
  EXPECT_TRUE(own_text("<A c=\"/>\">x</A><![CDATA[ ]]>"));
  EXPECT_TRUE(own_text("&amp;<A/>"));
  // Runs longer than the sixteen bytes a search takes at a time:
  // whitespace, a child's text, a tag with quoted '>' and '/>' far into it,
  // and text that starts after a long run of whitespace.
  const std::string blank(40, ' ');
  const std::string tag = "Aaaaaaaaaaaaaaaaaaaaaaaa";
  const std::string quoted = "<" + tag + " b=\"" + std::string(20, 'v') + "/>\" c='" + std::string(20, 'w') + ">'>";
  EXPECT_FALSE(own_text("\n" + blank + "<A>" + std::string(50, 'x') + "</A>\n" + blank + "<B/>\n" + blank));
  EXPECT_FALSE(own_text(blank + quoted + std::string(30, 'y') + "</" + tag + ">" + blank));
  EXPECT_FALSE(own_text(blank + "<!--" + std::string(30, '=') + "a-->" + blank + "<A><![CDATA[" + blank + "]]></A>"));
  EXPECT_TRUE(own_text(blank + quoted + "y</" + tag + ">" + blank + "z"));
  EXPECT_TRUE(own_text("\r\n\t" + blank + "." + blank + "<A/>"));
  EXPECT_TRUE(own_text(blank + "<A/>" + blank + blank + "\xC3\xA9"));
  EXPECT_TRUE(own_text(blank + "<![CDATA[" + blank + "]]>"));
}

TEST(SoapFastPath, SwitchingItOffIsPerThreadAndScoped) {
  EXPECT_FALSE(fast_path_disabled());
  {
    FastPathOff off;
    EXPECT_TRUE(fast_path_disabled());
    {
      FastPathOff nested;
      EXPECT_TRUE(fast_path_disabled());
    }
    EXPECT_TRUE(fast_path_disabled());
  }
  EXPECT_FALSE(fast_path_disabled());
}

}  // namespace
}  // namespace socialdefault::soap::testing
