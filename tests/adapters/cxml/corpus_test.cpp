// Every order-type sample of the shared cXML corpus (OrderRequest,
// PunchOutOrderMessage) reads into the expected lines, and no SharedSecret
// of the corpus reaches them. Skipped with the reason when the corpus is absent.
#include <gtest/gtest.h>

#include "cxml_test_support.hpp"

namespace socialdefault::cxml {
namespace {

namespace fs = std::filesystem;
using namespace socialdefault::cxml::testing;

struct ExpectedLine {
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
  const char* requester;
  const char* identifiers;
  std::vector<ExpectedLine> lines;
};

TEST(CxmlCorpus, EveryOrderReadsIntoItsExpectedLines) {
  const fs::path dir = corpus_dir() / "cxml" / "samples";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no cXML corpus at " << dir << " (set SD_CORPUS_DIR to the shared corpus)";
  auto adapter = cxml_adapter();
  ASSERT_NE(adapter, nullptr);
  const std::vector<ExpectedOrder> orders = {
      {"OrderRequest.xml", "DO1234", "", "1.2.050", "", "cxml-networkid:supplier@supplier.com",
       {{"custom", "0", 2100, "EUR"}, {"custom", "0", 6400, "EUR"}}},
      {"purchase_order_request_200.xml", "6112", "", "1.2.014", "jmadden@coupa1.com", "duns:128293714",
       {{"UNSPSC", "44000000", 150500, "USD"}, {"UNSPSC", "44000000", 301000, "USD"}}},
      {"PunchoutOrderMessage.xml", "", "1CX3L4843PPZO", "1.2.050", "", "duns:83528721",
       {{"UNSPSC", "ean1234", 228960, "USD"}, {"UNSPSC", "ean1234", 381600, "USD"}}},
      // The unit price is for a PriceBasisQuantity of 2: 2 x 104.99 / 2.
      {"PunchoutOrderMessageAdvancedPricing.xml", "", "1CX3L4843PPZO", "1.2.050", "", "duns:83528721",
       {{"UNSPSC", "ean1234", 10499, "USD"}}},
  };
  for (const ExpectedOrder& expected : orders) {
    SCOPED_TRACE(expected.file);
    const fs::path file = dir / expected.file;
    if (!fs::exists(file)) {
      ADD_FAILURE() << "the corpus lacks " << file;
      continue;
    }
    const std::string text = read_file(file);
    auto read = read_order(*adapter, text);
    ASSERT_TRUE(read.ok()) << read.error().describe();
    ASSERT_EQ(read->size(), expected.lines.size());
    for (std::size_t i = 0; i < read->size(); ++i) {
      const OrderChoice& c = (*read)[i];
      EXPECT_EQ(c.order_ref, expected.order_ref);
      EXPECT_EQ(c.correlation_id, expected.correlation_id);
      EXPECT_EQ(c.document_version, expected.version);
      EXPECT_EQ(c.requester, expected.requester);
      EXPECT_EQ(identifiers(c), expected.identifiers);
      EXPECT_EQ(c.category.code_system, expected.lines[i].code_system);
      EXPECT_EQ(c.category.code, expected.lines[i].code);
      ASSERT_TRUE(c.amount.has_value());
      EXPECT_EQ(*c.amount, (Money{expected.lines[i].minor, expected.lines[i].currency}));
      EXPECT_EQ(identifiers(c).find("coyote"), std::string::npos);
    }
  }
}

TEST(CxmlCorpus, OtherSamplesAreRecognisedOrRefusedButNeverRecorded) {
  const fs::path dir = corpus_dir() / "cxml" / "samples";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no cXML corpus at " << dir << " (set SD_CORPUS_DIR to the shared corpus)";
  auto adapter = cxml_adapter();
  ASSERT_NE(adapter, nullptr);
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find("Order") != std::string::npos || name.find("purchase_order") != std::string::npos) continue;
    SCOPED_TRACE(name);
    auto message = adapter->recognise(read_file(entry.path()));
    ASSERT_TRUE(message.ok()) << message.error().describe();
    EXPECT_NE((*message)->kind(), MessageKind::order_request);
    ++seen;
  }
  EXPECT_GT(seen, 0);
}

}  // namespace
}  // namespace socialdefault::cxml
