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
#include "test_files.hpp"

namespace socialdefault::gateway::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = fs::path(SD_SOURCE_DIR);
const fs::path kUbl = kSource / "tests/adapters/ubl/fixtures";
const fs::path kCxml = kSource / "tests/adapters/cxml/fixtures";

using socialdefault::testing::read_file;

using StandardVersions = StandardRouteTest;

using Totals = std::pair<std::int64_t, std::int64_t>;

TEST_F(StandardVersions, AUblOrderChangeReplacesTheOrdersFigures) {
  ASSERT_EQ(post(read_file(kUbl / "order-kvk-endpoint.xml"), "application/xml").result_int(), 200);
  EXPECT_EQ(totals(), (Totals{1, 4250}));
  const std::string change = read_file(kUbl / "order-change.xml");
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
  upstream_.answer = read_file(kCxml / "response-200.xml");
  upstream_.content_type = "text/xml";
  ASSERT_EQ(post(read_file(kCxml / "order-request-kvk.xml")).result_int(), 200);
  ASSERT_EQ(post(read_file(kCxml / "order-request-update.xml")).result_int(), 200);
  EXPECT_EQ(totals(), (Totals{1, 5250}));
  std::string rejected = read_file(kCxml / "status-update-payload-only.xml");
  const std::string ok = "<Status code=\"200\"";
  rejected.replace(rejected.find(ok), ok.size(), "<Status code=\"406\"");
  ASSERT_EQ(post(rejected).result_int(), 200);
  EXPECT_NE(log_text_.str().find("\"outcome\":\"status-recorded\""), std::string::npos) << log_text_.str();
  EXPECT_EQ(totals(), (Totals{0, 0}));
  // A payloadID no recorded order came with fails open: forwarded, logged.
  ASSERT_EQ(post(read_file(kCxml / "status-update-unknown-payload.xml")).result_int(), 200);
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
