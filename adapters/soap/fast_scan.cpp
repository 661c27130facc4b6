#include "fast_scan.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <new>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "namespaces.hpp"
#include "soap_message.hpp"
#include "socialdefault/bytes.hpp"

namespace socialdefault::soap {

namespace {

// ASCII names only: 1 = may start a name, 2 = may continue one. Anything
// else (a non-ASCII name) goes to the DOM path.
struct NameTable {
  unsigned char v[256] = {};
  constexpr NameTable() {
    for (int c = 'a'; c <= 'z'; ++c) v[c] = 3;
    for (int c = 'A'; c <= 'Z'; ++c) v[c] = 3;
    v[static_cast<unsigned char>('_')] = 3;
    for (int c = '0'; c <= '9'; ++c) v[c] = 2;
    v[static_cast<unsigned char>('-')] = 2;
    v[static_cast<unsigned char>('.')] = 2;
  }
};
constexpr NameTable kName;

// A namespace URI without a reference, tab or line end: sixteen bytes at a
// time (not find_first_of, which calls memchr once per byte), and out of
// line: inlined into the flattened scan it cost the candidates' tags more
// than it saved.
[[gnu::noinline]] bool plain_uri(std::string_view value) noexcept {
  const char* p = value.data();
  std::size_t n = value.size();
#if defined(__SSE2__)
  for (; n >= 16; p += 16, n -= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('&')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
    if (_mm_movemask_epi8(hit) != 0) return false;
  }
#endif
  for (; n > 0; ++p, --n) {
    if (*p == '&' || *p == '\t' || *p == '\n' || *p == '\r') return false;
  }
  return true;
}

// Equality of a chunk of markup (see CandidateShape: tags and the white
// space between them, most of 20 to 60 bytes): sixteen bytes at a time, the
// last block overlapping the one before; shorter ones as same_bytes does.
inline bool same_markup(const char* a, const char* b, std::size_t n) noexcept {
#if defined(__SSE2__)
  if (n >= 16) {
    const auto same16 = [&](std::size_t k) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + k));
      const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + k));
      return _mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) == 0xFFFF;
    };
    for (std::size_t k = 0; k + 16 < n; k += 16) {
      if (!same16(k)) return false;
    }
    return same16(n - 16);
  }
#endif
  return same_bytes({a, n}, {b, n});
}

struct Spec {
  const ExpandedName* step = nullptr;       // null: the base itself
  const ExpandedName* attribute = nullptr;
  std::string_view local, uri;              // the step's, as views
  int uri_id = -1;                          // see Scanner::uri_id
  bool used = false;
};

// The distinct element names the specs of one base step to, each with the
// specs that step to it: a child element is compared with each name once
// (length and namespace first), not with every spec.
struct NameGroup {
  std::string_view local;
  int uri_id = -1;
  std::uint64_t specs = 0;  // bit k: specs[k]
};

// The groups in order of the length of their names, with where each length
// starts: a child element goes straight to the one or two groups its name
// could match instead of trying each.
struct NameGroups {
  static constexpr std::size_t kLengths = 64;
  static constexpr std::uint8_t kNone = 0xFF;
  std::vector<NameGroup> groups;
  std::uint8_t first[kLengths];  // index into groups of the first of that length, kNone: none
};

// A field the scan can resolve: unmapped, fixed, one element step, or an
// attribute of the base.
bool supported(const Field& field) {
  if (!field.path) return true;
  const Path& p = *field.path;
  if (p.steps().size() > 1) return false;
  return !p.steps().empty() || p.attribute().has_value();
}

Spec spec_of(const Field& field) {
  Spec s;
  if (!field.path) return s;
  s.used = true;
  if (!field.path->steps().empty()) {
    s.step = &field.path->steps().front();
    s.local = s.step->local;
    s.uri = s.step->uri;
  }
  if (field.path->attribute()) s.attribute = &*field.path->attribute();
  return s;
}

struct Binding {
  std::string_view prefix;
  std::string_view uri;
  Span whole;          // the declaration as written, for the template's wrappers
  std::size_t level;   // depth of the declaring element
  int uri_id;          // see Scanner::uri_id
};

// (Attribute and Open are 64 bytes, padding included: the scan asks its
// vectors' size() for every element, and a size that is a power of two
// makes that a shift instead of a multiplication. Padded rather than
// aligned: over-aligned elements take operator new's aligned form, which
// costs glibc several times a plain allocation.)
struct Attribute {
  std::string_view prefix;  // empty when unprefixed
  std::string_view local;
  Span value;
  char quote = '"';
  char padding[15] = {};
};
static_assert(sizeof(Attribute) == 64);

struct Open {
  std::size_t begin = 0;
  std::string_view qname;
  std::size_t scope_mark = 0;
  std::int32_t element = -1;    // recorded in FastShortlist::elements
  std::int32_t candidate = -1;  // this element is that candidate
  int candidate_step = -1;      // steps of the candidate path matched; 0 for the payload
  bool is_body = false;
  bool body_had_child = false;
  bool is_payload = false;
  bool has_child_element = false;
  bool has_other_markup = false;
  std::uint32_t children = 0;   // child elements opened so far (counted for candidates only)
  char padding[8] = {};
};
static_assert(sizeof(Open) == 64);

// What reading a start tag gives (Scanner::read_tag or a KnownTag): where
// it is, its name resolved, and whether it closes itself. Its attributes
// are in Scanner::attributes_, its declarations on Scanner::bindings_.
struct Tag {
  static constexpr int kGroupUnknown = -2;
  std::size_t begin = 0;       // '<'
  std::size_t name_end = 0;    // after the qualified name
  std::size_t end = 0;         // after '>' or "/>"
  std::size_t scope_mark = 0;  // the bindings before its own declarations
  std::size_t binding = std::string_view::npos;  // its prefix's, by index in the bindings (npos: none)
  std::string_view local, uri;
  int uri_id = -1;             // see Scanner::uri_id
  int group = kGroupUnknown;   // in FastScanPlan::candidate_names (-1: none), once a candidate's child
  bool self_closing = false;
};

// A start tag as the scan read it ("<erp:Name>", "<erp:UnitPrice
// currency=\"EUR\">"): the children of candidates, and candidates, repeat
// theirs, and the same bytes resolve the same way as long as no namespace
// declaration has been added since and the binding the prefix took is
// still in scope (bindings are otherwise only dropped, which its index
// shows). Tags that declare namespaces, close themselves, or have more than
// kAttributes attributes or a prefixed one are not kept.
struct KnownTag {
  static constexpr std::size_t kAttributes = 2;
  std::string_view bytes;            // from '<' to '>', as written; empty: none
  Tag tag;                           // as read, moved to where it was seen last
  std::uint64_t declarations = 0;    // Scanner::declarations_ when it was read
  std::size_t attribute_count = 0;
  Attribute attributes[kAttributes];  // values from the tag's '<'
};

