// apply_decision(): golden input/output files compared byte for byte, the
// guarantees around them (only edited spans change, nothing is dropped,
// signed content and non-applied decisions are left alone) and every error.
#include <gtest/gtest.h>

#include <algorithm>

#include "encoding.hpp"
#include "soap_test_support.hpp"

namespace socialdefault::soap::testing {
namespace {

std::string to_crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Reads the rewritten message back: what the ordering screen will see.
Shortlist reread(const Adapter& adapter, std::string_view bytes) {
  auto message = adapter.recognise(bytes);
  EXPECT_TRUE(message.ok()) << (message.ok() ? "" : message.error().describe());
  if (!message.ok()) return {};
  auto shortlist = adapter.read_shortlist(**message, nullptr);
  EXPECT_TRUE(shortlist.ok()) << (shortlist.ok() ? "" : shortlist.error().describe());
  return shortlist.ok() ? *shortlist : Shortlist{};
}

std::vector<std::string> ids(const Shortlist& s) {
  std::vector<std::string> out;
  for (const Candidate& c : s.candidates) out.push_back(c.supplier_id);
  return out;
}

TEST(SoapRewrite, ExampleShortlistGetsTheSocialDefaultFirstAndKeepsEverySupplier) {
  const SoapAdapter adapter = example_adapter();
  const std::string input = example("shortlist-response.xml");
  auto out = rewrite(adapter, input, example_decision);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  expect_golden("example-response.out.xml", *out);

  const Shortlist after = reread(adapter, *out);
  EXPECT_EQ(ids(after), (std::vector<std::string>{"BLOEM-01", "BLOEM-02", "BLOEM-03", "FLR-100", "FLR-200", "FLR-300"}));
  for (const Candidate& c : after.candidates) EXPECT_EQ(c.preselected, c.supplier_id == "BLOEM-01") << c.supplier_id;
  EXPECT_EQ(after.candidates[2].name, "Kwekerij Samen");
  EXPECT_FALSE(after.candidates[2].price.has_value());  // the ERP quoted no price for it
  ASSERT_EQ(after.candidates[2].identifiers.size(), 1u);
  EXPECT_EQ(after.candidates[2].identifiers[0].value, "70000003");
  EXPECT_EQ(after.candidates[0].price, (Money{4850, "EUR"}));
  // Everything before the first candidate and after the last is untouched
  // (the message note is created after </Suppliers>).
  const std::size_t first = input.find("<Supplier>");
  EXPECT_EQ(out->substr(0, first), input.substr(0, first));
  const std::size_t tail = input.find("\n      </Suppliers>");
  EXPECT_EQ(out->substr(out->find("\n      </Suppliers>"), 20), input.substr(tail, 20));
}

TEST(SoapRewrite, Soap12ExampleWithCdataAndNumericLiterals) {
  const SoapAdapter adapter = example_adapter();
  auto out = rewrite(adapter, example("shortlist-response-soap12.xml"), example_decision);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  expect_golden("example-response-soap12.out.xml", *out);
  EXPECT_NE(out->find("<erp:Name><![CDATA[Groen & Meer Leerwerkbedrijf]]></erp:Name>"), std::string::npos);
  // Literals pair up by position (true="true 1" false="false 0"): the flags
  // keep their spelling, and only two of them change.
  EXPECT_EQ(out->find("<erp:Preselected>true"), std::string::npos);
  EXPECT_EQ(out->find("<erp:Preselected>false"), std::string::npos);
  EXPECT_NE(out->find("<erp:SupplierId>BLOEM-01</erp:SupplierId>\n          <erp:Name>Bloemenatelier De Werkplaats</erp:Name>"
                      "\n          <erp:KvK>70000001</erp:KvK>\n          <erp:UnitPrice currency=\"EUR\">48.50</erp:UnitPrice>"
                      "\n          <erp:Preselected>1</erp:Preselected>"),
            std::string::npos);
  EXPECT_NE(out->find("<erp:Message>Bestel voor 14:00 uur, dan wordt dezelfde dag geleverd. Sociale leveranciers"),
            std::string::npos);  // appended to the ERP's own message
  const Shortlist after = reread(adapter, *out);
  EXPECT_EQ(after.candidates[0].supplier_id, "BLOEM-01");
  EXPECT_TRUE(after.candidates[0].preselected);
}

TEST(SoapRewrite, CrlfLineEndsAreKeptEverywhereIncludingNewContent) {
  const SoapAdapter adapter = example_adapter();
  auto lf = rewrite(adapter, example("shortlist-response.xml"), example_decision);
  auto crlf = rewrite(adapter, to_crlf(example("shortlist-response.xml")), example_decision);
  ASSERT_TRUE(lf.ok() && crlf.ok());
  EXPECT_EQ(*crlf, to_crlf(*lf));
  EXPECT_EQ(std::count(crlf->begin(), crlf->end(), '\n'), std::count(crlf->begin(), crlf->end(), '\r'));
}

TEST(SoapRewrite, CommentsCdataTabsAndUnknownMarkupSurvive) {
  const SoapAdapter adapter = example_adapter();
  auto out = rewrite(adapter, golden("comments-cdata.in.xml"), [](const Shortlist& s) {
    return decision_for(s, {"BLOEM-01", "BLOEM-02", "FLR-100", "FLR-300"}, "BLOEM-01",
                        {candidate_note("BLOEM-01", "Werkt met 14 mensen met een afstand tot de arbeidsmarkt."),
                         candidate_note("FLR-100", "Vergelijk: 2 van de 3 collega's kozen sociaal."),
                         candidate_note("BLOEM-02", "22 banen <leerwerk> & begeleiding"),
                         message_note("Sociale keuze staat bovenaan.")});
  });
  ASSERT_TRUE(out.ok()) << out.error().describe();
  expect_golden("comments-cdata.out.xml", *out);
  // The flag's comment and the blanks around the old value stay.
  EXPECT_NE(out->find("<p:Preselected><!-- ERP default --> false </p:Preselected>"), std::string::npos);
  // A note after CDATA text is appended as escaped text after the section.
  EXPECT_NE(out->find("<p:Remark><![CDATA[Raamcontract & vaste prijs]]> Vergelijk: 2 van de 3 collega's kozen sociaal."
                      "</p:Remark>"),
            std::string::npos);
  // <p:Preselected/> is opened to take its value.
  EXPECT_NE(out->find("<p:Preselected>true</p:Preselected>"), std::string::npos);
  // A missing flag is created before the note element, with the candidate's prefix.
  EXPECT_NE(out->find("<p:Name>Tuincentrum Randstad</p:Name>\n\t\t\t\t\t<p:Preselected>false</p:Preselected>\n\t\t\t\t\t"
                      "<p:Remark>"),
            std::string::npos);
  const Shortlist after = reread(adapter, *out);
  EXPECT_EQ(ids(after), (std::vector<std::string>{"BLOEM-01", "BLOEM-02", "FLR-100", "FLR-300"}));
  EXPECT_EQ(after.candidates[2].name, "Bloemen Groothandel Holland <HQ>");
}

TEST(SoapRewrite, AttributeFieldsAreEditedInPlace) {
  const auto mapping = parse_mapping(golden("attributes.mapping.xml"), "attributes.mapping.xml");
  ASSERT_TRUE(mapping.ok()) << mapping.error().describe();
  const SoapAdapter adapter(*mapping, Limits{});
  Policy policy;
  for (auto [id, name, kvk] : {std::tuple{"XMAS-S1", "Kerstpakketten van Betekenis", "70000041"},
                               std::tuple{"XMAS-S2", "Pakketwerk Sociaal", "70000042"}}) {
    Supplier s;
    s.id = id;
    s.name = name;
    s.identifiers.push_back({"kvk", kvk});
    policy.suppliers.push_back(s);
  }
  auto out = rewrite(adapter, golden("attributes.in.xml"), [](const Shortlist& s) {
    return decision_for(s, {"XMAS-S2", "XMAS-S1", "XMAS-R1", "XMAS-R2"}, "XMAS-S2",
                        {candidate_note("XMAS-S2", "40 banen \"sociaal\""), message_note("Sociaal voorop")});
  }, policy);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  expect_golden("attributes.out.xml", *out);
  EXPECT_NE(out->find("<b:LeveranciersAntwoord xmlns:b=\"urn:example:bestel:2\" aanvraag=\"A-77\" melding=\"Sociaal "
                      "voorop\">"),
            std::string::npos);
  // The injected copy: new code, no price, no ID, the flag and the KvK set.
  EXPECT_NE(out->find("<b:Leverancier code=\"XMAS-S1\" voorkeur=\"N\" xml:lang=\"nl\"><b:Naam>Kerstpakketten van "
                      "Betekenis</b:Naam><b:Registratie kvk=\"70000041\" land=\"NL\"/></b:Leverancier>"),
            std::string::npos);
  const Shortlist after = reread(adapter, *out);
  EXPECT_EQ(ids(after), (std::vector<std::string>{"XMAS-S2", "XMAS-S1", "XMAS-R1", "XMAS-R2"}));
  EXPECT_TRUE(after.candidates[0].preselected);
  EXPECT_EQ(after.candidates[0].price, (Money{2750, "EUR"}));
  EXPECT_EQ(after.correlation_id, "A-77");
  EXPECT_EQ(after.category.code_system, "ERP");
}

TEST(SoapRewrite, ReorderOnlyMovesCandidateSpansAndKeepsSeparators) {
  const SoapAdapter adapter = example_adapter();
  std::string input = example("shortlist-response.xml");
  // A comment between two candidates belongs to the gap, not to a candidate.
  input = replaced(input, "</Supplier>\n        <Supplier>\n          <SupplierId>FLR-200",
                   "</Supplier>\n        <!-- regular suppliers -->\n        <Supplier>\n          <SupplierId>FLR-200");
  auto out = rewrite(adapter, input, [](const Shortlist& s) {
    return decision_for(s, {"BLOEM-02", "FLR-100", "FLR-200", "BLOEM-01", "FLR-300"}, "BLOEM-02");
  });
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_EQ(out->size(), input.size());  // "false" -> "true" and "true" -> "false" cancel out
  // Swap back by hand what the rewrite did, and the input comes out.
  const auto block = [](const std::string& text, std::string_view id) {
    const std::size_t begin = text.rfind("<Supplier>", text.find(id));
    return text.substr(begin, text.find("</Supplier>", begin) + 11 - begin);
  };
  std::string expected = input;
  const std::string flr100 = block(input, "FLR-100");
  const std::string bloem02 = block(input, "BLOEM-02");
  expected.replace(expected.find(bloem02), bloem02.size(), replaced(flr100, "true", "false"));
  expected.replace(expected.find(flr100), flr100.size(), replaced(bloem02, "false", "true"));
  EXPECT_EQ(*out, expected);
  EXPECT_NE(out->find("</Supplier>\n        <!-- regular suppliers -->\n        <Supplier>\n          <SupplierId>FLR-200"),
            std::string::npos);
}

TEST(SoapRewrite, OnlyTheFlagChangesWhenTheOrderStays) {
  const SoapAdapter adapter = example_adapter();
  const std::string input = example("shortlist-response.xml");
  auto out = rewrite(adapter, input, [](const Shortlist& s) {
    return decision_for(s, {"FLR-100", "BLOEM-02", "FLR-200", "BLOEM-01", "FLR-300"}, "BLOEM-02");
  });
  ASSERT_TRUE(out.ok()) << out.error().describe();
  std::string expected = replaced(input, "<Preselected>true</Preselected>", "<Preselected>false</Preselected>");
  const std::size_t bloem02 = expected.find("BLOEM-02");
  expected.replace(expected.find("<Preselected>false", bloem02), 18, "<Preselected>true");
  EXPECT_EQ(*out, expected);
}

TEST(SoapRewrite, NothingChangesUnlessTheDecisionWasApplied) {
  const SoapAdapter adapter = example_adapter();
  for (const std::string& input : {example("shortlist-response.xml"), golden("comments-cdata.in.xml"),
                                   to_crlf(example("shortlist-response-soap12.xml"))}) {
    for (Reason reason : {Reason::already_default, Reason::no_policy, Reason::no_eligible_social_supplier,
                          Reason::no_candidates}) {
      auto out = rewrite(adapter, input, [&](const Shortlist& s) {
        Decision d = example_decision(s);  // a full reorder, ignored because of the reason
        d.reason = reason;
        return d;
      });
      ASSERT_TRUE(out.ok()) << out.error().describe();
      EXPECT_EQ(*out, input);
    }
  }
}

TEST(SoapRewrite, SpecialCharactersInNotesAreEscaped) {
  const SoapAdapter adapter = example_adapter();
  auto out = rewrite(adapter, example("shortlist-response.xml"), [](const Shortlist& s) {
    return decision_for(s, {"FLR-100", "BLOEM-02", "FLR-200", "BLOEM-01", "FLR-300"}, "BLOEM-02",
                        {candidate_note("BLOEM-02", "<b>Groen</b> & \"Meer\" ]]>"),
                         candidate_note("FLR-200", "en CO\xE2\x82\x82-arm")});
  });
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_NE(out->find("<Remark>&lt;b&gt;Groen&lt;/b&gt; &amp; \"Meer\" ]]&gt;</Remark>"), std::string::npos);
  EXPECT_NE(out->find("<Remark>Levering binnen 24 uur en CO\xE2\x82\x82-arm</Remark>"), std::string::npos);
  const Shortlist after = reread(adapter, *out);
  EXPECT_EQ(after.candidates.size(), 5u);
}

// --- signatures -------------------------------------------------------------

// The example response with a WS-Security header whose signature has one
// Reference with the given URI; the Body carries wsu:Id="id-body".
std::string signed_response(std::string_view reference) {
  std::string text = example("shortlist-response.xml");
  text = replaced(text, "    <!-- ERP release 2026.1, node app-02 -->\n",
                  "    <wsse:Security xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-"
                  "secext-1.0.xsd\">\n"
                  "      <wsu:Timestamp wsu:Id=\"TS-1\"><wsu:Created>2026-05-04T10:00:00Z</wsu:Created></wsu:Timestamp>\n"
                  "      <ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>"
                  "<ds:Reference " + std::string(reference) + "><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>"
                  "</ds:SignedInfo><ds:SignatureValue>BBBB</ds:SignatureValue></ds:Signature>\n"
                  "    </wsse:Security>\n");
  text = replaced(text, "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">",
                  "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                  "xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\">");
  text = replaced(text, "<soap:Body>", "<soap:Body wsu:Id=\"id-body\">");
  text = replaced(text, "<Supplier>\n          <SupplierId>FLR-300", "<Supplier Id=\"s5\">\n          <SupplierId>FLR-300");
  return text;
}

Result<std::string> rewrite_signed(std::string_view reference) {
  const SoapAdapter adapter = example_adapter();
  return rewrite(adapter, signed_response(reference), example_decision);
}

TEST(SoapRewrite, SignedPayloadIsLeftAlone) {
  auto body = rewrite_signed("URI=\"#id-body\"");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().code, ErrorCode::signed_content);
  EXPECT_EQ(body.error().describe(),
            "byte 441: the payload <GetSupplierShortlistResponse> at byte 745 is covered by the XML signature "
            "<ds:Signature> at byte 441 (Reference URI=\"#id-body\" signs <soap:Body> at byte 712); a rewrite would "
            "break it, so the message is left unchanged");
  for (std::string_view reference : {"URI=\"\"", "URI=\"#xpointer(/)\"", "URI=\"#s5\"", "URI=\"#xpointer(id('id-body'))\""}) {
    auto out = rewrite_signed(reference);
    ASSERT_FALSE(out.ok()) << reference;
    EXPECT_EQ(out.error().code, ErrorCode::signed_content) << reference;
  }
  auto whole = rewrite_signed("URI=\"\"");
  EXPECT_NE(whole.error().message.find("(Reference URI=\"\" signs the whole document)"), std::string::npos);
  auto unknown = rewrite_signed("URI=\"#nowhere\"");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("Reference URI=\"#nowhere\" names no element we can find, so it may be the "
                                         "payload"),
            std::string::npos);
  auto no_uri = rewrite_signed("Type=\"x\"");
  ASSERT_FALSE(no_uri.ok());
  EXPECT_NE(no_uri.error().message.find("a Reference without URI may mean any part of the message"), std::string::npos);
}

