#include "server.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <csignal>

namespace socialdefault::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
// The concrete executor of an io thread's context: no type-erased
// any_io_executor copied, moved and destroyed on every completion.
using IoExecutor = asio::io_context::executor_type;
using TcpStream = beast::basic_stream<tcp, IoExecutor>;
using IoSocket = TcpStream::socket_type;

struct SignalState {
  explicit SignalState(asio::io_context& io) : set(io, SIGHUP, SIGTERM, SIGINT) {}
  asio::signal_set set;
};

class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection when it is waiting for a next request.
  virtual void close_if_idle() = 0;
  // The answer to the request the session read last; from any thread.
  virtual void respond(Response response) = 0;
};

namespace {

Result<std::shared_ptr<ssl::context>> make_tls_context(const ServerTls& tls) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(tls.certificate.string(), ec);
  if (ec) return make_error(ErrorCode::config, "cannot use the certificate: " + ec.message(), tls.certificate.string());
  ctx->use_private_key_file(tls.key.string(), ssl::context::pem, ec);
  if (ec) return make_error(ErrorCode::config, "cannot use the private key: " + ec.message(), tls.key.string());
  if (!tls.client_ca.empty()) {
    ctx->load_verify_file(tls.client_ca.string(), ec);
    if (ec) return make_error(ErrorCode::config, "cannot use the client CA: " + ec.message(), tls.client_ca.string());
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca.c_str())) {
      SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
    }
    ctx->set_verify_mode(ssl::verify_peer |
                         (tls.require_client_certificate ? ssl::verify_fail_if_no_peer_cert : ssl::verify_none));
  }
  return ctx;
}

Response plain_response(unsigned version, http::status status, std::string text) {
  Response response{status, version};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.set(http::field::server, "socialdefaultd");
  response.body() = std::move(text);
  response.prepare_payload();
  return response;
}

template <class Derived>
class Session : public SessionBase {
 public:
  Session(Server& server, Server::Role role, bool over_capacity)
      : server_(server), role_(role), over_capacity_(over_capacity) {
    if (counted()) ++server_.metrics().connections;
  }
  ~Session() override {
    if (counted()) --server_.metrics().connections;
    server_.untrack(this);
  }

 protected:
  bool counted() const noexcept { return !role_.admin && !over_capacity_; }
  Derived& derived() { return static_cast<Derived&>(*this); }
  std::shared_ptr<Derived> self() { return std::static_pointer_cast<Derived>(shared_from_this()); }
  auto& lowest() { return beast::get_lowest_layer(derived().stream()); }

