// CurlUpstream on its own against a loopback fixture ERP: connection reuse
// per worker, and many workers calling at once (the daemon's worker pool),
// each getting its own answer intact.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gateway_fakes.hpp"
#include "upstream.hpp"

namespace socialdefault::gateway::testing {
namespace {

// Answers with the request's body, so each caller can check it got its own.
FixtureUpstream echo_erp() {
  return FixtureUpstream([](const Request& request) { return soap_response("echo:" + request.body()); });
}

Route route_to(const FixtureUpstream& erp) {
  Route route;
  route.path = "/erp";
  route.upstream = erp.url();
  return route;
}

UpstreamRequest post(const Route& route, const std::string& body) {
  UpstreamRequest request;
  request.method = "POST";
  request.url = route.upstream;
  request.headers.emplace_back("Content-Type", "text/xml; charset=utf-8");
  request.body = body;
  return request;
}

TEST(CurlUpstream, OneWorkerReusesItsConnection) {
  FixtureUpstream erp = echo_erp();
  const Route route = route_to(erp);
  CurlUpstream upstream(1 << 20);
  for (int i = 0; i < 3; ++i) {
    const std::string body = "<call n=\"" + std::to_string(i) + "\"/>";
    const UpstreamResult result = upstream.call(route, post(route, body));
    ASSERT_EQ(result.failure, UpstreamFailure::none) << result.message;
    EXPECT_EQ(result.status, 200u);
    EXPECT_EQ(result.body, "echo:" + body);
  }
  EXPECT_EQ(erp.connections_accepted(), 1);
}

// Before connections were kept per worker, a connection cache shared by
// concurrent threads corrupted the heap under load (seen in the gateway
// bench). This test does not reproduce that crash reliably; what it does
// catch is the shared cache itself: with it, 320 calls opened about 310
// connections instead of at most one per worker.
TEST(CurlUpstream, ManyWorkersAtOnceEachGetTheirOwnAnswer) {
  FixtureUpstream erp = echo_erp();
  const Route route = route_to(erp);
  CurlUpstream upstream(1 << 20);
  constexpr int kWorkers = 8;
  constexpr int kCalls = 40;
  std::atomic<int> good{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < kCalls; ++i) {
        const std::string body = "<call worker=\"" + std::to_string(w) + "\" n=\"" + std::to_string(i) + "\"/>";
        const UpstreamResult result = upstream.call(route, post(route, body));
        (result.failure == UpstreamFailure::none && result.status == 200 && result.body == "echo:" + body ? good : bad)++;
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(good.load(), kWorkers * kCalls);
  EXPECT_EQ(bad.load(), 0);
  // Each worker kept its connection: far fewer than one per call.
  EXPECT_LE(erp.connections_accepted(), kWorkers);
}

}  // namespace
}  // namespace socialdefault::gateway::testing
