// libFuzzer target for the SOAP adapter: recognise, then read and apply a
// decision (or read the order, or a response's context from the request) on
// whatever parses. Beyond "no crash, no
// sanitizer report" it checks the adapter's promises and traps when one
// breaks: a message keeps its bytes, a decision that is not applied changes
// nothing, and a rewrite is a message the adapter recognises again with every
// candidate still there. Every input also goes through the DOM path with
// the fast path switched off (fast_scan.hpp), and the two must agree on
// everything: the error text, the kind, the shortlist and the rewritten bytes;
// recognised borrowing the bytes, the outcome is the same again; and a
// shortlist read into an object reused from input to input equals a fresh
// read.
//
//   soap_fuzz -dict=tests/fuzz/soap.dict CORPUS_DIR examples/erp tests/adapters/soap/golden
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fast_scan.hpp"
#include "soap_adapter.hpp"
#include "soap_message.hpp"

namespace {

using namespace socialdefault;

// The example contract's mapping (examples/erp/mapping.xml), inline so the
// target runs from any directory.
constexpr std::string_view kMapping = R"(<mapping xmlns="urn:socialdefault:mapping:1">
  <namespace prefix="erp" uri="urn:example:erp:purchasing:1"/>
  <shortlist>
    <request element="erp:GetSupplierShortlist"/>
    <response element="erp:GetSupplierShortlistResponse"/>
    <candidates path="erp:Suppliers/erp:Supplier">
      <id path="erp:SupplierId"/>
      <name path="erp:Name"/>
      <price path="erp:UnitPrice"/>
      <currency path="erp:UnitPrice/@currency"/>
      <preselected path="erp:Preselected" true="true 1" false="false 0"/>
      <note path="erp:Remark"/>
      <identifier scheme="kvk" path="erp:KvK"/>
    </candidates>
    <message-note path="erp:Message"/>
    <correlation-id from="response" path="erp:RequisitionId"/>
    <category from="response" path="erp:Category" system-path="erp:Category/@listID"/>
    <requester from="request" path="erp:Requester"/>
    <department from="request" path="erp:Requester/@department"/>
  </shortlist>
  <order>
    <request element="erp:SubmitRequisition"/>
    <response element="erp:SubmitRequisitionResponse"/>
    <correlation-id path="erp:RequisitionId"/>
    <supplier path="erp:SupplierId"/>
    <amount path="erp:Amount"/>
    <currency path="erp:Amount/@currency"/>
    <order-number path="erp:OrderNumber"/>
    <status path="erp:Status"><rejected>Rejected</rejected></status>
  </order>
</mapping>)";

struct Fixture {
  std::shared_ptr<const soap::Mapping> mapping;
  Policy policy;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture made;
    auto mapping = soap::parse_mapping(kMapping, "fuzz-mapping.xml");
    if (!mapping.ok()) __builtin_trap();
    made.mapping = *mapping;
    Supplier s;
    s.id = "BLOEM-03";
    s.name = "Kwekerij Samen & <Zn> \xE2\x82\xAC";  // needs escaping and, in latin1, a reference
    s.identifiers.push_back({"kvk", "70000003"});
    made.policy.suppliers.push_back(s);
    return made;
  }();
  return f;
}

void check(bool promise) {
  if (!promise) __builtin_trap();
}

// Reverses the candidates, makes the last one the default, injects BLOEM-03
// first when it is absent, and attaches notes.
Decision reversed(const Shortlist& shortlist) {
  Decision d;
  d.reason = Reason::applied;
  bool present = false;
  for (const Candidate& c : shortlist.candidates) present = present || c.supplier_id == "BLOEM-03";
  if (!present && !shortlist.candidates.empty()) {
    Placement injected;
    injected.supplier_id = "BLOEM-03";
    injected.injected = true;
    d.order.push_back(injected);
  }
  for (std::size_t i = shortlist.candidates.size(); i-- > 0;) {
    Placement p;
    p.source = i;
    p.supplier_id = shortlist.candidates[i].supplier_id;
    d.order.push_back(p);
  }
  if (d.order.empty()) return d;
  d.order.back().preselected = true;
  d.default_supplier_id = d.order.back().supplier_id;
  d.notes.push_back({NoteTarget::candidate, d.default_supplier_id, "impact", "14 banen & <meer>"});
  d.notes.push_back({NoteTarget::candidate, "BLOEM-03", "impact", "\xC3\xA9\xC3\xA9n"});
  d.notes.push_back({NoteTarget::message, {}, "norm", "Sociaal voorop"});
  return d;
}