  void do_read() {
    if (server_.draining()) return derived().do_close();
    const auto generation = server_.generation();
    const Limits& limits = generation->config->limits;
    request_timeout_ = limits.request_timeout;
    parser_.emplace();
    parser_->body_limit(limits.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
    max_body_ = limits.max_body_bytes;
    max_header_ = limits.max_header_bytes;
    // Waiting for the next request is bounded by the idle timeout; once
    // bytes arrive, the whole request must arrive within the request
    // timeout, so a client that trickles a byte a second is cut off.
    if (buffer_.size() > 0) return on_first_bytes({}, 0);  // a pipelined request is already here
    idle_ = true;
    lowest().expires_after(limits.idle_timeout);
    // A plain read: the parser would wait for the whole header under the
    // idle timeout, and a trickling client would get that much longer.
    derived().stream().async_read_some(buffer_.prepare(4096),
                                       beast::bind_front_handler(&Session::on_first_bytes, self()));
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    idle_ = false;
    buffer_.commit(n);
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return derived().do_close();
    if (ec) return on_read(ec, 0);
    // Most requests arrive whole in the first read: parsed here, they skip
    // the composed reads and their two completions.
    for (;;) {
      beast::error_code parse_ec;
      const std::size_t used = parser_->put(buffer_.data(), parse_ec);
      buffer_.consume(used);
      if (parse_ec == http::error::need_more) break;
      if (parse_ec) return on_read(parse_ec, 0);
      if (parser_->is_done()) return on_read({}, 0);
      if (used == 0 || buffer_.size() == 0) break;
    }
    lowest().expires_after(request_timeout_);
    if (parser_->is_header_done()) return on_header({}, 0);
    http::async_read_header(derived().stream(), buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, self()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read(ec, 0);
    if (parser_->is_done()) return on_read({}, 0);
    // Clients such as curl wait for this before sending a large body.
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(derived().stream(), asio::buffer(kContinue),
                        [s = self()](beast::error_code write_ec, std::size_t) {
                          if (write_ec) return;
                          s->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(derived().stream(), buffer_, *parser_, beast::bind_front_handler(&Session::on_read, self()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted) return derived().do_close();
    if (ec == http::error::body_limit) {
      return reply_and_close(http::status::payload_too_large,
                             "socialdefaultd: the request body exceeds " + std::to_string(max_body_) + " bytes\n");
    }
    if (ec == http::error::header_limit) {
      return reply_and_close(http::status::request_header_fields_too_large,
                             "socialdefaultd: the request header exceeds " + std::to_string(max_header_) + " bytes\n");
    }
    if (ec == beast::error::timeout) {
      // The stream closed the socket: nothing can be sent any more.
      server_.log().write(LogLevel::info, "client-timeout",
                          {{"listener", role_.admin ? "admin" : "gateway"},
                           {"timeout_ms", request_timeout_.count()}});
      return;
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category()) {
      return reply_and_close(http::status::bad_request, "socialdefaultd: malformed HTTP request\n");
    }
    if (ec) return;  // reset by the peer and the like
    auto request = std::make_shared<Request>(parser_->release());
    if (over_capacity_) {
      ++server_.metrics().connections_refused;
      return reply_and_close(http::status::service_unavailable,
                             "socialdefaultd: too many connections; try again shortly\n");
    }
    keep_alive_ = request->keep_alive();
    auto& home = lowest().get_executor().context();
    server_.dispatch(role_, std::move(request), client_verified_, home, shared_from_this());
  }

 public:
  void respond(Response response) override {
    // Inline when the answer is made on the session's own thread (a plain
    // http upstream); posted from a worker.
    asio::dispatch(lowest().get_executor(),
                   [s = self(), response = std::move(response)]() mutable { s->write(std::move(response), false); });
  }

 protected:
  void reply_and_close(http::status status, std::string text) {
    keep_alive_ = false;
    write(plain_response(11, status, std::move(text)), true);
  }

  void write(Response response, bool close) {
    close = close || !keep_alive_ || server_.draining();
    response.keep_alive(!close);
    response_ = std::move(response);
    lowest().expires_after(request_timeout_);
    if (response_.chunked()) {
      http::async_write(derived().stream(), response_, beast::bind_front_handler(&Session::on_write, self(), close));
      return;
    }
    // Content-Length framing (prepare_payload): the head as text and the
    // body in one gather write, without Beast's serializer.
    write_head(response_, head_);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(response_.body())};
    asio::async_write(derived().stream(), buffers, beast::bind_front_handler(&Session::on_write, self(), close));
  }

  // What Beast's serializer writes before the body: the status line and the
  // fields in their order.
  static void write_head(const Response& response, std::string& out) {
    out.clear();
    out.append(response.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    out.append(std::to_string(response.result_int())).append(" ").append(response.reason()).append("\r\n");
    for (const auto& field : response) {
      out.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
    }
    out.append("\r\n");
  }

  void on_write(bool close, beast::error_code ec, std::size_t) {
    // Moved-from or assigned an empty message, the body string would keep
    // its capacity (the last answer, tens of KB) for as long as the
    // connection waits idle; the next answer brings its own buffer anyway.
    response_ = {};
    std::string().swap(response_.body());
    if (ec) return;
    if (close) return derived().do_close();
    do_read();
  }

 public:
  void close_if_idle() override {
    asio::post(derived().stream().get_executor(), [s = self()] {
      if (s->idle_) s->lowest().cancel();
    });
  }

 protected:
  Server& server_;
  Server::Role role_;
  bool over_capacity_;
  bool idle_ = false;
  bool keep_alive_ = true;
  bool client_verified_ = false;
  std::chrono::milliseconds request_timeout_{10000};
  std::size_t max_body_ = 0;
  std::size_t max_header_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;  // being written
  std::string head_;   // its head, the buffer kept for the next response
};

class PlainSession final : public Session<PlainSession> {
 public:
  PlainSession(IoSocket&& socket, Server& server, Server::Role role, bool over_capacity)
      : Session(server, role, over_capacity), stream_(std::move(socket)) {}
  TcpStream& stream() { return stream_; }
  void run() { asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&PlainSession::do_read, self())); }

  // Half-close, then read what the client still sends for a moment, so an
  // early answer (413, 503) is not destroyed by a reset.
  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(1));
    linger();
  }

 private:
  friend class Session<PlainSession>;
  // Into the session's read buffer, emptied each time: no buffer of its
  // own kept by every idle connection for this last moment.
  void linger() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(4096), [s = self()](beast::error_code ec, std::size_t) {
      if (!ec) return s->linger();
      beast::error_code ignored;
      s->stream_.socket().close(ignored);
    });
  }
  TcpStream stream_;
};

