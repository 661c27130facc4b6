// Stand-ins for the engine, the ledger and the ERP, so the gateway's tests
// run without a policy, a mapping or a database, and a tiny HTTP upstream on
// loopback. Each test starts what it needs and stops it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "backend.hpp"
#include "gateway_config.hpp"
#include "request_handler.hpp"

namespace socialdefault::gateway::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// A folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("sd-gateway-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

inline std::string between(std::string_view text, std::string_view open, std::string_view close) {
  const auto a = text.find(open);
  if (a == std::string_view::npos) return {};
  const auto b = text.find(close, a + open.size());
  if (b == std::string_view::npos) return {};
  return std::string(text.substr(a + open.size(), b - a - open.size()));
}

class FakeLedger final : public Ledger {
 public:
  Result<std::int64_t> append_offer(const OfferRecord&) override { return std::int64_t{1}; }
  Result<std::optional<OfferRecord>> find_offer(std::string_view) override { return std::optional<OfferRecord>{}; }
  Result<std::int64_t> append_choices(std::span<const ChoiceRecord> choices) override {
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    std::lock_guard lock(mutex);
    ++attempts;
    if (fail.load()) return make_error(ErrorCode::database, "disk I/O error (simulated)");
    for (const ChoiceRecord& c : choices) {
      if (!reject_correlation.empty() && c.correlation_id == reject_correlation) {
        return make_error(ErrorCode::invalid_argument, "choice (correlation id \"" + c.correlation_id + "\"): currency is not an ISO 4217 code");
      }
    }
    ++transactions;
    const auto first = static_cast<std::int64_t>(choices_.size() + 1);
    choices_.insert(choices_.end(), choices.begin(), choices.end());
    batch_sizes.push_back(choices.size());
    return first;
  }
  Result<std::int64_t> append_config_change(const ConfigChangeRecord&) override { return std::int64_t{1}; }
  Result<std::optional<ConfigChangeRecord>> last_config_change() override {
    return std::optional<ConfigChangeRecord>{};
  }
  Result<std::uint64_t> count_offers(std::string_view, std::string_view) override { return std::uint64_t{0}; }
  Result<void> export_rows(const ExportQuery&, const ExportSink&) override { return {}; }
  Result<VerifyReport> verify() override { return VerifyReport{}; }

  std::vector<ChoiceRecord> choices() {
    std::lock_guard lock(mutex);
    return choices_;
  }

  std::mutex mutex;
  std::atomic<bool> fail{false};
  std::string reject_correlation;  // a record the ledger refuses as invalid
  std::chrono::milliseconds delay{0};
  int attempts = 0;
  int transactions = 0;
  std::vector<std::size_t> batch_sizes;

 private:
  std::vector<ChoiceRecord> choices_;
};

class FakeMessage final : public Message {
 public:
  FakeMessage(MessageKind kind, std::string bytes) : kind_(kind), bytes_(std::move(bytes)) {}
  MessageKind kind() const noexcept override { return kind_; }
  std::string_view bytes() const noexcept override { return bytes_; }

 private:
  MessageKind kind_;
  std::string bytes_;
};

// Recognises the example contract's messages by their element names.
class FakeAdapter final : public Adapter {
 public:
  std::string_view name() const noexcept override { return "fake"; }
  Result<std::unique_ptr<Message>> recognise(std::string_view bytes) const override {
    std::size_t i = bytes.find_first_not_of(" \t\r\n");
    if (i == std::string_view::npos || bytes[i] != '<' || bytes.find("<broken") != std::string_view::npos) {
      return make_error(ErrorCode::xml, "not well-formed XML", "byte 0");
    }
    MessageKind kind = MessageKind::unknown;
    if (bytes.find("Fault>") != std::string_view::npos) kind = MessageKind::fault;
    else if (bytes.find("GetSupplierShortlistResponse") != std::string_view::npos) kind = MessageKind::shortlist_response;
    else if (bytes.find("GetSupplierShortlist") != std::string_view::npos) kind = MessageKind::shortlist_request;
    else if (bytes.find("SubmitRequisitionResponse") != std::string_view::npos) kind = MessageKind::order_response;
    else if (bytes.find("SubmitRequisition") != std::string_view::npos) kind = MessageKind::order_request;
    return std::unique_ptr<Message>(new FakeMessage(kind, std::string(bytes)));
  }
  Result<Shortlist> read_shortlist(const Message&, const Message*) const override { return Shortlist{}; }
  Result<std::string> apply_decision(const Message& m, const Shortlist&, const Decision&,
                                     const Policy&) const override {
    return std::string(m.bytes());
  }
  Result<std::vector<OrderChoice>> read_choice(const Message&, const Message*) const override {
    return std::vector<OrderChoice>{};
  }
};

