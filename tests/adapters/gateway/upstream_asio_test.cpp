// AsioUpstream on its own against a loopback fixture ERP: what it sends,
// connection reuse, a connection the ERP closed while it was idle, many
// calls at once, and each failure with CurlUpstream's words.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "gateway_fakes.hpp"
#include "gateway_harness.hpp"
#include "upstream.hpp"

namespace socialdefault::gateway::testing {
namespace {

// Two io_contexts with a thread each, as the daemon's io threads.
class IoThreads {
 public:
  IoThreads() : guard_(io.get_executor()), second_guard_(second.get_executor()) {
    threads_.emplace_back([this] { io.run(); });
    threads_.emplace_back([this] { second.run(); });
  }
  ~IoThreads() {
    guard_.reset();
    second_guard_.reset();
    io.stop();
    second.stop();
    for (auto& t : threads_) t.join();
  }
  asio::io_context io{1};
  asio::io_context second{1};

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  asio::executor_work_guard<asio::io_context::executor_type> second_guard_;
  std::vector<std::thread> threads_;
};

Route route_to(const std::string& url) {
  Route route;
  route.path = "/erp";
  route.upstream = url;
  route.connect_timeout = std::chrono::milliseconds(1000);
  route.timeout = std::chrono::milliseconds(2000);
  return route;
}

UpstreamRequest post(const Route& route, const std::string& body) {
  UpstreamRequest request;
  request.method = "POST";
  request.url = route.upstream;
  request.headers.emplace_back("Content-Type", "text/xml; charset=utf-8");
  request.headers.emplace_back("SOAPAction", "\"urn:example:erp:purchasing:1#GetSupplierShortlist\"");
  request.headers.emplace_back("Accept-Encoding", "gzip");
  request.body = body;
  return request;
}

UpstreamResult call(AsioUpstream& upstream, const Route& route, const UpstreamRequest& request) {
  std::promise<UpstreamResult> promise;
  auto future = promise.get_future();
  upstream.call(route, request, [&promise](UpstreamResult result) { promise.set_value(std::move(result)); });
  return future.get();
}

FixtureUpstream echo_erp() {
  return FixtureUpstream([](const Request& request) { return soap_response("echo:" + request.body()); });
}

TEST(AsioUpstream, ServesPlainHttpOnly) {
  EXPECT_TRUE(AsioUpstream::serves(route_to("http://127.0.0.1:8080/erp")));
  EXPECT_TRUE(AsioUpstream::serves(route_to("http://erp.example/erp?x=1")));
  EXPECT_TRUE(AsioUpstream::serves(route_to("HTTP://erp.example")));
  EXPECT_FALSE(AsioUpstream::serves(route_to("https://erp.example/erp")));
  EXPECT_FALSE(AsioUpstream::serves(route_to("http://user:secret@erp.example/erp")));
  EXPECT_FALSE(AsioUpstream::serves(route_to("http://[::1]:8080/erp")));
  EXPECT_FALSE(AsioUpstream::serves(route_to("http://erp.example:99999/erp")));
  Route proxied = route_to("http://erp.example/erp");
  proxied.proxy = "http://proxy.example:3128";
  EXPECT_FALSE(AsioUpstream::serves(proxied));
}

TEST(AsioUpstream, SendsTheRequestAndReusesItsConnection) {
  FixtureUpstream erp = echo_erp();
  IoThreads io;
  AsioUpstream upstream(io.io, 1 << 20);
  const Route route = route_to(erp.url() + "?wsdl=no");
  for (int i = 0; i < 3; ++i) {
    const std::string body = "<call n=\"" + std::to_string(i) + "\"/>";
    const UpstreamResult result = call(upstream, route, post(route, body));
    ASSERT_EQ(result.failure, UpstreamFailure::none) << result.message;
    EXPECT_EQ(result.status, 200u);
    EXPECT_EQ(result.body, "echo:" + body);
    bool trace = false;
    for (const auto& [name, value] : result.headers) trace = trace || (name == "X-Erp-Trace" && value == "erp-7");
    EXPECT_TRUE(trace);
  }
  EXPECT_EQ(erp.connections_accepted(), 1);
  EXPECT_EQ(upstream.connections_opened(), 1u);
  EXPECT_EQ(upstream.idle_connections(), 1u);
  const auto received = erp.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].target(), "/erp/purchasing?wsdl=no");
  EXPECT_EQ(received[0][http::field::soapaction], "\"urn:example:erp:purchasing:1#GetSupplierShortlist\"");
  EXPECT_EQ(received[0][http::field::content_type], "text/xml; charset=utf-8");
  EXPECT_EQ(received[0][http::field::host], "127.0.0.1:" + std::to_string(erp.port()));
  EXPECT_EQ(received[0].count(http::field::accept_encoding), 0u);  // the engine reads identity bodies only
}