TEST(SoapRewrite, SignatureOverOtherPartsDoesNotStopTheRewrite) {
  for (std::string_view reference : {"URI=\"#TS-1\"", "URI=\"cid:attachment-1@erp.example\""}) {
    auto out = rewrite_signed(reference);
    ASSERT_TRUE(out.ok()) << reference << ": " << out.error().describe();
    EXPECT_NE(out->find("<SupplierId>BLOEM-03</SupplierId>"), std::string::npos);
    EXPECT_NE(out->find("<Supplier Id=\"s5\">"), std::string::npos);
    EXPECT_EQ(std::count(out->begin(), out->end(), 's'), std::count(out->begin(), out->end(), 's'));
  }
  // An injected copy of a candidate with an ID does not duplicate the ID.
  const SoapAdapter adapter = example_adapter();
  std::string text = replaced(signed_response("URI=\"#TS-1\""), "<Supplier>\n          <SupplierId>FLR-100",
                              "<Supplier wsu:Id=\"first\">\n          <SupplierId>FLR-100");
  auto out = rewrite(adapter, text, example_decision);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  std::size_t count = 0;
  for (std::size_t at = 0; (at = out->find("wsu:Id=\"first\"", at)) != std::string::npos; ++at) ++count;
  EXPECT_EQ(count, 1u);
}

