#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <array>
#include <optional>

#include "json_log.hpp"
#include "upstream.hpp"

namespace socialdefault::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// An ERP's answer header larger than this is refused (curl allows about as much).
constexpr std::uint32_t kMaxResponseHeaderBytes = 100u << 10;
// Idle connections kept per host:port; more are closed after their call.
constexpr std::size_t kMaxIdlePerHost = 256;
// What one read from the ERP may take: Beast reads at most the buffer's free
// capacity, and the parser empties the buffer as it goes, so an unreserved
// buffer reads an answer of tens of KB in pieces of about 512 bytes, one
// system call and one completion each.
constexpr std::size_t kReadBufferBytes = 64u << 10;

struct Target {
  std::string host;
  std::string port;
  std::string path;  // with the query
};

// "http://host[:port][/path][?query]"; false for anything else.
bool parse_http_url(std::string_view url, Target& out) {
  constexpr std::string_view scheme = "http://";
  if (url.size() < scheme.size() || !beast::iequals(url.substr(0, scheme.size()), scheme)) return false;
  url.remove_prefix(scheme.size());
  const std::size_t end = url.find_first_of("/?#");
  const std::string_view authority = url.substr(0, end);
  if (authority.empty() || authority.find_first_of("@[]") != std::string_view::npos) return false;
  const std::size_t colon = authority.find(':');
  out.host.assign(authority.substr(0, colon));
  out.port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  if (out.host.empty() || out.port.empty() || out.port.size() > 5 ||
      out.port.find_first_not_of("0123456789") != std::string::npos || std::stoul(out.port) > 65535) {
    return false;
  }
  std::string_view rest = end == std::string_view::npos ? std::string_view{} : url.substr(end);
  if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  out.path = rest.empty() || rest.front() != '/' ? "/" + std::string(rest) : std::string(rest);
  return true;
}

// The ERP's answer as a std::string, appended to as it arrives, after one
// reservation of its Content-Length. Beast's string_body resizes (zero-fills)
// the string before copying into it: for an answer of tens of KB that is as
// much work again as the copy.
struct AppendedStringBody {
  using value_type = std::string;
  static std::uint64_t size(const value_type& body) noexcept { return body.size(); }

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>&, value_type& body) : body_(body) {}
    void init(const boost::optional<std::uint64_t>& length, beast::error_code& ec) {
      ec = {};
      if (!length) return;
      if (*length > body_.max_size()) {
        ec = http::error::buffer_overflow;
        return;
      }
      body_.reserve(static_cast<std::size_t>(*length));
    }
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      ec = {};
      std::size_t n = 0;
      for (const asio::const_buffer b : beast::buffers_range_ref(buffers)) {
        body_.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      return n;
    }
    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace

struct AsioUpstream::Connection {
  explicit Connection(asio::io_context& io) : stream(io.get_executor()) { buffer.reserve(kReadBufferBytes); }
  // The context's own executor: one thread runs the context (no strand).
  beast::basic_stream<tcp, asio::io_context::executor_type> stream;
  beast::flat_buffer buffer;
};

struct AsioUpstream::Call : std::enable_shared_from_this<Call> {
  Call(AsioUpstream& owner, asio::io_context& io, const Route& route, UpstreamRequest request,
       std::shared_ptr<UpstreamCompletion> done)
      : owner(owner),
        io(io),
        timeout(route.timeout),
        connect_timeout(route.connect_timeout),
        request(std::move(request)),
        done(std::move(done)) {}

  void start() {
    started = std::chrono::steady_clock::now();
    deadline = started + timeout;
    if (!parse_http_url(request.url, target)) {
      return fail(UpstreamFailure::other, "the call to the ERP at " + redact_url(request.url) +
                                              " failed: not a plain http URL");
    }
    key = target.host + ":" + target.port;
    build();
    connection = owner.take(io, key);
    if (connection) {
      reused = true;
      return send();
    }
    connect();
  }

