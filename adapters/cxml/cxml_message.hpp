// A cXML document: checked and parsed (a DOCTYPE naming the DTD is accepted
// and never fetched; an internal subset declaring entities is refused),
// classified, and with its SharedSecret values noted so that nothing read
// from it, and no error about it, can carry one.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "socialdefault/adapter.hpp"
#include "xml_document.hpp"

namespace socialdefault::cxml {

// What a cXML document carries. The last three change the status of an
// order recorded earlier: they are order responses to the engine.
enum class Payload {
  other,
  order_request,
  punch_out_order_message,
  response,
  confirmation_request,   // Request/ConfirmationRequest
  status_update_request,  // Request/StatusUpdateRequest
  order_cancellation,     // Request/OrderRequest whose OrderRequestHeader has type="delete"
};

class CxmlMessage final : public Message {
 public:
  // Errors: ErrorCode::xml (not well-formed, entity declarations, encoding,
  // limits) or ErrorCode::unsupported (well-formed but not cXML).
  static Result<std::unique_ptr<CxmlMessage>> parse(std::string_view bytes, const Limits& limits);
  ~CxmlMessage() override;

  MessageKind kind() const noexcept override;
  std::string_view bytes() const noexcept override { return document_->bytes(); }

  Payload payload() const noexcept { return payload_; }
  // The OrderRequest, PunchOutOrderMessage, Response, ConfirmationRequest or
  // StatusUpdateRequest element.
  pugi::xml_node payload_element() const noexcept { return payload_element_; }
  pugi::xml_node root() const noexcept { return document_->root(); }
  const xmldoc::XmlDocument& document() const noexcept { return *document_; }
  // "1.2.050": the cXML version attribute, else the version in the DTD address.
  const std::string& version() const noexcept { return version_; }

  // Replaces every SharedSecret value in text with "***".
  std::string redact(std::string text) const;
  Error redact(Error error) const;

 private:
  CxmlMessage() = default;

  std::unique_ptr<xmldoc::XmlDocument> document_;
  Payload payload_ = Payload::other;
  pugi::xml_node payload_element_;
  std::string version_;
  std::vector<std::string> secrets_;
};

}  // namespace socialdefault::cxml