class TlsSession final : public Session<TlsSession> {
 public:
  TlsSession(IoSocket&& socket, ssl::context& ctx, Server& server, Server::Role role, bool over_capacity)
      : Session(server, role, over_capacity), stream_(std::move(socket), ctx) {}
  beast::ssl_stream<TcpStream>& stream() { return stream_; }
  void run() { asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&TlsSession::on_run, self())); }

  void do_close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(1));
    stream_.async_shutdown([s = self()](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(s->stream_).socket().close(ignored);
    });
  }

 private:
  friend class Session<TlsSession>;
  void on_run() {
    beast::get_lowest_layer(stream_).expires_after(server_.generation()->config->limits.request_timeout);
    stream_.async_handshake(ssl::stream_base::server, beast::bind_front_handler(&TlsSession::on_handshake, self()));
  }
  void on_handshake(beast::error_code ec) {
    if (ec) {
      server_.log().write(LogLevel::info, "tls-handshake-failed",
                          {{"listener", role_.admin ? "admin" : "gateway"}, {"reason", ec.message()}});
      return;
    }
    SSL* ssl = stream_.native_handle();
    if (X509* cert = SSL_get1_peer_certificate(ssl)) {
      client_verified_ = SSL_get_verify_result(ssl) == X509_V_OK;
      X509_free(cert);
    }
    do_read();
  }
  beast::ssl_stream<TcpStream> stream_;
};

}  // namespace

class Acceptor : public std::enable_shared_from_this<Acceptor> {
 public:
  Acceptor(Server& server, Server::Role role, std::shared_ptr<ssl::context> tls)
      : server_(server), role_(role), tls_(std::move(tls)), acceptor_(server.io().get_executor()) {}

  Result<std::uint16_t> open(const std::string& address, std::uint16_t port) {
    const std::string where = address + ":" + std::to_string(port);
    beast::error_code ec;
    const tcp::endpoint endpoint(asio::ip::make_address(address, ec), port);
    if (ec) return make_error(ErrorCode::config, "not an IP address: " + ec.message(), where);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return make_error(ErrorCode::io, "cannot listen: " + ec.message(), where);
    return acceptor_.local_endpoint().port();
  }
  void run() { do_accept(); }
  void close() {
    asio::post(acceptor_.get_executor(), [s = shared_from_this()] {
      beast::error_code ec;
      s->acceptor_.close(ec);
    });
  }

