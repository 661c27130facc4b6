#include "mapping.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include <pugixml.hpp>

#include "encoding.hpp"
#include "fast_scan.hpp"
#include "socialdefault/money.hpp"

namespace socialdefault::soap {

namespace {

std::vector<std::string> split_literals(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_xml_space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_xml_space(text[i])) ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

// The rules for one field element of the mapping.
struct FieldRules {
  bool path_required = true;
  bool value_allowed = false;       // value="EUR" instead of a path (currencies)
  bool from_allowed = false;
  Side default_from = Side::response;
  Path::Ends ends = Path::Ends::element_or_attribute;
  bool leaf = true;                 // no child elements
  std::vector<std::string> extra_attributes;  // handled by the caller
};

class Loader {
 public:
  Loader(std::string_view xml, std::string file) : xml_(xml), file_(std::move(file)) {}

  Result<std::shared_ptr<const Mapping>> run();

 private:
  using Children = std::map<std::string, std::vector<pugi::xml_node>, std::less<>>;

  int line_of(pugi::xml_node node) const;
  void problem(pugi::xml_node node, const std::string& field, const std::string& text);
  void problem_at(int line, const std::string& field, const std::string& text);

  Children children(pugi::xml_node parent, const std::string& field, const std::vector<std::string>& allowed,
                    const std::vector<std::string>& repeatable = {});
  void check_attributes(pugi::xml_node node, const std::string& field, const std::vector<std::string>& allowed);
  static pugi::xml_node one(const Children& c, std::string_view name);
  pugi::xml_node required(const Children& c, pugi::xml_node parent, const std::string& field, std::string_view name,
                          const std::string& expected);

  Field read_field(pugi::xml_node node, const std::string& name, const FieldRules& rules);
  std::optional<ExpandedName> read_element_name(pugi::xml_node node, const std::string& field);
  std::optional<Path> compile(pugi::xml_node node, const std::string& field, const char* attribute,
                              Path::Ends ends);
  CategoryField read_category(pugi::xml_node node, const std::string& field, Side default_from);
  std::vector<IdentifierField> read_identifiers(const std::vector<pugi::xml_node>& nodes, const std::string& field);

  void read_namespaces(const std::vector<pugi::xml_node>& nodes);
  ShortlistMapping read_shortlist(pugi::xml_node node);
  CandidateMapping read_candidates(pugi::xml_node node);
  OrderMapping read_order(pugi::xml_node node);
  void check_currency(const Field& amount, const Field& currency, const std::string& section);
  void check_from(const Field& f, Side side, bool declared, const std::string& section, const char* element);
  void check_distinct(const std::vector<const Field*>& fields);

  std::string_view xml_;
  std::string file_;
  pugi::xml_document doc_;
  std::vector<std::pair<int, std::string>> problems_;
  NamespaceTable namespaces_;
};

int Loader::line_of(pugi::xml_node node) const {
  const std::ptrdiff_t offset = node.offset_debug();
  if (offset < 0) return 0;
  const auto end = xml_.begin() + std::min<std::ptrdiff_t>(offset, static_cast<std::ptrdiff_t>(xml_.size()));
  return 1 + static_cast<int>(std::count(xml_.begin(), end, '\n'));
}

void Loader::problem(pugi::xml_node node, const std::string& field, const std::string& text) {
  problem_at(line_of(node), field, text);
}

void Loader::problem_at(int line, const std::string& field, const std::string& text) {
  problems_.emplace_back(line, field.empty() ? text : field + ": " + text);
}

Loader::Children Loader::children(pugi::xml_node parent, const std::string& field,
                                  const std::vector<std::string>& allowed, const std::vector<std::string>& repeatable) {
  Children out;
  for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      const std::string_view text = trim_xml_space(child.value());
      if (!text.empty()) problem(parent, field, "unexpected text " + in_quotes(text) + "; expected only elements");
      continue;
    }
    if (child.type() != pugi::node_element) continue;
    const auto ns = element_namespace(child);
    const std::string local(split_name(child.name()).local);
    if (!ns || *ns != kMappingNamespace) {
      problem(child, field,
              "element <" + std::string(child.name()) + "> is in namespace " + in_quotes(ns ? *ns : "(undeclared)") +
                  "; expected elements of " + std::string(kMappingNamespace));
      continue;
    }
    if (allowed.empty()) {
      problem(child, field, "unexpected element <" + local + ">; expected no child elements");
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), local) == allowed.end()) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      problem(child, field, "unknown element <" + local + ">; expected one of: " + list);
      continue;
    }
    auto& seen = out[local];
    if (!seen.empty() && std::find(repeatable.begin(), repeatable.end(), local) == repeatable.end()) {
      problem(child, field.empty() ? local : field + "/" + local,
              "appears more than once (first at line " + std::to_string(line_of(seen.front())) +
                  "); expected it once");
      continue;
    }
    seen.push_back(child);
  }
  return out;
}

