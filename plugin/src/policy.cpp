// Look-ups on a loaded Policy. Loading and validation live in policy_loader.cpp.
#include "socialdefault/policy.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include "socialdefault/bytes.hpp"

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

const char* to_string(NudgeKind kind) noexcept {
  switch (kind) {
    case NudgeKind::impact: return "impact";
    case NudgeKind::norm: return "norm";
    case NudgeKind::campaign: return "campaign";
    case NudgeKind::endorsement: return "endorsement";
    case NudgeKind::price: return "price";
  }
  return "impact";
}

const char* to_string(Language language) noexcept { return language == Language::en ? "en" : "nl"; }

// The norm counts orders, not people: one person may order several times,
// so "7 of 10 colleagues" would claim more than the ledger knows.
const LocalizedText& builtin_template(NudgeKind kind) noexcept {
  static const LocalizedText kImpact{"Werkt met {jobs} mensen met een afstand tot de arbeidsmarkt",
                                     "Employs {jobs} people with a distance to the labour market"};
  static const LocalizedText kNorm{
      "{social} van de {orders} bestellingen voor {category} bij {department} gingen de afgelopen {days} dagen naar "
      "een sociale onderneming",
      "{social} of the {orders} orders for {category} at {department} in the past {days} days went to a social "
      "enterprise"};
  static const LocalizedText kPrice{
      "{supplier} kost {price}, niet meer dan de mediaan van de {alternatives} andere aanbieders ({median})",
      "{supplier} costs {price}, no more than the median of the {alternatives} other suppliers ({median})"};
  static const LocalizedText kNone{};
  switch (kind) {
    case NudgeKind::impact: return kImpact;
    case NudgeKind::norm: return kNorm;
    case NudgeKind::price: return kPrice;
    default: return kNone;
  }
}

bool Experiment::covers(std::string_view code_system, std::string_view code) const noexcept {
  if (categories.empty()) return true;
  return std::any_of(categories.begin(), categories.end(), [&](const auto& c) {
    return c.second == code && (code_system.empty() || c.first == code_system);
  });
}

const ExperimentArm& Experiment::arm_for(std::uint64_t bucket) const noexcept {
  std::uint64_t total = 0;
  for (const ExperimentArm& arm : arms) total += arm.weight;
  // bucket * total / 2^64: the high word of a 128-bit product, so every
  // weight gets its exact share of the 2^64 buckets (up to one bucket).
  const auto scaled = static_cast<std::uint64_t>((static_cast<unsigned __int128>(bucket) * total) >> 64);
  std::uint64_t upto = 0;
  for (const ExperimentArm& arm : arms) {
    upto += arm.weight;
    if (scaled < upto) return arm;
  }
  return arms.back();
}

const ExperimentArm* Experiment::control() const noexcept {
  for (const ExperimentArm& arm : arms) {
    if (arm.control) return &arm;
  }
  return nullptr;
}

const Evidence* Supplier::evidence_on(LocalDate day) const noexcept {
  for (const Evidence& e : evidence) {
    if (e.valid_on(day)) return &e;
  }
  return nullptr;
}

namespace {

// Scheme and value hashed eight bytes at a time (the keys are short ids, so
// one or two words each), with no concatenated copy of them. The lengths go
// into the seed, so "a"+"bc" and "ab"+"c" differ; the last mix spreads every
// byte over the low bits the table uses.
std::uint64_t identifier_hash(std::string_view scheme, std::string_view value) noexcept {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (static_cast<std::uint64_t>(scheme.size()) << 32) ^ value.size();
  const auto mix = [&h](std::string_view bytes) {
    std::size_t k = 0;
    for (; bytes.size() - k >= 8; k += 8) {
      std::uint64_t word;
      std::memcpy(&word, bytes.data() + k, 8);
      h = (h ^ word) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 31;
    }
    // The last one to seven bytes: two overlapping four-byte reads, or the
    // first, middle and last byte (the length, in the seed, tells them apart).
    if (const std::size_t r = bytes.size() - k; r > 0) {
      const char* q = bytes.data() + k;
      std::uint64_t word;
      if (r >= 4) {
        std::uint32_t a, b;
        std::memcpy(&a, q, 4);
        std::memcpy(&b, q + r - 4, 4);
        word = (static_cast<std::uint64_t>(a) << 32) | b;
      } else {
        word = (static_cast<std::uint64_t>(static_cast<unsigned char>(q[0])) << 16) |
               (static_cast<std::uint64_t>(static_cast<unsigned char>(q[r >> 1])) << 8) |
               static_cast<unsigned char>(q[r - 1]);
      }
      h = (h ^ word) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 31;
    }
  };
  mix(scheme);
  mix(value);
  h ^= h >> 29;
  h *= 0x94D049BB133111EBull;
  return h ^ (h >> 32);
}

// The bit of Policy::value_filter_ a value sets.
std::size_t value_filter_bit(std::string_view value) noexcept {
  if (value.empty()) return 0;
  const std::size_t first = static_cast<unsigned char>(value.front());
  const std::size_t last = static_cast<unsigned char>(value.back());
  return (value.size() * 0x9E5 + first * 0x65 + last) & 4095;
}

}  // namespace

