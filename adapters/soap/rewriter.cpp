#include "rewriter.hpp"
#include "encoding.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "field_writer.hpp"
#include "reader.hpp"
#include "signature.hpp"
#include "socialdefault/bytes.hpp"

namespace socialdefault::soap {

namespace {

Error decision_error(std::string message) {
  return make_error(ErrorCode::invalid_argument, std::move(message), "decision");
}

// The decision must place every candidate of the message exactly once and
// preselect exactly one supplier; anything else would drop or duplicate a
// supplier, which freedom of choice forbids. (default_supplier_id is the
// policy's id, which may differ from the document's when a candidate was
// matched by KvK, so the preselected placement is what counts.)
Result<void> check_decision(const Decision& decision, const Shortlist& shortlist) {
  const std::size_t n = shortlist.candidates.size();
  boost::container::small_vector<bool, 64> placed(n, false);  // no allocation for a usual list
  std::size_t preselected = 0;
  for (std::size_t k = 0; k < decision.order.size(); ++k) {
    const Placement& p = decision.order[k];
    const auto where = [&] { return "placement " + std::to_string(k + 1) + " (" + in_quotes(p.supplier_id) + ")"; };
    if (p.source) {
      if (p.injected) return decision_error(where() + " is both injected and taken from candidate " + std::to_string(*p.source + 1));
      if (*p.source >= n) {
        return decision_error(where() + " points at candidate " + std::to_string(*p.source + 1) + ", but the shortlist has " +
                              std::to_string(n));
      }
      if (placed[*p.source]) return decision_error(where() + " places candidate " + std::to_string(*p.source + 1) + " a second time");
      if (!p.supplier_id.empty() && !same_bytes(p.supplier_id, shortlist.candidates[*p.source].supplier_id)) {
        return decision_error(where() + " names candidate " + std::to_string(*p.source + 1) + ", which is " +
                              in_quotes(shortlist.candidates[*p.source].supplier_id));
      }
      placed[*p.source] = true;
    } else if (!p.injected || p.supplier_id.empty()) {
      return decision_error(where() + " has no source candidate; expected an injected supplier with an id");
    }
    if (p.preselected) ++preselected;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!placed[i]) {
      return decision_error("candidate " + std::to_string(i + 1) + " (" + in_quotes(shortlist.candidates[i].supplier_id) +
                            ") is missing from the order; every candidate must stay");
    }
  }
  if (preselected != 1) {
    return decision_error(std::to_string(preselected) + " placements are preselected; expected exactly one");
  }
  return {};
}

std::string notes_for(const Decision& decision, NoteTarget target, std::string_view supplier_id,
                      std::string_view separator) {
  std::string text;
  for (const Note& note : decision.notes) {
    if (note.target != target || note.text.empty()) continue;
    if (target == NoteTarget::candidate && !same_bytes(note.supplier_id, supplier_id)) continue;
    if (!text.empty()) text += separator;
    text += note.text;
  }
  return text;
}

// The literal to write for a candidate's flag. Literals pair up by position
// (true="true 1" false="false 0"), so a flag keeps the spelling it had: a
// "0" that must become true becomes "1", and a flag that already says what
// it should is not touched at all.
Result<std::string> flag_literal(const SoapMessage& response, pugi::xml_node candidate, const CandidateMapping& m,
                                 bool preselected, const ChildIndex* children = nullptr) {
  const std::vector<std::string>& wanted = preselected ? m.true_literals : m.false_literals;
  const std::vector<std::string>& other = preselected ? m.false_literals : m.true_literals;
  const Path::Location at = m.preselected.path->locate(candidate, children);
  if (!at.found()) return wanted.front();
  auto current = at.attribute ? response.value(at.attribute) : response.text(at.element);
  if (!current) return std::move(current).error();
  if (std::find(wanted.begin(), wanted.end(), *current) != wanted.end()) return *current;
  const auto it = std::find(other.begin(), other.end(), *current);
  const std::size_t k = it == other.end() ? 0 : static_cast<std::size_t>(it - other.begin());
  return k < wanted.size() ? wanted[k] : wanted.front();
}

bool contains(const std::vector<pugi::xml_node>& nodes, pugi::xml_node node) {
  return std::find(nodes.begin(), nodes.end(), node) != nodes.end();
}

bool is_id_like(pugi::xml_attribute a) {
  const std::string_view local = split_name(a.name()).local;
  return local == "Id" || local == "ID" || local == "id";
}

// A supplier the ERP's list lacks, as a copy of the first candidate's bytes:
// the elements that carry a value we write (id, name, preselected, the note,
// identifiers the policy knows) keep their tags and layout with the new
// text; every other element, comment and processing instruction of the copy
// is left out with the whitespace before it, since it describes another
// supplier (a price, a delivery time). Attributes are kept, except mapped
// attributes we have no value for and ID attributes (IDs must stay unique).
Result<std::string> injected_copy(const SoapMessage& response, pugi::xml_node templ, const Placement& placement,
                                  const std::string& note, const Policy& policy) {
  const CandidateMapping& m = response.mapping().shortlist->candidates;
  const Supplier* supplier = policy.find_supplier(placement.supplier_id);
  if (supplier == nullptr) {
    return decision_error("the injected supplier " + in_quotes(placement.supplier_id) +
                          " is not in the policy, so its name is unknown");
  }
  struct Write {
    const Field* field;
    std::string value;
  };
  std::vector<Write> writes;
  std::vector<const Field*> unwritten;  // mapped, but nothing to write
  writes.push_back({&m.id, placement.supplier_id});
  writes.push_back({&m.name, supplier->name});
  auto literal = flag_literal(response, templ, m, placement.preselected);
  if (!literal) return std::move(literal).error();
  writes.push_back({&m.preselected, std::move(*literal)});
  if (!note.empty()) writes.push_back({&m.note, note});
  else unwritten.push_back(&m.note);
  for (const IdentifierField& idf : m.identifiers) {
    const auto it = std::find_if(supplier->identifiers.begin(), supplier->identifiers.end(),
                                 [&](const SupplierIdentifier& s) { return s.scheme == idf.scheme; });
    if (it != supplier->identifiers.end() && !it->value.empty()) writes.push_back({&idf.field, it->value});
    else unwritten.push_back(&idf.field);
  }
  unwritten.push_back(&m.price);
  unwritten.push_back(&m.currency);
  writes.erase(std::remove_if(writes.begin(), writes.end(), [](const Write& w) { return !w.field->path; }), writes.end());

  // What the writes need: their elements and every ancestor up to the copy.
  std::vector<pugi::xml_node> kept{templ};
  std::vector<pugi::xml_node> leaves;  // elements whose text is written
  std::vector<pugi::xml_attribute> written_attributes;
  for (const Write& w : writes) {
    const Path& path = *w.field->path;
    const auto [node, matched] = path.deepest(templ);
    for (pugi::xml_node n = node; n && n != templ; n = n.parent()) {
      if (!contains(kept, n)) kept.push_back(n);
    }
    if (matched == path.steps().size()) {
      if (path.attribute()) {
        written_attributes.push_back(find_attribute(node, path.attribute()->uri, path.attribute()->local));
      } else {
        leaves.push_back(node);
      }
    }
  }

  Splice splice(response.bytes());
  FieldWriter writer(response, splice);
  for (const Field* f : unwritten) {  // mapped attributes we cannot fill
    if (!f->path || !f->path->attribute()) continue;
    const auto [owner, matched] = f->path->deepest(templ);
    if (matched != f->path->steps().size() || !contains(kept, owner)) continue;
    const pugi::xml_attribute a = find_attribute(owner, f->path->attribute()->uri, f->path->attribute()->local);
    if (a && std::find(written_attributes.begin(), written_attributes.end(), a) == written_attributes.end()) writer.remove(a);
  }
  // Prune the copy: depth-first over the kept elements.
  std::vector<pugi::xml_node> stack{templ};
  while (!stack.empty()) {
    const pugi::xml_node element = stack.back();
    stack.pop_back();
    for (pugi::xml_attribute a = element.first_attribute(); a; a = a.next_attribute()) {
      if (is_id_like(a) && std::find(written_attributes.begin(), written_attributes.end(), a) == written_attributes.end()) {
        writer.remove(a);
      }
    }
    if (contains(leaves, element)) {  // its text is replaced; remarks about the old value go
      for (pugi::xml_node child = element.first_child(); child; child = child.next_sibling()) {
        if (child.type() == pugi::node_comment || child.type() == pugi::node_pi) writer.remove(child);
      }
      continue;
    }
    for (pugi::xml_node child = element.first_child(); child; child = child.next_sibling()) {
      switch (child.type()) {
        case pugi::node_element:
          if (contains(kept, child)) stack.push_back(child);
          else writer.remove(child);
          break;
        case pugi::node_comment:
        case pugi::node_pi: writer.remove(child); break;
        case pugi::node_pcdata:
        case pugi::node_cdata: writer.remove_text(child); break;
        default: break;
      }
    }
  }
  const Path* before_note = m.note.path && !note.empty() ? &*m.note.path : nullptr;
  for (const Write& w : writes) {
    auto written = writer.write(templ, *w.field->path, w.value, w.field->name, FieldWriter::Mode::replace, {},
                                w.field == &m.note ? nullptr : before_note);
    if (!written) return std::move(written).error();
  }
  if (auto prepared = splice.prepare(); !prepared) return std::move(prepared).error();
  const ElementSpan span = response.source().element(templ);
  std::string out;
  splice.render(span.begin, span.end, out);
  return out;
}

// A one-step element that candidate i lacks, as FieldWriter::create makes it
// when the element's namespace is the candidate's own: under the candidate's
// prefix, with the whitespace before the candidate's last child element
// before it, to go in after that child. Appended to out; false: the DOM path
// must create it (another namespace, no child element, a value it refuses).
bool created_in_candidate(const SoapMessage& message, std::size_t i, const ExpandedName& step, std::string_view value,
                          std::string& out) {
  const FastShortlist& fast = *message.fast();
  const FastCandidate& candidate = fast.candidates[i];
  const std::string_view bytes = message.bytes();
  // The candidate's name is the last step of the candidates' path, so its
  // namespace is that step's.
  if (step.uri.empty() || step.uri != message.mapping().shortlist->candidates.elements.steps().back().uri ||
      candidate.last_child == 0) {
    return false;
  }
  const FastElement& c = fast.elements[static_cast<std::size_t>(candidate.element)];
  const std::string_view name = bytes.substr(c.begin + 1, c.name_end - c.begin - 1);
  const std::size_t colon = name.find(':');
  std::string qname(colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon + 1));
  qname += step.local;
  const std::size_t indent = message.source().space_before(candidate.last_child);  // needs no DOM
  out.append(bytes.substr(indent, candidate.last_child - indent));
  out += '<';
  out += qname;
  out += '>';
  if (!append_escaped(out, value, message.encoding(), EscapeContext::text)) return false;
  out += "</";
  out += qname;
  out += '>';
  return true;
}