void Loader::check_attributes(pugi::xml_node node, const std::string& field, const std::vector<std::string>& allowed) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    if (is_namespace_declaration(a)) continue;
    if (!split_name(a.name()).prefix.empty()) continue;  // xsi:schemaLocation and the like
    if (std::find(allowed.begin(), allowed.end(), a.name()) != allowed.end()) continue;
    std::string list;
    for (const std::string& s : allowed) list += (list.empty() ? "" : ", ") + s;
    problem(node, field,
            "unknown attribute " + in_quotes(a.name()) + "; expected " + (list.empty() ? "none" : "one of: " + list));
  }
}

pugi::xml_node Loader::one(const Children& c, std::string_view name) {
  const auto it = c.find(name);
  return it == c.end() || it->second.empty() ? pugi::xml_node() : it->second.front();
}

pugi::xml_node Loader::required(const Children& c, pugi::xml_node parent, const std::string& field,
                                std::string_view name, const std::string& expected) {
  pugi::xml_node n = one(c, name);
  if (!n) problem(parent, field, "<" + std::string(name) + "> is missing; expected " + expected);
  return n;
}

std::optional<Path> Loader::compile(pugi::xml_node node, const std::string& field, const char* attribute,
                                    Path::Ends ends) {
  Path::Compiled compiled = Path::compile(node.attribute(attribute).value(), namespaces_, ends);
  if (!compiled.path) {
    problem(node, field, std::string(attribute) + "=" + in_quotes(node.attribute(attribute).value()) + ": " + compiled.problem);
    return std::nullopt;
  }
  return std::move(compiled.path);
}

Field Loader::read_field(pugi::xml_node node, const std::string& name, const FieldRules& rules) {
  Field f;
  f.name = name;
  f.line = line_of(node);
  f.from = rules.default_from;
  std::vector<std::string> allowed = {"path"};
  if (rules.value_allowed) allowed.push_back("value");
  if (rules.from_allowed) allowed.push_back("from");
  allowed.insert(allowed.end(), rules.extra_attributes.begin(), rules.extra_attributes.end());
  check_attributes(node, name, allowed);
  if (rules.leaf) children(node, name, {});

  const pugi::xml_attribute path = node.attribute("path");
  const pugi::xml_attribute value = rules.value_allowed ? node.attribute("value") : pugi::xml_attribute();
  if (path && value) {
    problem(node, name, "has both path and value; expected one of them");
  } else if (value) {
    const std::string v = value.value();
    if (!is_currency_code(v)) {
      problem(node, name, "value " + in_quotes(v) + " is not an ISO 4217 currency code; expected three capital "
                          "letters such as EUR");
    }
    f.fixed = v;
  } else if (path) {
    f.path = compile(node, name, "path", rules.ends);
  } else if (rules.path_required) {
    problem(node, name,
            rules.value_allowed ? "has neither path nor value; expected path=\"...\" or a fixed value=\"EUR\""
                                : "attribute \"path\" is missing; expected a path such as prefix:Element or "
                                  "prefix:Element/@attribute");
  }
  if (rules.from_allowed) {
    if (const pugi::xml_attribute from = node.attribute("from")) {
      const std::string_view v = from.value();
      if (v == "request") {
        f.from = Side::request;
      } else if (v == "response") {
        f.from = Side::response;
      } else {
        problem(node, name, "from=" + in_quotes(v) + "; expected \"request\" or \"response\"");
      }
    }
  }
  return f;
}

