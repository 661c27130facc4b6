// The console's API without sockets: the configuration as JSON, a change
// checked by the loader (messages mapped to fields), written atomically,
// recorded in the ledger with the actor and reloaded; stats, the list of
// changes, the preview and the page.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "admin_handler.hpp"
#include "console_api.hpp"
#include "console_config.hpp"
#include "socialdefault/policy_writer.hpp"
#include "temp_dir.hpp"

namespace socialdefault::gateway {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using socialdefault::testing::TempDir;

// The Backend the console needs: a real SQLite ledger, the rest unused.
class LedgerBackend final : public Backend {
 public:
  explicit LedgerBackend(std::unique_ptr<Ledger> ledger) : ledger_(std::move(ledger)) {}
  Result<std::shared_ptr<const Adapter>> make_adapter(const Route&, const Limits&) override {
    return make_error(ErrorCode::unsupported, "no adapters here");
  }
  RewriteResult rewrite(const Adapter&, std::string_view, std::optional<std::string_view>, UtcSeconds) override {
    return {};
  }
  Result<std::vector<ChoiceRecord>> prepare_choices(const Adapter&, std::string_view, std::optional<std::string_view>,
                                                    UtcSeconds) override {
    return std::vector<ChoiceRecord>{};
  }
  Result<void> reload_policy(const std::string&, UtcSeconds) override { return {}; }
  Result<void> export_report(std::string_view, std::string_view, std::string_view, std::string_view, std::ostream&,
                             UtcSeconds) override {
    return {};
  }
  Result<VerifyReport> verify() override { return ledger_->verify(); }
  Ledger& ledger() override { return *ledger_; }
  GroupCommitStats offer_stats() const override { return {}; }

 private:
  std::unique_ptr<Ledger> ledger_;
};

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class ConsoleApiTest : public ::testing::Test {
 protected:
  ConsoleApiTest() {
    const fs::path examples = fs::path(SD_SOURCE_DIR) / "examples";
    fs::copy_file(examples / "config.xml", dir / "config.xml");
    fs::copy_file(examples / "pseudonym.key", dir / "pseudonym.key");
    config.policy = dir / "config.xml";
    config.ledger = dir / "ledger.db";
    auto keys = Keys::from_file(dir / "pseudonym.key");
    EXPECT_TRUE(keys) << keys.error().describe();
    auto ledger = open_sqlite_ledger(config.ledger, *keys);
    EXPECT_TRUE(ledger) << ledger.error().describe();
    backend = std::make_unique<LedgerBackend>(std::move(ledger).value());
    console = std::make_unique<ConsoleApi>(*backend, log);
    console->now = [] { return UtcSeconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}} + std::chrono::hours(10); };
    reload = [this](const std::string& actor) -> Result<void> {
      reloaded_by = actor;
      if (fail_reload) return make_error(ErrorCode::config, "the reload failed");
      auto policy = load_policy(config.policy);
      if (!policy) return std::move(policy).error();
      return {};
    };
  }

  Response call(http::verb verb, const std::string& target, const std::string& body = "") {
    Request request{verb, target, 11};
    request.body() = body;
    request.prepare_payload();
    const std::size_t q = target.find('?');
    const std::string path = target.substr(0, q);
    const std::string query = q == std::string::npos ? "" : target.substr(q + 1);
    return console->handle(config, request, path, query, "inkoop-anna", reload);
  }
  json::object get_config() {
    const Response r = call(http::verb::get, "/console/api/config");
    EXPECT_EQ(r.result(), http::status::ok) << r.body();
    return json::parse(r.body()).as_object();
  }
  Response put(const json::object& loaded, const json::value& edited_config) {
    return call(http::verb::put, "/console/api/config",
                json::serialize(json::object{{"version", loaded.at("version")}, {"config", edited_config}}));
  }

  TempDir dir{"sd_console"};
  GatewayConfig config;
  std::ostringstream log_text;
  JsonLog log{log_text, LogLevel::debug};
  std::unique_ptr<LedgerBackend> backend;
  std::unique_ptr<ConsoleApi> console;
  ConsoleApi::Reload reload;
  std::string reloaded_by;
  bool fail_reload = false;
};

