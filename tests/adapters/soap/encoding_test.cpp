// Encodings: what is accepted (UTF-8 with or without BOM, ISO-8859-1,
// US-ASCII), what is refused and how, and how text is converted both ways.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "encoding.hpp"
#include "soap_test_support.hpp"

namespace socialdefault::soap::testing {
namespace {

std::string refusal(std::string_view bytes) {
  auto e = check_encoding(bytes);
  EXPECT_FALSE(e.ok());
  if (e.ok()) return "(accepted)";
  EXPECT_EQ(e.error().code, ErrorCode::xml);
  return e.error().describe();
}

TEST(SoapEncoding, DetectsTheDeclaredEncoding) {
  auto plain = check_encoding("<a/>");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->encoding, Encoding::utf8);
  EXPECT_EQ(plain->bom_size, 0u);
  auto bom = check_encoding("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xC3\xA9</a>");
  ASSERT_TRUE(bom.ok());
  EXPECT_EQ(bom->bom_size, 3u);
  for (const char* name : {"ISO-8859-1", "iso-8859-1", "latin1", "ISO_8859-1", "l1"}) {
    auto latin1 = check_encoding("<?xml version='1.0' encoding='" + std::string(name) + "'?><a>\xE9</a>");
    ASSERT_TRUE(latin1.ok()) << name;
    EXPECT_EQ(latin1->encoding, Encoding::latin1) << name;
  }
  auto ascii = check_encoding("<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a/>");
  ASSERT_TRUE(ascii.ok());
  EXPECT_EQ(ascii->encoding, Encoding::ascii);
}

TEST(SoapEncoding, RefusesWideAndUnknownEncodings) {
  EXPECT_EQ(refusal(std::string("\xFF\xFE<\0a\0/\0>\0", 10)),
            "byte 0: the document starts with a UTF-16 byte-order mark; UTF-16 is not supported; expected UTF-8 (with "
            "or without byte-order mark), ISO-8859-1 or US-ASCII");
  EXPECT_EQ(refusal(std::string("\xFE\xFF\0<\0a", 6)).substr(0, 60),
            "byte 0: the document starts with a UTF-16 byte-order mark; U");
  EXPECT_EQ(refusal(std::string("\0\0\xFE\xFF", 4)).substr(0, 74),
            "byte 0: the document starts with a UTF-32 byte-order mark; UTF-32 is not s");
  EXPECT_EQ(refusal(std::string("<\0?\0x\0", 6)),
            "byte 1: the document looks like UTF-16 or UTF-32 without a byte-order mark (it has NUL bytes); these "
            "encodings are not supported; expected UTF-8 (with or without byte-order mark), ISO-8859-1 or US-ASCII");
  EXPECT_EQ(refusal("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>"),
            "byte 30: the XML declaration says encoding=\"UTF-16\", but the bytes are 8-bit and UTF-16 is not "
            "supported anyway; expected UTF-8 (with or without byte-order mark), ISO-8859-1 or US-ASCII");
  EXPECT_EQ(refusal("<?xml version=\"1.0\" encoding=\"windows-1252\"?><a/>"),
            "byte 30: the XML declaration says encoding=\"windows-1252\", which is not supported; expected UTF-8 (with "
            "or without byte-order mark), ISO-8859-1 or US-ASCII");
  EXPECT_EQ(refusal("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"),
            "byte 33: the document starts with a UTF-8 byte-order mark but declares encoding=\"ISO-8859-1\"");
}

TEST(SoapEncoding, RefusesInvalidUtf8WithItsOffset) {
  const std::string expected_tail =
      " does not start a valid sequence (the document is read as UTF-8; declare encoding=\"ISO-8859-1\" if that is "
      "what it is)";
  EXPECT_EQ(refusal("<a>caf\xE9</a>"), "byte 6: invalid UTF-8: byte 0xE9" + expected_tail);  // latin1 é undeclared
  EXPECT_EQ(refusal("<a>\xC0\x80</a>"), "byte 3: invalid UTF-8: byte 0xC0" + expected_tail);   // overlong NUL
  EXPECT_EQ(refusal("<a>\xED\xA0\x80</a>"), "byte 3: invalid UTF-8: byte 0xED" + expected_tail);  // surrogate
  EXPECT_EQ(refusal("<a>\xF4\x90\x80\x80</a>"), "byte 3: invalid UTF-8: byte 0xF4" + expected_tail);  // > U+10FFFF
  EXPECT_EQ(refusal("<a/>\xE2\x82"), "byte 4: invalid UTF-8: byte 0xE2" + expected_tail);  // truncated at the end
  EXPECT_EQ(refusal("<abcdefgh>\x01</abcdefgh>"), "byte 10: character U+0001 is not allowed in XML");
  EXPECT_EQ(refusal("<a>\xEF\xBF\xBF</a>"), "byte 3: character U+FFFF is not allowed in XML");
  EXPECT_EQ(refusal("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\x02</a>"),
            "byte 46: character U+0002 is not allowed in XML");
  EXPECT_EQ(refusal("<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a>caf\xE9</a>"),
            "byte 47: byte 0xE9 is not US-ASCII, but the XML declaration says US-ASCII");
  // Valid multi-byte UTF-8, including 4-byte sequences, passes.
  EXPECT_TRUE(check_encoding("<a>caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8C\xB7</a>").ok());
}

// The check reads 16 and 8 bytes at a time; a bad byte is found wherever it
// falls in such a block, and indentation (tabs, line ends) never is one.
TEST(SoapEncoding, FindsABadByteAtEveryOffset) {
  // Long enough for several of the check's 64-byte blocks before and after.
  const std::string body(200, 'x');
  for (std::size_t at = 0; at < body.size(); ++at) {
    SCOPED_TRACE(at);
    std::string control = "<a>" + body + "</a>";
    control[3 + at] = '\x01';
    EXPECT_EQ(refusal(control), "byte " + std::to_string(3 + at) + ": character U+0001 is not allowed in XML");
    std::string latin1 = "<a>" + body + "</a>";
    latin1[3 + at] = '\xE9';
    const std::string prefix = "byte " + std::to_string(3 + at) + ": invalid UTF-8: byte 0xE9 does not start";
    EXPECT_EQ(refusal(latin1).substr(0, prefix.size()), prefix);
    std::string indented = "<a>" + body + "</a>";
    indented[3 + at] = at % 3 == 0 ? '\t' : at % 3 == 1 ? '\n' : '\r';
    EXPECT_TRUE(check_encoding(indented).ok());
    // The bytes either side of the printable range.
    std::string edge = "<a>" + body + "</a>";
    edge[3 + at] = '\x1F';
    EXPECT_EQ(refusal(edge), "byte " + std::to_string(3 + at) + ": character U+001F is not allowed in XML");
    edge[3 + at] = '\x7F';
    EXPECT_TRUE(check_encoding(edge).ok());
    edge[3 + at] = '\x80';
    const std::string continuation = "byte " + std::to_string(3 + at) + ": invalid UTF-8: byte 0x80 does not start";
    EXPECT_EQ(refusal(edge).substr(0, continuation.size()), continuation);
  }
}

TEST(SoapEncoding, RefusesAMalformedDeclaration) {
  EXPECT_EQ(refusal("<?xml version=\"1.0\" encoding=\"UTF-8\""), "byte 0: the XML declaration is not closed with \"?>\"");
  EXPECT_EQ(refusal("<?xml version=\"1.0\" encoding?><a/>"),
            "byte 28: malformed XML declaration: expected '=' after \"encoding\"");
  EXPECT_EQ(refusal("<?xml version=1.0?><a/>"),
            "byte 14: malformed XML declaration: expected a quoted value for \"version\"");
  EXPECT_EQ(refusal("<?xml version=\"1.0?><a/>"),
            "byte 15: malformed XML declaration: the value of \"version\" is not closed");
}

TEST(SoapEncoding, DecodesReferencesLineEndsAndLatin1) {
  auto text = decode_text("a &lt;b&gt; &amp; &apos;&quot; &#233;&#x20AC;\r\nx\ry", Encoding::utf8, EscapeContext::text, 0);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "a <b> & '\" \xC3\xA9\xE2\x82\xAC\nx\ny");
  auto attribute = decode_text("a\tb\r\nc&#10;d", Encoding::utf8, EscapeContext::attribute, 0);
  ASSERT_TRUE(attribute.ok());
  EXPECT_EQ(*attribute, "a b c\nd");
  auto latin1 = decode_text("Caf\xE9 &#233;", Encoding::latin1, EscapeContext::text, 0);
  ASSERT_TRUE(latin1.ok());
  EXPECT_EQ(*latin1, "Caf\xC3\xA9 \xC3\xA9");
  auto bad = decode_text("ok &#xD800;", Encoding::utf8, EscapeContext::text, 100);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().describe(), "byte 103: character reference &#xD800; is not an allowed XML character");
  EXPECT_FALSE(decode_text("&#;", Encoding::utf8, EscapeContext::text, 0).ok());
  EXPECT_FALSE(decode_text("&#x110000;", Encoding::utf8, EscapeContext::text, 0).ok());
  EXPECT_FALSE(decode_text("&#99999999999;", Encoding::utf8, EscapeContext::text, 0).ok());
}

