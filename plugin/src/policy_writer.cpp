// The inverse of policy_loader.cpp: every field the loader fills is
// written, in the order schemas/config.xsd requires, so that loading the
// result gives the same Policy.
#include "socialdefault/policy_writer.hpp"

#include <sstream>

#include <pugixml.hpp>

namespace socialdefault {

namespace {

namespace fs = std::filesystem;

constexpr NudgeKind kNudgeKinds[] = {NudgeKind::impact, NudgeKind::norm, NudgeKind::campaign, NudgeKind::endorsement,
                                     NudgeKind::price};

std::string nudge_list(unsigned mask) {
  std::string out;
  for (NudgeKind kind : kNudgeKinds) {
    if ((mask & nudge_bit(kind)) == 0) continue;
    if (!out.empty()) out += ' ';
    out += to_string(kind);
  }
  return out;
}

void add_text(pugi::xml_node parent, const char* name, const std::string& text) {
  parent.append_child(name).text().set(text.c_str());
}

// One element per language that has a text; extra is an attribute written
// before the language (the template's kind).
void add_localized(pugi::xml_node parent, const char* name, const LocalizedText& text, const char* extra_name = nullptr,
                   const char* extra_value = nullptr) {
  for (Language language : {Language::nl, Language::en}) {
    const std::string& value = text.in(language);
    if (value.empty()) continue;
    pugi::xml_node e = parent.append_child(name);
    if (extra_name != nullptr) e.append_attribute(extra_name) = extra_value;
    e.append_attribute("language") = to_string(language);
    e.text().set(value.c_str());
  }
}

void add_norm(pugi::xml_node parent, const NormSettings& norm) {
  pugi::xml_node e = parent.append_child("norm");
  e.append_attribute("threshold") = format_percentage(norm.threshold_basis_points).c_str();
  e.append_attribute("min-orders") = norm.min_orders;
  e.append_attribute("window-days") = norm.window_days;
}

// A template is written only where it differs from the built-in one, so a
// file that never set one keeps following the built-in text.
void add_template(pugi::xml_node parent, NudgeKind kind, const LocalizedText& text) {
  const LocalizedText& builtin = builtin_template(kind);
  LocalizedText own;
  if (text.nl != builtin.nl) own.nl = text.nl;
  if (text.en != builtin.en) own.en = text.en;
  add_localized(parent, "template", own, "kind", to_string(kind));
}

std::string key_file_text(const fs::path& key_file, const fs::path& base_dir) {
  if (base_dir.empty() || key_file.is_relative()) return key_file.string();
  const fs::path relative = key_file.lexically_normal().lexically_relative(base_dir.lexically_normal());
  if (relative.empty() || *relative.begin() == "..") return key_file.string();
  return relative.string();
}

void add_supplier(pugi::xml_node parent, const Supplier& supplier) {
  pugi::xml_node s = parent.append_child("supplier");
  s.append_attribute("id") = supplier.id.c_str();
  if (supplier.social) s.append_attribute("social") = "true";
  add_text(s, "name", supplier.name);
  for (const SupplierIdentifier& id : supplier.identifiers) {
    pugi::xml_node e = s.append_child("identifier");
    e.append_attribute("scheme") = id.scheme.c_str();
    e.text().set(id.value.c_str());
  }
  for (const Evidence& evidence : supplier.evidence) {
    pugi::xml_node e = s.append_child("evidence");
    e.append_attribute("kind") = to_string(evidence.kind);
    e.append_attribute("valid-from") = format_date(evidence.valid_from).c_str();
    e.append_attribute("valid-until") = format_date(evidence.valid_until).c_str();
    if (!evidence.reference.empty()) e.append_attribute("reference") = evidence.reference.c_str();
  }
  if (!supplier.impact.statement.empty() || !supplier.impact.figures.empty()) {
    pugi::xml_node impact = s.append_child("impact");
    if (!supplier.impact.statement.empty()) add_text(impact, "statement", supplier.impact.statement);
    for (const ImpactFigure& figure : supplier.impact.figures) {
      pugi::xml_node f = impact.append_child("figure");
      f.append_attribute("measure") = figure.measure.c_str();
      f.append_attribute("value") = static_cast<long long>(figure.value);
      if (!figure.unit.empty()) f.append_attribute("unit") = figure.unit.c_str();
    }
  }
}

void add_category(pugi::xml_node parent, const Category& category) {
  pugi::xml_node c = parent.append_child("category");
  c.append_attribute("code-system") = category.code_system.c_str();
  c.append_attribute("code") = category.code.c_str();
  c.append_attribute("strategy") = to_string(category.strategy);
  c.append_attribute("price-tolerance") = format_percentage(category.price_tolerance_basis_points).c_str();
  c.append_attribute("social-shown") = category.social_shown;
  add_text(c, "name", category.name);
  if (!category.name_en.empty()) {
    pugi::xml_node en = c.append_child("name");
    en.append_attribute("language") = "en";
    en.text().set(category.name_en.c_str());
  }
  if (!category.departments.empty()) {
    pugi::xml_node d = c.append_child("departments");
    for (const std::string& department : category.departments) add_text(d, "department", department);
  }
  for (const std::string& ref : category.social_suppliers) {
    c.append_child("social-supplier").append_attribute("ref") = ref.c_str();
  }
  const CategoryNudges& n = category.nudges;
  const bool plain = n.shown == nudge_bit(NudgeKind::impact) && !n.norm && n.campaigns.empty() && n.endorsement.empty();
  if (plain) return;
  pugi::xml_node e = c.append_child("nudges");
  e.append_attribute("show") = nudge_list(n.shown).c_str();
  if (n.norm) add_norm(e, *n.norm);
  for (const Campaign& campaign : n.campaigns) {
    pugi::xml_node k = e.append_child("campaign");
    k.append_attribute("from") = format_date(campaign.from).c_str();
    k.append_attribute("until") = format_date(campaign.until).c_str();
    add_localized(k, "text", campaign.text);
  }
  add_localized(e, "endorsement", n.endorsement);
}

void add_experiment(pugi::xml_node parent, const Experiment& experiment) {
  pugi::xml_node x = parent.append_child("experiment");
  x.append_attribute("id") = experiment.id.c_str();
  x.append_attribute("from") = format_date(experiment.from).c_str();
  x.append_attribute("until") = format_date(experiment.until).c_str();
  x.append_attribute("minimum-effect") = format_percentage(experiment.minimum_effect_basis_points).c_str();
  for (const auto& [code_system, code] : experiment.categories) {
    pugi::xml_node c = x.append_child("category");
    c.append_attribute("code-system") = code_system.c_str();
    c.append_attribute("code") = code.c_str();
  }
  for (const ExperimentArm& arm : experiment.arms) {
    pugi::xml_node a = x.append_child("arm");
    a.append_attribute("name") = arm.name.c_str();
    a.append_attribute("weight") = arm.weight;
    if (arm.control) a.append_attribute("control") = "true";
    if (arm.nudges != 0) a.append_attribute("nudges") = nudge_list(arm.nudges).c_str();
  }
}

}  // namespace

std::string format_percentage(std::uint32_t basis_points) {
  std::string out = std::to_string(basis_points / 100);
  const std::uint32_t hundredths = basis_points % 100;
  if (hundredths == 0) return out;
  out += '.';
  out += static_cast<char>('0' + hundredths / 10);
  if (hundredths % 10 != 0) out += static_cast<char>('0' + hundredths % 10);
  return out;
}

std::string write_policy(const Policy& policy, const std::filesystem::path& base_dir) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child("configuration");
  root.append_attribute("xmlns") = "urn:socialdefault:config:1";

