// The gateway's tests of standard documents drive a real Engine (the
// example policy, a temporary ledger) instead of the fake one.
#pragma once

#include <memory>

#include "backend.hpp"

namespace socialdefault::gateway::testing {

// The daemon's backend, on the example configuration and a temporary ledger.
class EngineBackendForTest final : public Backend {
 public:
  explicit EngineBackendForTest(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}
  Result<std::shared_ptr<const Adapter>> make_adapter(const Route& route, const Limits&) override {
    return engine_->make_adapter(route.adapter, route.mapping, socialdefault::Limits{});
  }
  RewriteResult rewrite(const Adapter& adapter, std::string_view response, std::optional<std::string_view> request,
                        UtcSeconds now) override {
    return engine_->rewrite(adapter, response, request, now);
  }
  Result<std::vector<ChoiceRecord>> prepare_choices(const Adapter& adapter, std::string_view request,
                                                    std::optional<std::string_view> response, UtcSeconds now) override {
    return engine_->prepare_choices(adapter, request, response, now);
  }
  Result<void> reload_policy(const std::string& actor, UtcSeconds now) override { return engine_->reload(actor, now); }
  Result<void> export_report(std::string_view, std::string_view, std::string_view, std::string_view, std::ostream&,
                             UtcSeconds) override {
    return make_error(ErrorCode::unsupported, "not in this test");
  }
  Result<VerifyReport> verify() override { return engine_->verify(); }
  Ledger& ledger() override { return engine_->ledger(); }
  GroupCommitStats offer_stats() const override { return engine_->offer_stats(); }

 private:
  std::unique_ptr<Engine> engine_;
};

}  // namespace socialdefault::gateway::testing
