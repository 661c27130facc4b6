#include "gateway_config.hpp"

#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <pugixml.hpp>
#include <set>
#include <sstream>

namespace socialdefault::gateway {

const char* to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "info";
}

const Route* GatewayConfig::find_route(std::string_view path) const noexcept {
  for (const Route& r : routes) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

namespace {

std::string_view local_name(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// The namespace URI of an element, resolving its prefix through the
// xmlns declarations in scope.
std::string_view namespace_of(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const auto colon = name.find(':');
  std::string attr = colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(name.substr(0, colon));
  for (pugi::xml_node n = node; n; n = n.parent()) {
    if (pugi::xml_attribute a = n.attribute(attr.c_str())) return a.value();
  }
  return {};
}

class Loader {
 public:
  Loader(std::filesystem::path file, std::string text) : file_(std::move(file)), text_(std::move(text)) {
    base_ = file_.parent_path();
    name_ = file_.filename().string();
  }

  Result<std::shared_ptr<const GatewayConfig>> load();

 private:
  int line_of(const pugi::xml_node& node) const {
    const auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, node.offset_debug()));
    return 1 + static_cast<int>(std::count(text_.begin(), text_.begin() + std::min(offset, text_.size()), '\n'));
  }
  Error fail(const pugi::xml_node& node, const std::string& message) const {
    return make_error(ErrorCode::config, message, name_ + ":" + std::to_string(line_of(node)));
  }
  std::filesystem::path resolve(std::string_view value) const {
    std::filesystem::path p{std::string(value)};
    return p.is_absolute() ? p : base_ / p;
  }

  // Each element may carry only the attributes it knows: a typo is an error,
  // not a silently ignored setting.
  std::optional<Error> check_attributes(const pugi::xml_node& node, const std::string& subject,
                                        std::initializer_list<const char*> known) const {
    for (pugi::xml_attribute a : node.attributes()) {
      std::string_view n = a.name();
      if (n == "xmlns" || n.starts_with("xmlns:")) continue;
      bool ok = false;
      for (const char* k : known) ok = ok || n == k;
      if (!ok) return fail(node, subject + ": unknown attribute \"" + std::string(n) + "\"");
    }
    return std::nullopt;
  }
  Result<std::string> required(const pugi::xml_node& node, const std::string& subject, const char* attr) const {
    pugi::xml_attribute a = node.attribute(attr);
    if (!a || std::string_view(a.value()).empty()) {
      return fail(node, subject + ": attribute \"" + attr + "\" is required");
    }
    return std::string(a.value());
  }
  Result<std::uint64_t> number(const pugi::xml_node& node, const std::string& subject, const char* attr,
                               std::uint64_t fallback, std::uint64_t min) const {
    pugi::xml_attribute a = node.attribute(attr);
    if (!a) return fallback;
    std::string_view v = a.value();
    std::uint64_t out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || out < min) {
      return fail(node, subject + ": " + attr + " \"" + std::string(v) + "\" is not a whole number of at least " +
                            std::to_string(min));
    }
    return out;
  }
  Result<bool> boolean(const pugi::xml_node& node, const std::string& subject, const char* attr,
                       bool fallback) const {
    pugi::xml_attribute a = node.attribute(attr);
    if (!a) return fallback;
    std::string_view v = a.value();
    if (v == "true" || v == "1") return true;
    if (v == "false" || v == "0") return false;
    return fail(node, subject + ": " + attr + " \"" + std::string(v) + "\" is not true or false");
  }
  Result<std::filesystem::path> existing_file(const pugi::xml_node& node, const std::string& subject,
                                              const char* attr, bool must) const {
    pugi::xml_attribute a = node.attribute(attr);
    if (!a || std::string_view(a.value()).empty()) {
      if (must) return fail(node, subject + ": attribute \"" + attr + "\" is required");
      return std::filesystem::path{};
    }
    std::filesystem::path p = resolve(a.value());
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) {
      return fail(node, subject + ": " + attr + " file \"" + a.value() + "\" does not exist");
    }
    return p;
  }
  Result<std::string> address(const pugi::xml_node& node, const std::string& subject) const {
    pugi::xml_attribute a = node.attribute("address");
    if (!a) return std::string("127.0.0.1");
    boost::system::error_code ec;
    boost::asio::ip::make_address(a.value(), ec);
    if (ec) return fail(node, subject + ": address \"" + a.value() + "\" is not an IP address");
    return std::string(a.value());
  }
  Result<std::uint16_t> port(const pugi::xml_node& node, const std::string& subject) const {
    auto text = required(node, subject, "port");
    if (!text) return std::move(text).error();
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || value > 65535) {
      return fail(node, subject + ": port \"" + *text + "\" is not a port number (0-65535; 0 picks a free one)");
    }
    return static_cast<std::uint16_t>(value);
  }
  std::optional<Error> children_known(const pugi::xml_node& node, const std::string& subject,
                                      std::initializer_list<const char*> known) const {
    for (pugi::xml_node c : node.children()) {
      if (c.type() != pugi::node_element) continue;
      bool ok = namespace_of(c) == kGatewayNamespace;
      if (ok) {
        ok = false;
        for (const char* k : known) ok = ok || local_name(c) == k;
      }
      if (!ok) return fail(c, subject + ": unknown element <" + std::string(c.name()) + ">");
    }
    return std::nullopt;
  }
  std::vector<pugi::xml_node> elements(const pugi::xml_node& node, std::string_view name) const {
    std::vector<pugi::xml_node> out;
    for (pugi::xml_node c : node.children()) {
      if (c.type() == pugi::node_element && local_name(c) == name) out.push_back(c);
    }
    return out;
  }
  Result<std::optional<ServerTls>> server_tls(const pugi::xml_node& parent, const std::string& owner) const;

  std::filesystem::path file_;
  std::string text_;
  std::filesystem::path base_;
  std::string name_;
};