std::optional<ExpandedName> Loader::read_element_name(pugi::xml_node node, const std::string& field) {
  check_attributes(node, field, {"element"});
  const pugi::xml_attribute element = node.attribute("element");
  if (!element) {
    problem(node, field, "attribute \"element\" is missing; expected the payload element, e.g. element=\"erp:Name\"");
    return std::nullopt;
  }
  NameOrProblem name = compile_name(element.value(), namespaces_);
  if (!name.name) {
    problem(node, field, "element " + in_quotes(element.value()) + ": " + name.problem);
    return std::nullopt;
  }
  return std::move(name.name);
}

CategoryField Loader::read_category(pugi::xml_node node, const std::string& field, Side default_from) {
  CategoryField c;
  FieldRules rules;
  rules.from_allowed = true;
  rules.default_from = default_from;
  rules.extra_attributes = {"system", "system-path"};
  c.code = read_field(node, field, rules);
  c.system = Field{field + "/system", c.code.line, std::nullopt, {}, c.code.from};
  const pugi::xml_attribute fixed = node.attribute("system");
  const pugi::xml_attribute path = node.attribute("system-path");
  if (fixed && path) {
    problem(node, field, "has both system and system-path; expected one of them");
  } else if (path) {
    c.system.path = compile(node, field, "system-path", Path::Ends::element_or_attribute);
  } else if (fixed) {
    if (std::string_view(fixed.value()).empty()) {
      problem(node, field, "system is empty; expected a code system such as CPV");
    }
    c.system.fixed = fixed.value();
  }
  return c;
}

std::vector<IdentifierField> Loader::read_identifiers(const std::vector<pugi::xml_node>& nodes,
                                                      const std::string& field) {
  std::vector<IdentifierField> out;
  for (pugi::xml_node node : nodes) {
    FieldRules rules;
    rules.extra_attributes = {"scheme"};
    IdentifierField id;
    id.scheme = node.attribute("scheme").value();
    id.field = read_field(node, field, rules);
    if (id.scheme.empty()) {
      problem(node, field, "attribute \"scheme\" is missing or empty; expected a scheme such as kvk");
      continue;
    }
    id.field.name = field + "[" + id.scheme + "]";
    const bool twice = std::any_of(out.begin(), out.end(), [&](const IdentifierField& o) { return o.scheme == id.scheme; });
    if (twice) {
      problem(node, field, "scheme " + in_quotes(id.scheme) + " is mapped twice; expected each scheme once");
      continue;
    }
    out.push_back(std::move(id));
  }
  return out;
}

void Loader::read_namespaces(const std::vector<pugi::xml_node>& nodes) {
  std::map<std::string, int, std::less<>> lines;
  for (pugi::xml_node node : nodes) {
    check_attributes(node, "namespace", {"prefix", "uri"});
    const std::string prefix = node.attribute("prefix").value();
    const std::string uri = node.attribute("uri").value();
    const std::string field = "namespace " + (prefix.empty() ? std::string("(no prefix)") : prefix);
    // A prefix that is a valid name is registered even when its declaration
    // has another problem, so its uses do not each report it again.
    bool usable = true;
    if (prefix.empty()) {
      problem(node, field, "attribute \"prefix\" is missing or empty; expected a prefix such as erp");
      usable = false;
    } else if (!compile_name(prefix, {}).name || prefix.find(':') != std::string::npos) {
      problem(node, field, "prefix " + in_quotes(prefix) + " is not an XML name; expected letters, digits, - _ .");
      usable = false;
    } else if (prefix == "xml" || prefix == "xmlns") {
      problem(node, field, "prefix " + in_quotes(prefix) + " is reserved by XML; expected another prefix");
    } else if (const auto it = lines.find(prefix); it != lines.end()) {
      problem(node, field, "prefix is declared twice (first at line " + std::to_string(it->second) +
                               "); expected each prefix once");
      usable = false;
    }
    if (uri.empty()) {
      problem(node, field, "attribute \"uri\" is missing or empty; expected the namespace URI the prefix stands for");
    }
    if (usable) {
      lines.emplace(prefix, line_of(node));
      namespaces_.emplace_back(prefix, uri);
    }
  }
}

