// A UBL OrderCancellation: read as the status `cancelled` of the order it
// names, recorded through the engine's order_statuses chain (the path
// `socialdefault record --adapter ubl` takes), which leaves the order out of
// the export; and its refusals.
#include <gtest/gtest.h>

#include "ubl_engine_fixture.hpp"

#include <chrono>

namespace socialdefault::ubl {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace socialdefault::ubl::testing;

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

class UblCancellationRecord : public UblEngineTest {
 protected:
  void SetUp() override {
    UblEngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* order : {"order-kvk-endpoint.xml", "order-account-id.xml"}) {
      auto records = record(order);
      ASSERT_TRUE(records.ok()) << records.error().describe();
    }
  }
};

TEST_F(UblCancellationRecord, TheCancelledOrderLeavesTheExport) {
  ASSERT_EQ(orders(), 2);
  auto status = record_status("cancellation.xml");
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(status->status, OrderStatus::cancelled);
  EXPECT_EQ(status->adapter, "ubl");
  EXPECT_EQ(orders(), 1);
  auto report = engine_->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->detail;
}

TEST_F(UblCancellationRecord, ARefusedCancellationRecordsNothing) {
  EXPECT_FALSE(record_status("cancellation-two-orders.xml", kNow).ok());
  EXPECT_EQ(orders(), 2);
}

}  // namespace
}  // namespace socialdefault::ubl