  // The request head as text, written with the body in one gather write:
  // no field container, no serializer. The method, names and values come
  // from Beast's parser of the client's request (no CR or LF in them); the
  // framing is what Beast's prepare_payload gives an HTTP/1.1 request.
  void build() {
    const http::verb verb = http::string_to_verb(request.method);
    head_request = verb == http::verb::head;
    std::size_t size = request.method.size() + target.path.size() + key.size() + 64;
    for (const auto& [name, value] : request.headers) size += name.size() + value.size() + 4;
    head.reserve(size);
    head.append(request.method).append(" ").append(target.path).append(" HTTP/1.1\r\n");
    for (const auto& [name, value] : request.headers) {
      if (beast::iequals(name, "accept-encoding")) continue;  // the engine reads identity bodies only
      head.append(name).append(": ").append(value).append("\r\n");
    }
    head.append("Host: ").append(target.port == "80" ? target.host : key).append("\r\n");
    if (verb != http::verb::get && verb != http::verb::head) {
      // A view of the client's body, which outlives the call: not a copy.
      body = request.body;
      if (!body.empty() || verb == http::verb::post || verb == http::verb::put || verb == http::verb::options) {
        head.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
      }
    }
    head.append("\r\n");
  }

  void connect() {
    reused = false;
    connection = std::make_unique<Connection>(io);
    ++owner.opened_;
    connection->stream.expires_after(std::min<std::chrono::steady_clock::duration>(connect_timeout, left()));
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(target.host, ec);
    if (!ec) {
      const tcp::endpoint endpoint(address, static_cast<unsigned short>(std::stoul(target.port)));
      connection->stream.async_connect(endpoint, [self = shared_from_this()](beast::error_code e) {
        self->on_connect(e);
      });
      return;
    }
    resolver.emplace(io.get_executor());
    resolver->async_resolve(target.host, target.port,
                           [self = shared_from_this()](beast::error_code e, tcp::resolver::results_type results) {
                             if (e) return self->on_connect(e);
                             self->connection->stream.async_connect(
                                 results, [self](beast::error_code e2, const tcp::endpoint&) { self->on_connect(e2); });
                           });
  }

  void on_connect(beast::error_code ec) {
    if (ec == beast::error::timeout) return timed_out();
    if (ec) {
      return fail(UpstreamFailure::connect,
                  "the ERP at " + redact_url(request.url) + " cannot be reached: " + ec.message());
    }
    beast::error_code ignored;
    connection->stream.socket().set_option(tcp::no_delay(true), ignored);
    send();
  }