 private:
  void do_accept() {
    // Accepted on the acceptor's own context, then handed to the context
    // whose turn it is: a pending accept then never holds a socket of another
    // context, which would outlive that context when the server is destroyed.
    acceptor_.async_accept(beast::bind_front_handler(&Acceptor::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, IoSocket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: wait a little instead of
      // spinning on the error.
      server_.log().write(LogLevel::warning, "accept-failed", {{"reason", ec.message()}});
      auto timer = std::make_shared<asio::steady_timer>(acceptor_.get_executor(), std::chrono::milliseconds(100));
      timer->async_wait([s = shared_from_this(), timer](beast::error_code) {
        if (!s->server_.draining()) s->do_accept();
      });
      return;
    } else {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      bool over = false;
      if (!role_.admin) {
        const auto max = server_.generation()->config->limits.max_connections;
        over = static_cast<std::size_t>(std::max<std::int64_t>(0, server_.metrics().connections.load())) >= max;
      }
      asio::io_context& home = server_.next_io();
      if (&home == &acceptor_.get_executor().context()) {
        start(std::move(socket), over);
      } else {
        IoSocket moved(home.get_executor());
        beast::error_code handed;
        const tcp protocol = acceptor_.local_endpoint(handed).protocol();
        if (!handed) moved.assign(protocol, socket.release(handed), handed);
        if (handed) {
          server_.log().write(LogLevel::warning, "accept-failed", {{"reason", handed.message()}});
        } else {
          start(std::move(moved), over);
        }
      }
    }
    if (!server_.draining()) do_accept();
  }

  void start(IoSocket socket, bool over) {
    if (tls_) {
      auto session = std::make_shared<TlsSession>(std::move(socket), *tls_, server_, role_, over);
      server_.track(session);
      session->run();
    } else {
      auto session = std::make_shared<PlainSession>(std::move(socket), server_, role_, over);
      server_.track(session);
      session->run();
    }
  }

  Server& server_;
  Server::Role role_;
  std::shared_ptr<ssl::context> tls_;
  asio::basic_socket_acceptor<tcp, IoExecutor> acceptor_;
};

Server::Server(std::shared_ptr<const Generation> generation, Backend& backend, Upstream& upstream,
               GroupCommitter& committer, Metrics& metrics, JsonLog& log, ServerOptions options)
    : generation_(std::move(generation)),
      backend_(backend),
      metrics_(metrics),
      log_(log),
      upstream_(upstream),
      handler_(backend, upstream, committer, metrics, log),
      admin_(backend, metrics, log,
             AdminHooks{[this](const std::string& actor) { return reload(actor); },
                        [this] { return started_.load() && !draining_.load(); }}) {
  if (options.asio_upstream) asio_upstream_ = std::make_unique<AsioUpstream>(io_, options.max_response_bytes);
}

Server::~Server() {
  if (started_.load()) {
    shutdown(std::chrono::milliseconds(0));
    wait();
  }
}

Result<void> Server::start() {
  const auto generation = this->generation();
  const GatewayConfig& config = *generation->config;
  std::shared_ptr<ssl::context> tls;
  if (config.listener.tls) {
    auto made = make_tls_context(*config.listener.tls);
    if (!made) return std::move(made).error();
    tls = std::move(made).value();
  }
  listener_ = std::make_shared<Acceptor>(*this, Role{false}, tls);
  auto port = listener_->open(config.listener.address, config.listener.port);
  if (!port) return std::move(port).error();
  port_ = *port;
  if (config.admin.enabled) {
    std::shared_ptr<ssl::context> admin_tls;
    if (config.admin.tls) {
      auto made = make_tls_context(*config.admin.tls);
      if (!made) return std::move(made).error();
      admin_tls = std::move(made).value();
    }
    admin_listener_ = std::make_shared<Acceptor>(*this, Role{true}, admin_tls);
    auto admin_port = admin_listener_->open(config.admin.address, config.admin.port);
    if (!admin_port) return std::move(admin_port).error();
    admin_port_ = *admin_port;
  }
  workers_.emplace(config.limits.worker_threads);
  for (std::size_t i = 1; i < config.limits.io_threads; ++i) {
    more_io_.push_back(std::make_unique<asio::io_context>(1));
  }
  // A context that has no connection yet must not run out of work.
  io_guards_.push_back(asio::make_work_guard(io_));
  for (auto& io : more_io_) io_guards_.push_back(asio::make_work_guard(*io));
  listener_->run();
  if (admin_listener_) admin_listener_->run();
  started_ = true;
  io_threads_.emplace_back([this] { io_.run(); });
  for (auto& io : more_io_) {
    io_threads_.emplace_back([io = io.get()] { io->run(); });
  }
  log_.write(LogLevel::info, "listening",
             {{"address", config.listener.address},
              {"port", port_},
              {"tls", config.listener.tls.has_value()},
              {"admin_port", admin_port_},
              {"routes", config.routes.size()}});
  log_.flush();
  flush_logs_periodically();
  return {};
}

// Request lines are buffered; they reach stdout within a second, without a
// write per request.
void Server::flush_logs_periodically() {
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(1));
  timer->async_wait([this, timer](beast::error_code ec) {
    log_.flush();
    if (!ec && !draining_.load()) flush_logs_periodically();
  });
}