void Policy::index_suppliers() {
  index_.clear();
  for (std::size_t i = 0; i < suppliers.size(); ++i) {
    index_.push_back({"erp", suppliers[i].id, i});
    for (const SupplierIdentifier& id : suppliers[i].identifiers) {
      if (id.scheme != "erp") index_.push_back({id.scheme, id.value, i});
    }
  }
  value_filter_.fill(0);
  for (const IndexEntry& entry : index_) {
    const std::size_t bit = value_filter_bit(entry.value);
    value_filter_[bit >> 6] |= std::uint64_t{1} << (bit & 63);
  }
  // Open addressing at most half full. Entries go in in file order and a
  // key already present is not added again, so the first supplier in file
  // order wins, as the linear search does.
  std::size_t size = 16;
  while (size < 2 * index_.size()) size *= 2;
  slots_.assign(size, 0);
  const std::size_t mask = size - 1;
  for (std::size_t e = 0; e < index_.size(); ++e) {
    const IndexEntry& entry = index_[e];
    for (std::size_t slot = identifier_hash(entry.scheme, entry.value) & mask;; slot = (slot + 1) & mask) {
      if (slots_[slot] == 0) {
        slots_[slot] = static_cast<std::uint32_t>(e + 1);
        break;
      }
      const IndexEntry& other = index_[slots_[slot] - 1];
      if (other.scheme == entry.scheme && other.value == entry.value) break;
    }
  }
}

const Supplier* Policy::find_supplier(std::string_view erp_id) const noexcept {
  if (!slots_.empty()) return find_supplier_by_identifier("erp", erp_id);
  for (const Supplier& s : suppliers) {
    if (s.id == erp_id) return &s;
  }
  return nullptr;
}

const Supplier* Policy::find_supplier_by_identifier(std::string_view scheme, std::string_view value) const noexcept {
  if (!slots_.empty()) {
    const std::size_t bit = value_filter_bit(value);
    if ((value_filter_[bit >> 6] >> (bit & 63) & 1) == 0) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t slot = identifier_hash(scheme, value) & mask; slots_[slot] != 0; slot = (slot + 1) & mask) {
      const IndexEntry& entry = index_[slots_[slot] - 1];
      if (same_bytes(entry.value, value) && same_bytes(entry.scheme, scheme)) return &suppliers[entry.supplier];
    }
    return nullptr;
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
    if (!same_bytes(c.code, code)) continue;
    if (!code_system.empty() && !same_bytes(c.code_system, code_system)) continue;
    if (c.departments.empty()) {
      if (general == nullptr) general = &c;
    } else if (std::find(c.departments.begin(), c.departments.end(), department) != c.departments.end()) {
      return &c;
    }
  }
  return general;
}

const Experiment* Policy::find_experiment(const Category& category, LocalDate day) const noexcept {
  for (const Experiment& e : experiments) {
    if (e.active_on(day) && e.covers(category.code_system, category.code)) return &e;
  }
  return nullptr;
}

Language Policy::language_for(std::string_view message_language, std::string_view department) const noexcept {
  // "nl", "NL", "nl-NL", "nl_BE", "en-GB": the primary subtag decides.
  const std::string_view primary = message_language.substr(0, message_language.find_first_of("-_"));
  if (primary.size() == 2) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    const char a = lower(primary[0]);
    const char b = lower(primary[1]);
    if (a == 'n' && b == 'l') return Language::nl;
    if (a == 'e' && b == 'n') return Language::en;
  }
  for (const auto& [name, language] : nudges.department_languages) {
    if (name == department) return language;
  }
  return nudges.default_language;
}

}  // namespace socialdefault
