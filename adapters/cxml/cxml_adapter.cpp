#include "cxml_adapter.hpp"

#include <cctype>
#include <charconv>
#include <limits>
#include <optional>

#include "cxml_message.hpp"
#include "encoding.hpp"

namespace socialdefault::cxml {

namespace {

using xmldoc::XmlDocument;

pugi::xml_node element(pugi::xml_node parent, std::string_view local) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && XmlDocument::local_name(c) == local) return c;
  }
  return {};
}

std::vector<pugi::xml_node> elements(pugi::xml_node parent, std::string_view local) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && XmlDocument::local_name(c) == local) out.push_back(c);
  }
  return out;
}

const CxmlMessage* as_cxml(const Message& message) { return dynamic_cast<const CxmlMessage*>(&message); }

Error not_cxml(std::string_view what) {
  return make_error(ErrorCode::invalid_argument, "the " + std::string(what) +
                                                     " was not recognised by the cxml adapter; pass a message from its "
                                                     "recognise()");
}

// A <Money currency="EUR">12.50</Money> element.
Result<Money> read_money(const CxmlMessage& m, pugi::xml_node money) {
  const std::string currency = XmlDocument::attribute(money, "currency");
  auto parsed = parse_money(XmlDocument::text(money), currency);
  if (!parsed) {
    return make_error(ErrorCode::mapping, m.document().describe(money) + ": " + parsed.error().describe(), "Money");
  }
  return parsed;
}

// The identifiers of Credential or SupplierID elements, each once.
void add_identifier(const Mapping& mapping, std::string_view domain, std::string value, OrderChoice& line) {
  if (value.empty()) return;
  const std::string scheme = mapping.scheme_for(domain);
  if (scheme == "erp" && line.supplier_id.empty()) line.supplier_id = value;
  for (const SupplierIdentifier& id : line.supplier_identifiers) {
    if (id.scheme == scheme && id.value == value) return;
  }
  line.supplier_identifiers.push_back(SupplierIdentifier{scheme, std::move(value)});
}

// The category of an item: CPV first, then UNSPSC, then the first other
// classification with its domain as the code system.
CategoryRef read_category(pugi::xml_node detail) {
  std::optional<CategoryRef> unspsc, first;
  for (pugi::xml_node c : elements(detail, "Classification")) {
    const std::string domain = XmlDocument::attribute(c, "domain");
    const std::string code = XmlDocument::text(c);
    if (code.empty()) continue;
    std::string upper = domain;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (upper == "CPV") return CategoryRef{"CPV", code};
    if (upper == "UNSPSC" && !unspsc) unspsc = CategoryRef{"UNSPSC", code};
    if (!first) first = CategoryRef{domain, code};
  }
  if (unspsc) return *unspsc;
  return first.value_or(CategoryRef{});
}

// The first non-empty value of the mapping's sources, item level before header level.
std::string from_sources(const std::vector<Source>& sources, pugi::xml_node item, pugi::xml_node header) {
  for (const Source& source : sources) {
    for (pugi::xml_node scope : {item, header}) {
      if (!scope) continue;
      std::string value;
      switch (source.kind) {
        case Source::Kind::contact:
          for (pugi::xml_node contact : elements(scope, "Contact")) {
            if (!source.role.empty() && XmlDocument::attribute(contact, "role") != source.role) continue;
            value = XmlDocument::text(element(contact, source.field == "email" ? "Email" : "Name"));
            if (!value.empty()) break;
          }
          break;
        case Source::Kind::ship_to: {
          const pugi::xml_node address = element(element(scope, "ShipTo"), "Address");
          if (source.field == "name") value = XmlDocument::text(element(address, "Name"));
          if (source.field == "deliver-to") value = XmlDocument::text(element(element(address, "PostalAddress"), "DeliverTo"));
          if (source.field == "address-id") value = XmlDocument::attribute(address, "addressID");
          if (source.field == "email") value = XmlDocument::text(element(address, "Email"));
          break;
        }
        case Source::Kind::extrinsic: {
          // Item extrinsics sit in ItemDetail, the order's in its header.
          const pugi::xml_node holder = element(scope, "ItemDetail") ? element(scope, "ItemDetail") : scope;
          for (pugi::xml_node extrinsic : elements(holder, "Extrinsic")) {
            if (XmlDocument::attribute(extrinsic, "name") == source.name) {
              value = XmlDocument::text(extrinsic);
              break;
            }
          }
          break;
        }
      }
      if (!value.empty()) return value;
    }
  }
  return {};
}

