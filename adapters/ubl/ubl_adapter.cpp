#include "ubl_adapter.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "encoding.hpp"
#include "ubl_message.hpp"

namespace socialdefault::ubl {

namespace {

using xmldoc::XmlDocument;

struct Icd {
  std::string_view code;
  std::string_view scheme;
};
constexpr std::array<Icd, 5> kIcd{{
    {"0106", "kvk"}, {"0190", "oin"}, {"9944", "vat"}, {"0060", "duns"}, {"0088", "gln"},
}};

// The identifiers of the seller, each once, in document order.
class Identifiers {
 public:
  void add(std::string scheme, std::string value) {
    if (scheme.empty() || value.empty()) return;
    for (const SupplierIdentifier& id : ids_) {
      if (id.scheme == scheme && id.value == value) return;
    }
    ids_.push_back(SupplierIdentifier{std::move(scheme), std::move(value)});
  }
  std::vector<SupplierIdentifier> take() { return std::move(ids_); }

 private:
  std::vector<SupplierIdentifier> ids_;
};

const UblMessage* as_ubl(const Message& message) { return dynamic_cast<const UblMessage*>(&message); }

Error not_ubl(std::string_view what) {
  return make_error(ErrorCode::invalid_argument,
                    "the " + std::string(what) + " was not recognised by the ubl adapter; pass a message from its recognise()");
}

// Identifiers of a cac:Party: EndpointID (also as a PEPPOL participant id
// "scheme:value"), PartyIdentification/ID, PartyLegalEntity/CompanyID and
// PartyTaxScheme/CompanyID of the VAT scheme.
void read_party(const UblMessage& m, pugi::xml_node party, Identifiers& out) {
  if (!party) return;
  const XmlDocument& d = m.document();
  if (const pugi::xml_node endpoint = m.cbc(party, "EndpointID")) {
    const std::string scheme_id = XmlDocument::attribute(endpoint, "schemeID");
    const std::string value = XmlDocument::text(endpoint);
    if (!scheme_id.empty()) {
      out.add("peppol", scheme_id + ":" + value);
      out.add(scheme_for(scheme_id), value);
    }
  }
  for (pugi::xml_node identification : d.children(party, kCacNamespace, "PartyIdentification")) {
    const pugi::xml_node id = m.cbc(identification, "ID");
    const std::string scheme_id = XmlDocument::attribute(id, "schemeID");
    out.add(scheme_id.empty() ? "party-id" : scheme_for(scheme_id), XmlDocument::text(id));
  }
  for (pugi::xml_node tax : d.children(party, kCacNamespace, "PartyTaxScheme")) {
    const pugi::xml_node tax_scheme = m.cac(tax, "TaxScheme");
    if (XmlDocument::text(m.cbc(tax_scheme, "ID")) == "VAT") out.add("vat", XmlDocument::text(m.cbc(tax, "CompanyID")));
  }
  for (pugi::xml_node legal : d.children(party, kCacNamespace, "PartyLegalEntity")) {
    const pugi::xml_node company = m.cbc(legal, "CompanyID");
    const std::string scheme_id = XmlDocument::attribute(company, "schemeID");
    out.add(scheme_id.empty() ? "company-id" : scheme_for(scheme_id), XmlDocument::text(company));
  }
}

// The category of an item: CPV (listID STI) first, then UNSPSC (TST), then
// the first classification with its listID as the code system.
CategoryRef read_category(const UblMessage& m, pugi::xml_node item) {
  std::optional<CategoryRef> first, unspsc;
  for (pugi::xml_node classification : m.document().children(item, kCacNamespace, "CommodityClassification")) {
    const pugi::xml_node code = m.cbc(classification, "ItemClassificationCode");
    if (!code) continue;
    const std::string list = XmlDocument::attribute(code, "listID");
    const std::string value = XmlDocument::text(code);
    if (value.empty()) continue;
    if (list == "STI") return CategoryRef{"CPV", value};
    if (list == "TST" && !unspsc) unspsc = CategoryRef{"UNSPSC", value};
    if (!first) first = CategoryRef{list, value};
  }
  if (unspsc) return *unspsc;
  return first.value_or(CategoryRef{});
}

// An amount element: its currencyID, else the document currency.
Result<std::optional<Money>> read_amount(const UblMessage& m, pugi::xml_node amount, const std::string& document_currency,
                                         const std::string& context) {
  if (!amount) return std::optional<Money>{};
  std::string currency = XmlDocument::attribute(amount, "currencyID");
  if (currency.empty()) currency = document_currency;
  const std::string where = m.document().describe(amount) + context;
  if (currency.empty()) {
    return make_error(ErrorCode::mapping,
                      where + " has no currencyID and the document has no DocumentCurrencyCode; expected an ISO 4217 "
                              "code",
                      "currencyID");
  }
  auto money = parse_money(XmlDocument::text(amount), currency);
  if (!money) return make_error(ErrorCode::mapping, where + ": " + money.error().describe(), amount.name());
  return std::optional<Money>{std::move(money).value()};
}

// An OrderChange: the order it changes (OrderReference), its own id and its
// sequence number, which orders the versions of one order.
Result<void> change_version(const UblMessage& m, OrderChoice& header) {
  const pugi::xml_node root = m.root();
  const std::size_t orders = m.document().children(root, kCacNamespace, "OrderReference").size();
  if (orders > 1) {
    return make_error(ErrorCode::unsupported,
                      "the OrderChange names " + std::to_string(orders) +
                          " orders; expected one <cac:OrderReference> (the order it changes)",
                      "OrderReference");
  }
  header.order_ref = XmlDocument::text(m.cbc(m.cac(root, "OrderReference"), "ID"));
  if (header.order_ref.empty()) {
    return make_error(ErrorCode::mapping,
                      "the OrderChange has no <cac:OrderReference>/<cbc:ID>; expected the number of the order it "
                      "changes",
                      "OrderReference/ID");
  }
  header.document_ref = XmlDocument::text(m.cbc(root, "ID"));
  if (header.document_ref.empty()) {
    return make_error(ErrorCode::mapping, "the OrderChange has no <cbc:ID>; expected the change document's own id",
                      "ID");
  }
  const pugi::xml_node sequence = m.cbc(root, "SequenceNumberID");
  const std::string text = XmlDocument::text(sequence);
  std::int64_t number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || number <= 0) {
    return make_error(ErrorCode::mapping,
                      "the OrderChange's <cbc:SequenceNumberID> is " + soap::in_quotes(text) +
                          "; expected a whole number from 1 (the change's place among the changes of order " +
                          soap::in_quotes(header.order_ref) + ")",
                      "SequenceNumberID");
  }
  header.order_version = number;
  return {};
}

Result<OrderStatusUpdate> status_of(const UblMessage& m) {
  const pugi::xml_node root = m.root();
  OrderStatusUpdate update;
  update.response_ref = XmlDocument::text(m.cbc(root, "ID"));
  update.order_ref = XmlDocument::text(m.cbc(m.cac(root, "OrderReference"), "ID"));
  if (m.document_type() == "OrderCancellation") {
    // UBL allows one cancellation for several orders; statuses are kept per
    // order and one document gives one status, so that is refused.
    const std::size_t orders = m.document().children(root, kCacNamespace, "OrderReference").size();
    if (orders > 1) {
      return make_error(ErrorCode::unsupported,
                        "the OrderCancellation names " + std::to_string(orders) +
                            " orders; expected one <cac:OrderReference> (send one cancellation per order)",
                        "OrderReference");
    }
  }
  if (update.order_ref.empty()) {
    return make_error(ErrorCode::mapping,
                      "the " + m.document_type() +
                          " has no <cac:OrderReference>/<cbc:ID>; expected the number of the order it answers",
                      "OrderReference/ID");
  }
  if (m.document_type() == "OrderCancellation") {
    update.status = OrderStatus::cancelled;
    update.code = "OrderCancellation";
    return update;
  }
  if (m.document_type() == "OrderResponseSimple") {
    const pugi::xml_node indicator = m.cbc(root, "AcceptedIndicator");
    const std::string value = XmlDocument::text(indicator);
    if (value != "true" && value != "false") {
      return make_error(ErrorCode::mapping,
                        "the OrderResponseSimple's <cbc:AcceptedIndicator> is " + soap::in_quotes(value) +
                            "; expected true or false",
                        "AcceptedIndicator");
    }
    update.code = "AcceptedIndicator=" + value;
    update.status = value == "true" ? OrderStatus::accepted : OrderStatus::rejected;
    return update;
  }
  const pugi::xml_node code = m.cbc(root, "OrderResponseCode");
  update.code = XmlDocument::text(code);
  if (!code) {
    // A full OrderResponse without a code (UBL 2.0, or 2.1 without the
    // PEPPOL rules) carries the seller's amendments: conditionally accepted.
    update.status = OrderStatus::conditionally_accepted;
  } else if (update.code == "AP" || update.code == "29") {
    update.status = OrderStatus::accepted;
  } else if (update.code == "RE" || update.code == "27") {
    update.status = OrderStatus::rejected;
  } else if (update.code == "CA" || update.code == "30") {
    update.status = OrderStatus::conditionally_accepted;
  } else {
    return make_error(ErrorCode::unsupported,
                      "OrderResponseCode " + soap::in_quotes(update.code) + " (" + m.document().describe(code) +
                          ") does not say whether the order was accepted; expected AP (accepted), RE (rejected) or CA "
                          "(conditionally accepted)",
                      "OrderResponseCode");
  }
  return update;
}

}  // namespace

