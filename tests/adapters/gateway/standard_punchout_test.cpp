// A PunchOut cart posted as an HTML form through the real gateway (Beast
// server, libcurl upstream, the real engine and SQLite ledger) to a loopback
// fixture standing in for the buyer's procurement system: the cart is
// recorded, the form reaches the fixture byte for byte, and a form that
// cannot be decoded still goes through.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../../form_encoding.hpp"
#include "gateway_harness.hpp"
#include "standard_test_backend.hpp"

namespace socialdefault::gateway::testing {
namespace {

using socialdefault::testing::base64;
using socialdefault::testing::form_encode;

namespace fs = std::filesystem;
const fs::path kSource = fs::path(SD_SOURCE_DIR);

class PunchOutThroughTheGateway : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kSource / "examples/config.xml") || !fs::exists(kSource / "examples/erp/mapping.xml")) {
      GTEST_SKIP() << "the example configuration or mapping is absent";
    }
    cart_ = read_file(kSource / "tests/adapters/cxml/fixtures/punchout-order-message.xml");
    EngineOptions options;
    options.config = kSource / "examples/config.xml";
    options.ledger = dir_.path() / "ledger.sqlite";
    options.actor = "standard_punchout_test";
    auto engine = Engine::open(options);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    backend_ = std::make_unique<EngineBackendForTest>(std::move(engine).value());
    committer_ = std::make_unique<GroupCommitter>(backend_->ledger(), nullptr);
    erp_ = std::make_unique<FixtureUpstream>([](const Request&) {
      Response r{http::status::ok, 11};
      r.set(http::field::content_type, "text/html; charset=utf-8");
      r.body() = "<html><body>Winkelwagen ontvangen</body></html>";
      return r;
    });
    auto config = make_config(erp_->url("/punchout/return"), "/punchout");
    config->routes[0].adapter = "soap";
    config->routes[0].mapping = kSource / "examples/erp/mapping.xml";
    auto generation = build_generation(config, *backend_);
    ASSERT_TRUE(generation.ok()) << generation.error().describe();
    server_ = std::make_unique<Server>(std::move(generation).value(), *backend_, upstream_, *committer_, metrics_, log_);
    auto started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().describe();
  }
  void TearDown() override {
    server_.reset();
    committer_.reset();
    erp_.reset();
  }

  Response post_form(const std::string& form) {
    return http_call(server_->port(), soap_request("/punchout", form, "application/x-www-form-urlencoded"));
  }

  std::vector<ExportRow> rows() {
    std::vector<ExportRow> out;
    auto done = backend_->ledger().export_rows(
        ExportQuery{std::chrono::year{2000} / 1 / 1, std::chrono::year{2099} / 12 / 31, {GroupBy::category}},
        [&](const ExportRow& row) -> Result<void> {
          out.push_back(row);
          return {};
        });
    EXPECT_TRUE(done.ok()) << done.error().describe();
    return out;
  }

  static std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  TempDir dir_;
  std::string cart_;
  std::unique_ptr<EngineBackendForTest> backend_;
  std::unique_ptr<GroupCommitter> committer_;
  std::unique_ptr<FixtureUpstream> erp_;
  Metrics metrics_;
  std::ostringstream log_text_;
  JsonLog log_{log_text_, LogLevel::debug};
  CurlUpstream upstream_{std::size_t{1} << 20};
  std::unique_ptr<Server> server_;
};

TEST_F(PunchOutThroughTheGateway, AnUrlEncodedCartIsRecordedAndTheFormForwardedUnchanged) {
  const std::string form = "BuyerCookie=SESSION-8842&cxml-urlencoded=" + form_encode(cart_) + "&submit=Bestellen";
  const Response response = post_form(form);
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response.body(), "<html><body>Winkelwagen ontvangen</body></html>");
  const auto received = erp_->received();
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(received[0].body(), form);
  EXPECT_EQ(received[0][http::field::content_type], "application/x-www-form-urlencoded");

  const auto by_category = rows();
  ASSERT_EQ(by_category.size(), 1U);
  EXPECT_EQ(by_category[0].keys[0], "CPV:03121200-7");
  EXPECT_EQ(by_category[0].orders, 1);
  EXPECT_EQ(by_category[0].spend, 3000);  // 2 x EUR 15.00
  EXPECT_EQ(by_category[0].currency, "EUR");
  EXPECT_NE(log_text_.str().find("\"outcome\":\"recorded\""), std::string::npos) << log_text_.str();
  EXPECT_EQ(log_text_.str().find("Geheim-Voorbeeld-7731"), std::string::npos);
  auto verified = backend_->verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->detail;
}

TEST_F(PunchOutThroughTheGateway, ABase64CartIsRecorded) {
  const std::string form = "cxml-base64=" + form_encode(base64(cart_));
  EXPECT_EQ(post_form(form).result(), http::status::ok);
  ASSERT_EQ(erp_->received().size(), 1U);
  EXPECT_EQ(erp_->received()[0].body(), form);
  const auto by_category = rows();
  ASSERT_EQ(by_category.size(), 1U);
  EXPECT_EQ(by_category[0].orders, 1);
}

TEST_F(PunchOutThroughTheGateway, AnUndecodableFormGoesThroughAndIsCounted) {
  const std::string form = "cxml-urlencoded=" + form_encode(cart_).substr(0, 40) + "%Q";
  const Response response = post_form(form);
  EXPECT_EQ(response.result(), http::status::ok);
  ASSERT_EQ(erp_->received().size(), 1U);
  EXPECT_EQ(erp_->received()[0].body(), form);
  EXPECT_TRUE(rows().empty());
  EXPECT_NE(log_text_.str().find("\"stage\":\"form\""), std::string::npos) << log_text_.str();
  EXPECT_NE(log_text_.str().find("\"outcome\":\"fail-open\""), std::string::npos) << log_text_.str();
  EXPECT_NE(metrics_.render().find("socialdefault_fail_open_total{stage=\"form\"} 1"), std::string::npos)
      << metrics_.render();
}

}  // namespace
}  // namespace socialdefault::gateway::testing
