// The call to the ERP. Curl in the daemon (upstream_curl.cpp) for what
// needs it, Beast on the io_context for plain http (upstream_asio.cpp); a
// function in tests of the request core. Upstream::call blocks: it runs on
// the worker pool.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway_config.hpp"

namespace socialdefault::gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct UpstreamRequest {
  std::string method;
  std::string url;         // the route's upstream plus the client's query string
  HeaderList headers;      // hop-by-hop headers already removed
  std::string_view body;
};

enum class UpstreamFailure { none, connect, timeout, tls, too_large, other };

struct UpstreamResult {
  UpstreamFailure failure = UpstreamFailure::none;
  std::string message;     // why it failed; never holds credentials
  unsigned status = 0;
  HeaderList headers;
  std::string body;
  std::chrono::microseconds elapsed{0};
};

class Upstream {
 public:
  virtual ~Upstream() = default;
  virtual UpstreamResult call(const Route& route, const UpstreamRequest& request) = 0;
};

// libcurl: one easy handle per worker thread, reset and reused for every
// call so its connection cache keeps connections to the ERP alive.
class CurlUpstream final : public Upstream {
 public:
  explicit CurlUpstream(std::size_t max_response_bytes);
  UpstreamResult call(const Route& route, const UpstreamRequest& request) override;

 private:
  std::size_t max_response_bytes_;
};

// What receives the answer of an AsioUpstream call. The call holds it until
// then: an object the caller allocates anyway (the server's request in
// flight) serves as the completion without a std::function around it.
class UpstreamCompletion {
 public:
  virtual ~UpstreamCompletion() = default;
  virtual void on_answer(UpstreamResult answer) = 0;
};

// Plain http:// upstreams, driven by the server's io_context with Beast: no
// thread is parked per call and the request never changes threads, which is
// most of what a proxied request costs (docs/gateway.md, "Threads").
// Connections to each host:port are kept alive in a pool per io_context: a
// call runs on the context it is given, which one thread runs alone, so a
// connection never needs a strand. Routes with TLS, a proxy, a client certificate or credentials in
// the URL are not served here (serves() is false): libcurl does those, on
// the worker pool. Failures read as CurlUpstream's.
class AsioUpstream {
 public:
  using Done = std::function<void(UpstreamResult)>;
  AsioUpstream(boost::asio::io_context& io, std::size_t max_response_bytes);
  ~AsioUpstream();
  AsioUpstream(const AsioUpstream&) = delete;
  AsioUpstream& operator=(const AsioUpstream&) = delete;

  static bool serves(const Route& route) noexcept;
  // Starts the call and returns at once; done runs on the thread of io,
  // which must be a context that one thread runs. The bytes request.body
  // points to must stay valid until then.
  void call(boost::asio::io_context& io, const Route& route, UpstreamRequest request, Done done);
  // The same, the answer to done->on_answer().
  void call(boost::asio::io_context& io, const Route& route, UpstreamRequest request,
            std::shared_ptr<UpstreamCompletion> done);
  // The same on the context given to the constructor.
  void call(const Route& route, UpstreamRequest request, Done done) {
    call(io_, route, std::move(request), std::move(done));
  }
  // Connections waiting in the pool.
  std::size_t idle_connections() const;
  // Connections opened so far.
  std::size_t connections_opened() const noexcept { return opened_.load(); }

 private:
  struct Connection;
  struct Call;
  std::unique_ptr<Connection> take(const boost::asio::io_context& io, const std::string& key);
  void give(const boost::asio::io_context& io, const std::string& key, std::unique_ptr<Connection> connection);

  boost::asio::io_context& io_;
  std::size_t max_response_bytes_;
  mutable std::mutex mutex_;
  using Pool = std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>>;
  std::unordered_map<const boost::asio::io_context*, Pool> idle_;
  std::atomic<std::size_t> opened_{0};
};

// Hop-by-hop headers (RFC 9110 7.6.1) and those the transport sets itself:
// never copied from one connection to the other.
bool is_hop_by_hop(std::string_view name) noexcept;

}  // namespace socialdefault::gateway
