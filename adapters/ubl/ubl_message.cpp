#include "ubl_message.hpp"

#include "encoding.hpp"

namespace socialdefault::ubl {

Result<std::unique_ptr<UblMessage>> UblMessage::parse(std::string_view bytes, const Limits& limits) {
  auto document = xmldoc::XmlDocument::parse(bytes, limits, xmldoc::DoctypePolicy::refuse, "a UBL document");
  if (!document) return std::move(document).error();
  std::unique_ptr<UblMessage> message(new UblMessage());
  message->document_ = std::move(document).value();
  const pugi::xml_node root = message->root();
  const std::string_view ns = message->document_->namespace_uri(root);
  const std::string_view local = xmldoc::XmlDocument::local_name(root);
  // The namespace names the document type: urn:...:xsd:Order-2 for <Order>.
  const bool ubl = ns.size() > kDocumentNamespacePrefix.size() + 2 && ns.starts_with(kDocumentNamespacePrefix) &&
                   ns.ends_with("-2") &&
                   ns.substr(kDocumentNamespacePrefix.size(), ns.size() - kDocumentNamespacePrefix.size() - 2) == local;
  if (!ubl) {
    return make_error(ErrorCode::unsupported,
                      "not a UBL document: the root element " + message->document_->describe(root) +
                          " is in namespace " + soap::in_quotes(ns) + "; expected a UBL 2.x document such as <Order> in " +
                          soap::in_quotes(std::string(kDocumentNamespacePrefix) + "Order-2"),
                      "byte 0");
  }
  message->document_type_ = std::string(local);
  if (local == "Order" || local == "OrderChange") {
    // An OrderChange carries the whole changed order: a new version of it.
    message->kind_ = MessageKind::order_request;
  } else if (local == "OrderResponse" || local == "OrderResponseSimple" || local == "OrderCancellation") {
    // A cancellation comes from the buyer, but like a response it changes
    // the status of an order recorded earlier.
    message->kind_ = MessageKind::order_response;
  }
  if (auto told = message->tell_version(); !told) return std::move(told).error();
  return message;
}

// UBL 2.0 and 2.1 share their namespaces, so the version comes from the
// content: UBLVersionID when present, else what the CustomizationID implies
// (PEPPOL BIS 3 and CEN BII 2 are UBL 2.1, CEN BII 1 is UBL 2.0).
Result<void> UblMessage::tell_version() {
  const pugi::xml_node root = this->root();
  customization_id_ = xmldoc::XmlDocument::text(cbc(root, "CustomizationID"));
  const pugi::xml_node id = cbc(root, "UBLVersionID");
  version_ = xmldoc::XmlDocument::text(id);
  if (!version_.empty()) {  // an empty UBLVersionID says nothing
    const bool two_x = version_.size() >= 3 && version_.starts_with("2.") &&
                       version_.find_first_not_of("0123456789", 2) == std::string::npos;
    if (!two_x) {
      return make_error(ErrorCode::unsupported,
                        "UBLVersionID " + soap::in_quotes(version_) + " (" + document_->describe(id) +
                            ") is not a UBL 2.x version; expected e.g. 2.0 or 2.1",
                        "UBLVersionID");
    }
    return {};
  }
  const std::string& c = customization_id_;
  if (c.find("peppol.eu") != std::string::npos || c.find(":ver2.0") != std::string::npos) {
    version_ = "2.1";
  } else if (c.find(":ver1.0") != std::string::npos) {
    version_ = "2.0";
  } else {
    version_ = "2";
  }
  return {};
}

}  // namespace socialdefault::ubl
