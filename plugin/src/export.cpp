// The MVI export writers. Each writes its header, then one row per group as
// the ledger yields it, then its footer: nothing is collected, so memory does
// not depend on the number of groups. docs/ledger.md defines every column.
#include "socialdefault/export.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include <array>
#include <optional>

namespace socialdefault {

namespace {

enum class CellKind { text, count, decimal };

struct Cell {
  std::string name;                  // snake_case; XML uses the same with hyphens
  CellKind kind = CellKind::text;
  std::optional<std::string> value;  // empty: not defined (a share over zero orders)
};

constexpr std::array<std::string_view, 15> kFixedColumns{
    "currency",          "orders",           "spend",
    "social_orders",     "social_spend",     "social_share_orders",
    "social_share_spend", "offered_orders",  "kept_default_share",
    "other_social_share", "regular_share",   "addressable_orders",
    "addressable_spend", "social_share_addressable_spend", "evidence",
};

// numerator / denominator as a percentage with one decimal, rounded half up,
// in integer arithmetic (128 bits: spend totals times 2000 overflow 64).
std::optional<std::string> percent(std::int64_t numerator, std::int64_t denominator) {
  if (denominator == 0) return std::nullopt;
  __int128 n = numerator;
  __int128 d = denominator;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  // floor(n * 1000 / d + 1/2) = floor((2000 n + d) / 2d)
  const __int128 x = 2000 * n + d;
  const __int128 y = 2 * d;
  __int128 tenths = x / y;
  if (x % y != 0 && x < 0) --tenths;
  const bool negative = tenths < 0;
  if (negative) tenths = -tenths;
  const auto whole = static_cast<unsigned long long>(tenths / 10);
  const auto fraction = static_cast<unsigned>(tenths % 10);
  return (negative ? "-" : "") + std::to_string(whole) + "." + std::to_string(fraction);
}

std::string decimal(std::int64_t minor, const std::string& currency) { return format_decimal(Money{minor, currency}); }

// Replaces every byte sequence that is not UTF-8 with U+FFFD, so every
// format stays valid even if a ledger row holds broken text.
std::string valid_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    std::size_t len = 0;
    std::uint32_t min = 0;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000;
    }
    bool ok = len != 0 && i + len <= in.size();
    std::uint32_t cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(in[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

std::vector<Cell> row_cells(const ExportQuery& query, const ExportRow& row) {
  std::vector<Cell> cells;
  cells.reserve(query.group_by.size() + kFixedColumns.size());
  for (std::size_t i = 0; i < query.group_by.size(); ++i) {
    cells.push_back({to_string(query.group_by[i]), CellKind::text, i < row.keys.size() ? row.keys[i] : std::string()});
  }
  const auto count = [](std::int64_t v) { return std::optional<std::string>(std::to_string(v)); };
  const std::array<std::pair<CellKind, std::optional<std::string>>, kFixedColumns.size()> fixed{{
      {CellKind::text, row.currency},
      {CellKind::count, count(row.orders)},
      {CellKind::decimal, decimal(row.spend, row.currency)},
      {CellKind::count, count(row.social_orders)},
      {CellKind::decimal, decimal(row.social_spend, row.currency)},
      {CellKind::decimal, percent(row.social_orders, row.orders)},
      {CellKind::decimal, percent(row.social_spend, row.spend)},
      {CellKind::count, count(row.offered)},
      {CellKind::decimal, percent(row.kept_default, row.offered)},
      {CellKind::decimal, percent(row.other_social, row.offered)},
      {CellKind::decimal, percent(row.regular, row.offered)},
      {CellKind::count, count(row.addressable_orders)},
      {CellKind::decimal, decimal(row.addressable_spend, row.currency)},
      {CellKind::decimal, percent(row.addressable_social_spend, row.addressable_spend)},
      {CellKind::text, row.evidence},
  }};
  for (std::size_t i = 0; i < fixed.size(); ++i) {
    cells.push_back({std::string(kFixedColumns[i]), fixed[i].first, fixed[i].second});
  }
  for (Cell& cell : cells) {
    if (cell.value && cell.kind == CellKind::text) cell.value = valid_utf8(*cell.value);
  }
  return cells;
}

std::string hyphenated(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '_') c = '-';
  }
  return out;
}

class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(out) {}
  virtual ~Writer() = default;
  virtual void begin(const ExportHeader& header) = 0;
  virtual void row(const ExportHeader& header, const ExportRow& row) = 0;
  virtual void end() = 0;

