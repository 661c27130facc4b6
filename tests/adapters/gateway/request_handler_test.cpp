// The request core without sockets: a function stands in for the ERP.
#include "request_handler.hpp"

#include <gtest/gtest.h>

#include "gateway_fakes.hpp"
#include "soap_envelope.hpp"
#include "spool.hpp"

namespace socialdefault::gateway::testing {
namespace {

class FunctionUpstream final : public Upstream {
 public:
  std::function<UpstreamResult(const UpstreamRequest&)> answer;
  std::vector<UpstreamRequest> calls;
  std::vector<std::string> bodies;
  UpstreamResult call(const Route&, const UpstreamRequest& request) override {
    calls.push_back(request);
    bodies.emplace_back(request.body);
    return answer(request);
  }
};

UpstreamResult ok(std::string body, std::string content_type = "text/xml; charset=utf-8") {
  UpstreamResult r;
  r.status = 200;
  r.headers = {{"Content-Type", content_type}, {"X-Erp-Trace", "erp-7"}, {"Connection", "keep-alive"},
               {"Transfer-Encoding", "chunked"}};
  r.body = std::move(body);
  r.elapsed = std::chrono::microseconds(1500);
  return r;
}

UpstreamResult failed(UpstreamFailure failure, std::string message) {
  UpstreamResult r;
  r.failure = failure;
  r.message = std::move(message);
  return r;
}

std::string header(const HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

class RequestHandlerTest : public ::testing::Test {
 protected:
  RequestHandlerTest() : log(log_text, LogLevel::debug), committer(backend.ledger_, nullptr) {
    auto built = build_generation(make_config("http://erp.example:8080/purchasing"), backend);
    EXPECT_TRUE(built);
    generation = std::move(built).value();
    handler = std::make_unique<RequestHandler>(backend, upstream, committer, metrics, log);
    handler->now = [] { return UtcSeconds(std::chrono::seconds(1795000000)); };
  }
  Response handle(Request request) {
    request.prepare_payload();
    return handler->handle(*generation, request);
  }

  FakeBackend backend;
  FunctionUpstream upstream;
  Metrics metrics;
  std::ostringstream log_text;
  JsonLog log;
  GroupCommitter committer;
  std::shared_ptr<const Generation> generation;
  std::unique_ptr<RequestHandler> handler;
};

TEST_F(RequestHandlerTest, UnknownPathIs404AndNotForwarded) {
  upstream.answer = [](const UpstreamRequest&) { return ok("x"); };
  const Response r = handle(soap_request("/other", shortlist_request()));
  EXPECT_EQ(r.result(), http::status::not_found);
  EXPECT_EQ(r.body(), "socialdefaultd: no route for this path\n");
  EXPECT_TRUE(upstream.calls.empty());
  EXPECT_EQ(metrics.requests.get({"none", "no-route"}), 1u);
}

TEST_F(RequestHandlerTest, ShortlistIsRewrittenAndHeadersPass) {
  upstream.answer = [](const UpstreamRequest&) { return ok(shortlist_response()); };
  Request request = soap_request("/erp?trace=1", shortlist_request());
  request.set("SOAPAction", "\"urn:example:erp:purchasing:1/GetSupplierShortlist\"");
  request.set(http::field::connection, "keep-alive, X-Hop");
  request.set("X-Hop", "drop me");
  request.set("X-Request-Id", "abc-123");
  request.set(http::field::proxy_authorization, "Basic c2VjcmV0");
  const Response r = handle(std::move(request));

  ASSERT_EQ(upstream.calls.size(), 1u);
  const UpstreamRequest& sent = upstream.calls[0];
  EXPECT_EQ(sent.url, "http://erp.example:8080/purchasing?trace=1");
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(upstream.bodies[0], shortlist_request());
  EXPECT_EQ(header(sent.headers, "SOAPAction"), "\"urn:example:erp:purchasing:1/GetSupplierShortlist\"");
  EXPECT_EQ(header(sent.headers, "X-Request-Id"), "abc-123");
  EXPECT_EQ(header(sent.headers, "X-Hop"), "<absent>");
  EXPECT_EQ(header(sent.headers, "Connection"), "<absent>");
  EXPECT_EQ(header(sent.headers, "Proxy-Authorization"), "<absent>");

  EXPECT_EQ(r.result(), http::status::ok);
  EXPECT_NE(r.body().find("SOCIAL-DEFAULT"), std::string::npos);
  EXPECT_EQ(r.body().find("REGULAR-DEFAULT"), std::string::npos);
  EXPECT_EQ(r[http::field::content_type], "text/xml; charset=utf-8");
  EXPECT_EQ(r["X-Erp-Trace"], "erp-7");
  EXPECT_EQ(r[http::field::transfer_encoding], "");
  EXPECT_EQ(r[http::field::content_length], std::to_string(r.body().size()));
  // The request supplied the context the response lacks.
  EXPECT_EQ(backend.last_rewrite_request, shortlist_request());
  EXPECT_EQ(metrics.requests.get({"/erp", "rewritten"}), 1u);
  EXPECT_EQ(metrics.rewrites.get({"applied"}), 1u);
}

TEST_F(RequestHandlerTest, SoapTwelveActionParameterIsKept) {
  upstream.answer = [](const UpstreamRequest&) { return ok(shortlist_response(), "application/soap+xml"); };
  const std::string type = "application/soap+xml; charset=utf-8; action=\"urn:example:erp:purchasing:1/GetSupplierShortlist\"";
  handle(soap_request("/erp", soap12("<p:GetSupplierShortlist/>"), type));
  ASSERT_EQ(upstream.calls.size(), 1u);
  EXPECT_EQ(header(upstream.calls[0].headers, "Content-Type"), type);
}

TEST_F(RequestHandlerTest, AcceptedOrderIsRecordedBeforeTheAnswer) {
  upstream.answer = [](const UpstreamRequest&) { return ok(order_response("REQ-42")); };
  const Response r = handle(soap_request("/erp", order_request("REQ-42", "BLOEM-02")));
  EXPECT_EQ(r.result(), http::status::ok);
  EXPECT_EQ(r.body(), order_response("REQ-42"));
  const auto recorded = backend.ledger_.choices();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].correlation_id, "REQ-42");
  EXPECT_EQ(recorded[0].chosen_supplier, "BLOEM-02");
  EXPECT_EQ(metrics.requests.get({"/erp", "recorded"}), 1u);
  EXPECT_EQ(metrics.choices.get({"ledger"}), 1u);
  EXPECT_EQ(backend.rewrites.load(), 0);
}

TEST_F(RequestHandlerTest, ErpFaultPassesThroughAndNothingIsRecorded) {
  upstream.answer = [](const UpstreamRequest&) {
    UpstreamResult r = ok(fault11("Budget exceeded"));
    r.status = 500;
    return r;
  };
  const Response r = handle(soap_request("/erp", order_request()));
  EXPECT_EQ(r.result(), http::status::internal_server_error);
  EXPECT_EQ(r.body(), fault11("Budget exceeded"));
  EXPECT_TRUE(backend.ledger_.choices().empty());
  EXPECT_EQ(metrics.requests.get({"/erp", "upstream-fault"}), 1u);
}

TEST_F(RequestHandlerTest, FaultWithStatus200IsNotAnAcceptance) {
  upstream.answer = [](const UpstreamRequest&) { return ok(fault11("Unknown supplier")); };
  const Response r = handle(soap_request("/erp", order_request()));
  EXPECT_EQ(r.body(), fault11("Unknown supplier"));
  EXPECT_TRUE(backend.ledger_.choices().empty());
}

TEST_F(RequestHandlerTest, ErpDownIsAFaultInTheClientsVersion) {
  upstream.answer = [](const UpstreamRequest&) {
    return failed(UpstreamFailure::connect, "the ERP at http://erp.example:8080/purchasing cannot be reached: Connection refused");
  };
  const Response r11 = handle(soap_request("/erp", shortlist_request()));
  EXPECT_EQ(r11.result(), http::status::internal_server_error);
  EXPECT_EQ(r11[http::field::content_type], "text/xml; charset=utf-8");
  EXPECT_NE(r11.body().find("<faultcode>soap:Server</faultcode>"), std::string::npos);
  EXPECT_NE(r11.body().find("socialdefault gateway: the ERP at http://erp.example:8080/purchasing cannot be reached: "
                            "Connection refused"),
            std::string::npos);
  EXPECT_NE(r11.body().find(std::string(kSoap11Namespace)), std::string::npos);

  const Response r12 = handle(soap_request("/erp", soap12("<p:GetSupplierShortlist/>"), "application/soap+xml"));
  EXPECT_EQ(r12.result(), http::status::internal_server_error);
  EXPECT_EQ(r12[http::field::content_type], "application/soap+xml; charset=utf-8");
  EXPECT_NE(r12.body().find("<env:Value>env:Receiver</env:Value>"), std::string::npos);
  EXPECT_NE(r12.body().find(std::string(kSoap12Namespace)), std::string::npos);
  EXPECT_EQ(metrics.requests.get({"/erp", "upstream-unreachable"}), 2u);
}

TEST_F(RequestHandlerTest, ErpSlowIsAFaultThatSaysSo) {
  upstream.answer = [](const UpstreamRequest&) {
    return failed(UpstreamFailure::timeout, "the ERP at http://erp.example:8080/purchasing did not answer within 2000 ms");
  };
  const Response r = handle(soap_request("/erp", order_request()));
  EXPECT_NE(r.body().find("did not answer within 2000 ms"), std::string::npos);
  EXPECT_TRUE(backend.ledger_.choices().empty());
  EXPECT_EQ(metrics.requests.get({"/erp", "upstream-timeout"}), 1u);
}

TEST_F(RequestHandlerTest, UnreadableRequestIsForwardedUnchanged) {
  upstream.answer = [](const UpstreamRequest&) { return ok("<broken answer"); };
  const std::string body = "<broken><unclosed>";
  const Response r = handle(soap_request("/erp", body));
  ASSERT_EQ(upstream.bodies.size(), 1u);
  EXPECT_EQ(upstream.bodies[0], body);
  EXPECT_EQ(r.body(), "<broken answer");
  EXPECT_EQ(metrics.fail_open.get({"request"}), 1u);
  EXPECT_EQ(metrics.requests.get({"/erp", "fail-open"}), 1u);
  EXPECT_NE(log_text.str().find("\"stage\":\"request\""), std::string::npos);
}

TEST_F(RequestHandlerTest, DoctypeIsRefusedWithAFaultAndNotForwarded) {
  upstream.answer = [](const UpstreamRequest&) { return ok("x"); };
  const std::string evil = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]>" + shortlist_request();
  const Response r11 = handle(soap_request("/erp", evil));
  EXPECT_TRUE(upstream.calls.empty());
  EXPECT_EQ(r11.result(), http::status::internal_server_error);
  EXPECT_NE(r11.body().find("<faultcode>soap:Client</faultcode>"), std::string::npos);
  EXPECT_NE(r11.body().find("socialdefault gateway: a DOCTYPE is not allowed in a SOAP message; the message was not "
                            "forwarded"),
            std::string::npos);
  const Response r12 = handle(soap_request("/erp", "<!DOCTYPE x>" + soap12("<p:X/>"), "application/soap+xml"));
  EXPECT_EQ(r12.result(), http::status::bad_request);
  EXPECT_NE(r12.body().find("env:Sender"), std::string::npos);
  EXPECT_EQ(metrics.requests.get({"/erp", "refused-doctype"}), 2u);
}

