// libFuzzer target for the cXML adapter: recognise, then read the order of
// whatever parses, with the response taken from the same bytes when they are
// a Response, and the status of whatever changes an order's status. Traps
// when a promise breaks: a message keeps its bytes, every
// line has a positive number, every amount has an ISO 4217 currency, and no
// SharedSecret of the input appears in an error or a value.
//
//   cxml_fuzz -dict=tests/fuzz/cxml.dict CORPUS_DIR tests/adapters/cxml/fixtures
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "cxml_adapter.hpp"

namespace {

using namespace socialdefault;

const cxml::CxmlAdapter& adapter() {
  static const cxml::CxmlAdapter instance(cxml::Mapping::defaults(), Limits{1u << 20, 64});
  return instance;
}

// The SharedSecret elements' texts, as pugixml reads them on its own.
// Secrets made of '*' are left out: the redaction mark is made of them.
std::vector<std::string> secrets_of(std::string_view bytes) {
  pugi::xml_document doc;
  std::vector<std::string> out;
  if (!doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_utf8)) return out;
  for (pugi::xpath_node found : doc.select_nodes("//*[local-name()='SharedSecret']")) {
    std::string text = found.node().text().get();
    const std::size_t begin = text.find_first_not_of(" \t\r\n");
    const std::size_t end = text.find_last_not_of(" \t\r\n");
    text = begin == std::string::npos ? std::string() : text.substr(begin, end - begin + 1);
    if (text.size() >= 4 && text.find('*') == std::string::npos) out.push_back(std::move(text));
  }
  return out;
}

void check_no_secret(const std::vector<std::string>& secrets, std::string_view text) {
  for (const std::string& secret : secrets) {
    if (text.find(secret) != std::string_view::npos) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto message = adapter().recognise(bytes);
  if (!message) return 0;
  if ((*message)->bytes() != bytes) __builtin_trap();
  const std::vector<std::string> secret = secrets_of(bytes);
  if ((*message)->kind() == MessageKind::order_response) {
    auto status = adapter().read_order_status(**message);
    if (!status) {
      check_no_secret(secret, status.error().message);
      check_no_secret(secret, status.error().where);
    } else {
      // A status names its order by number or, failing that, by the payloadID of its OrderRequest.
      if (status->order_ref.empty() && status->order_document_ref.empty()) __builtin_trap();
      for (const std::string* value :
           {&status->order_ref, &status->order_document_ref, &status->response_ref, &status->code}) {
        check_no_secret(secret, *value);
      }
    }
  }
  auto lines = adapter().read_choice(**message, (*message)->kind() == MessageKind::order_response ? message->get() : nullptr);
  if (!lines) {
    check_no_secret(secret, lines.error().message);
    check_no_secret(secret, lines.error().where);
    return 0;
  }
  for (const OrderChoice& line : *lines) {
    if (line.line <= 0) __builtin_trap();
    if (line.amount && !is_currency_code(line.amount->currency)) __builtin_trap();
    for (const std::string* value : {&line.requester, &line.department, &line.supplier_id, &line.description,
                                     &line.order_ref, &line.correlation_id, &line.category.code}) {
      check_no_secret(secret, *value);
    }
    for (const SupplierIdentifier& id : line.supplier_identifiers) check_no_secret(secret, id.value);
  }
  return 0;
}
