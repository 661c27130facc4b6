// The cXML adapter, registered as "cxml": reads the choices of an
// OrderRequest or a PunchOutOrderMessage; a cXML Response with a Status says
// whether the order was accepted. AdapterSettings::mapping may name a small
// mapping file (cxml_mapping.hpp); without one the defaults apply.
#pragma once

#include <memory>

#include "cxml_mapping.hpp"
#include "socialdefault/adapter.hpp"

namespace socialdefault::cxml {

class CxmlAdapter final : public Adapter {
 public:
  CxmlAdapter(Mapping mapping, Limits limits) : mapping_(std::move(mapping)), limits_(limits) {}

  static Result<std::shared_ptr<const Adapter>> create(const AdapterSettings& settings);

  std::string_view name() const noexcept override { return "cxml"; }
  const Mapping& mapping() const noexcept { return mapping_; }

  Result<std::unique_ptr<Message>> recognise(std::string_view bytes) const override;
  // Both: an `unsupported` error.
  Result<Shortlist> read_shortlist(const Message& response, const Message* request) const override;
  Result<std::string> apply_decision(const Message& response, const Shortlist& shortlist, const Decision& decision,
                                     const Policy& policy) const override;
  // One OrderChoice per ItemOut (OrderRequest) or ItemIn (PunchOutOrderMessage).
  Result<std::vector<OrderChoice>> read_choice(const Message& request, const Message* response) const override;
  // The status a ConfirmationRequest, a StatusUpdateRequest or an
  // OrderRequest of type delete gives an earlier order
  // (docs/standard-documents.md has the mapping of types and codes).
  Result<OrderStatusUpdate> read_order_status(const Message& response) const override;

 private:
  Result<std::vector<OrderChoice>> read_lines(const class CxmlMessage& m) const;

  Mapping mapping_;
  Limits limits_;
};

// price x quantity / basis in minor units, rounded half away from zero to
// the currency's minor unit once, at the end ("2.5" x EUR 3.33 = EUR 8.33).
// basis is the PriceBasisQuantity: the quantity the unit price is for.
// Errors name the quantity.
Result<Money> multiply(const Money& price, std::string_view quantity, std::string_view basis = "1");

}  // namespace socialdefault::cxml

namespace socialdefault {
// Adds the factory "cxml" to the registry.
void register_cxml_adapter(AdapterRegistry& registry);
}  // namespace socialdefault
