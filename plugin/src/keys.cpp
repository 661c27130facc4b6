// The deployment secret and the two keys derived from it. The secret itself
// never leaves this file: it is wiped after derivation and never appears in
// an error message (only its length does).
#include "socialdefault/keys.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace socialdefault {

namespace {

constexpr std::size_t kMinSecretBytes = 32;
// A key file is a few dozen bytes; anything this large is the wrong file.
constexpr std::uintmax_t kMaxKeyFileBytes = 64 * 1024;

constexpr std::string_view kPseudonymLabel = "socialdefault requester pseudonym v1";
constexpr std::string_view kChainLabel = "socialdefault ledger chain v1";
constexpr std::string_view kAssignmentLabel = "socialdefault experiment assignment v1";

// Wipes what it holds when it goes out of scope, on every path.
class SecretBytes {
 public:
  SecretBytes() = default;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() {
    if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  }
  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool decode_hex(std::string_view text, std::vector<std::uint8_t>& out) {
  if (text.empty() || text.size() % 2 != 0) return false;
  for (char c : text) {
    if (hex_value(c) < 0) return false;
  }
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(hex_value(text[i]) * 16 + hex_value(text[i + 1])));
  }
  return true;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict RFC 4648 base64 with padding; line breaks (as `openssl rand -base64`
// writes for long keys) are skipped.
bool decode_base64(std::string_view text, std::vector<std::uint8_t>& out) {
  std::string compact;
  for (char c : text) {
    if (c == '\n' || c == '\r') continue;
    compact.push_back(c);
  }
  if (compact.empty() || compact.size() % 4 != 0) return false;
  std::size_t padding = 0;
  while (padding < 2 && compact[compact.size() - 1 - padding] == '=') ++padding;
  const std::size_t data_chars = compact.size() - padding;
  for (std::size_t i = 0; i < data_chars; ++i) {
    if (base64_value(compact[i]) < 0) {
      OPENSSL_cleanse(compact.data(), compact.size());
      return false;
    }
  }
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_chars; ++i) {
    acc = (acc << 6) | static_cast<std::uint32_t>(base64_value(compact[i]));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
    }
  }
  OPENSSL_cleanse(compact.data(), compact.size());
  return true;
}

Key hmac_raw(const std::uint8_t* key, std::size_t key_size, std::string_view data) noexcept {
  Key out{};
  unsigned int size = 0;
  // HMAC() only fails on allocation failure; a zero key then makes every
  // MAC fail verification instead of crashing the caller.
  if (HMAC(EVP_sha256(), key, static_cast<int>(key_size), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), out.data(), &size) == nullptr ||
      size != out.size()) {
    out.fill(0);
  }
  return out;
}

}  // namespace

Result<Keys> Keys::derive(std::string_view secret, const std::string& where) {
  const std::string_view text = trim(secret);
  SecretBytes decoded;
  const char* form = "raw";
  // Text made only of hex digits is hex, then strict base64; anything else
  // (a binary file, a passphrase) is taken as raw bytes.
  if (decode_hex(text, decoded.bytes())) {
    form = "hex";
  } else {
    decoded.bytes().clear();
    if (decode_base64(text, decoded.bytes())) {
      form = "base64";
    } else {
      decoded.bytes().assign(text.begin(), text.end());
    }
  }
  if (decoded.bytes().size() < kMinSecretBytes) {
    return make_error(ErrorCode::invalid_argument,
                      std::string("the secret is ") + std::to_string(decoded.bytes().size()) + " bytes (" + form +
                          "); at least 32 bytes are needed, e.g. `openssl rand -hex 32`",
                      where);
  }
  Keys keys;
  keys.pseudonym_key_ = hmac_raw(decoded.bytes().data(), decoded.bytes().size(), kPseudonymLabel);
  keys.chain_key_ = hmac_raw(decoded.bytes().data(), decoded.bytes().size(), kChainLabel);
  keys.assignment_key_ = hmac_raw(decoded.bytes().data(), decoded.bytes().size(), kAssignmentLabel);
  return keys;
}

Result<Keys> Keys::from_file(const std::filesystem::path& file) {
  const std::string where = file.string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return make_error(ErrorCode::io, "cannot read the key file: " + ec.message(), where);
  if (size > kMaxKeyFileBytes) {
    return make_error(ErrorCode::invalid_argument,
                      "the key file is " + std::to_string(size) + " bytes; expected one secret of at most 64 KiB",
                      where);
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::io, std::string("cannot read the key file: ") + std::strerror(errno), where);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    OPENSSL_cleanse(content.data(), content.size());
    return make_error(ErrorCode::io, "cannot read the key file: read error", where);
  }
  auto keys = derive(content, where);
  OPENSSL_cleanse(content.data(), content.size());
  return keys;
}

