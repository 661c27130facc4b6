// The admin listener: authentication, reload (good and bad), metrics,
// export, verify, probes, SIGHUP.
#include <gtest/gtest.h>

#include <csignal>

#include "admin_handler.hpp"
#include "gateway_harness.hpp"

namespace socialdefault::gateway::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "tok-3f9a-admin-secret";

std::string gateway_xml(const std::string& upstream, const std::string& extra_route = "") {
  return "<gateway xmlns=\"urn:socialdefault:gateway:1\">\n"
         "  <engine policy=\"policy.xml\" ledger=\"ledger.db\" spool=\"spool\"/>\n"
         "  <listener port=\"0\"/>\n"
         "  <limits io-threads=\"2\" worker-threads=\"4\"/>\n"
         "  <route path=\"/erp\" adapter=\"fake\" upstream=\"" + upstream + "\" mapping=\"mapping.xml\"/>\n" +
         extra_route +
         "  <admin port=\"0\"><token name=\"ops\" sha256=\"" + sha256_hex_of(kToken) + "\"/></admin>\n"
         "  <logging level=\"debug\"/>\n"
         "</gateway>\n";
}

class AdminTest : public ::testing::Test {
 protected:
  AdminTest() : erp([](const Request&) { return soap_response(order_response()); }) {
    dir.write("policy.xml", "<config/>");
    dir.write("mapping.xml", "<mapping/>");
    auto config = load_gateway_config(dir.write("gateway.xml", gateway_xml(erp.url())));
    EXPECT_TRUE(config) << config.error().describe();
    gateway = std::make_unique<GatewayHarness>(std::move(config).value());
  }
  Response admin(http::verb verb, const std::string& target, const std::string& token = kToken) {
    Request request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    return http_call(gateway->server->admin_port(), request);
  }

  TempDir dir;
  FixtureUpstream erp;
  std::unique_ptr<GatewayHarness> gateway;
};

TEST_F(AdminTest, ProbesNeedNoToken) {
  EXPECT_EQ(admin(http::verb::get, "/healthz", "").body(), "ok\n");
  const Response ready = admin(http::verb::get, "/readyz", "");
  EXPECT_EQ(ready.result(), http::status::ok);
  EXPECT_EQ(ready.body(), "ready\n");
}