// The fast path's edits: what FieldWriter does, for the cases the scan's
// byte ranges cover (an element with simple text, an attribute that
// exists, a one-step element a candidate lacks). false means the DOM path
// must do it: something else to create, an element with comments or CDATA,
// a value it refuses.
class FastWriter {
 public:
  FastWriter(const SoapMessage& message, Splice& splice) noexcept
      : message_(message), fast_(*message.fast()), bytes_(message.bytes()), splice_(splice) {}

  // candidate: the candidate hit belongs to, where a missing element may be
  // created (npos: none).
  bool write(const FastHit& hit, const Path& path, std::string_view value, FieldWriter::Mode mode,
             std::string_view separator, std::size_t candidate = std::string_view::npos) {
    if (hit.first < 0) {
      if (candidate == std::string_view::npos || path.attribute() || path.steps().size() != 1) return false;
      std::string text;
      if (!created_in_candidate(message_, candidate, path.steps().front(), value, text)) return false;
      splice_.insert(fast_.candidates[candidate].last_child_end, std::move(text));
      return true;
    }
    if (path.attribute()) {
      if (hit.with_attribute != hit.first) return false;  // the first element lacks it: to be created
      std::string scratch;  // the current value, when it needs decoding
      std::string_view current;
      if (!fast_attribute_view(bytes_, hit.attribute_value, message_.encoding(), scratch, current)) return false;
      std::string wanted(value);
      if (mode == FieldWriter::Mode::append && !trim_xml_space(current).empty()) {
        wanted = std::string(current) + std::string(separator) + std::string(value);
      }
      if (current == wanted) return true;
      std::string text;
      if (!append_escaped(text, wanted, message_.encoding(), EscapeContext::attribute, hit.quote)) return false;
      splice_.replace(hit.attribute_value, std::move(text));
      return true;
    }
    const FastElement& e = fast_.elements[static_cast<std::size_t>(hit.first)];
    if (!e.simple()) return false;
    if (mode == FieldWriter::Mode::append) {
      const Span t = trimmed_content(e);
      if (t.begin != t.end) {
        std::string text;
        if (!append_escaped(text, std::string(separator) + std::string(value), message_.encoding(), EscapeContext::text)) {
          return false;
        }
        splice_.insert(t.end, std::move(text));
        return true;
      }
    }
    return set_text(hit.first, e, value);
  }