TEST(SoapEncoding, EscapesForTheDocument) {
  std::string out;
  ASSERT_TRUE(append_escaped(out, "a<b>&\"c\" \xC3\xA9\xE2\x82\xAC\r", Encoding::utf8, EscapeContext::text).ok());
  EXPECT_EQ(out, "a&lt;b&gt;&amp;\"c\" \xC3\xA9\xE2\x82\xAC&#13;");
  out.clear();
  ASSERT_TRUE(append_escaped(out, "\xC3\xA9\xE2\x82\xAC", Encoding::latin1, EscapeContext::text).ok());
  EXPECT_EQ(out, "\xE9&#8364;");
  out.clear();
  ASSERT_TRUE(append_escaped(out, "\xC3\xA9", Encoding::ascii, EscapeContext::text).ok());
  EXPECT_EQ(out, "&#233;");
  out.clear();
  ASSERT_TRUE(append_escaped(out, "it's \"x\"\t\n", Encoding::utf8, EscapeContext::attribute, '\'').ok());
  EXPECT_EQ(out, "it&apos;s \"x\"&#9;&#10;");
  out.clear();
  // Plain runs and what breaks them: tab and newline stay in text, the
  // double quote is escaped in a "-quoted attribute, DEL is written as is.
  ASSERT_TRUE(append_escaped(out, "Groen\tB.V.\n\x7F>x", Encoding::utf8, EscapeContext::text).ok());
  EXPECT_EQ(out, "Groen\tB.V.\n\x7F&gt;x");
  out.clear();
  ASSERT_TRUE(append_escaped(out, "say \"it's\"", Encoding::ascii, EscapeContext::attribute).ok());
  EXPECT_EQ(out, "say &quot;it's&quot;");
  out.clear();
  auto invalid = append_escaped(out, "caf\xE9", Encoding::utf8, EscapeContext::text);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().describe(), "text to write is not valid UTF-8 (byte 3 of \"caf\xE9\")");
  auto control = append_escaped(out, "bell\x07", Encoding::utf8, EscapeContext::text);
  ASSERT_FALSE(control.ok());
  EXPECT_EQ(control.error().describe(), "text to write holds U+0007, which XML cannot carry");
}