TEST_F(ConsoleApiTest, ConfigurationAsJson) {
  const json::object loaded = get_config();
  EXPECT_EQ(loaded.at("file").as_string(), "config.xml");
  EXPECT_EQ(loaded.at("today").as_string(), "2026-11-27");
  EXPECT_EQ(loaded.at("version").as_string().size(), 64u);
  const json::object& c = loaded.at("config").as_object();
  EXPECT_EQ(c.at("suppliers").as_array().size(), 26u);
  const json::object& flowers = c.at("categories").as_array()[0].as_object();
  EXPECT_EQ(flowers.at("code").as_string(), "03121200-7");
  EXPECT_EQ(flowers.at("price_tolerance").as_string(), "15");
  EXPECT_EQ(flowers.at("name_en").as_string(), "Flowers");
  EXPECT_EQ(flowers.at("strategy").as_string(), "rotate");
  EXPECT_EQ(json::serialize(flowers.at("social_suppliers")), R"(["BLOEM-01","BLOEM-02","BLOEM-03"])");
  EXPECT_EQ(c.at("organisation").at("key_file").as_string(), "pseudonym.key");
  EXPECT_EQ(c.at("suppliers").as_array()[0].at("evidence").as_array()[0].at("valid_until").as_string(), "2027-12-31");
}

TEST_F(ConsoleApiTest, AFileThatDoesNotLoadIsNotShown) {
  std::ofstream(config.policy) << "<configuration/>";
  const Response r = call(http::verb::get, "/console/api/config");
  ASSERT_EQ(r.result(), http::status::conflict);
  EXPECT_NE(json::parse(r.body()).at("error").as_string().find("config.xml:1: "), std::string::npos) << r.body();
}

TEST_F(ConsoleApiTest, ChangeIsWrittenRecordedAndReloaded) {
  const json::object loaded = get_config();
  json::value edited = loaded.at("config");
  edited.at("categories").as_array()[1].as_object()["social_suppliers"] = json::array{"GIFT-S3", "GIFT-S1", "GIFT-S2"};
  edited.at("categories").as_array()[1].as_object()["price_tolerance"] = "12.5";
  const Response r = put(loaded, edited);
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  const json::object answer = json::parse(r.body()).as_object();
  EXPECT_TRUE(answer.at("saved").as_bool());
  EXPECT_EQ(answer.at("summary").as_string(),
            "category CPV 18530000-3 Relatiegeschenken: social_suppliers, price_tolerance");
  EXPECT_EQ(reloaded_by, "inkoop-anna");

  auto policy = load_policy(config.policy);
  ASSERT_TRUE(policy) << policy.error().describe();
  EXPECT_EQ((*policy)->categories[1].social_suppliers.front(), "GIFT-S3");
  EXPECT_EQ((*policy)->categories[1].price_tolerance_basis_points, 1250u);
  EXPECT_EQ(answer.at("version").as_string(), (*policy)->source_sha256);
  EXPECT_EQ(read(dir / "config.xml.previous"), read(fs::path(SD_SOURCE_DIR) / "examples" / "config.xml"));

  auto last = backend->ledger().last_config_change();
  ASSERT_TRUE(last && last->has_value());
  EXPECT_EQ((*last)->actor, "inkoop-anna");
  EXPECT_EQ((*last)->file, "config.xml");
  EXPECT_EQ((*last)->sha256, (*policy)->source_sha256);
  EXPECT_EQ((*last)->summary, "console: category CPV 18530000-3 Relatiegeschenken: social_suppliers, price_tolerance");

  const Response changes = call(http::verb::get, "/console/api/changes?limit=5");
  ASSERT_EQ(changes.result(), http::status::ok) << changes.body();
  const json::value changes_json = json::parse(changes.body());
  const json::array& list = changes_json.at("changes").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("actor").as_string(), "inkoop-anna");
  EXPECT_EQ(list[0].at("at").as_string(), "2026-11-27T10:00:00Z");
  auto verified = backend->ledger().verify();
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->intact);
}

TEST_F(ConsoleApiTest, SavingTheSameConfigurationChangesNothing) {
  const json::object loaded = get_config();
  const Response r = put(loaded, loaded.at("config"));
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  EXPECT_EQ(json::parse(r.body()).at("summary").as_string(), "no change");
  EXPECT_TRUE(reloaded_by.empty());
  EXPECT_FALSE(fs::exists(dir / "config.xml.previous"));
}

