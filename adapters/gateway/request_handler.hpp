// The gateway's request core, free of sockets: route lookup, the DOCTYPE and
// depth checks, the call to the ERP, the rewrite of shortlists, the durable
// record of accepted orders, and fail-open everywhere else. The session
// calls it on a worker thread; tests call it directly.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend.hpp"
#include "gateway_config.hpp"
#include "json_log.hpp"
#include "metrics.hpp"
#include "soap_envelope.hpp"
#include "socialdefault/group_commit.hpp"
#include "standard_documents.hpp"
#include "upstream.hpp"

namespace socialdefault::gateway {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct RouteRuntime {
  Route route;
  std::shared_ptr<const Adapter> adapter;
  // Where the route sends UBL and cXML documents (standard_documents.hpp);
  // null when the backend has no such adapter: the route's own reads them.
  std::shared_ptr<const Adapter> ubl, cxml;
};

// One configuration generation: the file and the adapters built from it.
// Immutable; a reload builds a new one and swaps the pointer.
struct Generation {
  std::shared_ptr<const GatewayConfig> config;
  std::vector<RouteRuntime> routes;
  const RouteRuntime* find(std::string_view path) const noexcept;
};

Result<std::shared_ptr<const Generation>> build_generation(std::shared_ptr<const GatewayConfig> config,
                                                          Backend& backend);

// One request between prepare() and complete(): what was decided before the
// call to the ERP. The generation and the request must outlive it.
struct Exchange {
  const Generation* generation = nullptr;
  const RouteRuntime* runtime = nullptr;
  std::optional<Response> response;  // answered without the ERP (refusals, no route)
  UpstreamRequest upstream;          // the call to make otherwise
  std::chrono::steady_clock::time_point started;
  std::string route_name = "none";
  std::string outcome;
  const Adapter* adapter = nullptr;
  StandardDocument standard{};
  std::unique_ptr<const StandardBody> standard_body;  // what read_standard_body found
  bool standard_route = false;
  SoapVersion version{};
  MessageKind kind = MessageKind::unknown;
  bool readable = false;
  bool request_failed_open = false;
  std::unique_ptr<Message> request_message;
  // complete() writes to the ledger (an order, a status): it may wait for
  // the disk, so it belongs on a worker thread, not an io thread.
  bool completes_with_ledger() const noexcept;
};

class RequestHandler {
 public:
  RequestHandler(Backend& backend, Upstream& upstream, GroupCommitter& committer, Metrics& metrics, JsonLog& log)
      : backend_(backend), upstream_(upstream), committer_(committer), metrics_(metrics), log_(log) {}

  // prepare(), the blocking upstream call, complete().
  Response handle(const Generation& generation, const Request& request);
  // The parts before and after the call to the ERP, for a server that
  // makes the call itself (without blocking a thread).
  Exchange prepare(const Generation& generation, const Request& request);
  Response complete(Exchange& exchange, const Request& request, UpstreamResult answer);

  // The clock of the records; tests pin it.
  std::function<UtcSeconds()> now = [] {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  };

 private:
  Response finish(Exchange& exchange, const Request& request, Response response);

  Backend& backend_;
  Upstream& upstream_;
  GroupCommitter& committer_;
  Metrics& metrics_;
  JsonLog& log_;
};

// The headers to send on: the message's own, minus hop-by-hop ones and
// those the Connection header names.
HeaderList end_to_end_headers(const http::fields& fields);

}  // namespace socialdefault::gateway
