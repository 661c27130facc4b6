// A UBL document (Order, OrderChange, OrderResponse, OrderResponseSimple,
// OrderCancellation, or any other
// UBL 2.x document, recognised but not read): checked, parsed, classified,
// with the UBL version told from its content.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "socialdefault/adapter.hpp"
#include "xml_document.hpp"

namespace socialdefault::ubl {

inline constexpr std::string_view kCacNamespace = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
inline constexpr std::string_view kCbcNamespace = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
// Every UBL 2.x document namespace is this prefix, the document type and "-2".
inline constexpr std::string_view kDocumentNamespacePrefix = "urn:oasis:names:specification:ubl:schema:xsd:";

class UblMessage final : public Message {
 public:
  // Errors: ErrorCode::xml (not well-formed, DOCTYPE, encoding, limits) or
  // ErrorCode::unsupported (well-formed but not a UBL document).
  static Result<std::unique_ptr<UblMessage>> parse(std::string_view bytes, const Limits& limits);

  MessageKind kind() const noexcept override { return kind_; }
  std::string_view bytes() const noexcept override { return document_->bytes(); }

  // "Order", "OrderResponse", "Catalogue", ...
  const std::string& document_type() const noexcept { return document_type_; }
  // "2.1", "2.0" (from UBLVersionID or CustomizationID), or "2" when the
  // content does not say which 2.x it is.
  const std::string& version() const noexcept { return version_; }
  const std::string& customization_id() const noexcept { return customization_id_; }

  const xmldoc::XmlDocument& document() const noexcept { return *document_; }
  pugi::xml_node root() const noexcept { return document_->root(); }
  // A cbc: or cac: child of an element.
  pugi::xml_node cbc(pugi::xml_node parent, std::string_view local) const {
    return document_->child(parent, kCbcNamespace, local);
  }
  pugi::xml_node cac(pugi::xml_node parent, std::string_view local) const {
    return document_->child(parent, kCacNamespace, local);
  }

 private:
  UblMessage() = default;
  Result<void> tell_version();

  std::unique_ptr<xmldoc::XmlDocument> document_;
  MessageKind kind_ = MessageKind::unknown;
  std::string document_type_;
  std::string version_;
  std::string customization_id_;
};

}  // namespace socialdefault::ubl
