#include "socialdefault/result.hpp"

namespace socialdefault {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::config: return "config";
    case ErrorCode::xml: return "xml";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::mapping: return "mapping";
    case ErrorCode::signed_content: return "signed_content";
    case ErrorCode::io: return "io";
    case ErrorCode::database: return "database";
    case ErrorCode::crypto: return "crypto";
    case ErrorCode::tampered: return "tampered";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

std::string Error::describe() const {
  if (where.empty()) return message;
  return where + ": " + message;
}

}  // namespace socialdefault
