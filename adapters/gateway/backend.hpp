// What the gateway needs from the engine. In the daemon it is the Engine
// itself (engine_backend.cpp); tests substitute their own so the server can
// be tested without a policy, a mapping or a database.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "gateway_config.hpp"
#include "socialdefault/adapter.hpp"
#include "socialdefault/engine.hpp"
#include "socialdefault/ledger.hpp"

namespace socialdefault::gateway {

class Backend {
 public:
  virtual ~Backend() = default;
  // The adapter of a route, built (and its mapping checked) at load time.
  virtual Result<std::shared_ptr<const Adapter>> make_adapter(const Route& route, const Limits& limits) = 0;
  virtual RewriteResult rewrite(const Adapter& adapter, std::string_view response,
                                std::optional<std::string_view> request, UtcSeconds now) = 0;
  // rewrite() for a request the gateway has recognised already (null: no
  // request), so that it is not parsed twice. The default hands its bytes
  // to rewrite(), for backends that only have that.
  virtual RewriteResult rewrite_recognised(const Adapter& adapter, std::string_view response, const Message* request,
                                           UtcSeconds now) {
    return rewrite(adapter, response,
                   request != nullptr ? std::optional<std::string_view>(request->bytes()) : std::nullopt, now);
  }
  virtual Result<std::vector<ChoiceRecord>> prepare_choices(const Adapter& adapter, std::string_view request,
                                                            std::optional<std::string_view> response,
                                                            UtcSeconds now) = 0;
  virtual Result<void> reload_policy(const std::string& actor, UtcSeconds now) = 0;
  // The admin API's export: the query's text as given in the URL.
  virtual Result<void> export_report(std::string_view from, std::string_view to, std::string_view group_by,
                                     std::string_view format, std::ostream& out, UtcSeconds now) = 0;
  virtual Result<VerifyReport> verify() = 0;
  virtual Ledger& ledger() = 0;
  // The admin API's experiment report (experiment_report.hpp); the default
  // refuses, for backends without experiments.
  virtual Result<void> experiment_report(std::string_view /*id*/, std::string_view /*format*/, std::ostream& /*out*/,
                                         UtcSeconds /*now*/) {
    return make_error(ErrorCode::unsupported, "this backend has no experiment report");
  }
  // The background offer writer's counters, for /metrics.
  virtual GroupCommitStats offer_stats() const = 0;
};

// The daemon's backend: opens the Engine on the policy and ledger the
// gateway configuration names.
Result<std::unique_ptr<Backend>> open_engine_backend(const GatewayConfig& config);

}  // namespace socialdefault::gateway