TEST_F(ConsoleApiTest, LoaderProblemsComeBackAtTheirFields) {
  const std::string before = read(config.policy);
  const json::object loaded = get_config();
  json::value edited = loaded.at("config");
  edited.at("categories").as_array()[0].as_object()["social_suppliers"] = json::array{"NOPE-1", "BLOEM-02"};
  json::object& evidence = edited.at("suppliers").as_array()[1].at("evidence").as_array()[0].as_object();
  evidence["valid_until"] = "2024-12-31";
  const Response r = put(loaded, edited);
  ASSERT_EQ(r.result(), http::status::unprocessable_entity) << r.body();
  const json::value answer = json::parse(r.body());
  const json::array& problems = answer.at("problems").as_array();
  std::map<std::string, std::string> by_field;
  for (const json::value& p : problems) by_field[std::string(p.at("field").as_string())] = p.at("message").as_string();
  ASSERT_TRUE(by_field.count("categories[0].social_suppliers[0]")) << r.body();
  EXPECT_NE(by_field["categories[0].social_suppliers[0]"].find(
                "category 03121200-7: social supplier \"NOPE-1\" is not defined; expected the id of a <supplier> in "
                "<suppliers>"),
            std::string::npos);
  EXPECT_EQ(by_field["categories[0].social_suppliers[0]"].rfind("config.xml:", 0), 0u);
  ASSERT_TRUE(by_field.count("suppliers[1].evidence[0].valid_until")) << r.body();
  EXPECT_NE(by_field["suppliers[1].evidence[0].valid_until"].find(
                "evidence valid-until 2024-12-31 is before valid-from 2025-01-01; expected an end on or after the start"),
            std::string::npos);
  EXPECT_EQ(read(config.policy), before);
  EXPECT_TRUE(reloaded_by.empty());
}

TEST_F(ConsoleApiTest, ProblemsOfFormNameTheField) {
  const json::object loaded = get_config();
  json::value edited = loaded.at("config");
  edited.at("suppliers").as_array()[0].at("evidence").as_array()[0].as_object()["valid_from"] = "2026-13-01";
  edited.at("categories").as_array()[0].as_object()["price_tolerance"] = "15,5";
  edited.at("categories").as_array()[0].as_object()["strategy"] = "random";
  edited.at("categories").as_array()[0].as_object()["social_shown"] = "0";
  edited.at("suppliers").as_array()[0].at("evidence").as_array()[0].as_object()["kind"] = "pso-9";
  const Response r = put(loaded, edited);
  ASSERT_EQ(r.result(), http::status::unprocessable_entity) << r.body();
  std::map<std::string, std::string> by_field;
  const json::value answer = json::parse(r.body());
  for (const json::value& p : answer.at("problems").as_array()) {
    by_field[std::string(p.at("field").as_string())] = p.at("message").as_string();
  }
  EXPECT_EQ(by_field["suppliers[0].evidence[0].valid_from"],
            "valid-from \"2026-13-01\" is not a valid date; expected YYYY-MM-DD, such as 2026-01-01");
  EXPECT_EQ(by_field["categories[0].price_tolerance"],
            "price-tolerance \"15,5\" is not a valid percentage; expected a number from 0 to 1000 with at most 2 "
            "decimals, such as 15 or 7.5");
  EXPECT_EQ(by_field["categories[0].strategy"], "strategy \"random\" is unknown; expected fixed or rotate");
  EXPECT_EQ(by_field["categories[0].social_shown"],
            "social-shown \"0\" is not a whole number from 1 to 1000; expected a number such as 3");
  EXPECT_EQ(by_field["suppliers[0].evidence[0].kind"],
            "evidence kind \"pso-9\" is unknown; expected one of pso-1, pso-2, pso-3, pso-30plus, "
            "code-sociale-ondernemingen, sheltered-employer, other");
}

TEST_F(ConsoleApiTest, TheKeyFileStaysWhereItIs) {
  const json::object loaded = get_config();
  json::value edited = loaded.at("config");
  edited.at("organisation").as_object()["key_file"] = "other.key";
  const Response r = put(loaded, edited);
  ASSERT_EQ(r.result(), http::status::unprocessable_entity) << r.body();
  const json::value answer = json::parse(r.body());
  const json::object& problem = answer.at("problems").as_array().at(0).as_object();
  EXPECT_EQ(problem.at("field").as_string(), "organisation.key_file");
  EXPECT_EQ(problem.at("message").as_string(),
            "the key file cannot be changed from the console; expected \"pseudonym.key\" as in config.xml");
}

