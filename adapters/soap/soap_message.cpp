#include "soap_message.hpp"
#include "encoding.hpp"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace socialdefault::soap {

namespace {

std::string byte_at(std::size_t offset) { return "byte " + std::to_string(offset); }

// Characters pugixml leaves in decoded text when the raw bytes need a closer
// look: '&' (from &amp; or an undefined entity), the control characters a
// forbidden character reference decodes to, and in attributes '<'.
struct Suspicious {
  bool text[256] = {};
  bool attribute[256] = {};
  constexpr Suspicious() {
    for (int c = 1; c < 0x20; ++c) text[c] = attribute[c] = c != '\t' && c != '\n' && c != '\r';
    text[static_cast<unsigned char>('&')] = attribute[static_cast<unsigned char>('&')] = true;
    attribute[static_cast<unsigned char>('<')] = true;
  }
};
constexpr Suspicious kSuspicious;

// strpbrk with a table: glibc's strpbrk is slow for sets this large.
bool has_any(const char* s, const bool (&table)[256]) noexcept {
  for (; *s != '\0'; ++s) {
    if (table[static_cast<unsigned char>(*s)]) return true;
  }
  return false;
}

}  // namespace

// In-scope namespace declarations while walking the tree once, innermost
// last. A message declares a handful, so a search from the back beats a map.
class NamespaceScope {
 public:
  void push(std::string_view prefix, std::string_view uri) { bindings_.emplace_back(prefix, uri); }
  std::size_t mark() const noexcept { return bindings_.size(); }
  void pop_to(std::size_t mark) { bindings_.resize(mark); }
  bool bound(std::string_view prefix) const {
    if (prefix.empty() || prefix == "xml" || prefix == "xmlns") return true;
    return find(prefix) != nullptr;
  }
  std::string_view uri(std::string_view prefix) const {
    if (prefix == "xml") return kXmlNamespace;
    const std::string_view* uri = find(prefix);
    return uri == nullptr ? std::string_view{} : *uri;
  }

 private:
  const std::string_view* find(std::string_view prefix) const noexcept {
    for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it) {
      if (it->first == prefix) return &it->second;
    }
    return nullptr;
  }
  std::vector<std::pair<std::string_view, std::string_view>> bindings_;
};

std::string line_and_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const auto begin = text.begin();
  const auto at = begin + static_cast<std::ptrdiff_t>(offset);
  const auto line = 1 + std::count(begin, at, '\n');
  const std::size_t last_newline = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const std::size_t column =
      last_newline == std::string_view::npos || last_newline >= offset ? offset + 1 : offset - last_newline;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// A copy keeps both in one allocation: the original, as it came, and the
// parse buffer pugixml rewrites in place (filled only when a DOM is parsed).
// Borrowed bytes are not copied; their parse buffer is made by parse_dom, if
// a DOM is ever needed (the fast path needs none).
SoapMessage::SoapMessage(std::string_view bytes, std::shared_ptr<const Mapping> mapping, Bytes keep)
    : storage_(keep == Bytes::copy ? std::make_unique_for_overwrite<char[]>(2 * bytes.size() + 1) : nullptr),
      original_(keep == Bytes::copy ? std::string_view(storage_.get(), bytes.size()) : bytes),
      buffer_(keep == Bytes::copy ? storage_.get() + bytes.size() : nullptr),
      source_(original_, buffer_),
      mapping_(std::move(mapping)) {
  if (keep == Bytes::copy) std::memcpy(storage_.get(), bytes.data(), bytes.size());
}

Result<void> SoapMessage::parse_dom(const Limits& limits) {
  dom_ready_ = true;
  if (buffer_ == nullptr) {
    storage_ = std::make_unique_for_overwrite<char[]>(original_.size() + 1);
    buffer_ = storage_.get();
    source_ = SourceMap(original_, buffer_);
  }
  std::memcpy(buffer_, original_.data(), original_.size());
  buffer_[original_.size()] = '\0';
  // parse_full (pugixml never expands entities; a DOCTYPE has already been
  // refused). Whitespace-only text gets no node: nothing reads it, edits
  // find it from the raw bytes (SourceMap), and it would double the nodes
  // of an indented message.
  const unsigned options = pugi::parse_full;
  const pugi::xml_parse_result parsed =
      document_.load_buffer_inplace(buffer_, original_.size(), options, pugi::encoding_utf8);
  if (!parsed) {
    const auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(parsed.offset, 0));
    return make_error(ErrorCode::xml,
                      std::string("not well-formed XML: ") + parsed.description() + " (" +
                          line_and_column(original_, offset) + ")",
                      byte_at(offset));
  }
  return check_tree(limits);
}

