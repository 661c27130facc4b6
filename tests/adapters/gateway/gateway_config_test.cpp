#include "gateway_config.hpp"

#include <gtest/gtest.h>

#include "gateway_fakes.hpp"

namespace socialdefault::gateway::testing {
namespace {

// A configuration whose lines are predictable: the header is line 1, the
// engine line 2, and each test's own lines start at line 3.
class GatewayConfigTest : public ::testing::Test {
 protected:
  GatewayConfigTest() {
    dir.write("policy.xml", "<config/>");
    dir.write("erp/mapping.xml", "<mapping/>");
    dir.write("tls/cert.pem", "cert");
    dir.write("tls/key.pem", "key");
    dir.write("tls/ca.pem", "ca");
    dir.write("not-a-folder", "x");
  }
  Result<std::shared_ptr<const GatewayConfig>> load(const std::string& body,
                                                    const std::string& engine =
                                                        "  <engine policy=\"policy.xml\" ledger=\"ledger.db\" spool=\"spool\"/>\n") {
    const std::string text = "<gateway xmlns=\"urn:socialdefault:gateway:1\">\n" + engine + body + "</gateway>\n";
    return load_gateway_config(dir.write("gateway.xml", text));
  }
  std::string error_of(const std::string& body) {
    auto loaded = load(body);
    if (loaded) return "(loaded)";
    return loaded.error().describe();
  }
  TempDir dir;
};

constexpr const char* kListener = "  <listener port=\"8080\"/>\n";
constexpr const char* kRoute =
    "  <route path=\"/erp\" upstream=\"http://127.0.0.1:9000/purchasing\" mapping=\"erp/mapping.xml\"/>\n";

TEST_F(GatewayConfigTest, LoadsAFullConfiguration) {
  const std::string token_hash(64, 'a');
  auto loaded = load(std::string(
                         "  <listener address=\"0.0.0.0\" port=\"8443\">\n"
                         "    <tls certificate=\"tls/cert.pem\" key=\"tls/key.pem\" client-ca=\"tls/ca.pem\" "
                         "require-client-certificate=\"true\"/>\n"
                         "  </listener>\n"
                         "  <limits max-body-bytes=\"1000\" max-header-bytes=\"4096\" max-xml-depth=\"32\" "
                         "request-timeout-ms=\"1500\" idle-timeout-ms=\"3000\" max-connections=\"10\" io-threads=\"1\" "
                         "worker-threads=\"4\"/>\n"
                         "  <route path=\"/erp\" upstream=\"https://erp.example/p\" adapter=\"soap\" "
                         "mapping=\"erp/mapping.xml\" connect-timeout-ms=\"100\" timeout-ms=\"900\" "
                         "proxy=\"http://proxy:3128\">\n"
                         "    <tls verify=\"false\" ca-file=\"tls/ca.pem\" client-certificate=\"tls/cert.pem\" "
                         "client-key=\"tls/key.pem\"/>\n"
                         "  </route>\n"
                         "  <admin port=\"9090\"><token name=\"ops\" sha256=\"") +
                     token_hash + "\"/></admin>\n  <logging level=\"warning\" requests=\"false\"/>\n");
  ASSERT_TRUE(loaded) << loaded.error().describe();
  const GatewayConfig& c = **loaded;
  EXPECT_EQ(c.policy, dir.path() / "policy.xml");
  EXPECT_EQ(c.ledger, dir.path() / "ledger.db");
  EXPECT_EQ(c.spool, dir.path() / "spool");
  EXPECT_EQ(c.listener.address, "0.0.0.0");
  EXPECT_EQ(c.listener.port, 8443);
  ASSERT_TRUE(c.listener.tls);
  EXPECT_TRUE(c.listener.tls->require_client_certificate);
  EXPECT_EQ(c.listener.tls->client_ca, dir.path() / "tls/ca.pem");
  EXPECT_EQ(c.limits.max_body_bytes, 1000u);
  EXPECT_EQ(c.limits.max_xml_depth, 32u);
  EXPECT_EQ(c.limits.request_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(c.limits.max_connections, 10u);
  ASSERT_EQ(c.routes.size(), 1u);
  const Route& r = c.routes[0];
  EXPECT_EQ(r.upstream, "https://erp.example/p");
  EXPECT_EQ(r.mapping, dir.path() / "erp/mapping.xml");
  EXPECT_EQ(r.timeout, std::chrono::milliseconds(900));
  EXPECT_FALSE(r.tls.verify);
  EXPECT_EQ(r.tls.client_key, dir.path() / "tls/key.pem");
  EXPECT_EQ(r.proxy, "http://proxy:3128");
  EXPECT_EQ(r.line, 7);
  EXPECT_TRUE(c.admin.enabled);
  EXPECT_EQ(c.admin.address, "127.0.0.1");
  ASSERT_EQ(c.admin.tokens.size(), 1u);
  EXPECT_EQ(c.admin.tokens[0].name, "ops");
  EXPECT_EQ(c.logging.level, LogLevel::warning);
  EXPECT_FALSE(c.logging.log_requests);
  EXPECT_EQ(c.find_route("/erp"), &c.routes[0]);
  EXPECT_EQ(c.find_route("/nope"), nullptr);
}

TEST_F(GatewayConfigTest, DefaultsAreSafe) {
  auto loaded = load(std::string(kListener) + kRoute);
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ((*loaded)->listener.address, "127.0.0.1");
  EXPECT_FALSE((*loaded)->listener.tls);
  EXPECT_TRUE((*loaded)->routes[0].tls.verify);
  EXPECT_EQ((*loaded)->routes[0].adapter, "soap");
  EXPECT_FALSE((*loaded)->admin.enabled);
}

TEST_F(GatewayConfigTest, TheExampleConfigurationLoads) {
  const std::filesystem::path example = std::filesystem::path(SD_SOURCE_DIR) / "examples" / "gateway.xml";
  auto loaded = load_gateway_config(example);
  if (!loaded && loaded.error().message.find("does not exist") != std::string::npos) {
    GTEST_SKIP() << "the example policy or mapping is not in this tree yet: " << loaded.error().describe();
  }
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_FALSE((*loaded)->routes.empty());
  EXPECT_EQ((*loaded)->listener.address, "127.0.0.1");
}

TEST_F(GatewayConfigTest, UnreadableFile) {
  auto loaded = load_gateway_config(dir.path() / "missing.xml");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().describe(),
            (dir.path() / "missing.xml").string() + ": cannot read the gateway configuration: No such file or directory");
}

TEST_F(GatewayConfigTest, NotWellFormed) {
  EXPECT_EQ(error_of("  <listener port=\"1\">\n"),
            "gateway.xml:4: not well-formed XML: Start-end tags mismatch");
}

TEST_F(GatewayConfigTest, WrongRoot) {
  auto loaded = load_gateway_config(dir.write("gateway.xml", "<config xmlns=\"urn:other\"/>"));
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().describe(),
            "gateway.xml:1: the root element must be <gateway xmlns=\"urn:socialdefault:gateway:1\">, found <config>");
}

struct Case {
  const char* name;
  std::string body;
  std::string expected;
};

class GatewayConfigErrors : public GatewayConfigTest, public ::testing::WithParamInterface<Case> {};

TEST_P(GatewayConfigErrors, NamesFileLineAndProblem) { EXPECT_EQ(error_of(GetParam().body), GetParam().expected); }

const std::string L = kListener;
const std::string R = kRoute;
const std::string H64(64, 'b');

INSTANTIATE_TEST_SUITE_P(
    Messages, GatewayConfigErrors,
    ::testing::Values(
        Case{"UnknownElement", L + R + "  <listner/>\n", "gateway.xml:5: gateway: unknown element <listner>"},
        Case{"Duplicate", L + L + R, "gateway.xml:4: gateway: <listener> may appear only once"},
        Case{"UnknownAttribute", "  <listener port=\"1\" adress=\"x\"/>\n" + R,
             "gateway.xml:3: listener: unknown attribute \"adress\""},
        Case{"MissingListener", R, "gateway.xml:1: gateway: <listener port=...> is required"},
        Case{"BadPort", "  <listener port=\"80a\"/>\n" + R,
             "gateway.xml:3: listener: port \"80a\" is not a port number (0-65535; 0 picks a free one)"},
        Case{"BadAddress", "  <listener address=\"localhost\" port=\"1\"/>\n" + R,
             "gateway.xml:3: listener: address \"localhost\" is not an IP address"},
        Case{"MissingTlsFile", "  <listener port=\"1\"><tls certificate=\"tls/none.pem\" key=\"tls/key.pem\"/></listener>\n" + R,
             "gateway.xml:3: listener/tls: certificate file \"tls/none.pem\" does not exist"},
        Case{"MissingTlsKey", "  <listener port=\"1\"><tls certificate=\"tls/cert.pem\"/></listener>\n" + R,
             "gateway.xml:3: listener/tls: attribute \"key\" is required"},
        Case{"RequireWithoutCa",
             "  <listener port=\"1\"><tls certificate=\"tls/cert.pem\" key=\"tls/key.pem\" "
             "require-client-certificate=\"true\"/></listener>\n" + R,
             "gateway.xml:3: listener/tls: require-client-certificate needs client-ca"},
        Case{"BadBoolean",
             "  <listener port=\"1\"><tls certificate=\"tls/cert.pem\" key=\"tls/key.pem\" client-ca=\"tls/ca.pem\" "
             "require-client-certificate=\"yes\"/></listener>\n" + R,
             "gateway.xml:3: listener/tls: require-client-certificate \"yes\" is not true or false"},
        Case{"BadNumber", L + "  <limits max-body-bytes=\"-5\"/>\n" + R,
             "gateway.xml:4: limits: max-body-bytes \"-5\" is not a whole number of at least 1"},
        Case{"TinyHeaderLimit", L + "  <limits max-header-bytes=\"10\"/>\n" + R,
             "gateway.xml:4: limits: max-header-bytes \"10\" is not a whole number of at least 256"},
        Case{"NoRoute", L, "gateway.xml:1: gateway: at least one <route path=... upstream=...> is required"},
        Case{"RouteWithoutPath", L + "  <route upstream=\"http://x/\" mapping=\"erp/mapping.xml\"/>\n",
             "gateway.xml:4: route: attribute \"path\" is required"},
        Case{"RelativePath", L + "  <route path=\"erp\" upstream=\"http://x/\" mapping=\"erp/mapping.xml\"/>\n",
             "gateway.xml:4: route \"erp\": path must start with /"},
        Case{"DuplicateRoute", L + R + R, "gateway.xml:5: route \"/erp\": defined twice (first at line 4)"},
        Case{"BadUpstream", L + "  <route path=\"/erp\" upstream=\"ftp://x/\" mapping=\"erp/mapping.xml\"/>\n",
             "gateway.xml:4: route \"/erp\": upstream \"ftp://x/\" is not an http:// or https:// URL"},
        Case{"MissingMapping", L + "  <route path=\"/erp\" upstream=\"http://x/\" mapping=\"erp/none.xml\"/>\n",
             "gateway.xml:4: route \"/erp\": mapping file \"erp/none.xml\" does not exist"},
        Case{"EmptyAdapter", L + "  <route path=\"/erp\" upstream=\"http://x/\" adapter=\"\" mapping=\"erp/mapping.xml\"/>\n",
             "gateway.xml:4: route \"/erp\": adapter must not be empty"},
        Case{"ConnectExceedsTotal",
             L + "  <route path=\"/erp\" upstream=\"http://x/\" mapping=\"erp/mapping.xml\" connect-timeout-ms=\"5000\" "
                 "timeout-ms=\"1000\"/>\n",
             "gateway.xml:4: route \"/erp\": connect-timeout-ms 5000 exceeds timeout-ms 1000"},
        Case{"BadProxy", L + "  <route path=\"/erp\" upstream=\"http://x/\" mapping=\"erp/mapping.xml\" proxy=\"proxy:3128\"/>\n",
             "gateway.xml:4: route \"/erp\": proxy \"proxy:3128\" is not an http:// or https:// URL"},
        Case{"ClientCertWithoutKey",
             L + "  <route path=\"/erp\" upstream=\"https://x/\" mapping=\"erp/mapping.xml\">\n"
                 "    <tls client-certificate=\"tls/cert.pem\"/>\n  </route>\n",
             "gateway.xml:5: route \"/erp\"/tls: client-certificate and client-key go together"},
        Case{"UnknownRouteTlsAttribute",
             L + "  <route path=\"/erp\" upstream=\"https://x/\" mapping=\"erp/mapping.xml\">\n"
                 "    <tls verfiy=\"false\"/>\n  </route>\n",
             "gateway.xml:5: route \"/erp\"/tls: unknown attribute \"verfiy\""},
        Case{"AdminWithoutCredentials", L + R + "  <admin port=\"9090\"/>\n",
             "gateway.xml:5: admin: needs a <token> or <tls require-client-certificate=\"true\">; it would be open to "
             "anyone"},
        Case{"AdminSamePort", L + R + "  <admin port=\"8080\"><token name=\"ops\" sha256=\"" + H64 + "\"/></admin>\n",
             "gateway.xml:5: admin: port 8080 is already the listener's port"},
        Case{"TokenNotAHash", L + R + "  <admin port=\"9090\"><token name=\"ops\" sha256=\"s3cret\"/></admin>\n",
             "gateway.xml:5: admin token \"ops\": sha256 must be 64 hexadecimal digits (the SHA-256 of the token, never "
             "the token)"},
        Case{"TokenTwice",
             L + R + "  <admin port=\"9090\">\n    <token name=\"ops\" sha256=\"" + H64 + "\"/>\n    <token name=\"ops\" sha256=\"" +
                 H64 + "\"/>\n  </admin>\n",
             "gateway.xml:7: admin token \"ops\": defined twice"},
        Case{"TokenWithoutName", L + R + "  <admin port=\"9090\"><token sha256=\"" + H64 + "\"/></admin>\n",
             "gateway.xml:5: admin token: attribute \"name\" is required"},
        Case{"BadLogLevel", L + R + "  <logging level=\"loud\"/>\n",
             "gateway.xml:5: logging: level \"loud\" is not one of debug, info, warning, error"},
        Case{"ForeignNamespace", L + R + "  <x:route xmlns:x=\"urn:other\"/>\n",
             "gateway.xml:5: gateway: unknown element <x:route>"}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST_F(GatewayConfigTest, MissingEngine) {
  auto loaded = load(std::string(kListener) + kRoute, "");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().describe(), "gateway.xml:1: gateway: <engine policy=... ledger=... spool=...> is required");
}

TEST_F(GatewayConfigTest, MissingPolicy) {
  auto loaded = load(std::string(kListener) + kRoute, "  <engine policy=\"none.xml\" ledger=\"l.db\" spool=\"s\"/>\n");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().describe(), "gateway.xml:2: engine: policy file \"none.xml\" does not exist");
}

TEST_F(GatewayConfigTest, MissingLedger) {
  auto loaded = load(std::string(kListener) + kRoute, "  <engine policy=\"policy.xml\" spool=\"s\"/>\n");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().describe(), "gateway.xml:2: engine: attribute \"ledger\" is required");
}

TEST_F(GatewayConfigTest, SpoolIsAFile) {
  auto loaded = load(std::string(kListener) + kRoute,
                     "  <engine policy=\"policy.xml\" ledger=\"l.db\" spool=\"not-a-folder\"/>\n");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().describe(), "gateway.xml:2: engine: spool \"not-a-folder\" exists and is not a folder");
}

TEST_F(GatewayConfigTest, LedgerIsAFolder) {
  auto loaded = load(std::string(kListener) + kRoute, "  <engine policy=\"policy.xml\" ledger=\"tls\" spool=\"s\"/>\n");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().describe(), "gateway.xml:2: engine: ledger \"tls\" is a folder, expected a file");
}

}  // namespace
}  // namespace socialdefault::gateway::testing
