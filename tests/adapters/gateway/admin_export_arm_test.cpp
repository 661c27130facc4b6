// The admin API's export grouped by experiment arm, through the daemon's own
// backend (the engine on the example configuration and a simulated
// experiment): GET /admin/export?group-by=arm, which is also the console's
// export download.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>

#include "admin_handler.hpp"
#include "gateway_fakes.hpp"
#include "socialdefault/simulate.hpp"

namespace socialdefault::gateway::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kToken = "tok-5b2d-admin-secret";

class AdminExportArmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.config = fs::path(SD_SOURCE_DIR) / "examples/config.xml";
    options.ledger = dir_.path() / "ledger.db";
    options.actor = "admin_export_arm_test";
    SimulationModel model;
    model.experiment = "catering-2027";
    model.requesters = 60;
    model.orders_per_requester = 2;
    model.seed = 9;
    auto simulated = run_simulation(options, model);
    ASSERT_TRUE(simulated.ok()) << simulated.error().describe();
    for (const ArmReport& a : simulated->report.arms) {
      reported_["catering-2027/" + a.arm] = a.count.orders;
    }

    config_.policy = options.config;
    config_.ledger = options.ledger;
    config_.admin.enabled = true;
    config_.admin.tokens.push_back(AdminToken{"ops", sha256_hex_of(kToken)});
    auto backend = open_engine_backend(config_);
    ASSERT_TRUE(backend.ok()) << backend.error().describe();
    backend_ = std::move(backend).value();
    handler_ = std::make_unique<AdminHandler>(*backend_, metrics_, log_, AdminHooks{});
  }

  Response get(const std::string& target) {
    Request request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::authorization, std::string("Bearer ") + kToken);
    return handler_->handle(config_, request, false);
  }

  TempDir dir_;
  std::map<std::string, std::int64_t> reported_;  // arm -> orders in the experiment report
  GatewayConfig config_;
  std::unique_ptr<Backend> backend_;
  Metrics metrics_;
  std::ostringstream log_text_;
  JsonLog log_{log_text_};
  std::unique_ptr<AdminHandler> handler_;
};

TEST_F(AdminExportArmTest, ExportsOneRowPerArmWithTheReportsOrders) {
  ASSERT_EQ(reported_.size(), 4u);
  const Response r = get("/admin/export?from=2027-01-01&to=2027-06-30&group-by=arm&format=json");
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  EXPECT_EQ(r[http::field::content_type], "application/json");
  const boost::json::value json = boost::json::parse(r.body());
  std::map<std::string, std::int64_t> exported;
  for (const auto& row : json.at("rows").as_array()) {
    exported[std::string(row.at("arm").as_string())] += row.at("orders").as_int64();
  }
  EXPECT_EQ(exported, reported_);
}

TEST_F(AdminExportArmTest, CombinesArmWithOtherKeysAndRefusesAnUnknownOne) {
  const Response csv = get("/admin/export?from=2027-01-01&to=2027-06-30&group-by=month%2Carm");
  ASSERT_EQ(csv.result(), http::status::ok) << csv.body();
  EXPECT_EQ(csv[http::field::content_type], "text/csv; charset=utf-8");
  EXPECT_TRUE(csv.body().starts_with("month,arm,currency,orders,")) << csv.body();
  EXPECT_NE(csv.body().find("\r\n2027-01,catering-2027/control,EUR,"), std::string::npos) << csv.body();

  const Response bad = get("/admin/export?from=2027-01-01&to=2027-06-30&group-by=arms");
  EXPECT_EQ(bad.result(), http::status::bad_request);
  EXPECT_EQ(bad.body(),
            "{\"error\":\"group-by: group-by \\\"arms\\\" is not one of department, category, supplier, month, "
            "quarter, arm\"}\n");
}

}  // namespace
}  // namespace socialdefault::gateway::testing
