#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "socialdefault/keys.hpp"

namespace socialdefault {
namespace {

namespace fs = std::filesystem;

// The bytes 00 01 02 ... 1f, in the three forms a key file may hold.
constexpr const char* kHexSecret = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kBase64Secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr const char* kRequester = "j.jansen@voorbeeldstad.nl";

// Expected values computed independently (Python's hmac module):
//   chain key  = HMAC-SHA256(secret, "socialdefault ledger chain v1")
//   pseudonym  = HMAC-SHA256(HMAC-SHA256(secret, "socialdefault requester pseudonym v1"), requester)[:16]
constexpr const char* kChainKeyHex = "a7b935994ce31219d9ecc513876729e870f72e39f4fed0c61912b07912e0d39b";
constexpr const char* kPseudonym = "45c7c504920a4a9cf84c1bba4244af11";

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    path_ = fs::path(::testing::TempDir()) / ("sd_keys_" + std::to_string(++counter_) + ".key");
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { fs::remove(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

TEST(Keys, DerivesBothKeysWithTheirLabels) {
  auto keys = Keys::from_secret(kHexSecret);
  ASSERT_TRUE(keys.ok()) << keys.error().describe();
  EXPECT_EQ(to_hex(keys->chain_key().data(), keys->chain_key().size()), kChainKeyHex);
  EXPECT_EQ(keys->pseudonymise(kRequester), kPseudonym);
}

TEST(Keys, PseudonymsAreStableShortAndDistinct) {
  auto keys = Keys::from_secret(kHexSecret);
  ASSERT_TRUE(keys.ok());
  const std::string a = keys->pseudonymise("alice");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a, keys->pseudonymise("alice"));
  EXPECT_NE(a, keys->pseudonymise("bob"));
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  // Another secret gives other pseudonyms: they cannot be linked across deployments.
  auto other = Keys::from_secret(std::string(64, 'f'));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(a, other->pseudonymise("alice"));
}

TEST(Keys, HexBase64AndSurroundingWhitespaceGiveTheSameKeys) {
  auto hex = Keys::from_secret(kHexSecret);
  auto upper = Keys::from_secret("  000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\n");
  auto base64 = Keys::from_secret(std::string(kBase64Secret) + "\r\n");
  ASSERT_TRUE(hex.ok() && upper.ok() && base64.ok());
  EXPECT_EQ(upper->pseudonymise(kRequester), kPseudonym);
  EXPECT_EQ(base64->pseudonymise(kRequester), kPseudonym);
  EXPECT_EQ(base64->chain_key(), hex->chain_key());
}

TEST(Keys, RawSecretOfAtLeast32BytesIsUsedAsIs) {
  auto keys = Keys::from_secret("correct horse battery staple, and then some");
  ASSERT_TRUE(keys.ok()) << keys.error().describe();
  EXPECT_EQ(keys->pseudonymise(kRequester), "20d90d3b3b3d611012464c07dec01605");
  std::string binary(40, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(0x80 + i);
  EXPECT_TRUE(Keys::from_secret(binary).ok());
}

TEST(Keys, RefusesShortSecretsWithoutShowingThem) {
  auto hex = Keys::from_secret("00112233445566778899aabbccddeeff");
  ASSERT_FALSE(hex.ok());
  EXPECT_EQ(hex.error().describe(),
            "the secret is 16 bytes (hex); at least 32 bytes are needed, e.g. `openssl rand -hex 32`");

  auto base64 = Keys::from_secret("c2hvcnQgc2VjcmV0");  // "short secret"
  ASSERT_FALSE(base64.ok());
  EXPECT_EQ(base64.error().message,
            "the secret is 12 bytes (base64); at least 32 bytes are needed, e.g. `openssl rand -hex 32`");

  auto raw = Keys::from_secret("hunter2!");
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.error().message, "the secret is 8 bytes (raw); at least 32 bytes are needed, e.g. `openssl rand -hex 32`");
  EXPECT_EQ(raw.error().describe().find("hunter2"), std::string::npos);

  EXPECT_FALSE(Keys::from_secret("").ok());
  EXPECT_FALSE(Keys::from_secret(" \n\t").ok());
}

TEST(Keys, FromFileNamesTheFileAndNeverTheSecret) {
  TempFile good(std::string(kHexSecret) + "\n");
  auto keys = Keys::from_file(good.path());
  ASSERT_TRUE(keys.ok()) << keys.error().describe();
  EXPECT_EQ(keys->pseudonymise(kRequester), kPseudonym);

  TempFile short_file("sesame-open-up\n");
  auto refused = Keys::from_file(short_file.path());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(refused.error().describe(),
            short_file.path().string() +
                ": the secret is 14 bytes (raw); at least 32 bytes are needed, e.g. `openssl rand -hex 32`");
  EXPECT_EQ(refused.error().describe().find("sesame"), std::string::npos);
}

TEST(Keys, MissingOrOversizedKeyFileIsAClearError) {
  const fs::path missing = fs::path(::testing::TempDir()) / "sd_keys_absent.key";
  auto absent = Keys::from_file(missing);
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, ErrorCode::io);
  EXPECT_EQ(absent.error().describe(), missing.string() + ": cannot read the key file: No such file or directory");

  TempFile huge(std::string(70 * 1024, 'k'));
  auto big = Keys::from_file(huge.path());
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().describe(),
            huge.path().string() + ": the key file is 71680 bytes; expected one secret of at most 64 KiB");
}

TEST(Keys, HashesMatchKnownVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  auto keys = Keys::from_secret(kHexSecret);
  ASSERT_TRUE(keys.ok());
  const auto mac = hmac_sha256(keys->chain_key(), "abc");
  EXPECT_EQ(to_hex(mac.data(), mac.size()), "758ee15fe40fb2d62ffc1fd5f7fc7e13536a508eb97266f1b21725b3d206c10b");
  const std::uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(to_hex(bytes, sizeof bytes), "000fa5ff");
  EXPECT_EQ(to_hex(bytes, 0), "");
}

}  // namespace
}  // namespace socialdefault