// The markup of a candidate the scan has read, for the candidates after it:
// a shortlist repeats one candidate's tags with other values, and a
// candidate whose markup is the same bytes as the one before, with its
// values and comments at the same places, under the same parent and with no
// namespace declared since, passes the same checks and has its fields at
// the same places in its tags. The shape is the candidate cut at its values
// and comments into chunks of markup (tags and the white space between
// them); a candidate is checked against it chunk by chunk (compared as
// bytes, each value checked for references, each comment for "--") and
// recorded from it without reading its tags. One that differs anywhere is
// read as before, and its shape is kept too: a thread keeps the last
// kShapes shapes (ScanWork::shapes), so that a list whose candidates come
// in a few shapes (an optional remark, a certificate some suppliers have)
// has each of them recorded from its own. A candidate is checked against
// the shape the one before it matched first, then against the others, each
// from the chunk where it parts from a shape already found to differ (the
// chunks before it were found already; CandidateShape::common); a shape
// that failed kMisses candidates in a row after its first chunk is not
// tried again in that message, so that a list of candidates all unlike each
// other costs a bounded number of checks. A child of the parent that is not
// a candidate differs in the first chunk and leaves the shapes as they are.
//
// The shape outlives its message (it is kept per thread, with a copy of its
// markup): the next message's first candidate is checked against it too,
// when the mapping's plan, the encoding, the depth limit, the candidate's
// depth and the namespace declarations in scope (prefixes and URIs) are
// those it was learned under, when the candidates are not the payload's
// own children (whose start tags a payload field may name), and, the first
// candidate telling whether an injected supplier can be copied by its
// bytes, when the shape has no value of the candidate's own
// (FastCandidate::own_text).
struct CandidateShape {
  static constexpr std::size_t kChunks = 256;
  static constexpr std::size_t kLearnings = 4;  // shapes learned per message at most (all shapes together)
  static constexpr std::size_t kMisses = 8;     // checks in a row failed after the first chunk: not tried again in the message
  static constexpr std::size_t kShapes = 4;     // shapes a thread keeps (ScanWork::shapes)
  enum class Gap : std::uint8_t { none, text, comment };
  struct Chunk {
    std::uint32_t offset = 0;  // in markup (while learning: from the candidate's '<')
    std::uint32_t size = 0;
    Gap gap = Gap::none;       // what follows it: a value (up to the next '<'), a comment, nothing (the last)
  };
  // A tag: the chunk it is in, where in it, its size.
  struct Place {
    std::uint32_t chunk = 0;
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  // An element the candidate recorded (FastShortlist::elements): the tags
  // that open and close it (the same one when it closes itself).
  struct Slot {
    Place open, close;
    std::uint32_t name_size = 0;  // name_end - begin
    bool self_closing = false;
    bool has_child_element = false;
    bool has_other_markup = false;
  };
  bool valid = false;
  std::uint64_t used = 0;        // ScanWork::uses when it last matched or was learned
  std::size_t misses = 0;        // checks in a row failed after the first chunk, in this message
  // How many chunks it has in common (the same bytes, the same gap after
  // them) with each other shape of the thread, from the first: a candidate
  // found to differ from one shape is checked against another from where
  // the two part (set when either is learned; read only while both are valid).
  std::array<std::uint32_t, kShapes> common{};
  // What it was learned under (see shape_fits).
  std::uint64_t plan = 0;        // FastScanPlan::serial
  Encoding encoding = Encoding::utf8;
  std::size_t max_depth = 0;
  std::size_t depth = 0;         // the candidate's (the stack's size when it opens)
  std::vector<std::string> in_scope;  // the namespace declarations in scope, prefix and URI in turn
  bool own_value = false;        // a value of the candidate's own (not inside a child)
  // Where it fits in the message being scanned: its candidates' parent, the
  // declarations met before them and their FastScope.
  std::uint64_t message = 0;     // ScanWork::scans when these were set
  std::size_t parent_begin = 0;
  std::uint64_t declarations = 0;
  std::size_t scope = 0;
  std::string markup;            // the chunks' bytes
  std::vector<Chunk> chunks;
  std::vector<Slot> slots;       // slot 0 is the candidate itself
  // The candidate's hits with slots for elements and attribute values from
  // their element's '<'.
  std::vector<FastHit> hits;
  bool has_last_child = false;
  Place last_child_open, last_child_close;
  std::vector<std::size_t> at;   // where each chunk was found in the candidate being checked
  std::vector<std::int64_t> nesting;  // while learning: the slot of each open element (-1: none)
  std::size_t where(const Place& place) const noexcept { return at[place.chunk] + place.offset; }
};

// The scan's working storage: kept per thread, so that a scan allocates
// only for what it returns once the thread has seen a message like it (a
// scan does not start another; one that did would get storage of its own).
// What a message needed beyond kKept entries is let go after it.
struct ScanWork {
  static constexpr std::size_t kKept = 256;
  std::vector<Open> stack;
  std::vector<Binding> bindings;
  std::vector<Attribute> attributes;
  std::vector<Span> scope_spans;
  std::vector<KnownTag> known_children;
  KnownTag known_candidate;
  std::array<CandidateShape, CandidateShape::kShapes> shapes;
  std::size_t shape = 0;        // the one the candidate before matched or was learned into
  std::size_t learnings = 0;    // shapes learned in this message
  std::uint64_t uses = 0;       // shapes matched or learned so far (CandidateShape::used)
  std::uint64_t scans = 0;  // scans begun with this storage
  bool in_use = false;

  void trim() {
    const auto let_go = [](auto& v) {
      if (v.capacity() > kKept) std::decay_t<decltype(v)>().swap(v);
    };
    let_go(stack);
    let_go(bindings);
    let_go(attributes);
    let_go(scope_spans);
    let_go(known_children);
    // A shape is let go whole (its lists and markup are one thing: a valid
    // shape whose list of places had gone would be replayed into nothing).
    for (CandidateShape& shape : shapes) {
      if (shape.chunks.capacity() > kKept || shape.slots.capacity() > kKept || shape.hits.capacity() > kKept ||
          shape.at.capacity() > kKept || shape.nesting.capacity() > kKept || shape.markup.capacity() > kKept * 64) {
        shape = CandidateShape{};
      }
    }
  }
};

// The FastShortlists the thread dropped last, for its next scans (see
// FastShortlistRelease): two, because the gateway holds a request and its
// answer at once. A scan takes the smallest that has room for the elements
// it expects, else the largest, so that a small request does not take the
// storage its answer needs. The state is a plain byte, readable at any
// time: a shortlist dropped while the thread ends, after the slots are
// gone, is freed rather than put into them, and the slots are only made by
// a scan.
enum class SpareState : std::uint8_t { unborn, open, gone };
thread_local SpareState spare_state = SpareState::unborn;
struct SpareShortlists {
  std::unique_ptr<FastShortlist> held[2];
  SpareShortlists() noexcept { spare_state = SpareState::open; }
  ~SpareShortlists() { spare_state = SpareState::gone; }
  SpareShortlists(const SpareShortlists&) = delete;
  SpareShortlists& operator=(const SpareShortlists&) = delete;
};
thread_local SpareShortlists spare_shortlists;

FastShortlistPtr fresh_shortlist(std::size_t elements) {
  if (spare_state == SpareState::gone) return FastShortlistPtr(new FastShortlist);
  std::unique_ptr<FastShortlist>* best = nullptr;
  for (std::unique_ptr<FastShortlist>& held : spare_shortlists.held) {
    if (!held) continue;
    const std::size_t room = held->elements.capacity();
    if (best == nullptr) {
      best = &held;
      continue;
    }
    const std::size_t best_room = (*best)->elements.capacity();
    const bool fits = room >= elements;
    const bool better = fits != (best_room >= elements) ? fits               // only this one fits
                        : fits                          ? room < best_room  // both: the smaller
                                                        : room > best_room; // neither: the larger
    if (better) best = &held;
  }
  if (best == nullptr) return FastShortlistPtr(new FastShortlist);
  return FastShortlistPtr(best->release());
}

}  // namespace

void FastShortlistRelease::operator()(FastShortlist* shortlist) const noexcept {
  std::unique_ptr<FastShortlist> owned(shortlist);
  if (spare_state != SpareState::open || shortlist->elements.capacity() > FastShortlist::kKeptElements) return;
  for (std::unique_ptr<FastShortlist>& held : spare_shortlists.held) {
    if (held) continue;
    shortlist->elements.clear();
    shortlist->candidates.clear();
    shortlist->candidate_hits.clear();
    shortlist->fields_per_candidate = 0;
    std::fill(std::begin(shortlist->payload_hits), std::end(shortlist->payload_hits), FastHit{});
    shortlist->payload = -1;
    shortlist->shaped_candidates = 0;
    try {
      for (FastScope& scope : shortlist->scopes) {
        if (shortlist->spare_scopes.size() < FastShortlist::kKeptScopes) shortlist->spare_scopes.push_back(std::move(scope));
      }
    } catch (const std::bad_alloc&) {
      shortlist->spare_scopes.clear();  // kept without them
    }
    shortlist->scopes.clear();
    held = std::move(owned);
    return;
  }
}

// What the scan needs of a mapping, worked out once per mapping (parse_mapping
// makes it) instead of once per message: the specs of the fields, their names
// grouped by length and the namespace URIs numbered.
struct FastScanPlan {
  explicit FastScanPlan(const Mapping& m);

  const Mapping* mapping;  // the object this plan was made for (see fast_scan)
  // Unique among the plans of the process: a CandidateShape made with one
  // plan is never used with another made at the same address later.
  const std::uint64_t serial = next_serial();
  bool supported = false;  // fast_scan_supports, and at most 64 candidate fields
  std::vector<Spec> candidate_specs;
  std::vector<Spec> payload_specs = std::vector<Spec>(kPayloadFields);
  NameGroups candidate_names, payload_names;
  std::vector<std::string_view> known_uris;
  std::vector<int> candidate_step_ids;
  int no_namespace_id = -1;
  // The specs that name an attribute of the base itself (candidate or
  // payload), by index: the only ones looked at when the base is found.
  std::vector<std::size_t> candidate_own_attributes, payload_own_attributes;

  int intern(std::string_view uri) {
    const int id = uri_id(uri);
    if (id >= 0) return id;
    known_uris.push_back(uri);
    return static_cast<int>(known_uris.size() - 1);
  }
  int uri_id(std::string_view uri) const noexcept {
    for (std::size_t k = 0; k < known_uris.size(); ++k) {
      if (known_uris[k] == uri) return static_cast<int>(k);
    }
    return -1;
  }
  static NameGroups group(const std::vector<Spec>& specs);
  static std::uint64_t next_serial() noexcept {
    static std::atomic<std::uint64_t> last{0};
    return last.fetch_add(1, std::memory_order_relaxed) + 1;
  }
};

FastScanPlan::FastScanPlan(const Mapping& mapping) : mapping(&mapping) {
  if (!fast_scan_supports(mapping)) return;
  const ShortlistMapping& m = *mapping.shortlist;
  const CandidateMapping& c = m.candidates;
  candidate_specs = {spec_of(c.id), spec_of(c.name), spec_of(c.price), spec_of(c.currency),
                     spec_of(c.preselected), spec_of(c.note)};
  for (const IdentifierField& idf : c.identifiers) candidate_specs.push_back(spec_of(idf.field));
  if (candidate_specs.size() > 64) return;
  payload_specs[kCorrelation] = spec_of(m.correlation_id);
  payload_specs[kCategoryCode] = spec_of(m.category.code);
  payload_specs[kCategorySystem] = spec_of(m.category.system);
  payload_specs[kRequester] = spec_of(m.requester);
  payload_specs[kDepartment] = spec_of(m.department);
  payload_specs[kLanguage] = spec_of(m.language);
  payload_specs[kMessageNote] = spec_of(m.message_note);
  // The URIs the mapping matches, numbered: a declaration is compared with
  // them once, and each element then compares a number.
  for (std::vector<Spec>* specs : {&candidate_specs, &payload_specs}) {
    for (Spec& spec : *specs) {
      if (spec.step != nullptr) spec.uri_id = intern(spec.uri);
    }
  }
  for (const ExpandedName& step : c.elements.steps()) candidate_step_ids.push_back(intern(step.uri));
  no_namespace_id = uri_id(std::string_view{});
  candidate_names = group(candidate_specs);
  payload_names = group(payload_specs);
  const auto own_attributes = [](const std::vector<Spec>& specs) {
    std::vector<std::size_t> out;
    for (std::size_t k = 0; k < specs.size(); ++k) {
      if (specs[k].used && specs[k].step == nullptr && specs[k].attribute != nullptr) out.push_back(k);
    }
    return out;
  };
  candidate_own_attributes = own_attributes(candidate_specs);
  payload_own_attributes = own_attributes(payload_specs);
  supported = true;
}