 private:
  Span trimmed_content(const FastElement& e) const {
    const std::string_view raw = bytes_.substr(e.start_tag_end, e.content_end - e.start_tag_end);
    const std::string_view core = trim_xml_space(raw);
    if (core.empty()) return {e.content_end, e.content_end};
    const std::size_t lead = static_cast<std::size_t>(core.data() - raw.data());
    return {e.start_tag_end + lead, e.start_tag_end + lead + core.size()};
  }

  bool set_text(std::int32_t index, const FastElement& e, std::string_view value) {
    std::string scratch;  // the current text, when it needs decoding
    std::string_view current;
    if (!fast_text_view(bytes_, e, message_.encoding(), scratch, current)) return false;
    if (current == value) return true;
    std::string text;
    if (!append_escaped(text, value, message_.encoding(), EscapeContext::text)) return false;
    const Span t = trimmed_content(e);
    if (t.begin == t.end) {
      if (e.self_closing) {
        if (std::find(opened_.begin(), opened_.end(), index) == opened_.end()) {
          opened_.push_back(index);
          splice_.replace({e.start_tag_end - 2, e.start_tag_end - 1}, ">");
          splice_.replace({e.start_tag_end - 1, e.start_tag_end},
                          "</" + std::string(bytes_.substr(e.begin + 1, e.name_end - e.begin - 1)) + ">");
        }
        splice_.insert(e.start_tag_end - 1, std::move(text));
      } else {
        splice_.insert(e.start_tag_end, std::move(text));
      }
      return true;
    }
    splice_.replace(t, std::move(text));
    return true;
  }

