// The purchasing department's configuration, loaded and checked once, then
// shared immutably (std::shared_ptr<const Policy>) and swapped on reload.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "socialdefault/result.hpp"
#include "socialdefault/time_zone.hpp"

namespace socialdefault {

enum class EvidenceKind {
  pso_1,                        // PSO trede 1
  pso_2,                        // PSO trede 2
  pso_3,                        // PSO trede 3
  pso_30plus,                   // PSO 30+
  code_sociale_ondernemingen,   // registered in the Code Sociale Ondernemingen register
  sheltered_employer,           // sheltered employment company (sw-bedrijf)
  other,
};
const char* to_string(EvidenceKind kind) noexcept;  // "pso-3", "code-sociale-ondernemingen", ...

struct Evidence {
  EvidenceKind kind = EvidenceKind::other;
  LocalDate valid_from;
  LocalDate valid_until;   // inclusive
  std::string reference;   // certificate or register number, may be empty

  bool valid_on(LocalDate day) const noexcept { return valid_from <= day && day <= valid_until; }
};

struct ImpactFigure {
  std::string measure;     // e.g. "jobs-distance-labour-market"
  std::int64_t value = 0;
  std::string unit;        // e.g. "persons", may be empty
};

struct Impact {
  std::string statement;   // e.g. "Werkt met 14 mensen met een afstand tot de arbeidsmarkt"
  std::vector<ImpactFigure> figures;
};

struct SupplierIdentifier {
  std::string scheme;      // "erp", "kvk", "peppol", "oin", "duns", "vat", "cxml-networkid", ...
  std::string value;

  bool operator==(const SupplierIdentifier&) const = default;
};

struct Supplier {
  std::string id;          // the id the ERP uses
  std::string name;
  std::vector<SupplierIdentifier> identifiers;
  bool social = false;
  std::vector<Evidence> evidence;
  Impact impact;
  int line = 0;            // where it is defined in the configuration

  // The evidence valid on the day, if any (the first in file order).
  const Evidence* evidence_on(LocalDate day) const noexcept;
  bool social_on(LocalDate day) const noexcept { return social && evidence_on(day) != nullptr; }
};

enum class Strategy { fixed, rotate };
const char* to_string(Strategy strategy) noexcept;

// The nudges besides the default itself (docs/nudges.md). A set of them is a
// bit mask: nudge_bit(kind).
enum class NudgeKind { impact, norm, campaign, endorsement, price };
inline constexpr unsigned kNudgeKindCount = 5;
const char* to_string(NudgeKind kind) noexcept;  // "impact", "norm", "campaign", "endorsement", "price"
constexpr unsigned nudge_bit(NudgeKind kind) noexcept { return 1u << static_cast<unsigned>(kind); }

// The languages messages are written in.
enum class Language { nl, en };
const char* to_string(Language language) noexcept;  // "nl", "en"

// A text in each language; empty where the configuration has none.
struct LocalizedText {
  std::string nl;
  std::string en;
  const std::string& in(Language language) const noexcept { return language == Language::en ? en : nl; }
  bool empty() const noexcept { return nl.empty() && en.empty(); }
};

// When the colleague norm may be shown.
struct NormSettings {
  std::uint32_t threshold_basis_points = 5000;  // the social share must be at or above it (50 %)
  std::uint32_t min_orders = 10;                // k: the group needs at least this many orders
  std::uint32_t window_days = 91;               // trailing window, ending today, counted in local days
};

// A tip shown in a date window (inclusive), e.g. flowers around exam time.
struct Campaign {
  LocalDate from;
  LocalDate until;
  LocalizedText text;
  int line = 0;
  bool active_on(LocalDate day) const noexcept { return from <= day && day <= until; }
};

// A category's nudges. Without <nudges> in the configuration only the
// impact note is on, as before nudges were configurable.
struct CategoryNudges {
  unsigned shown = nudge_bit(NudgeKind::impact);
  std::optional<NormSettings> norm;   // empty: the organisation's
  std::vector<Campaign> campaigns;
  LocalizedText endorsement;          // empty: the organisation's
};

// Organisation-wide settings of the nudges: languages, templates, defaults.
struct NudgeSettings {
  Language default_language = Language::nl;
  std::vector<std::pair<std::string, Language>> department_languages;
  NormSettings norm;
  LocalizedText endorsement;
  // Templates with {placeholders}; the loader fills the built-in ones
  // (docs/nudges.md) where the configuration has none.
  LocalizedText impact_template;
  LocalizedText norm_template;
  LocalizedText price_template;
};

// The built-in template of impact, norm and price (empty for the others).
const LocalizedText& builtin_template(NudgeKind kind) noexcept;

struct ExperimentArm {
  std::string name;
  std::uint32_t weight = 1;
  bool control = false;      // control: no rewrite at all
  unsigned nudges = 0;       // the nudges shown besides the default
  int line = 0;
};

// An experiment: requesters are assigned to arms by a keyed hash of their
// pseudonym and the experiment id (Keys::assignment_bucket), so the arm is
// stable across restarts and reloads while id, arms and weights stay.
struct Experiment {
  std::string id;
  LocalDate from;
  LocalDate until;                            // inclusive
  std::vector<std::pair<std::string, std::string>> categories;  // (code system, code); empty: every category
  std::vector<ExperimentArm> arms;            // exactly one is the control
  std::uint32_t minimum_effect_basis_points = 500;  // the smallest difference to detect, in percentage points
  int line = 0;

