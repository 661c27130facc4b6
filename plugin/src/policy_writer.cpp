// The inverse of policy_loader.cpp: every field the loader fills is
// written, in the order schemas/config.xsd requires, so that loading the
// result gives the same Policy.
#include "socialdefault/policy_writer.hpp"

#include <map>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

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

void build_document(const Policy& policy, const fs::path& base_dir, pugi::xml_document& doc) {
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child("configuration");
  root.append_attribute("xmlns") = kConfigNamespace.data();

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
}

std::string serialize(pugi::xml_node node) {
  std::ostringstream out;
  node.print(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return std::move(out).str();
}

std::string serialize(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return std::move(out).str();
}

// A file may use a prefix for the configuration's namespace.
std::string_view local_name(pugi::xml_node e) {
  const std::string_view name = e.name();
  const std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// What names an element among its siblings in two versions of the file: the
// element's local name and the attributes (or text) that identify it, e.g.
// "supplier|BLOEM-01" or "category|CPV|03121200-7|Facilitair". Elements
// without such a key (evidence, campaign) are told apart by their order.
std::string identity_base(pugi::xml_node e) {
  const std::string_view name = local_name(e);
  std::string key(name);
  const auto add = [&](std::string_view value) {
    key += '|';
    key += value;
  };
  const auto attr = [&](const char* a) { add(e.attribute(a).value()); };
  if (name == "supplier" || name == "experiment") {
    attr("id");
  } else if (name == "category") {
    const std::string_view system = e.attribute("code-system").value();
    add(system.empty() ? "CPV" : system);
    attr("code");
    for (pugi::xml_node d : e.children()) {
      if (local_name(d) != "departments") continue;
      for (pugi::xml_node department : d.children()) {
        if (department.type() == pugi::node_element) add(department.text().get());
      }
    }
  } else if (name == "social-supplier") {
    attr("ref");
  } else if (name == "identifier") {
    attr("scheme");
    add(e.text().get());
  } else if (name == "template") {
    attr("kind");
    attr("language");
  } else if (name == "name" || name == "text" || name == "endorsement") {
    attr("language");
  } else if (name == "department" && e.attribute("name")) {
    attr("name");
  } else if (name == "department") {
    add(e.text().get());
  } else if (name == "arm") {
    attr("name");
  } else if (name == "figure") {
    attr("measure");
  }
  return key;
}

// The identity of each element child of parent, made unique by a count.
std::vector<std::pair<std::string, pugi::xml_node>> keyed_children(pugi::xml_node parent) {
  std::vector<std::pair<std::string, pugi::xml_node>> out;
  std::map<std::string, int> seen;
  for (pugi::xml_node child : parent.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string key = identity_base(child);
    key += '#' + std::to_string(seen[key]++);
    out.emplace_back(std::move(key), child);
  }
  return out;
}

pugi::xml_node find_key(const std::vector<std::pair<std::string, pugi::xml_node>>& list, const std::string& key) {
  for (const auto& [k, node] : list) {
    if (k == key) return node;
  }
  return {};
}

// Carries what the purchasing department wrote by hand from `original` (an
// element of their file) into `written` (the same element written from the
// edited Policy): each comment goes before the element it preceded, matched
// by identity, or to the end when no later element survived. An element
// whose written form did not change (`before`: the same element written
// from the file's own Policy) is kept as the file has it, with its comments
// and its own spelling, such as a category's <norm> that sets only
// window-days or an attribute left at its default.
void carry_over(pugi::xml_node original, pugi::xml_node written, pugi::xml_node before, bool keep_unchanged) {
  const auto written_children = keyed_children(written);
  const auto before_children = keyed_children(before);
  std::vector<pugi::xml_node> pending;
  std::map<std::string, int> seen;
  for (pugi::xml_node child : original.children()) {
    if (child.type() == pugi::node_comment) {
      pending.push_back(child);
      continue;
    }
    if (child.type() != pugi::node_element) continue;
    std::string key = identity_base(child);
    key += '#' + std::to_string(seen[key]++);
    pugi::xml_node match = find_key(written_children, key);
    if (!match) {
      // Removed, or its identity was edited: its comments, also those
      // inside it, go before the next element that stays.
      for (pugi::xml_node inner = child.first_child(); inner; ) {
        if (inner.type() == pugi::node_comment) pending.push_back(inner);
        if (inner.first_child()) {
          inner = inner.first_child();
          continue;
        }
        while (inner && !inner.next_sibling() && inner != child) inner = inner.parent();
        inner = inner == child ? pugi::xml_node() : inner.next_sibling();
      }
      continue;
    }
    for (pugi::xml_node comment : pending) written.insert_copy_before(comment, match);
    pending.clear();
    const pugi::xml_node old_form = find_key(before_children, key);
    if (keep_unchanged && old_form && serialize(old_form) == serialize(match)) {
      written.insert_copy_before(child, match);
      written.remove_child(match);
    } else {
      carry_over(child, match, old_form, keep_unchanged);
    }
  }
  for (pugi::xml_node comment : pending) written.append_copy(comment);
}

// The prefix a file binds to the configuration's namespace on its root
// element (`<c:configuration xmlns:c="urn:socialdefault:config:1">`), or
// empty when it uses the default namespace.
std::string namespace_prefix(const pugi::xml_document& original) {
  const std::string_view name = original.document_element().name();
  const std::size_t colon = name.find(':');
  if (colon == std::string_view::npos) return {};
  std::string prefix(name.substr(0, colon));
  const pugi::xml_attribute declaration = original.document_element().attribute(("xmlns:" + prefix).c_str());
  if (std::string_view(declaration.value()) != kConfigNamespace) return {};
  return prefix;
}

// Writes a built document with the file's prefix: every element the writer
// made gets it, and the root declares it instead of the default namespace,
// so elements kept as the file has them (already prefixed) fit in.
void use_prefix(pugi::xml_document& doc, const std::string& prefix) {
  if (prefix.empty()) return;
  pugi::xml_node root = doc.document_element();
  root.remove_attribute("xmlns");
  root.prepend_attribute(("xmlns:" + prefix).c_str()) = kConfigNamespace.data();
  for (pugi::xml_node e = root; e;) {
    if (std::string_view(e.name()).find(':') == std::string_view::npos) e.set_name((prefix + ':' + e.name()).c_str());
    pugi::xml_node next = e.first_child();
    while (next && next.type() != pugi::node_element) next = next.next_sibling();
    if (next) {
      e = next;
      continue;
    }
    while (e && e != root) {
      next = e.next_sibling();
      while (next && next.type() != pugi::node_element) next = next.next_sibling();
      if (next) break;
      e = e.parent();
    }
    e = e == root ? pugi::xml_node() : next;
  }
}

// The document-level comments (before and after the root element) and the
// root's content.
std::string merge_into(const pugi::xml_document& original, const pugi::xml_document& before, const Policy& policy,
                       const fs::path& base_dir, bool keep_unchanged) {
  pugi::xml_document doc;
  build_document(policy, base_dir, doc);
  use_prefix(doc, namespace_prefix(original));
  pugi::xml_node root = doc.document_element();
  const pugi::xml_node original_root = original.document_element();
  bool after_root = false;
  for (pugi::xml_node child : original.children()) {
    if (child.type() == pugi::node_element) {
      after_root = true;
    } else if (child.type() == pugi::node_comment) {
      if (after_root) {
        doc.append_copy(child);
      } else {
        doc.insert_copy_before(child, root);
      }
    }
  }
  if (local_name(original_root) == local_name(root)) {
    carry_over(original_root, root, before.document_element(), keep_unchanged);
  }
  return serialize(doc);
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
  build_document(policy, base_dir, doc);
  return serialize(doc);
}

std::string write_policy(const Policy& policy, const std::filesystem::path& base_dir, std::string_view original_xml) {
  // Only for the loader's messages, which are not shown: the console loads
  // what it writes again and reports from that.
  constexpr std::string_view file_name = "original";
  pugi::xml_document original;
  if (!original.load_buffer(original_xml.data(), original_xml.size(), pugi::parse_default | pugi::parse_comments)) {
    return write_policy(policy, base_dir);
  }
  // Unchanged items are compared in the writer's own form, so a file that
  // spells a value differently (social="1", a default left out) still
  // counts as unchanged where its Policy is.
  pugi::xml_document before;
  auto old_policy = parse_policy(original_xml, file_name, base_dir);
  if (old_policy) {
    build_document(**old_policy, base_dir, before);
    use_prefix(before, namespace_prefix(original));
  }
  const std::string merged = merge_into(original, before, policy, base_dir, old_policy.ok());
  if (!old_policy) return merged;
  // An item kept as the file has it can mean something else in the edited
  // file (a category's <norm> that sets one attribute takes the others from
  // the organisation's, which may have changed): then only the comments
  // are carried over.
  const std::string expected = write_policy(policy, base_dir);
  auto reloaded = parse_policy(merged, file_name, base_dir);
  if (reloaded && write_policy(**reloaded, base_dir) == expected) return merged;
  return merge_into(original, before, policy, base_dir, false);
}

}  // namespace socialdefault
