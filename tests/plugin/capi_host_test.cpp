// sd_offer and sd_record_choices through the C ABI only (libsocialdefault.so),
// as an ERP module that reads its own documents calls them (docs/tryton.md).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "socialdefault/socialdefault.h"
#include "temp_dir.hpp"

namespace {

constexpr int64_t kMay4 = 1777888800;  // 2026-05-04 10:00 UTC: every flower supplier's evidence is valid

std::string source(const std::string& relative) { return std::string(SD_SOURCE_DIR) + "/" + relative; }

class CapiHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string config = source("examples/config.xml");
    const std::string ledger = (dir_ / "ledger.db").string();
    sd_error* error = nullptr;
    // No mapping: a host that reads its own documents needs no adapter.
    ASSERT_EQ(sd_engine_open(config.c_str(), "", ledger.c_str(), nullptr, &engine_, &error), SD_OK)
        << sd_error_message(error);
  }
  void TearDown() override { sd_engine_close(engine_); }

  boost::json::value offer(const std::string& json) {
    char* out = nullptr;
    size_t size = 0;
    sd_error* error = nullptr;
    const sd_status status = sd_offer(engine_, json.data(), json.size(), "tryton", kMay4, &out, &size, &error);
    EXPECT_EQ(status, SD_OK) << sd_error_message(error);
    sd_error_free(error);
    if (out == nullptr) return {};
    boost::json::value v = boost::json::parse(std::string(out, size));
    sd_buffer_free(out);
    return v;
  }

  // The status, and the message and field of the error.
  struct Failure {
    sd_status status;
    std::string message;
    std::string where;
  };
  Failure offer_fails(const std::string& json) {
    char* out = nullptr;
    sd_error* error = nullptr;
    Failure f{sd_offer(engine_, json.data(), json.size(), "tryton", kMay4, &out, nullptr, &error), "", ""};
    EXPECT_EQ(out, nullptr);
    f.message = sd_error_message(error);
    f.where = sd_error_where(error);
    sd_error_free(error);
    return f;
  }
  Failure record_fails(const std::string& json) {
    sd_error* error = nullptr;
    Failure f{sd_record_choices(engine_, json.data(), json.size(), "tryton", kMay4, nullptr, nullptr, nullptr, &error),
              "", ""};
    f.message = sd_error_message(error);
    f.where = sd_error_where(error);
    sd_error_free(error);
    return f;
  }

  socialdefault::testing::TempDir dir_{"capi_host"};
  sd_engine* engine_ = nullptr;
};

const char* kFlowers = R"({"correlation_id": "REQ-1", "category": {"code_system": "CPV", "code": "03121200-7"},
  "requester": "employee-7", "department": "Burgerzaken",
  "candidates": [{"supplier_id": "FLR-100", "price": "25.00", "currency": "EUR", "preselected": true},
                 {"supplier_id": "FLR-200"},
                 {"supplier_id": "tryton-party-9", "identifiers": [{"scheme": "kvk", "value": "70000003"}]}]})";

TEST_F(CapiHostTest, OfferPreselectsASocialSupplierAndKeepsEveryCandidate) {
  const boost::json::value d = offer(kFlowers);
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d.at("reason"), "applied");
  EXPECT_EQ(d.at("correlation_id"), "REQ-1");
  const std::string chosen(d.at("default_supplier").as_string());
  EXPECT_EQ(chosen.rfind("BLOEM-0", 0), 0u) << chosen;
  // Every candidate is still there; exactly one line is preselected: the default.
  const boost::json::array& order = d.at("order").as_array();
  int preselected = 0;
  int from_erp = 0;
  for (const auto& p : order) {
    if (p.at("preselected").as_bool()) {
      ++preselected;
      EXPECT_TRUE(p.at("social").as_bool());
    }
    if (!p.at("injected").as_bool()) ++from_erp;
  }
  EXPECT_EQ(preselected, 1);
  EXPECT_EQ(from_erp, 3);
  // The requester is never handed back, only its pseudonym.
  EXPECT_EQ(boost::json::serialize(d).find("employee-7"), std::string::npos);
}

TEST_F(CapiHostTest, OfferForAnUnknownCategoryChangesNothing) {
  const boost::json::value d =
      offer(R"({"category": {"code": "99999999-9"}, "candidates": [{"supplier_id": "FLR-100", "preselected": true}]})");
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d.at("reason"), "no-policy");
  EXPECT_EQ(d.at("default_supplier"), "");
}

