// The purchasing console on the admin listener (docs/console.md): its page
// (embedded in the binary at build time, served without credentials since
// it holds no data) and its JSON API under /console/api/, which the admin
// handler calls only after the token or client certificate was accepted.
// A configuration change is checked by the loader, written atomically to
// the policy file, recorded in the ledger with the token's name, then
// applied by the same reload as POST /admin/reload.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "backend.hpp"
#include "gateway_config.hpp"
#include "json_log.hpp"
#include "request_handler.hpp"

namespace socialdefault::gateway {

class ConsoleApi {
 public:
  using Reload = std::function<Result<void>(const std::string& actor)>;

  ConsoleApi(Backend& backend, JsonLog& log) : backend_(backend), log_(log) {}

  // GET /console or /console/<file>: the page and its script and style.
  // Empty when path is not the console's.
  std::optional<Response> serve_asset(const Request& request, std::string_view path) const;

  // /console/api/<name>; actor is the name of the accepted token.
  Response handle(const GatewayConfig& config, const Request& request, std::string_view path, std::string_view query,
                  const std::string& actor, const Reload& reload);

  // The clock of the ledger's records and of "today"; tests pin it.
  std::function<UtcSeconds()> now = [] {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  };

 private:
  Response get_config(const GatewayConfig& config, const Request& request);
  Response put_config(const GatewayConfig& config, const Request& request, const std::string& actor,
                      const Reload& reload, bool save);
  Response stats(const GatewayConfig& config, const Request& request, std::string_view query);
  Response changes(const Request& request, std::string_view query);
  Response experiments(const Request& request);
  Response preview(const GatewayConfig& config, const Request& request);

  Backend& backend_;
  JsonLog& log_;
  std::mutex save_mutex_;  // one configuration change at a time
};

// Writes bytes to file so that a crash leaves either the old or the new
// content: a temporary file in the same folder, fsync, rename, fsync of the
// folder.
Result<void> write_file_atomically(const std::filesystem::path& file, std::string_view bytes);

}  // namespace socialdefault::gateway