// A shortlist response that reads its requester and department from the
// request: what a fuzzed request is read against.
constexpr std::string_view kResponse =
    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
    "<erp:GetSupplierShortlistResponse xmlns:erp=\"urn:example:erp:purchasing:1\">"
    "<erp:RequisitionId>R-1</erp:RequisitionId><erp:Category listID=\"CPV\">03121200-7</erp:Category>"
    "<erp:Suppliers><erp:Supplier><erp:SupplierId>FLR-100</erp:SupplierId><erp:Name>Bloemen</erp:Name>"
    "<erp:Preselected>true</erp:Preselected></erp:Supplier></erp:Suppliers>"
    "</erp:GetSupplierShortlistResponse></s:Body></s:Envelope>";

// Everything a path produces for an input, as one text to compare; borrow:
// recognised with recognise_borrowed, as the engine does.
std::string outcome(const soap::SoapAdapter& adapter, std::string_view bytes, const Policy& policy, bool borrow) {
  auto message = borrow ? adapter.recognise_borrowed(bytes) : adapter.recognise(bytes);
  if (!message.ok()) return "recognise: " + message.error().describe();
  std::string out = std::string("kind ") + to_string((*message)->kind()) + "\n";
  if ((*message)->kind() == MessageKind::shortlist_request) {
    auto response = adapter.recognise(kResponse);
    check(response.ok());
    auto shortlist = adapter.read_shortlist(**response, message->get());
    if (!shortlist.ok()) return out + "read: " + shortlist.error().describe();
    return out + shortlist->requester + "|" + shortlist->department + "\n";
  }
  if ((*message)->kind() != MessageKind::shortlist_response) return out;
  auto shortlist = adapter.read_shortlist(**message, nullptr);
  if (!shortlist.ok()) return out + "read: " + shortlist.error().describe();
  out += shortlist->correlation_id + "|" + shortlist->category.code_system + ":" + shortlist->category.code + "\n";
  for (const Candidate& c : shortlist->candidates) {
    out += c.supplier_id + "|" + c.name + "|" + (c.price ? std::to_string(c.price->minor) + c.price->currency : "") +
           "|" + (c.preselected ? "1" : "0");
    for (const SupplierIdentifier& i : c.identifiers) out += "|" + i.scheme + "=" + i.value;
    out += "\n";
  }
  const Decision decision = reversed(*shortlist);
  auto rewritten = adapter.apply_decision(**message, *shortlist, decision, policy);
  return out + (rewritten.ok() ? "out:\n" + *rewritten : "apply: " + rewritten.error().describe());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  Limits limits;
  limits.max_bytes = 1u << 20;
  const soap::SoapAdapter adapter(f.mapping, limits);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  {
    const std::string fast = outcome(adapter, bytes, f.policy, false);
    std::string dom;
    {
      const soap::FastPathOff off;
      dom = outcome(adapter, bytes, f.policy, false);
    }
    check(fast == dom);
    check(outcome(adapter, bytes, f.policy, true) == fast);
  }

  auto message = adapter.recognise(bytes);
  if (!message.ok()) {
    check(!message.error().message.empty());
    return 0;
  }
  check((*message)->bytes() == bytes);
  switch ((*message)->kind()) {
    case MessageKind::shortlist_response: {
      auto shortlist = adapter.read_shortlist(**message, nullptr);
      // Read into one Shortlist kept from input to input, as the gateway's
      // io thread does: the same as a fresh read, or the same error.
      static Shortlist reused;
      auto into = adapter.read_shortlist_into(**message, nullptr, reused);
      check(into.ok() == shortlist.ok());
      check(shortlist.ok() ? reused == *shortlist : into.error().describe() == shortlist.error().describe());
      if (!shortlist.ok()) break;
      Decision decision = reversed(*shortlist);
      decision.reason = Reason::no_policy;
      auto unchanged = adapter.apply_decision(**message, *shortlist, decision, f.policy);
      check(unchanged.ok() && *unchanged == bytes);
      decision.reason = Reason::applied;
      auto out = adapter.apply_decision(**message, *shortlist, decision, f.policy);
      if (!out.ok() || decision.order.empty()) break;
      auto again = adapter.recognise(*out);
      check(again.ok() && (*again)->kind() == MessageKind::shortlist_response);
      auto reread = adapter.read_shortlist(**again, nullptr);
      check(reread.ok() && reread->candidates.size() == decision.order.size());
      break;
    }
    case MessageKind::order_request:
      (void)adapter.read_choice(**message, nullptr);
      break;
    default:
      (void)adapter.read_shortlist(**message, nullptr);
      break;
  }
  return 0;
}
