// Loads the purchasing department's configuration (schemas/config.xsd) and
// checks all of it at once, so that one run of check-config lists every
// problem with its line instead of stopping at the first.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <system_error>
#include <utility>

#include <pugixml.hpp>

#include "socialdefault/money.hpp"
#include "socialdefault/policy.hpp"

namespace socialdefault {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";
constexpr std::uintmax_t kMaxConfigBytes = 16 * 1024 * 1024;
constexpr std::size_t kMaxProblems = 100;
constexpr std::uint32_t kMaxToleranceBasisPoints = 100'000;  // 1000 %
constexpr unsigned kMaxSocialShown = 1000;

constexpr std::array<EvidenceKind, 7> kEvidenceKinds{
    EvidenceKind::pso_1,
    EvidenceKind::pso_2,
    EvidenceKind::pso_3,
    EvidenceKind::pso_30plus,
    EvidenceKind::code_sociale_ondernemingen,
    EvidenceKind::sheltered_employer,
    EvidenceKind::other,
};

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Text content as xs:token sees it: runs of white space become one space.
std::string collapse(std::string_view s) {
  std::string out;
  bool pending_space = false;
  for (char c : trim(s)) {
    if (is_space(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string local_name(std::string_view qualified) {
  const auto colon = qualified.find(':');
  return std::string(colon == std::string_view::npos ? qualified : qualified.substr(colon + 1));
}

// The namespace a prefix is bound to at a node, by walking the in-scope
// xmlns declarations; pugixml itself compares names as written.
std::string_view namespace_of_prefix(pugi::xml_node node, std::string_view prefix) {
  if (prefix == "xml") return kXmlNamespace;
  const std::string attr = prefix.empty() ? std::string("xmlns") : "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    if (pugi::xml_attribute a = n.attribute(attr.c_str())) return a.value();
  }
  return {};
}

std::string_view namespace_of(pugi::xml_node element) {
  const std::string_view name = element.name();
  const auto colon = name.find(':');
  return namespace_of_prefix(element, colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon));
}

// Offset of the first byte that is not UTF-8, or of a control character XML
// forbids; npos when the text is clean.
std::size_t first_bad_byte(std::string_view s, bool& control) {
  control = false;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        control = true;
        return i;
      }
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

Result<std::string> sha256_of(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    return make_error(ErrorCode::crypto, "SHA-256 of the configuration failed in OpenSSL");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0F];
  }
  return hex;
}

// "15", "7.5", "0.25" percent as basis points.
bool parse_percentage(std::string_view s, std::uint32_t& basis_points) {
  const auto dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (whole.empty() || whole.size() > 4 || (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 2))) {
    return false;
  }
  std::uint32_t value = 0;
  for (char c : whole) {
    if (!is_digit(c)) return false;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  std::uint32_t hundredths = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    const char c = i < fraction.size() ? fraction[i] : '0';
    if (!is_digit(c)) return false;
    hundredths = hundredths * 10 + static_cast<std::uint32_t>(c - '0');
  }
  basis_points = value * 100 + hundredths;
  return basis_points <= kMaxToleranceBasisPoints;
}

bool parse_positive(std::string_view s, unsigned& out) {
  if (s.empty() || s.size() > 4 || !std::all_of(s.begin(), s.end(), is_digit)) return false;
  unsigned v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  out = v;
  return v >= 1 && v <= kMaxSocialShown;
}

bool parse_whole(std::string_view s, std::int64_t& out) {
  const std::string_view digits = !s.empty() && s.front() == '-' ? s.substr(1) : s;
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), is_digit)) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// NNNNNNNN-N: the form of a CPV code; the check digit itself is not verified.
bool is_cpv_code(std::string_view s) noexcept {
  if (s.size() != 10 || s[8] != '-') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i != 8 && !is_digit(s[i])) return false;
  }
  return true;
}

std::string evidence_kinds_list() {
  std::string out;
  for (EvidenceKind k : kEvidenceKinds) {
    if (!out.empty()) out += ", ";
    out += to_string(k);
  }
  return out;
}

// ---- nudges ----

constexpr std::array<NudgeKind, kNudgeKindCount> kNudgeKinds{NudgeKind::impact, NudgeKind::norm, NudgeKind::campaign,
                                                             NudgeKind::endorsement, NudgeKind::price};

// The placeholders each kind of text may use (docs/nudges.md).
constexpr std::array<const char*, 2> kImpactPlaceholders{"supplier", "jobs"};
constexpr std::array<const char*, 6> kNormPlaceholders{"social", "orders", "percent", "department", "category", "days"};
constexpr std::array<const char*, 4> kPricePlaceholders{"supplier", "price", "median", "alternatives"};
constexpr std::array<const char*, 1> kTipPlaceholders{"category"};

void fill_default_templates(NudgeSettings& n) {
  const auto fill = [](LocalizedText& slot, NudgeKind kind) {
    const LocalizedText& builtin = builtin_template(kind);
    if (slot.nl.empty()) slot.nl = builtin.nl;
    if (slot.en.empty()) slot.en = builtin.en;
  };
  fill(n.impact_template, NudgeKind::impact);
  fill(n.norm_template, NudgeKind::norm);
  fill(n.price_template, NudgeKind::price);
}

std::string placeholder_list(std::span<const char* const> names) {
  std::string out;
  for (const char* n : names) out += (out.empty() ? "{" : ", {") + std::string(n) + "}";
  return out.empty() ? std::string("no placeholders") : out;
}

// The first problem with the {placeholders} of a text, or empty.
std::string placeholder_problem(std::string_view text, std::span<const char* const> allowed) {
  for (std::size_t at = text.find_first_of("{}"); at != std::string_view::npos; at = text.find_first_of("{}", at + 1)) {
    if (text[at] == '}') return "has a \"}\" without \"{\"; expected placeholders written as {name}";
    const std::size_t close = text.find('}', at);
    if (close == std::string_view::npos) return "has a \"{\" without \"}\"; expected placeholders written as {name}";
    const std::string_view name = text.substr(at + 1, close - at - 1);
    if (name.find('{') != std::string_view::npos) {
      return "has a \"{\" without \"}\"; expected placeholders written as {name}";
    }
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; })) {
      return "has the unknown placeholder {" + std::string(name) + "}; expected " + placeholder_list(allowed);
    }
    at = close;
  }
  return {};
}

// A whole number in [min, max].
bool parse_range(std::string_view s, std::uint32_t min, std::uint32_t max, std::uint32_t& out) {
  if (s.empty() || s.size() > 10 || !std::all_of(s.begin(), s.end(), is_digit)) return false;
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v < min || v > max) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

std::string nudge_kinds_list() {
  std::string out;
  for (NudgeKind k : kNudgeKinds) out += (out.empty() ? "" : ", ") + std::string(to_string(k));
  return out;
}

// Ids that end up in the ledger's arm column as "experiment/arm".
bool is_arm_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.';
  });
}

struct AttrSpec {
  const char* name;
  bool required;
  const char* expected;  // what a valid value is, for messages
};