// --- errors -----------------------------------------------------------------

Error rewrite_error(std::function<Decision(const Shortlist&)> make, std::string_view input = {},
                    const Policy& policy = flowers_policy()) {
  const SoapAdapter adapter = example_adapter();
  const std::string text = input.empty() ? example("shortlist-response.xml") : std::string(input);
  auto out = rewrite(adapter, text, make, policy);
  EXPECT_FALSE(out.ok());
  return out.ok() ? Error{} : out.error();
}

TEST(SoapRewrite, DecisionThatWouldDropOrDuplicateASupplierIsRefused) {
  Error e = rewrite_error([](const Shortlist& s) {
    return decision_for(s, {"BLOEM-01", "FLR-100", "FLR-200", "FLR-300"}, "BLOEM-01");
  });
  EXPECT_EQ(e.code, ErrorCode::invalid_argument);
  EXPECT_EQ(e.describe(), "decision: candidate 2 (\"BLOEM-02\") is missing from the order; every candidate must stay");
  e = rewrite_error([](const Shortlist& s) {
    Decision d = decision_for(s, {"BLOEM-01", "BLOEM-02", "FLR-100", "FLR-200", "FLR-300"}, "BLOEM-01");
    d.order.push_back(d.order[0]);
    d.order.back().preselected = false;
    return d;
  });
  EXPECT_EQ(e.describe(), "decision: placement 6 (\"BLOEM-01\") places candidate 4 a second time");
  e = rewrite_error([](const Shortlist& s) {
    Decision d = decision_for(s, {"BLOEM-01", "BLOEM-02", "FLR-100", "FLR-200", "FLR-300"}, "BLOEM-01");
    d.order[1].supplier_id = "FLR-999";
    return d;
  });
  EXPECT_EQ(e.describe(), "decision: placement 2 (\"FLR-999\") names candidate 2, which is \"BLOEM-02\"");
  e = rewrite_error([](const Shortlist& s) {
    Decision d = decision_for(s, {"BLOEM-01", "BLOEM-02", "FLR-100", "FLR-200", "FLR-300"}, "BLOEM-01");
    d.order[1].preselected = true;
    return d;
  });
  EXPECT_EQ(e.describe(), "decision: 2 placements are preselected; expected exactly one");
  e = rewrite_error([](const Shortlist& s) {
    Decision d = decision_for(s, {"BLOEM-01", "BLOEM-02", "FLR-100", "FLR-200", "FLR-300"}, "BLOEM-01");
    d.default_supplier_id = "BLOEM-02";
    return d;
  });
  EXPECT_EQ(e.describe(), "decision: the preselected placement \"BLOEM-01\" is not the default \"BLOEM-02\"");
  e = rewrite_error([](const Shortlist& s) {
    Decision d = decision_for(s, {"BLOEM-01", "BLOEM-02", "FLR-100", "FLR-200", "FLR-300"}, "BLOEM-01");
    d.order[2].source = 9;
    return d;
  });
  EXPECT_EQ(e.describe(), "decision: placement 3 (\"FLR-100\") points at candidate 10, but the shortlist has 5");
  e = rewrite_error([](const Shortlist& s) {
    Decision d = decision_for(s, {"BLOEM-01", "BLOEM-02", "FLR-100", "FLR-200", "FLR-300", "X"}, "BLOEM-01");
    d.order[5].injected = false;
    return d;
  });
  EXPECT_EQ(e.describe(), "decision: placement 6 (\"X\") has no source candidate; expected an injected supplier with an id");
  e = rewrite_error([](const Shortlist& s) {
    Decision d = decision_for(s, {"BLOEM-01", "BLOEM-02", "FLR-100", "FLR-200", "FLR-300"}, "BLOEM-01");
    d.order[2].injected = true;
    return d;
  });
  EXPECT_EQ(e.describe(), "decision: placement 3 (\"FLR-100\") is both injected and taken from candidate 1");
}

