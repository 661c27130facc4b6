// libFuzzer target for the gateway's PunchOut form decoder
// (standard_documents.hpp). Traps when a promise breaks: a decoded cart is
// never larger than the limit, a form body is never mistaken for XML of its
// own, and a cart encoded as a form (urlencoded and base64) decodes back to
// exactly the bytes it came from.
//
//   punchout_form_fuzz CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "standard_documents.hpp"
#include "../form_encoding.hpp"

namespace {

using socialdefault::testing::base64;
using socialdefault::testing::form_encode;

using namespace socialdefault::gateway;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kLimit = 4096;
  auto decoded = decode_punchout_form(bytes, kLimit);
  if (decoded && decoded->size() > kLimit) __builtin_trap();
  const StandardBody body = read_standard_body("application/x-www-form-urlencoded", bytes, kLimit);
  if (body.from_form != (body.document == StandardDocument::cxml)) __builtin_trap();
  if (body.from_form && body.form_error) __builtin_trap();
  if (!body.from_form && body.xml(bytes) != bytes) __builtin_trap();

  if (size > kLimit) return 0;
  auto url = decode_punchout_form("x=%ZZ&cxml-urlencoded=" + form_encode(bytes), kLimit);
  if (size > 0 && (!url || *url != bytes)) __builtin_trap();
  auto b64 = decode_punchout_form("cxml-base64=" + form_encode(base64(bytes)) + "&y=1", kLimit);
  if (size > 0 && (!b64 || *b64 != bytes)) __builtin_trap();
  return 0;
}