void Loader::check_currency(const Field& amount, const Field& currency, const std::string& section) {
  // currency.line is 0 when there is no <currency> at all; a <currency>
  // with a problem of its own has been reported already.
  if (amount.mapped() && currency.line == 0) {
    problem_at(amount.line, amount.name,
               "has no currency; expected a <currency> (a path, or a fixed value=\"EUR\") in <" + section + ">");
  }
}

void Loader::check_from(const Field& f, Side side, bool declared, const std::string& section, const char* element) {
  if (f.mapped() && f.path && f.from == side && !declared) {
    const std::string side_name = side == Side::request ? "request" : "response";
    problem_at(f.line, f.name,
               "is read from the " + side_name + " (from=\"" + side_name + "\"), so <" + section + "> needs <" +
                   element + " element=\"...\"/>");
  }
}

CandidateMapping Loader::read_candidates(pugi::xml_node node) {
  const std::string field = "shortlist/candidates";
  CandidateMapping c;
  c.line = line_of(node);
  check_attributes(node, field, {"path"});
  if (!node.attribute("path")) {
    problem(node, field, "attribute \"path\" is missing; expected the path from the response payload to each "
                         "candidate, e.g. erp:Suppliers/erp:Supplier");
  } else if (auto p = compile(node, field, "path", Path::Ends::element)) {
    c.elements = std::move(*p);
  }
  const Children kids = children(node, field, {"id", "name", "price", "currency", "preselected", "note", "identifier"},
                                 {"identifier"});
  FieldRules plain;
  if (pugi::xml_node n = required(kids, node, field, "id", "the path to the supplier id, e.g. <id path=\"erp:SupplierId\"/>")) {
    c.id = read_field(n, field + "/id", plain);
  }
  if (pugi::xml_node n = one(kids, "name")) c.name = read_field(n, field + "/name", plain);
  if (pugi::xml_node n = one(kids, "price")) c.price = read_field(n, field + "/price", plain);
  if (pugi::xml_node n = one(kids, "currency")) {
    FieldRules currency;
    currency.value_allowed = true;
    c.currency = read_field(n, field + "/currency", currency);
  }
  check_currency(c.price, c.currency, "candidates");
  if (pugi::xml_node n = required(kids, node, field, "preselected",
                                  "the path to the preselected flag, e.g. <preselected path=\"erp:Preselected\" "
                                  "true=\"true\" false=\"false\"/>")) {
    FieldRules rules;
    rules.extra_attributes = {"true", "false"};
    const std::string name = field + "/preselected";
    c.preselected = read_field(n, name, rules);
    c.true_literals = split_literals(n.attribute("true").value());
    c.false_literals = split_literals(n.attribute("false").value());
    if (c.true_literals.empty()) {
      problem(n, name, "attribute \"true\" is missing or empty; expected the literal(s) meaning true, e.g. true=\"true 1\"");
    }
    if (c.false_literals.empty()) {
      problem(n, name, "attribute \"false\" is missing or empty; expected the literal(s) meaning false, e.g. false=\"false 0\"");
    }
    for (const std::string& t : c.true_literals) {
      if (std::find(c.false_literals.begin(), c.false_literals.end(), t) != c.false_literals.end()) {
        problem(n, name, in_quotes(t) + " is both a true and a false literal; expected distinct literals");
      }
    }
  }
  if (pugi::xml_node n = one(kids, "note")) {
    FieldRules rules;
    rules.extra_attributes = {"separator"};
    c.note = read_field(n, field + "/note", rules);
    if (n.attribute("separator")) c.note_separator = n.attribute("separator").value();
  }
  if (auto it = kids.find("identifier"); it != kids.end()) c.identifiers = read_identifiers(it->second, field + "/identifier");
  std::vector<const Field*> written = {&c.id, &c.name, &c.preselected, &c.note};
  for (const IdentifierField& idf : c.identifiers) written.push_back(&idf.field);
  check_distinct(written);
  return c;
}