TEST(SoapRewrite, InjectedSupplierMustBeInThePolicy) {
  const Error e = rewrite_error([](const Shortlist& s) {
    return decision_for(s, {"BLOEM-09", "FLR-100", "BLOEM-02", "FLR-200", "BLOEM-01", "FLR-300"}, "BLOEM-09");
  });
  EXPECT_EQ(e.describe(), "decision: the injected supplier \"BLOEM-09\" is not in the policy, so its name is unknown");
}

TEST(SoapRewrite, ShortlistFromAnotherMessageIsRefused) {
  const SoapAdapter adapter = example_adapter();
  auto message = recognise_ok(adapter, example("shortlist-response.xml"));
  ASSERT_NE(message, nullptr);
  auto shortlist = adapter.read_shortlist(*message, nullptr);
  ASSERT_TRUE(shortlist.ok());
  Shortlist other = *shortlist;
  other.candidates.pop_back();
  const Decision d = decision_for(other, {"BLOEM-01", "FLR-100", "BLOEM-02", "FLR-200"}, "BLOEM-01");
  auto out = adapter.apply_decision(*message, other, d, flowers_policy());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().describe(),
            "shortlist: the shortlist has 4 candidates but the message has 5; expected the shortlist read from this "
            "message");
  other = *shortlist;
  std::swap(other.candidates[0], other.candidates[1]);
  auto swapped = adapter.apply_decision(*message, other, example_decision(other), flowers_policy());
  ASSERT_FALSE(swapped.ok());
  EXPECT_EQ(swapped.error().describe(),
            "shortlist: candidate 1 of the message is \"FLR-100\" but the shortlist says \"BLOEM-02\"; expected the "
            "shortlist read from this message");
}

