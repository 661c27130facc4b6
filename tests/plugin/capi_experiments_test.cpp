// sd_experiments_report through the C ABI only (libsocialdefault.so): after
// shortlists and orders of an experiment went through sd_rewrite and
// sd_record, the report gives each arm's orders and social share as they
// were recorded; its errors come back as statuses with their messages.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "socialdefault/socialdefault.h"
#include "temp_dir.hpp"
#include "test_files.hpp"

namespace {

namespace fs = std::filesystem;
using socialdefault::testing::read_file;
using socialdefault::testing::TempDir;

const fs::path kExamples = fs::path(SD_SOURCE_DIR) / "examples";
// 2026-11-27 11:00 in Amsterdam, inside the test's experiment.
constexpr std::int64_t kAt = 1795773600;

// A caller-owned buffer and error, freed as the header says.
struct Output {
  char* text = nullptr;
  size_t size = 0;
  sd_error* error = nullptr;
  ~Output() {
    sd_buffer_free(text);
    sd_error_free(error);
  }
  std::string str() const { return text == nullptr ? std::string() : std::string(text, size); }
  std::string message() const { return error == nullptr ? std::string() : sd_error_message(error); }
};

class CapiExperiments : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string config = read_file(kExamples / "config.xml");
    const std::string experiments = "<experiments>\n";
    const auto at = config.find(experiments);
    ASSERT_NE(at, std::string::npos);
    config.insert(at + experiments.size(),
                  "    <experiment id=\"flowers-capi\" from=\"2026-11-01\" until=\"2026-12-31\"\n"
                  "                minimum-effect=\"10\">\n"
                  "      <category code=\"03121200-7\"/>\n"
                  "      <arm name=\"control\" control=\"true\"/>\n"
                  "      <arm name=\"impact\" nudges=\"impact\"/>\n"
                  "    </experiment>\n");
    std::ofstream(dir_ / "config.xml", std::ios::binary) << config;
    fs::copy_file(kExamples / "pseudonym.key", dir_ / "pseudonym.key");
    const std::string config_path = (dir_ / "config.xml").string();
    const std::string mapping_path = (kExamples / "erp" / "mapping.xml").string();
    const std::string ledger_path = (dir_ / "ledger.sqlite").string();
    Output out;
    ASSERT_EQ(sd_engine_open(config_path.c_str(), mapping_path.c_str(), ledger_path.c_str(), nullptr, &engine_,
                             &out.error),
              SD_OK)
        << out.message();
  }
  void TearDown() override { sd_engine_close(engine_); }

  static std::string message(const std::string& name, const std::string& id, const std::string& requester,
                             const std::string& supplier = "BLOEM-02") {
    std::string text = read_file(kExamples / "erp" / name);
    const auto replace = [&](const std::string& from, const std::string& to) {
      const auto at = text.find(from);
      if (at != std::string::npos) text.replace(at, from.size(), to);
    };
    replace("REQ-2026-004711", id);
    replace(">E10442<", ">" + requester + "<");
    replace(">BLOEM-02</pur:SupplierId>", ">" + supplier + "</pur:SupplierId>");
    return text;
  }

  // One order through the C ABI: the shortlist (its arm from the decision),
  // then the order. Returns the arm's name without the experiment.
  std::string order(int n, bool social) {
    const std::string id = "REQ-C-" + std::to_string(n);
    const std::string requester = "C" + std::to_string(n);
    const std::string response = message("shortlist-response.xml", id, requester);
    const std::string request = message("shortlist-request.xml", id, requester);
    Output body;
    char* decision = nullptr;
    size_t decision_size = 0;
    EXPECT_EQ(sd_rewrite(engine_, response.data(), response.size(), request.data(), request.size(), kAt, &body.text,
                         &body.size, &decision, &decision_size, &body.error),
              SD_OK)
        << body.message();
    const std::string json(decision != nullptr ? decision : "", decision_size);
    sd_buffer_free(decision);
    const std::string arm(boost::json::parse(json).as_object().at("arm").as_string());

    const std::string order = message("order-request.xml", id, requester, social ? "BLOEM-02" : "FLR-100");
    size_t recorded = 0;
    Output result;
    EXPECT_EQ(sd_record(engine_, order.data(), order.size(), nullptr, 0, kAt + 60, &recorded, &result.error), SD_OK)
        << result.message();
    EXPECT_EQ(recorded, 1u);
    EXPECT_EQ(arm.rfind("flowers-capi/", 0), 0u) << arm;
    return arm.substr(std::string("flowers-capi/").size());
  }

  TempDir dir_;
  sd_engine* engine_ = nullptr;
};