  const SoapMessage& message_;
  const FastShortlist& fast_;
  std::string_view bytes_;
  Splice& splice_;
  std::vector<std::int32_t> opened_;
};

// flag_literal on the scan's ranges; nullopt: ask the DOM path.
// (The literal is one of the mapping's, returned by address: the flag of
// every candidate is read, and most need no copy.)
// *unchanged tells that the flag already holds the literal where
// FastWriter would write it, so there is nothing to write (most candidates:
// their "false" stays).
const std::string* fast_flag_literal(const SoapMessage& response, const FastHit& hit, const CandidateMapping& m,
                                     bool preselected, bool* unchanged = nullptr) {
  if (unchanged != nullptr) *unchanged = false;
  const std::vector<std::string>& wanted = preselected ? m.true_literals : m.false_literals;
  const std::vector<std::string>& other = preselected ? m.false_literals : m.true_literals;
  std::string decoded;  // filled only when the flag's text needs decoding
  std::string_view current;
  if (m.preselected.path->attribute()) {
    if (hit.with_attribute < 0) return &wanted.front();
    if (!fast_attribute_view(response.bytes(), hit.attribute_value, response.encoding(), decoded, current)) {
      return nullptr;
    }
  } else {
    if (hit.first < 0) return &wanted.front();
    const FastElement& e = response.fast()->elements[static_cast<std::size_t>(hit.first)];
    if (!fast_text_view(response.bytes(), e, response.encoding(), decoded, current)) return nullptr;
  }
  const auto is_current = [&](const std::string& literal) { return same_bytes(literal, current); };
  if (const auto it = std::find_if(wanted.begin(), wanted.end(), is_current); it != wanted.end()) {
    // FastWriter writes an attribute only on the first matching element.
    if (unchanged != nullptr) *unchanged = !m.preselected.path->attribute() || hit.with_attribute == hit.first;
    return &*it;
  }
  const auto it = std::find_if(other.begin(), other.end(), is_current);
  const std::size_t k = it == other.end() ? 0 : static_cast<std::size_t>(it - other.begin());
  return k < wanted.size() ? &wanted[k] : &wanted.front();
}