namespace socialdefault {
namespace {

// RFC 4231 test case 2. HMAC pads a short key with zeros, so "Jefe" in a
// 32-byte key gives the RFC's value.
Key jefe() {
  Key key{};
  std::memcpy(key.data(), "Jefe", 4);
  return key;
}
constexpr const char* kJefeMac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

TEST(Hmac, MatchesRfc4231) {
  const auto mac = hmac_sha256(jefe(), "what do ya want for nothing?");
  EXPECT_EQ(to_hex(mac.data(), mac.size()), kJefeMac);
}

// OpenSSL's one-shot HMAC() as the reference: every message length around
// SHA-256's 64-byte blocks and the 55/56 bytes where the length no longer
// fits the last block, with keys of all zeros, all ones and mixed bytes.
std::string reference_hmac(const Key& key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &size);
  return to_hex(out, size);
}

TEST(Hmac, MatchesOpenSslsHmacAcrossBlockBoundaries) {
  std::vector<Key> keys(3);
  keys[1].fill(0xFF);
  for (std::size_t i = 0; i < keys[2].size(); ++i) keys[2][i] = static_cast<std::uint8_t>(i * 37 + 11);
  std::string text;
  for (int i = 0; i < 1100; ++i) text.push_back(static_cast<char>('a' + i % 26));
  int checked = 0;
  for (const Key& key : keys) {
    for (const std::size_t size : {0, 1, 31, 32, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 250, 1000, 1100}) {
      const std::string_view data(text.data(), size);
      const auto mac = hmac_sha256(key, data);
      EXPECT_EQ(to_hex(mac.data(), mac.size()), reference_hmac(key, data)) << "key " << checked / 18 << ", " << size
                                                                           << " bytes";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 54);
}

TEST(Hmac, CachedContextsFollowTheKeyAcrossManyKeysAndThreads) {
  // More keys than a thread caches, interleaved, on several threads: every
  // MAC must still be the one of its own key.
  std::vector<Key> keys(5);
  for (std::size_t i = 0; i < keys.size(); ++i) keys[i].fill(static_cast<std::uint8_t>(i + 1));
  keys[0] = jefe();
  std::vector<std::string> expected;
  for (const Key& k : keys) {
    expected.push_back(reference_hmac(k, "what do ya want for nothing?"));
  }
  EXPECT_EQ(expected[0], kJefeMac);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::size_t k = static_cast<std::size_t>(i * 7 + t) % keys.size();
        const auto mac = hmac_sha256(keys[k], "what do ya want for nothing?");
        if (to_hex(mac.data(), mac.size()) != expected[k]) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace socialdefault
