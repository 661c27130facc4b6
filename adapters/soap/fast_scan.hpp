// The fast path of a shortlist response: one pass over the bytes that checks
// the document (the same rules as the DOM path, or stricter), classifies it,
// and records the byte ranges of the candidates and of the mapped fields, so
// that reading and rewriting need no DOM. A shortlist request gets the same
// pass, for the context fields the mapping reads from it.
//
// The scan only ever says "fast" or "not here": whatever it does not
// handle (a DOCTYPE, a processing instruction, an error of any kind, a
// non-ASCII name, ISO-8859-1, a signature, a mapping with deeper field paths,
// another kind of message) goes to the DOM path, which then gives the same
// answer and the same error texts as before. The rule that keeps the two
// paths equal: the scan accepts a subset of what the DOM path accepts, and
// reads every value through the same decoding functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "encoding.hpp"
#include "mapping.hpp"
#include "socialdefault/adapter.hpp"
#include "source_map.hpp"

namespace socialdefault::soap {

// An element the mapping reads or writes: a candidate, a field, the payload.
// (FastElement, FastHit and FastCandidate have constructors from their
// values so that a vector builds one in place, each field stored once:
// see CandidateShape in fast_scan.cpp.)
struct FastElement {
  FastElement() = default;
  FastElement(std::size_t begin_, std::size_t name_end_, std::size_t start_tag_end_, std::size_t content_end_,
              std::size_t end_, bool self_closing_, bool has_child_element_, bool has_other_markup_) noexcept
      : begin(begin_), name_end(name_end_), start_tag_end(start_tag_end_), content_end(content_end_), end(end_),
        self_closing(self_closing_), has_child_element(has_child_element_), has_other_markup(has_other_markup_) {}
  std::size_t begin = 0;          // '<'
  std::size_t name_end = 0;       // after the qualified name
  std::size_t start_tag_end = 0;  // after '>' or "/>"
  std::size_t content_end = 0;    // the '<' of the end tag (== start_tag_end when self-closing)
  std::size_t end = 0;            // after the end tag
  bool self_closing = false;
  bool has_child_element = false;
  bool has_other_markup = false;  // comment or CDATA among its children
  bool simple() const noexcept { return !has_child_element && !has_other_markup; }
};

// Where one mapped field leads from its base (the payload or a candidate).
// Fields are at most one element step deep, optionally ending in an
// attribute, so "first match" is all that Path::locate and Path::deepest need.
struct FastHit {
  FastHit() = default;
  FastHit(std::int32_t first_, std::int32_t with_attribute_, Span attribute_value_, char quote_) noexcept
      : first(first_), with_attribute(with_attribute_), attribute_value(attribute_value_), quote(quote_) {}
  std::int32_t first = -1;      // the first element matching the step (the base itself without a step)
  std::int32_t with_attribute = -1;  // the first matching element that has the attribute
  Span attribute_value;         // its raw value, without quotes
  char quote = '"';
};

// The fields of a base, in this order: how FastShortlist::hits are laid out.
enum FastField : std::size_t {
  kId, kName, kPrice, kCurrency, kPreselected, kNote, kFirstIdentifier,  // candidate fields
};
enum FastPayloadField : std::size_t {
  kCorrelation, kCategoryCode, kCategorySystem, kRequester, kDepartment, kLanguage, kMessageNote, kPayloadFields,
};

struct FastCandidate {
  FastCandidate() = default;
  FastCandidate(std::int32_t element_, std::size_t parent_begin_, std::size_t scope_, std::size_t last_child_ = 0,
                std::size_t last_child_end_ = 0, bool own_text_ = false) noexcept
      : element(element_), parent_begin(parent_begin_), scope(scope_), last_child(last_child_),
        last_child_end(last_child_end_), own_text(own_text_) {}
  std::int32_t element = -1;        // index into elements
  std::size_t parent_begin = 0;     // the '<' of its parent: candidates must share one to be reordered
  std::size_t scope = 0;            // index into FastShortlist::scopes
  std::size_t last_child = 0;       // the '<' of its last child element (0: none)
  std::size_t last_child_end = 0;   // and the end of that element
  // Character data or CDATA of its own, not inside its children (mixed
  // content): recorded for the first candidate only, the one an injected
  // supplier is copied from.
  bool own_text = false;
};

// The namespace declarations in scope at a candidate, as nested wrapper
// elements ("<w xmlns:a=...><w xmlns=...>"): what a copy of the candidate
// needs to be parsed on its own. Candidates under one parent share one.
struct FastScope {
  std::string open;
  std::size_t wrappers = 0;
  std::vector<Span> declarations;   // the declarations it was made from
};

struct FastShortlist {
  static constexpr std::size_t kKeptElements = std::size_t{1} << 14;
  static constexpr std::size_t kKeptScopes = 4;
  std::vector<FastElement> elements;
  std::vector<FastCandidate> candidates;
  std::vector<FastHit> candidate_hits;  // candidates.size() x fields_per_candidate
  std::size_t fields_per_candidate = 0;
  FastHit payload_hits[kPayloadFields];
  std::int32_t payload = -1;
  std::vector<FastScope> scopes;
  std::vector<FastScope> spare_scopes;  // the scopes of the message before (see FastShortlistRelease), to fill again
  std::size_t shaped_candidates = 0;    // candidates recorded from the shape of one before (tests and benchmarks)