struct ChildSpec {
  const char* name;
  bool required;
  bool repeats;
  const char* expected;  // what the element holds, for "missing" messages
};

struct Problem {
  int line = 0;
  std::string text;  // "subject: what is wrong; expected ..."
};

class Loader {
 public:
  Loader(std::string_view xml, std::string file_name, fs::path base_dir)
      : buffer_(xml), file_(std::move(file_name)), base_dir_(std::move(base_dir)) {}

  Result<std::shared_ptr<const Policy>> run();

 private:
  using Children = std::vector<std::vector<pugi::xml_node>>;

  int line_at(std::size_t offset) const {
    return static_cast<int>(std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - line_starts_.begin());
  }
  int line_of(pugi::xml_node node) const {
    const std::ptrdiff_t offset = node.offset_debug();
    return offset < 0 ? 0 : line_at(static_cast<std::size_t>(offset));
  }
  // Attributes have no offset_debug; in-place parsing leaves their names in
  // our buffer, which gives the exact line of a multi-line start tag.
  int line_of(pugi::xml_attribute attr, pugi::xml_node owner) const {
    const char* name = attr.name();
    const char* begin = buffer_.data();
    if (name >= begin && name < begin + buffer_.size()) return line_at(static_cast<std::size_t>(name - begin));
    return line_of(owner);
  }

  void report(int line, const std::string& subject, const std::string& what) {
    problems_.push_back({line, subject + ": " + what});
  }

  bool parse_document();
  Children check(pugi::xml_node node, const std::string& subject, std::span<const AttrSpec> attrs,
                 std::span<const ChildSpec> children, bool text_content);
  std::string attr(pugi::xml_node node, const char* name) const { return node.attribute(name).value(); }
  std::string text_of(pugi::xml_node node) const;
  std::string required_text(pugi::xml_node node, const std::string& subject, const char* expected);

  void read_organisation(pugi::xml_node node);
  void read_suppliers(pugi::xml_node node);
  void read_supplier(pugi::xml_node node);
  void read_categories(pugi::xml_node node);
  void read_category(pugi::xml_node node);
  // <name> (the configured name) and an optional <name language="en">.
  void read_category_names(std::span<const pugi::xml_node> names, const std::string& subject, Category& category);
  void check_key_file(pugi::xml_node node, const std::string& value);
  void check_cross_references();
  // Nudges and experiments (docs/nudges.md).
  void read_nudges(pugi::xml_node node);
  void read_category_nudges(pugi::xml_node node, const std::string& subject, CategoryNudges& nudges);
  std::optional<Language> read_language(pugi::xml_node node, const char* name, const std::string& subject);
  unsigned read_nudge_list(pugi::xml_node node, const char* name, const std::string& subject);
  void read_norm(pugi::xml_node node, const std::string& subject, NormSettings& norm);
  // <text language=".."> children (or the element itself, with its own
  // language attribute) into one LocalizedText; placeholders checked.
  void read_localized(pugi::xml_node node, const std::string& subject, const std::string& what,
                      std::span<const char* const> placeholders, LocalizedText& out, std::map<std::string, int>& seen);
  // A pair of date attributes (e.g. valid-from/valid-until): each must be a
  // date and the end not before the start. noun names the element in
  // messages ("evidence"); example is a date for the expected form. False
  // when either is missing or wrong (each wrong one is reported).
  struct DateRange {
    const char* noun;
    const char* from;
    const char* until;
    const char* example;
  };
  bool read_date_range(pugi::xml_node node, const std::string& subject, const DateRange& names, LocalDate& from,
                       LocalDate& until);
  void read_experiments(pugi::xml_node node);
  void read_experiment(pugi::xml_node node);
  Error to_error() const;

  std::string buffer_;  // parsed in place; pugixml nodes point into it
  std::string file_;
  fs::path base_dir_;
  std::vector<std::size_t> line_starts_;  // offset of the first byte of each line
  pugi::xml_document doc_;
  std::vector<Problem> problems_;
  Policy policy_;
  std::vector<std::vector<int>> social_ref_lines_;  // per category, the line of each <social-supplier>
  std::vector<int> identifier_lines_;               // parallel to identifiers, flattened per supplier
};

Result<std::shared_ptr<const Policy>> Loader::run() {
  auto digest = sha256_of(buffer_);
  if (!digest.ok()) return std::move(digest).error();
  policy_.source_sha256 = std::move(*digest);
  policy_.source = fs::path(file_);

  if (parse_document()) {
    const pugi::xml_node root = doc_.document_element();
    static constexpr ChildSpec kRootChildren[] = {
        {"organisation", true, false, "the organisation's name, time zone, currency and key file"},
        {"suppliers", true, false, "the list of suppliers"},
        {"categories", true, false, "the list of categories"},
        {"nudges", false, false, ""},
        {"experiments", false, false, ""},
    };
    Children parts = check(root, "configuration", {}, kRootChildren, false);
    if (!parts[0].empty()) read_organisation(parts[0].front());
    if (!parts[1].empty()) read_suppliers(parts[1].front());
    // The organisation's nudges first: a category's <norm> starts from them.
    if (!parts[3].empty()) read_nudges(parts[3].front());
    fill_default_templates(policy_.nudges);
    if (!parts[2].empty()) read_categories(parts[2].front());
    if (!parts[4].empty()) read_experiments(parts[4].front());
    check_cross_references();
  }
  if (!problems_.empty()) return to_error();
  policy_.index_suppliers();
  return std::shared_ptr<const Policy>(std::make_shared<Policy>(std::move(policy_)));
}

bool Loader::parse_document() {
  if (buffer_.size() >= 3 && buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0) buffer_.erase(0, 3);
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < buffer_.size(); ++i) {
    if (buffer_[i] == '\n' || (buffer_[i] == '\r' && (i + 1 == buffer_.size() || buffer_[i + 1] != '\n'))) {
      line_starts_.push_back(i + 1);
    }
  }
  // Checked before parsing: pugixml would stop at a NUL byte and report
  // something confusing.
  bool control = false;
  const std::size_t bad = first_bad_byte(buffer_, control);
  if (bad != std::string_view::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(buffer_[bad])));
    if (control) {
      report(line_at(bad), "file", std::string("control character ") + hex + " is not allowed in XML; expected text");
    } else {
      report(line_at(bad), "file", std::string("byte ") + hex + " is not valid UTF-8; expected a file saved as UTF-8");
    }
    return false;
  }

  constexpr unsigned kOptions = pugi::parse_default | pugi::parse_declaration | pugi::parse_doctype;
  const pugi::xml_parse_result parsed =
      doc_.load_buffer_inplace(buffer_.data(), buffer_.size(), kOptions, pugi::encoding_utf8);
  if (!parsed) {
    report(line_at(static_cast<std::size_t>(std::max<std::ptrdiff_t>(parsed.offset, 0))), "XML",
           std::string(parsed.description()) + "; expected well-formed XML");
    return false;
  }
  int roots = 0;
  for (pugi::xml_node n : doc_.children()) {
    if (n.type() == pugi::node_declaration) {
      const std::string encoding = n.attribute("encoding").value();
      std::string upper = encoding;
      std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) {
        return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      });
      if (!encoding.empty() && upper != "UTF-8") {
        report(line_of(n), "XML declaration", "encoding " + quote(encoding) + " is not supported; expected UTF-8");
        return false;
      }
    } else if (n.type() == pugi::node_doctype) {
      report(line_of(n), "DOCTYPE", "a document type declaration is not allowed; expected none");
      return false;
    } else if (n.type() == pugi::node_element && ++roots > 1) {
      report(line_of(n), "configuration", "a second root element <" + std::string(n.name()) +
                                               "> follows <configuration>; expected one root element");
      return false;
    }
  }
  const pugi::xml_node root = doc_.document_element();
  if (local_name(root.name()) != "configuration" || namespace_of(root) != kConfigNamespace) {
    const std::string_view ns = namespace_of(root);
    report(line_of(root), "root element",
           "<" + std::string(root.name()) + "> " + (ns.empty() ? "in no namespace" : "in namespace " + quote(ns)) +
               "; expected <configuration xmlns=\"" + std::string(kConfigNamespace) + "\">");
    return false;
  }
  return true;
}

