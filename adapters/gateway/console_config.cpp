#include "console_config.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include <pugixml.hpp>

#include "socialdefault/policy_writer.hpp"

namespace socialdefault::gateway {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr EvidenceKind kEvidenceKinds[] = {
    EvidenceKind::pso_1, EvidenceKind::pso_2, EvidenceKind::pso_3, EvidenceKind::pso_30plus,
    EvidenceKind::code_sociale_ondernemingen, EvidenceKind::sheltered_employer, EvidenceKind::other};
constexpr NudgeKind kNudgeKinds[] = {NudgeKind::impact, NudgeKind::norm, NudgeKind::campaign, NudgeKind::endorsement,
                                     NudgeKind::price};

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

json::object localized(const LocalizedText& text) { return {{"nl", text.nl}, {"en", text.en}}; }

json::array nudge_names(unsigned mask) {
  json::array out;
  for (NudgeKind kind : kNudgeKinds) {
    if ((mask & nudge_bit(kind)) != 0) out.emplace_back(to_string(kind));
  }
  return out;
}

json::object norm_json(const NormSettings& norm) {
  return {{"threshold", format_percentage(norm.threshold_basis_points)},
          {"min_orders", norm.min_orders},
          {"window_days", norm.window_days}};
}

std::string key_file_text(const fs::path& key_file, const fs::path& base_dir) {
  const fs::path relative = key_file.lexically_normal().lexically_relative(base_dir.lexically_normal());
  if (relative.empty() || *relative.begin() == "..") return key_file.string();
  return relative.string();
}

// Reads the JSON, collecting problems of form; each accessor takes the
// object, the key and the object's path.
class Reader {
 public:
  explicit Reader(std::vector<FieldProblem>& problems) : problems_(problems) {}

  void problem(const std::string& field, std::string message) { problems_.push_back({field, std::move(message), 0}); }

  static std::string at(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }
  // The configuration file's name of a JSON key: price_tolerance is price-tolerance.
  static std::string file_name(std::string_view key) {
    std::string out(key);
    std::replace(out.begin(), out.end(), '_', '-');
    return out;
  }