void SoapMessage::ensure_dom() const {
  if (dom_ready_) return;
  // Messages are made only by parse(), never const, so this is allowed; a
  // message belongs to one request at a time (as candidates() says).
  auto& self = const_cast<SoapMessage&>(*this);
  if (self.parse_dom(limits_).ok()) {
    const MessageKind kind = kind_;
    if (!self.classify().ok()) self.envelope_ = self.body_ = self.payload_ = {};
    self.kind_ = kind;
  }
}

Result<std::unique_ptr<SoapMessage>> SoapMessage::parse_fragment(std::string_view bytes, std::size_t wrappers,
                                                                 Encoding encoding,
                                                                 std::shared_ptr<const Mapping> mapping) {
  std::unique_ptr<SoapMessage> message(new SoapMessage(bytes, std::move(mapping), Bytes::copy));
  message->encoding_ = encoding;
  if (auto dom = message->parse_dom(message->limits_); !dom) return std::move(dom).error();
  pugi::xml_node n = message->document_.document_element();
  for (std::size_t k = 0; k < wrappers && n; ++k) {
    n = n.first_child();
    while (n && n.type() != pugi::node_element) n = n.next_sibling();
  }
  message->payload_ = n;
  if (!message->payload_) return make_error(ErrorCode::internal, "the copy of the first candidate has no element");
  return message;
}

Result<std::unique_ptr<SoapMessage>> SoapMessage::parse(std::string_view bytes, const Limits& limits,
                                                        std::shared_ptr<const Mapping> mapping, Bytes keep) {
  if (bytes.size() > limits.max_bytes) {
    return make_error(ErrorCode::xml,
                      "the message is " + std::to_string(bytes.size()) + " bytes; the limit is " +
                          std::to_string(limits.max_bytes) + " bytes",
                      byte_at(limits.max_bytes));
  }
  if (trim_xml_space(bytes).empty()) return make_error(ErrorCode::xml, "the message is empty", byte_at(0));
  auto encoding = check_encoding(bytes);
  if (!encoding) return std::move(encoding).error();

  std::unique_ptr<SoapMessage> message(new SoapMessage(bytes, std::move(mapping), keep));
  message->encoding_ = encoding->encoding;
  message->limits_ = limits;
  if (auto prolog = message->check_prolog(encoding->bom_size); !prolog) return std::move(prolog).error();

  if (!fast_path_disabled()) {
    FastScanResult fast = fast_scan(message->original_, encoding->bom_size, message->encoding_, *message->mapping_, limits);
    if (fast.shortlist) {
      message->fast_ = std::move(fast.shortlist);
      message->kind_ = fast.kind;
      message->version_ = fast.soap12 ? SoapVersion::soap12 : SoapVersion::soap11;
      return message;
    }
  }
  if (auto dom = message->parse_dom(limits); !dom) return std::move(dom).error();
  if (auto classified = message->classify(); !classified) return std::move(classified).error();
  return message;
}

// What may come before the root element: the XML declaration (first, and
// only there), comments, processing instructions and whitespace. A DOCTYPE
// is refused here, before pugixml sees it.
Result<void> SoapMessage::check_prolog(std::size_t from) const {
  const std::string_view s = original_;
  std::size_t i = from;
  if (s.substr(i, 5) == "<?xml" && i + 5 < s.size() && is_xml_space(s[i + 5])) {
    i = s.find("?>", i);
    if (i == std::string_view::npos) return {};  // pugixml reports it
    i += 2;
  }
  while (i < s.size()) {
    if (is_xml_space(s[i])) {
      ++i;
    } else if (s.compare(i, 4, "<!--") == 0) {
      const std::size_t end = s.find("-->", i + 4);
      if (end == std::string_view::npos) return {};
      i = end + 3;
    } else if (s.compare(i, 9, "<!DOCTYPE") == 0) {
      return make_error(ErrorCode::xml,
                        "a DOCTYPE is not allowed in a SOAP message (SOAP forbids it: it opens the door to entity "
                        "expansion and external fetches) (" + line_and_column(s, i) + ")",
                        byte_at(i));
    } else if (s.compare(i, 2, "<?") == 0) {
      if (s.compare(i, 5, "<?xml") == 0 && (i + 5 >= s.size() || is_xml_space(s[i + 5]) || s[i + 5] == '?')) {
        return make_error(ErrorCode::xml,
                          "the XML declaration must be at the very start of the document (" +
                              line_and_column(s, i) + ")",
                          byte_at(i));
      }
      const std::size_t end = s.find("?>", i + 2);
      if (end == std::string_view::npos) return {};
      i = end + 2;
    } else if (s[i] == '<') {
      return {};  // the root element
    } else {
      return make_error(ErrorCode::xml,
                        "text before the root element; expected only the XML declaration, comments and whitespace (" +
                            line_and_column(s, i) + ")",
                        byte_at(i));
    }
  }
  return {};
}

