// Changed orders and payloadID statuses through the gateway's request core:
// a UBL OrderChange and a cXML change order are recorded as new versions of
// their order (the export counts the latest), a StatusUpdateRequest that
// names its order only by payloadID is recorded for that order, and a
// spooled version keeps its version when replayed.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "backend.hpp"
#include "gateway_fakes.hpp"
#include "request_handler.hpp"
#include "spool.hpp"
#include "standard_documents.hpp"
#include "standard_test_backend.hpp"

namespace socialdefault::gateway::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = fs::path(SD_SOURCE_DIR);
const fs::path kUbl = kSource / "tests/adapters/ubl/fixtures";
const fs::path kCxml = kSource / "tests/adapters/cxml/fixtures";

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

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

class StandardVersions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kSource / "examples/config.xml") || !fs::exists(kSource / "examples/erp/mapping.xml")) {
      GTEST_SKIP() << "the example configuration or mapping is absent";
    }
    EngineOptions options;
    options.config = kSource / "examples/config.xml";
    options.ledger = dir_.path() / "ledger.sqlite";
    options.actor = "standard_versions_test";
    auto engine = Engine::open(options);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    backend_ = std::make_unique<EngineBackendForTest>(std::move(engine).value());
    committer_ = std::make_unique<GroupCommitter>(backend_->ledger(), nullptr);
    auto config = make_config("http://erp.example/purchasing", "/erp");
    config->routes[0].adapter = "soap";
    config->routes[0].mapping = kSource / "examples/erp/mapping.xml";
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

  // orders and spend of 2026's export.
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

using Totals = std::pair<std::int64_t, std::int64_t>;

TEST_F(StandardVersions, AUblOrderChangeReplacesTheOrdersFigures) {
  ASSERT_EQ(post(read_text(kUbl / "order-kvk-endpoint.xml"), "application/xml").result_int(), 200);
  EXPECT_EQ(totals(), (Totals{1, 4250}));
  const std::string change = read_text(kUbl / "order-change.xml");
  ASSERT_EQ(post(change, "application/xml").result_int(), 200);
  EXPECT_EQ(upstream_.bodies.back(), change);
  EXPECT_EQ(totals(), (Totals{2, 10000}));
  // The access point sends the same change again: counted once.
  ASSERT_EQ(post(change, "application/xml").result_int(), 200);
  EXPECT_EQ(totals(), (Totals{2, 10000}));
  auto report = backend_->ledger().verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
}

TEST_F(StandardVersions, ACxmlChangeOrderAndAStatusNamedByPayloadId) {
  upstream_.answer = read_text(kCxml / "response-200.xml");
  upstream_.content_type = "text/xml";
  ASSERT_EQ(post(read_text(kCxml / "order-request-kvk.xml")).result_int(), 200);
  ASSERT_EQ(post(read_text(kCxml / "order-request-update.xml")).result_int(), 200);
  EXPECT_EQ(totals(), (Totals{1, 5250}));
  std::string rejected = read_text(kCxml / "status-update-payload-only.xml");
  const std::string ok = "<Status code=\"200\"";
  rejected.replace(rejected.find(ok), ok.size(), "<Status code=\"406\"");
  ASSERT_EQ(post(rejected).result_int(), 200);
  EXPECT_NE(log_text_.str().find("\"outcome\":\"status-recorded\""), std::string::npos) << log_text_.str();
  EXPECT_EQ(totals(), (Totals{0, 0}));
  // A payloadID no recorded order came with fails open: forwarded, logged.
  ASSERT_EQ(post(read_text(kCxml / "status-update-unknown-payload.xml")).result_int(), 200);
  EXPECT_NE(log_text_.str().find("no recorded order came in the document"), std::string::npos) << log_text_.str();
}

TEST(StandardVersionSpool, AVersionKeepsItsNumberAndDocumentThroughTheSpool) {
  ChoiceRecord r;
  r.local_date = std::chrono::year{2026} / 11 / 27;
  r.order_ref = "PO-1";
  r.amount = Money{100, "EUR"};
  r.order_version = 3;
  r.document_ref = "CHG-3";
  auto back = choice_from_json(choice_to_json(r));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->order_version, 3);
  EXPECT_EQ(back->document_ref, "CHG-3");
  r.order_version = 0;
  r.document_ref.clear();
  const std::string plain = choice_to_json(r);
  EXPECT_EQ(plain.find("order_version"), std::string::npos) << plain;
  auto again = choice_from_json(plain);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->order_version, 0);
  EXPECT_EQ(again->document_ref, "");
}

}  // namespace
}  // namespace socialdefault::gateway::testing
