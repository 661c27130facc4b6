// The gateway's own configuration (IT's file, urn:socialdefault:gateway:1,
// schemas/gateway.xsd), separate from the purchasing department's policy.
// Loaded and checked once; shared immutably; swapped whole on reload.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "socialdefault/result.hpp"

namespace socialdefault::gateway {

inline constexpr const char* kGatewayNamespace = "urn:socialdefault:gateway:1";

struct ServerTls {
  std::filesystem::path certificate;
  std::filesystem::path key;
  std::filesystem::path client_ca;          // empty: no client certificates asked for
  bool require_client_certificate = false;
};

struct Listener {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                   // 0: any free port (tests)
  std::optional<ServerTls> tls;
};

struct Limits {
  std::size_t max_body_bytes = 8u << 20;
  std::size_t max_header_bytes = 16u << 10;
  std::size_t max_xml_depth = 64;
  std::chrono::milliseconds request_timeout{10000};  // whole request, first byte to last
  std::chrono::milliseconds idle_timeout{60000};     // keep-alive wait for the next request
  std::size_t max_connections = 1024;
  std::size_t io_threads = 2;
  std::size_t worker_threads = 32;                   // blocking upstream and ledger calls run here
};

struct UpstreamTls {
  bool verify = true;
  std::filesystem::path ca_file;            // empty: the system store
  std::filesystem::path client_certificate; // PEM; with client_key for mutual TLS
  std::filesystem::path client_key;
};

struct Route {
  std::string path;                          // exact path on the gateway, e.g. /erp/purchasing
  std::string upstream;                      // http:// or https:// URL
  std::string adapter = "soap";
  std::filesystem::path mapping;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds timeout{10000};
  UpstreamTls tls;
  std::string proxy;                          // empty: none
  int line = 0;                               // where the route is, for messages at start-up
};

struct AdminToken {
  std::string name;
  std::string sha256;                         // lower-case hex of the token's SHA-256
};

struct Admin {
  bool enabled = false;
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::vector<AdminToken> tokens;
  std::optional<ServerTls> tls;
};

enum class LogLevel { debug, info, warning, error };
const char* to_string(LogLevel level) noexcept;

struct Logging {
  LogLevel level = LogLevel::info;
  bool log_requests = true;                   // one line per request
};

struct GatewayConfig {
  std::filesystem::path source;               // the file it was loaded from
  std::filesystem::path policy;
  std::filesystem::path ledger;
  std::filesystem::path spool;                // a folder
  Listener listener;
  Limits limits;
  std::vector<Route> routes;
  Admin admin;
  Logging logging;

  const Route* find_route(std::string_view path) const noexcept;
};

// Loads and checks the file. Relative paths resolve against its folder.
// Errors read "gateway.xml:12: route \"/erp\": ...".
Result<std::shared_ptr<const GatewayConfig>> load_gateway_config(const std::filesystem::path& file);

}  // namespace socialdefault::gateway
