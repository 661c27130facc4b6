// TLS on both sides: the client to the gateway (with a client certificate)
// and the gateway to the ERP (verified, with the gateway's own client
// certificate). Certificates are made here with the openssl command.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "gateway_harness.hpp"

namespace socialdefault::gateway::testing {
namespace {

namespace ssl = asio::ssl;

struct Pki {
  TempDir dir;
  bool ok = false;
  std::filesystem::path file(const std::string& name) const { return dir.path() / name; }
};

bool run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

// A CA, and certificates it signs: server (for 127.0.0.1) and client; a
// second, untrusted CA with its own client certificate.
std::unique_ptr<Pki> make_pki() {
  auto pki = std::make_unique<Pki>();
  const std::string d = pki->dir.path().string();
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  pki->dir.write("server.ext", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  pki->dir.write("client.ext", "extendedKeyUsage=clientAuth\n");
  const auto ca = [&](const std::string& name) {
    return run("openssl req -x509 " + key + " -days 2 -subj /CN=" + name + " -keyout " + d + "/" + name +
               ".key -out " + d + "/" + name + ".pem");
  };
  const auto leaf = [&](const std::string& name, const std::string& ca_name, const std::string& ext) {
    return run("openssl req " + key + " -subj /CN=" + name + " -keyout " + d + "/" + name + ".key -out " + d + "/" +
               name + ".csr") &&
           run("openssl x509 -req -days 2 -in " + d + "/" + name + ".csr -CA " + d + "/" + ca_name + ".pem -CAkey " +
               d + "/" + ca_name + ".key -CAcreateserial -extfile " + d + "/" + ext + " -out " + d + "/" + name +
               ".pem");
  };
  pki->ok = ca("ca") && ca("rogue-ca") && leaf("server", "ca", "server.ext") && leaf("client", "ca", "client.ext") &&
            leaf("rogue-client", "rogue-ca", "client.ext") && leaf("127.0.0.1", "ca", "server.ext");
  return pki;
}

struct CurlAnswer {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
};

size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

CurlAnswer curl_post(const std::string& url, const std::string& body, const Pki& pki, const std::string& client) {
  CurlAnswer answer;
  CURL* easy = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: text/xml; charset=utf-8");
  headers = curl_slist_append(headers, "SOAPAction: \"urn:example:erp:purchasing:1#GetSupplierShortlist\"");
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_CAINFO, pki.file("ca.pem").c_str());
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  const std::string cert = pki.file(client + ".pem").string();
  const std::string key = pki.file(client + ".key").string();
  if (!client.empty()) {
    curl_easy_setopt(easy, CURLOPT_SSLCERT, cert.c_str());
    curl_easy_setopt(easy, CURLOPT_SSLKEY, key.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &answer.body);
  answer.code = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(easy);
  return answer;
}

std::shared_ptr<ssl::context> erp_tls(const Pki& pki) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->use_certificate_chain_file(pki.file("server.pem").string());
  ctx->use_private_key_file(pki.file("server.key").string(), ssl::context::pem);
  ctx->load_verify_file(pki.file("ca.pem").string());
  ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  return ctx;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!run("openssl version")) GTEST_SKIP() << "the openssl command is not installed";
    pki = make_pki();
    ASSERT_TRUE(pki->ok) << "openssl could not make the test certificates";
  }
  std::shared_ptr<GatewayConfig> config(const std::string& upstream) {
    auto c = make_config(upstream);
    c->listener.tls = ServerTls{pki->file("server.pem"), pki->file("server.key"), pki->file("ca.pem"), true};
    c->routes[0].tls.ca_file = pki->file("ca.pem");
    c->routes[0].tls.client_certificate = pki->file("client.pem");
    c->routes[0].tls.client_key = pki->file("client.key");
    return c;
  }
  std::unique_ptr<Pki> pki;
};