TEST_F(RequestHandlerTest, TooDeepIsRefused) {
  upstream.answer = [](const UpstreamRequest&) { return ok("x"); };
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  const Response r = handle(soap_request("/erp", soap11(deep)));
  EXPECT_TRUE(upstream.calls.empty());
  EXPECT_NE(r.body().find("socialdefault gateway: the message nests elements deeper than 64 levels; it was not "
                          "forwarded"),
            std::string::npos);
}

TEST_F(RequestHandlerTest, RewriteErrorFailsOpen) {
  const std::string original = soap11("<p:GetSupplierShortlistResponse>FAIL-REWRITE REGULAR-DEFAULT</p:GetSupplierShortlistResponse>");
  upstream.answer = [&](const UpstreamRequest&) { return ok(original); };
  const Response r = handle(soap_request("/erp", shortlist_request()));
  EXPECT_EQ(r.body(), original);
  EXPECT_EQ(metrics.fail_open.get({"rewrite"}), 1u);
  EXPECT_NE(log_text.str().find("shortlist/category: the shortlist lacks a category"), std::string::npos);
}

TEST_F(RequestHandlerTest, RecordErrorFailsOpen) {
  upstream.answer = [](const UpstreamRequest&) { return ok(order_response()); };
  const Response r = handle(soap_request("/erp", order_request("FAIL-RECORD")));
  EXPECT_EQ(r.result(), http::status::ok);
  EXPECT_EQ(r.body(), order_response());
  EXPECT_EQ(metrics.fail_open.get({"record"}), 1u);
}