  const FastHit& hit(std::size_t candidate, std::size_t field) const noexcept {
    return candidate_hits[candidate * fields_per_candidate + field];
  }
};

// A FastShortlist goes back to the thread that drops it, and that thread's
// next scan fills it again: its vectors keep their capacity, so a scan of a
// message like the last one allocates none of them (one that grew past
// FastShortlist::kKeptElements elements is freed instead).
struct FastShortlistRelease {
  void operator()(FastShortlist* shortlist) const noexcept;
};
using FastShortlistPtr = std::unique_ptr<FastShortlist, FastShortlistRelease>;

struct FastScanResult {
  FastShortlistPtr shortlist;  // null: take the DOM path
  bool soap12 = false;
  // shortlist_response, or shortlist_request: then only payload and
  // payload_hits are filled (a request has no candidates).
  MessageKind kind = MessageKind::shortlist_response;
};

// What the scan needs of a mapping, worked out once: parse_mapping stores
// one in Mapping::fast_scan_plan. fast_scan makes its own for a mapping that
// has none (or a copied one: a plan points into the object it was made for).
std::shared_ptr<const FastScanPlan> make_fast_scan_plan(const Mapping& mapping);

// Scans bytes (whose encoding check_encoding has accepted as `encoding`, and
// whose prolog SoapMessage has checked) for a shortlist response of mapping.
FastScanResult fast_scan(std::string_view bytes, std::size_t bom_size, Encoding encoding, const Mapping& mapping,
                         const Limits& limits);

// Turns the fast path off on this thread while it lives: the differential
// test, the fuzz target and the benchmark compare it with the DOM path.
class FastPathOff {
 public:
  FastPathOff() noexcept;
  ~FastPathOff();
  FastPathOff(const FastPathOff&) = delete;
  FastPathOff& operator=(const FastPathOff&) = delete;

 private:
  bool was_;
};
bool fast_path_disabled() noexcept;

// True when every path the mapping's shortlist section uses is one the scan
// resolves (computed once per mapping and cached by the caller).
bool fast_scan_supports(const Mapping& mapping);

namespace fast_detail {

// True when raw holds '&' or a carriage return, the two things decoding
// changes in element content; sixteen bytes at a time (values are short,
// and the end tag after them lets the last block be read whole: limit is
// the end of the bytes). Inline, as is the plain half of fast_text_view,
// because the readers call both for every field of every candidate.
inline bool needs_decoding(std::string_view raw, const char* limit) noexcept {
  const char* p = raw.data();
  std::size_t n = raw.size();
#if defined(__SSE2__)
  while (n > 0 && limit - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('&')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (n < 16) mask &= (1u << n) - 1;
    if (mask != 0) return true;
    if (n <= 16) return false;
    p += 16;
    n -= 16;
  }
#endif
  for (; n > 0; --n, ++p) {
    if (*p == '&' || *p == '\r') return true;
  }
  return false;
}

}  // namespace fast_detail

// The decoding half of fast_text_view: raw (which starts at byte at)
// decoded into scratch, trimmed.
bool fast_text_decoded(std::string_view raw, std::size_t at, Encoding encoding, std::string& scratch,
                       std::string_view& out);

// The trimmed content of a simple element that needs no decoding (no
// reference, no carriage return), as a view of the bytes: what most values
// are, compared without a copy. nullopt otherwise.
inline std::optional<std::string_view> fast_plain_text(std::string_view bytes, const FastElement& element) noexcept {
  if (!element.simple()) return std::nullopt;
  const std::string_view raw = bytes.substr(element.start_tag_end, element.content_end - element.start_tag_end);
  if (fast_detail::needs_decoding(raw, bytes.data() + bytes.size())) return std::nullopt;
  return trim_xml_space(raw);
}
// The character content of a simple element (decoded, trimmed) and the
// value of an attribute (decoded), as views: of the bytes when nothing needs
// decoding (most values), else of scratch, which receives the decoded value.
// A reader that copies a value once (or compares it) then pays for no string
// of its own. false: the DOM path must answer (not simple, or a decoding
// error whose text the DOM path gives).
inline bool fast_text_view(std::string_view bytes, const FastElement& element, Encoding encoding, std::string& scratch,
                           std::string_view& out) {
  if (!element.simple()) return false;
  const std::string_view raw = bytes.substr(element.start_tag_end, element.content_end - element.start_tag_end);
  if (!fast_detail::needs_decoding(raw, bytes.data() + bytes.size())) {
    out = trim_xml_space(raw);
    return true;
  }
  return fast_text_decoded(raw, element.start_tag_end, encoding, scratch, out);
}
bool fast_attribute_view(std::string_view bytes, Span value, Encoding encoding, std::string& scratch,
                         std::string_view& out);

}  // namespace socialdefault::soap
