// A gateway server in the test process, on a free loopback port, with the
// fake engine; stopped when the harness goes.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include "gateway_fakes.hpp"
#include "server.hpp"
#include "spool.hpp"

namespace socialdefault::gateway::testing {

class GatewayHarness {
 public:
  explicit GatewayHarness(std::shared_ptr<const GatewayConfig> config, CommitFallback* fallback = nullptr)
      : log(log_text, LogLevel::debug), upstream(std::size_t{64} << 20) {
    committer = std::make_unique<GroupCommitter>(backend.ledger_, fallback);
    auto generation = build_generation(std::move(config), backend);
    EXPECT_TRUE(generation);
    server = std::make_unique<Server>(std::move(generation).value(), backend, upstream, *committer, metrics, log);
    auto started = server->start();
    EXPECT_TRUE(started) << (started ? "" : started.error().describe());
  }
  ~GatewayHarness() {
    server.reset();
    committer.reset();
  }
  std::uint16_t port() const { return server->port(); }
  // Waits until the gauge reaches n, at most two seconds.
  bool wait_connections(std::int64_t n) {
    for (int i = 0; i < 200; ++i) {
      if (metrics.connections.load() == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  FakeBackend backend;
  Metrics metrics;
  std::ostringstream log_text;
  JsonLog log;
  CurlUpstream upstream;
  std::unique_ptr<GroupCommitter> committer;
  std::unique_ptr<Server> server;
};

// A connected socket that the test drives byte by byte.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  bool send(std::string_view bytes) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }
  // Reads until the peer closes or timeout; returns what arrived.
  std::string read_all(std::chrono::milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = n == 0 || errno == ECONNRESET;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
  bool closed_by_peer() const { return closed_; }
  int native() { return socket_.native_handle(); }
  void close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  bool closed_ = false;
};

inline std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();  // closed when a goes
}

}  // namespace socialdefault::gateway::testing