void redact_line(const CxmlMessage& m, OrderChoice& line) {
  for (std::string* s : {&line.correlation_id, &line.order_ref, &line.category.code_system, &line.category.code,
                         &line.requester, &line.department, &line.supplier_id, &line.description,
                         &line.document_ref}) {
    *s = m.redact(std::move(*s));
  }
  for (SupplierIdentifier& id : line.supplier_identifiers) {
    id.scheme = m.redact(std::move(id.scheme));
    id.value = m.redact(std::move(id.value));
  }
}

}  // namespace

namespace {

// A non-negative decimal as digits and a power of ten: "2.5" is {25, 1}.
std::optional<std::pair<__int128, int>> decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  __int128 digits = 0;
  int scale = 0;
  bool point = false;
  bool any = false;
  for (char c : text) {
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9' || scale >= 12 || digits > (__int128{1} << 80)) return std::nullopt;
    digits = digits * 10 + (c - '0');
    any = true;
    if (point) ++scale;
  }
  if (!any) return std::nullopt;
  return std::pair<__int128, int>{digits, scale};
}

__int128 power_of_ten(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

}  // namespace

Result<Money> multiply(const Money& price, std::string_view quantity, std::string_view basis) {
  const std::string_view q = soap::trim_xml_space(quantity);
  const std::string_view b = soap::trim_xml_space(basis);
  const auto qd = decimal(q);
  if (!qd) {
    return make_error(ErrorCode::mapping,
                      "quantity " + soap::in_quotes(q) + " is not a non-negative decimal number; expected e.g. 2 or 2.5",
                      "quantity");
  }
  const auto bd = decimal(b);
  if (!bd || bd->first == 0) {
    return make_error(ErrorCode::mapping,
                      "PriceBasisQuantity quantity " + soap::in_quotes(b) + " is not a positive decimal number",
                      "PriceBasisQuantity/@quantity");
  }
  // price * (q / 10^qs) / (b / 10^bs) = price * q * 10^bs / (b * 10^qs)
  const __int128 factor = qd->first * power_of_ten(bd->second);  // at most about 2^124
  const __int128 magnitude = price.minor < 0 ? -static_cast<__int128>(price.minor) : static_cast<__int128>(price.minor);
  constexpr __int128 kMax = ~(__int128{1} << 127);
  if (factor != 0 && magnitude > kMax / factor) {
    return make_error(ErrorCode::mapping, "quantity " + soap::in_quotes(q) + " times the unit price is too large",
                      "quantity");
  }
  __int128 numerator = static_cast<__int128>(price.minor) * factor;
  const __int128 denominator = bd->first * power_of_ten(qd->second);
  const bool negative = numerator < 0;
  if (negative) numerator = -numerator;
  __int128 result = (numerator + denominator / 2) / denominator;
  if (negative) result = -result;
  if (result > std::numeric_limits<std::int64_t>::max() || result < std::numeric_limits<std::int64_t>::min()) {
    return make_error(ErrorCode::mapping, "quantity " + soap::in_quotes(q) + " times the unit price is too large",
                      "quantity");
  }
  return Money{static_cast<std::int64_t>(result), price.currency};
}

Result<std::shared_ptr<const Adapter>> CxmlAdapter::create(const AdapterSettings& settings) {
  Mapping mapping = Mapping::defaults();
  if (!settings.mapping.empty()) {
    auto loaded = load_mapping(settings.mapping);
    if (!loaded) return std::move(loaded).error();
    mapping = std::move(loaded).value();
  }
  return std::shared_ptr<const Adapter>(std::make_shared<CxmlAdapter>(std::move(mapping), settings.limits));
}

