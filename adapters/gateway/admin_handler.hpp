// The admin API on its own listener: health and readiness, Prometheus
// metrics, reload, export and verify. Bearer tokens are compared by their
// SHA-256 (the configuration holds only hashes); a verified client
// certificate on an admin listener that requires one also admits.
#pragma once

#include <functional>
#include <string>

#include "backend.hpp"
#include "console_api.hpp"
#include "json_log.hpp"
#include "metrics.hpp"
#include "request_handler.hpp"

namespace socialdefault::gateway {

struct AdminHooks {
  // Reloads the gateway configuration and the policy; the actor is the
  // token's name. An error leaves the running configuration in place.
  std::function<Result<void>(const std::string& actor)> reload;
  std::function<bool()> ready;
};

class AdminHandler {
 public:
  AdminHandler(Backend& backend, Metrics& metrics, JsonLog& log, AdminHooks hooks)
      : backend_(backend), metrics_(metrics), log_(log), hooks_(std::move(hooks)) {}

  // client_certificate_verified: the TLS layer checked the client's
  // certificate against the admin's client CA.
  Response handle(const GatewayConfig& config, const Request& request, bool client_certificate_verified);

 private:
  Backend& backend_;
  Metrics& metrics_;
  JsonLog& log_;
  AdminHooks hooks_;
  ConsoleApi console_{backend_, log_};  // the purchasing console under /console
};

std::string sha256_hex_of(std::string_view data);
// Decodes %XX and '+' in a query value.
std::string url_decode(std::string_view text);
// The value of one query parameter, decoded; empty when absent.
std::string query_parameter(std::string_view query, std::string_view name);

}  // namespace socialdefault::gateway
