// Look-ups on a loaded Policy. Loading and validation live in policy_loader.cpp.
#include "socialdefault/policy.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

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

void Policy::index_suppliers() {
  index_.clear();
  for (std::size_t i = 0; i < suppliers.size(); ++i) {
    index_.push_back({"erp", suppliers[i].id, i});
    for (const SupplierIdentifier& id : suppliers[i].identifiers) {
      if (id.scheme != "erp") index_.push_back({id.scheme, id.value, i});
    }
  }
  std::stable_sort(index_.begin(), index_.end(), [](const IndexEntry& a, const IndexEntry& b) {
    return std::tie(a.scheme, a.value) < std::tie(b.scheme, b.value);
  });
}

const Supplier* Policy::find_supplier(std::string_view erp_id) const noexcept {
  if (!index_.empty()) return find_supplier_by_identifier("erp", erp_id);
  for (const Supplier& s : suppliers) {
    if (s.id == erp_id) return &s;
  }
  return nullptr;
}

const Supplier* Policy::find_supplier_by_identifier(std::string_view scheme, std::string_view value) const noexcept {
  if (!index_.empty()) {
    const auto key = std::pair(scheme, value);
    const auto it = std::lower_bound(index_.begin(), index_.end(), key, [](const IndexEntry& e, const auto& k) {
      return std::pair<std::string_view, std::string_view>(e.scheme, e.value) < k;
    });
    if (it == index_.end() || it->scheme != scheme || it->value != value) return nullptr;
    return &suppliers[it->supplier];
  }
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
