// The call to the ERP. Curl in the daemon (upstream_curl.cpp); a function
// in tests of the request core. Calls block: they run on the worker pool.
#pragma once

#include <chrono>
#include <string>
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

// Hop-by-hop headers (RFC 9110 7.6.1) and those the transport sets itself:
// never copied from one connection to the other.
bool is_hop_by_hop(std::string_view name) noexcept;

}  // namespace socialdefault::gateway