void Server::handle_signals() {
  signals_ = std::make_unique<SignalState>(io_);
  struct Waiter {
    Server* server;
    void operator()(beast::error_code ec, int signal) const {
      if (ec) return;
      if (signal == SIGHUP) {
        asio::post(*server->workers_, [s = server] {
          auto reloaded = s->reload("SIGHUP");
          (void)reloaded;  // reload() logs either way
        });
        server->signals_->set.async_wait(*this);
        return;
      }
      server->log_.write(LogLevel::info, "stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
      server->log_.flush();
      const auto generation = server->generation();
      std::chrono::milliseconds grace = generation->config->limits.request_timeout;
      std::chrono::milliseconds longest{0};
      for (const Route& r : generation->config->routes) longest = std::max(longest, r.timeout);
      server->shutdown(grace + longest + std::chrono::seconds(2));
    }
  };
  signals_->set.async_wait(Waiter{this});
}

asio::io_context& Server::next_io() noexcept {
  const std::size_t i = next_io_.fetch_add(1, std::memory_order_relaxed) % (more_io_.size() + 1);
  return i == 0 ? io_ : *more_io_[i - 1];
}

void Server::dispatch(Role role, std::shared_ptr<Request> request, bool client_verified, asio::io_context& home,
                      std::shared_ptr<SessionBase> session) {
  if (!role.admin && asio_upstream_) return dispatch_gateway(std::move(request), home, std::move(session));
  asio::post(*workers_, [this, role, request = std::move(request), client_verified, session = std::move(session)] {
    const auto generation = this->generation();
    Response response;
    try {
      response = role.admin ? admin_.handle(*generation->config, *request, client_verified)
                            : handler_.handle(*generation, *request);
    } catch (const std::exception& e) {
      log_.write(LogLevel::error, "internal-error", {{"reason", e.what()}});
      response = plain_response(request->version(), http::status::internal_server_error,
                                "socialdefaultd: internal error\n");
    }
    session->respond(std::move(response));
  });
}

// Everything a gateway request needs from prepare() to its answer, in one
// allocation that is also the completion of the call to the ERP. Members in
// this order: the exchange points into the generation and the request.
struct Server::InFlight final : UpstreamCompletion, std::enable_shared_from_this<InFlight> {
  InFlight(Server& server, std::shared_ptr<const Generation> generation, std::shared_ptr<Request> request,
           std::shared_ptr<SessionBase> session)
      : server(server),
        generation(std::move(generation)),
        request(std::move(request)),
        session(std::move(session)),
        exchange(server.handler_.prepare(*this->generation, *this->request)) {}

  void on_answer(UpstreamResult answer) override {
    if (!exchange.completes_with_ledger()) return server.complete_gateway(*this, std::move(answer));
    // The record waits for the disk (group commit): not on an io thread.
    asio::post(*server.workers_, [self = shared_from_this(), answer = std::move(answer)]() mutable {
      self->server.complete_gateway(*self, std::move(answer));
    });
  }

  Server& server;
  std::shared_ptr<const Generation> generation;
  std::shared_ptr<Request> request;
  std::shared_ptr<SessionBase> session;
  Exchange exchange;
};

namespace {

Response internal_error(JsonLog& log, const Request& request, const std::exception& e) {
  log.write(LogLevel::error, "internal-error", {{"reason", e.what()}});
  return plain_response(request.version(), http::status::internal_server_error, "socialdefaultd: internal error\n");
}

}  // namespace

void Server::dispatch_gateway(std::shared_ptr<Request> request, asio::io_context& home,
                              std::shared_ptr<SessionBase> session) {
  std::shared_ptr<InFlight> flight;
  try {
    flight = std::make_shared<InFlight>(*this, generation(), request, session);
  } catch (const std::exception& e) {
    return session->respond(internal_error(log_, *request, e));
  }
  Exchange& exchange = flight->exchange;
  if (exchange.response) return session->respond(std::move(*exchange.response));
  const Route& route = exchange.runtime->route;
  if (!AsioUpstream::serves(route)) {
    // libcurl blocks: the call, and what follows it, on a worker.
    asio::post(*workers_, [this, flight = std::move(flight)] {
      UpstreamResult answer;
      try {
        answer = upstream_.call(flight->exchange.runtime->route, flight->exchange.upstream);
      } catch (const std::exception& e) {
        return flight->session->respond(internal_error(log_, *flight->request, e));
      }
      complete_gateway(*flight, std::move(answer));
    });
    return;
  }
  // Moved, not copied (complete() does not read it); its body points into
  // the request, which the flight keeps alive.
  UpstreamRequest upstream_request = std::move(exchange.upstream);
  asio_upstream_->call(home, route, std::move(upstream_request), std::move(flight));
}

void Server::complete_gateway(InFlight& flight, UpstreamResult answer) {
  Response response;
  try {
    response = handler_.complete(flight.exchange, *flight.request, std::move(answer));
  } catch (const std::exception& e) {
    response = internal_error(log_, *flight.request, e);
  }
  flight.session->respond(std::move(response));
}

void Server::track(const std::shared_ptr<SessionBase>& session) {
  std::lock_guard lock(sessions_mutex_);
  sessions_[session.get()] = session;
}

void Server::untrack(SessionBase* session) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(session);
}

