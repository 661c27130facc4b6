// The gateway over real loopback sockets: a fixture ERP upstream, the fake
// engine, the Beast server and the curl client in between.
#include <gtest/gtest.h>

#include <csignal>
#include <future>
#include <thread>

#include "gateway_harness.hpp"

namespace socialdefault::gateway::testing {
namespace {

using namespace std::chrono_literals;

TEST(GatewayServer, RoundTripRewritesAndKeepsHeaders) {
  FixtureUpstream erp([](const Request& request) {
    if (request.body().find("SubmitRequisition") != std::string::npos) return soap_response(order_response());
    return soap_response(shortlist_response());
  });
  GatewayHarness gateway(make_config(erp.url()));

  // Two requests on one client connection (keep-alive).
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(10s);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), gateway.port()));
  for (int i = 0; i < 2; ++i) {
    Request request = soap_request("/erp", shortlist_request("REQ-" + std::to_string(i)));
    request.set("SOAPAction", "\"urn:example:erp:purchasing:1#GetSupplierShortlist\"");
    request.set("X-Request-Id", "rid-" + std::to_string(i));
    request.set(http::field::authorization, "Basic ZXJwOnB3");
    http::write(stream, request);
    beast::flat_buffer buffer;
    Response response;
    http::read(stream, buffer, response);
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_NE(response.body().find("SOCIAL-DEFAULT"), std::string::npos);
    EXPECT_EQ(response["X-Erp-Trace"], "erp-7");
    EXPECT_TRUE(response.keep_alive());
  }
  const auto received = erp.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0]["SOAPAction"], "\"urn:example:erp:purchasing:1#GetSupplierShortlist\"");
  EXPECT_EQ(received[1]["X-Request-Id"], "rid-1");
  EXPECT_EQ(received[0][http::field::authorization], "Basic ZXJwOnB3");  // end to end: the ERP's own login
  EXPECT_EQ(received[0].body(), shortlist_request("REQ-0"));
  // Each worker keeps its upstream connection alive (connections are not
  // shared between threads), so two calls open at most two.
  EXPECT_LE(erp.connections_accepted(), 2);

  // An order through the same gateway is recorded.
  const Response order = http_call(gateway.port(), soap_request("/erp", order_request("REQ-9")));
  EXPECT_EQ(order.body(), order_response());
  ASSERT_EQ(gateway.backend.ledger_.choices().size(), 1u);
  EXPECT_EQ(gateway.backend.ledger_.choices()[0].correlation_id, "REQ-9");
}