NameGroups FastScanPlan::group(const std::vector<Spec>& specs) {
  NameGroups out;
  std::vector<NameGroup>& groups = out.groups;
  for (std::size_t k = 0; k < specs.size() && k < 64; ++k) {
    const Spec& spec = specs[k];
    if (spec.step == nullptr) continue;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const NameGroup& g) { return g.uri_id == spec.uri_id && g.local == spec.local; });
    if (it == groups.end()) it = groups.insert(groups.end(), NameGroup{spec.local, spec.uri_id, 0});
    it->specs |= std::uint64_t{1} << k;
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const NameGroup& a, const NameGroup& b) { return a.local.size() < b.local.size(); });
  std::fill(std::begin(out.first), std::end(out.first), NameGroups::kNone);
  // (At most 64 specs, so at most 64 groups: an index fits a byte.)
  for (std::size_t g = groups.size(); g-- > 0;) {
    if (groups[g].local.size() < NameGroups::kLengths) out.first[groups[g].local.size()] = static_cast<std::uint8_t>(g);
  }
  return out;
}

namespace {

class Scanner {
 public:
  Scanner(std::string_view bytes, Encoding encoding, const FastScanPlan& plan, const Limits& limits, ScanWork& work)
      : s_(bytes), enc_(encoding), m_(*plan.mapping->shortlist), plan_(plan), limits_(limits),
        out_(fresh_shortlist(expected_elements(bytes))), work_(work), stack_(std::move(work.stack)),
        bindings_(std::move(work.bindings)), attributes_(std::move(work.attributes)),
        scope_spans_(std::move(work.scope_spans)), known_children_(std::move(work.known_children)),
        known_candidate_(work.known_candidate) {
    // (Moved in and back rather than used through references: a member is
    // one load nearer, and the scan asks its vectors for every element.)
    stack_.clear();
    bindings_.clear();
    attributes_.clear();
    scope_spans_.clear();
    known_children_.clear();
    known_candidate_.bytes = {};
    ++work_.scans;
    work_.learnings = 0;
    for (CandidateShape& shape : work_.shapes) shape.misses = 0;
    out_->fields_per_candidate = plan_.candidate_specs.size();
    // Sizes from the length, so that the vectors do not grow step by step.
    const std::size_t candidates = expected_candidates(bytes);
    out_->elements.reserve(expected_elements(bytes));
    out_->candidates.reserve(candidates);
    out_->candidate_hits.reserve(candidates * out_->fields_per_candidate);
    stack_.reserve(16);
  }

  // Rough sizes from the length: a candidate takes a few hundred bytes and
  // holds a few elements.
  static std::size_t expected_candidates(std::string_view bytes) noexcept { return bytes.size() / 256 + 4; }
  static std::size_t expected_elements(std::string_view bytes) noexcept { return expected_candidates(bytes) * 4; }

  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;
  ~Scanner() {
    work_.stack = std::move(stack_);
    work_.bindings = std::move(bindings_);
    work_.attributes = std::move(attributes_);
    work_.scope_spans = std::move(scope_spans_);
    work_.known_children = std::move(known_children_);
  }

  bool run(std::size_t from);

  FastShortlistPtr take() { return std::move(out_); }
  bool soap12() const noexcept { return soap_uri_ == kSoap12Namespace; }
  bool request() const noexcept { return request_; }

 private:
  bool space(std::size_t i) const noexcept { return i < s_.size() && is_xml_space(s_[i]); }
  std::size_t skip_space(std::size_t i) const noexcept {
    while (i < s_.size() && is_xml_space(s_[i])) ++i;
    return i;
  }
  // The bytes [from, to), which the caller knows to be inside them (no
  // check, unlike substr: the scan takes views of every name it reads).
  std::string_view view(std::size_t from, std::size_t to) const noexcept { return {s_.data() + from, to - from}; }
  bool starts(std::size_t i, std::string_view what) const noexcept {
    return i <= s_.size() && s_.size() - i >= what.size() && same_bytes(view(i, i + what.size()), what);
  }
  std::size_t next_lt(std::size_t i) const noexcept;
  // The closing quote of an attribute value that starts at i (npos: none,
  // or a '<' comes first); amp says whether the value holds a '&'.
  std::size_t value_end(std::size_t i, char quote, bool& amp) const noexcept;
  // A name from i: its end, and where its one colon is (npos without).
  bool name(std::size_t i, std::size_t& end, std::size_t& colon) const noexcept;
  bool comment(std::size_t& i) const;       // at "<!--"; i moves past "-->"
  bool declaration(std::size_t& i) const;   // at "<?xml "
  bool misc(std::size_t& i, bool before_root) const;
  bool start_tag(std::size_t& i);
  bool read_tag(std::size_t i, Tag& t);
  bool open(Tag& t, std::size_t& i);
  Tag* replay(KnownTag& known, std::size_t i);
  bool leaf(Tag& t, std::size_t& i);
  // What a child of a candidate records: the candidate's last child, and
  // the child's mapped fields (its element's index into element).
  void child_of_candidate(const Open& parent, Tag& t, std::int32_t& element);
  void remember(KnownTag& known, const Tag& t);
  // A candidate of parent at i checked against the thread's shapes, the one
  // the candidate before matched first, and recorded from the first that
  // fits (see CandidateShape); false, with nothing recorded, when none does.
  // The shape tried (the index of one already found to differ) is skipped.
  bool replay_shaped(Open& parent, std::size_t& i, std::size_t tried = CandidateShape::kShapes);
  // A candidate at i checked against shape from its chunk from (whose
  // position, and those of the chunks before it, are in shape.at) and
  // recorded from it; false, with nothing recorded and failed_chunk_ set,
  // when it differs.
  bool replay_candidate(CandidateShape& shape, std::size_t& i, std::size_t from = 0);
  // The shape of the candidate o, whose end tag ends at end.
  void learn_shape(const Open& o, std::size_t end);
  // Whether shape may check a candidate of parent (see CandidateShape).
  bool shape_fits(CandidateShape& shape, Open& parent);
  // After replay_candidate found the element at i to differ from shape: a
  // miss when it differed after the shape's first chunk. An element that
  // differs in its first chunk may be no candidate at all (a count, a note
  // among the candidates, whose start tag differs at once) and costs little
  // to tell, so it does not count against the shape.
  void count_miss(CandidateShape& shape) const noexcept {
    if (failed_chunk_ > 0) ++shape.misses;
  }
  bool end_tag(std::size_t& i);
  bool text(std::size_t from, std::size_t to);
  std::optional<std::string_view> lookup(std::string_view prefix) const noexcept;
  const Binding* binding(std::string_view prefix) const noexcept;
  const Attribute* find(const ExpandedName& name) const;
  // The element that starts at begin, recorded in FastShortlist::elements
  // unless element already says where: its index.
  std::int32_t record(std::int32_t& element, std::size_t begin, std::size_t name_end, std::size_t tag_end,
                      bool self_closing);
  // The group of names that local in namespace uri_id is one of (-1: none).
  static int group_of(const NameGroups& names, int uri_id, std::string_view local) noexcept;
  void hits(const NameGroup& g, const std::vector<Spec>& specs, FastHit* out, std::int32_t& element,
            std::size_t begin, std::size_t name_end, std::size_t tag_end, bool self_closing);
  void finish(const Open& o, std::size_t content_end, std::size_t end);
  std::size_t scope_of_candidate(std::size_t depth);

  std::string_view s_;
  Encoding enc_;
  const ShortlistMapping& m_;
  const FastScanPlan& plan_;
  const Limits& limits_;
  FastShortlistPtr out_;
  ScanWork& work_;  // where the vectors below come from and go back to
  std::vector<Open> stack_;
  std::vector<Binding> bindings_;
  std::vector<Attribute> attributes_;
  std::vector<Span> scope_spans_;
  // The start tags of the last candidate's children, by their place in it,
  // and of the last candidate (see KnownTag); at most kKnownChildren.
  static constexpr std::size_t kKnownChildren = 32;
  std::vector<KnownTag> known_children_;
  KnownTag& known_candidate_;  // ScanWork's (not cleared with the Scanner: `bytes` empty says none)
  std::uint64_t declarations_ = 0;  // namespace declarations met so far
  std::uint64_t declarations_before_candidate_ = 0;  // before the start tag of the last candidate read
  std::size_t unshaped_at_ = std::string_view::npos;  // the candidate no shape matched last (not tried again)
  std::size_t failed_chunk_ = 0;  // the chunk at which the last replay_candidate found a difference
  std::size_t next_amp_ = 0;  // the next '&' at or after the last text checked (size: none)
  std::string_view soap_uri_;
  bool body_found_ = false;
  bool payload_found_ = false;
  bool request_ = false;
};

bool Scanner::name(std::size_t i, std::size_t& end, std::size_t& colon) const noexcept {
  const std::size_t n = s_.size();
  const char* const p = s_.data();
  if (i >= n || (kName.v[static_cast<unsigned char>(p[i])] & 1) == 0) return false;
  colon = std::string_view::npos;
  ++i;
  // A name may hold one colon, with a name start after it; a second colon,
  // or one without a name start after it, would end the name where no name
  // may end, so the tag is refused either way (here, at once).
  const auto colon_at = [&](std::size_t at) {
    if (colon != std::string_view::npos) return false;
    colon = at;
    return true;
  };
  bool ended = false;
#if defined(__SSE2__)
  // Sixteen bytes at a time: the first byte that is neither a name character
  // nor ':' ends the name.
  while (n - i >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                         _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
    const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                        _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    const __m128i colons = _mm_cmpeq_epi8(v, _mm_set1_epi8(':'));
    const __m128i other = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('-'))),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')), colons));
    const unsigned inside = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), other)));
    const unsigned length = inside == 0xFFFF ? 16 : static_cast<unsigned>(__builtin_ctz(~inside));
    unsigned found = static_cast<unsigned>(_mm_movemask_epi8(colons)) & ((1u << length) - 1);
    for (; found != 0; found &= found - 1) {
      if (!colon_at(i + static_cast<std::size_t>(__builtin_ctz(found)))) return false;
    }
    i += length;
    if (length < 16) {
      ended = true;  // p[i] is neither a name character nor ':'
      break;
    }
  }