TEST_F(ConsoleApiTest, CheckValidatesWithoutSaving) {
  const std::string before = read(config.policy);
  const json::object loaded = get_config();
  json::value edited = loaded.at("config");
  edited.at("categories").as_array()[0].as_object()["social_shown"] = 2;
  const Response r = call(http::verb::post, "/console/api/check", json::serialize(json::object{{"config", edited}}));
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  EXPECT_EQ(json::parse(r.body()).at("summary").as_string(), "category CPV 03121200-7 Bloemen: social_shown");
  EXPECT_EQ(read(config.policy), before);
}

TEST_F(ConsoleApiTest, AStaleVersionIsRefused) {
  json::object loaded = get_config();
  const std::string version(loaded.at("version").as_string());
  loaded["version"] = "0000";
  const Response r = put(loaded, loaded.at("config"));
  ASSERT_EQ(r.result(), http::status::conflict);
  EXPECT_EQ(json::parse(r.body()).at("error").as_string(),
            "config.xml changed since it was read; expected the version " + version + ": load the configuration again");
  const Response bad = call(http::verb::put, "/console/api/config", "[1]");
  EXPECT_EQ(bad.result(), http::status::bad_request);
  EXPECT_EQ(json::parse(bad.body()).at("error").as_string(),
            "the body is not a JSON object with \"config\"; expected {\"version\": ..., \"config\": {...}}");
}

TEST_F(ConsoleApiTest, AFailedReloadRestoresTheFile) {
  const std::string before = read(config.policy);
  const json::object loaded = get_config();
  json::value edited = loaded.at("config");
  edited.at("categories").as_array()[0].as_object()["strategy"] = "fixed";
  fail_reload = true;
  const Response r = put(loaded, edited);
  ASSERT_EQ(r.result(), http::status::unprocessable_entity) << r.body();
  EXPECT_EQ(json::parse(r.body()).at("note").as_string(),
            "the file was restored; the running configuration keeps serving");
  EXPECT_EQ(read(config.policy), before);
  auto last = backend->ledger().last_config_change();
  ASSERT_TRUE(last && last->has_value());
  EXPECT_EQ((*last)->summary, "console: reverted, the reload refused the change: the reload failed");
  EXPECT_EQ((*last)->sha256, json::value_to<std::string>(loaded.at("version")));
}

TEST_F(ConsoleApiTest, PreviewShowsTheSocialDefaultFirst) {
  const std::string body = R"({"code_system":"CPV","code":"03121200-7","department":"Burgerzaken","language":"en",
    "candidates":[{"supplier_id":"FLR-100","price":"45.00","preselected":true},{"supplier_id":"FLR-200","price":"50.00"}]})";
  const Response r = call(http::verb::post, "/console/api/preview", body);
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  const json::object d = json::parse(r.body()).as_object();
  EXPECT_EQ(d.at("reason").as_string(), "applied");
  EXPECT_EQ(d.at("default_supplier").as_string(), "BLOEM-01");
  EXPECT_EQ(d.at("category").as_string(), "Bloemen");
  const json::array& order = d.at("order").as_array();
  ASSERT_GE(order.size(), 3u);
  EXPECT_EQ(order[0].at("supplier_id").as_string(), "BLOEM-01");
  EXPECT_TRUE(order[0].at("preselected").as_bool());
  EXPECT_TRUE(order[0].at("injected").as_bool());
  EXPECT_EQ(order[0].at("name").as_string(), "Bloemenatelier De Werkplaats");
  EXPECT_FALSE(d.at("notes").as_array().empty());

  const Response unknown = call(http::verb::post, "/console/api/preview", R"({"code":"99999999-9","candidates":[]})");
  ASSERT_EQ(unknown.result(), http::status::ok);
  EXPECT_EQ(json::parse(unknown.body()).at("reason").as_string(), "no-policy");
  const Response bad = call(http::verb::post, "/console/api/preview", "nope");
  EXPECT_EQ(json::parse(bad.body()).at("error").as_string(),
            "the body is not a JSON object; expected {\"code_system\", \"code\", \"department\", \"candidates\"}");
}