// The structural checks every element gets: known attributes only, required
// attributes present and non-empty, known child elements in the documented
// order, no stray text. Returns the children by spec index.
Loader::Children Loader::check(pugi::xml_node node, const std::string& subject, std::span<const AttrSpec> attrs,
                               std::span<const ChildSpec> children, bool text_content) {
  const std::string element = "<" + local_name(node.name()) + ">";
  std::set<std::string> seen_attrs;
  for (pugi::xml_attribute a : node.attributes()) {
    const std::string_view name = a.name();
    const int line = line_of(a, node);
    if (name == "xmlns" || name.starts_with("xmlns:")) continue;
    if (!seen_attrs.insert(std::string(name)).second) {
      report(line, subject, "attribute " + quote(name) + " appears twice on " + element + "; expected it once");
      continue;
    }
    const auto colon = name.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view ns = namespace_of_prefix(node, name.substr(0, colon));
      if (ns == kXsiNamespace || ns == kXmlNamespace) continue;
    }
    const auto spec = std::find_if(attrs.begin(), attrs.end(), [&](const AttrSpec& s) { return name == s.name; });
    if (spec == attrs.end()) {
      std::string known;
      for (const AttrSpec& s : attrs) known += (known.empty() ? "" : ", ") + std::string(s.name);
      report(line, subject,
             "unknown attribute " + quote(name) + " on " + element + "; expected " +
                 (known.empty() ? std::string("no attributes") : "one of " + known));
      continue;
    }
    const std::string_view value = a.value();
    if (trim(value).empty()) {
      report(line, subject, "attribute " + quote(name) + " is empty; expected " + spec->expected);
    } else if (trim(value).size() != value.size()) {
      report(line, subject,
             "attribute " + quote(name) + " value " + quote(value) +
                 " has leading or trailing spaces; expected the value without them");
    }
  }
  for (const AttrSpec& s : attrs) {
    if (s.required && !node.attribute(s.name)) {
      report(line_of(node), subject,
             "missing attribute " + quote(s.name) + " on " + element + "; expected " + s.expected);
    }
  }

  Children found(children.size());
  std::size_t last = 0;
  for (pugi::xml_node child : node.children()) {
    const pugi::xml_node_type type = child.type();
    if (type == pugi::node_pcdata || type == pugi::node_cdata) {
      const std::string text = collapse(child.value());
      if (!text_content && !text.empty()) {
        report(line_of(child), subject,
               "unexpected text " + quote(text.size() > 40 ? text.substr(0, 40) + "..." : text) + " in " + element +
                   "; expected only elements");
      }
      continue;
    }
    if (type != pugi::node_element) continue;
    const std::string name = local_name(child.name());
    const std::string_view ns = namespace_of(child);
    std::string known;
    for (const ChildSpec& s : children) known += (known.empty() ? "" : ", ") + std::string(s.name);
    const std::string expected =
        known.empty() ? (text_content ? std::string("text only") : std::string("no child elements"))
                      : "one of " + known;
    if (ns != kConfigNamespace) {
      report(line_of(child), subject,
             "element <" + std::string(child.name()) + "> in " +
                 (ns.empty() ? std::string("no namespace") : "namespace " + quote(ns)) + " inside " + element +
                 "; expected " + expected + " in namespace " + quote(kConfigNamespace));
      continue;
    }
    const auto spec = std::find_if(children.begin(), children.end(), [&](const ChildSpec& s) { return name == s.name; });
    if (spec == children.end()) {
      report(line_of(child), subject, "unknown element <" + name + "> in " + element + "; expected " + expected);
      continue;
    }
    const auto index = static_cast<std::size_t>(spec - children.begin());
    if (index < last) {
      // Still read it, so that one misplaced element is one problem.
      report(line_of(child), subject,
             "element <" + name + "> is out of order in " + element + "; expected the order " + known);
    }
    last = std::max(last, index);
    if (!spec->repeats && !found[index].empty()) {
      report(line_of(child), subject,
             "second <" + name + "> in " + element + " (first at line " + std::to_string(line_of(found[index].front())) +
                 "); expected only one");
      continue;
    }
    found[index].push_back(child);
  }
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (children[i].required && found[i].empty()) {
      report(line_of(node), subject,
             "missing <" + std::string(children[i].name) + "> in " + element + "; expected " + children[i].expected);
    }
  }
  return found;
}

std::string Loader::text_of(pugi::xml_node node) const {
  std::string text;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) text += child.value();
  }
  return collapse(text);
}

// A text-only element such as <name>: no attributes, no children, not empty.
std::string Loader::required_text(pugi::xml_node node, const std::string& subject, const char* expected) {
  check(node, subject, {}, {}, true);
  std::string text = text_of(node);
  if (text.empty()) {
    report(line_of(node), subject, "<" + local_name(node.name()) + "> is empty; expected " + expected);
  }
  return text;
}

void Loader::read_organisation(pugi::xml_node node) {
  static constexpr AttrSpec kAttrs[] = {
      {"name", true, "the organisation's name"},
      {"time-zone", false, "an IANA time zone such as Europe/Amsterdam"},
      {"reporting-currency", false, "an ISO 4217 currency code such as EUR"},
      {"key-file", true, "the file that holds the pseudonymisation secret"},
  };
  const std::string subject = "organisation";
  check(node, subject, kAttrs, {}, false);
  Organisation& org = policy_.organisation;
  org.name = collapse(attr(node, "name"));

  if (pugi::xml_attribute tz = node.attribute("time-zone")) org.time_zone = tz.value();
  if (!org.time_zone.empty()) {
    auto zone = TimeZone::load(org.time_zone);
    if (zone.ok()) {
      policy_.zone = std::move(*zone);
    } else {
      report(line_of(node.attribute("time-zone"), node), subject, zone.error().message);
    }
  }

  if (pugi::xml_attribute cur = node.attribute("reporting-currency")) {
    org.reporting_currency = cur.value();
    if (!org.reporting_currency.empty() && !is_currency_code(org.reporting_currency)) {
      report(line_of(cur, node), subject,
             "reporting-currency " + quote(org.reporting_currency) +
                 " is not an ISO 4217 code; expected three capital letters such as EUR");
    }
  }

  const std::string key = attr(node, "key-file");
  if (!trim(key).empty()) check_key_file(node, key);
}