#endif
  for (; !ended && i < n; ++i) {
    const char c = p[i];
    if (kName.v[static_cast<unsigned char>(c)] != 0) continue;
    if (c != ':') break;
    if (!colon_at(i)) return false;
  }
  if (colon != std::string_view::npos &&
      (colon + 1 >= i || (kName.v[static_cast<unsigned char>(p[colon + 1])] & 1) == 0)) {
    return false;
  }
  end = i;
  return true;
}

// The next '<' at or after i (npos: none), sixteen bytes at a time: the text
// between tags is short (indentation, a value), so a call to memchr per tag
// would cost more than the search itself.
std::size_t Scanner::next_lt(std::size_t i) const noexcept {
  const char* const p = s_.data();
  const std::size_t n = s_.size();
#if defined(__SSE2__)
  const __m128i lt = _mm_set1_epi8('<');
  while (n - i >= 16) {
    const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), lt));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#endif
  while (i < n && p[i] != '<') ++i;
  return i < n ? i : std::string_view::npos;
}

// One pass for the three things a value is searched for, sixteen bytes at
// a time (values are short: a call to memchr for each would cost more).
std::size_t Scanner::value_end(std::size_t i, char quote, bool& amp) const noexcept {
  const char* const p = s_.data();
  const std::size_t n = s_.size();
  amp = false;
#if defined(__SSE2__)
  const __m128i q = _mm_set1_epi8(quote);
  const __m128i lt = _mm_set1_epi8('<');
  const __m128i ampersand = _mm_set1_epi8('&');
  while (n - i >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const unsigned stop = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, lt))));
    const unsigned amps = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, ampersand)));
    if (stop != 0) {
      const unsigned at = static_cast<unsigned>(__builtin_ctz(stop));
      amp = amp || (amps & ((1u << at) - 1)) != 0;
      return p[i + at] == quote ? i + at : std::string_view::npos;
    }
    amp = amp || amps != 0;
    i += 16;
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == quote) return i;
    if (p[i] == '<') return std::string_view::npos;
    amp = amp || p[i] == '&';
  }
  return std::string_view::npos;
}

// A comment whose text holds no "--" (pugixml would take it; XML does not).
// (The first "--" is looked for sixteen bytes at a time: a comment is short,
// and a call to memchr for each costs more than the search.)
bool Scanner::comment(std::size_t& i) const {
  const char* const p = s_.data();
  const std::size_t n = s_.size();
  std::size_t j = i + 4;
#if defined(__SSE2__)
  const __m128i dash = _mm_set1_epi8('-');
  // A dash at k with another at k + 1: both loads stay inside the bytes.
  while (n - j >= 17) {
    const __m128i here = _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j)), dash);
    const __m128i next = _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j + 1)), dash);
    const unsigned pairs = static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(here, next)));
    if (pairs != 0) {
      j += static_cast<std::size_t>(__builtin_ctz(pairs));
      if (j + 2 >= n || p[j + 2] != '>') return false;
      i = j + 3;
      return true;
    }
    j += 16;
  }
#endif
  const std::size_t dashes = s_.find("--", j);
  if (dashes == std::string_view::npos || dashes + 2 >= n || p[dashes + 2] != '>') return false;
  i = dashes + 3;
  return true;
}

// <?xml version="1.0" encoding="..." standalone="..."?> and nothing else.
bool Scanner::declaration(std::size_t& i) const {
  std::size_t j = i + 5;
  static constexpr std::string_view kNames[] = {"version", "encoding", "standalone"};
  std::size_t next = 0;
  while (true) {
    const std::size_t after_space = skip_space(j);
    if (starts(after_space, "?>")) {
      i = after_space + 2;
      return next > 0;
    }
    if (after_space == j) return false;
    j = after_space;
    std::size_t k = next;
    while (k < 3 && !starts(j, kNames[k])) ++k;
    if (k == 3 || (next == 0 && k != 0)) return false;
    j += kNames[k].size();
    next = k + 1;
    j = skip_space(j);
    if (j >= s_.size() || s_[j] != '=') return false;
    j = skip_space(j + 1);
    if (j >= s_.size() || (s_[j] != '"' && s_[j] != '\'')) return false;
    const char quote = s_[j];
    const std::size_t close = s_.find(quote, j + 1);
    if (close == std::string_view::npos || close == j + 1) return false;
    for (std::size_t v = j + 1; v < close; ++v) {
      if (kName.v[static_cast<unsigned char>(s_[v])] == 0) return false;
    }
    j = close + 1;
  }
}

// Whitespace and comments (before the root also the declaration, which
// SoapMessage's prolog check has placed). Stops at the root's '<' or the end.
bool Scanner::misc(std::size_t& i, bool before_root) const {
  while (i < s_.size()) {
    if (is_xml_space(s_[i])) {
      ++i;
    } else if (starts(i, "<!--")) {
      if (!comment(i)) return false;
    } else if (before_root && starts(i, "<?xml ")) {
      if (!declaration(i)) return false;
    } else if (before_root && s_[i] == '<' && i + 1 < s_.size() &&
               (kName.v[static_cast<unsigned char>(s_[i + 1])] & 1) != 0) {
      return true;
    } else {
      return false;
    }
  }
  return !before_root;
}

// Text between markup: '&' must start a reference decode_text accepts. The
// next '&' of the document is kept at hand, so text without one costs a
// comparison (most documents have a handful, many have none).
bool Scanner::text(std::size_t from, std::size_t to) {
  if (next_amp_ < from) {
    const void* amp = std::memchr(s_.data() + from, '&', s_.size() - from);
    next_amp_ = amp == nullptr ? s_.size() : static_cast<std::size_t>(static_cast<const char*>(amp) - s_.data());
  }
  if (next_amp_ >= to) return true;
  return decode_text(s_.substr(from, to - from), enc_, EscapeContext::text, from).ok();
}

const Binding* Scanner::binding(std::string_view prefix) const noexcept {
  for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it) {
    if (same_bytes(it->prefix, prefix)) return &*it;
  }
  return nullptr;
}

std::optional<std::string_view> Scanner::lookup(std::string_view prefix) const noexcept {
  for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it) {
    if (same_bytes(it->prefix, prefix)) return it->uri;
  }
  if (prefix.empty()) return std::string_view{};
  return std::nullopt;
}

const Attribute* Scanner::find(const ExpandedName& wanted) const {
  for (const Attribute& a : attributes_) {
    if (a.local != wanted.local) continue;
    if (same_bytes(a.prefix, "xmlns") || (a.prefix.empty() && same_bytes(a.local, "xmlns"))) continue;  // declarations are not attributes
    std::string_view uri;
    if (same_bytes(a.prefix, "xml")) uri = kXmlNamespace;
    else if (!a.prefix.empty()) uri = lookup(a.prefix).value_or(std::string_view{});
    if (uri == wanted.uri) return &a;
  }
  return nullptr;
}

// Built in place from its values (as the shape's replay builds them): a
// FastElement built on the stack and copied in was
// read back whole (16 bytes at a time) right after its flags were stored
// one by one, which the CPU cannot forward from its store buffer (a stall
// of about a dozen cycles per element: 9 % of BM_Rewrite/50 in a perf
// profile). Out of line on purpose: inlined into the flattened scan, GCC
// took the copy for cold code and compiled it to `rep movs`/`rep stos`.
[[gnu::noinline]] std::int32_t Scanner::record(std::int32_t& element, std::size_t begin, std::size_t name_end,
                                              std::size_t tag_end, bool self_closing) {
  if (element < 0) {
    element = static_cast<std::int32_t>(out_->elements.size());
    out_->elements.emplace_back(begin, name_end, tag_end, tag_end, tag_end, self_closing, false, false);
  }
  return element;
}

int Scanner::group_of(const NameGroups& names, int uri_id, std::string_view local) noexcept {
  const std::size_t length = local.size();
  std::size_t from = 0;
  if (length < NameGroups::kLengths) {
    if (names.first[length] == NameGroups::kNone) return -1;
    from = names.first[length];
  }
  for (std::size_t index = from; index < names.groups.size(); ++index) {
    const NameGroup& g = names.groups[index];
    if (g.local.size() != length) {
      if (g.local.size() > length) return -1;  // sorted by length
      continue;
    }
    if (g.uri_id == uri_id && same_bytes(g.local, local)) return static_cast<int>(index);  // the names are distinct
  }
  return -1;
}