Result<std::unique_ptr<Message>> CxmlAdapter::recognise(std::string_view bytes) const {
  auto message = CxmlMessage::parse(bytes, limits_);
  if (!message) return std::move(message).error();
  return std::unique_ptr<Message>(std::move(message).value());
}

Result<Shortlist> CxmlAdapter::read_shortlist(const Message&, const Message*) const {
  return make_error(ErrorCode::unsupported,
                    "the cxml adapter reads OrderRequest and PunchOutOrderMessage; it does not read or rewrite shortlists");
}

Result<std::string> CxmlAdapter::apply_decision(const Message&, const Shortlist&, const Decision&, const Policy&) const {
  return make_error(ErrorCode::unsupported,
                    "the cxml adapter reads OrderRequest and PunchOutOrderMessage; it does not read or rewrite shortlists");
}

Result<std::vector<OrderChoice>> CxmlAdapter::read_choice(const Message& request, const Message* response) const {
  const CxmlMessage* m = as_cxml(request);
  if (m == nullptr) return not_cxml("order");
  if (m->payload() != Payload::order_request && m->payload() != Payload::punch_out_order_message) {
    return make_error(ErrorCode::unsupported,
                      "the cXML document holds no OrderRequest or PunchOutOrderMessage; nothing to record");
  }
  bool accepted = true;
  if (response != nullptr) {
    const CxmlMessage* r = as_cxml(*response);
    if (r == nullptr) return not_cxml("response");
    if (r->payload() != Payload::response) {
      return make_error(ErrorCode::unsupported, "the cXML answer holds no <Response>; expected one with a <Status>");
    }
    const pugi::xml_node status = element(r->payload_element(), "Status");
    const std::string code = XmlDocument::attribute(status, "code");
    if (!status || code.size() != 3 || code.find_first_not_of("0123456789") != std::string::npos) {
      return r->redact(make_error(ErrorCode::mapping,
                                  "the cXML Response has no <Status code> of three digits (found " +
                                      soap::in_quotes(code) + "); expected e.g. 200",
                                  "Response/Status"));
    }
    accepted = code[0] == '2';
  }
  auto lines = read_lines(*m);
  if (!lines) return m->redact(std::move(lines).error());
  for (OrderChoice& line : *lines) {
    line.accepted = accepted;
    redact_line(*m, line);
  }
  return lines;
}

namespace {

bool equals_lower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower[i]) return false;
  }
  return true;
}

// ConfirmationHeader/@type: what the supplier says about the whole order.
// requestToPay asks for payment and says nothing new about acceptance.
Result<OrderStatus> confirmation_status(const std::string& type) {
  if (type == "accept" || type == "backordered") return OrderStatus::accepted;
  if (type == "reject") return OrderStatus::rejected;
  if (type == "except" || type == "detail" || type == "allDetail" || type == "replace") {
    return OrderStatus::conditionally_accepted;
  }
  return make_error(ErrorCode::unsupported,
                    "ConfirmationHeader type " + soap::in_quotes(type) +
                        " does not say whether the order was accepted; expected accept, backordered, except, detail, "
                        "allDetail, replace or reject",
                    "ConfirmationHeader/@type");
}

Result<OrderStatusUpdate> confirmation_update(const CxmlMessage& m) {
  const pugi::xml_node payload = m.payload_element();
  const pugi::xml_node header = element(payload, "ConfirmationHeader");
  if (!header) {
    return make_error(ErrorCode::mapping, "the ConfirmationRequest has no <ConfirmationHeader>; expected one with a type",
                      "ConfirmationHeader");
  }
  OrderStatusUpdate update;
  update.order_ref = XmlDocument::attribute(element(payload, "OrderReference"), "orderID");
  if (update.order_ref.empty()) {
    return make_error(ErrorCode::mapping,
                      "the ConfirmationRequest's <OrderReference> has no orderID; expected the number of the order it "
                      "confirms",
                      "OrderReference/@orderID");
  }
  update.response_ref = XmlDocument::attribute(header, "confirmID");
  if (update.response_ref.empty()) update.response_ref = XmlDocument::attribute(m.root(), "payloadID");
  update.code = XmlDocument::attribute(header, "type");
  auto status = confirmation_status(update.code);
  if (!status) return std::move(status).error();
  update.status = *status;
  return update;
}

