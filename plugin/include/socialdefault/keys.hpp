// The deployment's secret, read from the key file named in the
// configuration. Two independent keys are derived from it (HMAC-SHA256 with a
// label): one pseudonymises requester ids, one chains the ledger rows, one
// assigns requesters to experiment arms.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "socialdefault/result.hpp"

namespace socialdefault {

using Key = std::array<std::uint8_t, 32>;

class Keys {
 public:
  // The file holds at least 32 bytes of secret (raw, hex or base64 text;
  // surrounding whitespace ignored). A shorter secret is refused.
  static Result<Keys> from_file(const std::filesystem::path& file);
  static Result<Keys> from_secret(std::string_view secret);

  // Lower-case hex of HMAC-SHA256(pseudonym key, requester), first 16 bytes.
  std::string pseudonymise(std::string_view requester) const;
  const Key& chain_key() const noexcept { return chain_key_; }
  // The experiment bucket of a requester: the first 8 bytes (big-endian) of
  // HMAC-SHA256(assignment key, len-prefixed experiment id and pseudonym).
  // A third derived key, so buckets reveal nothing about pseudonyms.
  std::uint64_t assignment_bucket(std::string_view experiment, std::string_view pseudonym) const;

 private:
  // where names the key file in errors; the secret never appears in them.
  static Result<Keys> derive(std::string_view secret, const std::string& where);

  Key pseudonym_key_{};
  Key chain_key_{};
  Key assignment_key_{};
};

// HMAC-SHA256 over data with key; throws nothing.
std::array<std::uint8_t, 32> hmac_sha256(const Key& key, std::string_view data) noexcept;
std::string sha256_hex(std::string_view data);
std::string to_hex(const std::uint8_t* data, std::size_t size);

}  // namespace socialdefault