std::string scheme_for(std::string_view scheme_id) {
  for (const Icd& icd : kIcd) {
    if (scheme_id == icd.code) return std::string(icd.scheme);
  }
  if (scheme_id.size() == 4 && std::all_of(scheme_id.begin(), scheme_id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "icd-" + std::string(scheme_id);
  }
  std::string lower(scheme_id);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

Result<std::shared_ptr<const Adapter>> UblAdapter::create(const AdapterSettings& settings) {
  if (!settings.mapping.empty()) {
    return make_error(ErrorCode::config,
                      "the ubl adapter takes no mapping (UBL fixes where everything is); got " +
                          soap::in_quotes(settings.mapping.string()),
                      settings.mapping.string());
  }
  return std::shared_ptr<const Adapter>(std::make_shared<UblAdapter>(settings.limits));
}

Result<std::unique_ptr<Message>> UblAdapter::recognise(std::string_view bytes) const {
  auto message = UblMessage::parse(bytes, limits_);
  if (!message) return std::move(message).error();
  return std::unique_ptr<Message>(std::move(message).value());
}

Result<Shortlist> UblAdapter::read_shortlist(const Message&, const Message*) const {
  return make_error(ErrorCode::unsupported,
                    "the ubl adapter reads orders and order responses; it does not read or rewrite shortlists");
}

Result<std::string> UblAdapter::apply_decision(const Message&, const Shortlist&, const Decision&, const Policy&) const {
  return make_error(ErrorCode::unsupported,
                    "the ubl adapter reads orders and order responses; it does not read or rewrite shortlists");
}

Result<OrderStatusUpdate> UblAdapter::read_order_status(const Message& response) const {
  const UblMessage* m = as_ubl(response);
  if (m == nullptr) return not_ubl("order response");
  if (m->kind() != MessageKind::order_response) {
    return make_error(ErrorCode::unsupported, "a UBL " + m->document_type() + " is not an order response");
  }
  return status_of(*m);
}

Result<std::vector<OrderChoice>> UblAdapter::read_choice(const Message& request, const Message* response) const {
  const UblMessage* m = as_ubl(request);
  if (m == nullptr) return not_ubl("order");
  if (m->kind() != MessageKind::order_request) {
    return make_error(ErrorCode::unsupported, "a UBL " + m->document_type() + " is not an order");
  }
  const XmlDocument& d = m->document();
  const pugi::xml_node root = m->root();

  OrderChoice header;
  header.document_version = m->version();
  const std::string& type = m->document_type();
  if (type == "OrderChange") {
    auto version = change_version(*m, header);
    if (!version) return std::move(version).error();
  } else {
    header.order_ref = XmlDocument::text(m->cbc(root, "ID"));
    if (header.order_ref.empty()) {
      return make_error(ErrorCode::mapping, "the Order has no <cbc:ID>; expected the order number", "ID");
    }
  }
  header.correlation_id = XmlDocument::text(m->cbc(m->cac(root, "OriginatorDocumentReference"), "ID"));
  const pugi::xml_node originator = m->cac(m->cac(root, "OriginatorCustomerParty"), "Party");
  const pugi::xml_node contact = m->cac(originator, "Contact");
  for (std::string_view field : {"ElectronicMail", "ID", "Name"}) {
    header.requester = XmlDocument::text(m->cbc(contact, field));
    if (!header.requester.empty()) break;
  }
  header.department = XmlDocument::text(m->cbc(m->cac(originator, "PartyName"), "Name"));

  const pugi::xml_node seller = m->cac(root, "SellerSupplierParty");
  header.supplier_id = XmlDocument::text(m->cbc(seller, "CustomerAssignedAccountID"));
  Identifiers ids;
  read_party(*m, m->cac(seller, "Party"), ids);
  header.supplier_identifiers = ids.take();

  if (response != nullptr) {
    const UblMessage* r = as_ubl(*response);
    if (r == nullptr) return not_ubl("order response");
    if (r->kind() != MessageKind::order_response) {
      return make_error(ErrorCode::unsupported, "a UBL " + r->document_type() + " is not an order response");
    }
    auto status = status_of(*r);
    if (!status) return std::move(status).error();
    if (status->order_ref != header.order_ref) {
      return make_error(ErrorCode::mapping,
                        "the " + r->document_type() + " answers order " + soap::in_quotes(status->order_ref) +
                            ", not this Order " + soap::in_quotes(header.order_ref),
                        "OrderReference/ID");
    }
    header.accepted = status->status != OrderStatus::rejected && status->status != OrderStatus::cancelled;
  }

  const std::string currency = XmlDocument::text(m->cbc(root, "DocumentCurrencyCode"));
  const std::vector<pugi::xml_node> lines = d.children(root, kCacNamespace, "OrderLine");
  if (lines.empty()) {
    return make_error(ErrorCode::mapping, "the " + type + " has no <cac:OrderLine>; expected at least one", "OrderLine");
  }
  std::vector<OrderChoice> out;
  out.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string context = " of order line " + std::to_string(i + 1);
    const pugi::xml_node item_line = m->cac(lines[i], "LineItem");
    if (!item_line) {
      return make_error(ErrorCode::mapping,
                        d.describe(lines[i]) + " (order line " + std::to_string(i + 1) +
                            ") has no <cac:LineItem>; expected one",
                        "OrderLine/LineItem");
    }
    // A changed order repeats every line; one it cancels is not bought:
    // UBL's own code Cancelled, or UNCL 1229 code 2 (deleted), which PEPPOL
    // Advanced Ordering uses.
    if (type == "OrderChange") {
      const std::string status = XmlDocument::text(m->cbc(item_line, "LineStatusCode"));
      if (status == "Cancelled" || status == "2") continue;
    }
    OrderChoice line = header;
    // The line's own number when it is one, else its position.
    const std::string id = XmlDocument::text(m->cbc(item_line, "ID"));
    int number = 0;
    const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), number);
    line.line = ec == std::errc{} && end == id.data() + id.size() && number > 0 ? number : static_cast<int>(i + 1);
    auto amount = read_amount(*m, m->cbc(item_line, "LineExtensionAmount"), currency, context);
    if (!amount) return std::move(amount).error();
    line.amount = std::move(amount).value();
    const pugi::xml_node item = m->cac(item_line, "Item");
    line.category = read_category(*m, item);
    line.description = XmlDocument::text(m->cbc(item, "Name"));
    out.push_back(std::move(line));
  }
  if (out.empty()) {
    return make_error(ErrorCode::mapping,
                      "the OrderChange cancels every line of order " + soap::in_quotes(header.order_ref) +
                          "; expected at least one line that is not Cancelled (send an OrderCancellation to cancel "
                          "the order)",
                      "OrderLine/LineItem/LineStatusCode");
  }
  // An order of one line without a line amount: the order's payable amount.
  if (out.size() == 1 && !out[0].amount) {
    const pugi::xml_node payable = m->cbc(m->cac(root, "AnticipatedMonetaryTotal"), "PayableAmount");
    auto amount = read_amount(*m, payable, currency, "");
    if (!amount) return std::move(amount).error();
    out[0].amount = std::move(amount).value();
  }
  return out;
}

}  // namespace socialdefault::ubl

namespace socialdefault {

void register_ubl_adapter(AdapterRegistry& registry) { registry.add("ubl", &ubl::UblAdapter::create); }

}  // namespace socialdefault