// injected_copy on the scan's ranges of the first candidate, for the usual
// layout: neither the candidate nor the elements it keeps have attributes,
// every value goes into an element that exists and holds simple text, and
// the candidate has no text of its own. Then the copy is the candidate's
// start tag, each kept element with the whitespace before it (its text
// replaced), the whitespace before the end tag and the end tag: what
// injected_copy leaves when it removes everything else with the whitespace
// before it. A note whose element the candidate lacks is created as
// FieldWriter::create does when the note's namespace is the candidate's
// own: under the candidate's prefix, after the last child element (which
// comes after every kept one), indented like it. nullopt: injected_copy on
// a parsed copy does it.
std::optional<std::string> fast_injected_copy(const SoapMessage& response, const Placement& placement,
                                              const std::string& note, const Policy& policy) {
  const FastShortlist& fast = *response.fast();
  const CandidateMapping& m = response.mapping().shortlist->candidates;
  const std::string_view bytes = response.bytes();
  const Supplier* supplier = policy.find_supplier(placement.supplier_id);
  if (supplier == nullptr) return std::nullopt;
  const auto no_attributes = [&](const FastElement& e) {
    const std::size_t close = e.start_tag_end - (e.self_closing ? 2 : 1);
    for (std::size_t k = e.name_end; k < close; ++k) {
      if (!is_xml_space(bytes[k])) return false;
    }
    return true;
  };
  const FastElement& c = fast.elements[static_cast<std::size_t>(fast.candidates[0].element)];
  if (c.self_closing || !no_attributes(c) || fast.candidates[0].own_text) return std::nullopt;

  struct Write {
    std::int32_t element;
    std::string_view value;
  };
  boost::container::small_vector<Write, 8> writes;
  writes.reserve(kFirstIdentifier + m.identifiers.size());  // one per field at most
  std::optional<std::string_view> created_note;  // the note, when its element is created
  bool ok = true;
  const auto write = [&](const Field& field, std::size_t which, std::string_view value) {
    if (!field.path) return;  // fixed or unmapped: nothing in the copy
    const FastHit& hit = fast.hit(0, which);
    if (which == kNote && hit.first < 0 && !field.path->attribute() && field.path->steps().size() == 1) {
      created_note = value;
      return;
    }
    if (field.path->attribute() || field.path->steps().empty() || hit.first < 0) {
      ok = false;  // an attribute, or an element to create
      return;
    }
    const FastElement& e = fast.elements[static_cast<std::size_t>(hit.first)];
    if (!e.simple() || e.self_closing || !no_attributes(e)) ok = false;
    for (const Write& w : writes) ok = ok && w.element != hit.first;
    writes.push_back({hit.first, value});
  };
  const std::string* literal = fast_flag_literal(response, fast.hit(0, kPreselected), m, placement.preselected);
  if (literal == nullptr) return std::nullopt;
  write(m.id, kId, placement.supplier_id);
  write(m.name, kName, supplier->name);
  write(m.preselected, kPreselected, *literal);
  boost::container::small_vector<std::size_t, 8> unwritten{kPrice, kCurrency};
  if (!note.empty()) write(m.note, kNote, note);
  else unwritten.push_back(kNote);
  for (std::size_t k = 0; k < m.identifiers.size(); ++k) {
    const IdentifierField& idf = m.identifiers[k];
    const auto it = std::find_if(supplier->identifiers.begin(), supplier->identifiers.end(),
                                 [&](const SupplierIdentifier& s) { return same_bytes(s.scheme, idf.scheme); });
    if (it != supplier->identifiers.end() && !it->value.empty()) write(idf.field, kFirstIdentifier + k, it->value);
    else unwritten.push_back(kFirstIdentifier + k);
  }
  if (!ok) return std::nullopt;
  // A mapped attribute without a value is removed from a kept element.
  for (const std::size_t which : unwritten) {
    const std::int32_t owner = fast.hit(0, which).with_attribute;
    for (const Write& w : writes) {
      if (owner >= 0 && w.element == owner) return std::nullopt;
    }
  }
  std::sort(writes.begin(), writes.end(), [&](const Write& a, const Write& b) {
    return fast.elements[static_cast<std::size_t>(a.element)].begin <
           fast.elements[static_cast<std::size_t>(b.element)].begin;
  });

  const auto space_before = [&](std::size_t at, std::size_t floor) {
    while (at > floor && is_xml_space(bytes[at - 1])) --at;
    return at;
  };
  std::string out;
  std::string scratch;  // a value that needs decoding
  out.reserve(c.end - c.begin);
  out.append(bytes.substr(c.begin, c.start_tag_end - c.begin));
  std::size_t floor = c.start_tag_end;
  for (const Write& w : writes) {
    const FastElement& e = fast.elements[static_cast<std::size_t>(w.element)];
    const std::size_t from = space_before(e.begin, floor);
    out.append(bytes.substr(from, e.start_tag_end - from));
    const std::string_view raw = bytes.substr(e.start_tag_end, e.content_end - e.start_tag_end);
    const std::string_view core = trim_xml_space(raw);
    std::string_view current;
    if (!fast_text_view(bytes, e, response.encoding(), scratch, current)) return std::nullopt;
    if (same_bytes(current, w.value)) {
      out.append(raw);
    } else if (core.empty()) {
      if (!append_escaped(out, w.value, response.encoding(), EscapeContext::text)) return std::nullopt;
      out.append(raw);
    } else {
      out.append(raw.substr(0, static_cast<std::size_t>(core.data() - raw.data())));
      if (!append_escaped(out, w.value, response.encoding(), EscapeContext::text)) return std::nullopt;
      out.append(raw.substr(static_cast<std::size_t>(core.data() - raw.data()) + core.size()));
    }
    out.append(bytes.substr(e.content_end, e.end - e.content_end));
    floor = e.end;
  }
  if (created_note && !created_in_candidate(response, 0, m.note.path->steps().front(), *created_note, out)) {
    return std::nullopt;
  }
  const std::size_t tail = space_before(c.content_end, floor);
  out.append(bytes.substr(tail, c.end - tail));
  return out;
}

