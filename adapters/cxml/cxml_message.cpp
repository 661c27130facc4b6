#include "cxml_message.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "encoding.hpp"

namespace socialdefault::cxml {

namespace {

using xmldoc::XmlDocument;

// The first element child with this local name (cXML has no namespace).
pugi::xml_node element(pugi::xml_node parent, std::string_view local) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && XmlDocument::local_name(c) == local) return c;
  }
  return {};
}

// "1.2.050" out of ".../schemas/cXML/1.2.050/cXML.dtd".
std::string version_in(std::string_view dtd) {
  const std::size_t end = dtd.rfind('/');
  if (end == std::string_view::npos) return {};
  const std::size_t begin = dtd.rfind('/', end - 1);
  if (begin == std::string_view::npos) return {};
  const std::string_view part = dtd.substr(begin + 1, end - begin - 1);
  if (part.empty() || part.find_first_not_of("0123456789.") != std::string_view::npos) return {};
  return std::string(part);
}

}  // namespace

CxmlMessage::~CxmlMessage() {
  for (std::string& secret : secrets_) OPENSSL_cleanse(secret.data(), secret.size());
}

Result<std::unique_ptr<CxmlMessage>> CxmlMessage::parse(std::string_view bytes, const Limits& limits) {
  auto document = XmlDocument::parse(bytes, limits, xmldoc::DoctypePolicy::external_only, "a cXML document");
  if (!document) return std::move(document).error();
  std::unique_ptr<CxmlMessage> message(new CxmlMessage());
  message->document_ = std::move(document).value();
  const pugi::xml_node root = message->root();
  if (XmlDocument::local_name(root) != "cXML" || !message->document_->namespace_uri(root).empty()) {
    return make_error(ErrorCode::unsupported,
                      "not a cXML document: the root element is " + message->document_->describe(root) +
                          "; expected <cXML> without a namespace",
                      "byte 0");
  }
  // Every SharedSecret, wherever it is (Sender, From, To credentials). The
  // DTD lets one hold elements (ANY), so each piece of its text is a secret
  // too, not only the whole; pieces shorter than four characters are not
  // told from ordinary text. Longest first, so that a piece does not break
  // up a longer secret before it is redacted.
  std::vector<std::string>& secrets = message->secrets_;
  const auto add = [&](std::string secret) {
    if (secret.empty()) return;
    if (std::find(secrets.begin(), secrets.end(), secret) == secrets.end()) {
      secrets.push_back(std::move(secret));
    } else {
      OPENSSL_cleanse(secret.data(), secret.size());  // a copy already noted is wiped like the rest
    }
  };
  for (pugi::xpath_node found : root.select_nodes("//*[local-name()='SharedSecret']")) {
    add(XmlDocument::text(found.node()));
    for (const pugi::xpath_node& piece : found.node().select_nodes(".//text()")) {
      const std::string_view text = soap::trim_xml_space(piece.node().value());
      if (text.size() >= 4) add(std::string(text));
    }
  }
  std::stable_sort(secrets.begin(), secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  message->version_ = XmlDocument::attribute(root, "version");
  if (message->version_.empty()) message->version_ = version_in(message->document_->doctype_system_id());

  if (const pugi::xml_node request = element(root, "Request")) {
    if (const pugi::xml_node order = element(request, "OrderRequest")) {
      // type="delete" withdraws an order sent earlier (cXML's cancellation).
      const bool cancels = XmlDocument::attribute(element(order, "OrderRequestHeader"), "type") == "delete";
      message->payload_ = cancels ? Payload::order_cancellation : Payload::order_request;
      message->payload_element_ = order;
    } else if (const pugi::xml_node confirmation = element(request, "ConfirmationRequest")) {
      message->payload_ = Payload::confirmation_request;
      message->payload_element_ = confirmation;
    } else if (const pugi::xml_node update = element(request, "StatusUpdateRequest")) {
      message->payload_ = Payload::status_update_request;
      message->payload_element_ = update;
    }
  } else if (const pugi::xml_node m = element(root, "Message")) {
    if (const pugi::xml_node poom = element(m, "PunchOutOrderMessage")) {
      message->payload_ = Payload::punch_out_order_message;
      message->payload_element_ = poom;
    }
  } else if (const pugi::xml_node response = element(root, "Response")) {
    message->payload_ = Payload::response;
    message->payload_element_ = response;
  }
  return message;
}

MessageKind CxmlMessage::kind() const noexcept {
  switch (payload_) {
    case Payload::order_request:
    case Payload::punch_out_order_message: return MessageKind::order_request;
    case Payload::response:
    case Payload::confirmation_request:
    case Payload::status_update_request:
    case Payload::order_cancellation: return MessageKind::order_response;
    case Payload::other: return MessageKind::unknown;
  }
  return MessageKind::unknown;
}

std::string CxmlMessage::redact(std::string text) const {
  for (const std::string& secret : secrets_) {
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

Error CxmlMessage::redact(Error error) const {
  error.message = redact(std::move(error.message));
  error.where = redact(std::move(error.where));
  return error;
}

}  // namespace socialdefault::cxml