// One walk over the tree for what pugixml does not check: depth, one root,
// namespace well-formedness, duplicate attributes, references and '<' in
// values. Iterative, so a deep document cannot exhaust the stack.
Result<void> SoapMessage::check_tree(const Limits& limits) {
  pugi::xml_node root;
  for (pugi::xml_node n = document_.first_child(); n; n = n.next_sibling()) {
    const std::size_t at = source_.offset(n.type() == pugi::node_pcdata ? n.value() : n.name());
    if (n.type() == pugi::node_doctype) {  // after the root: the prolog check saw none before it
      const std::size_t doctype = original_.rfind("<!DOCTYPE", source_.offset(n.value()));
      return make_error(ErrorCode::xml, "a DOCTYPE is not allowed in a SOAP message", byte_at(doctype));
    }
    if (n.type() == pugi::node_declaration && n != document_.first_child()) {
      return make_error(ErrorCode::xml, "the XML declaration must be at the very start of the document",
                        byte_at(at - 2));
    }
    if (n.type() == pugi::node_element) {
      if (root) {
        return make_error(ErrorCode::xml,
                          "a second root element <" + std::string(n.name()) + "> (" +
                              line_and_column(original_, at - 1) + "); expected exactly one",
                          byte_at(at - 1));
      }
      root = n;
    }
  }
  if (!root) return make_error(ErrorCode::xml, "no root element", byte_at(0));
  // Text after the root element is dropped silently by pugixml.
  const std::size_t root_end = source_.element(root).end;
  for (std::size_t i = root_end; i < original_.size(); ++i) {
    if (is_xml_space(original_[i])) continue;
    if (original_.compare(i, 4, "<!--") == 0) {
      i = original_.find("-->", i + 4);
      if (i == std::string_view::npos) break;
      i += 2;
      continue;
    }
    if (original_.compare(i, 2, "<?") == 0 && original_.compare(i, 5, "<?xml") != 0) {
      i = original_.find("?>", i + 2);
      if (i == std::string_view::npos) break;
      i += 1;
      continue;
    }
    return make_error(ErrorCode::xml,
                      "content after the root element (" + line_and_column(original_, i) +
                          "); expected only comments and whitespace",
                      byte_at(i));
  }

  NamespaceScope scope;
  std::vector<std::size_t> marks;
  std::vector<std::pair<std::string_view, std::string_view>> names;  // expanded attribute names
  pugi::xml_node node = root;
  std::size_t depth = 1;
  while (true) {
    const pugi::xml_node_type type = node.type();
    if (type == pugi::node_element) {
      if (depth > limits.max_depth) {
        const std::size_t at = source_.offset(node.name()) - 1;
        return make_error(ErrorCode::xml,
                          "elements are nested deeper than the limit of " + std::to_string(limits.max_depth) +
                              " levels (" + line_and_column(original_, at) + ")",
                          byte_at(at));
      }
      marks.push_back(scope.mark());
      if (const pugi::xml_attribute first = node.first_attribute()) {
        auto checked = check_attributes(node, first, scope, names);
        if (!checked) return checked;
      }
      const char* name = node.name();
      if (const char* colon = std::strchr(name, ':'); colon != nullptr) {
        const std::string_view prefix(name, static_cast<std::size_t>(colon - name));
        if (!scope.bound(prefix)) {
          const std::size_t at = source_.offset(name) - 1;
          return make_error(ErrorCode::xml,
                            "the prefix \"" + std::string(prefix) + "\" of <" + name + "> is not declared (" +
                                line_and_column(original_, at) + ")",
                            byte_at(at));
        }
      }
      if (const pugi::xml_node child = node.first_child()) {
        node = child;
        ++depth;
        continue;
      }
      scope.pop_to(marks.back());  // an element without children is finished
      marks.pop_back();
    } else if (type == pugi::node_pcdata) {
      // pugixml has decoded the text in place: '&' is left by &amp; or an
      // undefined entity, a control character by a forbidden character
      // reference. Only then are the raw bytes checked.
      if (has_any(node.value(), kSuspicious.text)) {
        const Span raw = source_.text_content(node);
        auto decoded = decode_text(source_.text(raw), encoding_, EscapeContext::text, raw.begin);
        if (!decoded) return std::move(decoded).error();
      }
    }
    // On to the next node in document order, closing finished elements.
    if (node == root) break;
    pugi::xml_node next = node.next_sibling();
    while (!next) {
      node = node.parent();
      --depth;
      scope.pop_to(marks.back());
      marks.pop_back();
      if (node == root) break;
      next = node.next_sibling();
    }
    if (!next) break;
    node = next;
  }
  return {};
}

