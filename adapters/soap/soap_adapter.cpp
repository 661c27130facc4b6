#include "soap_adapter.hpp"

#include "reader.hpp"
#include "rewriter.hpp"
#include "soap_message.hpp"

namespace socialdefault::soap {

namespace {

// Messages carry the mapping that classified them; one from another adapter
// (or another mapping) would be read with the wrong paths.
Result<const SoapMessage*> own(const Message& message, const Mapping& mapping, const char* role) {
  const auto* soap = dynamic_cast<const SoapMessage*>(&message);
  if (soap == nullptr) {
    return make_error(ErrorCode::invalid_argument,
                      std::string("the ") + role + " was not recognised by the soap adapter");
  }
  if (&soap->mapping() != &mapping) {
    return make_error(ErrorCode::invalid_argument, std::string("the ") + role +
                                                       " was recognised with another mapping (" +
                                                       soap->mapping().file + ", not " + mapping.file + ")");
  }
  return soap;
}

// A parsed SoapMessage as the Message recognise answers.
Result<std::unique_ptr<Message>> recognised(Result<std::unique_ptr<SoapMessage>> message) {
  if (!message) return std::move(message).error();
  return std::unique_ptr<Message>(std::move(*message));
}

}  // namespace

Result<std::shared_ptr<const Adapter>> SoapAdapter::create(const AdapterSettings& settings) {
  if (settings.mapping.empty()) {
    return make_error(ErrorCode::config,
                      "the soap adapter needs a mapping file (AdapterSettings::mapping is empty); expected the path "
                      "of a mapping such as examples/erp/mapping.xml");
  }
  auto mapping = load_mapping(settings.mapping);
  if (!mapping) return std::move(mapping).error();
  return std::shared_ptr<const Adapter>(std::make_shared<SoapAdapter>(std::move(*mapping), settings.limits));
}

Result<std::unique_ptr<Message>> SoapAdapter::recognise(std::string_view bytes) const {
  return recognised(SoapMessage::parse(bytes, limits_, mapping_, SoapMessage::Bytes::copy));
}

Result<std::unique_ptr<Message>> SoapAdapter::recognise_borrowed(std::string_view bytes) const {
  return recognised(SoapMessage::parse(bytes, limits_, mapping_, SoapMessage::Bytes::borrow));
}

Result<Shortlist> SoapAdapter::read_shortlist(const Message& response, const Message* request) const {
  Shortlist shortlist;
  auto done = read_shortlist_into(response, request, shortlist);
  if (!done) return std::move(done).error();
  return shortlist;
}

Result<void> SoapAdapter::read_shortlist_into(const Message& response, const Message* request, Shortlist& out) const {
  auto r = own(response, *mapping_, "response");
  if (!r) return std::move(r).error();
  const SoapMessage* q = nullptr;
  if (request != nullptr) {
    auto own_request = own(*request, *mapping_, "request");
    if (!own_request) return std::move(own_request).error();
    q = *own_request;
  }
  return soap::read_shortlist(**r, q, out);
}

Result<std::string> SoapAdapter::apply_decision(const Message& response, const Shortlist& shortlist,
                                                const Decision& decision, const Policy& policy) const {
  if (decision.reason != Reason::applied) return std::string(response.bytes());
  auto r = own(response, *mapping_, "response");
  if (!r) return std::move(r).error();
  return soap::apply_decision(**r, shortlist, decision, policy);
}

Result<std::vector<OrderChoice>> SoapAdapter::read_choice(const Message& request, const Message* response) const {
  auto q = own(request, *mapping_, "request");
  if (!q) return std::move(q).error();
  const SoapMessage* r = nullptr;
  if (response != nullptr) {
    auto own_response = own(*response, *mapping_, "response");
    if (!own_response) return std::move(own_response).error();
    r = *own_response;
  }
  return soap::read_choice(**q, r);
}

}  // namespace socialdefault::soap

namespace socialdefault {

void register_soap_adapter(AdapterRegistry& registry) { registry.add("soap", &soap::SoapAdapter::create); }

}  // namespace socialdefault
