// The admin API's experiment report: /admin/experiments routes the
// experiment id and the format to the backend and maps its errors.
#include <gtest/gtest.h>

#include "admin_handler.hpp"
#include "gateway_harness.hpp"

namespace socialdefault::gateway::testing {
namespace {

constexpr const char* kToken = "tok-7c1e-admin-secret";

class AdminExperimentsTest : public ::testing::Test {
 protected:
  AdminExperimentsTest() : erp([](const Request&) { return soap_response(order_response()); }) {
    dir.write("policy.xml", "<config/>");
    dir.write("mapping.xml", "<mapping/>");
    const std::string xml =
        "<gateway xmlns=\"urn:socialdefault:gateway:1\">\n"
        "  <engine policy=\"policy.xml\" ledger=\"ledger.db\" spool=\"spool\"/>\n"
        "  <listener port=\"0\"/>\n"
        "  <limits io-threads=\"1\" worker-threads=\"2\"/>\n"
        "  <route path=\"/erp\" adapter=\"fake\" upstream=\"" + erp.url() + "\" mapping=\"mapping.xml\"/>\n"
        "  <admin port=\"0\"><token name=\"ops\" sha256=\"" + sha256_hex_of(kToken) + "\"/></admin>\n"
        "</gateway>\n";
    auto config = load_gateway_config(dir.write("gateway.xml", xml));
    EXPECT_TRUE(config) << config.error().describe();
    gateway = std::make_unique<GatewayHarness>(std::move(config).value());
  }
  Response admin(http::verb verb, const std::string& target) {
    Request request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::authorization, std::string("Bearer ") + kToken);
    return http_call(gateway->server->admin_port(), request);
  }

  TempDir dir;
  FixtureUpstream erp;
  std::unique_ptr<GatewayHarness> gateway;
};

TEST_F(AdminExperimentsTest, ReportsJsonByDefaultAndOtherFormatsOnRequest) {
  const Response json = admin(http::verb::get, "/admin/experiments");
  EXPECT_EQ(json.result(), http::status::ok);
  EXPECT_EQ(json[http::field::content_type], "application/json");
  EXPECT_EQ(json.body(), "experiment,format\n,json\n");
  const Response csv = admin(http::verb::get, "/admin/experiments?experiment=catering-2027&format=csv");
  EXPECT_EQ(csv.result(), http::status::ok);
  EXPECT_EQ(csv[http::field::content_type], "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body(), "experiment,format\ncatering-2027,csv\n");
}

TEST_F(AdminExperimentsTest, AnUnknownExperimentIs404AndPostIs405) {
  const Response missing = admin(http::verb::get, "/admin/experiments?experiment=missing");
  EXPECT_EQ(missing.result(), http::status::not_found);
  EXPECT_EQ(missing.body(), "{\"error\":\"experiment \\\"missing\\\" is not in the configuration\"}\n");
  EXPECT_EQ(admin(http::verb::post, "/admin/experiments").result(), http::status::method_not_allowed);
}

}  // namespace
}  // namespace socialdefault::gateway::testing