void Loader::check_key_file(pugi::xml_node node, const std::string& value) {
  const fs::path path = fs::path(value).is_absolute() ? fs::path(value) : base_dir_ / value;
  policy_.organisation.key_file = path;
  const int line = line_of(node.attribute("key-file"), node);
  const std::string subject = "organisation";
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    report(line, subject,
           "key-file " + quote(value) + " does not exist (looked for " + path.string() +
               "); expected a file with the pseudonymisation secret, made with: openssl rand -hex 32");
    return;
  }
  if (!fs::is_regular_file(status)) {
    report(line, subject, "key-file " + quote(value) + " is not a regular file; expected a file with the secret");
    return;
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    report(line, subject,
           "key-file " + quote(value) + " cannot be read (" + std::strerror(err) +
               "); expected a file the service may read");
    return;
  }
  const int first = std::fgetc(f);
  std::fclose(f);
  if (first == EOF) report(line, subject, "key-file " + quote(value) + " is empty; expected the secret in it");
}

void Loader::read_suppliers(pugi::xml_node node) {
  static constexpr ChildSpec kChildren[] = {{"supplier", false, true, ""}};
  const Children children = check(node, "suppliers", {}, kChildren, false);
  for (pugi::xml_node s : children[0]) read_supplier(s);
}

void Loader::read_supplier(pugi::xml_node node) {
  static constexpr AttrSpec kAttrs[] = {
      {"id", true, "the id the ERP uses for this supplier"},
      {"social", false, "true or false"},
  };
  static constexpr ChildSpec kChildren[] = {
      {"name", true, false, "the supplier's name"},
      {"identifier", false, true, ""},
      {"evidence", false, true, ""},
      {"impact", false, false, ""},
  };
  Supplier supplier;
  supplier.id = attr(node, "id");
  supplier.line = line_of(node);
  const std::string subject = supplier.id.empty() ? std::string("supplier") : "supplier " + quote(supplier.id);
  const Children children = check(node, subject, kAttrs, kChildren, false);

  if (pugi::xml_attribute social = node.attribute("social")) {
    const std::string_view v = social.value();
    if (v == "true" || v == "1") {
      supplier.social = true;
    } else if (v != "false" && v != "0" && !trim(v).empty()) {
      report(line_of(social, node), subject, "social " + quote(v) + " is not a boolean; expected true or false");
    }
  }
  if (!children[0].empty()) supplier.name = required_text(children[0].front(), subject, "the supplier's name");

  for (pugi::xml_node id : children[1]) {
    static constexpr AttrSpec kIdAttrs[] = {{"scheme", true, "kvk, peppol, oin, vat, duns or another scheme name"}};
    check(id, subject, kIdAttrs, {}, true);
    SupplierIdentifier identifier{attr(id, "scheme"), text_of(id)};
    if (identifier.value.empty()) {
      report(line_of(id), subject, "<identifier> is empty; expected the supplier's number in that scheme");
    }
    supplier.identifiers.push_back(std::move(identifier));
    identifier_lines_.push_back(line_of(id));
  }

  for (pugi::xml_node ev : children[2]) {
    static constexpr AttrSpec kEvidenceAttrs[] = {
        {"kind", true, "one of pso-1, pso-2, pso-3, pso-30plus, code-sociale-ondernemingen, sheltered-employer, other"},
        {"valid-from", true, "a date YYYY-MM-DD"},
        {"valid-until", true, "a date YYYY-MM-DD"},
        {"reference", false, "the certificate or register number"},
    };
    check(ev, subject, kEvidenceAttrs, {}, false);
    Evidence evidence;
    evidence.reference = attr(ev, "reference");
    if (pugi::xml_attribute kind = ev.attribute("kind"); kind && !trim(kind.value()).empty()) {
      const std::string_view v = kind.value();
      const auto k = std::find_if(kEvidenceKinds.begin(), kEvidenceKinds.end(),
                                  [&](EvidenceKind e) { return v == to_string(e); });
      if (k == kEvidenceKinds.end()) {
        report(line_of(kind, ev), subject,
               "evidence kind " + quote(v) + " is unknown; expected one of " + evidence_kinds_list());
      } else {
        evidence.kind = *k;
      }
    }
    read_date_range(ev, subject, {"evidence", "valid-from", "valid-until", "2026-01-31"}, evidence.valid_from,
                    evidence.valid_until);
    supplier.evidence.push_back(std::move(evidence));
  }
  if (supplier.social && supplier.evidence.empty()) {
    report(supplier.line, subject,
           "social=\"true\" but no <evidence>; expected at least one <evidence kind=.. valid-from=.. valid-until=..>");
  }

  if (!children[3].empty()) {
    static constexpr ChildSpec kImpactChildren[] = {
        {"statement", false, false, ""},
        {"figure", false, true, ""},
    };
    const pugi::xml_node impact = children[3].front();
    const Children parts = check(impact, subject, {}, kImpactChildren, false);
    if (!parts[0].empty()) {
      supplier.impact.statement = required_text(parts[0].front(), subject, "a sentence on the supplier's impact");
    }
    for (pugi::xml_node fig : parts[1]) {
      static constexpr AttrSpec kFigureAttrs[] = {
          {"measure", true, "what is counted, such as jobs-distance-labour-market"},
          {"value", true, "a whole number"},
          {"unit", false, "the unit, such as persons"},
      };
      check(fig, subject, kFigureAttrs, {}, false);
      ImpactFigure figure{attr(fig, "measure"), 0, attr(fig, "unit")};
      if (pugi::xml_attribute v = fig.attribute("value"); v && !trim(v.value()).empty()) {
        if (!parse_whole(v.value(), figure.value)) {
          report(line_of(v, fig), subject,
                 "figure value " + quote(v.value()) + " is not a whole number; expected an integer such as 14");
        }
      }
      supplier.impact.figures.push_back(std::move(figure));
    }
  }
  policy_.suppliers.push_back(std::move(supplier));
}

void Loader::read_categories(pugi::xml_node node) {
  static constexpr ChildSpec kChildren[] = {{"category", false, true, ""}};
  const Children children = check(node, "categories", {}, kChildren, false);
  for (pugi::xml_node c : children[0]) read_category(c);
}