// A copy of candidate i parsed on its own (see FastScope): where the DOM
// path's code does what the byte ranges cannot, for one candidate only.
std::unique_ptr<SoapMessage> copy_of_candidate(const SoapMessage& response, std::size_t i) {
  const FastShortlist& fast = *response.fast();
  const FastScope& scope = fast.scopes[fast.candidates[i].scope];
  const FastElement& e = fast.elements[static_cast<std::size_t>(fast.candidates[i].element)];
  const std::string_view original = response.bytes();
  std::size_t space = e.begin;
  while (space > 0 && is_xml_space(original[space - 1])) --space;
  std::string bytes = scope.open;
  bytes += original.substr(space, e.end - space);
  for (std::size_t k = 0; k < scope.wrappers; ++k) bytes += "</w>";
  auto parsed = SoapMessage::parse_fragment(bytes, scope.wrappers, response.encoding(), response.mapping_ptr());
  if (!parsed || !(*parsed)->payload()) return nullptr;
  return std::move(*parsed);
}

// The flag and the note of one candidate written by the DOM path's code on
// its copy: the candidate's new bytes.
std::optional<std::string> edited_copy(const SoapMessage& response, std::size_t i, const Placement& p,
                                       const std::string& note) {
  const auto copy = copy_of_candidate(response, i);
  if (!copy) return std::nullopt;
  const CandidateMapping& m = response.mapping().shortlist->candidates;
  const pugi::xml_node e = copy->payload();
  Splice splice(copy->bytes());
  FieldWriter writer(*copy, splice);
  auto literal = flag_literal(*copy, e, m, p.preselected);
  if (!literal) return std::nullopt;
  const Path* before_note = m.note.path ? &*m.note.path : nullptr;
  if (!writer.write(e, *m.preselected.path, *literal, m.preselected.name, FieldWriter::Mode::replace, {}, before_note)) {
    return std::nullopt;
  }
  if (!note.empty() && m.note.path &&
      !writer.write(e, *m.note.path, note, m.note.name, FieldWriter::Mode::append, m.note_separator)) {
    return std::nullopt;
  }
  if (!splice.prepare()) return std::nullopt;
  const ElementSpan span = copy->source().element(e);
  std::string out;
  splice.render(span.begin, span.end, out);
  return out;
}