void Scanner::hits(const NameGroup& g, const std::vector<Spec>& specs, FastHit* out, std::int32_t& element,
                   std::size_t begin, std::size_t name_end, std::size_t tag_end, bool self_closing) {
  for (std::uint64_t bits = g.specs; bits != 0; bits &= bits - 1) {
    const std::size_t k = static_cast<std::size_t>(__builtin_ctzll(bits));
    const Spec& spec = specs[k];
    FastHit& h = out[k];
    if (h.first < 0) h.first = record(element, begin, name_end, tag_end, self_closing);
    if (spec.attribute != nullptr && h.with_attribute < 0) {
      if (const Attribute* a = find(*spec.attribute)) {
        h.with_attribute = record(element, begin, name_end, tag_end, self_closing);
        h.attribute_value = a->value;
        h.quote = a->quote;
      }
    }
  }
}

// The tag at i as known, moved there (null: the bytes or the bindings
// differ, and it must be read).
inline Tag* Scanner::replay(KnownTag& known, std::size_t i) {
  const std::size_t size = known.bytes.size();
  if (size == 0 || s_.size() - i < size || !same_bytes(view(i, i + size), known.bytes)) return nullptr;
  if (known.declarations != declarations_ ||
      (known.tag.binding != std::string_view::npos && known.tag.binding >= bindings_.size())) {
    return nullptr;
  }
  attributes_.clear();
  for (std::size_t k = 0; k < known.attribute_count; ++k) {
    Attribute& a = attributes_.emplace_back(known.attributes[k]);
    a.value = {a.value.begin + i, a.value.end + i};
  }
  Tag& t = known.tag;
  t.name_end = t.name_end - t.begin + i;
  t.end = i + size;
  t.begin = i;
  t.scope_mark = bindings_.size();
  return &t;
}

inline void Scanner::remember(KnownTag& known, const Tag& t) {
  if (t.self_closing || t.scope_mark != bindings_.size() || attributes_.size() > KnownTag::kAttributes) return;
  for (const Attribute& a : attributes_) {
    if (!a.prefix.empty()) return;  // (an unprefixed xmlns is a declaration, seen above)
  }
  known.bytes = view(t.begin, t.end);
  known.tag = t;
  known.declarations = declarations_;
  known.attribute_count = attributes_.size();
  for (std::size_t k = 0; k < attributes_.size(); ++k) {
    known.attributes[k] = attributes_[k];
    known.attributes[k].value = {attributes_[k].value.begin - t.begin, attributes_[k].value.end - t.begin};
  }
}

void Scanner::finish(const Open& o, std::size_t content_end, std::size_t end) {
  if (o.element < 0) return;
  FastElement& e = out_->elements[static_cast<std::size_t>(o.element)];
  e.content_end = content_end;
  e.end = end;
  e.has_child_element = o.has_child_element;
  e.has_other_markup = o.has_other_markup;
}

std::size_t Scanner::scope_of_candidate(std::size_t depth) {
  std::vector<Span>& spans = scope_spans_;
  spans.clear();
  for (const Binding& b : bindings_) {
    if (b.level >= depth) break;  // the candidate's own declarations are in its bytes
    spans.push_back(b.whole);
  }
  std::vector<FastScope>& scopes = out_->scopes;
  const auto same_scope = [&](const FastScope& scope) {
    return scope.declarations.size() == spans.size() &&
           std::equal(spans.begin(), spans.end(), scope.declarations.begin(),
                      [](const Span& a, const Span& b) { return a.begin == b.begin && a.end == b.end; });
  };
  if (!scopes.empty() && same_scope(scopes.back())) return scopes.size() - 1;
  FastScope scope;
  if (!out_->spare_scopes.empty()) {  // its string and list keep their room
    scope = std::move(out_->spare_scopes.back());
    out_->spare_scopes.pop_back();
    scope.open.clear();
    scope.wrappers = 0;
  }
  scope.declarations = spans;
  std::size_t level = std::string_view::npos;
  for (const Binding& b : bindings_) {
    if (b.level >= depth) break;
    if (b.level != level) {
      if (scope.wrappers > 0) scope.open += '>';
      scope.open += "<w";
      ++scope.wrappers;
      level = b.level;
    }
    scope.open += ' ';
    scope.open += s_.substr(b.whole.begin, b.whole.size());
  }
  if (scope.wrappers == 0) {
    scope.open += "<w";
    scope.wrappers = 1;
  }
  scope.open += '>';
  scopes.push_back(std::move(scope));
  return scopes.size() - 1;
}

[[gnu::flatten]] bool Scanner::start_tag(std::size_t& i) {
  // A candidate's child is compared with the child at the same place in
  // the candidate before, a candidate with the candidate before (KnownTag).
  KnownTag* known = nullptr;
  if (!stack_.empty()) {
    Open& parent = stack_.back();
    if (parent.candidate >= 0) {
      const std::size_t child = parent.children++;
      if (child < kKnownChildren) {
        if (known_children_.size() <= child) known_children_.resize(child + 1);
        known = &known_children_[child];
      }
    } else if (parent.candidate_step >= 0 &&
               static_cast<std::size_t>(parent.candidate_step) + 1 == m_.candidates.elements.steps().size()) {
      known = &known_candidate_;
      // (A child that matches no shape is read below; if it is a candidate,
      // its shape is learned when it ends.)
      if (i != unshaped_at_ && replay_shaped(parent, i)) {
        // The candidates that follow it, without going round the scan's
        // loop for each, checked against the same shape first (it fits
        // them: the parent and the declarations stay): the text before the
        // next one is checked here, and whatever comes after the last, or
        // a candidate no shape matches, is left to the loop.
        while (true) {
          const std::size_t next = next_lt(i);
          if (next == std::string_view::npos || next + 1 >= s_.size() || !text(i, next)) return true;
          i = next;
          if ((kName.v[static_cast<unsigned char>(s_[next + 1])] & 1) == 0) return true;
          CandidateShape& shape = work_.shapes[work_.shape];
          if (replay_candidate(shape, i)) continue;
          count_miss(shape);
          if (!replay_shaped(parent, i, work_.shape)) return true;
        }
      }
      declarations_before_candidate_ = declarations_;
    }
  }
  if (known != nullptr) {
    if (Tag* t = replay(*known, i)) return (known != &known_candidate_ && leaf(*t, i)) || open(*t, i);
  }
  Tag t;
  if (!read_tag(i, t) || !open(t, i)) return false;
  if (known != nullptr) remember(*known, t);
  return true;
}

inline void Scanner::child_of_candidate(const Open& parent, Tag& t, std::int32_t& element) {
  const std::size_t candidate = static_cast<std::size_t>(parent.candidate);
  out_->candidates[candidate].last_child = t.begin;
  if (t.group == Tag::kGroupUnknown) t.group = group_of(plan_.candidate_names, t.uri_id, t.local);
  if (t.group < 0) return;
  hits(plan_.candidate_names.groups[static_cast<std::size_t>(t.group)], plan_.candidate_specs,
       &out_->candidate_hits[candidate * out_->fields_per_candidate], element, t.begin, t.name_end, t.end,
       t.self_closing);
}

// A known child of a candidate whose content is text up to its own end tag
// (`<erp:Name>…</erp:Name>`: most of them), taken whole from its replayed
// start tag: what open, the text and end_tag would do to it, without
// opening it on the stack. False, with nothing changed, when it is not
// such an element (a child, a comment, CDATA, another end tag, the depth
// limit): then it is opened as any other, and whatever is wrong with it is
// found there.
bool Scanner::leaf(Tag& t, std::size_t& i) {
  const std::size_t at = next_lt(t.end);
  if (at == std::string_view::npos || at + 1 >= s_.size() || s_[at + 1] != '/') return false;
  const std::string_view qname = view(t.begin + 1, t.name_end);
  if (!starts(at + 2, qname)) return false;
  const std::size_t close = skip_space(at + 2 + qname.size());
  if (close >= s_.size() || s_[close] != '>') return false;
  if (stack_.size() + 1 > limits_.max_depth || !text(t.end, at)) return false;
  Open& parent = stack_.back();
  parent.has_child_element = true;
  std::int32_t element = -1;
  child_of_candidate(parent, t, element);
  if (element >= 0) {
    FastElement& e = out_->elements[static_cast<std::size_t>(element)];
    e.content_end = at;
    e.end = close + 1;
  }
  out_->candidates[static_cast<std::size_t>(parent.candidate)].last_child_end = close + 1;
  i = close + 1;
  return true;
}