void Loader::read_category(pugi::xml_node node) {
  static constexpr AttrSpec kAttrs[] = {
      {"code-system", false, "CPV, UNSPSC or the ERP's own list id"},
      {"code", true, "the category code, such as 03121200-7"},
      {"strategy", false, "fixed or rotate"},
      {"price-tolerance", false, "a percentage such as 15"},
      {"social-shown", false, "a whole number from 1 to 1000"},
  };
  static constexpr ChildSpec kChildren[] = {
      {"name", true, true, "the category's name"},
      {"departments", false, false, ""},
      {"social-supplier", true, true, "at least one <social-supplier ref=\"..\"/>"},
      {"nudges", false, false, ""},
  };
  Category category;
  category.line = line_of(node);
  if (pugi::xml_attribute cs = node.attribute("code-system")) category.code_system = cs.value();
  category.code = attr(node, "code");
  std::string subject = "category";
  if (!category.code.empty()) {
    subject += category.code_system == "CPV" ? " " + category.code : " " + category.code_system + " " + category.code;
  }
  const Children children = check(node, subject, kAttrs, kChildren, false);

  if (category.code_system == "CPV" && !category.code.empty() && !is_cpv_code(category.code)) {
    report(line_of(node.attribute("code"), node), subject,
           "code " + quote(category.code) +
               " does not match the CPV pattern; expected 8 digits, a hyphen and a check digit, such as 03121200-7");
  }
  if (pugi::xml_attribute s = node.attribute("strategy"); s && !trim(s.value()).empty()) {
    const std::string_view v = s.value();
    if (v == "fixed") {
      category.strategy = Strategy::fixed;
    } else if (v == "rotate") {
      category.strategy = Strategy::rotate;
    } else {
      report(line_of(s, node), subject, "strategy " + quote(v) + " is unknown; expected fixed or rotate");
    }
  }
  if (pugi::xml_attribute t = node.attribute("price-tolerance"); t && !trim(t.value()).empty()) {
    if (!parse_percentage(t.value(), category.price_tolerance_basis_points)) {
      report(line_of(t, node), subject,
             "price-tolerance " + quote(t.value()) +
                 " is not a valid percentage; expected a number from 0 to 1000 with at most 2 decimals, such as 15 "
                 "or 7.5");
    }
  }
  if (pugi::xml_attribute n = node.attribute("social-shown"); n && !trim(n.value()).empty()) {
    if (!parse_positive(n.value(), category.social_shown)) {
      report(line_of(n, node), subject,
             "social-shown " + quote(n.value()) + " is not a positive whole number; expected 1 to 1000, such as 3");
      category.social_shown = 3;
    }
  }

  read_category_names(children[0], subject, category);
  if (!children[1].empty()) {
    static constexpr ChildSpec kDepartments[] = {{"department", true, true, "at least one <department>"}};
    const Children deps = check(children[1].front(), subject, {}, kDepartments, false);
    for (pugi::xml_node d : deps[0]) {
      std::string name = required_text(d, subject, "a department name as the ERP sends it");
      if (name.empty()) continue;
      if (std::find(category.departments.begin(), category.departments.end(), name) != category.departments.end()) {
        report(line_of(d), subject, "department " + quote(name) + " is listed twice; expected each department once");
        continue;
      }
      category.departments.push_back(std::move(name));
    }
  }
  std::vector<int> ref_lines;
  for (pugi::xml_node ref : children[2]) {
    static constexpr AttrSpec kRefAttrs[] = {{"ref", true, "the id of a social supplier"}};
    check(ref, subject, kRefAttrs, {}, false);
    const std::string id = attr(ref, "ref");
    if (trim(id).empty()) continue;
    if (std::find(category.social_suppliers.begin(), category.social_suppliers.end(), id) !=
        category.social_suppliers.end()) {
      report(line_of(ref), subject, "social supplier " + quote(id) + " is listed twice; expected each supplier once");
      continue;
    }
    category.social_suppliers.push_back(id);
    ref_lines.push_back(line_of(ref));
  }
  social_ref_lines_.push_back(std::move(ref_lines));
  if (!children[3].empty()) read_category_nudges(children[3].front(), subject, category.nudges);
  policy_.categories.push_back(std::move(category));
}

void Loader::read_category_names(std::span<const pugi::xml_node> names, const std::string& subject,
                                 Category& category) {
  static constexpr AttrSpec kAttrs[] = {{"language", false, "en"}};
  int configured_line = 0;
  int english_line = 0;
  for (pugi::xml_node n : names) {
    check(n, subject, kAttrs, {}, true);
    const int line = line_of(n);
    std::string text = text_of(n);
    const pugi::xml_attribute language = n.attribute("language");
    // One configured and one English name: the first of each is taken.
    const auto take = [&](int& first_line, std::string_view element, std::string_view expected_one,
                          std::string_view expected_text, std::string& target) {
      if (first_line != 0) {
        report(line, subject,
               "second " + std::string(element) + " in <category> (first at line " + std::to_string(first_line) +
                   "); expected " + std::string(expected_one));
        return;
      }
      first_line = line;
      if (text.empty()) report(line, subject, std::string(element) + " is empty; expected " + std::string(expected_text));
      target = std::move(text);
    };
    if (!language) {
      take(configured_line, "<name>", "only one", "the category's name", category.name);
      continue;
    }
    const std::string_view value = language.value();
    if (trim(value).empty() || trim(value).size() != value.size()) continue;  // check() reported it
    if (value != "en") {
      report(line_of(language, n), subject,
             "name language " + quote(value) +
                 " is not supported; expected en (the <name> without language is the configured name, used in "
                 "Dutch)");
      continue;
    }
    take(english_line, "<name language=\"en\">", "one English name", "the category's name in English",
         category.name_en);
  }
  if (!names.empty() && configured_line == 0) {
    report(line_of(names.front().parent()), subject,
           "missing <name> without language in <category>; expected the category's configured name (used in "
           "Dutch), such as <name>Bloemen</name>");
  }
}

