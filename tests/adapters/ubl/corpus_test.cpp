// Every order-type sample of the shared UBL corpus (Order, OrderResponse)
// reads into the expected choice or status. Skipped with the reason when the
// corpus is absent. An OrderChange reads as a new version of its order;
// catalogues are recognised as UBL but are not orders.
#include <gtest/gtest.h>

#include "ubl_test_support.hpp"

namespace socialdefault::ubl {
namespace {

namespace fs = std::filesystem;
using namespace socialdefault::ubl::testing;

struct ExpectedLine {
  int line;
  const char* code_system;
  const char* code;
  std::int64_t minor;
  const char* currency;
};

struct ExpectedOrder {
  const char* file;
  const char* order_ref;
  const char* correlation_id;
  const char* version;
  const char* department;
  const char* identifiers;
  std::vector<ExpectedLine> lines;
};

struct ExpectedStatus {
  const char* file;
  const char* order_ref;
  OrderStatus status;
  const char* code;
};

class UblCorpus : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = corpus_dir() / "ubl" / "examples";
    if (!fs::is_directory(dir_)) GTEST_SKIP() << "no UBL corpus at " << dir_ << " (set SD_CORPUS_DIR to the shared corpus)";
    adapter_ = ubl_adapter();
    ASSERT_NE(adapter_, nullptr);
  }
  fs::path dir_;
  std::shared_ptr<const Adapter> adapter_;
};

TEST_F(UblCorpus, EveryOrderReadsIntoItsExpectedLines) {
  const std::vector<ExpectedOrder> orders = {
      {"aunz-peppol/AU Order Transaction.xml", "00002", "MAFO", "2.1", "",
       "peppol:0151:26008672179;icd-0151:26008672179",
       {{1, "MP", "12345678", 57500, "AUD"}, {2, "MP", "12345678", 560000, "AUD"}, {3, "MP", "12345678", 80000, "AUD"}}},
      {"oasis-ubl21/UBL-Order-2.1-Example.xml", "34", "MAFO", "2.1", "Moderna Produkter AB",
       "peppol:GLN:7302347231111;gln:7302347231111;party-id:SellerPartyID123;se:orgnr:5532332283",
       {{1, "", "", 600000, "SEK"}, {2, "", "", 22500, "SEK"}}},
      {"peppol-bis3/Order_Example.xml", "34", "MAFO", "2.1", "Helseavdeling",
       "peppol:0192:123456785;icd-0192:123456785;gln:7300010000001;icd-0082:123456789",
       {{1, "MP", "12345678", 630000, "NOK"}, {2, "MP", "56789123", 22500, "NOK"}}},
      {"peppol-bis3/UC4_Order.xml", "5", "REQ-1", "2.1", "Surgery Department",
       "peppol:0192:987654325;icd-0192:987654325", {{1, "MP", "76455", 5000, "EUR"}}},
  };
  for (const ExpectedOrder& expected : orders) {
    SCOPED_TRACE(expected.file);
    const fs::path file = dir_ / expected.file;
    if (!fs::exists(file)) {
      ADD_FAILURE() << "the corpus lacks " << file;
      continue;
    }
    auto read = read_order(*adapter_, read_file(file));
    ASSERT_TRUE(read.ok()) << read.error().describe();
    ASSERT_EQ(read->size(), expected.lines.size());
    for (std::size_t i = 0; i < read->size(); ++i) {
      const OrderChoice& c = (*read)[i];
      EXPECT_EQ(c.order_ref, expected.order_ref);
      EXPECT_EQ(c.correlation_id, expected.correlation_id);
      EXPECT_EQ(c.document_version, expected.version);
      EXPECT_EQ(c.department, expected.department);
      EXPECT_EQ(identifiers(c), expected.identifiers);
      EXPECT_EQ(c.supplier_id, "");
      EXPECT_TRUE(c.accepted);
      EXPECT_EQ(c.line, expected.lines[i].line);
      EXPECT_EQ(c.category.code_system, expected.lines[i].code_system);
      EXPECT_EQ(c.category.code, expected.lines[i].code);
      ASSERT_TRUE(c.amount.has_value());
      EXPECT_EQ(*c.amount, (Money{expected.lines[i].minor, expected.lines[i].currency}));
    }
  }
}

TEST_F(UblCorpus, EveryOrderResponseGivesItsStatus) {
  const std::vector<ExpectedStatus> responses = {
      {"aunz-peppol/NZ Order Response.xml", "11233", OrderStatus::conditionally_accepted, "CA"},
      // No OrderResponseCode: a response with amendments.
      {"oasis-ubl21/UBL-OrderResponse-2.1-Example.xml", "34", OrderStatus::conditionally_accepted, ""},
      {"peppol-bis3/OrderResponse_Example.xml", "11233", OrderStatus::conditionally_accepted, "CA"},
      {"peppol-bis3/UC1_Order_response.xml", "1", OrderStatus::conditionally_accepted, "CA"},
  };
  for (const ExpectedStatus& expected : responses) {
    SCOPED_TRACE(expected.file);
    const fs::path file = dir_ / expected.file;
    if (!fs::exists(file)) {
      ADD_FAILURE() << "the corpus lacks " << file;
      continue;
    }
    auto message = adapter_->recognise(read_file(file));
    ASSERT_TRUE(message.ok()) << message.error().describe();
    EXPECT_EQ((*message)->kind(), MessageKind::order_response);
    auto status = adapter_->read_order_status(**message);
    ASSERT_TRUE(status.ok()) << status.error().describe();
    EXPECT_EQ(status->order_ref, expected.order_ref);
    EXPECT_EQ(status->status, expected.status);
    EXPECT_EQ(status->code, expected.code);
  }
}

TEST_F(UblCorpus, OtherUblDocumentsAreRecognisedButAreNotOrders) {
  int seen = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
    if (entry.path().extension() != ".xml") continue;
    const std::string name = entry.path().filename().string();
    if (name.find("Order") != std::string::npos) continue;
    SCOPED_TRACE(entry.path().string());
    auto message = adapter_->recognise(read_file(entry.path()));
    ASSERT_TRUE(message.ok()) << message.error().describe();
    EXPECT_EQ((*message)->kind(), MessageKind::unknown);
    ++seen;
  }
  EXPECT_GT(seen, 0);
}

TEST_F(UblCorpus, TheOrderChangeReadsAsANewVersionOfItsOrder) {
  const fs::path file = dir_ / "peppol-bis3" / "OrderChange_Example.xml";
  if (!fs::exists(file)) GTEST_SKIP() << "no " << file;
  auto message = adapter_->recognise(read_file(file));
  ASSERT_TRUE(message.ok()) << message.error().describe();
  EXPECT_EQ((*message)->kind(), MessageKind::order_request);
  auto lines = adapter_->read_choice(**message, nullptr);
  ASSERT_TRUE(lines.ok()) << lines.error().describe();
  ASSERT_EQ(lines->size(), 2U);
  for (const OrderChoice& line : *lines) {
    EXPECT_EQ(line.order_ref, "Order-1");
    EXPECT_EQ(line.order_version, 1);
    EXPECT_EQ(line.document_ref, "Change-1");
  }
  EXPECT_EQ((*lines)[0].amount->minor, 20000);
  EXPECT_EQ((*lines)[1].amount->minor, 30000);
  EXPECT_EQ((*lines)[1].amount->currency, "EUR");
}

}  // namespace
}  // namespace socialdefault::ubl
