#include "soap_envelope.hpp"

#include <cstring>

#include "socialdefault/bytes.hpp"

namespace socialdefault::gateway {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default:
        // Control characters are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

// The value of the xmlns declaration that binds the root element's prefix,
// searched in the root's start tag only.
std::string_view root_namespace(std::string_view tag, std::string_view prefix) {
  const std::string key = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  std::size_t pos = 0;
  while ((pos = tag.find(key, pos)) != std::string_view::npos) {
    std::size_t after = pos + key.size();
    const bool starts = pos > 0 && is_space(tag[pos - 1]);
    while (after < tag.size() && is_space(tag[after])) ++after;
    if (starts && after < tag.size() && tag[after] == '=') {
      ++after;
      while (after < tag.size() && is_space(tag[after])) ++after;
      if (after < tag.size() && (tag[after] == '"' || tag[after] == '\'')) {
        const char quote = tag[after];
        const std::size_t end = tag.find(quote, after + 1);
        if (end != std::string_view::npos) return tag.substr(after + 1, end - after - 1);
      }
    }
    pos += key.size();
  }
  return {};
}

}  // namespace

EnvelopeScan scan_envelope(std::string_view s, std::size_t max_depth) noexcept {
  EnvelopeScan scan;
  std::size_t i = 0;
  if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < s.size() && is_space(s[i])) ++i;
  if (i >= s.size() || s[i] != '<') return scan;
  scan.looks_like_xml = true;
  std::size_t depth = 0;
  bool seen_root = false;
  while (i < s.size()) {
    const std::size_t lt = s.find('<', i);
    if (lt == std::string_view::npos) break;
    std::string_view rest = s.substr(lt);
    if (rest.starts_with("<!--")) {
      const std::size_t end = s.find("-->", lt + 4);
      if (end == std::string_view::npos) break;
      i = end + 3;
    } else if (rest.starts_with("<![CDATA[")) {
      const std::size_t end = s.find("]]>", lt + 9);
      if (end == std::string_view::npos) break;
      i = end + 3;
    } else if (rest.starts_with("<?")) {
      const std::size_t end = s.find("?>", lt + 2);
      if (end == std::string_view::npos) break;
      i = end + 2;
    } else if (rest.starts_with("<!")) {
      // DOCTYPE (or any other declaration): never legitimate in SOAP.
      scan.has_doctype = true;
      return scan;
    } else if (rest.starts_with("</")) {
      if (depth > 0) --depth;
      const std::size_t end = s.find('>', lt);
      if (end == std::string_view::npos) break;
      i = end + 1;
    } else {
      // A start tag: find its end, skipping quoted attribute values.
      const std::size_t j = start_tag_close(s, lt + 1);
      if (j == std::string_view::npos) break;
      const bool empty = s[j - 1] == '/';
      if (!seen_root) {
        seen_root = true;
        std::string_view tag = s.substr(lt + 1, j - lt - 1);
        std::size_t name_end = 0;
        while (name_end < tag.size() && !is_space(tag[name_end]) && tag[name_end] != '/' ) ++name_end;
        std::string_view name = tag.substr(0, name_end);
        const std::size_t colon = name.find(':');
        scan.root_namespace = root_namespace(tag, colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon));
      }
      if (!empty) {
        ++depth;
        if (depth > scan.depth) scan.depth = depth;
        if (depth > max_depth) {
          scan.too_deep = true;
          return scan;
        }
      }
      i = j + 1;
    }
  }
  return scan;
}

SoapVersion soap_version(std::string_view content_type, const EnvelopeScan& scan) noexcept {
  if (scan.root_namespace == kSoap12Namespace) return SoapVersion::v12;
  if (scan.root_namespace == kSoap11Namespace) return SoapVersion::v11;
  std::string lowered;
  for (char c : content_type.substr(0, 64)) lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lowered.find("application/soap+xml") != std::string::npos ? SoapVersion::v12 : SoapVersion::v11;
}

std::string_view soap_content_type(SoapVersion version) noexcept {
  return version == SoapVersion::v12 ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8";
}

std::string soap_fault(SoapVersion version, bool sender, std::string_view reason) {
  const std::string text = xml_escape(reason);
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  if (version == SoapVersion::v12) {
    out += "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body><env:Fault>";
    out += "<env:Code><env:Value>";
    out += sender ? "env:Sender" : "env:Receiver";
    out += "</env:Value></env:Code><env:Reason><env:Text xml:lang=\"en\">";
    out += text;
    out += "</env:Text></env:Reason><env:Role>urn:socialdefault:gateway</env:Role></env:Fault></env:Body></env:Envelope>\n";
  } else {
    out += "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><soap:Fault>";
    out += "<faultcode>";
    out += sender ? "soap:Client" : "soap:Server";
    out += "</faultcode><faultstring>";
    out += text;
    out += "</faultstring><faultactor>urn:socialdefault:gateway</faultactor></soap:Fault></soap:Body></soap:Envelope>\n";
  }
  return out;
}

bool is_soap_fault(std::string_view s) noexcept {
  // Find the Body start tag (any prefix), then the first element after it.
  std::size_t pos = 0;
  while ((pos = s.find("Body", pos)) != std::string_view::npos) {
    const bool name_start = pos > 0 && (s[pos - 1] == '<' || s[pos - 1] == ':');
    const bool name_end = pos + 4 < s.size() && (s[pos + 4] == '>' || is_space(s[pos + 4]) || s[pos + 4] == '/');
    if (name_start && name_end && s.rfind('<', pos) != std::string_view::npos && s[s.rfind('<', pos) + 1] != '/') {
      std::size_t gt = s.find('>', pos);
      while (gt != std::string_view::npos) {
        std::size_t lt = s.find('<', gt);
        if (lt == std::string_view::npos || lt + 1 >= s.size()) return false;
        if (s[lt + 1] == '!' || s[lt + 1] == '?') {  // comment or PI before the first child
          gt = s.find('>', lt + 1);
          continue;
        }
        if (s[lt + 1] == '/') return false;
        std::size_t end = lt + 1;
        while (end < s.size() && !is_space(s[end]) && s[end] != '>' && s[end] != '/') ++end;
        std::string_view name = s.substr(lt + 1, end - lt - 1);
        const std::size_t colon = name.find(':');
        if (colon != std::string_view::npos) name = name.substr(colon + 1);
        return name == "Fault";
      }
      return false;
    }
    pos += 4;
  }
  return false;
}

}  // namespace socialdefault::gateway
