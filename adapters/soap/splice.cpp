#include "splice.hpp"

#include <algorithm>

namespace socialdefault::soap {

void Splice::replace(Span span, std::string text) {
  edits_.push_back(Edit{span.begin, span.end, edits_.size(), std::move(text)});
}

void Splice::insert(std::size_t at, std::string text) {
  edits_.push_back(Edit{at, at, edits_.size(), std::move(text)});
}

Result<void> Splice::prepare() {
  // (The sequence makes the order total, so std::sort keeps the order of
  // the edits it cannot otherwise tell apart, without stable_sort's buffer.)
  std::sort(edits_.begin(), edits_.end(), [](const Edit& a, const Edit& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    // At one offset, insertions come before a replacement that starts there.
    if ((a.begin == a.end) != (b.begin == b.end)) return a.begin == a.end;
    return a.sequence < b.sequence;
  });
  for (std::size_t i = 0; i < edits_.size(); ++i) {
    const Edit& e = edits_[i];
    if (e.end < e.begin || e.end > original_.size()) {
      return make_error(ErrorCode::internal, "an edit lies outside the message", "byte " + std::to_string(e.begin));
    }
    if (i > 0) {
      const Edit& previous = edits_[i - 1];
      if (previous.end > e.begin || (previous.begin == e.begin && previous.end > previous.begin && e.end > e.begin)) {
        return make_error(ErrorCode::mapping,
                          "two mapped fields would change the same bytes; check that the mapping's paths point at "
                          "different elements",
                          "byte " + std::to_string(e.begin));
      }
    }
  }
  return {};
}

void Splice::render(std::size_t begin, std::size_t end, std::string& out) const {
  std::size_t cursor = begin;
  auto it = std::lower_bound(edits_.begin(), edits_.end(), begin,
                             [](const Edit& e, std::size_t offset) { return e.begin < offset; });
  for (; it != edits_.end(); ++it) {
    if (it->begin >= end || it->end > end) break;  // crosses() lets callers rule out the latter
    out.append(original_.data() + cursor, it->begin - cursor);
    out += it->text;
    cursor = it->end;
  }
  out.append(original_.data() + cursor, end - cursor);
}

}  // namespace socialdefault::soap

namespace socialdefault::soap {

bool Splice::crosses(std::size_t offset) const noexcept {
  return std::any_of(edits_.begin(), edits_.end(), [&](const Edit& e) { return e.begin < offset && offset < e.end; });
}

}  // namespace socialdefault::soap