TEST_F(RequestHandlerTest, LedgerFailureSpoolsAndTheOrderStillPasses) {
  TempDir dir;
  auto spool = Spool::open(dir.path());
  ASSERT_TRUE(spool);
  GroupCommitter spooling(backend.ledger_, spool->get());
  RequestHandler h(backend, upstream, spooling, metrics, log);
  backend.ledger_.fail = true;
  upstream.answer = [](const UpstreamRequest&) { return ok(order_response("REQ-7")); };
  Request request = soap_request("/erp", order_request("REQ-7"));
  const Response r = h.handle(*generation, request);
  EXPECT_EQ(r.body(), order_response("REQ-7"));
  EXPECT_EQ((*spool)->depth(), 1u);
  EXPECT_EQ(metrics.requests.get({"/erp", "spooled"}), 1u);
  EXPECT_EQ(metrics.choices.get({"spool"}), 1u);
}

TEST_F(RequestHandlerTest, LedgerAndSpoolFailureIsLoudButTheOrderPasses) {
  backend.ledger_.fail = true;  // and this committer has no spool
  upstream.answer = [](const UpstreamRequest&) { return ok(order_response()); };
  const Response r = handle(soap_request("/erp", order_request()));
  EXPECT_EQ(r.body(), order_response());
  EXPECT_EQ(metrics.requests.get({"/erp", "record-lost"}), 1u);
  EXPECT_NE(log_text.str().find("\"level\":\"error\",\"event\":\"record-lost\""), std::string::npos);
}

