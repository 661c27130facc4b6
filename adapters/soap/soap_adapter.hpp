// The generic SOAP adapter: an Adapter driven by a mapping file, registered
// as "soap" (AdapterSettings::mapping names the mapping file).
#pragma once

#include <memory>

#include "mapping.hpp"
#include "socialdefault/adapter.hpp"

namespace socialdefault::soap {

class SoapAdapter final : public Adapter {
 public:
  SoapAdapter(std::shared_ptr<const Mapping> mapping, Limits limits) noexcept
      : mapping_(std::move(mapping)), limits_(limits) {}

  // Loads the mapping named by the settings.
  static Result<std::shared_ptr<const Adapter>> create(const AdapterSettings& settings);

  std::string_view name() const noexcept override { return "soap"; }
  const Mapping& mapping() const noexcept { return *mapping_; }

  Result<std::unique_ptr<Message>> recognise(std::string_view bytes) const override;
  Result<std::unique_ptr<Message>> recognise_borrowed(std::string_view bytes) const override;
  Result<Shortlist> read_shortlist(const Message& response, const Message* request) const override;
  Result<void> read_shortlist_into(const Message& response, const Message* request, Shortlist& out) const override;
  Result<std::string> apply_decision(const Message& response, const Shortlist& shortlist, const Decision& decision,
                                     const Policy& policy) const override;
  Result<std::vector<OrderChoice>> read_choice(const Message& request, const Message* response) const override;

 private:
  std::shared_ptr<const Mapping> mapping_;
  Limits limits_;
};

}  // namespace socialdefault::soap

namespace socialdefault {
// Adds the factory "soap" to the registry.
void register_soap_adapter(AdapterRegistry& registry);
}  // namespace socialdefault