// Fields that socialdefault writes must each have their own element or
// attribute: two values written into one place would garble both.
void Loader::check_distinct(const std::vector<const Field*>& fields) {
  for (std::size_t j = 0; j < fields.size(); ++j) {
    for (std::size_t i = 0; i < j; ++i) {
      const Field& a = *fields[i];
      const Field& b = *fields[j];
      if (!a.path || !b.path) continue;
      if (a.path->steps() == b.path->steps() && a.path->attribute() == b.path->attribute()) {
        problem_at(b.line, b.name,
                   "has the same path as " + a.name + " (" + in_quotes(b.path->text()) +
                       "); expected its own element or attribute, since socialdefault writes into it");
      }
    }
  }
}

ShortlistMapping Loader::read_shortlist(pugi::xml_node node) {
  const std::string field = "shortlist";
  ShortlistMapping s;
  check_attributes(node, field, {});
  const Children kids = children(node, field, {"request", "response", "candidates", "message-note", "correlation-id",
                                               "category", "requester", "department", "language"});
  if (pugi::xml_node n = one(kids, "request")) s.request = read_element_name(n, field + "/request");
  if (pugi::xml_node n = required(kids, node, field, "response",
                                  "the payload element that carries the shortlist, e.g. <response element=\"erp:GetSupplierShortlistResponse\"/>")) {
    if (auto name = read_element_name(n, field + "/response")) s.response = std::move(*name);
  }
  if (pugi::xml_node n = required(kids, node, field, "candidates",
                                  "<candidates path=\"...\"> with the fields of each candidate")) {
    s.candidates = read_candidates(n);
  }
  if (pugi::xml_node n = one(kids, "message-note")) {
    FieldRules rules;
    rules.extra_attributes = {"separator"};
    s.message_note = read_field(n, field + "/message-note", rules);
    if (n.attribute("separator")) s.message_note_separator = n.attribute("separator").value();
  }
  FieldRules context;
  context.from_allowed = true;
  if (pugi::xml_node n = one(kids, "correlation-id")) s.correlation_id = read_field(n, field + "/correlation-id", context);
  if (pugi::xml_node n = one(kids, "category")) s.category = read_category(n, field + "/category", Side::response);
  if (pugi::xml_node n = one(kids, "requester")) s.requester = read_field(n, field + "/requester", context);
  if (pugi::xml_node n = one(kids, "department")) s.department = read_field(n, field + "/department", context);
  if (pugi::xml_node n = one(kids, "language")) s.language = read_field(n, field + "/language", context);
  std::vector<const Field*> on_response = {&s.message_note};
  for (const Field* f :
       {&s.correlation_id, &s.category.code, &s.category.system, &s.requester, &s.department, &s.language}) {
    check_from(*f, Side::request, s.request.has_value(), field, "request");
    if (f->from == Side::response) on_response.push_back(f);
  }
  // The message note is written into the response: not where context is read.
  for (std::size_t i = 1; i < on_response.size(); ++i) check_distinct({on_response[i], on_response[0]});
  return s;
}