// A start tag from its '<' at i: its name, its attributes (declarations go
// on the bindings), and the checks the DOM path's parser and namespace
// resolution would make of it.
bool Scanner::read_tag(std::size_t i, Tag& t) {
  const std::size_t begin = i;
  std::size_t name_end = 0;
  std::size_t colon = 0;
  if (!name(i + 1, name_end, colon)) return false;
  attributes_.clear();
  const std::size_t scope_mark = bindings_.size();
  std::size_t j = name_end;
  std::size_t tag_end = 0;
  bool self_closing = false;
  while (true) {
    const std::size_t before = j;
    j = skip_space(j);
    if (j >= s_.size()) return false;
    if (s_[j] == '>') {
      tag_end = j + 1;
      break;
    }
    if (s_[j] == '/') {
      if (j + 1 >= s_.size() || s_[j + 1] != '>') return false;
      self_closing = true;
      tag_end = j + 2;
      break;
    }
    if (j == before) return false;  // attributes are separated by whitespace
    std::size_t a_end = 0;
    std::size_t a_colon = 0;
    if (!name(j, a_end, a_colon)) return false;
    Attribute a;
    if (a_colon != std::string_view::npos) {
      a.prefix = view(j, a_colon);
      a.local = view(a_colon + 1, a_end);
    } else {
      a.local = view(j, a_end);
    }
    const std::size_t a_begin = j;
    j = skip_space(a_end);
    if (j >= s_.size() || s_[j] != '=') return false;
    j = skip_space(j + 1);
    if (j >= s_.size() || (s_[j] != '"' && s_[j] != '\'')) return false;
    a.quote = s_[j];
    bool amp = false;
    const std::size_t value_end = this->value_end(j + 1, a.quote, amp);
    if (value_end == std::string_view::npos) return false;
    a.value = {j + 1, value_end};
    const std::string_view value = view(a.value.begin, a.value.end);
    if (amp && !decode_text(value, enc_, EscapeContext::attribute, a.value.begin).ok()) return false;
    const bool declaration = same_bytes(a.prefix, "xmlns") || (a.prefix.empty() && same_bytes(a.local, "xmlns"));
    if (declaration) {
      const std::string_view prefix = a.prefix.empty() ? std::string_view{} : a.local;
      if (same_bytes(prefix, "xml") || same_bytes(prefix, "xmlns")) return false;
      if (!a.prefix.empty() && value.empty()) return false;
      // The DOM path compares pugixml's value, which decodes references and
      // turns tabs and line ends into spaces: only plain URIs are the same raw.
      if (!plain_uri(value)) return false;
      bindings_.push_back({prefix, value, {a_begin, value_end + 1}, stack_.size(), plan_.uri_id(value)});
      ++declarations_;
    }
    attributes_.push_back(a);
    j = value_end + 1;
  }
  std::string_view prefix;
  std::string_view local = view(begin + 1, name_end);
  if (colon != std::string_view::npos) {
    prefix = view(begin + 1, colon);
    local = view(colon + 1, name_end);
    if (same_bytes(prefix, "xml") || same_bytes(prefix, "xmlns")) return false;
  }
  // Signed messages take the DOM path, which knows what a signature covers;
  // a signature is an element, so its name is all there is to look for.
  if (same_bytes(local, "Signature")) return false;
  const Binding* bound = binding(prefix);
  if (bound == nullptr && !prefix.empty()) return false;
  // Prefixes of attributes must be bound; expanded names must be unique.
  for (const Attribute& a : attributes_) {
    if (!a.prefix.empty() && !same_bytes(a.prefix, "xml") && !same_bytes(a.prefix, "xmlns") && !lookup(a.prefix)) return false;
  }
  if (attributes_.size() > 1) {
    if (attributes_.size() > 32) return false;
    const auto expanded = [&](const Attribute& a) {
      if (a.prefix.empty()) return std::string_view{};
      if (same_bytes(a.prefix, "xmlns")) return kXmlnsNamespace;
      if (same_bytes(a.prefix, "xml")) return kXmlNamespace;
      return *lookup(a.prefix);
    };
    for (std::size_t x = 0; x < attributes_.size(); ++x) {
      for (std::size_t y = x + 1; y < attributes_.size(); ++y) {
        if (attributes_[x].local == attributes_[y].local && expanded(attributes_[x]) == expanded(attributes_[y])) {
          return false;
        }
      }
    }
  }
  t.begin = begin;
  t.name_end = name_end;
  t.end = tag_end;
  t.scope_mark = scope_mark;
  t.binding = bound != nullptr ? static_cast<std::size_t>(bound - bindings_.data()) : std::string_view::npos;
  t.local = local;
  t.uri = bound != nullptr ? bound->uri : std::string_view{};
  t.uri_id = bound != nullptr ? bound->uri_id : plan_.no_namespace_id;
  t.self_closing = self_closing;
  return true;
}

// The element of a tag read (or known) at i: opened, matched to the
// mapping (Envelope, Body, payload, candidate steps, mapped fields), and
// closed again when it closes itself; i moves past the tag.
bool Scanner::open(Tag& t, std::size_t& i) {
  if (stack_.size() + 1 > limits_.max_depth) return false;
  const std::size_t begin = t.begin;
  const std::size_t name_end = t.name_end;
  const std::size_t tag_end = t.end;
  const bool self_closing = t.self_closing;
  const std::string_view local = t.local;
  const std::string_view uri = t.uri;
  const int id = t.uri_id;
  // The element is opened in place on the stack (a self-closing one is
  // popped again below): built aside and copied in, its flags, stored a
  // byte at a time, were read back 16 bytes at a time, which the CPU cannot
  // forward from its store buffer.
  const std::size_t depth = stack_.size();
  Open& o = stack_.emplace_back();
  o.begin = begin;
  o.qname = view(begin + 1, name_end);
  o.scope_mark = t.scope_mark;  // before its own declarations: they end with it
  if (depth == 0) {
    if (local != "Envelope" || (uri != kSoap11Namespace && uri != kSoap12Namespace)) return false;
    soap_uri_ = uri;
  } else {
    Open& parent = stack_[depth - 1];
    parent.has_child_element = true;
    // (A candidate's child first: most elements are, and a candidate is
    // not the Envelope, the Body, the payload or a step of the candidates.)
    if (parent.candidate >= 0) {
      child_of_candidate(parent, t, o.element);
    } else if (depth == 1) {
      if (!body_found_ && local == "Body" && uri == soap_uri_) {
        body_found_ = true;
        o.is_body = true;
      }
    } else if (parent.is_body) {
      if (!parent.body_had_child) {
        parent.body_had_child = true;
        payload_found_ = true;
        // A response (its context fields and candidates) or, checked second
        // as classify does, a request (its context fields only); any other
        // kind takes the DOM path.
        if (local == m_.response.local && uri == m_.response.uri) {
          o.candidate_step = 0;
        } else if (m_.request && local == m_.request->local && uri == m_.request->uri) {
          request_ = true;
        } else {
          return false;
        }
        o.is_payload = true;
        out_->payload = record(o.element, begin, name_end, tag_end, self_closing);
        for (const std::size_t k : plan_.payload_own_attributes) {
          const Spec& spec = plan_.payload_specs[k];
          out_->payload_hits[k].first = o.element;
          if (const Attribute* a = find(*spec.attribute)) {
            out_->payload_hits[k] = {o.element, o.element, a->value, a->quote};
          }
        }
      }
    } else {
      const std::vector<ExpandedName>& steps = m_.candidates.elements.steps();
      if (parent.candidate_step >= 0 && static_cast<std::size_t>(parent.candidate_step) < steps.size()) {
        const std::size_t k = static_cast<std::size_t>(parent.candidate_step);
        if (plan_.candidate_step_ids[k] == id && same_bytes(steps[k].local, local)) {
          o.candidate_step = parent.candidate_step + 1;
          if (static_cast<std::size_t>(o.candidate_step) == steps.size()) {
            o.candidate = static_cast<std::int32_t>(out_->candidates.size());
            out_->candidates.push_back(
                {record(o.element, begin, name_end, tag_end, self_closing), parent.begin, scope_of_candidate(depth)});
            out_->candidate_hits.resize(out_->candidate_hits.size() + out_->fields_per_candidate);
            FastHit* h = &out_->candidate_hits[out_->candidate_hits.size() - out_->fields_per_candidate];
            for (const std::size_t k : plan_.candidate_own_attributes) {
              const Spec& spec = plan_.candidate_specs[k];
              h[k].first = o.element;
              if (const Attribute* a = find(*spec.attribute)) h[k] = {o.element, o.element, a->value, a->quote};
            }
          }
        }
      }
      if (parent.is_payload) {
        if (const int g = group_of(plan_.payload_names, id, local); g >= 0) {
          hits(plan_.payload_names.groups[static_cast<std::size_t>(g)], plan_.payload_specs, out_->payload_hits,
               o.element, begin, name_end, tag_end, self_closing);
        }
      }
    }
  }
  i = tag_end;
  if (self_closing) {
    finish(o, tag_end, tag_end);
    bindings_.resize(o.scope_mark);
    stack_.pop_back();
    if (depth > 0 && stack_[depth - 1].candidate >= 0) {
      out_->candidates[static_cast<std::size_t>(stack_[depth - 1].candidate)].last_child_end = tag_end;
    }
  }
  return true;
}

// replay_shaped and replay_candidate are kept out of line: inlined into the
// scan at both of their call sites, the second copy GCC made of the check
// cost 3.4 k more instructions per 50-candidate answer (register spills),
// more than the calls.
[[gnu::noinline]] bool Scanner::replay_shaped(Open& parent, std::size_t& i, std::size_t tried) {
  // The shapes found to differ so far, with the chunk each differed at.
  std::array<std::size_t, CandidateShape::kShapes> differed{}, differed_at{};
  std::size_t count = 0;
  if (tried < CandidateShape::kShapes) {
    differed[count] = tried;
    differed_at[count++] = failed_chunk_;
  }
  for (std::size_t k = 0; k < CandidateShape::kShapes; ++k) {
    const std::size_t which = (work_.shape + k) % CandidateShape::kShapes;
    CandidateShape& shape = work_.shapes[which];
    if (which == tried || !shape.valid || shape.misses >= CandidateShape::kMisses || !shape_fits(shape, parent)) continue;
    // The chunks it shares with a shape that differed before the chunk
    // that one differed at were found already: from there.
    std::size_t from = 0, source = 0;
    for (std::size_t d = 0; d < count; ++d) {
      const std::size_t shared = std::min<std::size_t>(differed_at[d], shape.common[differed[d]]);
      if (shared > from) {
        from = shared;
        source = differed[d];
      }
    }
    from = std::min(from, shape.chunks.size() - 1);
    if (from > 0) {
      const std::vector<std::size_t>& found = work_.shapes[source].at;
      std::copy(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(from + 1), shape.at.begin());
    }
    if (replay_candidate(shape, i, from)) {
      shape.misses = 0;
      shape.used = ++work_.uses;
      work_.shape = which;
      return true;
    }
    count_miss(shape);
    differed[count] = which;
    differed_at[count++] = failed_chunk_;
  }
  unshaped_at_ = i;
  return false;
}

