// MVI export writers: CSV (RFC 4180, UTF-8, header row), XML
// (schemas/audit-export.xsd) and JSON. They stream: one row in, one row out.
#pragma once

#include <memory>
#include <ostream>
#include <string_view>

#include "socialdefault/ledger.hpp"
#include "socialdefault/policy.hpp"

namespace socialdefault {

enum class ExportFormat { csv, xml, json };
Result<ExportFormat> parse_export_format(std::string_view name);

struct ExportHeader {
  std::string organisation;
  std::string time_zone;
  std::string reporting_currency;
  ExportQuery query;
  UtcSeconds generated_at{};
};

// Runs the query on the ledger and writes the chosen format to out.
Result<void> write_export(Ledger& ledger, const ExportHeader& header, ExportFormat format, std::ostream& out);

}  // namespace socialdefault
