// A shortlist through the gateway's request core and a real engine: the
// request that prepare() recognised is handed to the engine as a message, so
// each message of the exchange is parsed once; and the engine's rewrite of
// recognised messages answers as its rewrite of bytes does.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <sstream>

#include "../../../bench/shortlist_generator.hpp"
#include "standard_test_backend.hpp"
#include "test_files.hpp"

namespace socialdefault::gateway::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = fs::path(SD_SOURCE_DIR);
// 2026-11-27 11:00 in Amsterdam: every flowers supplier has valid evidence.
const UtcSeconds kNow = UtcSeconds(std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}) + std::chrono::hours(10);

// The route's adapter, counting what it is asked to recognise.
class CountingAdapter final : public Adapter {
 public:
  explicit CountingAdapter(std::shared_ptr<const Adapter> inner) : inner_(std::move(inner)) {}
  std::string_view name() const noexcept override { return inner_->name(); }
  Result<std::unique_ptr<Message>> recognise(std::string_view bytes) const override {
    ++recognised;
    return inner_->recognise(bytes);
  }
  Result<Shortlist> read_shortlist(const Message& response, const Message* request) const override {
    return inner_->read_shortlist(response, request);
  }
  Result<void> read_shortlist_into(const Message& response, const Message* request, Shortlist& out) const override {
    return inner_->read_shortlist_into(response, request, out);
  }
  Result<std::string> apply_decision(const Message& response, const Shortlist& shortlist, const Decision& decision,
                                     const Policy& policy) const override {
    return inner_->apply_decision(response, shortlist, decision, policy);
  }
  Result<std::vector<OrderChoice>> read_choice(const Message& request, const Message* response) const override {
    return inner_->read_choice(request, response);
  }
  mutable std::atomic<int> recognised{0};

 private:
  std::shared_ptr<const Adapter> inner_;
};

// The example route with the counting adapter on it.
class RecognisedRewrite : public StandardRouteTest {
 protected:
  RecognisedRewrite() {
    wrap_adapter_ = [this](const Route& route, std::shared_ptr<const Adapter> made) -> std::shared_ptr<const Adapter> {
      if (route.adapter != "soap") return made;
      counting_ = std::make_shared<CountingAdapter>(std::move(made));
      return counting_;
    };
  }
  void SetUp() override {
    StandardRouteTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_NE(counting_, nullptr);
    upstream_.content_type = "text/xml; charset=utf-8";
    request_ = socialdefault::testing::read_file(kSource / "examples/erp/shortlist-request.xml");
    response_ = socialdefault::testing::read_file(kSource / "examples/erp/shortlist-response.xml");
  }

  std::shared_ptr<CountingAdapter> counting_;
  std::string request_;
  std::string response_;
};

TEST_F(RecognisedRewrite, EachMessageOfAShortlistExchangeIsParsedOnce) {
  upstream_.answer = response_;
  Request request = soap_request("/erp", request_);
  request.prepare_payload();
  const Response answer = handler_->handle(*generation_, request);
  EXPECT_EQ(answer.result(), http::status::ok);
  EXPECT_EQ(metrics_.requests.get({"/erp", "rewritten"}), 1u) << log_text_.str();
  EXPECT_NE(answer.body(), response_);
  // The request once in prepare(), the ERP's answer once in the engine.
  EXPECT_EQ(counting_->recognised.load(), 2);
}

TEST_F(RecognisedRewrite, RecognisedMessagesAreRewrittenAsTheirBytesAre) {
  const Adapter& adapter = *counting_;
  const RewriteResult from_bytes = backend_->engine().rewrite(adapter, response_, std::string_view(request_), kNow);
  ASSERT_TRUE(from_bytes.rewritten) << from_bytes.outcome;

  auto request = adapter.recognise(request_);
  ASSERT_TRUE(request.ok()) << request.error().describe();
  auto response = adapter.recognise(response_);
  ASSERT_TRUE(response.ok()) << response.error().describe();
  const RewriteResult from_messages = backend_->engine().rewrite(adapter, **response, request->get(), kNow);
  EXPECT_TRUE(from_messages.rewritten);
  EXPECT_EQ(from_messages.outcome, from_bytes.outcome);
  ASSERT_TRUE(from_messages.decision.has_value());
  // The rotation moved on by one offer; the rest of the document is the same.
  EXPECT_EQ(from_messages.body.size(), from_bytes.body.size());
  ASSERT_TRUE(from_messages.shortlist.has_value());
  EXPECT_EQ(from_messages.shortlist->requester, from_bytes.shortlist->requester);
  EXPECT_FALSE(from_messages.shortlist->requester.empty());

  const RewriteResult with_request = backend_->engine().rewrite(adapter, response_, request->get(), kNow);
  EXPECT_TRUE(with_request.rewritten);
  EXPECT_EQ(with_request.shortlist->requester, from_bytes.shortlist->requester);
}

