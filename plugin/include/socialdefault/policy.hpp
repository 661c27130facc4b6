// The purchasing department's configuration, loaded and checked once, then
// shared immutably (std::shared_ptr<const Policy>) and swapped on reload.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

struct Category {
  std::string code_system = "CPV";     // "CPV", "UNSPSC" or the ERP's own list id
  std::string code;                    // e.g. "03121200-7"
  std::string name;
  std::vector<std::string> departments;  // empty: every department
  std::vector<std::string> social_suppliers;  // supplier ids, in order of preference
  Strategy strategy = Strategy::fixed;
  std::uint32_t price_tolerance_basis_points = 0;  // 10.5 % is 1050
  unsigned social_shown = 3;           // social options shown first
  int line = 0;
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

 private:
  struct IndexEntry {
    std::string scheme;     // "erp" for the ERP id
    std::string value;
    std::size_t supplier;   // into suppliers
  };
  std::vector<IndexEntry> index_;  // sorted by (scheme, value), stable
};

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