bool Scanner::shape_fits(CandidateShape& shape, Open& parent) {
  if (shape.message == work_.scans) return shape.parent_begin == parent.begin && shape.declarations == declarations_;
  // A shape from a message before, for this message's first candidates;
  // not when they are the payload's children, whose start tags may also be
  // payload fields (open records those, a replay does not).
  if (parent.is_payload || shape.plan != plan_.serial || shape.encoding != enc_ || shape.max_depth != limits_.max_depth ||
      shape.depth != stack_.size() || shape.in_scope.size() != 2 * bindings_.size() ||
      (shape.own_value && out_->candidates.empty())) {
    return false;
  }
  for (std::size_t k = 0; k < bindings_.size(); ++k) {
    if (bindings_[k].prefix != shape.in_scope[2 * k] || bindings_[k].uri != shape.in_scope[2 * k + 1]) return false;
  }
  shape.message = work_.scans;
  shape.parent_begin = parent.begin;
  shape.declarations = declarations_;
  shape.scope = scope_of_candidate(stack_.size());
  return true;
}

[[gnu::noinline]] bool Scanner::replay_candidate(CandidateShape& shape, std::size_t& i, std::size_t from) {
  const std::size_t n = s_.size();
  std::size_t p = from == 0 ? i : shape.at[from];
  std::size_t* at = shape.at.data() + from;
  const CandidateShape::Chunk* const chunks = shape.chunks.data();
  const CandidateShape::Chunk* const end = chunks + shape.chunks.size();
  for (const CandidateShape::Chunk* chunk = chunks + from; chunk != end; ++chunk) {
    const auto differs = [&] {
      failed_chunk_ = static_cast<std::size_t>(chunk - chunks);
      return false;
    };
    *at++ = p;
    if (n - p < chunk->size || !same_markup(s_.data() + p, shape.markup.data() + chunk->offset, chunk->size)) {
      return differs();
    }
    p += chunk->size;
    if (chunk->gap == CandidateShape::Gap::text) {
      const std::size_t lt = next_lt(p);
      if (lt == std::string_view::npos || !text(p, lt)) return differs();
      p = lt;
    } else if (chunk->gap == CandidateShape::Gap::comment) {
      if (!starts(p, "<!--") || !comment(p)) return differs();
    }
  }
  // The elements, the candidate and its hits, where the chunks were found;
  // each built in place from its values (a default-built one filled in
  // after was cleared with `rep stos` first, and a hit copied, changed and
  // stored again was read back whole from the stores of its fields, which
  // the CPU cannot forward: together about half of the scan's time in a
  // perf profile).
  const std::size_t first = out_->elements.size();
  for (const CandidateShape::Slot& slot : shape.slots) {
    const std::size_t begin = shape.where(slot.open);
    const std::size_t close = shape.where(slot.close);
    const std::size_t start_tag_end = begin + slot.open.size;
    out_->elements.emplace_back(begin, begin + slot.name_size, start_tag_end,
                                slot.self_closing ? start_tag_end : close, close + slot.close.size,
                                slot.self_closing, slot.has_child_element, slot.has_other_markup);
  }
  std::size_t last_child = 0;
  std::size_t last_child_end = 0;
  if (shape.has_last_child) {
    last_child = shape.where(shape.last_child_open);
    last_child_end = shape.where(shape.last_child_close) + shape.last_child_close.size;
  }
  out_->candidates.emplace_back(static_cast<std::int32_t>(first), shape.parent_begin, shape.scope, last_child,
                                last_child_end, false);
  const std::int32_t shift = static_cast<std::int32_t>(first);
  for (const FastHit& h : shape.hits) {
    if (h.with_attribute < 0) {
      out_->candidate_hits.emplace_back(h.first < 0 ? -1 : h.first + shift, -1, Span{}, h.quote);
      continue;
    }
    const std::size_t base = out_->elements[static_cast<std::size_t>(h.with_attribute) + first].begin;
    out_->candidate_hits.emplace_back(h.first < 0 ? -1 : h.first + shift, h.with_attribute + shift,
                                      Span{h.attribute_value.begin + base, h.attribute_value.end + base}, h.quote);
  }
  stack_.back().has_child_element = true;
  ++out_->shaped_candidates;
  i = p;
  return true;
}

// The shape of the candidate just read (o, from its '<' to end): its
// markup found again (a start tag ends at the first '>' outside quotes, an
// end tag at its '>', a comment at its "-->"), cut into chunks at its values
// (text that is not only white space) and comments, the elements it
// recorded matched to the tags that open and close them, and its hits made
// relative. No shape when it holds CDATA, when it declared a namespace, or
// when it has more than kChunks chunks.
void Scanner::learn_shape(const Open& o, std::size_t end) {
  if (work_.learnings >= CandidateShape::kLearnings || declarations_ != declarations_before_candidate_) return;
  ++work_.learnings;
  // Into a slot no shape holds, else the one matched least recently.
  std::size_t which = 0;
  for (std::size_t k = 0; k < CandidateShape::kShapes; ++k) {
    const CandidateShape& candidate = work_.shapes[k];
    if (!candidate.valid) {
      which = k;
      break;
    }
    if (candidate.used < work_.shapes[which].used) which = k;
  }
  CandidateShape& shape = work_.shapes[which];
  shape.valid = false;  // until the new one is whole
  const FastCandidate& c = out_->candidates[static_cast<std::size_t>(o.candidate)];
  const std::size_t first = static_cast<std::size_t>(c.element);
  const std::size_t recorded = out_->elements.size() - first;
  std::vector<CandidateShape::Chunk>& chunks = shape.chunks;
  std::vector<CandidateShape::Slot>& slots = shape.slots;
  chunks.clear();
  slots.assign(recorded, CandidateShape::Slot{});
  shape.nesting.clear();
  shape.has_last_child = false;
  bool own_value = false;
  std::size_t next_slot = 0;
  std::size_t chunk_begin = o.begin;
  const auto cut = [&](std::size_t at, CandidateShape::Gap gap) {
    chunks.push_back({static_cast<std::uint32_t>(chunk_begin - o.begin), static_cast<std::uint32_t>(at - chunk_begin), gap});
    return chunks.size() < CandidateShape::kChunks;
  };
  std::size_t p = o.begin;
  while (p < end) {
    if (s_[p] != '<') {
      const std::size_t lt = next_lt(p);
      if (lt == std::string_view::npos || lt >= end) return;
      if (!trim_xml_space(view(p, lt)).empty()) {
        if (shape.nesting.size() == 1) own_value = true;
        if (!cut(p, CandidateShape::Gap::text)) return;
        chunk_begin = lt;
      }
      p = lt;
      continue;
    }
    if (p + 1 >= end) return;
    const char kind = s_[p + 1];
    if (kind == '!') {
      if (!starts(p, "<!--") || !cut(p, CandidateShape::Gap::comment)) return;  // not CDATA
      if (!comment(p)) return;
      chunk_begin = p;
      continue;
    }
    if (kind == '?') return;
    CandidateShape::Place place{static_cast<std::uint32_t>(chunks.size()), static_cast<std::uint32_t>(p - chunk_begin), 0};
    const std::size_t depth = shape.nesting.size();
    if (kind == '/') {
      const std::size_t close = s_.find('>', p);
      if (close == std::string_view::npos || close >= end || depth == 0) return;
      place.size = static_cast<std::uint32_t>(close + 1 - p);
      const std::int64_t slot = shape.nesting.back();
      shape.nesting.pop_back();
      if (slot >= 0) slots[static_cast<std::size_t>(slot)].close = place;
      if (depth == 2) shape.last_child_close = place;  // a child of the candidate ends
    } else {
      const std::size_t q = start_tag_close(view(0, end), p + 1);
      if (q == std::string_view::npos) return;
      place.size = static_cast<std::uint32_t>(q + 1 - p);
      const bool self_closing = s_[q - 1] == '/';
      std::int64_t slot = -1;
      if (next_slot < recorded && out_->elements[first + next_slot].begin == p) {
        slot = static_cast<std::int64_t>(next_slot++);
        slots[static_cast<std::size_t>(slot)].open = place;
        slots[static_cast<std::size_t>(slot)].close = place;
      }
      if (depth == 1) {
        shape.has_last_child = true;
        shape.last_child_open = place;
        shape.last_child_close = place;
      }
      if (!self_closing) shape.nesting.push_back(slot);
    }
    p += place.size;
  }
  if (p != end || !shape.nesting.empty() || next_slot != recorded) return;
  cut(end, CandidateShape::Gap::none);
  for (std::size_t k = 0; k < recorded; ++k) {
    const FastElement& e = out_->elements[first + k];
    CandidateShape::Slot& slot = slots[k];
    slot.name_size = static_cast<std::uint32_t>(e.name_end - e.begin);
    slot.self_closing = e.self_closing;
    slot.has_child_element = e.has_child_element;
    slot.has_other_markup = e.has_other_markup;
  }
  const std::size_t fields = out_->fields_per_candidate;
  const FastHit* hits = &out_->candidate_hits[static_cast<std::size_t>(o.candidate) * fields];
  shape.hits.assign(hits, hits + fields);
  for (FastHit& h : shape.hits) {
    if (h.first >= 0) h.first -= static_cast<std::int32_t>(first);
    if (h.with_attribute >= 0) {
      const std::size_t base = out_->elements[static_cast<std::size_t>(h.with_attribute)].begin;
      h.attribute_value = {h.attribute_value.begin - base, h.attribute_value.end - base};
      h.with_attribute -= static_cast<std::int32_t>(first);
    }
  }
  shape.markup.clear();
  for (CandidateShape::Chunk& chunk : chunks) {
    const std::size_t from = o.begin + chunk.offset;
    chunk.offset = static_cast<std::uint32_t>(shape.markup.size());
    shape.markup.append(s_.data() + from, chunk.size);
  }
  shape.at.resize(chunks.size());
  shape.plan = plan_.serial;
  shape.encoding = enc_;
  shape.max_depth = limits_.max_depth;
  shape.depth = stack_.size() - 1;  // (o is still open)
  shape.in_scope.resize(2 * bindings_.size());
  for (std::size_t k = 0; k < bindings_.size(); ++k) {
    shape.in_scope[2 * k].assign(bindings_[k].prefix);
    shape.in_scope[2 * k + 1].assign(bindings_[k].uri);
  }
  shape.own_value = own_value;
  shape.message = work_.scans;
  shape.parent_begin = c.parent_begin;
  shape.declarations = declarations_;
  shape.scope = c.scope;
  shape.misses = 0;
  shape.used = ++work_.uses;
  for (std::size_t k = 0; k < CandidateShape::kShapes; ++k) {
    CandidateShape& other = work_.shapes[k];
    if (k == which || !other.valid) continue;
    std::uint32_t m = 0;
    while (m < chunks.size() && m < other.chunks.size() && chunks[m].size == other.chunks[m].size &&
           chunks[m].gap == other.chunks[m].gap &&
           std::memcmp(shape.markup.data() + chunks[m].offset, other.markup.data() + other.chunks[m].offset,
                       chunks[m].size) == 0) {
      ++m;
    }
    shape.common[k] = other.common[which] = m;
  }
  shape.valid = true;
  work_.shape = which;
}