TEST_F(TlsTest, MutualTlsOnBothSides) {
  FixtureUpstream erp([](const Request&) { return soap_response(shortlist_response()); }, erp_tls(*pki));
  GatewayHarness gateway(config(erp.url()));
  const std::string url = "https://127.0.0.1:" + std::to_string(gateway.port()) + "/erp";
  const CurlAnswer answer = curl_post(url, shortlist_request(), *pki, "client");
  ASSERT_EQ(answer.code, CURLE_OK) << curl_easy_strerror(answer.code);
  EXPECT_EQ(answer.status, 200);
  EXPECT_NE(answer.body.find("SOCIAL-DEFAULT"), std::string::npos);
  ASSERT_EQ(erp.received().size(), 1u);
  EXPECT_EQ(erp.received()[0]["SOAPAction"], "\"urn:example:erp:purchasing:1#GetSupplierShortlist\"");
}

TEST_F(TlsTest, WrongOrMissingClientCertificateIsRefused) {
  FixtureUpstream erp([](const Request&) { return soap_response(shortlist_response()); }, erp_tls(*pki));
  GatewayHarness gateway(config(erp.url()));
  const std::string url = "https://127.0.0.1:" + std::to_string(gateway.port()) + "/erp";
  const CurlAnswer rogue = curl_post(url, shortlist_request(), *pki, "rogue-client");
  EXPECT_NE(rogue.code, CURLE_OK);
  EXPECT_EQ(rogue.status, 0);
  const CurlAnswer none = curl_post(url, shortlist_request(), *pki, "");
  EXPECT_NE(none.code, CURLE_OK);
  EXPECT_EQ(none.status, 0);
  EXPECT_TRUE(erp.received().empty());
  // The gateway stays up for a proper client.
  EXPECT_EQ(curl_post(url, shortlist_request(), *pki, "client").status, 200);
}

TEST_F(TlsTest, UpstreamCertificateIsVerifiedByDefault) {
  FixtureUpstream erp([](const Request&) { return soap_response(shortlist_response()); }, erp_tls(*pki));
  auto c = config(erp.url());
  c->routes[0].tls.ca_file.clear();  // the system store does not know the test CA
  GatewayHarness gateway(c);
  const std::string url = "https://127.0.0.1:" + std::to_string(gateway.port()) + "/erp";
  const CurlAnswer answer = curl_post(url, shortlist_request(), *pki, "client");
  ASSERT_EQ(answer.code, CURLE_OK);
  EXPECT_EQ(answer.status, 500);
  EXPECT_NE(answer.body.find("socialdefault gateway: TLS with the ERP at " + erp.url()), std::string::npos)
      << answer.body;
  EXPECT_TRUE(erp.received().empty());
}

TEST_F(TlsTest, UpstreamRefusesAGatewayWithoutItsClientCertificate) {
  FixtureUpstream erp([](const Request&) { return soap_response(shortlist_response()); }, erp_tls(*pki));
  auto c = config(erp.url());
  c->routes[0].tls.client_certificate.clear();
  c->routes[0].tls.client_key.clear();
  GatewayHarness gateway(c);
  const std::string url = "https://127.0.0.1:" + std::to_string(gateway.port()) + "/erp";
  const CurlAnswer answer = curl_post(url, shortlist_request(), *pki, "client");
  EXPECT_EQ(answer.status, 500);
  EXPECT_NE(answer.body.find("socialdefault gateway:"), std::string::npos);
  EXPECT_TRUE(erp.received().empty());
}

TEST_F(TlsTest, AdminWithClientCertificateNeedsNoToken) {
  FixtureUpstream erp([](const Request&) { return soap_response(shortlist_response()); });
  auto c = make_config(erp.url());
  c->admin.enabled = true;
  c->admin.tls = ServerTls{pki->file("server.pem"), pki->file("server.key"), pki->file("ca.pem"), true};
  GatewayHarness gateway(c);
  CURL* easy = curl_easy_init();
  std::string body;
  const std::string url = "https://127.0.0.1:" + std::to_string(gateway.server->admin_port()) + "/admin/verify";
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_CAINFO, pki->file("ca.pem").c_str());
  curl_easy_setopt(easy, CURLOPT_SSLCERT, pki->file("client.pem").c_str());
  curl_easy_setopt(easy, CURLOPT_SSLKEY, pki->file("client.key").c_str());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
  ASSERT_EQ(curl_easy_perform(easy), CURLE_OK);
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(easy);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "{\"intact\":true,\"rows_checked\":7}\n");
}

}  // namespace
}  // namespace socialdefault::gateway::testing