// x of n as a percentage with two decimals, halves rounded away from zero.
std::string percent(long x, long n) {
  char buffer[32];
  const double share = std::round(10000.0 * static_cast<double>(x) / static_cast<double>(n)) / 100;
  std::snprintf(buffer, sizeof buffer, "%.2f", share);
  return buffer;
}

TEST_F(CapiExperiments, TheReportCountsTheRecordedOrdersOfEachArm) {
  struct Tally {
    long orders = 0;
    long social = 0;
  };
  std::map<std::string, Tally> expected;
  for (int i = 0; i < 40; ++i) {
    const bool social = i % 3 != 0;  // two of every three orders go to a social supplier
    Tally& t = expected[order(i, social)];
    ++t.orders;
    t.social += social ? 1 : 0;
  }
  ASSERT_GT(expected["control"].orders, 0);
  ASSERT_GT(expected["impact"].orders, 0);

  Output json;
  ASSERT_EQ(sd_experiments_report(engine_, "flowers-capi", "json", &json.text, &json.size, &json.error), SD_OK)
      << json.message();
  ASSERT_EQ(json.str().size(), std::string(json.text).size());  // NUL-terminated, size without it
  const boost::json::object report = boost::json::parse(json.str()).as_object();
  const boost::json::array& experiments = report.at("experiments").as_array();
  ASSERT_EQ(experiments.size(), 1u);
  const boost::json::object& e = experiments[0].as_object();
  EXPECT_EQ(e.at("id").as_string(), "flowers-capi");
  EXPECT_EQ(e.at("minimum_effect").as_string(), "10.00");
  const Tally control = expected["control"];
  EXPECT_EQ(e.at("base_share").as_string(), percent(control.social, control.orders));
  const boost::json::array& arms = e.at("arms").as_array();
  ASSERT_EQ(arms.size(), 2u);
  for (const boost::json::value& v : arms) {
    const boost::json::object& a = v.as_object();
    const std::string name(a.at("arm").as_string());
    const Tally t = expected[name];
    SCOPED_TRACE(name);
    EXPECT_EQ(a.at("orders").as_int64(), t.orders);
    EXPECT_EQ(a.at("social_orders").as_int64(), t.social);
    EXPECT_EQ(a.at("social_share").as_string(), percent(t.social, t.orders));
    EXPECT_EQ(a.at("control").as_bool(), name == "control");
    if (name == "impact") {
      const double difference = 100.0 * static_cast<double>(t.social) / static_cast<double>(t.orders) -
                                100.0 * static_cast<double>(control.social) / static_cast<double>(control.orders);
      EXPECT_NEAR(std::stod(std::string(a.at("difference").as_string())), difference, 0.006);
    } else {
      EXPECT_TRUE(a.at("difference").is_null());
    }
  }

  // The same figures as CSV: one row per arm, and without an id every
  // experiment of the configuration (the example's catering one has none).
  Output csv;
  ASSERT_EQ(sd_experiments_report(engine_, nullptr, "csv", &csv.text, &csv.size, &csv.error), SD_OK) << csv.message();
  const std::string text = csv.str();
  const std::string impact_row = "flowers-capi,2026-11-01,2026-12-31,10.00,0.05,0.80," +
                                 percent(control.social, control.orders) + ",false,impact,false,1," +
                                 std::to_string(expected["impact"].orders) + "," +
                                 std::to_string(expected["impact"].social) + ",";
  EXPECT_NE(text.find(impact_row), std::string::npos) << text;
  EXPECT_NE(text.find("\ncatering-2027,"), std::string::npos) << text;
}

TEST_F(CapiExperiments, ErrorsComeBackAsStatusesWithTheirMessages) {
  Output unknown;
  EXPECT_EQ(sd_experiments_report(engine_, "no-such", "json", &unknown.text, &unknown.size, &unknown.error),
            SD_NOT_FOUND);
  EXPECT_EQ(unknown.text, nullptr);
  ASSERT_NE(unknown.error, nullptr);
  EXPECT_EQ(sd_error_status(unknown.error), SD_NOT_FOUND);
  EXPECT_EQ(unknown.message(),
            "experiment \"no-such\" is not in the configuration; expected the id of an <experiment>");

  Output format;
  EXPECT_EQ(sd_experiments_report(engine_, "", "pdf", &format.text, &format.size, &format.error), SD_INVALID_ARGUMENT);
  EXPECT_NE(format.message().find("pdf"), std::string::npos) << format.message();

  Output missing;
  EXPECT_EQ(sd_experiments_report(engine_, "", "json", nullptr, nullptr, &missing.error), SD_INVALID_ARGUMENT);
  EXPECT_EQ(missing.message(), "sd_experiments_report: engine, format and out are required");
  EXPECT_EQ(sd_experiments_report(nullptr, "", "json", &missing.text, &missing.size, nullptr), SD_INVALID_ARGUMENT);
}

}  // namespace