TEST(SoapRewrite, OnlyShortlistResponsesAreRewritten) {
  const SoapAdapter adapter = example_adapter();
  auto message = recognise_ok(adapter, example("order-request.xml"));
  ASSERT_NE(message, nullptr);
  Decision d;
  d.reason = Reason::applied;
  auto out = adapter.apply_decision(*message, Shortlist{}, d, flowers_policy());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::unsupported);
  EXPECT_EQ(out.error().describe(), "only a shortlist response can be rewritten; this message is of kind order-request");
}

TEST(SoapRewrite, InjectionIntoAnEmptyListHasNothingToCopy) {
  const std::string empty = replaced(example("shortlist-response-soap12.xml"),
                                     example("shortlist-response-soap12.xml").substr(
                                         example("shortlist-response-soap12.xml").find("<erp:Supplier>"),
                                         example("shortlist-response-soap12.xml").find("</erp:Suppliers>") -
                                             example("shortlist-response-soap12.xml").find("<erp:Supplier>")),
                                     "");
  const Error e = rewrite_error([](const Shortlist& s) { return decision_for(s, {"BLOEM-01"}, "BLOEM-01"); }, empty);
  EXPECT_EQ(e.code, ErrorCode::mapping);
  EXPECT_EQ(e.describe(),
            "erp:Suppliers/erp:Supplier: cannot inject \"BLOEM-01\": the message has no candidate whose layout an "
            "injected supplier could copy");
}