  bool active_on(LocalDate day) const noexcept { return from <= day && day <= until; }
  bool covers(std::string_view code_system, std::string_view code) const noexcept;
  // The arm for a bucket in [0, 2^64): weighted, in file order.
  const ExperimentArm& arm_for(std::uint64_t bucket) const noexcept;
  const ExperimentArm* control() const noexcept;
};

struct Category {
  std::string code_system = "CPV";     // "CPV", "UNSPSC" or the ERP's own list id
  std::string code;                    // e.g. "03121200-7"
  std::string name;                    // the configured name, used in Dutch
  std::string name_en;                 // <name language="en">; empty: none configured
  std::vector<std::string> departments;  // empty: every department
  std::vector<std::string> social_suppliers;  // supplier ids, in order of preference
  Strategy strategy = Strategy::fixed;
  std::uint32_t price_tolerance_basis_points = 0;  // 10.5 % is 1050
  unsigned social_shown = 3;           // social options shown first
  CategoryNudges nudges;
  int line = 0;

  // The name for {category} in a text: the English name in English when
  // one is configured, else the configured name.
  const std::string& name_in(Language language) const noexcept {
    return language == Language::en && !name_en.empty() ? name_en : name;
  }
};

struct Organisation {
  std::string name;
  std::string time_zone = "Europe/Amsterdam";
  std::string reporting_currency = "EUR";
  std::filesystem::path key_file;      // resolved against the configuration's folder
};

class Policy {
 public:
  Organisation organisation;
  std::vector<Supplier> suppliers;
  std::vector<Category> categories;
  TimeZone zone;
  std::filesystem::path source;        // the configuration file it came from
  std::string source_sha256;           // hex digest of the file's bytes
  NudgeSettings nudges;
  std::vector<Experiment> experiments;

  const Supplier* find_supplier(std::string_view erp_id) const noexcept;
  // Finds a supplier by any configured identifier (scheme, value).
  const Supplier* find_supplier_by_identifier(std::string_view scheme, std::string_view value) const noexcept;
  // Builds the look-up index of the two finds above (the loader calls it
  // once the suppliers are final; they run for every candidate of every
  // shortlist). A Policy assembled in code without it is searched in order;
  // either way the first supplier in file order wins.
  void index_suppliers();
  // The category for a code; a department-scoped entry wins over a general one.
  // An empty code_system matches any system.
  const Category* find_category(std::string_view code_system, std::string_view code,
                                std::string_view department) const noexcept;
  // The experiment running for a category on a day, if any (at most one:
  // the loader refuses overlaps).
  const Experiment* find_experiment(const Category& category, LocalDate day) const noexcept;
  // The requester's language: the message's own when it is nl or en (also
  // "nl-NL", "EN"), else the department's configured one, else the default.
  Language language_for(std::string_view message_language, std::string_view department) const noexcept;

 private:
  struct IndexEntry {
    std::string scheme;     // "erp" for the ERP id
    std::string value;
    std::size_t supplier;   // into suppliers
  };
  std::vector<IndexEntry> index_;      // in file order
  std::vector<std::uint32_t> slots_;   // hash table of index_ positions + 1; 0 is empty
  // One bit per (length, first byte, last byte) of the values in index_: a
  // value whose bit is clear is in no entry, so most candidates of a
  // shortlist (suppliers the policy does not name) are refused without
  // hashing their ids (see find_supplier_by_identifier).
  std::array<std::uint64_t, 64> value_filter_{};
};

// The namespace of a configuration file's elements.
inline constexpr std::string_view kConfigNamespace = "urn:socialdefault:config:1";

// Loads and validates a configuration (schemas/config.xsd, documented in
// docs/configuration.md). Every problem is reported as
// "file:line: subject: what is wrong; expected ...". The Error has code
// config and `where` = "file:line" of the first problem in line order; its
// message is that problem's text followed by the others, one complete
// "file:line: ..." line each, so describe() lists every problem one per
// line. A file that cannot be read at all is an io Error naming the file.
Result<std::shared_ptr<const Policy>> load_policy(const std::filesystem::path& file);
// The same from bytes in memory; file_name is used in messages and as
// Policy::source, and relative paths resolve against base_dir.
Result<std::shared_ptr<const Policy>> parse_policy(std::string_view xml, std::string_view file_name,
                                                   const std::filesystem::path& base_dir);

}  // namespace socialdefault