Result<void> SoapMessage::check_attributes(pugi::xml_node element, pugi::xml_attribute first, NamespaceScope& scope,
                                           std::vector<std::pair<std::string_view, std::string_view>>& names) {
  for (pugi::xml_attribute a = first; a; a = a.next_attribute()) {
    // Decoded in place like text; '<' may also be raw, which XML forbids.
    if (has_any(a.value(), kSuspicious.attribute)) {
      const Span raw = source_.attribute_value(a);
      auto decoded = decode_text(source_.text(raw), encoding_, EscapeContext::attribute, raw.begin);
      if (!decoded) return std::move(decoded).error();
    }
    const char* name = a.name();
    if (std::strncmp(name, "xmlns", 5) != 0 || (name[5] != '\0' && name[5] != ':')) continue;
    const std::string_view prefix = name[5] == ':' ? std::string_view(name + 6) : std::string_view{};
    if (!prefix.empty() && *a.value() == '\0') {
      return make_error(ErrorCode::xml,
                        "xmlns:" + std::string(prefix) + "=\"\" is not allowed in XML 1.0 (" +
                            line_and_column(original_, source_.offset(name)) + ")",
                        byte_at(source_.offset(name)));
    }
    const std::string_view uri = a.value();
    if (encoding_ == Encoding::latin1 &&
        std::any_of(uri.begin(), uri.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
      // URIs are compared as UTF-8, and a raw latin1 byte can only hide
      // here: every other value we read is decoded from its raw span.
      std::string utf8;
      append_as_utf8(utf8, uri, Encoding::latin1);
      a.set_value(utf8.c_str());
    }
    scope.push(prefix, a.value());
  }
  if (!first.next_attribute() && std::strchr(first.name(), ':') == nullptr) return {};  // nothing to compare or resolve
  names.clear();
  for (pugi::xml_attribute a = first; a; a = a.next_attribute()) {
    const QualifiedName q = split_name(a.name());
    if (!q.prefix.empty() && q.prefix != "xmlns" && !scope.bound(q.prefix)) {
      const std::size_t at = source_.offset(a.name());
      return make_error(ErrorCode::xml,
                        "the prefix \"" + std::string(q.prefix) + "\" of attribute " + a.name() + " is not declared (" +
                            line_and_column(original_, at) + ")",
                        byte_at(at));
    }
    names.emplace_back(q.prefix.empty() ? std::string_view{} : q.prefix == "xmlns" ? kXmlnsNamespace : scope.uri(q.prefix),
                       q.local);
  }
  if (names.size() > 1) {
    std::sort(names.begin(), names.end());
    const auto dup = std::adjacent_find(names.begin(), names.end());
    if (dup != names.end()) {
      const std::size_t at = source_.offset(element.name()) - 1;
      return make_error(ErrorCode::xml,
                        "attribute \"" + std::string(dup->second) + "\" appears twice on <" + element.name() + "> (" +
                            line_and_column(original_, at) + ")",
                        byte_at(at));
    }
  }
  return {};
}

Result<void> SoapMessage::classify() {
  const pugi::xml_node root = document_.document_element();
  const auto ns = element_namespace(root);
  const std::string_view local = split_name(root.name()).local;
  if (local != "Envelope" || !ns || (*ns != kSoap11Namespace && *ns != kSoap12Namespace)) {
    return make_error(ErrorCode::unsupported,
                      "not a SOAP envelope: the root element is <" + std::string(root.name()) + "> in namespace " +
                          in_quotes(ns ? *ns : "") + "; expected Envelope in " + std::string(kSoap11Namespace) +
                          " (SOAP 1.1) or " + std::string(kSoap12Namespace) + " (SOAP 1.2)",
                      byte_at(source_.offset(root.name()) - 1));
  }
  envelope_ = root;
  version_ = *ns == kSoap11Namespace ? SoapVersion::soap11 : SoapVersion::soap12;
  const std::string_view soap = *ns;
  for (pugi::xml_node child = root.first_child(); child; child = child.next_sibling()) {
    if (has_name(child, soap, "Body")) {
      body_ = child;
      break;
    }
  }
  if (!body_) {
    return make_error(ErrorCode::unsupported, "the SOAP Envelope has no Body; expected <Body> in " + std::string(soap),
                      byte_at(source_.offset(root.name()) - 1));
  }
  for (pugi::xml_node child = body_.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element) {
      payload_ = child;
      break;
    }
  }
  kind_ = MessageKind::unknown;
  if (!payload_) return {};
  if (has_name(payload_, soap, "Fault")) {
    kind_ = MessageKind::fault;
    return {};
  }
  const Mapping& m = *mapping_;
  if (m.shortlist) {
    if (has_name(payload_, m.shortlist->response)) kind_ = MessageKind::shortlist_response;
    else if (m.shortlist->request && has_name(payload_, *m.shortlist->request)) kind_ = MessageKind::shortlist_request;
  }
  if (kind_ == MessageKind::unknown && m.order) {
    if (has_name(payload_, m.order->request)) kind_ = MessageKind::order_request;
    else if (m.order->response && has_name(payload_, *m.order->response)) kind_ = MessageKind::order_response;
  }
  return {};
}