TEST(SoapRewrite, CandidatesUnderDifferentParentsCannotBeReordered) {
  const auto mapping = mapping_from(R"(<mapping xmlns="urn:socialdefault:mapping:1">
  <namespace prefix="g" uri="urn:g"/>
  <shortlist>
    <response element="g:List"/>
    <candidates path="g:Group/g:Item">
      <id path="@id"/>
      <preselected path="@default" true="yes" false="no"/>
    </candidates>
  </shortlist>
</mapping>)");
  ASSERT_NE(mapping, nullptr);
  const SoapAdapter adapter(mapping, Limits{});
  const std::string input =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><g:List xmlns:g=\"urn:g\">"
      "<g:Group><g:Item id=\"A\" default=\"yes\"/></g:Group><g:Group><g:Item id=\"B\" default=\"no\"/></g:Group>"
      "</g:List></s:Body></s:Envelope>";
  // Setting the flag works across groups...
  auto flag = rewrite(adapter, input, [](const Shortlist& s) { return decision_for(s, {"A", "B"}, "B"); });
  ASSERT_TRUE(flag.ok()) << flag.error().describe();
  EXPECT_NE(flag->find("<g:Item id=\"A\" default=\"no\"/></g:Group><g:Group><g:Item id=\"B\" default=\"yes\"/>"),
            std::string::npos);
  // ...moving between them does not.
  auto moved = rewrite(adapter, input, [](const Shortlist& s) { return decision_for(s, {"B", "A"}, "B"); });
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().describe(),
            "g:Group/g:Item: the candidates <g:Item> at byte 105 and <g:Item> at byte 154 have different parents; "
            "reordering or injecting needs them side by side under one element");
}

