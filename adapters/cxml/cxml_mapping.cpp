#include "cxml_mapping.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

#include <pugixml.hpp>

namespace socialdefault::cxml {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool same_text(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

std::string local_name(const char* name) {
  const char* colon = std::strchr(name, ':');
  return colon == nullptr ? name : colon + 1;
}

std::string namespace_of(pugi::xml_node element) {
  const std::string name = element.name();
  const auto colon = name.find(':');
  const std::string attribute = colon == std::string::npos ? "xmlns" : "xmlns:" + name.substr(0, colon);
  for (pugi::xml_node n = element; n && n.type() == pugi::node_element; n = n.parent()) {
    if (const pugi::xml_attribute a = n.attribute(attribute.c_str())) return a.value();
  }
  return {};
}

class Loader {
 public:
  Loader(std::string_view xml, std::string_view file) : xml_(xml), file_(file) {}

  Result<Mapping> load() {
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed = doc.load_buffer(xml_.data(), xml_.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) {
      return make_error(ErrorCode::config, std::string("not well-formed XML: ") + parsed.description(),
                        where(parsed.offset));
    }
    const pugi::xml_node root = doc.document_element();
    if (local_name(root.name()) != "cxml-mapping" || namespace_of(root) != kMappingNamespace) {
      return fail(root, "the root element is <" + std::string(root.name()) + ">; expected <cxml-mapping> in namespace \"" +
                            std::string(kMappingNamespace) + "\"");
    }
    Mapping mapping;
    for (pugi::xml_node child = root.first_child(); child; child = child.next_sibling()) {
      if (child.type() != pugi::node_element) continue;
      const std::string name = local_name(child.name());
      if (namespace_of(child) != kMappingNamespace) {
        return fail(child, "element <" + std::string(child.name()) + "> is not in namespace \"" +
                               std::string(kMappingNamespace) + "\"");
      }
      if (name == "domain") {
        auto domain = required(child, "name");
        if (!domain) return std::move(domain).error();
        auto scheme = required(child, "scheme");
        if (!scheme) return std::move(scheme).error();
        for (const DomainScheme& d : mapping.domains) {
          if (same_text(d.domain, *domain)) {
            return fail(child, "domain \"" + *domain + "\" is given twice; expected each domain once");
          }
        }
        mapping.domains.push_back(DomainScheme{*domain, *scheme});
      } else if (name == "requester" || name == "department") {
        auto sources = read_sources(child);
        if (!sources) return std::move(sources).error();
        if (sources->empty()) return fail(child, "<" + name + "> is empty; expected at least one of contact, ship-to, extrinsic");
        (name == "requester" ? mapping.requester : mapping.department) = std::move(sources).value();
      } else {
        return fail(child, "unknown element <" + name + "> in <cxml-mapping>; expected one of domain, requester, department");
      }
    }
    const Mapping defaults = Mapping::defaults();
    for (const DomainScheme& d : defaults.domains) {
      const bool listed = std::any_of(mapping.domains.begin(), mapping.domains.end(),
                                      [&](const DomainScheme& m) { return same_text(m.domain, d.domain); });
      if (!listed) mapping.domains.push_back(d);
    }
    if (mapping.requester.empty()) mapping.requester = defaults.requester;
    if (mapping.department.empty()) mapping.department = defaults.department;
    return mapping;
  }

 private:
  std::size_t line_of(std::ptrdiff_t offset) const {
    const auto end = xml_.begin() + std::clamp<std::ptrdiff_t>(offset, 0, static_cast<std::ptrdiff_t>(xml_.size()));
    return 1 + static_cast<std::size_t>(std::count(xml_.begin(), end, '\n'));
  }
  std::string where(std::ptrdiff_t offset) const { return std::string(file_) + ":" + std::to_string(line_of(offset)); }
  Error fail(pugi::xml_node node, const std::string& what) const {
    return make_error(ErrorCode::config, what, where(node.offset_debug()));
  }

  Result<std::string> required(pugi::xml_node element, const char* attribute) const {
    const std::string value = element.attribute(attribute).value();
    if (value.empty()) {
      return fail(element, "<" + local_name(element.name()) + "> has no " + attribute + " attribute; expected one");
    }
    return value;
  }

  Result<std::vector<Source>> read_sources(pugi::xml_node parent) const {
    std::vector<Source> out;
    for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
      if (child.type() != pugi::node_element) continue;
      const std::string name = local_name(child.name());
      Source source;
      if (name == "contact") {
        source.kind = Source::Kind::contact;
        source.role = child.attribute("role").value();
        auto field = required(child, "field");
        if (!field) return std::move(field).error();
        if (*field != "email" && *field != "name") {
          return fail(child, "<contact field=\"" + *field + "\">; expected field=\"email\" or field=\"name\"");
        }
        source.field = *field;
      } else if (name == "ship-to") {
        source.kind = Source::Kind::ship_to;
        auto field = required(child, "field");
        if (!field) return std::move(field).error();
        if (*field != "name" && *field != "deliver-to" && *field != "address-id" && *field != "email") {
          return fail(child, "<ship-to field=\"" + *field +
                                 "\">; expected field=\"name\", \"deliver-to\", \"address-id\" or \"email\"");
        }
        source.field = *field;
      } else if (name == "extrinsic") {
        source.kind = Source::Kind::extrinsic;
        auto extrinsic = required(child, "name");
        if (!extrinsic) return std::move(extrinsic).error();
        source.name = *extrinsic;
      } else {
        return fail(child, "unknown element <" + name + "> in <" + local_name(parent.name()) +
                               ">; expected one of contact, ship-to, extrinsic");
      }
      out.push_back(std::move(source));
    }
    return out;
  }

  std::string_view xml_;
  std::string_view file_;
};

}  // namespace

std::string Mapping::scheme_for(std::string_view domain) const {
  for (const DomainScheme& d : domains) {
    if (same_text(d.domain, domain)) return d.scheme;
  }
  return lower(domain);
}

Mapping Mapping::defaults() {
  Mapping m;
  m.domains = {{"DUNS", "duns"}, {"NetworkID", "cxml-networkid"}, {"KvK", "kvk"}, {"OIN", "oin"},
               {"VAT", "vat"},   {"PEPPOL", "peppol"},              {"ERP", "erp"}};
  m.requester = {Source{Source::Kind::contact, "endUser", "email", ""}, Source{Source::Kind::contact, "", "email", ""}};
  m.department = {Source{Source::Kind::extrinsic, "", "", "Department"}, Source{Source::Kind::extrinsic, "", "", "CostCenter"}};
  return m;
}

Result<Mapping> parse_mapping(std::string_view xml, std::string_view file_name) { return Loader(xml, file_name).load(); }

Result<Mapping> load_mapping(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::io, "cannot read the cXML mapping " + file.string(), file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_mapping(text.str(), file.filename().string());
}

}  // namespace socialdefault::cxml