// The engine's part, done by string edits: "REGULAR-DEFAULT" in a shortlist
// becomes "SOCIAL-DEFAULT"; an order's RequisitionId and SupplierId become
// one choice record.
class FakeBackend final : public Backend {
 public:
  Result<std::shared_ptr<const Adapter>> make_adapter(const Route& route, const Limits&) override {
    if (route.adapter != "soap" && route.adapter != "fake") {
      return make_error(ErrorCode::not_found, "no adapter named \"" + route.adapter + "\"");
    }
    return std::shared_ptr<const Adapter>(std::make_shared<FakeAdapter>());
  }
  RewriteResult rewrite(const Adapter& adapter, std::string_view response, std::optional<std::string_view> request,
                        UtcSeconds) override {
    ++rewrites;
    if (request) last_rewrite_request = std::string(*request);
    RewriteResult result;
    result.body.assign(response);
    auto message = adapter.recognise(response);
    if (!message) {
      result.outcome = "fail-open";
      result.error = message.error();
      return result;
    }
    if ((*message)->kind() != MessageKind::shortlist_response) {
      result.outcome = "not-a-shortlist";
      return result;
    }
    if (response.find("FAIL-REWRITE") != std::string_view::npos) {
      result.outcome = "fail-open";
      result.error = make_error(ErrorCode::mapping, "the shortlist lacks a category", "shortlist/category");
      return result;
    }
    const auto at = result.body.find("REGULAR-DEFAULT");
    if (at == std::string::npos) {
      result.outcome = "already-default";
      return result;
    }
    result.body.replace(at, 15, "SOCIAL-DEFAULT");
    result.rewritten = true;
    result.outcome = "applied";
    return result;
  }
  Result<std::vector<ChoiceRecord>> prepare_choices(const Adapter&, std::string_view request,
                                                    std::optional<std::string_view> response,
                                                    UtcSeconds now) override {
    if (request.find("FAIL-RECORD") != std::string_view::npos) {
      return make_error(ErrorCode::mapping, "the order lacks a supplier", "order/supplier");
    }
    std::vector<ChoiceRecord> out;
    if (response && response->find("Fault>") != std::string_view::npos) return out;
    ChoiceRecord r;
    r.at = now;
    r.local_date = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)};
    r.correlation_id = between(request, "<RequisitionId>", "</RequisitionId>");
    r.chosen_supplier = between(request, "<SupplierId>", "</SupplierId>");
    r.amount = Money{12500, "EUR"};
    r.adapter = "fake";
    out.push_back(std::move(r));
    return out;
  }
  Result<void> reload_policy(const std::string& actor, UtcSeconds) override {
    last_reload_actor = actor;
    if (fail_reload) return make_error(ErrorCode::config, "category 03121200-7: social supplier \"V-9\" is not defined", "config.xml:42");
    ++reloads;
    return {};
  }
  Result<void> export_report(std::string_view from, std::string_view to, std::string_view group_by,
                             std::string_view format, std::ostream& out, UtcSeconds) override {
    if (from == "bad") return make_error(ErrorCode::invalid_argument, "from: not a date");
    out << "from,to,group-by,format\n" << from << "," << to << "," << group_by << "," << format << "\n";
    return {};
  }
  Result<VerifyReport> verify() override {
    VerifyReport report;
    report.rows_checked = 7;
    return report;
  }
  Ledger& ledger() override { return ledger_; }
  GroupCommitStats offer_stats() const override { return offers; }

  FakeLedger ledger_;
  GroupCommitStats offers;
  std::atomic<int> rewrites{0};
  std::atomic<int> reloads{0};
  bool fail_reload = false;
  std::string last_reload_actor;
  std::string last_rewrite_request;
};

// A GatewayConfig with one route, made in code.
inline std::shared_ptr<GatewayConfig> make_config(const std::string& upstream, const std::string& path = "/erp") {
  auto config = std::make_shared<GatewayConfig>();
  config->source = "gateway.xml";
  Route route;
  route.path = path;
  route.upstream = upstream;
  route.adapter = "fake";
  route.connect_timeout = std::chrono::milliseconds(500);
  route.timeout = std::chrono::milliseconds(2000);
  route.line = 1;
  config->routes.push_back(route);
  config->limits.io_threads = 2;
  config->limits.worker_threads = 8;
  config->limits.request_timeout = std::chrono::milliseconds(2000);
  config->limits.idle_timeout = std::chrono::milliseconds(5000);
  config->logging.level = LogLevel::debug;
  return config;
}