// With a RewriteScratch (as the gateway's io threads keep one) the rewrite
// answers as without one; the shortlist is in the scratch, not the result,
// and one too large to keep is not kept past the next rewrite.
TEST_F(RecognisedRewrite, AScratchGivesTheSameRewriteAndHoldsTheShortlist) {
  const Adapter& adapter = *counting_;
  auto request = adapter.recognise(request_);
  ASSERT_TRUE(request.ok()) << request.error().describe();
  const std::string large = bench::shortlist_response(static_cast<int>(RewriteScratch::kKeptCandidates) + 76);
  RewriteScratch scratch;
  const std::string& small = response_;
  for (const std::string* response : {&large, &small, &large, &small}) {
    const RewriteResult plain = backend_->engine().rewrite(adapter, *response, request->get(), kNow);
    const RewriteResult with = backend_->engine().rewrite(adapter, *response, request->get(), kNow, &scratch);
    ASSERT_TRUE(plain.shortlist.has_value()) << plain.outcome;
    EXPECT_FALSE(with.shortlist.has_value());
    EXPECT_EQ(with.outcome, plain.outcome);
    EXPECT_EQ(with.rewritten, plain.rewritten);
    ASSERT_TRUE(with.decision.has_value());
    EXPECT_EQ(with.decision->order.size(), plain.decision->order.size());
    // The rotation moved on by one offer, so the bodies may differ in the
    // default; the body is the decision applied to the scratch's shortlist.
    auto recognised = adapter.recognise(*response);
    ASSERT_TRUE(recognised.ok()) << recognised.error().describe();
    auto applied = adapter.apply_decision(**recognised, scratch.shortlist, *with.decision, *with.policy);
    ASSERT_TRUE(applied.ok()) << applied.error().describe();
    EXPECT_EQ(with.body, *applied);
    const Shortlist& kept = scratch.shortlist;
    EXPECT_EQ(kept.correlation_id, plain.shortlist->correlation_id);
    EXPECT_EQ(kept.requester, plain.shortlist->requester);
    ASSERT_EQ(kept.candidates.size(), plain.shortlist->candidates.size());
    for (std::size_t i = 0; i < kept.candidates.size(); ++i) {
      EXPECT_EQ(kept.candidates[i].supplier_id, plain.shortlist->candidates[i].supplier_id) << i;
      EXPECT_EQ(kept.candidates[i].price.has_value(), plain.shortlist->candidates[i].price.has_value()) << i;
      EXPECT_EQ(kept.candidates[i].preselected, plain.shortlist->candidates[i].preselected) << i;
      EXPECT_EQ(kept.candidates[i].identifiers.size(), plain.shortlist->candidates[i].identifiers.size()) << i;
    }
    if (response == &small) {
      // The large shortlist before it was let go, not read into.
      EXPECT_LE(kept.candidates.capacity(), RewriteScratch::kKeptCandidates);
    }
  }
}

TEST_F(RecognisedRewrite, ARecognisedRequestIsNoShortlistAndPassesThroughUnchanged) {
  const Adapter& adapter = *counting_;
  auto request = adapter.recognise(request_);
  ASSERT_TRUE(request.ok()) << request.error().describe();
  const RewriteResult result = backend_->engine().rewrite(adapter, **request, nullptr, kNow);
  EXPECT_EQ(result.outcome, "not-a-shortlist");
  EXPECT_FALSE(result.rewritten);
  EXPECT_EQ(result.body, request_);
  EXPECT_FALSE(result.error.has_value());
}

TEST_F(RecognisedRewrite, AnUnreadableResponseFailsOpenWithItsBytes) {
  const Adapter& adapter = *counting_;
  auto request = adapter.recognise(request_);
  ASSERT_TRUE(request.ok()) << request.error().describe();
  const std::string broken = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>";
  const RewriteResult result = backend_->engine().rewrite(adapter, broken, request->get(), kNow);
  EXPECT_EQ(result.outcome, "fail-open");
  EXPECT_EQ(result.body, broken);
  EXPECT_TRUE(result.error.has_value());
  EXPECT_NE(result.policy, nullptr);
}

}  // namespace
}  // namespace socialdefault::gateway::testing