TEST_F(ConsoleApiTest, StatsGroupByMonthCategoryAndDepartment) {
  const auto record = [&](std::string supplier, bool social, Outcome outcome, std::int64_t cents, int day) {
    ChoiceRecord c;
    c.local_date = std::chrono::year{2026} / 10 / day;
    c.at = UtcSeconds{std::chrono::sys_days{c.local_date}};
    c.correlation_id = "c-" + supplier + std::to_string(day);
    c.order_ref = c.correlation_id;
    c.department = "Burgerzaken";
    c.category_code_system = "CPV";
    c.category = "03121200-7";
    c.chosen_supplier = std::move(supplier);
    c.social = social;
    c.addressable = true;
    c.outcome = outcome;
    c.amount = Money{cents, "EUR"};
    c.adapter = "soap";
    return c;
  };
  const std::vector<ChoiceRecord> choices{record("BLOEM-01", true, Outcome::kept_default, 5000, 1),
                                          record("BLOEM-02", true, Outcome::other_social, 3000, 2),
                                          record("FLR-100", false, Outcome::regular, 4000, 3)};
  ASSERT_TRUE(backend->ledger().append_choices(choices));
  const Response r = call(http::verb::get, "/console/api/stats?from=2026-01-01&to=2026-12-31");
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  const json::object s = json::parse(r.body()).as_object();
  const json::array& rows = s.at("rows").as_array();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("month").as_string(), "2026-10");
  EXPECT_EQ(rows[0].at("category").as_string(), "CPV:03121200-7");
  EXPECT_EQ(rows[0].at("department").as_string(), "Burgerzaken");
  EXPECT_EQ(rows[0].at("orders").as_int64(), 3);
  EXPECT_EQ(rows[0].at("social_spend").as_int64(), 8000);
  EXPECT_EQ(rows[0].at("kept_default").as_int64(), 1);
  EXPECT_EQ(rows[0].at("regular").as_int64(), 1);
  const json::array& top = s.at("top_social_suppliers").as_array();
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].at("supplier").as_string(), "BLOEM-01");
  EXPECT_EQ(top[0].at("name").as_string(), "Bloemenatelier De Werkplaats");
  EXPECT_EQ(s.at("category_names").at("CPV:03121200-7").as_string(), "Bloemen");
  const Response bad = call(http::verb::get, "/console/api/stats?from=2026-01-01");
  EXPECT_EQ(bad.result(), http::status::bad_request);
}

// The list comes through the Ledger interface: a backend without it says so.
TEST_F(ConsoleApiTest, ALedgerWithoutTheListOfChangesIsNamed) {
  struct NoList final : Ledger {
    Result<std::int64_t> append_offer(const OfferRecord&) override { return 1; }
    Result<std::optional<OfferRecord>> find_offer(std::string_view) override { return std::optional<OfferRecord>{}; }
    Result<std::int64_t> append_choices(std::span<const ChoiceRecord>) override { return 1; }
    Result<std::int64_t> append_config_change(const ConfigChangeRecord&) override { return 1; }
    Result<std::optional<ConfigChangeRecord>> last_config_change() override {
      return std::optional<ConfigChangeRecord>{};
    }
    Result<std::uint64_t> count_offers(std::string_view, std::string_view) override { return 0u; }
    Result<void> export_rows(const ExportQuery&, const ExportSink&) override { return {}; }
    Result<VerifyReport> verify() override { return VerifyReport{}; }
  };
  backend = std::make_unique<LedgerBackend>(std::make_unique<NoList>());
  console = std::make_unique<ConsoleApi>(*backend, log);
  const Response r = call(http::verb::get, "/console/api/changes");
  ASSERT_EQ(r.result(), http::status::not_implemented);
  EXPECT_EQ(json::parse(r.body()).at("error").as_string(),
            "the configuration changes cannot be read: this ledger backend cannot list the configuration changes");
}

TEST_F(ConsoleApiTest, ChangesAreListedNewestFirstWithTheirRows) {
  for (int n = 1; n <= 3; ++n) {
    ConfigChangeRecord c;
    c.at = UtcSeconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}} + std::chrono::hours(n);
    c.actor = "beheer-" + std::to_string(n);
    c.file = "config.xml";
    c.sha256 = std::string(64, 'a');
    c.summary = "change " + std::to_string(n);
    ASSERT_TRUE(backend->ledger().append_config_change(c));
  }
  const Response r = call(http::verb::get, "/console/api/changes?limit=2");
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  EXPECT_EQ(json::parse(r.body()),
            json::parse(R"({"changes":[)"
                        R"({"row":3,"at":"2026-11-27T03:00:00Z","actor":"beheer-3","file":"config.xml","sha256":")" +
                        std::string(64, 'a') + R"(","summary":"change 3"},)"
                        R"({"row":2,"at":"2026-11-27T02:00:00Z","actor":"beheer-2","file":"config.xml","sha256":")" +
                        std::string(64, 'a') + R"(","summary":"change 2"}]})"));
}

