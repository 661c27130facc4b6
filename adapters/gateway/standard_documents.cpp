#include "standard_documents.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>

namespace socialdefault::gateway {

namespace {

constexpr std::string_view kUblPrefix = "urn:oasis:names:specification:ubl:schema:xsd:";

bool space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool xml_content_type(std::string_view content_type) noexcept {
  const std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  if (media.empty()) return true;
  if (boost::beast::iequals(media, "application/soap+xml")) return false;
  return boost::beast::iequals(media, "application/xml") || boost::beast::iequals(media, "text/xml") ||
         (media.size() > 4 && boost::beast::iequals(media.substr(media.size() - 4), "+xml"));
}

// The start tag of the root element: skips a BOM, the XML declaration,
// processing instructions, comments and a DOCTYPE (with its internal subset).
std::string_view root_tag(std::string_view s) noexcept {
  std::size_t i = s.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (i < s.size()) {
    if (space(s[i])) {
      ++i;
    } else if (s.compare(i, 2, "<?") == 0) {
      const std::size_t end = s.find("?>", i + 2);
      if (end == std::string_view::npos) return {};
      i = end + 2;
    } else if (s.compare(i, 4, "<!--") == 0) {
      const std::size_t end = s.find("-->", i + 4);
      if (end == std::string_view::npos) return {};
      i = end + 3;
    } else if (s.compare(i, 9, "<!DOCTYPE") == 0) {
      int brackets = 0;
      char quote = 0;
      for (i += 9; i < s.size(); ++i) {
        const char c = s[i];
        if (quote != 0) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '[') {
          ++brackets;
        } else if (c == ']') {
          --brackets;
        } else if (c == '>' && brackets <= 0) {
          break;
        }
      }
      if (i >= s.size()) return {};
      ++i;
    } else if (s[i] == '<') {
      const std::size_t end = s.find('>', i);
      return s.substr(i, end == std::string_view::npos ? s.size() - i : end - i);
    } else {
      return {};
    }
  }
  return {};
}

// The namespace a start tag declares for a prefix ("" is the default).
bool declared_namespace(std::string_view tag, std::string_view prefix, std::string_view& value) noexcept {
  for (std::size_t at = tag.find("xmlns"); at != std::string_view::npos; at = tag.find("xmlns", at + 1)) {
    if (at == 0 || !space(tag[at - 1])) continue;
    std::size_t i = at + 5;
    if (!prefix.empty()) {
      if (i >= tag.size() || tag[i] != ':' || tag.compare(i + 1, prefix.size(), prefix) != 0) continue;
      i += 1 + prefix.size();
    }
    while (i < tag.size() && space(tag[i])) ++i;
    if (i >= tag.size() || tag[i] != '=') continue;
    ++i;
    while (i < tag.size() && space(tag[i])) ++i;
    if (i >= tag.size() || (tag[i] != '"' && tag[i] != '\'')) continue;
    const std::size_t end = tag.find(tag[i], i + 1);
    if (end == std::string_view::npos) return false;
    value = tag.substr(i + 1, end - i - 1);
    return true;
  }
  return false;
}

}  // namespace

const char* to_string(StandardDocument document) noexcept {
  switch (document) {
    case StandardDocument::none: return "none";
    case StandardDocument::ubl: return "ubl";
    case StandardDocument::cxml: return "cxml";
  }
  return "none";
}

StandardDocument detect_standard_document(std::string_view content_type, std::string_view body) noexcept {
  if (!xml_content_type(content_type)) return StandardDocument::none;
  const std::string_view tag = root_tag(body);
  if (tag.size() < 2) return StandardDocument::none;
  std::size_t name_end = 1;
  while (name_end < tag.size() && !space(tag[name_end]) && tag[name_end] != '/') ++name_end;
  const std::string_view name = tag.substr(1, name_end - 1);
  const std::size_t colon = name.find(':');
  const std::string_view prefix = colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
  const std::string_view local = colon == std::string_view::npos ? name : name.substr(colon + 1);
  std::string_view ns;
  const bool declared = declared_namespace(tag, prefix, ns);
  if (prefix.empty() && local == "cXML" && (!declared || ns.empty())) return StandardDocument::cxml;
  if (declared && ns.starts_with(kUblPrefix) && ns.ends_with("-2")) return StandardDocument::ubl;
  return StandardDocument::none;
}

bool form_content_type(std::string_view content_type) noexcept {
  const std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  return boost::beast::iequals(media, "application/x-www-form-urlencoded");
}

StandardBody read_standard_body(std::string_view content_type, std::string_view body, std::size_t max_bytes) {
  StandardBody out;
  if (!form_content_type(content_type)) {
    out.document = detect_standard_document(content_type, body);
    return out;
  }
  auto decoded = decode_punchout_form(body, max_bytes);
  if (!decoded) {
    if (decoded.error().code != ErrorCode::not_found) out.form_error = std::move(decoded).error();
    return out;
  }
  if (detect_standard_document("", *decoded) != StandardDocument::cxml) {
    out.form_error = make_error(ErrorCode::unsupported,
                                "the PunchOut form's cxml field does not hold a <cXML> document; expected a "
                                "PunchOutOrderMessage");
    return out;
  }
  out.document = StandardDocument::cxml;
  out.from_form = true;
  out.decoded = std::move(decoded).value();
  return out;
}

}  // namespace socialdefault::gateway