  const json::object* object(const json::value* v, const std::string& path, bool required = true) {
    if (v == nullptr || v->is_null()) {
      if (required) problem(path, "missing; expected an object");
      return nullptr;
    }
    if (!v->is_object()) {
      problem(path, "is not an object; expected {...}");
      return nullptr;
    }
    return &v->as_object();
  }
  const json::array* array(const json::object& o, std::string_view key, const std::string& path) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return &empty_;
    if (!v->is_array()) {
      problem(at(path, key), file_name(key) + " is not a list; expected [...]");
      return &empty_;
    }
    return &v->as_array();
  }
  std::string text(const json::object& o, std::string_view key, const std::string& path) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return {};
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());
    if (v->is_uint64()) return std::to_string(v->as_uint64());
    problem(at(path, key), file_name(key) + " is not text; expected a string");
    return {};
  }
  bool flag(const json::object& o, std::string_view key, const std::string& path) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return false;
    if (v->is_bool()) return v->as_bool();
    const std::string t = text(o, key, path);
    if (t == "true" || t == "1") return true;
    if (t != "false" && t != "0" && !t.empty()) {
      problem(at(path, key), file_name(key) + " " + quote(t) + " is not a boolean; expected true or false");
    }
    return false;
  }
  LocalDate date(const json::object& o, std::string_view key, const std::string& path) {
    const std::string t = text(o, key, path);
    auto parsed = parse_date(t);
    if (!parsed) {
      problem(at(path, key), file_name(key) + " " + quote(t) + " is not a valid date; expected YYYY-MM-DD, such as 2026-01-01");
      return {};
    }
    return *parsed;
  }
  // A percentage as the file writes it: at most four digits, two decimals.
  std::uint32_t percentage(const json::object& o, std::string_view key, const std::string& path, std::uint32_t fallback,
                           std::uint32_t max_basis_points) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return fallback;
    std::string t = v->is_double() ? json::serialize(*v) : text(o, key, path);
    const auto dot = t.find('.');
    const std::string whole = t.substr(0, dot);
    const std::string fraction = dot == std::string::npos ? std::string{} : t.substr(dot + 1);
    const auto digits = [](const std::string& s) {
      return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!whole.empty() && whole.size() <= 4 && digits(whole) && fraction.size() <= 2 && digits(fraction) &&
        !(dot != std::string::npos && fraction.empty())) {
      std::uint32_t bp = static_cast<std::uint32_t>(std::stoul(whole)) * 100;
      if (!fraction.empty()) bp += static_cast<std::uint32_t>(std::stoul((fraction + "0").substr(0, 2)));
      if (bp <= max_basis_points) return bp;
    }
    problem(at(path, key), file_name(key) + " " + quote(t) + " is not a valid percentage; expected a number from 0 to " +
                               format_percentage(max_basis_points) + " with at most 2 decimals, such as 15 or 7.5");
    return fallback;
  }
  std::uint64_t whole(const json::object& o, std::string_view key, const std::string& path, std::uint64_t fallback,
                      std::int64_t min, std::int64_t max) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return fallback;
    const std::string t = text(o, key, path);
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec != std::errc() || p != t.data() + t.size() || n < min || n > max) {
      problem(at(path, key), file_name(key) + " " + quote(t) + " is not a whole number from " + std::to_string(min) +
                                 " to " + std::to_string(max) + "; expected a number such as " + std::to_string(fallback));
      return fallback;
    }
    return static_cast<std::uint64_t>(n);
  }
  // A whole number whose range the loader checks, with its own message.
  std::uint32_t count(const json::object& o, std::string_view key, const std::string& path, std::uint32_t fallback) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return fallback;
    const std::string t = text(o, key, path);
    std::uint32_t n = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec != std::errc() || p != t.data() + t.size() || t.empty()) {
      problem(at(path, key), file_name(key) + " " + quote(t) + " is not a whole number; expected a number such as " +
                                 std::to_string(fallback));
      return fallback;
    }
    return n;
  }
  std::optional<Language> language(const std::string& t, const std::string& field) {
    if (t == "nl") return Language::nl;
    if (t == "en") return Language::en;
    problem(field, "language " + quote(t) + " is not supported; expected nl or en");
    return std::nullopt;
  }
  LocalizedText localized(const json::object& o, std::string_view key, const std::string& path) {
    LocalizedText out;
    if (const json::object* t = object(o.if_contains(key), at(path, key), false)) {
      out.nl = text(*t, "nl", at(path, key));
      out.en = text(*t, "en", at(path, key));
    }
    return out;
  }
  unsigned nudges(const json::object& o, std::string_view key, const std::string& path) {
    unsigned mask = 0;
    const json::array& list = *array(o, key, path);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string word = list[i].is_string() ? std::string(list[i].as_string()) : json::serialize(list[i]);
      const auto k = std::find_if(std::begin(kNudgeKinds), std::end(kNudgeKinds),
                                  [&](NudgeKind n) { return word == to_string(n); });
      if (k == std::end(kNudgeKinds)) {
        problem(index(at(path, key), i), quote(word) +
                                             " is unknown; expected a space-separated list of impact, norm, campaign, "
                                             "endorsement or price");
      } else {
        mask |= nudge_bit(*k);
      }
    }
    return mask;
  }
  NormSettings norm(const json::object& o, const std::string& path, const NormSettings& base) {
    // Ranges are the loader's to check, so its messages (why k is at
    // least 5) reach the field; here only the form.
    NormSettings n = base;
    n.threshold_basis_points = percentage(o, "threshold", path, base.threshold_basis_points, 100'000);
    n.min_orders = count(o, "min_orders", path, base.min_orders);
    n.window_days = count(o, "window_days", path, base.window_days);
    return n;
  }

 private:
  std::vector<FieldProblem>& problems_;
  const json::array empty_;
};

std::string strings_text(const json::array& list) {
  std::string out;
  for (const json::value& v : list) out += (out.empty() ? "" : ",") + (v.is_string() ? std::string(v.as_string()) : "");
  return out;
}

std::string category_label(const json::object& c) {
  std::string label = "category " + std::string(c.at("code_system").as_string()) + " " +
                      std::string(c.at("code").as_string()) + " " + std::string(c.at("name").as_string());
  const json::array& departments = c.at("departments").as_array();
  if (!departments.empty()) label += " [" + strings_text(departments) + "]";
  return label;
}

