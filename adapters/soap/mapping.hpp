// The mapping file that ties an ERP's SOAP contract to socialdefault
// (namespace urn:socialdefault:mapping:1, schemas/mapping.xsd, docs/mapping.md).
// It is loaded and checked once; every path in it is compiled here, so a
// message is never matched against text.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "path.hpp"
#include "socialdefault/result.hpp"

namespace socialdefault::soap {

inline constexpr std::string_view kMappingNamespace = "urn:socialdefault:mapping:1";

// Which message a value is read from.
enum class Side { request, response };

// One value the mapping reads: a path (from the payload of one side, or from a
// candidate element), or a fixed value where the mapping allows one.
struct Field {
  std::string name;            // "shortlist/candidates/id": how messages name it
  int line = 0;                // where it is in the mapping file
  std::optional<Path> path;
  std::string fixed;           // value="..." (currencies only)
  Side from = Side::response;
  bool mapped() const noexcept { return path.has_value() || !fixed.empty(); }
};

struct IdentifierField {
  std::string scheme;          // "kvk", "peppol", ... as in the policy's supplier identifiers
  Field field;
};

struct CategoryField {
  Field code;
  Field system;                // system-path, or a fixed system="CPV"
};

struct CandidateMapping {
  Path elements;               // from the response payload to each candidate
  int line = 0;
  Field id, name, price, currency;
  Field preselected;
  std::vector<std::string> true_literals;   // the first is written
  std::vector<std::string> false_literals;  // the first is written
  Field note;
  std::string note_separator = " ";
  std::vector<IdentifierField> identifiers;
};

struct ShortlistMapping {
  std::optional<ExpandedName> request;
  ExpandedName response;
  CandidateMapping candidates;
  Field message_note;
  std::string message_note_separator = " ";
  Field correlation_id;
  CategoryField category;
  Field requester;
  Field department;
  Field language;   // the requester's language, e.g. "nl" or "en-GB" (docs/nudges.md)
};

struct OrderMapping {
  ExpandedName request;
  std::optional<ExpandedName> response;
  Field correlation_id;
  CategoryField category;
  Field requester, department;
  Field supplier;
  std::vector<IdentifierField> supplier_identifiers;
  Field amount, currency, description;
  Field order_number;          // from the response
  Field status;                // from the response
  std::vector<std::string> rejected_statuses;
};

struct FastScanPlan;  // fast_scan.hpp

struct Mapping {
  std::string file;            // as it appears in messages
  std::string name;            // the optional name="..." of <mapping>
  NamespaceTable namespaces;
  std::optional<ShortlistMapping> shortlist;
  std::optional<OrderMapping> order;
  // The shortlist scan's view of this object, made once by parse_mapping
  // (see make_fast_scan_plan); a copy of the Mapping carries one that is not
  // its own, which fast_scan notices and does without.
  std::shared_ptr<const FastScanPlan> fast_scan_plan;
};

// Loads and checks a mapping file. Problems are ErrorCode::config errors of
// the form "mapping.xml:12: shortlist/candidates/id: what is wrong; what was
// expected"; when there are several, the first is the Error's where and the
// message lists them all, one per line.
Result<std::shared_ptr<const Mapping>> load_mapping(const std::filesystem::path& file);
// The same from bytes in memory; file_name is used in messages.
Result<std::shared_ptr<const Mapping>> parse_mapping(std::string_view xml, std::string_view file_name);

}  // namespace socialdefault::soap