TEST_F(RequestHandlerTest, NoSecretReachesTheLog) {
  upstream.answer = [](const UpstreamRequest&) {
    return failed(UpstreamFailure::connect, "the ERP at https://***@erp.example/p cannot be reached");
  };
  Request request = soap_request("/erp", "<broken><SharedSecret>hunter2</SharedSecret>");
  request.set(http::field::authorization, "Bearer tok-very-secret");
  request.set(http::field::cookie, "session=cookie-secret");
  handle(std::move(request));
  const std::string text = log_text.str();
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_EQ(text.find("tok-very-secret"), std::string::npos);
  EXPECT_EQ(text.find("cookie-secret"), std::string::npos);
  // Every line is one JSON object.
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.back(), '}');
  }
}

TEST(SoapEnvelope, VersionFromNamespaceThenContentType) {
  EXPECT_EQ(soap_version("text/xml", scan_envelope(soap12("<x/>"), 64)), SoapVersion::v12);
  EXPECT_EQ(soap_version("application/soap+xml", scan_envelope(soap11("<x/>"), 64)), SoapVersion::v11);
  EXPECT_EQ(soap_version("Application/SOAP+xml; charset=utf-8", scan_envelope("not xml", 64)), SoapVersion::v12);
  EXPECT_EQ(soap_version("text/xml", scan_envelope("", 64)), SoapVersion::v11);
  const EnvelopeScan defaulted =
      scan_envelope("\xEF\xBB\xBF <Envelope xmlns='http://www.w3.org/2003/05/soap-envelope'><Body/></Envelope>", 64);
  EXPECT_TRUE(defaulted.looks_like_xml);
  EXPECT_EQ(defaulted.root_namespace, kSoap12Namespace);
}