// A StatusUpdateRequest names its document by payloadID (DocumentReference),
// and some hubs add the order number in DocumentStatus/DocumentInfo. The
// number wins; a payloadID alone is resolved by the ledger to the order
// recorded with it (OrderStatusUpdate::order_document_ref).
Result<OrderStatusUpdate> status_update(const CxmlMessage& m) {
  const pugi::xml_node payload = m.payload_element();
  for (std::string_view other : {"PaymentStatus", "SourcingStatus", "InvoiceStatus", "IntegrationStatus"}) {
    if (element(payload, other)) {
      return make_error(ErrorCode::unsupported,
                        "the StatusUpdateRequest carries a <" + std::string(other) +
                            ">, not the status of an order; nothing to record",
                        std::string(other));
    }
  }
  const pugi::xml_node status = element(payload, "Status");
  const std::string code = XmlDocument::attribute(status, "code");
  if (!status || code.size() != 3 || code.find_first_not_of("0123456789") != std::string::npos) {
    return make_error(ErrorCode::mapping,
                      "the StatusUpdateRequest has no <Status code> of three digits (found " + soap::in_quotes(code) +
                          "); expected e.g. 200",
                      "StatusUpdateRequest/Status");
  }
  const pugi::xml_node document_status = element(payload, "DocumentStatus");
  const pugi::xml_node info = element(document_status, "DocumentInfo");
  OrderStatusUpdate update;
  update.order_ref = XmlDocument::attribute(info, "documentID");
  const std::string type = XmlDocument::attribute(info, "documentType");
  std::string lower_type = type;
  for (char& c : lower_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool other_document = !type.empty() && lower_type.find("order") == std::string::npos;
  if (update.order_ref.empty() || lower_type.find("order") == std::string::npos) {
    const std::string payload_id = XmlDocument::attribute(element(payload, "DocumentReference"), "payloadID");
    if (payload_id.empty() || other_document) {
      return make_error(ErrorCode::mapping,
                        "the StatusUpdateRequest does not name an order (DocumentReference payloadID " +
                            soap::in_quotes(payload_id) + ", DocumentInfo documentType " + soap::in_quotes(type) +
                            "); expected <DocumentReference payloadID=\"the OrderRequest's payloadID\"/> or "
                            "<DocumentStatus><DocumentInfo documentType=\"OrderRequest\" documentID=\"the order "
                            "number\"/>",
                        "DocumentStatus/DocumentInfo");
    }
    update.order_ref.clear();
    update.order_document_ref = payload_id;
  }
  update.response_ref = XmlDocument::attribute(m.root(), "payloadID");
  // The hub's own word for the document's state wins over the transport code.
  const std::string state = XmlDocument::attribute(document_status, "type");
  update.code = state.empty() ? code : code + " " + state;
  if (equals_lower(state, "accepted") || equals_lower(state, "accept")) {
    update.status = OrderStatus::accepted;
  } else if (equals_lower(state, "rejected") || equals_lower(state, "reject")) {
    update.status = OrderStatus::rejected;
  } else if (equals_lower(state, "cancelled") || equals_lower(state, "canceled")) {
    update.status = OrderStatus::cancelled;
  } else if (code[0] == '2') {
    update.status = OrderStatus::accepted;
  } else if (code[0] == '4') {
    update.status = OrderStatus::rejected;
  } else {
    return make_error(ErrorCode::unsupported,
                      "the StatusUpdateRequest's Status code " + code +
                          " does not settle the order (not 2xx accepted, not 4xx rejected); nothing to record",
                      "StatusUpdateRequest/Status");
  }
  return update;
}

}  // namespace

