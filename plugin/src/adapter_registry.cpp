// AdapterRegistry::builtin() is generated: see plugin/src/builtin_adapters.cpp.in.
#include "socialdefault/adapter.hpp"

namespace socialdefault {

const char* to_string(MessageKind kind) noexcept {
  switch (kind) {
    case MessageKind::unknown: return "unknown";
    case MessageKind::shortlist_request: return "shortlist-request";
    case MessageKind::shortlist_response: return "shortlist-response";
    case MessageKind::order_request: return "order-request";
    case MessageKind::order_response: return "order-response";
    case MessageKind::fault: return "fault";
  }
  return "unknown";
}

Result<void> Adapter::read_shortlist_into(const Message& response, const Message* request, Shortlist& out) const {
  auto shortlist = read_shortlist(response, request);
  if (!shortlist) return std::move(shortlist).error();
  out = std::move(shortlist).value();
  return {};
}

Result<OrderStatusUpdate> Adapter::read_order_status(const Message& response) const {
  return make_error(ErrorCode::unsupported, "the " + std::string(name()) + " adapter does not read order statuses (" +
                                                to_string(response.kind()) + ")");
}

void AdapterRegistry::add(std::string name, AdapterFactory factory) {
  factories_.emplace_back(std::move(name), std::move(factory));
}

Result<std::shared_ptr<const Adapter>> AdapterRegistry::create(std::string_view name,
                                                               const AdapterSettings& settings) const {
  for (const auto& [n, factory] : factories_) {
    if (n == name) return factory(settings);
  }
  std::string known;
  for (const auto& [n, _] : factories_) known += (known.empty() ? "" : ", ") + n;
  return make_error(ErrorCode::not_found,
                    "no adapter named \"" + std::string(name) + "\"; built-in adapters: " + known);
}

std::vector<std::string> AdapterRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, _] : factories_) out.push_back(n);
  return out;
}

}  // namespace socialdefault