// Which keys of two objects differ, comma-separated.
std::string changed_keys(const json::object& a, const json::object& b) {
  std::string out;
  for (const auto& [key, value] : b) {
    const json::value* old = a.if_contains(key);
    if (old == nullptr || *old != value) out += (out.empty() ? "" : ", ") + std::string(key);
  }
  return out;
}

void diff_list(const json::array& before, const json::array& after, const std::function<std::string(const json::object&)>& key_of,
               const std::function<std::string(const json::object&)>& label_of, std::vector<std::string>& out) {
  std::map<std::string, const json::object*> old;
  for (const json::value& v : before) old[key_of(v.as_object())] = &v.as_object();
  std::map<std::string, bool> seen;
  for (const json::value& v : after) {
    const json::object& o = v.as_object();
    const std::string key = key_of(o);
    seen[key] = true;
    auto it = old.find(key);
    if (it == old.end()) {
      out.push_back(label_of(o) + " added");
    } else if (*it->second != o) {
      out.push_back(label_of(o) + ": " + changed_keys(*it->second, o));
    }
  }
  for (const auto& [key, o] : old) {
    if (!seen.count(key)) out.push_back(label_of(*o) + " removed");
  }
}

}  // namespace

json::object policy_to_json(const Policy& policy, const fs::path& base_dir) {
  json::object out;
  out["organisation"] = json::object{{"name", policy.organisation.name},
                                     {"time_zone", policy.organisation.time_zone},
                                     {"reporting_currency", policy.organisation.reporting_currency},
                                     {"key_file", key_file_text(policy.organisation.key_file, base_dir)}};
  json::array suppliers;
  for (const Supplier& s : policy.suppliers) {
    json::array identifiers, evidence, figures;
    for (const SupplierIdentifier& id : s.identifiers) identifiers.push_back(json::object{{"scheme", id.scheme}, {"value", id.value}});
    for (const Evidence& e : s.evidence) {
      evidence.push_back(json::object{{"kind", to_string(e.kind)},
                                      {"valid_from", format_date(e.valid_from)},
                                      {"valid_until", format_date(e.valid_until)},
                                      {"reference", e.reference}});
    }
    for (const ImpactFigure& f : s.impact.figures) {
      figures.push_back(json::object{{"measure", f.measure}, {"value", f.value}, {"unit", f.unit}});
    }
    suppliers.push_back(json::object{{"id", s.id},
                                     {"name", s.name},
                                     {"social", s.social},
                                     {"identifiers", std::move(identifiers)},
                                     {"evidence", std::move(evidence)},
                                     {"impact", json::object{{"statement", s.impact.statement}, {"figures", std::move(figures)}}}});
  }
  out["suppliers"] = std::move(suppliers);
  json::array categories;
  for (const Category& c : policy.categories) {
    json::array departments, social, campaigns;
    for (const std::string& d : c.departments) departments.emplace_back(d);
    for (const std::string& s : c.social_suppliers) social.emplace_back(s);
    for (const Campaign& k : c.nudges.campaigns) {
      campaigns.push_back(json::object{{"from", format_date(k.from)}, {"until", format_date(k.until)}, {"text", localized(k.text)}});
    }
    json::object nudges{{"shown", nudge_names(c.nudges.shown)},
                        {"norm", c.nudges.norm ? json::value(norm_json(*c.nudges.norm)) : json::value(nullptr)},
                        {"campaigns", std::move(campaigns)},
                        {"endorsement", localized(c.nudges.endorsement)}};
    categories.push_back(json::object{{"code_system", c.code_system},
                                      {"code", c.code},
                                      {"name", c.name},
                                      {"name_en", c.name_en},
                                      {"departments", std::move(departments)},
                                      {"social_suppliers", std::move(social)},
                                      {"strategy", to_string(c.strategy)},
                                      {"price_tolerance", format_percentage(c.price_tolerance_basis_points)},
                                      {"social_shown", c.social_shown},
                                      {"nudges", std::move(nudges)}});
  }
  out["categories"] = std::move(categories);
  json::array department_languages;
  for (const auto& [department, language] : policy.nudges.department_languages) {
    department_languages.push_back(json::object{{"name", department}, {"language", to_string(language)}});
  }
  out["nudges"] = json::object{{"language", to_string(policy.nudges.default_language)},
                               {"department_languages", std::move(department_languages)},
                               {"norm", norm_json(policy.nudges.norm)},
                               {"endorsement", localized(policy.nudges.endorsement)},
                               {"templates", json::object{{"impact", localized(policy.nudges.impact_template)},
                                                          {"norm", localized(policy.nudges.norm_template)},
                                                          {"price", localized(policy.nudges.price_template)}}}};
  json::array experiments;
  for (const Experiment& x : policy.experiments) {
    json::array cats, arms;
    for (const auto& [system, code] : x.categories) cats.push_back(json::object{{"code_system", system}, {"code", code}});
    for (const ExperimentArm& a : x.arms) {
      arms.push_back(json::object{{"name", a.name}, {"weight", a.weight}, {"control", a.control}, {"nudges", nudge_names(a.nudges)}});
    }
    experiments.push_back(json::object{{"id", x.id},
                                       {"from", format_date(x.from)},
                                       {"until", format_date(x.until)},
                                       {"minimum_effect", format_percentage(x.minimum_effect_basis_points)},
                                       {"categories", std::move(cats)},
                                       {"arms", std::move(arms)}});
  }
  out["experiments"] = std::move(experiments);
  return out;
}

