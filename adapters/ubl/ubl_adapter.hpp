// The UBL adapter, registered as "ubl": reads the choices of a UBL 2.0/2.1
// or PEPPOL BIS 3 Order (an OrderChange as a new version of its order) and
// the status an OrderResponse gives an earlier order. It needs no mapping: UBL fixes where everything is
// (docs/standard-documents.md). Shortlists are not UBL's business here.
#pragma once

#include <memory>

#include "socialdefault/adapter.hpp"

namespace socialdefault::ubl {

class UblAdapter final : public Adapter {
 public:
  explicit UblAdapter(Limits limits) noexcept : limits_(limits) {}

  static Result<std::shared_ptr<const Adapter>> create(const AdapterSettings& settings);

  std::string_view name() const noexcept override { return "ubl"; }

  Result<std::unique_ptr<Message>> recognise(std::string_view bytes) const override;
  // Both: an `unsupported` error.
  Result<Shortlist> read_shortlist(const Message& response, const Message* request) const override;
  Result<std::string> apply_decision(const Message& response, const Shortlist& shortlist, const Decision& decision,
                                     const Policy& policy) const override;
  // One OrderChoice per OrderLine; a rejecting OrderResponse marks them not accepted.
  Result<std::vector<OrderChoice>> read_choice(const Message& request, const Message* response) const override;
  Result<OrderStatusUpdate> read_order_status(const Message& response) const override;

 private:
  Limits limits_;
};

// The configuration scheme of a UBL identifier scheme: the ISO 6523 ICD codes
// 0106 -> "kvk", 0190 -> "oin", 9944 -> "vat", 0060 -> "duns", 0088 -> "gln";
// other ICD codes -> "icd-NNNN"; other scheme names lower-cased.
std::string scheme_for(std::string_view scheme_id);

}  // namespace socialdefault::ubl

namespace socialdefault {
// Adds the factory "ubl" to the registry.
void register_ubl_adapter(AdapterRegistry& registry);
}  // namespace socialdefault