Result<Keys> Keys::from_secret(std::string_view secret) { return derive(secret, {}); }

std::string Keys::pseudonymise(std::string_view requester) const {
  const Key mac = hmac_sha256(pseudonym_key_, requester);
  return to_hex(mac.data(), 16);
}

namespace {

// HMAC() fetches the algorithm and sets the key up on every call (about 10 µs
// in OpenSSL 3); the ledger MACs every row and pseudonymises every request.
// Each thread keeps, per key, the SHA-256 states after the key's inner and
// outer pads (RFC 2104: HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)))
// and copies them by value for each MAC: no allocation and no lookup per
// MAC. EVP_MAC, even started again without a key, duplicated two digest
// contexts (allocations) and looked its parameters up by name for every
// MAC; in the daemon a requester's pseudonym cost about 1.8 µs that way
// (bench/RESULTS.md, gateway run 16). The SHA256_* functions are deprecated
// in OpenSSL 3 in favour of EVP, which has no way to copy a digest state
// without allocating; they run the same SHA-256 code (SHA-NI where the CPU
// has it). Tested against RFC 4231's vectors (tests/plugin/keys_test.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
class PaddedKey {
 public:
  PaddedKey() = default;
  PaddedKey(const PaddedKey&) = delete;
  PaddedKey& operator=(const PaddedKey&) = delete;
  ~PaddedKey() { wipe(); }

  bool holds(const Key& key) const noexcept { return set_ && key == key_; }

  void set(const Key& key) noexcept {
    wipe();
    // A key is 32 bytes, shorter than SHA-256's 64-byte block: padded with zeros.
    std::array<std::uint8_t, kBlock> pad{};
    for (std::size_t i = 0; i < kBlock; ++i) pad[i] = static_cast<std::uint8_t>((i < key.size() ? key[i] : 0) ^ 0x36);
    SHA256_Init(&inner_);
    SHA256_Update(&inner_, pad.data(), pad.size());
    for (std::size_t i = 0; i < kBlock; ++i) pad[i] = static_cast<std::uint8_t>((i < key.size() ? key[i] : 0) ^ 0x5c);
    SHA256_Init(&outer_);
    SHA256_Update(&outer_, pad.data(), pad.size());
    OPENSSL_cleanse(pad.data(), pad.size());
    key_ = key;
    set_ = true;
  }

  void mac(std::string_view data, Key& out) const noexcept {
    SHA256_CTX c = inner_;
    SHA256_Update(&c, data.data(), data.size());
    Key digest{};
    SHA256_Final(digest.data(), &c);
    c = outer_;
    SHA256_Update(&c, digest.data(), digest.size());
    SHA256_Final(out.data(), &c);
    OPENSSL_cleanse(&c, sizeof c);
  }

 private:
  static constexpr std::size_t kBlock = 64;
  void wipe() noexcept {
    OPENSSL_cleanse(&inner_, sizeof inner_);
    OPENSSL_cleanse(&outer_, sizeof outer_);
    OPENSSL_cleanse(key_.data(), key_.size());
    set_ = false;
  }

  SHA256_CTX inner_{};
  SHA256_CTX outer_{};
  Key key_{};
  bool set_ = false;
};
#pragma GCC diagnostic pop

}  // namespace

std::uint64_t Keys::assignment_bucket(std::string_view experiment, std::string_view pseudonym) const {
  // Length-prefixed, so no (experiment, pseudonym) pair encodes like another.
  std::string data;
  data.reserve(experiment.size() + pseudonym.size() + 16);
  for (const std::string_view part : {experiment, pseudonym}) {
    const std::uint64_t size = part.size();
    for (int shift = 56; shift >= 0; shift -= 8) data.push_back(static_cast<char>((size >> shift) & 0xFF));
    data.append(part);
  }
  const Key mac = hmac_sha256(assignment_key_, data);
  std::uint64_t bucket = 0;
  for (int i = 0; i < 8; ++i) bucket = (bucket << 8) | mac[static_cast<std::size_t>(i)];
  return bucket;
}

std::array<std::uint8_t, 32> hmac_sha256(const Key& key, std::string_view data) noexcept {
  // Three keys are in use (chain, pseudonym, assignment); one padded key each.
  thread_local PaddedKey keys[3];
  thread_local unsigned next = 0;
  PaddedKey* chosen = nullptr;
  for (PaddedKey& k : keys) {
    if (k.holds(key)) chosen = &k;
  }
  if (chosen == nullptr) {
    chosen = &keys[next++ % 3];
    chosen->set(key);
  }
  Key out{};
  chosen->mac(data, out);
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) return {};
  return to_hex(digest, size);
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0F];
  }
  return out;
}

}  // namespace socialdefault