  void send() {
    connection->stream.expires_after(left());
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body.data(), body.size())};
    asio::async_write(connection->stream, buffers, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(beast::error_code ec) {
    if (ec && reused) return connect();  // the ERP closed the idle connection: once more on a new one
    if (ec == beast::error::timeout) return timed_out();
    if (ec) return failed(ec);
    parser.emplace();
    parser->body_limit(owner.max_response_bytes_);
    parser->header_limit(kMaxResponseHeaderBytes);
    if (head_request) parser->skip(true);
    http::async_read(connection->stream, connection->buffer, *parser,
                     [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_read(e); });
  }

  void on_read(beast::error_code ec) {
    if (ec && reused && !parser->got_some() &&
        (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe)) {
      connection->buffer.clear();
      return connect();  // as above: the idle connection was gone
    }
    if (ec == http::error::body_limit) {
      return fail(UpstreamFailure::too_large,
                  "the ERP's answer exceeds " + std::to_string(owner.max_response_bytes_) + " bytes");
    }
    if (ec == beast::error::timeout) return timed_out();
    if (ec) return failed(ec);
    auto& message = parser->get();
    result.status = message.result_int();
    result.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
    for (const auto& field : message) result.headers.emplace_back(field.name_string(), field.value());
    const bool keep = message.keep_alive() && connection->buffer.size() == 0;
    result.body = std::move(message.body());
    if (keep) {
      connection->stream.expires_never();
      owner.give(io, key, std::move(connection));
    }
    finish();
  }

  std::chrono::steady_clock::duration left() const {
    return std::max<std::chrono::steady_clock::duration>(deadline - std::chrono::steady_clock::now(),
                                                         std::chrono::milliseconds(1));
  }
  void timed_out() {
    fail(UpstreamFailure::timeout, "the ERP at " + redact_url(request.url) + " did not answer within " +
                                       std::to_string(timeout.count()) + " ms");
  }
  void failed(beast::error_code ec) {
    fail(UpstreamFailure::other, "the call to the ERP at " + redact_url(request.url) + " failed: " + ec.message());
  }
  void fail(UpstreamFailure failure, std::string message) {
    connection.reset();
    result = UpstreamResult{};
    result.failure = failure;
    result.message = std::move(message);
    finish();
  }
  void finish() {
    result.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    const std::shared_ptr<UpstreamCompletion> callback = std::move(done);
    callback->on_answer(std::move(result));
  }

  AsioUpstream& owner;
  asio::io_context& io;
  std::chrono::milliseconds timeout;
  std::chrono::milliseconds connect_timeout;
  UpstreamRequest request;
  std::shared_ptr<UpstreamCompletion> done;
  std::optional<asio::ip::basic_resolver<tcp, asio::io_context::executor_type>> resolver;  // for host names only
  Target target;
  std::string key;
  std::string head;       // the request line and header fields
  std::string_view body;  // what follows them
  bool head_request = false;
  std::unique_ptr<Connection> connection;
  bool reused = false;
  std::optional<http::response_parser<AppendedStringBody>> parser;
  UpstreamResult result;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point deadline;
};

AsioUpstream::AsioUpstream(asio::io_context& io, std::size_t max_response_bytes)
    : io_(io), max_response_bytes_(max_response_bytes) {}

AsioUpstream::~AsioUpstream() = default;

bool AsioUpstream::serves(const Route& route) noexcept {
  if (!route.proxy.empty() || !route.tls.client_certificate.empty()) return false;
  Target target;
  try {
    return parse_http_url(route.upstream, target);
  } catch (...) {
    return false;
  }
}

namespace {

struct FunctionCompletion final : UpstreamCompletion {
  explicit FunctionCompletion(AsioUpstream::Done f) : done(std::move(f)) {}
  void on_answer(UpstreamResult answer) override { done(std::move(answer)); }
  AsioUpstream::Done done;
};

}  // namespace

void AsioUpstream::call(asio::io_context& io, const Route& route, UpstreamRequest request, Done done) {
  call(io, route, std::move(request), std::make_shared<FunctionCompletion>(std::move(done)));
}

void AsioUpstream::call(asio::io_context& io, const Route& route, UpstreamRequest request,
                        std::shared_ptr<UpstreamCompletion> done) {
  std::make_shared<Call>(*this, io, route, std::move(request), std::move(done))->start();
}

std::size_t AsioUpstream::idle_connections() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [_, pool] : idle_) {
    for (const auto& entry : pool) n += entry.second.size();
  }
  return n;
}

std::unique_ptr<AsioUpstream::Connection> AsioUpstream::take(const asio::io_context& io, const std::string& key) {
  std::lock_guard lock(mutex_);
  auto pool = idle_.find(&io);
  if (pool == idle_.end()) return nullptr;
  auto it = pool->second.find(key);
  if (it == pool->second.end() || it->second.empty()) return nullptr;
  std::unique_ptr<Connection> connection = std::move(it->second.back());
  it->second.pop_back();
  return connection;
}

void AsioUpstream::give(const asio::io_context& io, const std::string& key, std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  auto& list = idle_[&io][key];
  if (list.size() < kMaxIdlePerHost) list.push_back(std::move(connection));
}

}  // namespace socialdefault::gateway
