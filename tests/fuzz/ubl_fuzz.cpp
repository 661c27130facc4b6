// libFuzzer target for the UBL adapter: recognise, then read the order or the
// order response of whatever parses. Beyond "no crash, no sanitizer report"
// it traps when a promise breaks: a message keeps its bytes, every line has a
// positive number, and every amount has an ISO 4217 currency.
//
//   ubl_fuzz -dict=tests/fuzz/ubl.dict CORPUS_DIR tests/adapters/ubl/fixtures
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ubl_adapter.hpp"

namespace {

using namespace socialdefault;

const ubl::UblAdapter& adapter() {
  static const ubl::UblAdapter instance(Limits{1u << 20, 64});
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto message = adapter().recognise(bytes);
  if (!message) return 0;
  if ((*message)->bytes() != bytes) __builtin_trap();
  if ((*message)->kind() == MessageKind::order_request) {
    auto lines = adapter().read_choice(**message, nullptr);
    if (lines) {
      for (const OrderChoice& line : *lines) {
        if (line.line <= 0) __builtin_trap();
        if (line.amount && !is_currency_code(line.amount->currency)) __builtin_trap();
      }
    }
  } else if ((*message)->kind() == MessageKind::order_response) {
    auto status = adapter().read_order_status(**message);
    if (status && status->order_ref.empty()) __builtin_trap();
  }
  return 0;
}