TEST(SoapRewrite, NewElementsInAnotherNamespaceDeclareIt) {
  const auto mapping = mapping_from(R"(<mapping xmlns="urn:socialdefault:mapping:1">
  <namespace prefix="g" uri="urn:g"/>
  <namespace prefix="n" uri="urn:notes"/>
  <shortlist>
    <response element="g:List"/>
    <candidates path="g:Item">
      <id path="@id"/>
      <preselected path="@default" true="yes" false="no"/>
      <note path="n:Extra/n:Note"/>
    </candidates>
    <message-note path="Banner"/>
  </shortlist>
</mapping>)");
  ASSERT_NE(mapping, nullptr);
  const SoapAdapter adapter(mapping, Limits{});
  auto out = rewrite(adapter,
                     "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><List xmlns=\"urn:g\">"
                     "<Item id=\"A\" default=\"yes\"/><Item id=\"B\" default=\"no\"><x/></Item></List></s:Body>"
                     "</s:Envelope>",
                     [](const Shortlist& s) {
                       return decision_for(s, {"B", "A"}, "B",
                                           {candidate_note("B", "sociaal"), candidate_note("A", "regulier"),
                                            message_note("hallo")});
                     });
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_EQ(*out,
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><List xmlns=\"urn:g\">"
            "<Item id=\"B\" default=\"yes\"><x/><Extra xmlns=\"urn:notes\"><Note>sociaal</Note></Extra></Item>"
            "<Item id=\"A\" default=\"no\"><Extra xmlns=\"urn:notes\"><Note>regulier</Note></Extra></Item>"
            "<Banner xmlns=\"\">hallo</Banner></List></s:Body></s:Envelope>");
  const Shortlist after = reread(adapter, *out);
  EXPECT_EQ(ids(after), (std::vector<std::string>{"B", "A"}));
}

}  // namespace
}  // namespace socialdefault::soap::testing
