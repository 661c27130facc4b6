// The one error model of socialdefault: a value or an Error that says what
// went wrong and where (file:line for configuration, byte offset for XML,
// the field path for mappings).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace socialdefault {

enum class ErrorCode {
  invalid_argument,  // a caller passed something unusable
  config,            // configuration or mapping file is invalid
  xml,               // not well-formed, DOCTYPE, bad encoding, too deep
  unsupported,       // a message this adapter does not handle
  mapping,           // the message lacks something the mapping requires
  signed_content,    // the part to rewrite is covered by an XML signature
  io,                // file or disk error
  database,          // ledger error
  crypto,            // OpenSSL failure
  tampered,          // ledger verification failed
  not_found,
  internal,
};

const char* to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;  // human text, complete on its own
  std::string where;    // "config.xml:42", "byte 1834", "shortlist/candidates/price"; may be empty

  // "where: message", or the message alone.
  std::string describe() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool failed_ = false;
};

inline Error make_error(ErrorCode code, std::string message, std::string where = {}) {
  return Error{code, std::move(message), std::move(where)};
}

}  // namespace socialdefault
