// A UBL OrderCancellation: read as the status `cancelled` of the order it
// names, recorded through the engine's order_statuses chain (the path
// `socialdefault record --adapter ubl` takes), which leaves the order out of
// the export; and its refusals.
#include <gtest/gtest.h>

#include "temp_dir.hpp"
#include "ubl_test_support.hpp"

#include <chrono>

#include "socialdefault/engine.hpp"

namespace socialdefault::ubl {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace socialdefault::ubl::testing;
using socialdefault::testing::TempDir;

const fs::path kExamples = fs::path(SD_SOURCE_DIR) / "examples";
const UtcSeconds kNow = UtcSeconds{std::chrono::sys_days{2026y / 11 / 27}} + 10h;

Result<OrderStatusUpdate> status_of(const std::string& name) {
  auto adapter = ubl_adapter();
  auto message = adapter->recognise(fixture(name));
  if (!message) return std::move(message).error();
  EXPECT_EQ((*message)->kind(), MessageKind::order_response) << name;
  return adapter->read_order_status(**message);
}

TEST(UblCancellation, IsTheStatusCancelledOfTheOrderItNames) {
  auto update = status_of("cancellation.xml");
  ASSERT_TRUE(update.ok()) << update.error().describe();
  EXPECT_EQ(update->order_ref, "PO-KVK-1");
  EXPECT_EQ(update->response_ref, "CANCEL-PO-KVK-1");
  EXPECT_EQ(update->status, OrderStatus::cancelled);
  EXPECT_EQ(update->code, "OrderCancellation");
  EXPECT_STREQ(to_string(update->status), "cancelled");
}

TEST(UblCancellation, Refusals) {
  auto two = status_of("cancellation-two-orders.xml");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().message,
            "the OrderCancellation names 2 orders; expected one <cac:OrderReference> (send one cancellation per order)");
  auto none = status_of("cancellation-no-reference.xml");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message,
            "the OrderCancellation has no <cac:OrderReference>/<cbc:ID>; expected the number of the order it answers");
}

class UblCancellationRecord : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kExamples / "config.xml")) GTEST_SKIP() << "the example configuration is absent";
    EngineOptions options;
    options.config = kExamples / "config.xml";
    options.ledger = dir_ / "ledger.sqlite";
    options.actor = "ubl_status_test";
    auto engine = Engine::open(options);
    ASSERT_TRUE(engine.ok()) << engine.error().describe();
    engine_ = std::move(engine).value();
    auto adapter = engine_->make_adapter("ubl", {}, Limits{});
    ASSERT_TRUE(adapter.ok()) << adapter.error().describe();
    adapter_ = *adapter;
    for (const char* order : {"order-kvk-endpoint.xml", "order-account-id.xml"}) {
      auto records = engine_->prepare_choices(*adapter_, fixture(order), std::nullopt, kNow);
      ASSERT_TRUE(records.ok()) << records.error().describe();
      ASSERT_TRUE(engine_->ledger().append_choices(*records).ok());
    }
  }

  std::int64_t orders() {
    std::int64_t n = 0;
    auto done = engine_->ledger().export_rows(ExportQuery{2026y / 1 / 1, 2026y / 12 / 31, {}},
                                              [&](const ExportRow& row) -> Result<void> {
                                                n += row.orders;
                                                return {};
                                              });
    EXPECT_TRUE(done.ok()) << done.error().describe();
    return n;
  }

  TempDir dir_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<const Adapter> adapter_;
};

TEST_F(UblCancellationRecord, TheCancelledOrderLeavesTheExport) {
  ASSERT_EQ(orders(), 2);
  auto status = engine_->record_order_status(*adapter_, fixture("cancellation.xml"), kNow + 24h);
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(status->status, OrderStatus::cancelled);
  EXPECT_EQ(status->adapter, "ubl");
  EXPECT_EQ(orders(), 1);
  auto report = engine_->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
}

TEST_F(UblCancellationRecord, ARefusedCancellationRecordsNothing) {
  EXPECT_FALSE(engine_->record_order_status(*adapter_, fixture("cancellation-two-orders.xml"), kNow).ok());
  EXPECT_EQ(orders(), 2);
}

}  // namespace
}  // namespace socialdefault::ubl