// Checks that need the whole file: uniqueness and references.
void Loader::check_cross_references() {
  std::map<std::string, const Supplier*> by_id;
  std::map<std::pair<std::string, std::string>, std::pair<const Supplier*, int>> by_identifier;
  std::size_t identifier_index = 0;
  for (const Supplier& s : policy_.suppliers) {
    const std::string subject = "supplier " + quote(s.id);
    if (!s.id.empty()) {
      auto [it, fresh] = by_id.emplace(s.id, &s);
      if (!fresh) {
        report(s.line, subject,
               "defined twice (first at line " + std::to_string(it->second->line) + "); expected unique supplier ids");
      }
    }
    for (const SupplierIdentifier& id : s.identifiers) {
      const int line = identifier_lines_[identifier_index++];
      if (id.scheme.empty() || id.value.empty()) continue;
      auto [it, fresh] = by_identifier.emplace(std::pair{id.scheme, id.value}, std::pair{&s, line});
      if (!fresh) {
        const Supplier* other = it->second.first;
        report(line, subject,
               "identifier " + id.scheme + " " + quote(id.value) + " is also used by " +
                   (other == &s ? std::string("this supplier") : "supplier " + quote(other->id)) + " (line " +
                   std::to_string(it->second.second) + "); expected an identifier that names one supplier");
      }
    }
  }

  struct Seen {
    int line;
    std::vector<std::string> departments;
  };
  std::map<std::pair<std::string, std::string>, std::vector<Seen>> by_code;
  for (std::size_t ci = 0; ci < policy_.categories.size(); ++ci) {
    const Category& c = policy_.categories[ci];
    std::string subject = "category";
    if (!c.code.empty()) subject += c.code_system == "CPV" ? " " + c.code : " " + c.code_system + " " + c.code;
    for (std::size_t i = 0; i < c.social_suppliers.size(); ++i) {
      const std::string& ref = c.social_suppliers[i];
      const int line = social_ref_lines_[ci][i];
      const auto it = by_id.find(ref);
      if (it == by_id.end()) {
        report(line, subject,
               "social supplier " + quote(ref) + " is not defined; expected the id of a <supplier> in <suppliers>");
      } else if (!it->second->social) {
        report(line, subject,
               "supplier " + quote(ref) + " is not social; expected a supplier with social=\"true\" and evidence");
      }
    }
    if (c.code.empty()) continue;
    std::vector<std::string> departments = c.departments;
    std::sort(departments.begin(), departments.end());
    auto& earlier = by_code[{c.code_system, c.code}];
    bool duplicate = false;
    for (const Seen& e : earlier) {
      if (e.departments == departments) {
        report(c.line, subject,
               "defined twice for the same departments (first at line " + std::to_string(e.line) +
                   "); expected one entry per code and department scope");
        duplicate = true;
        break;
      }
    }
    if (!duplicate) {
      for (const Seen& e : earlier) {
        const auto shared = std::find_if(departments.begin(), departments.end(), [&](const std::string& d) {
          return std::binary_search(e.departments.begin(), e.departments.end(), d);
        });
        if (shared != departments.end()) {
          report(c.line, subject,
                 "department " + quote(*shared) + " is also scoped by the entry at line " + std::to_string(e.line) +
                     "; expected each department in one entry per code");
          break;
        }
      }
    }
    earlier.push_back({c.line, std::move(departments)});
  }
}

// ---- nudges and experiments ----

std::optional<Language> Loader::read_language(pugi::xml_node node, const char* name, const std::string& subject) {
  const pugi::xml_attribute a = node.attribute(name);
  if (!a || trim(a.value()).empty()) return std::nullopt;
  const std::string_view v = a.value();
  if (v == "nl") return Language::nl;
  if (v == "en") return Language::en;
  report(line_of(a, node), subject, std::string(name) + " " + quote(v) + " is not supported; expected nl or en");
  return std::nullopt;
}

unsigned Loader::read_nudge_list(pugi::xml_node node, const char* name, const std::string& subject) {
  const pugi::xml_attribute a = node.attribute(name);
  unsigned set = 0;
  std::string_view rest = a.value();
  while (!(rest = trim(rest)).empty()) {
    const std::size_t end = std::min(rest.find_first_of(" \t\r\n"), rest.size());
    const std::string_view word = rest.substr(0, end);
    rest.remove_prefix(end);
    const auto k = std::find_if(kNudgeKinds.begin(), kNudgeKinds.end(), [&](NudgeKind n) { return word == to_string(n); });
    if (k == kNudgeKinds.end()) {
      report(line_of(a, node), subject,
             std::string(name) + " " + quote(a.value()) + ": " + quote(word) +
                 " is unknown; expected a space-separated list of " + nudge_kinds_list());
      continue;
    }
    set |= nudge_bit(*k);
  }
  return set;
}

void Loader::read_norm(pugi::xml_node node, const std::string& subject, NormSettings& norm) {
  static constexpr AttrSpec kAttrs[] = {
      {"threshold", false, "a percentage such as 50"},
      {"min-orders", false, "a whole number of at least 5, such as 10"},
      {"window-days", false, "a number of days such as 91"},
  };
  check(node, subject, kAttrs, {}, false);
  if (pugi::xml_attribute t = node.attribute("threshold"); t && !trim(t.value()).empty()) {
    std::uint32_t bp = 0;
    if (!parse_percentage(t.value(), bp) || bp > 10000) {
      report(line_of(t, node), subject,
             "norm threshold " + quote(t.value()) + " is not a percentage from 0 to 100; expected a number such as 50");
    } else {
      norm.threshold_basis_points = bp;
    }
  }
  if (pugi::xml_attribute k = node.attribute("min-orders"); k && !trim(k.value()).empty()) {
    if (!parse_range(k.value(), 5, 1'000'000, norm.min_orders)) {
      report(line_of(k, node), subject,
             "norm min-orders " + quote(k.value()) +
                 " is not a whole number from 5 to 1000000; expected at least 5 so that the norm never exposes a "
                 "person, such as 10");
    }
  }
  if (pugi::xml_attribute w = node.attribute("window-days"); w && !trim(w.value()).empty()) {
    if (!parse_range(w.value(), 1, 3660, norm.window_days)) {
      report(line_of(w, node), subject,
             "norm window-days " + quote(w.value()) +
                 " is not a whole number from 1 to 3660; expected a number of days such as 91");
    }
  }
}

void Loader::read_localized(pugi::xml_node node, const std::string& subject, const std::string& what,
                            std::span<const char* const> placeholders, LocalizedText& out,
                            std::map<std::string, int>& seen) {
  const std::optional<Language> language = read_language(node, "language", subject);
  const std::string text = text_of(node);
  const int line = line_of(node);
  if (text.empty()) {
    report(line, subject, what + " <" + local_name(node.name()) + "> is empty; expected the text to show");
    return;
  }
  if (!language) return;
  const std::string lang = to_string(*language);
  if (const std::string problem = placeholder_problem(text, placeholders); !problem.empty()) {
    report(line, subject, what + " (" + lang + ") " + problem);
    return;
  }
  auto [it, fresh] = seen.emplace(what + '\x1f' + lang, line);
  if (!fresh) {
    report(line, subject,
           "second " + what + " in " + lang + " (first at line " + std::to_string(it->second) +
               "); expected one per language");
    return;
  }
  (*language == Language::en ? out.en : out.nl) = text;
}

