#include <sstream>

#include "backend.hpp"
#include "socialdefault/export.hpp"

namespace socialdefault::gateway {

namespace {

class EngineBackend final : public Backend {
 public:
  explicit EngineBackend(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}

  Result<std::shared_ptr<const Adapter>> make_adapter(const Route& route, const Limits& limits) override {
    socialdefault::Limits adapter_limits;
    adapter_limits.max_bytes = limits.max_body_bytes;
    adapter_limits.max_depth = limits.max_xml_depth;
    auto made = engine_->make_adapter(route.adapter, route.mapping, adapter_limits);
    if (!made) {
      Error e = std::move(made).error();
      e.message = "route \"" + route.path + "\": " + e.message;
      return e;
    }
    return made;
  }
  RewriteResult rewrite(const Adapter& adapter, std::string_view response, std::optional<std::string_view> request,
                        UtcSeconds now) override {
    return engine_->rewrite(adapter, response, request, now);
  }
  RewriteResult rewrite_recognised(const Adapter& adapter, std::string_view response, const Message* request,
                                   UtcSeconds now) override {
    // One scratch per io thread: each rewrites one answer at a time, and
    // the gateway needs the shortlist no longer than the rewrite.
    thread_local RewriteScratch scratch;
    return engine_->rewrite(adapter, response, request, now, &scratch);
  }
  Result<std::vector<ChoiceRecord>> prepare_choices(const Adapter& adapter, std::string_view request,
                                                    std::optional<std::string_view> response,
                                                    UtcSeconds now) override {
    return engine_->prepare_choices(adapter, request, response, now);
  }
  Result<void> reload_policy(const std::string& actor, UtcSeconds now) override { return engine_->reload(actor, now); }
  Result<void> export_report(std::string_view from, std::string_view to, std::string_view group_by,
                             std::string_view format, std::ostream& out, UtcSeconds now) override {
    auto query = parse_export_query(from, to, group_by);
    if (!query) return std::move(query).error();
    auto fmt = parse_export_format(format.empty() ? "csv" : format);
    if (!fmt) return make_error(ErrorCode::invalid_argument, "format: " + fmt.error().message);
    return engine_->export_report(*query, *fmt, out, now);
  }
  Result<VerifyReport> verify() override { return engine_->verify(); }
  Result<void> experiment_report(std::string_view id, std::string_view format, std::ostream& out,
                                 UtcSeconds now) override {
    auto fmt = parse_export_format(format.empty() ? "csv" : format);
    if (!fmt) return make_error(ErrorCode::invalid_argument, "format: " + fmt.error().message);
    return engine_->experiment_report(id, *fmt, out, now);
  }
  Ledger& ledger() override { return engine_->ledger(); }
  GroupCommitStats offer_stats() const override { return engine_->offer_stats(); }

 private:
  std::unique_ptr<Engine> engine_;
};

}  // namespace

Result<std::unique_ptr<Backend>> open_engine_backend(const GatewayConfig& config) {
  EngineOptions options;
  options.config = config.policy;
  options.ledger = config.ledger;
  options.actor = "socialdefaultd";
  auto engine = Engine::open(options);
  if (!engine) return std::move(engine).error();
  return std::unique_ptr<Backend>(new EngineBackend(std::move(engine).value()));
}

}  // namespace socialdefault::gateway