TEST_F(ConsoleApiTest, ExperimentsNeedABackendWithThem) {
  const Response r = call(http::verb::get, "/console/api/experiments");
  EXPECT_EQ(r.result(), http::status::not_found);
  EXPECT_NE(r.body().find("this backend has no experiment report"), std::string::npos) << r.body();
}

TEST_F(ConsoleApiTest, UnknownResourcesAndMethods) {
  EXPECT_EQ(call(http::verb::get, "/console/api/nothing").result(), http::status::not_found);
  EXPECT_EQ(json::parse(call(http::verb::delete_, "/console/api/config").body()).at("error").as_string(),
            "use GET or PUT");
  EXPECT_EQ(call(http::verb::post, "/console/api/stats").result(), http::status::method_not_allowed);
}

TEST_F(ConsoleApiTest, ThePageIsServedWithoutData) {
  Request request{http::verb::get, "/console/", 11};
  auto page = console->serve_asset(request, "/console/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->result(), http::status::ok);
  EXPECT_EQ((*page)[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(page->body().find("<html"), std::string::npos);
  EXPECT_NE((*page)["Content-Security-Policy"].find("default-src 'self'"), std::string::npos);
  auto script = console->serve_asset(request, "/console/console.js");
  ASSERT_TRUE(script);
  EXPECT_EQ((*script)[http::field::content_type], "text/javascript; charset=utf-8");
  auto missing = console->serve_asset(request, "/console/secret.txt");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result(), http::status::not_found);
  EXPECT_FALSE(console->serve_asset(request, "/console/api/config"));
  EXPECT_FALSE(console->serve_asset(request, "/metrics"));
}

TEST(ConsoleFiles, AtomicWriteReplacesAndNamesTheFolderOnError) {
  TempDir dir{"sd_console_write"};
  ASSERT_TRUE(write_file_atomically(dir / "a.xml", "one"));
  ASSERT_TRUE(write_file_atomically(dir / "a.xml", "two"));
  EXPECT_EQ(read(dir / "a.xml"), "two");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}), 1);
  auto failed = write_file_atomically(dir / "missing" / "a.xml", "x");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, (dir / "missing").string() +
                                        ": cannot create a temporary file (No such file or directory); expected a "
                                        "folder the daemon may write");
}

TEST(ConsoleConfig, JsonRoundTripsThroughThePolicy) {
  auto policy = load_policy(fs::path(SD_SOURCE_DIR) / "examples" / "config.xml");
  ASSERT_TRUE(policy);
  const fs::path base = fs::path(SD_SOURCE_DIR) / "examples";
  const json::object first = policy_to_json(**policy, base);
  std::vector<FieldProblem> problems;
  const Policy back = policy_from_json(first, base, problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(write_policy(back, base), write_policy(**policy, base));
  EXPECT_EQ(json::serialize(policy_to_json(back, base)), json::serialize(first));
}

TEST(ConsoleConfig, ChangeSummaries) {
  const json::object before = json::parse(R"({"suppliers":[{"id":"A","name":"x"},{"id":"B","name":"y"}],
    "categories":[],"experiments":[{"id":"e1","from":"2026-01-01"}]})").as_object();
  const json::object after = json::parse(R"({"suppliers":[{"id":"A","name":"z"},{"id":"C","name":"y"}],
    "categories":[],"experiments":[]})").as_object();
  EXPECT_EQ(describe_change(before, after), "supplier A: name; supplier C added; supplier B removed; experiment e1 removed");
  EXPECT_EQ(describe_change(before, before), "no change");
}


// ---- the organisation, the category norm, and comments kept through a save

std::map<std::string, std::string> problems_by_field(const Response& r) {
  std::map<std::string, std::string> out;
  const json::value answer = json::parse(r.body());
  for (const json::value& p : answer.at("problems").as_array()) {
    out[std::string(p.at("field").as_string())] = p.at("message").as_string();
  }
  return out;
}

TEST_F(ConsoleApiTest, TheOrganisationIsEditedAndCheckedAsTheFileIs) {
  const json::object loaded = get_config();
  json::value edited = loaded.at("config");
  json::object& org = edited.at("organisation").as_object();
  org["name"] = "Gemeente Nieuwstad";
  org["time_zone"] = "Europe/Brussels";
  org["reporting_currency"] = "GBP";
  const Response r = put(loaded, edited);
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  EXPECT_EQ(json::parse(r.body()).at("summary").as_string(), "organisation: name, time_zone, reporting_currency");
  auto policy = load_policy(config.policy);
  ASSERT_TRUE(policy) << policy.error().describe();
  EXPECT_EQ((*policy)->organisation.name, "Gemeente Nieuwstad");
  EXPECT_EQ((*policy)->organisation.time_zone, "Europe/Brussels");
  EXPECT_EQ((*policy)->organisation.reporting_currency, "GBP");
}

