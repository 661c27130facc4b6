// Look-ups on a loaded Policy. Loading and validation live in policy_loader.cpp.
#include "socialdefault/policy.hpp"

#include <algorithm>

namespace socialdefault {

const char* to_string(EvidenceKind kind) noexcept {
  switch (kind) {
    case EvidenceKind::pso_1: return "pso-1";
    case EvidenceKind::pso_2: return "pso-2";
    case EvidenceKind::pso_3: return "pso-3";
    case EvidenceKind::pso_30plus: return "pso-30plus";
    case EvidenceKind::code_sociale_ondernemingen: return "code-sociale-ondernemingen";
    case EvidenceKind::sheltered_employer: return "sheltered-employer";
    case EvidenceKind::other: return "other";
  }
  return "other";
}

const char* to_string(Strategy strategy) noexcept {
  return strategy == Strategy::rotate ? "rotate" : "fixed";
}

const Evidence* Supplier::evidence_on(LocalDate day) const noexcept {
  for (const Evidence& e : evidence) {
    if (e.valid_on(day)) return &e;
  }
  return nullptr;
}

const Supplier* Policy::find_supplier(std::string_view erp_id) const noexcept {
  for (const Supplier& s : suppliers) {
    if (s.id == erp_id) return &s;
  }
  return nullptr;
}

const Supplier* Policy::find_supplier_by_identifier(std::string_view scheme, std::string_view value) const noexcept {
  if (scheme == "erp") return find_supplier(value);
  for (const Supplier& s : suppliers) {
    for (const SupplierIdentifier& id : s.identifiers) {
      if (id.scheme == scheme && id.value == value) return &s;
    }
  }
  return nullptr;
}

const Category* Policy::find_category(std::string_view code_system, std::string_view code,
                                      std::string_view department) const noexcept {
  const Category* general = nullptr;
  for (const Category& c : categories) {
    if (c.code != code) continue;
    if (!code_system.empty() && c.code_system != code_system) continue;
    if (c.departments.empty()) {
      if (general == nullptr) general = &c;
    } else if (std::find(c.departments.begin(), c.departments.end(), department) != c.departments.end()) {
      return &c;
    }
  }
  return general;
}

}  // namespace socialdefault