void Server::shutdown(std::chrono::milliseconds grace) {
  if (draining_.exchange(true)) return;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  asio::post(io_, [this, deadline] {
    if (listener_) listener_->close();
    if (admin_listener_) admin_listener_->close();
    if (signals_) {
      beast::error_code ec;
      signals_->set.cancel(ec);
    }
    std::vector<std::shared_ptr<SessionBase>> live;
    {
      std::lock_guard lock(sessions_mutex_);
      for (auto& [_, weak] : sessions_) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->close_if_idle();
    finish_shutdown(deadline);
  });
}

void Server::finish_shutdown(std::chrono::steady_clock::time_point deadline) {
  bool empty;
  {
    std::lock_guard lock(sessions_mutex_);
    empty = sessions_.empty();
  }
  if (empty || std::chrono::steady_clock::now() >= deadline) {
    log_.write(LogLevel::info, "stopped", {{"unfinished_connections", empty ? 0 : 1}});
    log_.flush();
    io_.stop();
    for (auto& io : more_io_) io->stop();
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(20));
  timer->async_wait([this, timer, deadline](beast::error_code) { finish_shutdown(deadline); });
}

void Server::wait() {
  std::lock_guard lock(stop_mutex_);
  if (joined_) return;
  for (std::thread& t : io_threads_) {
    if (t.joinable()) t.join();
  }
  if (workers_) workers_->join();
  joined_ = true;
  log_.flush();
}

Result<void> Server::reload(const std::string& actor) {
  std::lock_guard lock(reload_mutex_);
  const auto current = generation();
  const auto refuse = [&](Error error) -> Result<void> {
    ++metrics_.reloads_failed;
    log_.write(LogLevel::error, "reload-refused", {{"actor", actor}, {"reason", error.describe()}});
    return error;
  };
  auto config = load_gateway_config(current->config->source);
  if (!config) return refuse(std::move(config).error());
  auto generation = build_generation(*config, backend_);
  if (!generation) return refuse(std::move(generation).error());
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (auto policy = backend_.reload_policy(actor, now); !policy) return refuse(std::move(policy).error());

  // What the running process cannot change without a restart.
  const GatewayConfig& before = *current->config;
  const GatewayConfig& after = **config;
  std::string restart;
  const auto note = [&](bool changed, const char* what) {
    if (changed) restart += (restart.empty() ? "" : ", ") + std::string(what);
  };
  note(before.listener.address != after.listener.address || before.listener.port != after.listener.port ||
           before.listener.tls.has_value() != after.listener.tls.has_value(),
       "listener");
  note(before.admin.address != after.admin.address || before.admin.port != after.admin.port ||
           before.admin.enabled != after.admin.enabled,
       "admin listener");
  note(before.policy != after.policy || before.ledger != after.ledger || before.spool != after.spool, "engine files");
  note(before.limits.io_threads != after.limits.io_threads ||
           before.limits.worker_threads != after.limits.worker_threads,
       "thread counts");
  if (!restart.empty()) {
    log_.write(LogLevel::warning, "reload-needs-restart",
               {{"changed", restart}, {"note", "these keep their running values until a restart"}});
  }
  log_.set_level(after.logging.level);
  std::atomic_store(&generation_, std::move(generation).value());
  ++metrics_.reloads;
  log_.write(LogLevel::info, "reloaded", {{"actor", actor}, {"routes", after.routes.size()}});
  log_.flush();
  return {};
}

}  // namespace socialdefault::gateway
