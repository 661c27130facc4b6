// The gateway's tests of standard documents drive a real Engine (the
// example policy, a temporary ledger) instead of the fake one.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "backend.hpp"
#include "gateway_fakes.hpp"
#include "request_handler.hpp"

namespace socialdefault::gateway::testing {

// A test's wrapper around the adapter a route gets (to count its calls, say).
using AdapterWrapper = std::function<std::shared_ptr<const Adapter>(const Route&, std::shared_ptr<const Adapter>)>;

// The daemon's backend (engine_backend.cpp), on the example configuration and
// a temporary ledger.
class EngineBackendForTest final : public Backend {
 public:
  EngineBackendForTest(std::unique_ptr<Engine> engine, AdapterWrapper wrap = {})
      : engine_(std::move(engine)), wrap_(std::move(wrap)) {}
  Result<std::shared_ptr<const Adapter>> make_adapter(const Route& route, const Limits&) override {
    auto made = engine_->make_adapter(route.adapter, route.mapping, socialdefault::Limits{});
    if (!made || !wrap_) return made;
    return wrap_(route, std::move(made).value());
  }
  RewriteResult rewrite(const Adapter& adapter, std::string_view response, std::optional<std::string_view> request,
                        UtcSeconds now) override {
    return engine_->rewrite(adapter, response, request, now);
  }
  RewriteResult rewrite_recognised(const Adapter& adapter, std::string_view response, const Message* request,
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
  Engine& engine() { return *engine_; }

 private:
  std::unique_ptr<Engine> engine_;
  AdapterWrapper wrap_;
};

// An ERP that takes every document and answers `answer`; keeps what it got.
class RecordingUpstream final : public Upstream {
 public:
  UpstreamResult call(const Route&, const UpstreamRequest& request) override {
    bodies.emplace_back(request.body);
    UpstreamResult r;
    r.status = 200;
    r.headers = {{"Content-Type", content_type}};
    r.body = answer;
    return r;
  }
  std::string answer = "OK";
  std::string content_type = "text/plain";
  std::vector<std::string> bodies;
};

// The request core on the example configuration, with the example SOAP route
// at /erp in front of a RecordingUpstream, at 2026-11-27 11:00 Amsterdam.
class StandardRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path source(SD_SOURCE_DIR);
    if (!std::filesystem::exists(source / "examples/config.xml") ||
        !std::filesystem::exists(source / "examples/erp/mapping.xml")) {
      GTEST_SKIP() << "the example configuration or mapping is absent";
    }
    EngineOptions options;
    options.config = source / "examples/config.xml";
    options.ledger = dir_.path() / "ledger.sqlite";
    options.actor = ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name();
    auto engine = Engine::open(options);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    backend_ = std::make_unique<EngineBackendForTest>(std::move(engine).value(), wrap_adapter_);
    committer_ = std::make_unique<GroupCommitter>(backend_->ledger(), nullptr);
    auto config = make_config("http://erp.example/purchasing", "/erp");
    config->routes[0].adapter = "soap";
    config->routes[0].mapping = source / "examples/erp/mapping.xml";
    auto built = build_generation(config, *backend_);
    ASSERT_TRUE(built.ok()) << built.error().describe();
    generation_ = std::move(built).value();
    handler_ = std::make_unique<RequestHandler>(*backend_, upstream_, *committer_, metrics_, log_);
    handler_->now = [] { return UtcSeconds(std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}) + std::chrono::hours(10); };
  }

  Response post(const std::string& body, const std::string& content_type = "text/xml; charset=utf-8") {
    Request request{http::verb::post, "/erp", 11};
    request.set(http::field::content_type, content_type);
    request.body() = body;
    request.prepare_payload();
    return handler_->handle(*generation_, request);
  }

  // Orders and spend of 2026's export.
  std::pair<std::int64_t, std::int64_t> totals() {
    std::pair<std::int64_t, std::int64_t> out{0, 0};
    auto done = backend_->ledger().export_rows(
        ExportQuery{std::chrono::year{2026} / 1 / 1, std::chrono::year{2026} / 12 / 31, {}},
        [&](const ExportRow& row) -> Result<void> {
          out.first += row.orders;
          out.second += row.spend;
          return {};
        });
    EXPECT_TRUE(done.ok());
    return out;
  }

  AdapterWrapper wrap_adapter_;  // set by a derived fixture before SetUp
  TempDir dir_;
  std::unique_ptr<EngineBackendForTest> backend_;
  std::unique_ptr<GroupCommitter> committer_;
  RecordingUpstream upstream_;
  Metrics metrics_;
  std::ostringstream log_text_;
  JsonLog log_{log_text_, LogLevel::debug};
  std::shared_ptr<const Generation> generation_;
  std::unique_ptr<RequestHandler> handler_;
};

}  // namespace socialdefault::gateway::testing