// Values are taken sixteen bytes at a time while nothing in them needs
// escaping, and their last bytes (fewer than sixteen) from a padded copy:
// each character that does need it, at every place of a value of every
// length up to 40, in every context and encoding, comes out as it does
// written on its own.
TEST(SoapEncoding, EscapesLongValuesAsCharacterByCharacter) {
  const std::vector<std::string> specials = {"&", "<", ">", "\"", "'", "\t", "\n", "\r", "\x7F", "\xC3\xA9",
                                             "\xE2\x82\xAC"};
  const std::string whole = "Kwekerij Samen leerwerkbedrijf 9 banen.";  // 39 plain bytes
  const auto check = [&](const std::string& base, const std::string& special, Encoding encoding,
                         EscapeContext context, char quote) {
    for (std::size_t at = 0; at <= base.size(); ++at) {
      const std::string value = base.substr(0, at) + special + base.substr(at);
      std::string expected;
      const auto add = [&](const std::string& piece) {
        ASSERT_TRUE(append_escaped(expected, piece, encoding, context, quote).ok());
      };
      for (const char c : base.substr(0, at)) add(std::string(1, c));
      add(special);
      for (const char c : base.substr(at)) add(std::string(1, c));
      std::string out;
      ASSERT_TRUE(append_escaped(out, value, encoding, context, quote).ok());
      EXPECT_EQ(out, expected) << "special " << special << " at " << at << " of " << value.size() << " bytes";
    }
  };
  for (std::size_t length = 0; length <= whole.size(); ++length) {
    for (const Encoding encoding : {Encoding::utf8, Encoding::latin1, Encoding::ascii}) {
      for (const EscapeContext context : {EscapeContext::text, EscapeContext::attribute}) {
        for (const char quote : {'"', '\''}) {
          for (const std::string& special : specials) check(whole.substr(0, length), special, encoding, context, quote);
        }
      }
    }
  }
}

TEST(SoapEncoding, CdataContentOnlyWhenItFits) {
  std::string out;
  EXPECT_TRUE(append_cdata_content(out, "Groen & Meer", Encoding::utf8));
  EXPECT_EQ(out, "Groen & Meer");
  EXPECT_FALSE(append_cdata_content(out, "a]]>b", Encoding::utf8));
  EXPECT_FALSE(append_cdata_content(out, "\xE2\x82\xAC", Encoding::latin1));  // no references inside CDATA
  EXPECT_TRUE(append_cdata_content(out, "\xC3\xA9", Encoding::latin1));
  EXPECT_EQ(out, "Groen & Meer\xE9");
}

// --- whole messages -------------------------------------------------------