void Loader::read_nudges(pugi::xml_node node) {
  static constexpr AttrSpec kAttrs[] = {{"language", false, "nl or en"}};
  static constexpr ChildSpec kChildren[] = {
      {"department", false, true, ""},
      {"norm", false, false, ""},
      {"template", false, true, ""},
      {"endorsement", false, true, ""},
  };
  static constexpr AttrSpec kLanguageAttr[] = {{"language", true, "nl or en"}};
  const std::string subject = "nudges";
  const Children children = check(node, subject, kAttrs, kChildren, false);
  NudgeSettings& n = policy_.nudges;
  if (auto language = read_language(node, "language", subject)) n.default_language = *language;

  std::map<std::string, int> departments;
  for (pugi::xml_node d : children[0]) {
    static constexpr AttrSpec kDepartmentAttrs[] = {
        {"name", true, "a department name as the ERP sends it"},
        {"language", true, "nl or en"},
    };
    check(d, subject, kDepartmentAttrs, {}, false);
    const std::string name = attr(d, "name");
    const std::optional<Language> language = read_language(d, "language", subject);
    if (trim(name).empty() || !language) continue;
    auto [it, fresh] = departments.emplace(name, line_of(d));
    if (!fresh) {
      report(line_of(d), subject,
             "department " + quote(name) + " has a language twice (first at line " + std::to_string(it->second) +
                 "); expected one <department> per department");
      continue;
    }
    n.department_languages.emplace_back(name, *language);
  }
  if (!children[1].empty()) read_norm(children[1].front(), subject, n.norm);

  std::map<std::string, int> seen;
  for (pugi::xml_node t : children[2]) {
    static constexpr AttrSpec kTemplateAttrs[] = {
        {"kind", true, "impact, norm or price"},
        {"language", true, "nl or en"},
    };
    check(t, subject, kTemplateAttrs, {}, true);
    const std::string kind = attr(t, "kind");
    if (kind == "impact") {
      read_localized(t, subject, "template impact", kImpactPlaceholders, n.impact_template, seen);
    } else if (kind == "norm") {
      read_localized(t, subject, "template norm", kNormPlaceholders, n.norm_template, seen);
    } else if (kind == "price") {
      read_localized(t, subject, "template price", kPricePlaceholders, n.price_template, seen);
    } else if (!trim(kind).empty()) {
      report(line_of(t.attribute("kind"), t), subject,
             "template kind " + quote(kind) + " is unknown; expected impact, norm or price");
    }
  }
  for (pugi::xml_node e : children[3]) {
    check(e, subject, kLanguageAttr, {}, true);
    read_localized(e, subject, "endorsement", kTipPlaceholders, n.endorsement, seen);
  }
}

void Loader::read_category_nudges(pugi::xml_node node, const std::string& subject, CategoryNudges& nudges) {
  static constexpr AttrSpec kAttrs[] = {{"show", false, "a space-separated list of nudges, such as impact norm"}};
  static constexpr ChildSpec kChildren[] = {
      {"norm", false, false, ""},
      {"campaign", false, true, ""},
      {"endorsement", false, true, ""},
  };
  static constexpr AttrSpec kLanguageAttr[] = {{"language", true, "nl or en"}};
  const Children children = check(node, subject, kAttrs, kChildren, false);
  if (node.attribute("show")) nudges.shown = read_nudge_list(node, "show", subject);
  if (!children[0].empty()) {
    nudges.norm = policy_.nudges.norm;  // overridden attribute by attribute
    read_norm(children[0].front(), subject, *nudges.norm);
  }
  for (pugi::xml_node c : children[1]) {
    static constexpr AttrSpec kCampaignAttrs[] = {
        {"from", true, "a date YYYY-MM-DD"},
        {"until", true, "a date YYYY-MM-DD"},
    };
    static constexpr ChildSpec kCampaignChildren[] = {{"text", true, true, "<text language=\"nl\">the tip</text>"}};
    const Children texts = check(c, subject, kCampaignAttrs, kCampaignChildren, false);
    Campaign campaign;
    campaign.line = line_of(c);
    const bool dates_ok =
        read_date_range(c, subject, {"campaign", "from", "until", "2026-05-15"}, campaign.from, campaign.until);
    std::map<std::string, int> seen;
    for (pugi::xml_node t : texts[0]) {
      check(t, subject, kLanguageAttr, {}, true);
      read_localized(t, subject, "campaign text", kTipPlaceholders, campaign.text, seen);
    }
    if (dates_ok) nudges.campaigns.push_back(std::move(campaign));
  }
  std::map<std::string, int> seen;
  for (pugi::xml_node e : children[2]) {
    check(e, subject, kLanguageAttr, {}, true);
    read_localized(e, subject, "endorsement", kTipPlaceholders, nudges.endorsement, seen);
  }
}

bool Loader::read_date_range(pugi::xml_node node, const std::string& subject, const DateRange& names,
                             LocalDate& from, LocalDate& until) {
  bool dates_ok = true;
  for (const char* which : {names.from, names.until}) {
    pugi::xml_attribute a = node.attribute(which);
    if (!a || trim(a.value()).empty()) {
      dates_ok = false;
      continue;
    }
    auto day = parse_date(a.value());
    if (!day.ok()) {
      dates_ok = false;
      report(line_of(a, node), subject,
             std::string(names.noun) + " " + which + " " + quote(a.value()) +
                 " is not a valid date; expected YYYY-MM-DD, such as " + names.example);
      continue;
    }
    (which == names.from ? from : until) = *day;
  }
  if (dates_ok && until < from) {
    report(line_of(node.attribute(names.until), node), subject,
           std::string(names.noun) + " " + names.until + " " + format_date(until) + " is before " + names.from + " " +
               format_date(from) + "; expected an end on or after the start");
    return false;
  }
  return dates_ok;
}

void Loader::read_experiments(pugi::xml_node node) {
  static constexpr ChildSpec kChildren[] = {{"experiment", false, true, ""}};
  const Children children = check(node, "experiments", {}, kChildren, false);
  for (pugi::xml_node e : children[0]) read_experiment(e);

  const auto& all = policy_.experiments;
  for (std::size_t j = 0; j < all.size(); ++j) {
    const Experiment& b = all[j];
    const std::string subject = "experiment " + quote(b.id);
    for (std::size_t i = 0; i < j; ++i) {
      const Experiment& a = all[i];
      if (a.id == b.id) {
        report(b.line, subject,
               "defined twice (first at line " + std::to_string(a.line) + "); expected unique experiment ids");
        break;
      }
      const bool same_days = a.from <= b.until && b.from <= a.until;
      bool same_categories = a.categories.empty() || b.categories.empty();
      for (const auto& c : b.categories) {
        same_categories = same_categories || std::find(a.categories.begin(), a.categories.end(), c) != a.categories.end();
      }
      if (same_days && same_categories) {
        report(b.line, subject,
               "runs on days of experiment " + quote(a.id) + " (line " + std::to_string(a.line) +
                   ") for the same categories; expected at most one experiment per category on a day");
        break;
      }
    }
  }
}