Result<std::string> SoapMessage::text(pugi::xml_node element) const {
  // The common case, one plain text child, needs no decoding.
  const pugi::xml_node only = element.first_child();
  if (only && only.type() == pugi::node_pcdata && !only.next_sibling() && encoding_ != Encoding::latin1) {
    // One pass to the '<' that ends the text, looking for what would need decoding.
    const std::size_t begin = source_.offset(only.value());
    const char* p = original_.data() + begin;
    const char* const end = original_.data() + original_.size();
    while (p != end && *p != '<' && *p != '&' && *p != '\r') ++p;
    if (p == end || *p == '<') return std::string(trim_xml_space(std::string_view(original_.data() + begin, p)));
  }
  std::string out;
  for (pugi::xml_node child = element.first_child(); child; child = child.next_sibling()) {
    const Span raw = source_.text_content(child);
    if (child.type() == pugi::node_pcdata) {
      auto decoded = decode_text(source_.text(raw), encoding_, EscapeContext::text, raw.begin);
      if (!decoded) return std::move(decoded).error();
      out += *decoded;
    } else if (child.type() == pugi::node_cdata) {
      std::string cdata;
      append_as_utf8(cdata, source_.text(raw), encoding_);
      for (std::size_t i = 0; i < cdata.size(); ++i) {  // end-of-line handling applies to CDATA too
        if (cdata[i] != '\r') out += cdata[i];
        else if (i + 1 >= cdata.size() || cdata[i + 1] != '\n') out += '\n';
      }
    }
  }
  return std::string(trim_xml_space(out));
}

Result<std::string> SoapMessage::value(pugi::xml_attribute attribute) const {
  const Span raw = source_.attribute_value(attribute);
  return decode_text(source_.text(raw), encoding_, EscapeContext::attribute, raw.begin);
}

const std::vector<CandidateElement>& SoapMessage::candidates() const {
  ensure_dom();
  if (!candidates_) {
    std::vector<pugi::xml_node> elements;
    if (mapping_->shortlist && payload_) mapping_->shortlist->candidates.elements.collect(payload_, elements);
    candidates_.emplace();
    candidates_->reserve(elements.size());
    ChildIndex::SharedScope scope;
    for (const pugi::xml_node e : elements) candidates_->push_back({e, ChildIndex(e, scope)});
  }
  return *candidates_;
}

std::string SoapMessage::describe(pugi::xml_node element) const {
  return "<" + std::string(element.name()) + "> at byte " + std::to_string(source_.offset(element.name()) - 1);
}

}  // namespace socialdefault::soap