Policy policy_from_json(const json::value& value, const fs::path& base_dir, std::vector<FieldProblem>& problems) {
  Reader r(problems);
  Policy policy;
  const json::object* root = r.object(&value, "");
  if (root == nullptr) return policy;

  if (const json::object* org = r.object(root->if_contains("organisation"), "organisation")) {
    policy.organisation.name = r.text(*org, "name", "organisation");
    policy.organisation.time_zone = r.text(*org, "time_zone", "organisation");
    policy.organisation.reporting_currency = r.text(*org, "reporting_currency", "organisation");
    const fs::path key = r.text(*org, "key_file", "organisation");
    policy.organisation.key_file = key.is_absolute() ? key : base_dir / key;
  }

  const json::array& suppliers = *r.array(*root, "suppliers", "");
  for (std::size_t i = 0; i < suppliers.size(); ++i) {
    const std::string path = Reader::index("suppliers", i);
    const json::object* o = r.object(&suppliers[i], path);
    if (o == nullptr) continue;
    Supplier s;
    s.id = r.text(*o, "id", path);
    s.name = r.text(*o, "name", path);
    s.social = r.flag(*o, "social", path);
    const json::array& ids = *r.array(*o, "identifiers", path);
    for (std::size_t k = 0; k < ids.size(); ++k) {
      const std::string p = Reader::index(Reader::at(path, "identifiers"), k);
      if (const json::object* id = r.object(&ids[k], p)) s.identifiers.push_back({r.text(*id, "scheme", p), r.text(*id, "value", p)});
    }
    const json::array& evidence = *r.array(*o, "evidence", path);
    for (std::size_t k = 0; k < evidence.size(); ++k) {
      const std::string p = Reader::index(Reader::at(path, "evidence"), k);
      const json::object* e = r.object(&evidence[k], p);
      if (e == nullptr) continue;
      Evidence ev;
      const std::string kind = r.text(*e, "kind", p);
      const auto found = std::find_if(std::begin(kEvidenceKinds), std::end(kEvidenceKinds),
                                      [&](EvidenceKind x) { return kind == to_string(x); });
      if (found == std::end(kEvidenceKinds)) {
        r.problem(Reader::at(p, "kind"), "evidence kind " + quote(kind) +
                                             " is unknown; expected one of pso-1, pso-2, pso-3, pso-30plus, "
                                             "code-sociale-ondernemingen, sheltered-employer, other");
      } else {
        ev.kind = *found;
      }
      ev.valid_from = r.date(*e, "valid_from", p);
      ev.valid_until = r.date(*e, "valid_until", p);
      ev.reference = r.text(*e, "reference", p);
      s.evidence.push_back(std::move(ev));
    }
    if (const json::object* impact = r.object(o->if_contains("impact"), Reader::at(path, "impact"), false)) {
      const std::string p = Reader::at(path, "impact");
      s.impact.statement = r.text(*impact, "statement", p);
      const json::array& figures = *r.array(*impact, "figures", p);
      for (std::size_t k = 0; k < figures.size(); ++k) {
        const std::string fp = Reader::index(Reader::at(p, "figures"), k);
        if (const json::object* f = r.object(&figures[k], fp)) {
          ImpactFigure figure{r.text(*f, "measure", fp), 0, r.text(*f, "unit", fp)};
          figure.value = static_cast<std::int64_t>(r.whole(*f, "value", fp, 0, 0, 1'000'000'000));
          s.impact.figures.push_back(std::move(figure));
        }
      }
    }
    policy.suppliers.push_back(std::move(s));
  }

  // The organisation's norm first: a category's norm starts from it.
  if (const json::object* n = r.object(root->if_contains("nudges"), "nudges", false)) {
    NudgeSettings& settings = policy.nudges;
    if (auto l = r.language(r.text(*n, "language", "nudges"), "nudges.language")) settings.default_language = *l;
    const json::array& departments = *r.array(*n, "department_languages", "nudges");
    for (std::size_t k = 0; k < departments.size(); ++k) {
      const std::string p = Reader::index("nudges.department_languages", k);
      if (const json::object* d = r.object(&departments[k], p)) {
        if (auto l = r.language(r.text(*d, "language", p), Reader::at(p, "language"))) {
          settings.department_languages.emplace_back(r.text(*d, "name", p), *l);
        }
      }
    }
    if (const json::object* norm = r.object(n->if_contains("norm"), "nudges.norm", false)) {
      settings.norm = r.norm(*norm, "nudges.norm", NormSettings{});
    }
    settings.endorsement = r.localized(*n, "endorsement", "nudges");
    if (const json::object* t = r.object(n->if_contains("templates"), "nudges.templates", false)) {
      settings.impact_template = r.localized(*t, "impact", "nudges.templates");
      settings.norm_template = r.localized(*t, "norm", "nudges.templates");
      settings.price_template = r.localized(*t, "price", "nudges.templates");
    }
  }

  const json::array& categories = *r.array(*root, "categories", "");
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const std::string path = Reader::index("categories", i);
    const json::object* o = r.object(&categories[i], path);
    if (o == nullptr) continue;
    Category c;
    c.code_system = r.text(*o, "code_system", path);
    c.code = r.text(*o, "code", path);
    c.name = r.text(*o, "name", path);
    c.name_en = r.text(*o, "name_en", path);
    for (const json::value& d : *r.array(*o, "departments", path)) c.departments.emplace_back(d.is_string() ? d.as_string() : "");
    for (const json::value& s : *r.array(*o, "social_suppliers", path)) c.social_suppliers.emplace_back(s.is_string() ? s.as_string() : "");
    const std::string strategy = r.text(*o, "strategy", path);
    if (strategy == "rotate") {
      c.strategy = Strategy::rotate;
    } else if (strategy != "fixed" && !strategy.empty()) {
      r.problem(Reader::at(path, "strategy"), "strategy " + quote(strategy) + " is unknown; expected fixed or rotate");
    }
    c.price_tolerance_basis_points = r.percentage(*o, "price_tolerance", path, 0, 100'000);
    c.social_shown = static_cast<unsigned>(r.whole(*o, "social_shown", path, 3, 1, 1000));
    if (const json::object* n = r.object(o->if_contains("nudges"), Reader::at(path, "nudges"), false)) {
      const std::string p = Reader::at(path, "nudges");
      if (n->contains("shown")) c.nudges.shown = r.nudges(*n, "shown", p);
      if (const json::object* norm = r.object(n->if_contains("norm"), Reader::at(p, "norm"), false)) {
        c.nudges.norm = r.norm(*norm, Reader::at(p, "norm"), policy.nudges.norm);
      }
      const json::array& campaigns = *r.array(*n, "campaigns", p);
      for (std::size_t k = 0; k < campaigns.size(); ++k) {
        const std::string cp = Reader::index(Reader::at(p, "campaigns"), k);
        if (const json::object* k_o = r.object(&campaigns[k], cp)) {
          Campaign campaign;
          campaign.from = r.date(*k_o, "from", cp);
          campaign.until = r.date(*k_o, "until", cp);
          campaign.text = r.localized(*k_o, "text", cp);
          c.nudges.campaigns.push_back(std::move(campaign));
        }
      }
      c.nudges.endorsement = r.localized(*n, "endorsement", p);
    }
    policy.categories.push_back(std::move(c));
  }

  const json::array& experiments = *r.array(*root, "experiments", "");
  for (std::size_t i = 0; i < experiments.size(); ++i) {
    const std::string path = Reader::index("experiments", i);
    const json::object* o = r.object(&experiments[i], path);
    if (o == nullptr) continue;
    Experiment x;
    x.id = r.text(*o, "id", path);
    x.from = r.date(*o, "from", path);
    x.until = r.date(*o, "until", path);
    x.minimum_effect_basis_points = r.percentage(*o, "minimum_effect", path, 500, 10000);
    const json::array& cats = *r.array(*o, "categories", path);
    for (std::size_t k = 0; k < cats.size(); ++k) {
      const std::string p = Reader::index(Reader::at(path, "categories"), k);
      if (const json::object* c = r.object(&cats[k], p)) {
        std::string system = r.text(*c, "code_system", p);
        x.categories.emplace_back(system.empty() ? "CPV" : system, r.text(*c, "code", p));
      }
    }
    const json::array& arms = *r.array(*o, "arms", path);
    for (std::size_t k = 0; k < arms.size(); ++k) {
      const std::string p = Reader::index(Reader::at(path, "arms"), k);
      if (const json::object* a = r.object(&arms[k], p)) {
        ExperimentArm arm;
        arm.name = r.text(*a, "name", p);
        arm.weight = static_cast<std::uint32_t>(r.whole(*a, "weight", p, 1, 1, 1'000'000));
        arm.control = r.flag(*a, "control", p);
        arm.nudges = r.nudges(*a, "nudges", p);
        x.arms.push_back(std::move(arm));
      }
    }
    policy.experiments.push_back(std::move(x));
  }
  return policy;
}

namespace {

// The JSON key and whether the element repeats, by element name; the
// containers (suppliers, categories, experiments, departments) are the list.
void walk(pugi::xml_node node, const std::string& path, const std::string& source, std::map<int, std::pair<std::string, pugi::xml_node>>& lines) {
  const auto line_of = [&](pugi::xml_node n) {
    const auto offset = static_cast<std::size_t>(n.offset_debug());
    return 1 + static_cast<int>(std::count(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(std::min(offset, source.size())), '\n'));
  };
  lines.emplace(line_of(node), std::make_pair(path, node));
  const std::string name = node.name();
  const bool container = name == "suppliers" || name == "experiments" || name == "departments" ||
                         (name == "categories" && std::string(node.parent().name()) == "configuration");
  std::map<std::string, std::size_t> counters;
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string c = child.name();
    std::string key = c;
    bool repeats = false;
    if (c == "name" && std::string_view(child.attribute("language").value()) == "en") key = "name_en";
    if (c == "identifier") key = "identifiers", repeats = true;
    if (c == "evidence") repeats = true;
    if (c == "figure") key = "figures", repeats = true;
    if (c == "social-supplier") key = "social_suppliers", repeats = true;
    if (c == "campaign") key = "campaigns", repeats = true;
    if (c == "arm") key = "arms", repeats = true;
    if (c == "category" && name == "experiment") key = "categories", repeats = true;
    if (c == "department" && name == "nudges") key = "department_languages", repeats = true;
    std::string child_path;
    if (container) {
      child_path = path + "[" + std::to_string(counters[c]++) + "]";
    } else if (c == "suppliers" || c == "categories" || c == "experiments") {
      child_path = c;
    } else if (c == "text" || c == "endorsement") {
      child_path = Reader::at(path, c == "text" ? "text" : "endorsement") + "." + child.attribute("language").value();
    } else if (c == "template") {
      child_path = Reader::at(path, "templates") + "." + child.attribute("kind").value() + "." +
                   child.attribute("language").value();
    } else {
      child_path = Reader::at(path, key);
      if (repeats) child_path += "[" + std::to_string(counters[c]++) + "]";
    }
    walk(child, child_path, source, lines);
  }
}

}  // namespace

std::vector<FieldProblem> map_loader_problems(std::string_view xml, std::string_view loader_text) {
  const std::string source(xml);
  pugi::xml_document doc;
  std::map<int, std::pair<std::string, pugi::xml_node>> lines;
  if (doc.load_buffer(source.data(), source.size(), pugi::parse_default)) {
    if (pugi::xml_node root = doc.document_element()) {
      for (pugi::xml_node child : root.children()) {
        if (child.type() == pugi::node_element) {
          const std::string c = child.name();
          walk(child, c, source, lines);
        }
      }
    }
  }
  std::vector<FieldProblem> out;
  std::size_t start = 0;
  while (start < loader_text.size()) {
    std::size_t end = loader_text.find('\n', start);
    if (end == std::string_view::npos) end = loader_text.size();
    const std::string_view text = loader_text.substr(start, end - start);
    start = end + 1;
    if (text.empty()) continue;
    FieldProblem problem{"", std::string(text), 0};
    // "file:line: subject: problem"
    const std::size_t first = text.find(':');
    const std::size_t second = first == std::string_view::npos ? first : text.find(':', first + 1);
    if (second != std::string_view::npos) {
      std::from_chars(text.data() + first + 1, text.data() + second, problem.line);
    }
    if (auto it = lines.find(problem.line); it != lines.end()) {
      problem.field = it->second.first;
      // The attribute the problem is about: the first one its text names.
      const std::string_view rest = second == std::string_view::npos ? text : text.substr(second + 1);
      const std::size_t colon = rest.find(": ");
      const std::string_view what = colon == std::string_view::npos ? rest : rest.substr(colon + 2);
      std::size_t best = std::string_view::npos;
      std::string best_name;
      for (pugi::xml_attribute a : it->second.second.attributes()) {
        const std::string name = a.name();
        if (name == "xmlns") continue;
        std::size_t at = what.rfind(name + " ", 0) == 0 ? 0 : what.find(" " + name + " ");
        if (at == std::string_view::npos) at = what.find("\"" + name + "\"");
        // Some messages name the attribute in words: time zone "Europe/Atlantis": unknown zone.
        if (std::string words = name; words.find('-') != std::string::npos) {
          std::replace(words.begin(), words.end(), '-', ' ');
          at = std::min(at, what.rfind(words + " ", 0) == 0 ? 0 : what.find(" " + words + " "));
        }
        if (at < best) best = at, best_name = name;
      }
      if (!best_name.empty()) {
        std::replace(best_name.begin(), best_name.end(), '-', '_');
        problem.field += "." + best_name;
      }
    }
    out.push_back(std::move(problem));
  }
  return out;
}

std::string describe_change(const json::object& before, const json::object& after) {
  std::vector<std::string> parts;
  const auto text_of = [](const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string{};
  };
  const auto section = [&](std::string_view key) {
    const json::value* a = before.if_contains(key);
    const json::value* b = after.if_contains(key);
    if (a == nullptr || b == nullptr || !a->is_object() || !b->is_object()) return;
    if (*a != *b) parts.push_back(std::string(key) + ": " + changed_keys(a->as_object(), b->as_object()));
  };
  const auto list = [&](std::string_view key) -> const json::array& {
    static const json::array empty;
    const json::value* v = after.if_contains(key);
    return v != nullptr && v->is_array() ? v->as_array() : empty;
  };
  const auto old_list = [&](std::string_view key) -> const json::array& {
    static const json::array empty;
    const json::value* v = before.if_contains(key);
    return v != nullptr && v->is_array() ? v->as_array() : empty;
  };
  section("organisation");
  diff_list(old_list("suppliers"), list("suppliers"), [&](const json::object& o) { return text_of(o, "id"); },
            [&](const json::object& o) { return "supplier " + text_of(o, "id"); }, parts);
  diff_list(
      old_list("categories"), list("categories"),
      [&](const json::object& o) {
        return text_of(o, "code_system") + " " + text_of(o, "code") + " " + strings_text(o.at("departments").as_array());
      },
      category_label, parts);
  section("nudges");
  diff_list(old_list("experiments"), list("experiments"), [&](const json::object& o) { return text_of(o, "id"); },
            [&](const json::object& o) { return "experiment " + text_of(o, "id"); }, parts);
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  if (out.empty()) out = "no change";
  if (out.size() > 1000) out.replace(997, std::string::npos, "...");
  return out;
}

}  // namespace socialdefault::gateway
