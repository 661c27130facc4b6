// A SOAP 1.1 or 1.2 message: its original bytes, checked (size, encoding,
// no DOCTYPE, depth, namespace well-formedness), parsed in place from a copy,
// and classified against a mapping.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "encoding.hpp"
#include "fast_scan.hpp"
#include "mapping.hpp"
#include "socialdefault/adapter.hpp"
#include "source_map.hpp"

namespace socialdefault::soap {

class NamespaceScope;

inline constexpr std::string_view kSoap11Namespace = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kSoap12Namespace = "http://www.w3.org/2003/05/soap-envelope";

enum class SoapVersion { soap11, soap12 };

// A candidate element of a shortlist response and the index of its children,
// which every field read and written on it goes through.
struct CandidateElement {
  pugi::xml_node element;
  ChildIndex children;
};

class SoapMessage final : public Message {
 public:
  // Whether a message keeps a copy of its bytes or points into the caller's,
  // which must then outlive it (Adapter::recognise_borrowed).
  enum class Bytes { copy, borrow };

  // Checks and parses the bytes (a copy of them, unless borrowed), and
  // classifies the payload with the mapping. Errors are ErrorCode::xml (not
  // well-formed, DOCTYPE, encoding, limits; where = "byte N") or
  // ErrorCode::unsupported (well-formed but not a SOAP envelope).
  static Result<std::unique_ptr<SoapMessage>> parse(std::string_view bytes, const Limits& limits,
                                                    std::shared_ptr<const Mapping> mapping,
                                                    Bytes keep = Bytes::copy);

  SoapMessage(const SoapMessage&) = delete;
  SoapMessage& operator=(const SoapMessage&) = delete;

  MessageKind kind() const noexcept override { return kind_; }
  std::string_view bytes() const noexcept override { return original_; }

  SoapVersion version() const noexcept { return version_; }
  Encoding encoding() const noexcept { return encoding_; }
  const Mapping& mapping() const noexcept { return *mapping_; }
  const std::shared_ptr<const Mapping>& mapping_ptr() const noexcept { return mapping_; }
  const SourceMap& source() const noexcept { return source_; }

  // The DOM. A shortlist response or request the fast scan took has none until one of
  // these asks for it (then it is parsed once, as every other message is at
  // recognise); the scan accepted the bytes, so that parse succeeds.
  pugi::xml_node envelope() const { return ensure_dom(), envelope_; }
  pugi::xml_node body() const { return ensure_dom(), body_; }
  pugi::xml_node payload() const { return ensure_dom(), payload_; }  // empty when the Body is empty
  pugi::xml_node root() const { return ensure_dom(), document_.document_element(); }

  // The byte ranges the fast scan recorded; null when the message took the
  // DOM path (see fast_scan.hpp). A shortlist request's has no candidates.
  const FastShortlist* fast() const noexcept { return fast_.get(); }

  // A copy of the first candidate, parsed on its own inside wrappers that
  // carry the namespace declarations in scope at it: what an injected
  // supplier is made from without a DOM of the whole message. The candidate
  // is the first element child of the innermost wrapper;
  // wrappers: how many (FastShortlist::template_wrappers); the candidate is
  // then payload().
  static Result<std::unique_ptr<SoapMessage>> parse_fragment(std::string_view bytes, std::size_t wrappers,
                                                             Encoding encoding, std::shared_ptr<const Mapping> mapping);

  // The character content of an element (its text and CDATA children, not
  // those of its child elements), decoded to UTF-8 and trimmed.
  Result<std::string> text(pugi::xml_node element) const;
  // The decoded value of an attribute, in UTF-8.
  Result<std::string> value(pugi::xml_attribute attribute) const;

  // The candidate elements the mapping's shortlist section selects, in
  // document order (empty for other messages). Found once, on first use, and
  // shared by reading and rewriting: a message belongs to one request at a
  // time, so this is not synchronised.
  const std::vector<CandidateElement>& candidates() const;

  // "<erp:Supplier> at byte 812": how messages point at an element.
  std::string describe(pugi::xml_node element) const;

 private:
  SoapMessage(std::string_view bytes, std::shared_ptr<const Mapping> mapping, Bytes keep);
  Result<void> parse_dom(const Limits& limits);
  void ensure_dom() const;
  Result<void> check_prolog(std::size_t from) const;
  Result<void> check_tree(const Limits& limits);
  Result<void> check_attributes(pugi::xml_node element, pugi::xml_attribute first, NamespaceScope& scope,
                                std::vector<std::pair<std::string_view, std::string_view>>& names);
  Result<void> classify();

  std::unique_ptr<char[]> storage_;
  std::string_view original_;       // the message as it came: in storage_, or the caller's when borrowed
  char* buffer_;                    // parsed in place, in storage_: every pugixml string points here
                                    // (null until a DOM is parsed when the bytes are borrowed)
  pugi::xml_document document_;
  SourceMap source_;
  std::shared_ptr<const Mapping> mapping_;
  Encoding encoding_ = Encoding::utf8;
  SoapVersion version_ = SoapVersion::soap11;
  MessageKind kind_ = MessageKind::unknown;
  pugi::xml_node envelope_, body_, payload_;
  mutable std::optional<std::vector<CandidateElement>> candidates_;
  FastShortlistPtr fast_;
  bool dom_ready_ = false;
  Limits limits_;
};

// "line L, column C" of an offset, for error messages.
std::string line_and_column(std::string_view text, std::size_t offset);

}  // namespace socialdefault::soap