// The server's request in flight is the call's completion (no
// std::function around it): it gets the answer once, and the call lets go
// of it after that, so what it holds (the session, the request) is freed.
TEST(AsioUpstream, AnswersACompletionObjectAndReleasesIt) {
  struct Recorder final : UpstreamCompletion {
    void on_answer(UpstreamResult answer) override {
      ++calls;
      promise.set_value(std::move(answer));
    }
    std::atomic<int> calls{0};
    std::promise<UpstreamResult> promise;
  };
  FixtureUpstream erp = echo_erp();
  IoThreads io;
  AsioUpstream upstream(io.io, 1 << 20);
  const Route route = route_to(erp.url());
  auto recorder = std::make_shared<Recorder>();
  auto future = recorder->promise.get_future();
  const std::string body = "<completion/>";
  upstream.call(io.io, route, post(route, body), recorder);
  const UpstreamResult result = future.get();
  ASSERT_EQ(result.failure, UpstreamFailure::none) << result.message;
  EXPECT_EQ(result.body, "echo:" + body);
  // The call drops its reference on the io thread right after on_answer.
  for (int i = 0; i < 200 && recorder.use_count() > 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(recorder.use_count(), 1);
  EXPECT_EQ(recorder->calls.load(), 1);
}

// The request head is written as text: Content-Length as Beast's
// prepare_payload sets it (always for POST, PUT and OPTIONS; otherwise only
// for a body), no body for GET and HEAD.
TEST(AsioUpstream, FramesEachMethodAsBeastWould) {
  FixtureUpstream erp = echo_erp();
  IoThreads io;
  AsioUpstream upstream(io.io, 1 << 20);
  const Route route = route_to(erp.url());
  const auto send = [&](const std::string& method, const std::string& body) {
    UpstreamRequest request = post(route, body);
    request.method = method;
    const UpstreamResult result = call(upstream, route, request);
    EXPECT_EQ(result.failure, UpstreamFailure::none) << method << ": " << result.message;
  };
  send("POST", "");
  send("DELETE", "");
  send("PUT", "<p/>");
  send("GET", "<ignored/>");
  send("PATCH", "<x/>");
  const auto received = erp.received();
  ASSERT_EQ(received.size(), 5u);
  EXPECT_EQ(received[0].method(), http::verb::post);
  EXPECT_EQ(received[0][http::field::content_length], "0");
  EXPECT_EQ(received[1].method(), http::verb::delete_);
  EXPECT_EQ(received[1].count(http::field::content_length), 0u);
  EXPECT_EQ(received[2][http::field::content_length], "4");
  EXPECT_EQ(received[2].body(), "<p/>");
  EXPECT_EQ(received[3].method(), http::verb::get);
  EXPECT_EQ(received[3].count(http::field::content_length), 0u);
  EXPECT_EQ(received[3].body(), "");
  EXPECT_EQ(received[4].method(), http::verb::patch);
  EXPECT_EQ(received[4].body(), "<x/>");
  for (const Request& r : received) EXPECT_EQ(r[http::field::host], "127.0.0.1:" + std::to_string(erp.port()));
  EXPECT_EQ(upstream.connections_opened(), 1u);  // each answer left the connection reusable
}

// An ERP that answers "keep-alive" and then closes the connection anyway,
// as one does when its idle timeout strikes between two calls.
class ClosingErp {
 public:
  ClosingErp() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] {
      for (;;) {
        tcp::socket socket(io_);
        boost::system::error_code ec;
        acceptor_.accept(socket, ec);
        if (ec || stopping_) return;
        ++accepted;
        beast::flat_buffer buffer;
        Request request;
        http::read(socket, buffer, request, ec);
        if (ec) continue;
        Response response = soap_response("echo:" + request.body());
        response.keep_alive(true);
        response.prepare_payload();
        http::write(socket, response, ec);
        socket.shutdown(tcp::socket::shutdown_both, ec);
      }
    });
  }
  ~ClosingErp() {
    stopping_ = true;
    try {
      tcp::socket wake(io_);
      wake.connect(acceptor_.local_endpoint());
    } catch (...) {
    }
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/erp"; }
  std::atomic<int> accepted{0};

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

TEST(AsioUpstream, AConnectionTheErpClosedIsReplaced) {
  ClosingErp erp;
  IoThreads io;
  AsioUpstream upstream(io.io, 1 << 20);
  const Route route = route_to(erp.url());
  for (const std::string body : {"<a/>", "<b/>", "<c/>"}) {
    const UpstreamResult result = call(upstream, route, post(route, body));
    ASSERT_EQ(result.failure, UpstreamFailure::none) << result.message;
    EXPECT_EQ(result.body, "echo:" + body);
    // Give the ERP's close time to arrive before the next call takes the connection.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(erp.accepted.load(), 3);
  EXPECT_EQ(upstream.connections_opened(), 3u);
}

TEST(AsioUpstream, ManyCallsAtOnceEachGetTheirOwnAnswer) {
  FixtureUpstream erp = echo_erp();
  IoThreads io;
  AsioUpstream upstream(io.io, 1 << 20);
  const Route route = route_to(erp.url());
  constexpr int kCalls = 200;
  std::vector<std::string> bodies;
  for (int i = 0; i < kCalls; ++i) bodies.push_back("<call n=\"" + std::to_string(i) + "\"/>");
  std::atomic<int> good{0}, bad{0}, left{kCalls};
  std::promise<void> all;
  std::atomic<int> wrong_thread{0};
  for (int i = 0; i < kCalls; ++i) {
    // Half on each context: each call completes on its own context's thread.
    asio::io_context& home = i % 2 == 0 ? io.io : io.second;
    upstream.call(home, route, post(route, bodies[static_cast<std::size_t>(i)]), [&, i](UpstreamResult result) {
      (result.failure == UpstreamFailure::none && result.body == "echo:" + bodies[static_cast<std::size_t>(i)] ? good
                                                                                                               : bad)++;
      if (!home.get_executor().running_in_this_thread()) ++wrong_thread;
      if (--left == 0) all.set_value();
    });
  }
  all.get_future().wait();
  EXPECT_EQ(good.load(), kCalls);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(wrong_thread.load(), 0);
  EXPECT_EQ(upstream.connections_opened(), static_cast<std::size_t>(erp.connections_accepted()));
}

// A connection stays with the context that opened it: a call on the other
// context opens its own instead of taking it.
TEST(AsioUpstream, EachContextKeepsItsOwnConnections) {
  FixtureUpstream erp = echo_erp();
  IoThreads io;
  AsioUpstream upstream(io.io, 1 << 20);
  const Route route = route_to(erp.url());
  const std::string body = "<a/>";  // the request's body is a view: it outlives the call
  const auto call_on = [&](asio::io_context& home) {
    std::promise<UpstreamResult> promise;
    upstream.call(home, route, post(route, body), [&](UpstreamResult r) { promise.set_value(std::move(r)); });
    return promise.get_future().get();
  };
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(call_on(io.io).failure, UpstreamFailure::none);
    EXPECT_EQ(call_on(io.second).failure, UpstreamFailure::none);
  }
  EXPECT_EQ(upstream.connections_opened(), 2u);
  EXPECT_EQ(upstream.idle_connections(), 2u);
  EXPECT_EQ(erp.connections_accepted(), 2);
}

TEST(AsioUpstream, FailuresReadAsCurlUpstreams) {
  IoThreads io;
  AsioUpstream upstream(io.io, 64);
  {
    const Route route = route_to("http://127.0.0.1:" + std::to_string(closed_port()) + "/erp");
    const UpstreamResult result = call(upstream, route, post(route, "<a/>"));
    EXPECT_EQ(result.failure, UpstreamFailure::connect);
    EXPECT_EQ(result.message, "the ERP at " + route.upstream + " cannot be reached: Connection refused");
  }
  {
    FixtureUpstream slow([](const Request&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(600));
      return soap_response("late");
    });
    Route route = route_to(slow.url());
    route.timeout = std::chrono::milliseconds(200);
    const UpstreamResult result = call(upstream, route, post(route, "<a/>"));
    EXPECT_EQ(result.failure, UpstreamFailure::timeout);
    EXPECT_EQ(result.message, "the ERP at " + route.upstream + " did not answer within 200 ms");
  }
  {
    FixtureUpstream big([](const Request&) { return soap_response(std::string(1000, 'x')); });
    const Route route = route_to(big.url());
    const UpstreamResult result = call(upstream, route, post(route, "<a/>"));
    EXPECT_EQ(result.failure, UpstreamFailure::too_large);
    EXPECT_EQ(result.message, "the ERP's answer exceeds 64 bytes");
    EXPECT_TRUE(result.body.empty());
  }
  {
    Route route = route_to("http://127.0.0.1:1/erp");
    UpstreamRequest request = post(route, "<a/>");
    request.url = "https://127.0.0.1:1/erp";  // not what serves() admits
    const UpstreamResult result = call(upstream, route, request);
    EXPECT_EQ(result.failure, UpstreamFailure::other);
    EXPECT_EQ(result.message, "the call to the ERP at https://127.0.0.1:1/erp failed: not a plain http URL");
  }
}

}  // namespace
}  // namespace socialdefault::gateway::testing
