#include "request_handler.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <iterator>

#include "soap_envelope.hpp"
#include "standard_documents.hpp"

namespace socialdefault::gateway {

namespace {

Response fault_response(const Request& request, SoapVersion version, bool sender, std::string_view reason) {
  // SOAP 1.2's HTTP binding answers a Sender fault with 400; everything
  // else, and every SOAP 1.1 fault, with 500.
  const auto status = version == SoapVersion::v12 && sender ? http::status::bad_request
                                                            : http::status::internal_server_error;
  Response response{status, request.version()};
  response.set(http::field::content_type, soap_content_type(version));
  response.set(http::field::server, "socialdefaultd");
  response.body() = soap_fault(version, sender, reason);
  response.prepare_payload();
  return response;
}

Response plain_refusal(const Request& request, std::string text) {
  Response response{http::status::bad_request, request.version()};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.set(http::field::server, "socialdefaultd");
  response.body() = std::move(text) + "\n";
  response.prepare_payload();
  return response;
}

}  // namespace

const RouteRuntime* Generation::find(std::string_view path) const noexcept {
  for (const RouteRuntime& r : routes) {
    if (r.route.path == path) return &r;
  }
  return nullptr;
}

Result<std::shared_ptr<const Generation>> build_generation(std::shared_ptr<const GatewayConfig> config,
                                                          Backend& backend) {
  auto generation = std::make_shared<Generation>();
  for (const Route& route : config->routes) {
    auto adapter = backend.make_adapter(route, config->limits);
    if (!adapter) {
      Error e = std::move(adapter).error();
      if (e.where.empty()) e.where = config->source.filename().string() + ":" + std::to_string(route.line);
      return e;
    }
    RouteRuntime runtime{route, std::move(adapter).value(), nullptr, nullptr};
    for (const char* name : {"ubl", "cxml"}) {
      Route standard = route;
      standard.adapter = name;
      if (route.adapter != name) standard.mapping.clear();
      if (auto made = backend.make_adapter(standard, config->limits)) {
        (standard.adapter == "ubl" ? runtime.ubl : runtime.cxml) = std::move(made).value();
      }
    }
    generation->routes.push_back(std::move(runtime));
  }
  generation->config = std::move(config);
  return std::shared_ptr<const Generation>(std::move(generation));
}

HeaderList end_to_end_headers(const http::fields& fields) {
  std::vector<std::string> named;  // tokens of the Connection header
  for (const auto& f : fields) {
    if (!boost::beast::iequals(f.name_string(), "connection")) continue;
    std::string_view v = f.value();
    while (!v.empty()) {
      const std::size_t comma = v.find(',');
      std::string_view token = v.substr(0, comma);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
      if (!token.empty()) named.emplace_back(token);
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  HeaderList out;
  out.reserve(static_cast<std::size_t>(std::distance(fields.begin(), fields.end())));
  for (const auto& f : fields) {
    const std::string_view name = f.name_string();
    if (is_hop_by_hop(name)) continue;
    bool listed = false;
    for (const std::string& n : named) listed = listed || boost::beast::iequals(n, name);
    if (listed) continue;
    out.emplace_back(std::string(name), std::string(f.value()));
  }
  return out;
}

bool Exchange::completes_with_ledger() const noexcept {
  return readable && (kind == MessageKind::order_request || (standard_route && kind == MessageKind::order_response));
}

Response RequestHandler::handle(const Generation& generation, const Request& request) {
  Exchange exchange = prepare(generation, request);
  if (exchange.response) return std::move(*exchange.response);
  UpstreamResult answer = upstream_.call(exchange.runtime->route, exchange.upstream);
  return complete(exchange, request, std::move(answer));
}

Response RequestHandler::finish(Exchange& exchange, const Request& request, Response response) {
  metrics_.requests.add({exchange.route_name, exchange.outcome});
  if (exchange.generation->config->logging.log_requests && log_.enabled(LogLevel::info)) {
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - exchange.started);
    log_.write(LogLevel::info, "request",
               {{"route", exchange.route_name},
                {"method", std::string(request.method_string())},
                {"status", response.result_int()},
                {"outcome", exchange.outcome},
                {"bytes_in", request.body().size()},
                {"bytes_out", response.body().size()},
                {"ms", static_cast<double>(us.count()) / 1000.0}});
  }
  return response;
}

Exchange RequestHandler::prepare(const Generation& generation, const Request& request) {
  Exchange exchange;
  exchange.generation = &generation;
  exchange.started = std::chrono::steady_clock::now();
  const std::string_view target = request.target();
  const std::size_t qmark = target.find('?');
  const std::string_view path = target.substr(0, qmark);
  const std::string_view query = qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
  std::string& route_name = exchange.route_name;
  std::string& outcome = exchange.outcome;
  const auto finish = [&](Response response) {
    exchange.response = this->finish(exchange, request, std::move(response));
    return std::move(exchange);
  };

  const RouteRuntime* runtime = generation.find(path);
  exchange.runtime = runtime;
  if (runtime == nullptr) {
    outcome = "no-route";
    Response response{http::status::not_found, request.version()};
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.set(http::field::server, "socialdefaultd");
    response.body() = "socialdefaultd: no route for this path\n";
    response.prepare_payload();
    return finish(std::move(response));
  }
  const Route& route = runtime->route;
  route_name = route.path;
  const std::string_view body = request.body();
  // UBL and cXML documents go to their own adapter, whatever the route's. A
  // PunchOut cart posted as a form is read from its field; the form itself
  // is what goes upstream.
  // The decoded cart lives in the exchange: the message read from it may
  // point into it until complete().
  exchange.standard_body = std::make_unique<const StandardBody>(
      read_standard_body(request[http::field::content_type], body, generation.config->limits.max_body_bytes));
  const StandardDocument standard = exchange.standard_body->document;
  const Adapter* chosen = runtime->adapter.get();
  if (standard == StandardDocument::ubl && runtime->ubl) chosen = runtime->ubl.get();
  if (standard == StandardDocument::cxml && runtime->cxml) chosen = runtime->cxml.get();
  const Adapter& adapter = *chosen;
  const bool standard_route = chosen != runtime->adapter.get();
  exchange.adapter = chosen;
  exchange.standard = standard;
  exchange.standard_route = standard_route;
  const std::string_view xml = standard_route ? exchange.standard_body->xml(body) : body;

  const EnvelopeScan scan = scan_envelope(xml, generation.config->limits.max_xml_depth);
  const SoapVersion version = soap_version(request[http::field::content_type], scan);
  exchange.version = version;
  if (scan.has_doctype && standard_route && standard == StandardDocument::ubl) {
    outcome = "refused-doctype";
    return finish(plain_refusal(request, "socialdefault gateway: a DOCTYPE is not allowed in a UBL document; the "
                                         "document was not forwarded"));
  }
  // cXML names its DTD in a DOCTYPE: the cxml adapter accepts that and
  // refuses entity declarations itself (below).
  if (scan.has_doctype && !(standard_route && standard == StandardDocument::cxml)) {
    outcome = "refused-doctype";
    return finish(fault_response(request, version, true,
                                 "socialdefault gateway: a DOCTYPE is not allowed in a SOAP message; the message "
                                 "was not forwarded"));
  }
  if (scan.too_deep) {
    outcome = "refused-depth";
    return finish(fault_response(request, version, true,
                                 "socialdefault gateway: the message nests elements deeper than " +
                                     std::to_string(generation.config->limits.max_xml_depth) +
                                     " levels; it was not forwarded"));
  }

  // What the request is decides what happens to the answer. A body the
  // adapter cannot read is still forwarded unchanged: fail open.
  MessageKind& kind = exchange.kind;
  bool& readable = exchange.readable;
  bool& request_failed_open = exchange.request_failed_open;
  std::unique_ptr<Message>& request_message = exchange.request_message;
  if (exchange.standard_body->form_error) {
    request_failed_open = true;
    metrics_.fail_open.add({"form"});
    log_.write(LogLevel::warning, "fail-open",
               {{"route", route_name}, {"stage", "form"}, {"reason", exchange.standard_body->form_error->describe()}});
  } else if (!xml.empty() && scan.looks_like_xml) {
    auto message = adapter.recognise(xml);
    if (message) {
      kind = (*message)->kind();
      readable = true;
      request_message = std::move(message).value();
    } else if (standard_route && scan.has_doctype) {
      outcome = "refused-doctype";
      return finish(plain_refusal(request, "socialdefault gateway: " + message.error().describe() +
                                               "; the document was not forwarded"));
    } else {
      request_failed_open = true;
      metrics_.fail_open.add({"request"});
      log_.write(LogLevel::warning, "fail-open",
                 {{"route", route_name}, {"stage", "request"}, {"reason", message.error().describe()}});
    }
  }

  UpstreamRequest& upstream_request = exchange.upstream;
  upstream_request.method = std::string(request.method_string());
  upstream_request.url = route.upstream;
  if (!query.empty()) {
    upstream_request.url += route.upstream.find('?') == std::string::npos ? '?' : '&';
    upstream_request.url += query;
  }
  upstream_request.headers = end_to_end_headers(request.base());
  upstream_request.body = body;
  return exchange;
}

Response RequestHandler::complete(Exchange& exchange, const Request& request, UpstreamResult answer) {
  const auto finish = [&](Response response) { return this->finish(exchange, request, std::move(response)); };
  const std::string& route_name = exchange.route_name;
  std::string& outcome = exchange.outcome;
  const std::string_view body = request.body();
  const Adapter& adapter = *exchange.adapter;
  const StandardDocument standard = exchange.standard;
  const bool standard_route = exchange.standard_route;
  const SoapVersion version = exchange.version;
  const MessageKind kind = exchange.kind;
  const bool readable = exchange.readable;
  if (answer.failure != UpstreamFailure::none) {
    outcome = answer.failure == UpstreamFailure::timeout   ? "upstream-timeout"
              : answer.failure == UpstreamFailure::connect ? "upstream-unreachable"
                                                           : "upstream-error";
    log_.write(LogLevel::warning, "upstream-failed", {{"route", route_name}, {"reason", answer.message}});
    return finish(fault_response(request, version, false, "socialdefault gateway: " + answer.message));
  }
  metrics_.upstream_latency.observe(answer.elapsed);

  Response response{static_cast<http::status>(answer.status), request.version()};
  for (const auto& [name, value] : answer.headers) {
    if (!is_hop_by_hop(name)) response.insert(name, value);
  }
  const bool accepted = answer.status >= 200 && answer.status < 300 && !is_soap_fault(answer.body);
  if (!accepted) {
    outcome = "upstream-fault";
    response.body() = std::move(answer.body);
    response.prepare_payload();
    return finish(std::move(response));
  }

  if (readable && kind == MessageKind::order_request) {
    // A UBL order's answer is the access point's receipt, not an
    // OrderResponse; a cXML order's is a cXML Response with a Status.
    std::optional<std::string_view> erp_answer = std::string_view(answer.body);
    // A PunchOut cart's answer is the buyer system's page, not a cXML Response.
    if (standard_route && (standard == StandardDocument::ubl ||
                           detect_standard_document({}, answer.body) != StandardDocument::cxml)) {
      erp_answer.reset();
    }
    const std::string_view xml = standard_route ? exchange.standard_body->xml(body) : body;
    auto records = backend_.prepare_choices(adapter, xml, erp_answer, now());
    if (!records) {
      outcome = "fail-open";
      metrics_.fail_open.add({"record"});
      log_.write(LogLevel::warning, "fail-open",
                 {{"route", route_name}, {"stage", "record"}, {"reason", records.error().describe()}});
    } else if (records->empty()) {
      outcome = "passed";
    } else {
      const std::size_t count = records->size();
      const CommitOutcome committed = committer_.commit(std::move(records).value());
      metrics_.ledger_latency.observe(committed.ledger_latency);
      metrics_.choices.add({to_string(committed.durability)}, count);
      switch (committed.durability) {
        case Durability::ledger: outcome = "recorded"; break;
        case Durability::spool:
          outcome = "spooled";
          log_.write(LogLevel::warning, "spooled",
                     {{"route", route_name},
                      {"records", count},
                      {"reason", committed.ledger_error ? committed.ledger_error->describe() : ""}});
          break;
        case Durability::lost:
          // The ERP has the order; refusing it now would only make the
          // client order twice. It goes through, and the loss is loud.
          outcome = "record-lost";
          metrics_.fail_open.add({"ledger-and-spool"});
          log_.write(LogLevel::error, "record-lost",
                     {{"route", route_name},
                      {"records", count},
                      {"ledger", committed.ledger_error ? committed.ledger_error->describe() : ""},
                      {"spool", committed.fallback_error ? committed.fallback_error->describe() : ""}});
          break;
      }
    }
    response.body() = std::move(answer.body);
  } else if (readable && standard_route && kind == MessageKind::order_response) {
    // A UBL OrderResponse or OrderCancellation, a cXML ConfirmationRequest,
    // StatusUpdateRequest or cancelling OrderRequest passing through: the
    // status of a recorded order.
    auto update = adapter.read_order_status(*exchange.request_message);
    Result<std::int64_t> stored = update ? backend_.ledger().append_order_status(OrderStatusRecord{
                                               now(), update->order_ref, update->status, update->response_ref,
                                               update->code, std::string(adapter.name()),
                                               update->order_document_ref})
                                         : Result<std::int64_t>(std::move(update).error());
    if (stored) {
      outcome = "status-recorded";
    } else {
      outcome = "fail-open";
      metrics_.fail_open.add({"record"});
      log_.write(LogLevel::warning, "fail-open",
                 {{"route", route_name}, {"stage", "status"}, {"reason", stored.error().describe()}});
    }
    response.body() = std::move(answer.body);
  } else if (readable && !standard_route && (kind == MessageKind::shortlist_request || kind == MessageKind::unknown)) {
    // The request was recognised by prepare(): it is not parsed again.
    RewriteResult rewritten = backend_.rewrite_recognised(adapter, answer.body, exchange.request_message.get(), now());
    if (rewritten.outcome == "fail-open") {
      outcome = "fail-open";
      metrics_.fail_open.add({"rewrite"});
      metrics_.rewrites.add({"fail-open"});
      log_.write(LogLevel::warning, "fail-open",
                 {{"route", route_name},
                  {"stage", "rewrite"},
                  {"reason", rewritten.error ? rewritten.error->describe() : "unknown"}});
      response.body() = std::move(answer.body);
    } else if (rewritten.outcome == "not-a-shortlist") {
      outcome = "passed";
      response.body() = std::move(answer.body);
    } else {
      metrics_.rewrites.add({rewritten.outcome});
      outcome = rewritten.rewritten ? "rewritten" : "shortlist-unchanged";
      response.body() = std::move(rewritten.body);
    }
  } else {
    outcome = exchange.request_failed_open ? "fail-open" : "passed";
    response.body() = std::move(answer.body);
  }
  response.prepare_payload();
  return finish(std::move(response));
}

}  // namespace socialdefault::gateway