// The example response in ISO-8859-1, with non-ASCII names in raw latin1
// bytes and as character references.
std::string latin1_response() {
  std::string text = example("shortlist-response.xml");
  const auto replace = [&](std::string_view from, std::string_view to) {
    text.replace(text.find(from), from.size(), to);
  };
  replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
  replace("Bloemen Groothandel Holland", "Bloemen Groothandel Holland \xC9\xE9n");  // "Één", raw latin1
  replace("Fleurop Partner Centrum", "Fleurop Partner Centrum &#8364;");          // "€" only as a reference
  return text;
}

TEST(SoapEncoding, Latin1MessageIsReadAsUtf8) {
  const SoapAdapter adapter = example_adapter();
  auto message = recognise_ok(adapter, latin1_response());
  ASSERT_NE(message, nullptr);
  auto shortlist = adapter.read_shortlist(*message, nullptr);
  ASSERT_TRUE(shortlist.ok()) << shortlist.error().describe();
  EXPECT_EQ(shortlist->candidates[0].name, "Bloemen Groothandel Holland \xC3\x89\xC3\xA9n");
  EXPECT_EQ(shortlist->candidates[2].name, "Fleurop Partner Centrum \xE2\x82\xAC");
}

TEST(SoapEncoding, Latin1MessageIsWrittenAsLatin1) {
  const SoapAdapter adapter = example_adapter();
  Policy policy = flowers_policy();
  policy.suppliers[2].name = "Kwekerij Samen \xE2\x80\x94 \xC3\xA9\xC3\xA9n";  // "— één": only é fits latin1
  auto out = rewrite(adapter, latin1_response(), [](const Shortlist& s) {
    return decision_for(s, {"BLOEM-01", "BLOEM-03", "FLR-100", "BLOEM-02", "FLR-200", "FLR-300"}, "BLOEM-01",
                        {candidate_note("BLOEM-01", "Caf\xC3\xA9-bloemen, 14 banen \xE2\x82\xAC"),
                         message_note("Zo kiest \xC3\xA9\xC3\xA9n op de drie collega's")});
  }, policy);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_EQ(check_encoding(*out)->encoding, Encoding::latin1);
  EXPECT_NE(out->find("<Remark>Caf\xE9-bloemen, 14 banen &#8364;</Remark>"), std::string::npos);
  EXPECT_NE(out->find("<Name>Kwekerij Samen &#8212; \xE9\xE9n</Name>"), std::string::npos);
  EXPECT_NE(out->find("<Message>Zo kiest \xE9\xE9n op de drie collega's</Message>"), std::string::npos);
  EXPECT_NE(out->find("Holland \xC9\xE9n</Name>"), std::string::npos);  // untouched bytes stay latin1
  expect_golden("latin1-response.out.xml", *out);
  // And it reads back to the same UTF-8 text.
  auto message = recognise_ok(adapter, *out);
  ASSERT_NE(message, nullptr);
  auto shortlist = adapter.read_shortlist(*message, nullptr);
  ASSERT_TRUE(shortlist.ok()) << shortlist.error().describe();
  EXPECT_EQ(shortlist->candidates[1].name, "Kwekerij Samen \xE2\x80\x94 \xC3\xA9\xC3\xA9n");
}

TEST(SoapEncoding, AsciiMessageGetsReferences) {
  const SoapAdapter adapter = example_adapter();
  std::string text = example("shortlist-response.xml");
  text.replace(text.find("encoding=\"UTF-8\""), 16, "encoding=\"US-ASCII\"");
  auto out = rewrite(adapter, text, [](const Shortlist& s) {
    return decision_for(s, {"BLOEM-02", "FLR-100", "FLR-200", "BLOEM-01", "FLR-300"}, "BLOEM-02",
                        {candidate_note("BLOEM-02", "\xC3\xA9\xC3\xA9n")});
  });
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_NE(out->find("<Remark>&#233;&#233;n</Remark>"), std::string::npos);
  EXPECT_TRUE(check_encoding(*out).ok());
}

TEST(SoapEncoding, ByteOrderMarkSurvivesARewrite) {
  const SoapAdapter adapter = example_adapter();
  const std::string text = "\xEF\xBB\xBF" + example("shortlist-response.xml");
  auto out = rewrite(adapter, text, example_decision);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_EQ(out->substr(0, 3), "\xEF\xBB\xBF");
  // Everything after the mark is what the message without it becomes.
  auto plain = rewrite(adapter, example("shortlist-response.xml"), example_decision);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(out->substr(3), *plain);
}

TEST(SoapEncoding, AdapterRefusesUtf16WithAClearError) {
  const SoapAdapter adapter = example_adapter();
  const std::string utf8 = example("order-response.xml");
  std::string utf16 = "\xFF\xFE";
  for (char c : utf8) {
    utf16 += c;
    utf16 += '\0';
  }
  auto message = adapter.recognise(utf16);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::xml);
  EXPECT_NE(message.error().message.find("UTF-16 is not supported"), std::string::npos);
}

}  // namespace
}  // namespace socialdefault::soap::testing