 protected:
  std::ostream& out_;
};

// RFC 4180: CRLF after every record, a field with a comma, quote, CR or LF
// in quotes, quotes doubled. UTF-8 without a byte-order mark.
class CsvWriter final : public Writer {
 public:
  using Writer::Writer;

  void begin(const ExportHeader& header) override {
    bool first = true;
    for (GroupBy key : header.query.group_by) field(to_string(key), first);
    for (std::string_view name : kFixedColumns) field(name, first);
    out_ << "\r\n";
  }
  void row(const ExportHeader& header, const ExportRow& row) override {
    bool first = true;
    for (const Cell& cell : row_cells(header.query, row)) field(cell.value.value_or(std::string()), first);
    out_ << "\r\n";
  }
  void end() override {}

 private:
  void field(std::string_view text, bool& first) {
    if (!first) out_ << ',';
    first = false;
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
      out_ << text;
      return;
    }
    out_ << '"';
    for (char c : text) {
      if (c == '"') out_ << '"';
      out_ << c;
    }
    out_ << '"';
  }
};

// Text content escaped for XML 1.0: markup characters as entities, CR as a
// character reference (a parser would turn a raw one into LF), and the
// control characters XML 1.0 cannot carry at all as U+FFFD.
std::string xml_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\r': out += "&#13;"; break;
      case '\t':
      case '\n': out.push_back(ch); break;
      default:
        if (c < 0x20) {
          out += "\xEF\xBF\xBD";
        } else {
          out.push_back(ch);
        }
    }
  }
  // U+FFFE and U+FFFF are not XML characters either (EF BF BE, EF BF BF).
  for (std::size_t at = out.find("\xEF\xBF"); at != std::string::npos; at = out.find("\xEF\xBF", at + 1)) {
    if (at + 2 < out.size() && (out[at + 2] == '\xBE' || out[at + 2] == '\xBF')) out[at + 2] = '\xBD';
  }
  return out;
}

class XmlWriter final : public Writer {
 public:
  using Writer::Writer;

  void begin(const ExportHeader& h) override {
    out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         << "<audit-export xmlns=\"urn:socialdefault:audit-export:1\" version=\"1\">\n"
         << "  <header>\n"
         << "    <organisation>" << xml_text(valid_utf8(h.organisation)) << "</organisation>\n"
         << "    <zone>" << xml_text(valid_utf8(h.time_zone)) << "</zone>\n"
         << "    <reporting-currency>" << xml_text(valid_utf8(h.reporting_currency)) << "</reporting-currency>\n"
         << "    <period from=\"" << format_date(h.query.from) << "\" to=\"" << format_date(h.query.to) << "\"/>\n"
         << "    <generated-at>" << format_utc(h.generated_at) << "</generated-at>\n"
         << "    <group-by>";
    for (std::size_t i = 0; i < h.query.group_by.size(); ++i) out_ << (i ? " " : "") << to_string(h.query.group_by[i]);
    out_ << "</group-by>\n  </header>\n";
  }
  void row(const ExportHeader& header, const ExportRow& row) override {
    out_ << "  <row>\n";
    const auto cells = row_cells(header.query, row);
    const std::size_t keys = header.query.group_by.size();
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const Cell& cell = cells[i];
      if (i < keys) {
        out_ << "    <key name=\"" << cell.name << "\">" << xml_text(*cell.value) << "</key>\n";
        continue;
      }
      if (!cell.value) continue;  // an undefined share is left out
      const std::string name = hyphenated(cell.name);
      if (cell.value->empty()) {
        out_ << "    <" << name << "/>\n";
      } else {
        out_ << "    <" << name << '>' << xml_text(*cell.value) << "</" << name << ">\n";
      }
    }
    out_ << "  </row>\n";
  }
  void end() override { out_ << "</audit-export>\n"; }
};