OrderMapping Loader::read_order(pugi::xml_node node) {
  const std::string field = "order";
  OrderMapping o;
  check_attributes(node, field, {});
  const Children kids = children(node, field,
                                 {"request", "response", "correlation-id", "category", "requester", "department",
                                  "supplier", "identifier", "amount", "currency", "description", "order-number",
                                  "status"},
                                 {"identifier"});
  if (pugi::xml_node n = required(kids, node, field, "request",
                                  "the payload element of the order, e.g. <request element=\"erp:SubmitRequisition\"/>")) {
    if (auto name = read_element_name(n, field + "/request")) o.request = std::move(*name);
  }
  if (pugi::xml_node n = one(kids, "response")) o.response = read_element_name(n, field + "/response");
  FieldRules context;
  context.from_allowed = true;
  context.default_from = Side::request;
  if (pugi::xml_node n = one(kids, "correlation-id")) o.correlation_id = read_field(n, field + "/correlation-id", context);
  if (pugi::xml_node n = one(kids, "category")) o.category = read_category(n, field + "/category", Side::request);
  if (pugi::xml_node n = one(kids, "requester")) o.requester = read_field(n, field + "/requester", context);
  if (pugi::xml_node n = one(kids, "department")) o.department = read_field(n, field + "/department", context);
  if (pugi::xml_node n = required(kids, node, field, "supplier",
                                  "the path to the chosen supplier's id, e.g. <supplier path=\"erp:SupplierId\"/>")) {
    o.supplier = read_field(n, field + "/supplier", context);
  }
  if (auto it = kids.find("identifier"); it != kids.end()) {
    o.supplier_identifiers = read_identifiers(it->second, field + "/identifier");
    for (IdentifierField& id : o.supplier_identifiers) id.field.from = Side::request;
  }
  if (pugi::xml_node n = one(kids, "amount")) o.amount = read_field(n, field + "/amount", context);
  if (pugi::xml_node n = one(kids, "currency")) {
    FieldRules currency = context;
    currency.value_allowed = true;
    o.currency = read_field(n, field + "/currency", currency);
  }
  check_currency(o.amount, o.currency, "order");
  if (pugi::xml_node n = one(kids, "description")) o.description = read_field(n, field + "/description", context);
  FieldRules response;
  if (pugi::xml_node n = one(kids, "order-number")) o.order_number = read_field(n, field + "/order-number", response);
  if (pugi::xml_node n = one(kids, "status")) {
    const std::string name = field + "/status";
    FieldRules status = response;
    status.leaf = false;
    o.status = read_field(n, name, status);
    const Children rejected = children(n, name, {"rejected"}, {"rejected"});
    if (auto it = rejected.find("rejected"); it != rejected.end()) {
      for (pugi::xml_node r : it->second) {
        check_attributes(r, name + "/rejected", {});
        const std::string value(trim_xml_space(r.text().get()));
        if (value.empty()) {
          problem(r, name + "/rejected", "is empty; expected a status value that means the order was rejected");
        } else {
          o.rejected_statuses.push_back(value);
        }
      }
    }
    if (o.rejected_statuses.empty() && !rejected.count("rejected")) {
      problem(n, name, "has no <rejected> values; expected at least one status that means the order was rejected");
    }
  }
  for (const Field* f : {&o.correlation_id, &o.category.code, &o.category.system, &o.requester, &o.department,
                         &o.supplier, &o.amount, &o.currency, &o.description, &o.order_number, &o.status}) {
    check_from(*f, Side::response, o.response.has_value(), field, "response");
  }
  return o;
}

