// Output by splicing: a list of edits (replace a byte range of the original,
// or insert at an offset) rendered over the original bytes. Whatever no edit
// covers is copied unchanged, which is how a rewrite keeps the XML
// declaration, BOM, CRLF, comments, CDATA and prefixes byte for byte.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "socialdefault/result.hpp"
#include "source_map.hpp"

namespace socialdefault::soap {

class Splice {
 public:
  explicit Splice(std::string_view original) noexcept : original_(original) {}

  void replace(Span span, std::string text);
  void insert(std::size_t at, std::string text);  // insertions at one offset keep their order

  bool empty() const noexcept { return edits_.empty(); }
  // How many edits there are, and dropping those made after that point
  // (before prepare): a caller that tried edits it cannot finish takes them back.
  std::size_t size() const noexcept { return edits_.size(); }
  void truncate(std::size_t size) { edits_.erase(edits_.begin() + static_cast<std::ptrdiff_t>(std::min(size, edits_.size())), edits_.end()); }

  // Sorts the edits and checks that no two overlap (two mapped fields that
  // point at the same bytes); must be called before render.
  Result<void> prepare();

  // True when a replacement spans offset (starts before it and ends after
  // it): then a range boundary at offset would cut the edit in two.
  bool crosses(std::size_t offset) const noexcept;

  // Appends [begin, end) of the original with the edits inside it applied.
  // An insertion exactly at `end` belongs to the range that starts there.
  void render(std::size_t begin, std::size_t end, std::string& out) const;

 private:
  struct Edit {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t sequence = 0;
    std::string text;
  };
  // A rewrite makes a handful (a flag, a note, the message note): room for
  // them in the Splice itself, without an allocation.
  static constexpr std::size_t kFirstEdits = 8;
  std::string_view original_;
  boost::container::small_vector<Edit, kFirstEdits> edits_;
};

}  // namespace socialdefault::soap