TEST_F(CapiHostTest, RecordedChoicesAreLinkedToTheirOffers) {
  std::string defaults[3];
  for (int i = 0; i < 3; ++i) {
    const std::string json = R"({"correlation_id": "REQ-)" + std::to_string(i + 1) +
                             R"(", "category": {"code_system": "CPV", "code": "03121200-7"},
                                "candidates": [{"supplier_id": "FLR-100"}]})";
    defaults[i] = std::string(offer(json).at("default_supplier").as_string());
  }
  // Another social supplier than the one offered on REQ-3.
  const std::string other = defaults[2] == "BLOEM-01" ? "BLOEM-02" : "BLOEM-01";
  const std::string lines = R"([
    {"correlation_id": "REQ-1", "order_ref": "RQ1", "category": {"code_system": "CPV", "code": "03121200-7"},
     "supplier_id": ")" + defaults[0] + R"(", "amount": "25.00", "currency": "EUR", "requester": "employee-7"},
    {"correlation_id": "REQ-2", "order_ref": "RQ2", "category": {"code_system": "CPV", "code": "03121200-7"},
     "supplier_id": "FLR-100", "amount": "30", "currency": "EUR"},
    {"correlation_id": "REQ-3", "order_ref": "RQ3", "line": 2, "category": {"code_system": "CPV", "code": "03121200-7"},
     "supplier_id": "tryton-party-1", "identifiers": [{"scheme": "erp", "value": ")" + other + R"("}]},
    {"correlation_id": "REQ-4", "category": {"code": "03121200-7"}, "supplier_id": "FLR-200", "accepted": false}])";
  size_t recorded = 0;
  char* out = nullptr;
  size_t size = 0;
  sd_error* error = nullptr;
  ASSERT_EQ(sd_record_choices(engine_, lines.data(), lines.size(), "tryton", kMay4, &recorded, &out, &size, &error),
            SD_OK)
      << sd_error_message(error);
  EXPECT_EQ(recorded, 3u);  // the refused line is not a choice
  const boost::json::value records = boost::json::parse(std::string(out, size));
  sd_buffer_free(out);
  ASSERT_EQ(records.as_array().size(), 3u);
  EXPECT_EQ(records.at(0).at("outcome"), "kept-default");
  EXPECT_EQ(records.at(1).at("outcome"), "regular");
  EXPECT_EQ(records.at(2).at("outcome"), "other-social");
  EXPECT_EQ(records.at(2).at("chosen_supplier"), other.c_str());
  EXPECT_EQ(records.at(2).at("line"), 2);
  EXPECT_EQ(records.at(1).at("default_offered"), defaults[1].c_str());

  char* report = nullptr;
  ASSERT_EQ(sd_verify(engine_, &report, nullptr, nullptr), SD_OK);
  sd_buffer_free(report);
}

TEST_F(CapiHostTest, RecordWithoutAnOfferIsNotOffered) {
  const std::string lines = R"([{"category": {"code": "03121200-7"}, "supplier_id": "BLOEM-01"}])";
  char* out = nullptr;
  size_t size = 0;
  ASSERT_EQ(sd_record_choices(engine_, lines.data(), lines.size(), nullptr, kMay4, nullptr, &out, &size, nullptr),
            SD_OK);
  const boost::json::value records = boost::json::parse(std::string(out, size));
  sd_buffer_free(out);
  EXPECT_EQ(records.at(0).at("outcome"), "not-offered");
  EXPECT_EQ(records.at(0).at("social"), true);
}