  pugi::xml_node org = root.append_child("organisation");
  org.append_attribute("name") = policy.organisation.name.c_str();
  org.append_attribute("time-zone") = policy.organisation.time_zone.c_str();
  org.append_attribute("reporting-currency") = policy.organisation.reporting_currency.c_str();
  org.append_attribute("key-file") = key_file_text(policy.organisation.key_file, base_dir).c_str();

  pugi::xml_node suppliers = root.append_child("suppliers");
  for (const Supplier& supplier : policy.suppliers) add_supplier(suppliers, supplier);
  pugi::xml_node categories = root.append_child("categories");
  for (const Category& category : policy.categories) add_category(categories, category);

  const NudgeSettings& n = policy.nudges;
  pugi::xml_node nudges = root.append_child("nudges");
  nudges.append_attribute("language") = to_string(n.default_language);
  for (const auto& [department, language] : n.department_languages) {
    pugi::xml_node d = nudges.append_child("department");
    d.append_attribute("name") = department.c_str();
    d.append_attribute("language") = to_string(language);
  }
  add_norm(nudges, n.norm);
  add_template(nudges, NudgeKind::impact, n.impact_template);
  add_template(nudges, NudgeKind::norm, n.norm_template);
  add_template(nudges, NudgeKind::price, n.price_template);
  add_localized(nudges, "endorsement", n.endorsement);

  if (!policy.experiments.empty()) {
    pugi::xml_node experiments = root.append_child("experiments");
    for (const Experiment& experiment : policy.experiments) add_experiment(experiments, experiment);
  }

  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return std::move(out).str();
}

}  // namespace socialdefault