// One object; rows are written one per line as they arrive. Counts are
// numbers; money and shares are decimal strings so that no reader turns
// them into binary floating point; an undefined share is null.
class JsonWriter final : public Writer {
 public:
  using Writer::Writer;

  void begin(const ExportHeader& h) override {
    out_ << "{\"format\":\"socialdefault-audit-export\",\"version\":1"
         << ",\"organisation\":" << quoted(h.organisation) << ",\"zone\":" << quoted(h.time_zone)
         << ",\"reporting_currency\":" << quoted(h.reporting_currency) << ",\"period\":{\"from\":\""
         << format_date(h.query.from) << "\",\"to\":\"" << format_date(h.query.to) << "\"}"
         << ",\"generated_at\":\"" << format_utc(h.generated_at) << "\",\"group_by\":[";
    for (std::size_t i = 0; i < h.query.group_by.size(); ++i) {
      out_ << (i ? "," : "") << '"' << to_string(h.query.group_by[i]) << '"';
    }
    out_ << "],\"rows\":[";
  }
  void row(const ExportHeader& header, const ExportRow& row) override {
    out_ << (first_ ? "\n{" : ",\n{");
    first_ = false;
    bool first_cell = true;
    for (const Cell& cell : row_cells(header.query, row)) {
      out_ << (first_cell ? "" : ",") << '"' << cell.name << "\":";
      first_cell = false;
      if (!cell.value) {
        out_ << "null";
      } else if (cell.kind == CellKind::count) {
        out_ << *cell.value;
      } else {
        out_ << quoted(*cell.value);
      }
    }
    out_ << '}';
  }
  void end() override { out_ << (first_ ? "]}\n" : "\n]}\n"); }

 private:
  static std::string quoted(std::string_view text) {
    const std::string clean = valid_utf8(text);
    return boost::json::serialize(boost::json::string_view(clean.data(), clean.size()));
  }
  bool first_ = true;
};

std::unique_ptr<Writer> make_writer(ExportFormat format, std::ostream& out) {
  switch (format) {
    case ExportFormat::csv: return std::make_unique<CsvWriter>(out);
    case ExportFormat::xml: return std::make_unique<XmlWriter>(out);
    case ExportFormat::json: return std::make_unique<JsonWriter>(out);
  }
  return std::make_unique<CsvWriter>(out);
}

Error write_failed() {
  return make_error(ErrorCode::io, "cannot write the export: the output failed (disk full or closed pipe?)");
}

}  // namespace

Result<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "csv") return ExportFormat::csv;
  if (name == "xml") return ExportFormat::xml;
  if (name == "json") return ExportFormat::json;
  return make_error(ErrorCode::invalid_argument,
                    "export format \"" + std::string(name) + "\" is not one of csv, xml, json");
}

Result<void> write_export(Ledger& ledger, const ExportHeader& header, ExportFormat format, std::ostream& out) {
  // Checked first so that a bad query writes nothing at all.
  if (auto r = check_export_query(header.query); !r) return r;
  auto writer = make_writer(format, out);
  writer->begin(header);
  auto rows = ledger.export_rows(header.query, [&](const ExportRow& row) -> Result<void> {
    writer->row(header, row);
    if (!out) return write_failed();
    return {};
  });
  // On an error the output is incomplete (no footer): the caller discards it.
  if (!rows) return rows;
  writer->end();
  out.flush();
  if (!out) return write_failed();
  return {};
}

}  // namespace socialdefault
