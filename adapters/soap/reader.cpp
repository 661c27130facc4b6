#include "reader.hpp"
#include "encoding.hpp"

#include <algorithm>
#include <functional>
#include <optional>

#include "socialdefault/bytes.hpp"
#include "socialdefault/money.hpp"

namespace socialdefault::soap {

namespace {

// The value a field leads to from base; nullopt when the element or
// attribute is absent. An empty base (the request was not given) reads as
// absent too.
Result<std::optional<std::string>> read(const SoapMessage& message, pugi::xml_node base, const Field& field,
                                        const ChildIndex* children = nullptr) {
  if (!field.fixed.empty()) return std::optional<std::string>(field.fixed);
  if (!field.path || !base) return std::optional<std::string>();
  const Path::Location at = field.path->locate(base, children);
  if (!at.found()) return std::optional<std::string>();
  auto value = at.attribute ? message.value(at.attribute) : message.text(at.element);
  if (!value) {
    Error e = std::move(value).error();
    e.message = field.name + " (" + field.path->text() + ") at " + e.where + ": " + e.message;
    e.where = field.name;
    return e;
  }
  return std::optional<std::string>(std::move(*value));
}

// The same, with "" for absent: context values that may simply be missing.
Result<std::string> read_or_empty(const SoapMessage& message, pugi::xml_node base, const Field& field,
                                  const ChildIndex* children = nullptr) {
  auto value = read(message, base, field, children);
  if (!value) return std::move(value).error();
  return value->value_or(std::string());
}

Result<std::string> context(const Field& field, const SoapMessage* request, const SoapMessage* response) {
  const SoapMessage* m = field.from == Side::request ? request : response;
  if (m == nullptr) return field.fixed;
  return read_or_empty(*m, m->payload(), field);
}

Result<CategoryRef> category(const CategoryField& field, const SoapMessage* request, const SoapMessage* response) {
  CategoryRef ref;
  auto code = context(field.code, request, response);
  if (!code) return std::move(code).error();
  ref.code = std::move(*code);
  auto system = context(field.system, request, response);
  if (!system) return std::move(system).error();
  ref.code_system = std::move(*system);
  return ref;
}

Error wrong_kind(const SoapMessage& message, MessageKind expected, const std::string& element) {
  return make_error(ErrorCode::unsupported,
                    std::string("expected a message of kind ") + to_string(expected) + " (" + element + "), got " +
                        (message.payload() ? message.describe(message.payload()) : std::string("an empty Body")) +
                        " (kind " + to_string(message.kind()) + ")");
}

// A price or amount: a decimal and a currency read by two fields.
Result<std::optional<Money>> money(const std::optional<std::string>& amount, const Field& amount_field,
                                   const std::optional<std::string>& currency, const Field& currency_field,
                                   const std::function<std::string()>& subject) {
  if (!amount || trim_xml_space(*amount).empty()) return std::optional<Money>();
  if (!currency || trim_xml_space(*currency).empty()) {
    return make_error(ErrorCode::mapping,
                      subject() + ": " + amount_field.name + " is " + in_quotes(*amount) + " but " + currency_field.name +
                          (currency_field.path ? " (" + currency_field.path->text() + ")" : std::string()) +
                          " is missing; expected a currency code",
                      currency_field.name);
  }
  auto parsed = parse_money(*amount, trim_xml_space(*currency));
  if (!parsed) {
    return make_error(ErrorCode::mapping,
                      subject() + ": " + amount_field.name + " " + in_quotes(*amount) + " " + in_quotes(*currency) + ": " +
                          parsed.error().message,
                      amount_field.name);
  }
  return std::optional<Money>(std::move(*parsed));
}


// A mapped field's value as a view (of the bytes, of the mapping's fixed
// value, or of scratch when the value had to be decoded): what is compared
// or parsed needs no string of its own.
bool fast_view(const SoapMessage& message, const FastHit& hit, const Field& field, std::string& scratch,
               std::string_view& out, bool& found) {
  found = false;
  out = {};
  if (!field.fixed.empty()) {
    out = field.fixed;
    found = true;
    return true;
  }
  if (!field.path) return true;
  if (field.path->attribute()) {
    if (hit.with_attribute < 0) return true;
    found = true;
    return fast_attribute_view(message.bytes(), hit.attribute_value, message.encoding(), scratch, out);
  }
  if (hit.first < 0) return true;
  found = true;
  return fast_text_view(message.bytes(), message.fast()->elements[static_cast<std::size_t>(hit.first)],
                        message.encoding(), scratch, out);
}

// The fast path's reads: the same values from the byte ranges the scan
// recorded, assigned into out (found: the element or attribute exists).
// false means "ask the DOM path" (a value it would refuse, or one whose
// element is not simple text); the DOM path then answers, with its own
// error texts.
bool fast_read(const SoapMessage& message, const FastHit& hit, const Field& field, std::string& out, bool& found) {
  std::string_view view;
  if (!fast_view(message, hit, field, out, view, found)) return false;
  if (found) out.assign(view);  // view may lie in out, which assign allows
  return true;
}

bool fast_read(const SoapMessage& message, const FastHit& hit, const Field& field, std::optional<std::string>& out) {
  std::string value;
  bool found = false;
  if (!fast_read(message, hit, field, value, found)) return false;
  if (found) out = std::move(value);
  else out.reset();
  return true;
}

bool fast_context(const Field& field, FastPayloadField which, const SoapMessage* request, const SoapMessage& response,
                  std::string& out) {
  // From the side the field names: its recorded range when that message
  // took the fast path (a request may have), else through its DOM.
  const SoapMessage* from = field.from == Side::request ? request : &response;
  if (from == nullptr || from->fast() == nullptr) {
    auto value = context(field, request, &response);
    if (!value) return false;
    out = std::move(*value);
    return true;
  }
  bool found = false;
  if (!fast_read(*from, from->fast()->payload_hits[which], field, out, found)) return false;
  if (!found) out.clear();
  return true;
}

// (flatten: the reads of every field inline, with no call per field.)
// Fills out in place: its candidates, their strings and their identifiers
// keep the capacity an earlier shortlist gave them, so a caller that reads
// into the same object again allocates nothing for them.
[[gnu::flatten]] bool fast_shortlist(const SoapMessage& response, const SoapMessage* request, Shortlist& out) {
  const ShortlistMapping& m = *response.mapping().shortlist;
  const FastShortlist& fast = *response.fast();
  if (!fast_context(m.correlation_id, kCorrelation, request, response, out.correlation_id) ||
      !fast_context(m.category.code, kCategoryCode, request, response, out.category.code) ||
      !fast_context(m.category.system, kCategorySystem, request, response, out.category.code_system) ||
      !fast_context(m.requester, kRequester, request, response, out.requester) ||
      !fast_context(m.department, kDepartment, request, response, out.department) ||
      !fast_context(m.language, kLanguage, request, response, out.language)) {
    return false;
  }
  const CandidateMapping& c = m.candidates;
  out.candidates.resize(fast.candidates.size());
  std::string scratch_a, scratch_b;
  std::string_view value, amount, currency;
  bool found = false, has_amount = false, has_currency = false;
  for (std::size_t i = 0; i < fast.candidates.size(); ++i) {
    Candidate& candidate = out.candidates[i];
    if (!fast_view(response, fast.hit(i, kId), c.id, scratch_a, value, found) || !found || value.empty()) {
      return false;
    }
    candidate.supplier_id.assign(value);
    if (!fast_view(response, fast.hit(i, kName), c.name, scratch_a, value, found)) return false;
    candidate.name.assign(value);
    if (!fast_view(response, fast.hit(i, kPrice), c.price, scratch_a, amount, has_amount) ||
        !fast_view(response, fast.hit(i, kCurrency), c.currency, scratch_b, currency, has_currency)) {
      return false;
    }
    if (has_amount && !trim_xml_space(amount).empty()) {
      if (!has_currency || trim_xml_space(currency).empty()) return false;
      // Into the Money an earlier read left (its currency string reused).
      if (!candidate.price) candidate.price.emplace();
      if (!parse_money_into(amount, trim_xml_space(currency), *candidate.price)) return false;
    } else {
      candidate.price.reset();
    }
    if (!fast_view(response, fast.hit(i, kPreselected), c.preselected, scratch_a, value, found)) return false;
    candidate.preselected = false;
    if (found && !value.empty()) {
      const auto is_value = [&](const std::string& literal) { return same_bytes(literal, value); };
      if (std::any_of(c.true_literals.begin(), c.true_literals.end(), is_value)) {
        candidate.preselected = true;
      } else if (std::none_of(c.false_literals.begin(), c.false_literals.end(), is_value)) {
        return false;
      }
    }
    std::size_t identifiers = 0;
    for (std::size_t k = 0; k < c.identifiers.size(); ++k) {
      if (!fast_view(response, fast.hit(i, kFirstIdentifier + k), c.identifiers[k].field, scratch_a, value, found)) {
        return false;
      }
      if (!found || value.empty()) continue;
      if (identifiers < candidate.identifiers.size()) {
        SupplierIdentifier& id = candidate.identifiers[identifiers];
        id.scheme.assign(c.identifiers[k].scheme);
        id.value.assign(value);
      } else {
        if (candidate.identifiers.empty()) candidate.identifiers.reserve(c.identifiers.size());
        candidate.identifiers.push_back({c.identifiers[k].scheme, std::string(value)});
      }
      ++identifiers;
    }
    candidate.identifiers.resize(identifiers);
  }
  return true;
}

}  // namespace

bool fast_candidate_id_is(const SoapMessage& response, std::size_t position, std::string_view expected) {
  const Field& field = response.mapping().shortlist->candidates.id;
  const FastHit& hit = response.fast()->hit(position, kId);
  if (field.fixed.empty() && field.path && !field.path->attribute() && hit.first >= 0) {
    const auto plain =
        fast_plain_text(response.bytes(), response.fast()->elements[static_cast<std::size_t>(hit.first)]);
    if (plain) return !plain->empty() && same_bytes(*plain, expected);
  }
  const auto id = fast_candidate_id(response, position);
  return id && same_bytes(*id, expected);
}

std::optional<std::string> fast_candidate_id(const SoapMessage& response, std::size_t position) {
  std::optional<std::string> id;
  if (!fast_read(response, response.fast()->hit(position, kId), response.mapping().shortlist->candidates.id, id) ||
      !id || id->empty()) {
    return std::nullopt;
  }
  return id;
}

Result<std::string> candidate_id(const SoapMessage& response, const CandidateElement& candidate, std::size_t position) {
  const CandidateMapping& m = response.mapping().shortlist->candidates;
  auto id = read(response, candidate.element, m.id, &candidate.children);
  if (!id) return std::move(id).error();
  if (!*id || id->value().empty()) {
    return make_error(ErrorCode::mapping,
                      "candidate " + std::to_string(position + 1) + " (" + response.describe(candidate.element) + "): " +
                          m.id.name + " (" + m.id.path->text() + ") is missing or empty; expected the supplier id",
                      m.id.name);
  }
  return std::move(**id);
}

Result<void> read_shortlist(const SoapMessage& response, const SoapMessage* request, Shortlist& out) {
  const Mapping& mapping = response.mapping();
  if (!mapping.shortlist) {
    return make_error(ErrorCode::unsupported, "the mapping " + mapping.file + " has no <shortlist> section");
  }
  const ShortlistMapping& m = *mapping.shortlist;
  if (response.kind() != MessageKind::shortlist_response) {
    return wrong_kind(response, MessageKind::shortlist_response, to_string(m.response));
  }
  if (request != nullptr && request->kind() != MessageKind::shortlist_request) {
    return wrong_kind(*request, MessageKind::shortlist_request,
                      m.request ? to_string(*m.request) : std::string("no request element is mapped"));
  }
  if (response.fast() != nullptr && fast_shortlist(response, request, out)) return {};
  Shortlist shortlist;
  auto correlation = context(m.correlation_id, request, &response);
  if (!correlation) return std::move(correlation).error();
  shortlist.correlation_id = std::move(*correlation);
  auto cat = category(m.category, request, &response);
  if (!cat) return std::move(cat).error();
  shortlist.category = std::move(*cat);
  auto requester = context(m.requester, request, &response);
  if (!requester) return std::move(requester).error();
  shortlist.requester = std::move(*requester);
  auto department = context(m.department, request, &response);
  if (!department) return std::move(department).error();
  shortlist.department = std::move(*department);
  auto language = context(m.language, request, &response);
  if (!language) return std::move(language).error();
  shortlist.language = std::move(*language);

  const CandidateMapping& c = m.candidates;
  const std::vector<CandidateElement>& elements = response.candidates();
  shortlist.candidates.reserve(elements.size());
  for (std::size_t i = 0; i < elements.size(); ++i) {
    const pugi::xml_node e = elements[i].element;
    const ChildIndex& children = elements[i].children;
    const auto subject = [&] { return "candidate " + std::to_string(i + 1) + " (" + response.describe(e) + ")"; };
    Candidate candidate;
    auto id = candidate_id(response, elements[i], i);
    if (!id) return std::move(id).error();
    candidate.supplier_id = std::move(*id);
    auto name = read_or_empty(response, e, c.name, &children);
    if (!name) return std::move(name).error();
    candidate.name = std::move(*name);
    auto amount = read(response, e, c.price, &children);
    if (!amount) return std::move(amount).error();
    auto currency = read(response, e, c.currency, &children);
    if (!currency) return std::move(currency).error();
    auto price = money(*amount, c.price, *currency, c.currency, subject);
    if (!price) return std::move(price).error();
    candidate.price = std::move(*price);
    auto flag = read(response, e, c.preselected, &children);
    if (!flag) return std::move(flag).error();
    if (*flag && !(*flag)->empty()) {
      const std::string& v = **flag;
      if (std::find(c.true_literals.begin(), c.true_literals.end(), v) != c.true_literals.end()) {
        candidate.preselected = true;
      } else if (std::find(c.false_literals.begin(), c.false_literals.end(), v) == c.false_literals.end()) {
        std::string expected;
        for (const auto* list : {&c.true_literals, &c.false_literals}) {
          for (const std::string& l : *list) expected += (expected.empty() ? "" : ", ") + in_quotes(l);
        }
        return make_error(ErrorCode::mapping,
                          subject() + ": " + c.preselected.name + " is " + in_quotes(v) + "; expected one of " + expected,
                          c.preselected.name);
      }
    }
    for (const IdentifierField& idf : c.identifiers) {
      auto value = read(response, e, idf.field, &children);
      if (!value) return std::move(value).error();
      if (*value && !(*value)->empty()) candidate.identifiers.push_back({idf.scheme, std::move(**value)});
    }
    shortlist.candidates.push_back(std::move(candidate));
  }
  out = std::move(shortlist);
  return {};
}

Result<std::vector<OrderChoice>> read_choice(const SoapMessage& request, const SoapMessage* response) {
  const Mapping& mapping = request.mapping();
  if (!mapping.order) {
    return make_error(ErrorCode::unsupported, "the mapping " + mapping.file + " has no <order> section");
  }
  const OrderMapping& m = *mapping.order;
  if (request.kind() != MessageKind::order_request) {
    return wrong_kind(request, MessageKind::order_request, to_string(m.request));
  }
  if (response != nullptr && response->kind() != MessageKind::order_response && response->kind() != MessageKind::fault) {
    return wrong_kind(*response, MessageKind::order_response,
                      m.response ? to_string(*m.response) : std::string("no response element is mapped"));
  }
  const SoapMessage* order_response = response != nullptr && response->kind() == MessageKind::order_response ? response : nullptr;

  OrderChoice choice;
  choice.line = 1;
  const auto get = [&](const Field& f) { return context(f, &request, order_response); };
  auto correlation = get(m.correlation_id);
  if (!correlation) return std::move(correlation).error();
  choice.correlation_id = std::move(*correlation);
  auto cat = category(m.category, &request, order_response);
  if (!cat) return std::move(cat).error();
  choice.category = std::move(*cat);
  auto requester = get(m.requester);
  if (!requester) return std::move(requester).error();
  choice.requester = std::move(*requester);
  auto department = get(m.department);
  if (!department) return std::move(department).error();
  choice.department = std::move(*department);
  auto supplier = get(m.supplier);
  if (!supplier) return std::move(supplier).error();
  if (supplier->empty()) {
    return make_error(ErrorCode::mapping,
                      "the order " + (request.payload() ? request.describe(request.payload()) : std::string()) +
                          " has no supplier: " + m.supplier.name + " (" + m.supplier.path->text() +
                          ") is missing or empty",
                      m.supplier.name);
  }
  choice.supplier_id = std::move(*supplier);
  for (const IdentifierField& idf : m.supplier_identifiers) {
    auto value = get(idf.field);
    if (!value) return std::move(value).error();
    if (!value->empty()) choice.supplier_identifiers.push_back({idf.scheme, std::move(*value)});
  }
  auto amount = get(m.amount);
  if (!amount) return std::move(amount).error();
  auto currency = get(m.currency);
  if (!currency) return std::move(currency).error();
  auto money_value = money(std::optional<std::string>(*amount), m.amount, std::optional<std::string>(*currency),
                           m.currency, [] { return std::string("the order"); });
  if (!money_value) return std::move(money_value).error();
  choice.amount = std::move(*money_value);
  auto description = get(m.description);
  if (!description) return std::move(description).error();
  choice.description = std::move(*description);

  if (response != nullptr && response->kind() == MessageKind::fault) choice.accepted = false;
  if (order_response != nullptr) {
    auto number = context(m.order_number, &request, order_response);
    if (!number) return std::move(number).error();
    choice.order_ref = std::move(*number);
    auto status = context(m.status, &request, order_response);
    if (!status) return std::move(status).error();
    if (std::find(m.rejected_statuses.begin(), m.rejected_statuses.end(), *status) != m.rejected_statuses.end()) {
      choice.accepted = false;
    }
  }
  std::vector<OrderChoice> out;
  out.push_back(std::move(choice));
  return out;
}

}  // namespace socialdefault::soap
