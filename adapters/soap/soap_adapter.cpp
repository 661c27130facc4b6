#include "socialdefault/adapter.hpp"

namespace socialdefault {
void register_soap_adapter(AdapterRegistry&) {}
}  // namespace socialdefault