Result<OrderStatusUpdate> CxmlAdapter::read_order_status(const Message& response) const {
  const CxmlMessage* m = as_cxml(response);
  if (m == nullptr) return not_cxml("status document");
  Result<OrderStatusUpdate> update = make_error(ErrorCode::internal, "unset");
  switch (m->payload()) {
    case Payload::confirmation_request: update = confirmation_update(*m); break;
    case Payload::status_update_request: update = status_update(*m); break;
    case Payload::order_cancellation: {
      OrderStatusUpdate cancel;
      cancel.order_ref = XmlDocument::attribute(element(m->payload_element(), "OrderRequestHeader"), "orderID");
      if (cancel.order_ref.empty()) {
        return make_error(ErrorCode::mapping,
                          "the OrderRequest of type delete has no orderID; expected the number of the order it cancels",
                          "OrderRequestHeader/@orderID");
      }
      cancel.response_ref = XmlDocument::attribute(m->root(), "payloadID");
      cancel.status = OrderStatus::cancelled;
      cancel.code = "delete";
      update = std::move(cancel);
      break;
    }
    case Payload::response:
      return make_error(ErrorCode::unsupported,
                        "a cXML Response answers the request of its exchange and names no order; it is read together "
                        "with its OrderRequest");
    default:
      return make_error(ErrorCode::unsupported,
                        "the cXML document holds no ConfirmationRequest, StatusUpdateRequest or OrderRequest of type "
                        "delete; it changes no order's status");
  }
  if (!update) return m->redact(std::move(update).error());
  for (std::string* s : {&update->order_ref, &update->response_ref, &update->code, &update->order_document_ref}) {
    *s = m->redact(std::move(*s));
  }
  return update;
}

namespace {

// An OrderRequest of type update: orderVersion numbers the versions of an
// order (the first is 1); without it the change is version 1, above the
// order itself (0), and equal versions are told apart by arrival.
Result<void> update_version(pugi::xml_node header, OrderChoice& base) {
  if (base.document_ref.empty()) {
    return make_error(ErrorCode::mapping,
                      "the OrderRequest of type update changes order " + soap::in_quotes(base.order_ref) +
                          " but the cXML has no payloadID; expected the payloadID that tells this version from others",
                      "cXML/@payloadID");
  }
  const std::string text = XmlDocument::attribute(header, "orderVersion");
  base.order_version = 1;
  if (text.empty()) return {};
  std::int64_t number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || end != text.data() + text.size() || number <= 0) {
    return make_error(ErrorCode::mapping,
                      "the OrderRequest of type update has orderVersion " + soap::in_quotes(text) +
                          "; expected a whole number from 1 (the version of order " + soap::in_quotes(base.order_ref) +
                          ")",
                      "OrderRequestHeader/@orderVersion");
  }
  base.order_version = number;
  return {};
}

}  // namespace