// apply_decision without a DOM of the message: the same edits from the
// scan's byte ranges; a candidate they cannot edit, and an injected
// supplier, are done by the DOM path's code on a copy of that one candidate.
// nullopt: the DOM path must do it (and gives the same answer or error).
std::optional<std::string> fast_apply(const SoapMessage& response, const Shortlist& shortlist, const Decision& decision,
                                      const Policy& policy) {
  const FastShortlist& fast = *response.fast();
  const ShortlistMapping& m = *response.mapping().shortlist;
  const std::size_t n = fast.candidates.size();
  if (n != shortlist.candidates.size()) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i) {
    if (!fast_candidate_id_is(response, i, shortlist.candidates[i].supplier_id)) return std::nullopt;
  }
  const std::string_view original = response.bytes();
  const auto span_of = [&](std::size_t i) {
    const FastElement& e = fast.elements[static_cast<std::size_t>(fast.candidates[i].element)];
    return Span{e.begin, e.end};
  };

  Splice splice(original);
  FastWriter writer(response, splice);
  std::unique_ptr<SoapMessage> templ;  // the first candidate, for injected suppliers
  boost::container::small_vector<std::string, 2> injected;  // (one, mostly)
  bool moved = false;
  for (std::size_t k = 0; k < decision.order.size(); ++k) {
    const Placement& p = decision.order[k];
    const std::string note = notes_for(decision, NoteTarget::candidate, p.supplier_id, m.candidates.note_separator);
    if (!p.source) {
      if (n == 0) return std::nullopt;
      const std::string injected_note = m.candidates.note.path ? note : std::string();
      if (auto copy = fast_injected_copy(response, p, injected_note, policy)) {
        injected.push_back(std::move(*copy));
        moved = true;
        continue;
      }
      if (!templ) templ = copy_of_candidate(response, 0);
      if (!templ) return std::nullopt;
      auto copy = injected_copy(*templ, templ->payload(), p, injected_note, policy);
      if (!copy) return std::nullopt;
      injected.push_back(std::move(*copy));
      moved = true;
      continue;
    }
    moved = moved || *p.source != k;
    const std::size_t mark = splice.size();
    bool flag_unchanged = false;
    const std::string* literal =
        fast_flag_literal(response, fast.hit(*p.source, kPreselected), m.candidates, p.preselected, &flag_unchanged);
    const bool done = literal &&
                      (flag_unchanged ||
                       writer.write(fast.hit(*p.source, kPreselected), *m.candidates.preselected.path, *literal,
                                    FieldWriter::Mode::replace, {})) &&
                      (note.empty() || !m.candidates.note.path ||
                       writer.write(fast.hit(*p.source, kNote), *m.candidates.note.path, note,
                                    FieldWriter::Mode::append, m.candidates.note_separator, *p.source));
    if (!done) {
      splice.truncate(mark);
      auto edited = edited_copy(response, *p.source, p, note);
      if (!edited) return std::nullopt;
      const Span span = span_of(*p.source);
      if (original.substr(span.begin, span.size()) != *edited) splice.replace(span, std::move(*edited));
    }
  }
  const std::string message_note = notes_for(decision, NoteTarget::message, {}, m.message_note_separator);
  if (!message_note.empty() && m.message_note.path &&
      !writer.write(fast.payload_hits[kMessageNote], *m.message_note.path, message_note, FieldWriter::Mode::append,
                    m.message_note_separator)) {
    return std::nullopt;
  }
  if (!splice.prepare()) return std::nullopt;

  std::string out;
  if (!moved) {
    out.reserve(original.size() + 256);
    splice.render(0, original.size(), out);
    return out;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Span span = span_of(i);
    if (fast.candidates[i].parent_begin != fast.candidates[0].parent_begin || splice.crosses(span.begin) ||
        splice.crosses(span.end)) {
      return std::nullopt;
    }
  }
  const std::size_t last_begin = span_of(n - 1).begin;
  std::size_t repeat_begin = last_begin;
  while (repeat_begin > 0 && is_xml_space(original[repeat_begin - 1])) --repeat_begin;
  const std::string_view repeat = original.substr(repeat_begin, last_begin - repeat_begin);
  std::size_t extra = 0;
  for (const std::string& s : injected) extra += s.size() + repeat.size();
  out.reserve(original.size() + extra + 256);

  splice.render(0, span_of(0).begin, out);
  std::size_t next_injected = 0;
  for (std::size_t k = 0; k < decision.order.size(); ++k) {
    if (k > 0) {
      if (k < n) splice.render(span_of(k - 1).end, span_of(k).begin, out);
      else out += repeat;
    }
    const Placement& p = decision.order[k];
    if (p.source) {
      const Span span = span_of(*p.source);
      splice.render(span.begin, span.end, out);
    } else {
      out += injected[next_injected++];
    }
  }
  splice.render(span_of(n - 1).end, original.size(), out);
  return out;
}

}  // namespace

