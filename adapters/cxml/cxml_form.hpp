// PunchOut carts posted as an HTML form: the cXML in the field
// cxml-urlencoded or cxml-base64 (docs/standard-documents.md, "PunchOut carts
// posted as a form"). The gateway decodes a posted form with it and
// `socialdefault record --adapter cxml` a form read from a file, so both
// read a cart alike. Needs nothing but the core's Result.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "socialdefault/result.hpp"

namespace socialdefault::cxml {

// The cXML document of a PunchOut cart posted as an HTML form: the first
// field named cxml-urlencoded (percent-decoded, '+' a space) or cxml-base64
// (percent-decoded, then base64), wherever it stands in the form. Errors:
// not_found when the form has neither field (it is not a cart); xml when the
// field is empty, malformed (a bad percent escape, a character outside
// base64) or decodes to more than max_bytes. Messages name the field and the
// byte of the form where the problem is.
Result<std::string> decode_punchout_form(std::string_view form, std::size_t max_bytes);

}  // namespace socialdefault::cxml