Result<std::vector<OrderChoice>> CxmlAdapter::read_lines(const CxmlMessage& m) const {
  const bool order = m.payload() == Payload::order_request;
  const pugi::xml_node payload = m.payload_element();
  const pugi::xml_node header = element(payload, order ? "OrderRequestHeader" : "PunchOutOrderMessageHeader");
  if (!header) {
    return make_error(ErrorCode::mapping,
                      std::string("the ") + (order ? "OrderRequest has no <OrderRequestHeader>" :
                                                     "PunchOutOrderMessage has no <PunchOutOrderMessageHeader>") +
                          "; expected one",
                      order ? "OrderRequestHeader" : "PunchOutOrderMessageHeader");
  }

  OrderChoice base;
  base.document_version = m.version();
  if (order) {
    base.order_ref = XmlDocument::attribute(header, "orderID");
    if (base.order_ref.empty()) {
      return make_error(ErrorCode::mapping, "the OrderRequestHeader has no orderID; expected the order number",
                        "OrderRequestHeader/@orderID");
    }
    // The payloadID names the order's document: a StatusUpdateRequest may
    // name the order by it alone.
    base.document_ref = XmlDocument::attribute(m.root(), "payloadID");
    // A change order repeats the whole order: a new version of it, which
    // the export counts instead of the earlier ones.
    if (XmlDocument::attribute(header, "type") == "update") {
      auto version = update_version(header, base);
      if (!version) return std::move(version).error();
    }
    base.correlation_id = XmlDocument::attribute(header, "requisitionID");
  } else {
    // The cart answers a PunchOutSetupRequest: its BuyerCookie is the session.
    base.correlation_id = XmlDocument::text(element(payload, "BuyerCookie"));
  }
  // The supplier: the recipient of an OrderRequest, the sender of a
  // PunchOutOrderMessage (the supplier's site sends the cart back).
  const pugi::xml_node party = element(element(m.root(), "Header"), order ? "To" : "From");
  for (pugi::xml_node credential : elements(party, "Credential")) {
    add_identifier(mapping_, XmlDocument::attribute(credential, "domain"),
                   XmlDocument::text(element(credential, "Identity")), base);
  }

  std::optional<Money> total;
  if (const pugi::xml_node money = element(element(header, "Total"), "Money")) {
    auto parsed = read_money(m, money);
    if (!parsed) return std::move(parsed).error();
    total = std::move(parsed).value();
  }

  const std::vector<pugi::xml_node> items = elements(payload, order ? "ItemOut" : "ItemIn");
  if (items.empty()) {
    return make_error(ErrorCode::mapping,
                      std::string("the ") + (order ? "OrderRequest has no <ItemOut>" : "PunchOutOrderMessage has no <ItemIn>") +
                          "; expected at least one",
                      order ? "ItemOut" : "ItemIn");
  }
  std::vector<OrderChoice> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const pugi::xml_node item = items[i];
    OrderChoice line = base;
    const std::string number = XmlDocument::attribute(item, "lineNumber");
    int n = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
    line.line = ec == std::errc{} && end == number.data() + number.size() && n > 0 ? n : static_cast<int>(i + 1);

    const std::vector<pugi::xml_node> supplier_ids = elements(item, "SupplierID");
    if (!supplier_ids.empty()) {
      line.supplier_id.clear();
      line.supplier_identifiers.clear();
      for (pugi::xml_node id : supplier_ids) {
        add_identifier(mapping_, XmlDocument::attribute(id, "domain"), XmlDocument::text(id), line);
      }
    }
    const pugi::xml_node detail = element(item, "ItemDetail");
    line.category = read_category(detail);
    line.description = XmlDocument::text(element(detail, "Description"));
    if (const pugi::xml_node price = element(element(detail, "UnitPrice"), "Money")) {
      auto unit = read_money(m, price);
      if (!unit) return std::move(unit).error();
      const std::string quantity = XmlDocument::attribute(item, "quantity");
      const std::string basis = XmlDocument::attribute(element(detail, "PriceBasisQuantity"), "quantity");
      auto amount = multiply(*unit, quantity.empty() ? "1" : quantity, basis.empty() ? "1" : basis);
      if (!amount) {
        return make_error(ErrorCode::mapping, m.document().describe(item) + ": " + amount.error().message,
                          amount.error().where);
      }
      line.amount = std::move(amount).value();
    }
    line.requester = from_sources(mapping_.requester, item, header);
    line.department = from_sources(mapping_.department, item, header);
    out.push_back(std::move(line));
  }
  // One item without a price: the order's Total.
  if (out.size() == 1 && !out[0].amount && total) out[0].amount = total;
  return out;
}

}  // namespace socialdefault::cxml

namespace socialdefault {

void register_cxml_adapter(AdapterRegistry& registry) { registry.add("cxml", &cxml::CxmlAdapter::create); }

}  // namespace socialdefault