Result<std::string> apply_decision(const SoapMessage& response, const Shortlist& shortlist, const Decision& decision,
                                   const Policy& policy) {
  if (decision.reason != Reason::applied) return std::string(response.bytes());
  const Mapping& mapping = response.mapping();
  if (response.kind() != MessageKind::shortlist_response || !mapping.shortlist) {
    return make_error(ErrorCode::unsupported,
                      std::string("only a shortlist response can be rewritten; this message is of kind ") +
                          to_string(response.kind()));
  }
  // The fast path takes no message with a Signature element.
  if (response.fast() == nullptr) {
    if (auto covered = signature_covering(response, response.payload())) return std::move(*covered);
  }
  if (auto checked = check_decision(decision, shortlist); !checked) return std::move(checked).error();
  if (response.fast() != nullptr) {
    if (auto out = fast_apply(response, shortlist, decision, policy)) return std::move(*out);
  }

  const ShortlistMapping& m = *mapping.shortlist;
  const std::vector<CandidateElement>& candidates = response.candidates();
  if (candidates.size() != shortlist.candidates.size()) {
    return make_error(ErrorCode::invalid_argument,
                      "the shortlist has " + std::to_string(shortlist.candidates.size()) + " candidates but the message has " +
                          std::to_string(candidates.size()) + "; expected the shortlist read from this message",
                      "shortlist");
  }
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    auto id = candidate_id(response, candidates[i], i);
    if (!id) return std::move(id).error();
    if (*id != shortlist.candidates[i].supplier_id) {
      return make_error(ErrorCode::invalid_argument,
                        "candidate " + std::to_string(i + 1) + " of the message is " + in_quotes(*id) + " but the shortlist says " +
                            in_quotes(shortlist.candidates[i].supplier_id) + "; expected the shortlist read from this message",
                        "shortlist");
    }
  }

  Splice splice(response.bytes());
  FieldWriter writer(response, splice);
  boost::container::small_vector<std::string, 2> injected;  // (one, mostly)
  bool moved = false;
  for (std::size_t k = 0; k < decision.order.size(); ++k) {
    const Placement& p = decision.order[k];
    const std::string note = notes_for(decision, NoteTarget::candidate, p.supplier_id, m.candidates.note_separator);
    if (!p.source) {
      if (candidates.empty()) {
        return make_error(ErrorCode::mapping,
                          "cannot inject " + in_quotes(p.supplier_id) +
                              ": the message has no candidate whose layout an injected supplier could copy",
                          m.candidates.elements.text());
      }
      auto copy = injected_copy(response, candidates.front().element, p, m.candidates.note.path ? note : std::string(), policy);
      if (!copy) return std::move(copy).error();
      injected.push_back(std::move(*copy));
      moved = true;
      continue;
    }
    moved = moved || *p.source != k;
    const pugi::xml_node e = candidates[*p.source].element;
    const ChildIndex* index = &candidates[*p.source].children;
    auto literal = flag_literal(response, e, m.candidates, p.preselected, index);
    if (!literal) return std::move(literal).error();
    const Path* before_note = m.candidates.note.path ? &*m.candidates.note.path : nullptr;
    auto flagged = writer.write(e, *m.candidates.preselected.path, *literal, m.candidates.preselected.name,
                                FieldWriter::Mode::replace, {}, before_note, index);
    if (!flagged) return std::move(flagged).error();
    if (!note.empty() && m.candidates.note.path) {
      auto noted = writer.write(e, *m.candidates.note.path, note, m.candidates.note.name, FieldWriter::Mode::append,
                                m.candidates.note_separator, nullptr, index);
      if (!noted) return std::move(noted).error();
    }
  }
  const std::string message_note = notes_for(decision, NoteTarget::message, {}, m.message_note_separator);
  if (!message_note.empty() && m.message_note.path) {
    auto noted = writer.write(response.payload(), *m.message_note.path, message_note, m.message_note.name,
                              FieldWriter::Mode::append, m.message_note_separator);
    if (!noted) return std::move(noted).error();
  }
  if (auto prepared = splice.prepare(); !prepared) return std::move(prepared).error();

  const std::string_view original = response.bytes();
  std::string out;
  if (!moved) {
    out.reserve(original.size() + 256);
    splice.render(0, original.size(), out);
    return out;
  }

  // Reordering moves whole candidate spans; the bytes between them (the
  // separators: whitespace, comments, other elements) stay in place.
  const SourceMap& source = response.source();
  std::vector<Span> spans;
  for (const CandidateElement& candidate : candidates) {
    const pugi::xml_node c = candidate.element;
    if (c.parent() != candidates.front().element.parent()) {
      return make_error(ErrorCode::mapping,
                        "the candidates " + response.describe(candidates.front().element) + " and " + response.describe(c) +
                            " have different parents; reordering or injecting needs them side by side under one "
                            "element",
                        m.candidates.elements.text());
    }
    spans.push_back(source.element(c).whole());
    if (splice.crosses(spans.back().begin) || splice.crosses(spans.back().end)) {
      return make_error(ErrorCode::internal, "an edit crosses the boundary of " + response.describe(c),
                        "byte " + std::to_string(spans.back().begin));
    }
  }
  const std::size_t n = spans.size();
  const std::size_t repeat_begin = source.space_before(spans[n - 1].begin);
  const std::string_view repeat = original.substr(repeat_begin, spans[n - 1].begin - repeat_begin);
  std::size_t extra = 0;
  for (const std::string& s : injected) extra += s.size() + repeat.size();
  out.reserve(original.size() + extra + 256);

  splice.render(0, spans[0].begin, out);
  std::size_t next_injected = 0;
  for (std::size_t k = 0; k < decision.order.size(); ++k) {
    if (k > 0) {
      if (k < n) splice.render(spans[k - 1].end, spans[k].begin, out);
      else out += repeat;
    }
    const Placement& p = decision.order[k];
    if (p.source) splice.render(spans[*p.source].begin, spans[*p.source].end, out);
    else out += injected[next_injected++];
  }
  splice.render(spans[n - 1].end, original.size(), out);
  return out;
}

}  // namespace socialdefault::soap