TEST_F(AdminTest, NoTokenIs401WrongTokenIs403RightTokenIs200) {
  const Response none = admin(http::verb::get, "/metrics", "");
  EXPECT_EQ(none.result(), http::status::unauthorized);
  EXPECT_EQ(none[http::field::www_authenticate], "Bearer realm=\"socialdefaultd admin\"");
  EXPECT_EQ(none.body(), "{\"error\":\"a bearer token is required\"}\n");
  const Response wrong = admin(http::verb::get, "/metrics", "tok-guess");
  EXPECT_EQ(wrong.result(), http::status::forbidden);
  EXPECT_EQ(wrong.body(), "{\"error\":\"the token is not valid\"}\n");
  Request basic{http::verb::get, "/metrics", 11};
  basic.set(http::field::authorization, "Basic b3BzOnB3");
  EXPECT_EQ(http_call(gateway->server->admin_port(), basic).result(), http::status::forbidden);
  const Response right = admin(http::verb::get, "/metrics");
  EXPECT_EQ(right.result(), http::status::ok);
  EXPECT_EQ(right[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
}

TEST_F(AdminTest, MetricsCountRequests) {
  http_call(gateway->port(), soap_request("/erp", order_request()));
  const Response metrics = admin(http::verb::get, "/metrics");
  EXPECT_NE(metrics.body().find("socialdefault_requests_total{route=\"/erp\",outcome=\"recorded\"} 1\n"),
            std::string::npos)
      << metrics.body();
  EXPECT_NE(metrics.body().find("socialdefault_upstream_seconds_count 1\n"), std::string::npos);
  EXPECT_NE(metrics.body().find("socialdefault_ledger_seconds_count 1\n"), std::string::npos);
  EXPECT_NE(metrics.body().find("socialdefault_spool_depth 0\n"), std::string::npos);
  EXPECT_NE(metrics.body().find("socialdefault_choices_total{durability=\"ledger\"} 1\n"), std::string::npos);
}

TEST_F(AdminTest, GoodReloadAppliesTheNewRoutes) {
  EXPECT_EQ(http_call(gateway->port(), soap_request("/erp2", order_request())).result(), http::status::not_found);
  dir.write("gateway.xml",
            gateway_xml(erp.url(), "  <route path=\"/erp2\" adapter=\"fake\" upstream=\"" + erp.url() +
                                       "\" mapping=\"mapping.xml\"/>\n"));
  const Response r = admin(http::verb::post, "/admin/reload");
  EXPECT_EQ(r.result(), http::status::ok);
  EXPECT_EQ(r.body(), "{\"reloaded\":true}\n");
  EXPECT_EQ(gateway->backend.last_reload_actor, "ops");
  EXPECT_EQ(gateway->backend.reloads.load(), 1);
  EXPECT_EQ(http_call(gateway->port(), soap_request("/erp2", order_request())).result(), http::status::ok);
}

TEST_F(AdminTest, BadGatewayFileIsRefusedAndTheOldOneServes) {
  dir.write("gateway.xml", "<gateway xmlns=\"urn:socialdefault:gateway:1\">\n  <engine/>\n</gateway>\n");
  const Response r = admin(http::verb::post, "/admin/reload");
  EXPECT_EQ(r.result(), http::status::unprocessable_entity);
  EXPECT_EQ(r.body(),
            "{\"reloaded\":false,\"error\":\"gateway.xml:2: engine: attribute \\\"policy\\\" is required\","
            "\"note\":\"the running configuration keeps serving\"}\n");
  EXPECT_EQ(http_call(gateway->port(), soap_request("/erp", order_request())).result(), http::status::ok);
  EXPECT_EQ(gateway->metrics.reloads_failed.load(), 1u);
  EXPECT_EQ(gateway->backend.reloads.load(), 0);
}

TEST_F(AdminTest, BadPolicyIsRefusedAndNothingChanges) {
  gateway->backend.fail_reload = true;
  dir.write("gateway.xml",
            gateway_xml(erp.url(), "  <route path=\"/erp2\" adapter=\"fake\" upstream=\"" + erp.url() +
                                       "\" mapping=\"mapping.xml\"/>\n"));
  const Response r = admin(http::verb::post, "/admin/reload");
  EXPECT_EQ(r.result(), http::status::unprocessable_entity);
  EXPECT_NE(r.body().find("config.xml:42: category 03121200-7: social supplier \\\"V-9\\\" is not defined"),
            std::string::npos);
  EXPECT_EQ(http_call(gateway->port(), soap_request("/erp2", order_request())).result(), http::status::not_found);
}

TEST_F(AdminTest, ReloadNeedsPost) {
  EXPECT_EQ(admin(http::verb::get, "/admin/reload").result(), http::status::method_not_allowed);
}

TEST_F(AdminTest, Export) {
  const Response r = admin(http::verb::get, "/admin/export?from=2026-01-01&to=2026-12-31&group-by=department%2Ccategory&format=json");
  EXPECT_EQ(r.result(), http::status::ok);
  EXPECT_EQ(r[http::field::content_type], "application/json");
  EXPECT_EQ(r.body(), "from,to,group-by,format\n2026-01-01,2026-12-31,department,category,json\n");
  const Response missing = admin(http::verb::get, "/admin/export?to=2026-12-31");
  EXPECT_EQ(missing.result(), http::status::bad_request);
  EXPECT_EQ(missing.body(), "{\"error\":\"from and to are required, e.g. ?from=2026-01-01&to=2026-12-31\"}\n");
  const Response bad = admin(http::verb::get, "/admin/export?from=bad&to=2026-12-31");
  EXPECT_EQ(bad.result(), http::status::bad_request);
  EXPECT_EQ(bad.body(), "{\"error\":\"from: not a date\"}\n");
}

TEST_F(AdminTest, Verify) {
  const Response r = admin(http::verb::get, "/admin/verify");
  EXPECT_EQ(r.result(), http::status::ok);
  EXPECT_EQ(r.body(), "{\"intact\":true,\"rows_checked\":7}\n");
}

TEST_F(AdminTest, UnknownResource) {
  EXPECT_EQ(admin(http::verb::get, "/admin/nothing").result(), http::status::not_found);
}

TEST_F(AdminTest, SighupReloads) {
  gateway->server->handle_signals();
  std::raise(SIGHUP);
  for (int i = 0; i < 200 && gateway->backend.reloads.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(gateway->backend.reloads.load(), 1);
  EXPECT_EQ(gateway->backend.last_reload_actor, "SIGHUP");
}

TEST_F(AdminTest, TheTokenIsNeverLogged) {
  admin(http::verb::get, "/metrics");
  admin(http::verb::get, "/metrics", "tok-wrong-guess");
  gateway->server.reset();  // stop writers before reading the log
  const std::string log = gateway->log_text.str();
  EXPECT_NE(log.find("\"actor\":\"ops\""), std::string::npos);
  EXPECT_EQ(log.find(kToken), std::string::npos);
  EXPECT_EQ(log.find("tok-wrong-guess"), std::string::npos);
}

TEST(AdminQuery, Decoding) {
  EXPECT_EQ(query_parameter("from=2026-01-01&group-by=a%2Cb+c", "group-by"), "a,b c");
  EXPECT_EQ(query_parameter("from=x", "to"), "");
  EXPECT_EQ(url_decode("%zz%41"), "%zzA");
  EXPECT_EQ(sha256_hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace socialdefault::gateway::testing