TEST_F(ConsoleApiTest, AnUnknownTimeZoneABadCurrencyAndNoNameAreRefusedAtTheirFields) {
  const json::object loaded = get_config();
  json::value edited = loaded.at("config");
  json::object& org = edited.at("organisation").as_object();
  org["name"] = "";
  org["time_zone"] = "Europe/Atlantis";
  org["reporting_currency"] = "eur";
  const std::string before = read(config.policy);
  const Response r = put(loaded, edited);
  ASSERT_EQ(r.result(), http::status::unprocessable_entity) << r.body();
  auto by_field = problems_by_field(r);
  ASSERT_TRUE(by_field.count("organisation.time_zone")) << r.body();
  EXPECT_NE(by_field["organisation.time_zone"].find(
                "organisation: time zone \"Europe/Atlantis\": unknown zone (no such zone in the tz database at "),
            std::string::npos)
      << by_field["organisation.time_zone"];
  EXPECT_EQ(by_field["organisation.time_zone"].rfind("config.xml:", 0), 0u);
  ASSERT_TRUE(by_field.count("organisation.reporting_currency")) << r.body();
  EXPECT_NE(by_field["organisation.reporting_currency"].find(
                "organisation: reporting-currency \"eur\" is not an ISO 4217 code; expected three capital letters "
                "such as EUR"),
            std::string::npos);
  ASSERT_TRUE(by_field.count("organisation.name")) << r.body();
  EXPECT_NE(by_field["organisation.name"].find("organisation: "), std::string::npos);
  EXPECT_EQ(read(config.policy), before);
}

TEST_F(ConsoleApiTest, ACategoryGetsAndLosesItsOwnNorm) {
  const json::object loaded = get_config();
  json::value edited = loaded.at("config");
  json::object& nudges = edited.at("categories").as_array()[0].at("nudges").as_object();
  nudges["norm"] = json::object{{"threshold", "62.5"}, {"min_orders", 20}, {"window_days", 30}};
  Response r = put(loaded, edited);
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  auto policy = load_policy(config.policy);
  ASSERT_TRUE(policy) << policy.error().describe();
  ASSERT_TRUE((*policy)->categories[0].nudges.norm.has_value());
  EXPECT_EQ((*policy)->categories[0].nudges.norm->threshold_basis_points, 6250u);
  EXPECT_EQ((*policy)->categories[0].nudges.norm->min_orders, 20u);
  EXPECT_EQ((*policy)->categories[0].nudges.norm->window_days, 30u);
  EXPECT_EQ(get_config().at("config").at("categories").at(0).at("nudges").at("norm"),
            json::parse(R"({"threshold":"62.5","min_orders":20,"window_days":30})"));

  const json::object again = get_config();
  json::value without = again.at("config");
  without.at("categories").as_array()[0].at("nudges").as_object()["norm"] = nullptr;
  r = put(again, without);
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  policy = load_policy(config.policy);
  ASSERT_TRUE(policy) << policy.error().describe();
  EXPECT_FALSE((*policy)->categories[0].nudges.norm.has_value());
}

// k below 5 could expose a person: the loader's own reason reaches the field.
TEST_F(ConsoleApiTest, ANormOutOfRangeGetsTheLoadersMessageAtItsField) {
  const json::object loaded = get_config();
  json::value edited = loaded.at("config");
  edited.at("categories").as_array()[0].at("nudges").as_object()["norm"] =
      json::object{{"threshold", "150"}, {"min_orders", 3}, {"window_days", 91}};
  const Response r = put(loaded, edited);
  ASSERT_EQ(r.result(), http::status::unprocessable_entity) << r.body();
  auto by_field = problems_by_field(r);
  EXPECT_NE(by_field["categories[0].nudges.norm.min_orders"].find(
                "category 03121200-7: norm min-orders \"3\" is not a whole number from 5 to 1000000; expected at least "
                "5 so that the norm never exposes a person, such as 10"),
            std::string::npos)
      << r.body();
  EXPECT_NE(by_field["categories[0].nudges.norm.threshold"].find(
                "norm threshold \"150\" is not a percentage from 0 to 100; expected a number such as 50"),
            std::string::npos)
      << r.body();
  edited.at("categories").as_array()[0].at("nudges").as_object()["norm"] =
      json::object{{"threshold", "50"}, {"min_orders", "ten"}, {"window_days", 91}};
  const Response form = put(loaded, edited);
  ASSERT_EQ(form.result(), http::status::unprocessable_entity) << form.body();
  EXPECT_EQ(problems_by_field(form)["categories[0].nudges.norm.min_orders"],
            "min-orders \"ten\" is not a whole number; expected a number such as 10");
}