TEST(SoapEnvelope, ScanSkipsCommentsCdataAndQuotedBrackets) {
  const EnvelopeScan scan =
      scan_envelope("<?xml version='1.0'?><!-- <!DOCTYPE in a comment> --><a x='<b>'><![CDATA[<c><d>]]><e/></a>", 64);
  EXPECT_FALSE(scan.has_doctype);
  EXPECT_FALSE(scan.too_deep);
  EXPECT_EQ(scan.depth, 1u);
}

TEST(SoapEnvelope, FaultDetection) {
  EXPECT_TRUE(is_soap_fault(fault11("x")));
  EXPECT_TRUE(is_soap_fault(soap_fault(SoapVersion::v12, true, "x")));
  EXPECT_FALSE(is_soap_fault(order_response()));
  EXPECT_FALSE(is_soap_fault(soap11("<p:Answer><p:Fault>not the first child</p:Fault></p:Answer>")));
}

TEST(SoapEnvelope, FaultTextIsEscaped) {
  const std::string fault = soap_fault(SoapVersion::v11, false, "a < b & \"c\"");
  EXPECT_NE(fault.find("a &lt; b &amp; &quot;c&quot;"), std::string::npos);
}

TEST(JsonLogRedaction, UrlsLoseCredentialsAndQueryValues) {
  EXPECT_EQ(redact_url("https://user:pa55@erp.example:8443/p?token=abc&x=1"), "https://***@erp.example:8443/p?token=***&x=***");
  EXPECT_EQ(redact_url("http://erp.example/purchasing"), "http://erp.example/purchasing");
}

TEST(MetricsText, PrometheusFormat) {
  Metrics metrics;
  metrics.requests.add({"/erp", "rewritten"});
  metrics.requests.add({"/erp", "rewritten"});
  metrics.rewrites.add({"applied"});
  metrics.fail_open.add({"rewrite"});
  metrics.upstream_latency.observe(std::chrono::microseconds(3000));
  metrics.ledger_latency.observe(std::chrono::microseconds(700));
  metrics.spool_depth = [] { return std::size_t{3}; };
  metrics.offer_stats = [] {
    GroupCommitStats s;
    s.offers = 12;
    s.offers_written = 9;
    s.offers_dropped = 2;
    s.offer_failures = 4;
    return s;
  };
  const std::string text = metrics.render();
  EXPECT_NE(text.find("socialdefault_offers_total{result=\"queued\"} 12\n"), std::string::npos);
  EXPECT_NE(text.find("socialdefault_offers_total{result=\"written\"} 9\n"), std::string::npos);
  EXPECT_NE(text.find("socialdefault_offers_total{result=\"dropped\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("socialdefault_offer_batch_failures_total 4\n"), std::string::npos);
  EXPECT_NE(text.find("socialdefault_requests_total{route=\"/erp\",outcome=\"rewritten\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("socialdefault_rewrites_total{reason=\"applied\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("socialdefault_fail_open_total{stage=\"rewrite\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("socialdefault_upstream_seconds_bucket{le=\"0.005\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("socialdefault_upstream_seconds_bucket{le=\"0.0025\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("socialdefault_ledger_seconds_count 1\n"), std::string::npos);
  EXPECT_NE(text.find("socialdefault_spool_depth 3\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE socialdefault_upstream_seconds histogram\n"), std::string::npos);
}

}  // namespace
}  // namespace socialdefault::gateway::testing