Result<std::shared_ptr<const Mapping>> Loader::run() {
  std::string_view text = xml_;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (const std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    const std::size_t offset = bad + (xml_.size() - text.size());
    const int line = 1 + static_cast<int>(std::count(xml_.begin(), xml_.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
    return make_error(ErrorCode::config,
                      "not valid UTF-8 at byte " + std::to_string(offset) + "; expected a UTF-8 mapping file",
                      file_ + ":" + std::to_string(line));
  }
  const pugi::xml_parse_result parsed =
      doc_.load_buffer(xml_.data(), xml_.size(), pugi::parse_default | pugi::parse_doctype, pugi::encoding_utf8);
  if (!parsed) {
    const auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(parsed.offset, 0));
    const int line = 1 + static_cast<int>(std::count(xml_.begin(), xml_.begin() + static_cast<std::ptrdiff_t>(std::min(offset, xml_.size())), '\n'));
    return make_error(ErrorCode::config,
                      std::string("not well-formed XML: ") + parsed.description() + " (byte " +
                          std::to_string(offset) + ")",
                      file_ + ":" + std::to_string(line));
  }
  for (pugi::xml_node n = doc_.first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_doctype) {
      return make_error(ErrorCode::config, "a DOCTYPE is not allowed in a mapping file; expected plain XML",
                        file_ + ":" + std::to_string(line_of(n)));
    }
  }

  auto mapping = std::make_shared<Mapping>();
  mapping->file = file_;
  const pugi::xml_node root = doc_.document_element();
  const auto root_ns = element_namespace(root);
  if (split_name(root.name()).local != "mapping" || !root_ns || *root_ns != kMappingNamespace) {
    problem(root, "",
            "the root element is <" + std::string(root.name()) + "> in namespace " +
                in_quotes(root_ns ? *root_ns : "(undeclared)") + "; expected <mapping xmlns=\"" +
                std::string(kMappingNamespace) + "\">");
  } else {
    check_attributes(root, "mapping", {"name"});
    mapping->name = root.attribute("name").value();
    const Children kids = children(root, "mapping", {"namespace", "shortlist", "order"}, {"namespace"});
    if (auto it = kids.find("namespace"); it != kids.end()) read_namespaces(it->second);
    mapping->namespaces = namespaces_;
    if (pugi::xml_node n = one(kids, "shortlist")) mapping->shortlist = read_shortlist(n);
    if (pugi::xml_node n = one(kids, "order")) mapping->order = read_order(n);
    if (!one(kids, "shortlist") && !one(kids, "order")) {
      problem(root, "mapping", "has neither <shortlist> nor <order>; expected at least one of them");
    }
    // Each payload element must say which kind of message it is.
    std::vector<std::pair<std::string, const ExpandedName*>> payloads;
    if (mapping->shortlist) {
      if (mapping->shortlist->request) payloads.emplace_back("shortlist/request", &*mapping->shortlist->request);
      payloads.emplace_back("shortlist/response", &mapping->shortlist->response);
    }
    if (mapping->order) {
      payloads.emplace_back("order/request", &mapping->order->request);
      if (mapping->order->response) payloads.emplace_back("order/response", &*mapping->order->response);
    }
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      for (std::size_t j = i + 1; j < payloads.size(); ++j) {
        if (!payloads[i].second->local.empty() && *payloads[i].second == *payloads[j].second) {
          problem(root, payloads[j].first,
                  "is the same element as " + payloads[i].first + " (" + to_string(*payloads[j].second) +
                      "); expected a distinct element for each kind of message");
        }
      }
    }
  }

  if (!problems_.empty()) {
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string message = problems_.front().second;
    for (std::size_t i = 1; i < problems_.size(); ++i) {
      message += "\n" + file_ + ":" + std::to_string(problems_[i].first) + ": " + problems_[i].second;
    }
    return make_error(ErrorCode::config, std::move(message), file_ + ":" + std::to_string(problems_.front().first));
  }
  mapping->fast_scan_plan = make_fast_scan_plan(*mapping);
  return std::shared_ptr<const Mapping>(std::move(mapping));
}

}  // namespace

Result<std::shared_ptr<const Mapping>> parse_mapping(std::string_view xml, std::string_view file_name) {
  Loader loader(xml, std::string(file_name));
  return loader.run();
}

Result<std::shared_ptr<const Mapping>> load_mapping(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::io, "cannot open the mapping file; expected a readable file", file.string());
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorCode::io, "cannot read the mapping file", file.string());
  return parse_mapping(bytes, file.string());
}

}  // namespace socialdefault::soap