#define SD_TRY(var, expr)                     \
  auto var##_r = (expr);                      \
  if (!var##_r) return std::move(var##_r).error(); \
  auto var = std::move(var##_r).value()
#define SD_CHECK(expr) \
  if (auto sd_check_error = (expr)) return std::move(*sd_check_error)

Result<std::optional<ServerTls>> Loader::server_tls(const pugi::xml_node& parent, const std::string& owner) const {
  auto found = elements(parent, "tls");
  if (found.empty()) return std::optional<ServerTls>{};
  const pugi::xml_node node = found.front();
  const std::string subject = owner + "/tls";
  SD_CHECK(check_attributes(node, subject, {"certificate", "key", "client-ca", "require-client-certificate"}));
  ServerTls tls;
  SD_TRY(cert, existing_file(node, subject, "certificate", true));
  SD_TRY(key, existing_file(node, subject, "key", true));
  SD_TRY(ca, existing_file(node, subject, "client-ca", false));
  SD_TRY(require, boolean(node, subject, "require-client-certificate", false));
  if (require && ca.empty()) return fail(node, subject + ": require-client-certificate needs client-ca");
  tls.certificate = cert;
  tls.key = key;
  tls.client_ca = ca;
  tls.require_client_certificate = require;
  return std::optional<ServerTls>{tls};
}

Result<std::shared_ptr<const GatewayConfig>> Loader::load() {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(text_.data(), text_.size(), pugi::parse_default);
  if (!parsed) {
    const std::size_t offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, parsed.offset));
    const int line = 1 + static_cast<int>(std::count(text_.begin(), text_.begin() + std::min(offset, text_.size()), '\n'));
    return make_error(ErrorCode::config, std::string("not well-formed XML: ") + parsed.description(),
                      name_ + ":" + std::to_string(line));
  }
  const pugi::xml_node root = doc.document_element();
  if (local_name(root) != "gateway" || namespace_of(root) != kGatewayNamespace) {
    return fail(root, "the root element must be <gateway xmlns=\"" + std::string(kGatewayNamespace) +
                          "\">, found <" + root.name() + ">");
  }
  auto config = std::make_shared<GatewayConfig>();
  config->source = file_;
  SD_CHECK(check_attributes(root, "gateway", {}));
  SD_CHECK(children_known(root, "gateway", {"engine", "listener", "limits", "route", "admin", "logging"}));
  for (const char* single : {"engine", "listener", "limits", "admin", "logging"}) {
    auto found = elements(root, single);
    if (found.size() > 1) return fail(found[1], std::string("gateway: <") + single + "> may appear only once");
  }

  // engine: the policy, the ledger, the spool
  auto engines = elements(root, "engine");
  if (engines.empty()) return fail(root, "gateway: <engine policy=... ledger=... spool=...> is required");
  {
    const pugi::xml_node e = engines.front();
    SD_CHECK(check_attributes(e, "engine", {"policy", "ledger", "spool"}));
    SD_CHECK(children_known(e, "engine", {}));
    SD_TRY(policy, existing_file(e, "engine", "policy", true));
    SD_TRY(ledger, required(e, "engine", "ledger"));
    SD_TRY(spool, required(e, "engine", "spool"));
    config->policy = policy;
    config->ledger = resolve(ledger);
    config->spool = resolve(spool);
    std::error_code ec;
    if (std::filesystem::exists(config->spool, ec) && !std::filesystem::is_directory(config->spool, ec)) {
      return fail(e, "engine: spool \"" + spool + "\" exists and is not a folder");
    }
    if (std::filesystem::is_directory(config->ledger, ec)) {
      return fail(e, "engine: ledger \"" + ledger + "\" is a folder, expected a file");
    }
  }

  // listener
  auto listeners = elements(root, "listener");
  if (listeners.empty()) return fail(root, "gateway: <listener port=...> is required");
  {
    const pugi::xml_node l = listeners.front();
    SD_CHECK(check_attributes(l, "listener", {"address", "port"}));
    SD_CHECK(children_known(l, "listener", {"tls"}));
    SD_TRY(addr, address(l, "listener"));
    SD_TRY(p, port(l, "listener"));
    SD_TRY(tls, server_tls(l, "listener"));
    config->listener.address = addr;
    config->listener.port = p;
    config->listener.tls = tls;
  }

  // limits
  if (auto found = elements(root, "limits"); !found.empty()) {
    const pugi::xml_node l = found.front();
    SD_CHECK(check_attributes(l, "limits", {"max-body-bytes", "max-header-bytes", "max-xml-depth",
                                            "request-timeout-ms", "idle-timeout-ms", "max-connections",
                                            "io-threads", "worker-threads"}));
    SD_CHECK(children_known(l, "limits", {}));
    Limits& m = config->limits;
    SD_TRY(body, number(l, "limits", "max-body-bytes", m.max_body_bytes, 1));
    SD_TRY(header, number(l, "limits", "max-header-bytes", m.max_header_bytes, 256));
    SD_TRY(depth, number(l, "limits", "max-xml-depth", m.max_xml_depth, 4));
    SD_TRY(request, number(l, "limits", "request-timeout-ms", m.request_timeout.count(), 1));
    SD_TRY(idle, number(l, "limits", "idle-timeout-ms", m.idle_timeout.count(), 1));
    SD_TRY(conns, number(l, "limits", "max-connections", m.max_connections, 1));
    SD_TRY(io, number(l, "limits", "io-threads", m.io_threads, 1));
    SD_TRY(workers, number(l, "limits", "worker-threads", m.worker_threads, 1));
    m.max_body_bytes = body;
    m.max_header_bytes = header;
    m.max_xml_depth = depth;
    m.request_timeout = std::chrono::milliseconds(request);
    m.idle_timeout = std::chrono::milliseconds(idle);
    m.max_connections = conns;
    m.io_threads = io;
    m.worker_threads = workers;
  }

  // routes
  auto routes = elements(root, "route");
  if (routes.empty()) return fail(root, "gateway: at least one <route path=... upstream=...> is required");
  for (const pugi::xml_node r : routes) {
    SD_TRY(path, required(r, "route", "path"));
    const std::string subject = "route \"" + path + "\"";
    SD_CHECK(check_attributes(r, subject, {"path", "upstream", "adapter", "mapping", "connect-timeout-ms",
                                           "timeout-ms", "proxy"}));
    SD_CHECK(children_known(r, subject, {"tls"}));
    if (path.front() != '/') return fail(r, subject + ": path must start with /");
    for (const Route& other : config->routes) {
      if (other.path == path) {
        return fail(r, subject + ": defined twice (first at line " + std::to_string(other.line) + ")");
      }
    }
    Route route;
    route.path = path;
    route.line = line_of(r);
    SD_TRY(upstream, required(r, subject, "upstream"));
    if ((!upstream.starts_with("http://") && !upstream.starts_with("https://")) ||
        upstream.find_first_of(" \t\r\n") != std::string::npos) {
      return fail(r, subject + ": upstream \"" + upstream + "\" is not an http:// or https:// URL");
    }
    route.upstream = upstream;
    if (pugi::xml_attribute a = r.attribute("adapter")) route.adapter = a.value();
    if (route.adapter.empty()) return fail(r, subject + ": adapter must not be empty");
    SD_TRY(mapping, existing_file(r, subject, "mapping", true));
    route.mapping = mapping;
    SD_TRY(connect, number(r, subject, "connect-timeout-ms", route.connect_timeout.count(), 1));
    SD_TRY(total, number(r, subject, "timeout-ms", route.timeout.count(), 1));
    if (connect > total) {
      return fail(r, subject + ": connect-timeout-ms " + std::to_string(connect) + " exceeds timeout-ms " +
                         std::to_string(total));
    }
    route.connect_timeout = std::chrono::milliseconds(connect);
    route.timeout = std::chrono::milliseconds(total);
    if (pugi::xml_attribute a = r.attribute("proxy")) {
      std::string_view v = a.value();
      if (!v.starts_with("http://") && !v.starts_with("https://")) {
        return fail(r, subject + ": proxy \"" + std::string(v) + "\" is not an http:// or https:// URL");
      }
      route.proxy = v;
    }
    if (auto tls = elements(r, "tls"); !tls.empty()) {
      const pugi::xml_node t = tls.front();
      const std::string tsub = subject + "/tls";
      SD_CHECK(check_attributes(t, tsub, {"verify", "ca-file", "client-certificate", "client-key"}));
      SD_TRY(verify, boolean(t, tsub, "verify", true));
      SD_TRY(ca, existing_file(t, tsub, "ca-file", false));
      SD_TRY(cert, existing_file(t, tsub, "client-certificate", false));
      SD_TRY(key, existing_file(t, tsub, "client-key", false));
      if (cert.empty() != key.empty()) return fail(t, tsub + ": client-certificate and client-key go together");
      route.tls = UpstreamTls{verify, ca, cert, key};
    }
    config->routes.push_back(std::move(route));
  }

  // admin
  if (auto found = elements(root, "admin"); !found.empty()) {
    const pugi::xml_node a = found.front();
    SD_CHECK(check_attributes(a, "admin", {"address", "port"}));
    SD_CHECK(children_known(a, "admin", {"token", "tls"}));
    Admin& admin = config->admin;
    admin.enabled = true;
    SD_TRY(addr, address(a, "admin"));
    SD_TRY(p, port(a, "admin"));
    admin.address = addr;
    admin.port = p;
    if (p != 0 && p == config->listener.port) {
      return fail(a, "admin: port " + std::to_string(p) + " is already the listener's port");
    }
    std::set<std::string> names;
    for (const pugi::xml_node t : elements(a, "token")) {
      SD_CHECK(check_attributes(t, "admin token", {"name", "sha256"}));
      SD_TRY(name, required(t, "admin token", "name"));
      const std::string sub = "admin token \"" + name + "\"";
      SD_TRY(hash, required(t, sub, "sha256"));
      if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
        return fail(t, sub + ": sha256 must be 64 hexadecimal digits (the SHA-256 of the token, never the token)");
      }
      if (!names.insert(name).second) return fail(t, sub + ": defined twice");
      for (char& c : hash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      admin.tokens.push_back(AdminToken{name, hash});
    }
    SD_TRY(tls, server_tls(a, "admin"));
    admin.tls = tls;
    if (admin.tokens.empty() && !(tls && tls->require_client_certificate)) {
      return fail(a, "admin: needs a <token> or <tls require-client-certificate=\"true\">; it would be open to anyone");
    }
  }

  // logging
  if (auto found = elements(root, "logging"); !found.empty()) {
    const pugi::xml_node l = found.front();
    SD_CHECK(check_attributes(l, "logging", {"level", "requests"}));
    SD_CHECK(children_known(l, "logging", {}));
    if (pugi::xml_attribute a = l.attribute("level")) {
      std::string_view v = a.value();
      if (v == "debug") config->logging.level = LogLevel::debug;
      else if (v == "info") config->logging.level = LogLevel::info;
      else if (v == "warning") config->logging.level = LogLevel::warning;
      else if (v == "error") config->logging.level = LogLevel::error;
      else return fail(l, "logging: level \"" + std::string(v) + "\" is not one of debug, info, warning, error");
    }
    SD_TRY(requests, boolean(l, "logging", "requests", true));
    config->logging.log_requests = requests;
  }
  return std::shared_ptr<const GatewayConfig>(std::move(config));
}

}  // namespace

Result<std::shared_ptr<const GatewayConfig>> load_gateway_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::io, std::string("cannot read the gateway configuration: ") + std::strerror(errno),
                      file.string());
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    return Loader(file, std::move(text)).load();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::internal, std::string("unexpected failure: ") + e.what(), file.string());
  }
}

}  // namespace socialdefault::gateway