TEST_F(CapiHostTest, OfferErrorsNameTheField) {
  auto f = offer_fails("{not json");
  EXPECT_EQ(f.status, SD_INVALID_ARGUMENT);
  EXPECT_EQ(f.where, "shortlist");
  EXPECT_EQ(f.message.rfind("shortlist: not JSON: ", 0), 0u) << f.message;

  f = offer_fails("[]");
  EXPECT_EQ(f.message, "shortlist: expected an object");

  f = offer_fails(R"({"candidates": []})");
  EXPECT_EQ(f.where, "shortlist.category");
  EXPECT_EQ(f.message, "shortlist.category: required, an object");

  f = offer_fails(R"({"category": {"code_system": "CPV"}})");
  EXPECT_EQ(f.message, "shortlist.category.code: required, a string");

  f = offer_fails(R"({"category": {"code": 3121}})");
  EXPECT_EQ(f.message, "shortlist.category.code: expected a string");

  f = offer_fails(R"({"category": {"code": "x"}, "candidates": {}})");
  EXPECT_EQ(f.message, "shortlist.candidates: expected an array");

  f = offer_fails(R"({"category": {"code": "x"}, "candidates": [{"supplier_id": "A"}, {"name": "B"}]})");
  EXPECT_EQ(f.where, "shortlist.candidates[1].supplier_id");
  EXPECT_EQ(f.message, "shortlist.candidates[1].supplier_id: required, a string");

  f = offer_fails(R"({"category": {"code": "x"}, "candidates": [7]})");
  EXPECT_EQ(f.message, "shortlist.candidates[0]: expected an object");

  f = offer_fails(R"({"category": {"code": "x"}, "candidates": [{"supplier_id": "A", "price": "12.50"}]})");
  EXPECT_EQ(f.message, "shortlist.candidates[0].currency: required with price, an ISO 4217 code");

  f = offer_fails(
      R"({"category": {"code": "x"}, "candidates": [{"supplier_id": "A", "price": "12.505", "currency": "EUR"}]})");
  EXPECT_EQ(f.where, "shortlist.candidates[0].price");
  EXPECT_EQ(f.message, "shortlist.candidates[0].price: \"12.505\": more than 2 decimals for EUR");

  f = offer_fails(R"({"category": {"code": "x"}, "candidates": [{"supplier_id": "A", "preselected": "yes"}]})");
  EXPECT_EQ(f.message, "shortlist.candidates[0].preselected: expected true or false");

  f = offer_fails(R"({"category": {"code": "x"}, "candidates": [{"supplier_id": "A", "identifiers": [{"scheme": "kvk"}]}]})");
  EXPECT_EQ(f.message, "shortlist.candidates[0].identifiers[0].value: required, a string");

  f = offer_fails(R"({"category": {"code": "x"}, "candidates": [{"supplier_id": "A", "identifiers": ["kvk"]}]})");
  EXPECT_EQ(f.message, "shortlist.candidates[0].identifiers[0]: expected an object");
}

TEST_F(CapiHostTest, RecordErrorsNameTheField) {
  auto f = record_fails(R"({"lines": []})");
  EXPECT_EQ(f.status, SD_INVALID_ARGUMENT);
  EXPECT_EQ(f.message, "lines: expected an array");

  f = record_fails("[1]");
  EXPECT_EQ(f.message, "lines[0]: expected an object");

  f = record_fails(R"([{"category": {"code": "x"}}])");
  EXPECT_EQ(f.where, "lines[0].supplier_id");
  EXPECT_EQ(f.message, "lines[0].supplier_id: required, a string");

  f = record_fails(R"([{"category": {"code": "x"}, "supplier_id": "A", "line": 0}])");
  EXPECT_EQ(f.message, "lines[0].line: expected a whole number from 1 to 1000000");

  f = record_fails(R"([{"category": {"code": "x"}, "supplier_id": "A", "amount": "3"}])");
  EXPECT_EQ(f.message, "lines[0].currency: required with amount, an ISO 4217 code");

  f = record_fails(R"([{"category": {"code": "x"}, "supplier_id": "A", "accepted": 1}])");
  EXPECT_EQ(f.message, "lines[0].accepted: expected true or false");

  f = record_fails(R"([{"supplier_id": "A"}])");
  EXPECT_EQ(f.message, "lines[0].category: required, an object");
}

TEST_F(CapiHostTest, NullArgumentsAreRefused) {
  sd_error* error = nullptr;
  EXPECT_EQ(sd_offer(nullptr, "{}", 2, nullptr, 0, nullptr, nullptr, &error), SD_INVALID_ARGUMENT);
  EXPECT_STREQ(sd_error_message(error), "sd_offer: engine, shortlist_json and decision_json are required");
  sd_error_free(error);
  EXPECT_EQ(sd_record_choices(engine_, nullptr, 0, nullptr, 0, nullptr, nullptr, nullptr, &error), SD_INVALID_ARGUMENT);
  EXPECT_STREQ(sd_error_message(error), "sd_record_choices: engine and lines_json are required");
  sd_error_free(error);
}

}  // namespace