bool Scanner::end_tag(std::size_t& i) {
  if (stack_.empty()) return false;
  const Open& o = stack_.back();
  const std::size_t name_at = i + 2;
  if (!starts(name_at, o.qname)) return false;
  std::size_t j = name_at + o.qname.size();
  j = skip_space(j);
  if (j >= s_.size() || s_[j] != '>') return false;
  if (o.is_body && !o.body_had_child) return false;  // an empty Body: nothing to rewrite
  finish(o, i, j + 1);
  if (o.candidate >= 0) learn_shape(o, j + 1);
  bindings_.resize(o.scope_mark);
  stack_.pop_back();
  if (!stack_.empty() && stack_.back().candidate >= 0) {
    out_->candidates[static_cast<std::size_t>(stack_.back().candidate)].last_child_end = j + 1;
  }
  i = j + 1;
  return true;
}

// (flatten here and on start_tag: the scan's helpers are many and small, and
// calls to them cost about a tenth of the scan's instructions.)
[[gnu::flatten]] bool Scanner::run(std::size_t from) {
  std::size_t i = from;
  if (!misc(i, true)) return false;
  if (!start_tag(i)) return false;
  const std::size_t n = s_.size();
  while (!stack_.empty()) {
    const std::size_t at = next_lt(i);
    if (at == std::string_view::npos) return false;
    if (!text(i, at)) return false;
    if (stack_.back().candidate == 0 && at > i && !trim_xml_space(view(i, at)).empty()) {
      out_->candidates[0].own_text = true;
    }
    i = at;
    if (i + 1 >= n) return false;
    const char c = s_[i + 1];
    if (c == '/') {
      if (!end_tag(i)) return false;
    } else if (c == '!') {
      if (starts(i, "<!--")) {
        if (!comment(i)) return false;
      } else if (starts(i, "<![CDATA[")) {
        const std::size_t close = s_.find("]]>", i + 9);
        if (close == std::string_view::npos) return false;
        i = close + 3;
        if (stack_.back().candidate == 0) out_->candidates[0].own_text = true;
      } else {
        return false;
      }
      stack_.back().has_other_markup = true;
    } else if (c == '?') {
      return false;
    } else {
      if (!start_tag(i)) return false;
    }
  }
  if (!body_found_ || !payload_found_) return false;
  return misc(i, false);
}

thread_local bool fast_path_off = false;

}  // namespace

FastPathOff::FastPathOff() noexcept : was_(fast_path_off) { fast_path_off = true; }
FastPathOff::~FastPathOff() { fast_path_off = was_; }
bool fast_path_disabled() noexcept { return fast_path_off; }

bool fast_scan_supports(const Mapping& mapping) {
  if (!mapping.shortlist) return false;
  const ShortlistMapping& m = *mapping.shortlist;
  const CandidateMapping& c = m.candidates;
  if (c.elements.steps().empty() || c.elements.attribute() || !c.preselected.path) return false;
  for (const Field* f : {&c.id, &c.name, &c.price, &c.currency, &c.preselected, &c.note, &m.message_note,
                         &m.correlation_id, &m.category.code, &m.category.system, &m.requester, &m.department,
                         &m.language}) {
    if (!supported(*f)) return false;
  }
  for (const IdentifierField& idf : c.identifiers) {
    if (!supported(idf.field)) return false;
  }
  return true;
}

std::shared_ptr<const FastScanPlan> make_fast_scan_plan(const Mapping& mapping) {
  return std::make_shared<const FastScanPlan>(mapping);
}

namespace {

thread_local ScanWork kept_work;

FastScanResult scan(std::string_view bytes, std::size_t bom_size, Encoding encoding, const FastScanPlan& plan,
                    const Limits& limits, ScanWork& work) {
  FastScanResult result;
  work.in_use = true;
  struct Release {
    ScanWork& work;
    ~Release() {
      work.in_use = false;
      work.trim();
    }
  } release{work};
  Scanner scanner(bytes, encoding, plan, limits, work);
  if (!scanner.run(bom_size)) return result;
  result.soap12 = scanner.soap12();
  result.kind = scanner.request() ? MessageKind::shortlist_request : MessageKind::shortlist_response;
  result.shortlist = scanner.take();
  return result;
}

// The two rare cases out of line, with the storage they make: a scan would
// otherwise clear that storage (about 800 bytes, with `rep stos`) every time.
[[gnu::noinline]] FastScanResult scan_with_own_work(std::string_view bytes, std::size_t bom_size, Encoding encoding,
                                                    const FastScanPlan& plan, const Limits& limits) {
  ScanWork work;
  return scan(bytes, bom_size, encoding, plan, limits, work);
}

FastScanResult scan_with(std::string_view bytes, std::size_t bom_size, Encoding encoding, const FastScanPlan& plan,
                         const Limits& limits) {
  if (!plan.supported) return {};
  // The thread's storage, unless a scan is using it (a scan does not start
  // another; one that did would get storage of its own).
  if (kept_work.in_use) return scan_with_own_work(bytes, bom_size, encoding, plan, limits);
  return scan(bytes, bom_size, encoding, plan, limits, kept_work);
}

// A mapping that is a copy (or was built by hand) has no plan of its own: a
// plan points into the object it was made for.
[[gnu::noinline]] FastScanResult scan_with_own_plan(std::string_view bytes, std::size_t bom_size, Encoding encoding,
                                                    const Mapping& mapping, const Limits& limits) {
  const FastScanPlan plan(mapping);
  return scan_with(bytes, bom_size, encoding, plan, limits);
}

}  // namespace

FastScanResult fast_scan(std::string_view bytes, std::size_t bom_size, Encoding encoding, const Mapping& mapping,
                         const Limits& limits) {
  if (encoding == Encoding::latin1) return {};
  const FastScanPlan* plan = mapping.fast_scan_plan.get();
  if (plan == nullptr || plan->mapping != &mapping) return scan_with_own_plan(bytes, bom_size, encoding, mapping, limits);
  return scan_with(bytes, bom_size, encoding, *plan, limits);
}

bool fast_text_decoded(std::string_view raw, std::size_t at, Encoding encoding, std::string& scratch,
                       std::string_view& out) {
  auto decoded = decode_text(raw, encoding, EscapeContext::text, at);
  if (!decoded) return false;
  scratch.assign(trim_xml_space(*decoded));
  out = scratch;
  return true;
}

bool fast_attribute_view(std::string_view bytes, Span value, Encoding encoding, std::string& scratch,
                         std::string_view& out) {
  const std::string_view raw = bytes.substr(value.begin, value.size());
  if (encoding != Encoding::latin1 && std::none_of(raw.begin(), raw.end(), [](char c) {
        return c == '&' || c == '\r' || c == '\n' || c == '\t' || c == '<';
      })) {
    out = raw;
    return true;
  }
  auto decoded = decode_text(raw, encoding, EscapeContext::attribute, value.begin);
  if (!decoded) return false;
  scratch = std::move(*decoded);
  out = scratch;
  return true;
}

}  // namespace socialdefault::soap