// A hand-written file: comments at the top level, before a supplier, inside
// a category (and its nudges), after the root element.
constexpr std::string_view kCommentedConfig = R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- Kept by Inkoop; ask Anna before changing the key. -->
<configuration xmlns="urn:socialdefault:config:1">
  <organisation name="Gemeente Voorbeeldstad" time-zone="Europe/Amsterdam" reporting-currency="EUR"
                key-file="pseudonym.key"/>
  <!-- Suppliers: checked with the PSO register every quarter. -->
  <suppliers>
    <supplier id="BLOEM-01" social="true">
      <name>Bloemenatelier De Werkplaats</name>
      <evidence kind="pso-3" valid-from="2026-01-01" valid-until="2027-12-31"/>
    </supplier>
    <!-- Kwekerij Samen joined in March 2026. -->
    <supplier id="BLOEM-03" social="true">
      <name>Kwekerij Samen</name>
      <evidence kind="code-sociale-ondernemingen" valid-from="2026-03-01" valid-until="2028-02-29"/>
    </supplier>
    <supplier id="FLR-100">
      <name>Bloemen Groothandel Holland</name>
    </supplier>
  </suppliers>
  <categories>
    <category code="03121200-7" strategy="rotate" price-tolerance="15">
      <name>Bloemen</name>
      <!-- Rotate: both get their turn (decided in the MVI meeting of May). -->
      <social-supplier ref="BLOEM-01"/>
      <social-supplier ref="BLOEM-03"/>
    </category>
    <category code="18530000-3" strategy="fixed" price-tolerance="10">
      <name>Relatiegeschenken</name>
      <social-supplier ref="BLOEM-03"/>
    </category>
  </categories>
</configuration>
<!-- End of the configuration. -->
)";

TEST_F(ConsoleApiTest, CommentsOfAHandWrittenFileSurviveASave) {
  std::ofstream(config.policy, std::ios::binary | std::ios::trunc) << kCommentedConfig;
  const json::object loaded = get_config();
  json::value edited = loaded.at("config");
  json::object& flowers = edited.at("categories").as_array()[0].as_object();
  flowers["strategy"] = "fixed";
  flowers["social_suppliers"] = json::array{"BLOEM-03", "BLOEM-01"};
  const Response r = put(loaded, edited);
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  EXPECT_EQ(json::parse(r.body()).at("summary").as_string(), "category CPV 03121200-7 Bloemen: social_suppliers, strategy");

  const std::string written = read(config.policy);
  for (std::string_view comment : {"<!-- Kept by Inkoop; ask Anna before changing the key. -->",
                                   "<!-- Suppliers: checked with the PSO register every quarter. -->",
                                   "<!-- Kwekerij Samen joined in March 2026. -->",
                                   "<!-- Rotate: both get their turn (decided in the MVI meeting of May). -->",
                                   "<!-- End of the configuration. -->"}) {
    EXPECT_NE(written.find(comment), std::string::npos) << comment << " is missing in\n" << written;
  }
  EXPECT_LT(written.find("<!-- Kwekerij Samen"), written.find("<supplier id=\"BLOEM-03\""));
  EXPECT_LT(written.find("<!-- Rotate"), written.find("<social-supplier ref=\"BLOEM-01\""));
  EXPECT_GT(written.find("<!-- Rotate"), written.find("code=\"03121200-7\""));
  // The same Policy plus the change: what the console shows now is what it sent.
  auto policy = load_policy(config.policy);
  ASSERT_TRUE(policy) << policy.error().describe();
  EXPECT_EQ(json::value(policy_to_json(**policy, dir.path())), edited);
  EXPECT_EQ(read(dir / "config.xml.previous"), kCommentedConfig);
}

}  // namespace
}  // namespace socialdefault::gateway