// A loopback HTTP server standing in for the ERP: one thread per connection,
// keep-alive, a handler per test. Records what it received.
class FixtureUpstream {
 public:
  using Handler = std::function<Response(const Request&)>;
  // tls: serve HTTPS with this context (it decides about client certificates).
  explicit FixtureUpstream(Handler handler, std::shared_ptr<asio::ssl::context> tls = nullptr)
      : handler_(std::move(handler)), tls_(std::move(tls)), acceptor_(io_) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~FixtureUpstream() { stop(); }
  void stop() {
    if (stopping_.exchange(true)) return;
    // Wake the blocking accept with a connection of our own.
    try {
      asio::io_context io;
      tcp::socket s(io);
      s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    } catch (...) {
    }
    thread_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      for (auto& s : sockets_) {
        boost::system::error_code ec;
        s->shutdown(tcp::socket::shutdown_both, ec);
      }
      threads.swap(connections_);
    }
    for (auto& t : threads) t.join();
  }
  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/erp/purchasing") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Request> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  int connections_accepted() const { return accepted_.load(); }
  int handshake_failures() const { return handshake_failures_.load(); }

 private:
  void accept_loop() {
    while (!stopping_) {
      auto socket = std::make_shared<tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (ec || stopping_) break;
      ++accepted_;
      std::lock_guard lock(mutex_);
      sockets_.push_back(socket);
      connections_.emplace_back([this, socket] { serve(*socket); });
    }
  }
  void serve(tcp::socket& socket) {
    if (!tls_) return serve_stream(socket);
    asio::ssl::stream<tcp::socket&> stream(socket, *tls_);
    boost::system::error_code ec;
    stream.handshake(asio::ssl::stream_base::server, ec);
    if (ec) {
      ++handshake_failures_;
      return;
    }
    serve_stream(stream);
  }
  template <class Stream>
  void serve_stream(Stream& socket) {
    beast::flat_buffer buffer;
    for (;;) {
      Request request;
      boost::system::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      {
        std::lock_guard lock(mutex_);
        received_.push_back(request);
      }
      Response response = handler_(request);
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || !request.keep_alive()) return;
    }
  }

  Handler handler_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::atomic<int> handshake_failures_{0};
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<tcp::socket>> sockets_;
  std::vector<std::thread> connections_;
  std::vector<Request> received_;
};

inline Response soap_response(std::string body, std::string content_type = "text/xml; charset=utf-8",
                              http::status status = http::status::ok) {
  Response r{status, 11};
  r.set(http::field::content_type, content_type);
  r.set("X-Erp-Trace", "erp-7");
  r.body() = std::move(body);
  return r;
}

inline Request soap_request(std::string target, std::string body, std::string content_type = "text/xml; charset=utf-8") {
  Request r{http::verb::post, target, 11};
  r.set(http::field::host, "127.0.0.1");
  r.set(http::field::content_type, content_type);
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

// A client for one request on a fresh connection (or a given one).
inline Response http_call(std::uint16_t port, Request request,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(timeout);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  Response response;
  http::read(stream, buffer, response);
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return response;
}

// Example contract messages.
inline std::string soap11(const std::string& inner) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<soap:Envelope "
         "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:p=\"urn:example:erp:purchasing:1\">"
         "<soap:Body>" + inner + "</soap:Body></soap:Envelope>";
}
inline std::string soap12(const std::string& inner) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<env:Envelope "
         "xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:p=\"urn:example:erp:purchasing:1\">"
         "<env:Body>" + inner + "</env:Body></env:Envelope>";
}
inline std::string shortlist_request(const std::string& id = "REQ-1") {
  return soap11("<p:GetSupplierShortlist><p:RequisitionId>" + id +
                "</p:RequisitionId><p:Category listID=\"CPV\">03121200-7</p:Category>"
                "<p:Requester department=\"Facilitair\">jdevries</p:Requester></p:GetSupplierShortlist>");
}
inline std::string shortlist_response() {
  return soap11("<p:GetSupplierShortlistResponse><p:Suppliers><p:Supplier><p:SupplierId>FLR-100</p:SupplierId>"
                "<p:Preselected>REGULAR-DEFAULT</p:Preselected></p:Supplier></p:Suppliers>"
                "</p:GetSupplierShortlistResponse>");
}
inline std::string order_request(const std::string& id = "REQ-1", const std::string& supplier = "BLOEM-01") {
  return soap11("<SubmitRequisition xmlns=\"urn:example:erp:purchasing:1\"><RequisitionId>" + id +
                "</RequisitionId><SupplierId>" + supplier + "</SupplierId><Amount currency=\"EUR\">125.00</Amount>"
                "</SubmitRequisition>");
}
inline std::string order_response(const std::string& id = "REQ-1") {
  return soap11("<p:SubmitRequisitionResponse><p:RequisitionId>" + id +
                "</p:RequisitionId><p:OrderNumber>PO-1</p:OrderNumber><p:Status>accepted</p:Status>"
                "</p:SubmitRequisitionResponse>");
}
inline std::string fault11(const std::string& text) {
  return soap11("<soap:Fault><faultcode>soap:Client</faultcode><faultstring>" + text +
                "</faultstring></soap:Fault>");
}

}  // namespace socialdefault::gateway::testing
