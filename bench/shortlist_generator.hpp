// Generates example-contract shortlist responses of a given size for the
// benchmarks: n suppliers, two of them social (BLOEM-01, BLOEM-02), the
// cheapest regular one preselected. About 480 bytes per supplier.
#pragma once

#include <cstdio>
#include <string>

namespace socialdefault::bench {

// Alike: every supplier has the same elements. Varied: as an ERP lists
// suppliers whose optional elements differ, every other one without its
// remark and every third with a certificate, four shapes in turn.
enum class Shapes { alike, varied };

inline std::string shortlist_response(int suppliers, Shapes shapes = Shapes::alike) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n"
      "  <soap:Header/>\n"
      "  <soap:Body>\n"
      "    <erp:GetSupplierShortlistResponse xmlns:erp=\"urn:example:erp:purchasing:1\">\n"
      "      <erp:RequisitionId>REQ-2026-000123</erp:RequisitionId>\n"
      "      <erp:Category listID=\"CPV\">03121200-7</erp:Category>\n"
      "      <erp:Suppliers>\n";
  char buf[1024];
  for (int i = 0; i < suppliers; ++i) {
    const bool social = i == suppliers / 3 || i == (2 * suppliers) / 3;
    const char* id_prefix = social ? "BLOEM-0" : "FLR-";
    const int id_number = social ? (i == suppliers / 3 ? 1 : 2) : 1000 + i;
    std::snprintf(buf, sizeof buf,
                  "        <erp:Supplier>\n"
                  "          <erp:SupplierId>%s%d</erp:SupplierId>\n"
                  "          <erp:Name>%s %d</erp:Name>\n"
                  "          <erp:KvK>%08d</erp:KvK>\n"
                  "          <erp:UnitPrice currency=\"EUR\">%d.%02d</erp:UnitPrice>\n"
                  "          <erp:Preselected>%s</erp:Preselected>\n"
                  "          <!-- delivery within 2 working days; catalogue item %d -->\n"
                  "%s%s"
                  "        </erp:Supplier>\n",
                  id_prefix, id_number, social ? "Sociale bloemist" : "Bloemen Groothandel", i,
                  social ? 70000000 + i : 60000000 + i, 40 + i % 7, (i * 37) % 100, i == 0 ? "true" : "false", i,
                  shapes == Shapes::alike || i % 2 == 0
                      ? "          <erp:Remark>Levering binnen twee werkdagen, factuur per maand.</erp:Remark>\n"
                      : "",
                  shapes == Shapes::varied && i % 3 == 0 ? "          <erp:Certificate>ISO 14001</erp:Certificate>\n" : "");
    out += buf;
  }
  out +=
      "      </erp:Suppliers>\n"
      "      <erp:Message/>\n"
      "    </erp:GetSupplierShortlistResponse>\n"
      "  </soap:Body>\n"
      "</soap:Envelope>\n";
  return out;
}

}  // namespace socialdefault::bench
