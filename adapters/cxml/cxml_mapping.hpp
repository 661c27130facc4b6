// The cXML adapter's small mapping file (schemas/cxml-mapping.xsd,
// docs/standard-documents.md): which configuration scheme each credential
// domain names, and where the requester and the department come from.
// Optional: without one the defaults below apply.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "socialdefault/result.hpp"

namespace socialdefault::cxml {

inline constexpr std::string_view kMappingNamespace = "urn:socialdefault:cxml-mapping:1";

// One place to look for a value; the first source that yields a non-empty
// value wins.
struct Source {
  enum class Kind { contact, ship_to, extrinsic };
  Kind kind = Kind::contact;
  std::string role;   // contact: the Contact's role ("endUser"); empty: any role
  std::string field;  // contact: "email" or "name"; ship-to: "name", "deliver-to", "address-id" or "email"
  std::string name;   // extrinsic: the Extrinsic's name attribute
};

struct DomainScheme {
  std::string domain;  // compared without regard to case: "DUNS", "NetworkID"
  std::string scheme;  // the configuration's scheme: "duns", "cxml-networkid", "kvk", "erp"
};

struct Mapping {
  std::vector<DomainScheme> domains;  // the file's, then the built-in ones
  std::vector<Source> requester;
  std::vector<Source> department;

  // The scheme of a credential domain; an unlisted domain is its own
  // scheme, lower-cased.
  std::string scheme_for(std::string_view domain) const;
  // The built-in mapping: DUNS, NetworkID, KvK, OIN, VAT, PEPPOL, ERP;
  // requester from the endUser Contact's email, then any Contact's email;
  // department from the Extrinsic "Department", then "CostCenter".
  static Mapping defaults();
};

// Loads a mapping file; errors are ErrorCode::config with where =
// "file:line" and a message "what is wrong; expected ...".
Result<Mapping> load_mapping(const std::filesystem::path& file);
Result<Mapping> parse_mapping(std::string_view xml, std::string_view file_name);

}  // namespace socialdefault::cxml