void Loader::read_experiment(pugi::xml_node node) {
  static constexpr AttrSpec kAttrs[] = {
      {"id", true, "an id such as nudges-2026"},
      {"from", true, "a date YYYY-MM-DD"},
      {"until", true, "a date YYYY-MM-DD"},
      {"minimum-effect", false, "percentage points such as 5"},
  };
  static constexpr ChildSpec kChildren[] = {
      {"category", false, true, ""},
      {"arm", true, true, "a control <arm name=\"control\" control=\"true\"/> and at least one other <arm>"},
  };
  Experiment experiment;
  experiment.id = attr(node, "id");
  experiment.line = line_of(node);
  const std::string subject = experiment.id.empty() ? std::string("experiment") : "experiment " + quote(experiment.id);
  const Children children = check(node, subject, kAttrs, kChildren, false);
  if (!trim(experiment.id).empty() && !is_arm_token(experiment.id)) {
    report(line_of(node.attribute("id"), node), subject,
           "id " + quote(experiment.id) +
               " has characters other than letters, digits, \"-\", \"_\" and \".\"; expected an id such as "
               "nudges-2026");
  }
  bool dates_ok = true;
  for (const char* which : {"from", "until"}) {
    pugi::xml_attribute a = node.attribute(which);
    if (!a || trim(a.value()).empty()) {
      dates_ok = false;
      continue;
    }
    auto day = parse_date(a.value());
    if (!day.ok()) {
      dates_ok = false;
      report(line_of(a, node), subject,
             std::string(which) + " " + quote(a.value()) + " is not a valid date; expected YYYY-MM-DD, such as 2026-01-01");
      continue;
    }
    (std::strcmp(which, "from") == 0 ? experiment.from : experiment.until) = *day;
  }
  if (dates_ok && experiment.until < experiment.from) {
    report(line_of(node.attribute("until"), node), subject,
           "until " + format_date(experiment.until) + " is before from " + format_date(experiment.from) +
               "; expected an end on or after the start");
  }
  if (pugi::xml_attribute m = node.attribute("minimum-effect"); m && !trim(m.value()).empty()) {
    std::uint32_t bp = 0;
    if (!parse_percentage(m.value(), bp) || bp == 0 || bp > 10000) {
      report(line_of(m, node), subject,
             "minimum-effect " + quote(m.value()) +
                 " is not a percentage from 0.01 to 100; expected the smallest difference in social share worth "
                 "detecting, in percentage points, such as 5");
    } else {
      experiment.minimum_effect_basis_points = bp;
    }
  }
  for (pugi::xml_node c : children[0]) {
    static constexpr AttrSpec kCategoryAttrs[] = {
        {"code-system", false, "CPV, UNSPSC or the ERP's own list id"},
        {"code", true, "the code of a configured category"},
    };
    check(c, subject, kCategoryAttrs, {}, false);
    std::pair<std::string, std::string> ref{"CPV", attr(c, "code")};
    if (pugi::xml_attribute cs = c.attribute("code-system")) ref.first = cs.value();
    if (trim(ref.second).empty()) continue;
    const bool known = std::any_of(policy_.categories.begin(), policy_.categories.end(), [&](const Category& k) {
      return k.code_system == ref.first && k.code == ref.second;
    });
    if (!known) {
      report(line_of(c), subject,
             "category " + ref.first + " " + quote(ref.second) +
                 " is not configured; expected the code of a <category> in <categories>");
      continue;
    }
    experiment.categories.push_back(std::move(ref));
  }
  int controls = 0;
  std::map<std::string, int> names;
  for (pugi::xml_node a : children[1]) {
    static constexpr AttrSpec kArmAttrs[] = {
        {"name", true, "the arm's name, such as impact"},
        {"weight", false, "a whole number from 1 to 1000000"},
        {"control", false, "true or false"},
        {"nudges", false, "a space-separated list of nudges, such as impact norm"},
    };
    check(a, subject, kArmAttrs, {}, false);
    ExperimentArm arm;
    arm.name = attr(a, "name");
    arm.line = line_of(a);
    if (!trim(arm.name).empty() && !is_arm_token(arm.name)) {
      report(line_of(a.attribute("name"), a), subject,
             "arm name " + quote(arm.name) +
                 " has characters other than letters, digits, \"-\", \"_\" and \".\"; expected a name such as impact");
    }
    if (pugi::xml_attribute w = a.attribute("weight"); w && !trim(w.value()).empty()) {
      if (!parse_range(w.value(), 1, 1'000'000, arm.weight)) {
        report(line_of(w, a), subject,
               "arm weight " + quote(w.value()) + " is not a whole number from 1 to 1000000; expected a weight such as 1");
      }
    }
    if (pugi::xml_attribute c = a.attribute("control")) {
      const std::string_view v = c.value();
      if (v == "true" || v == "1") {
        arm.control = true;
      } else if (v != "false" && v != "0" && !trim(v).empty()) {
        report(line_of(c, a), subject, "arm control " + quote(v) + " is not a boolean; expected true or false");
      }
    }
    if (a.attribute("nudges")) arm.nudges = read_nudge_list(a, "nudges", subject);
    if (arm.control && arm.nudges != 0) {
      report(line_of(a.attribute("nudges"), a), subject,
             "control arm " + quote(arm.name) +
                 " has nudges; expected none, the control passes the ERP's list through unchanged");
    }
    if (arm.control) ++controls;
    if (!arm.name.empty()) {
      auto [it, fresh] = names.emplace(arm.name, arm.line);
      if (!fresh) {
        report(arm.line, subject,
               "arm " + quote(arm.name) + " is defined twice (first at line " + std::to_string(it->second) +
                   "); expected unique arm names");
        continue;
      }
    }
    experiment.arms.push_back(std::move(arm));
  }
  if (!children[1].empty()) {
    if (controls == 0) {
      report(experiment.line, subject, "has no control arm; expected exactly one <arm control=\"true\">");
    } else if (controls > 1) {
      report(experiment.line, subject,
             "has " + std::to_string(controls) + " control arms; expected exactly one <arm control=\"true\">");
    }
    if (experiment.arms.size() == 1) {
      report(experiment.line, subject, "has only one arm; expected a control arm and at least one other");
    }
  }
  policy_.experiments.push_back(std::move(experiment));
}

Error Loader::to_error() const {
  std::vector<Problem> sorted = problems_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Problem& a, const Problem& b) { return a.line < b.line; });
  const auto where = [&](const Problem& p) { return file_ + ":" + std::to_string(p.line); };
  std::string message = sorted.front().text;
  for (std::size_t i = 1; i < sorted.size() && i < kMaxProblems; ++i) {
    message += "\n" + where(sorted[i]) + ": " + sorted[i].text;
  }
  if (sorted.size() > kMaxProblems) {
    message += "\n" + file_ + ": " + std::to_string(sorted.size() - kMaxProblems) + " more problems not shown";
  }
  return make_error(ErrorCode::config, std::move(message), where(sorted.front()));
}

}  // namespace

Result<std::shared_ptr<const Policy>> parse_policy(std::string_view xml, std::string_view file_name,
                                                   const std::filesystem::path& base_dir) {
  if (xml.size() > kMaxConfigBytes) {
    return make_error(ErrorCode::config,
                      "file: larger than " + std::to_string(kMaxConfigBytes) + " bytes; expected a configuration of at most 16 MiB",
                      std::string(file_name) + ":1");
  }
  Loader loader(xml, std::string(file_name), base_dir);
  return loader.run();
}

Result<std::shared_ptr<const Policy>> load_policy(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) {
    return make_error(ErrorCode::io, "cannot read the configuration (" + ec.message() + "); expected a readable file",
                      name);
  }
  if (size > kMaxConfigBytes) {
    return make_error(ErrorCode::config,
                      "file: larger than " + std::to_string(kMaxConfigBytes) + " bytes; expected a configuration of at most 16 MiB",
                      name + ":1");
  }
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad() || !in.is_open()) {
    return make_error(ErrorCode::io, "cannot read the configuration; expected a readable file", name);
  }
  return parse_policy(bytes, name, file.parent_path());
}

}  // namespace socialdefault