TEST(GatewayServer, ErpDownGivesAFaultInEachSoapVersion) {
  GatewayHarness gateway(make_config("http://127.0.0.1:" + std::to_string(closed_port()) + "/purchasing"));
  const auto started = std::chrono::steady_clock::now();
  const Response r11 = http_call(gateway.port(), soap_request("/erp", shortlist_request()));
  EXPECT_EQ(r11.result(), http::status::internal_server_error);
  EXPECT_EQ(r11[http::field::content_type], "text/xml; charset=utf-8");
  EXPECT_NE(r11.body().find("<faultcode>soap:Server</faultcode>"), std::string::npos);
  EXPECT_NE(r11.body().find("cannot be reached"), std::string::npos);
  const Response r12 =
      http_call(gateway.port(), soap_request("/erp", soap12("<p:GetSupplierShortlist/>"), "application/soap+xml"));
  EXPECT_EQ(r12[http::field::content_type], "application/soap+xml; charset=utf-8");
  EXPECT_NE(r12.body().find("<env:Value>env:Receiver</env:Value>"), std::string::npos);
  EXPECT_NE(r12.body().find("cannot be reached"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST(GatewayServer, ErpSlowGivesAFaultWithinTheTimeout) {
  FixtureUpstream erp([](const Request&) {
    std::this_thread::sleep_for(1500ms);
    return soap_response(order_response());
  });
  auto config = make_config(erp.url());
  config->routes[0].connect_timeout = 200ms;
  config->routes[0].timeout = 300ms;
  GatewayHarness gateway(config);
  const auto started = std::chrono::steady_clock::now();
  const Response r = http_call(gateway.port(), soap_request("/erp", order_request()));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_LT(elapsed, 1200ms);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_NE(r.body().find("did not answer within 300 ms"), std::string::npos) << r.body();
  EXPECT_TRUE(gateway.backend.ledger_.choices().empty());
}

TEST(GatewayServer, ErpFaultPassesThroughAndNothingIsRecorded) {
  FixtureUpstream erp([](const Request&) {
    return soap_response(fault11("Supplier BLOEM-09 unknown"), "text/xml; charset=utf-8",
                         http::status::internal_server_error);
  });
  GatewayHarness gateway(make_config(erp.url()));
  const Response r = http_call(gateway.port(), soap_request("/erp", order_request()));
  EXPECT_EQ(r.result(), http::status::internal_server_error);
  EXPECT_EQ(r.body(), fault11("Supplier BLOEM-09 unknown"));
  EXPECT_TRUE(gateway.backend.ledger_.choices().empty());
}

TEST(GatewayServer, MalformedXmlPassesAndDoctypeIsRefused) {
  FixtureUpstream erp([](const Request& request) { return soap_response("echo:" + request.body()); });
  GatewayHarness gateway(make_config(erp.url()));
  const Response passed = http_call(gateway.port(), soap_request("/erp", "<broken attr='1'>"));
  EXPECT_EQ(passed.body(), "echo:<broken attr='1'>");
  const Response refused =
      http_call(gateway.port(), soap_request("/erp", "<!DOCTYPE lol [<!ENTITY a 'a'>]>" + shortlist_request()));
  EXPECT_NE(refused.body().find("a DOCTYPE is not allowed in a SOAP message"), std::string::npos);
  EXPECT_EQ(erp.received().size(), 1u);
}

TEST(GatewayServer, OversizedBodyIs413AndOthersAreStillServed) {
  FixtureUpstream erp([](const Request&) { return soap_response(order_response()); });
  auto config = make_config(erp.url());
  config->limits.max_body_bytes = 1000;
  GatewayHarness gateway(config);
  const Response big = http_call(gateway.port(), soap_request("/erp", soap11(std::string(5000, ' '))));
  EXPECT_EQ(big.result(), http::status::payload_too_large);
  EXPECT_EQ(big.body(), "socialdefaultd: the request body exceeds 1000 bytes\n");
  EXPECT_FALSE(big.keep_alive());
  EXPECT_TRUE(erp.received().empty());
  const Response small = http_call(gateway.port(), soap_request("/erp", order_request()));
  EXPECT_EQ(small.result(), http::status::ok);
}

TEST(GatewayServer, OversizedHeaderIs431) {
  FixtureUpstream erp([](const Request&) { return soap_response(order_response()); });
  auto config = make_config(erp.url());
  config->limits.max_header_bytes = 1024;
  GatewayHarness gateway(config);
  Request request = soap_request("/erp", order_request());
  request.set("X-Padding", std::string(4000, 'x'));
  const Response r = http_call(gateway.port(), request);
  EXPECT_EQ(r.result(), http::status::request_header_fields_too_large);
  EXPECT_EQ(r.body(), "socialdefaultd: the request header exceeds 1024 bytes\n");
}

TEST(GatewayServer, SlowClientIsCutOffWhileAnotherIsServed) {
  FixtureUpstream erp([](const Request&) { return soap_response(order_response()); });
  auto config = make_config(erp.url());
  config->limits.request_timeout = 600ms;
  GatewayHarness gateway(config);

  RawClient slow(gateway.port());
  std::atomic<bool> stop{false};
  const std::string request = "POST /erp HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n";
  std::thread trickle([&] {
    for (char c : request) {
      if (stop || !slow.send(std::string_view(&c, 1))) return;
      std::this_thread::sleep_for(200ms);
    }
  });
  const auto started = std::chrono::steady_clock::now();
  // Served while the slow one trickles.
  const Response other = http_call(gateway.port(), soap_request("/erp", order_request()));
  EXPECT_EQ(other.result(), http::status::ok);
  const std::string answer = slow.read_all(5s);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  stop = true;
  trickle.join();
  EXPECT_TRUE(slow.closed_by_peer());
  EXPECT_TRUE(answer.empty());
  EXPECT_LT(elapsed, 2500ms);
  EXPECT_TRUE(erp.received().size() == 1u);
}

TEST(GatewayServer, ExpectContinueIsAnswered) {
  FixtureUpstream erp([](const Request& request) { return soap_response("echo:" + request.body()); });
  GatewayHarness gateway(make_config(erp.url()));
  RawClient client(gateway.port());
  const std::string body = order_request();
  ASSERT_TRUE(client.send("POST /erp HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nExpect: 100-continue\r\n"
                          "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  // Nothing is sent until the gateway says so.
  char interim[64] = {0};
  const ssize_t n = ::recv(client.native(), interim, sizeof interim - 1, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(interim, static_cast<std::size_t>(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client.send(body));
  const std::string answer = client.read_all(5s);
  EXPECT_NE(answer.find("HTTP/1.1 200 OK"), std::string::npos);
  EXPECT_NE(answer.find("echo:" + body), std::string::npos);
}

// Requests are parsed from what the first read brought when they are whole
// there: two pipelined in one packet are answered in order, and one whose
// body comes later is still read to its end.
TEST(GatewayServer, PipelinedAndSplitRequestsAreAnsweredInOrder) {
  FixtureUpstream erp([](const Request& request) { return soap_response("echo:" + request.body()); });
  GatewayHarness gateway(make_config(erp.url()));
  RawClient client(gateway.port());
  const auto post = [](const std::string& body, bool close) {
    return "POST /erp HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n" + std::string(close ? "Connection: close\r\n" : "") +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  ASSERT_TRUE(client.send(post("<first/>", false) + post("<second/>", false)));
  const std::string third = post("<third/>", true);
  const std::size_t split = third.find("\r\n\r\n") + 4;
  ASSERT_TRUE(client.send(std::string_view(third).substr(0, split)));
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(client.send(std::string_view(third).substr(split)));
  const std::string answer = client.read_all(5s);
  const std::size_t first = answer.find("echo:<first/>");
  const std::size_t second = answer.find("echo:<second/>");
  const std::size_t last = answer.find("echo:<third/>");
  ASSERT_NE(first, std::string::npos) << answer;
  ASSERT_NE(second, std::string::npos) << answer;
  ASSERT_NE(last, std::string::npos) << answer;
  EXPECT_LT(first, second);
  EXPECT_LT(second, last);
  EXPECT_TRUE(client.closed_by_peer());
}

// The head the gateway writes itself: status line, the ERP's end-to-end
// fields, a Content-Length that frames the body exactly.
TEST(GatewayServer, ResponseHeadFramesTheBody) {
  FixtureUpstream erp([](const Request&) {
    Response response = soap_response("<answer/>");
    response.result(http::status::accepted);
    response.prepare_payload();
    return response;
  });
  GatewayHarness gateway(make_config(erp.url()));
  RawClient client(gateway.port());
  ASSERT_TRUE(client.send("GET /erp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string answer = client.read_all(5s);
  ASSERT_EQ(answer.rfind("HTTP/1.1 202 Accepted\r\n", 0), 0u) << answer;
  const std::size_t end = answer.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  const std::string head = answer.substr(0, end + 2);
  EXPECT_NE(head.find("\r\nX-Erp-Trace: erp-7\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nContent-Length: 9\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos) << head;
  EXPECT_EQ(answer.substr(end + 4), "<answer/>");
}

TEST(GatewayServer, ConnectionCapAnswers503) {
  FixtureUpstream erp([](const Request&) { return soap_response(order_response()); });
  auto config = make_config(erp.url());
  config->limits.max_connections = 2;
  GatewayHarness gateway(config);
  RawClient a(gateway.port());
  RawClient b(gateway.port());
  ASSERT_TRUE(gateway.wait_connections(2));
  const Response refused = http_call(gateway.port(), soap_request("/erp", order_request()));
  EXPECT_EQ(refused.result(), http::status::service_unavailable);
  EXPECT_EQ(refused.body(), "socialdefaultd: too many connections; try again shortly\n");
  EXPECT_EQ(gateway.metrics.connections_refused.load(), 1u);
  a.close();
  ASSERT_TRUE(gateway.wait_connections(1));
  const Response served = http_call(gateway.port(), soap_request("/erp", order_request()));
  EXPECT_EQ(served.result(), http::status::ok);
}

TEST(GatewayServer, ConcurrentOrdersAreGroupCommitted) {
  FixtureUpstream erp([](const Request& request) {
    return soap_response(order_response(between(request.body(), "<RequisitionId>", "</RequisitionId>")));
  });
  auto config = make_config(erp.url());
  config->limits.worker_threads = 16;
  GatewayHarness gateway(config);
  gateway.backend.ledger_.delay = 30ms;  // a slow sync makes the batching visible
  constexpr int kClients = 16;
  std::vector<std::future<Response>> answers;
  for (int i = 0; i < kClients; ++i) {
    answers.push_back(std::async(std::launch::async, [&, i] {
      return http_call(gateway.port(), soap_request("/erp", order_request("REQ-" + std::to_string(i))));
    }));
  }
  for (auto& a : answers) EXPECT_EQ(a.get().result(), http::status::ok);
  const auto recorded = gateway.backend.ledger_.choices();
  EXPECT_EQ(recorded.size(), static_cast<std::size_t>(kClients));
  std::set<std::string> ids;
  for (const auto& c : recorded) ids.insert(c.correlation_id);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kClients));
  EXPECT_LT(gateway.backend.ledger_.transactions, kClients);
}

TEST(GatewayServer, LedgerFailureSpoolsAndReplaysOverTheWire) {
  TempDir dir;
  auto spool = Spool::open(dir.path() / "spool");
  ASSERT_TRUE(spool);
  FixtureUpstream erp([](const Request&) { return soap_response(order_response()); });
  {
    GatewayHarness gateway(make_config(erp.url()), spool->get());
    gateway.backend.ledger_.fail = true;
    const Response r = http_call(gateway.port(), soap_request("/erp", order_request("REQ-S")));
    EXPECT_EQ(r.result(), http::status::ok);
    EXPECT_EQ((*spool)->depth(), 1u);
    EXPECT_NE(gateway.metrics.render().find("socialdefault_choices_total{durability=\"spool\"} 1"), std::string::npos);
    gateway.backend.ledger_.fail = false;
    auto drained = gateway.committer->drain_fallback();
    ASSERT_TRUE(drained);
    EXPECT_EQ(*drained, 1u);
    ASSERT_EQ(gateway.backend.ledger_.choices().size(), 1u);
    EXPECT_EQ(gateway.backend.ledger_.choices()[0].correlation_id, "REQ-S");
  }
}

TEST(GatewayServer, SigtermFinishesTheRequestInFlight) {
  std::promise<void> arrived;
  std::atomic<bool> once{false};
  FixtureUpstream erp([&](const Request&) {
    if (!once.exchange(true)) arrived.set_value();
    std::this_thread::sleep_for(400ms);
    return soap_response(order_response("REQ-T"));
  });
  GatewayHarness gateway(make_config(erp.url()));
  gateway.server->handle_signals();
  auto answer = std::async(std::launch::async, [&] {
    return http_call(gateway.port(), soap_request("/erp", order_request("REQ-T")));
  });
  arrived.get_future().wait();
  std::raise(SIGTERM);
  const Response r = answer.get();
  EXPECT_EQ(r.result(), http::status::ok);
  EXPECT_EQ(r.body(), order_response("REQ-T"));
  EXPECT_FALSE(r.keep_alive());
  gateway.server->wait();
  ASSERT_EQ(gateway.backend.ledger_.choices().size(), 1u);
  // No longer accepting.
  asio::io_context io;
  tcp::socket s(io);
  boost::system::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), gateway.port()), ec);
  EXPECT_TRUE(ec);
  EXPECT_NE(gateway.log_text.str().find("\"event\":\"stopping\",\"signal\":\"SIGTERM\""), std::string::npos);
}

}  // namespace
}  // namespace socialdefault::gateway::testing
