// socialdefault: the command-line face of the engine. See `socialdefault --help`.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cxml_form.hpp"
#include "socialdefault/engine.hpp"
#include "socialdefault/simulate.hpp"

namespace sd = socialdefault;

namespace {

// Exit codes, documented in --help and the README.
enum Exit {
  kOk = 0,
  kUsage = 1,        // bad command line
  kConfig = 2,       // configuration or mapping invalid
  kTampered = 3,     // verify found an altered ledger
  kInput = 4,        // the message was refused (not XML, DOCTYPE, not an order, ...)
  kLedger = 5,       // ledger, file or other runtime error
};

constexpr const char* kMainHelp = R"(usage: socialdefault <command> [options]

Commands:
  check-config   check a configuration (and mapping) and print a summary
  rewrite        rewrite a shortlist response read from stdin; write it to stdout
  record         record an order (request, optionally the ERP's response) in the ledger
  export         export MVI figures for a period as CSV, XML or JSON
  experiments    report the experiments: per arm orders, social share, difference to control
  simulate       run synthetic orders through an experiment and check the report recovers the effect
  verify         verify the ledger's tamper-evident chain

Common options (environment fallbacks in brackets):
  --config FILE    the purchasing department's configuration [SD_CONFIG]
  --mapping FILE   the adapter's mapping file [SD_MAPPING]
  --ledger FILE    the SQLite ledger; created when absent [SD_LEDGER]
  --adapter NAME   the adapter (default: soap)
  --actor NAME     who is acting, recorded with configuration changes (default: OS user)

Exit codes: 0 ok, 1 usage, 2 configuration invalid, 3 ledger tampered,
            4 message refused, 5 ledger or file error.
Run `socialdefault <command> --help` for a command's own options.
)";

const std::map<std::string, std::string> kCommandHelp = {
    {"check-config", R"(usage: socialdefault check-config --config FILE [--mapping FILE] [--adapter NAME]

Loads and checks the configuration (and the mapping, when given). Prints a
summary, or every problem as FILE:LINE: subject: problem.
Exit codes: 0 valid, 2 invalid, 1 usage.
)"},
    {"rewrite", R"(usage: socialdefault rewrite --config FILE --mapping FILE --ledger FILE
                           [--request FILE] [--decision FILE|-] [--now TIMESTAMP] < response > rewritten

Reads a shortlist response on stdin and writes the message to pass on to
stdout: rewritten, or byte for byte the original when socialdefault fails open
(the reason goes to stderr). The offer is recorded in the ledger.
  --request FILE    the request that asked for the shortlist (requester, department)
  --decision FILE   also write the decision as JSON to FILE ("-" for stderr)
  --now TIMESTAMP   the time of the message, e.g. 2026-11-27T10:00:00Z (default: now)
Exit codes: 0 (also when failing open), 1 usage, 2 configuration invalid, 5 ledger error at start-up.
)"},
    {"record", R"(usage: socialdefault record --config FILE --mapping FILE --ledger FILE
                          [--request FILE] [--response FILE] [--now TIMESTAMP]
       socialdefault record --adapter ubl|cxml --config FILE [--mapping FILE] --ledger FILE ...

Reads an order request (from --request, or stdin) and, when given, the ERP's
response, and appends the accepted order lines durably to the ledger. Nothing
is recorded when the ERP answered with a Fault or a rejection. Prints one
line per recorded choice. With --adapter ubl or cxml the order is a standard
document (docs/standard-documents.md; the mapping is optional for cxml and
not taken by ubl); a UBL OrderResponse on its own records the order's status.
A UBL OrderChange or a cXML OrderRequest of type update is recorded as a new
version of its order. With --adapter cxml a request that is not XML is read as
a PunchOut cart posted as an HTML form (the field cxml-urlencoded or
cxml-base64), as the gateway reads one.
Exit codes: 0 recorded (or refused by the ERP), 1 usage, 2 configuration invalid,
            4 message refused, 5 ledger error.
)"},
    {"export", R"(usage: socialdefault export --config FILE --mapping FILE --ledger FILE
                          --from YYYY-MM-DD --to YYYY-MM-DD [--group-by KEYS] [--format csv|xml|json]
                          [--output FILE]

Writes the MVI figures of the period (inclusive, the organisation's dates)
grouped by KEYS, a comma-separated list of department, category, supplier,
month, quarter, arm (default: totals per currency). arm is the experiment and
arm, "catering-2027/impact"; the orders outside any experiment are one group,
"no-experiment". Default format csv, default output stdout.
Exit codes: 0 ok, 1 usage, 2 configuration invalid, 5 ledger or file error.
)"},
    {"experiments", R"(usage: socialdefault experiments --config FILE --mapping FILE --ledger FILE
                               [--experiment ID] [--format csv|xml|json] [--output FILE]

Reports every experiment of the configuration (or only ID): per arm the
orders, the social share with its 95 % Wilson interval, the difference to the
control arm with its 95 % Newcombe interval, and the orders still needed to
detect the experiment's minimum effect (alpha 0.05 two-sided, power 80 %).
Shares are percentages. See docs/nudges.md.
Exit codes: 0 ok, 1 usage, 2 configuration invalid, 5 ledger or file error
            (also for an ID that is not in the configuration).
)"},
    {"simulate", R"(usage: socialdefault simulate --config FILE --ledger NEW-FILE --experiment ID
                            [--requesters N] [--orders N] [--base-share PERCENT]
                            [--effect ARM=POINTS,...] [--seed N] [--format csv|xml|json]

Generates N synthetic requesters (default 1000) with --orders orders each
(default 2) in the experiment's category and days, runs them through the
engine (assignment, decision, offer, choice) into NEW-FILE, which must not
exist, and prints the experiment report. Behaviour model: an order goes to a
social supplier with probability base-share (default 30) plus the arm's
effect in percentage points (e.g. --effect impact=10,norm=5; other arms 0).
stderr says per arm whether the report's 95 % interval holds the given effect.
This checks the measurement pipeline; it makes no claim about real people.
Exit codes: 0 ok (also when an interval misses: at 95 % that happens 1 time
in 20), 1 usage, 2 configuration invalid, 5 ledger or file error.
)"},
    {"verify", R"(usage: socialdefault verify --config FILE --mapping FILE --ledger FILE

Recomputes the ledger's HMAC chain and names the first row that was altered,
removed or inserted. Prints a JSON report.
Exit codes: 0 intact, 3 tampered, 1 usage, 2 configuration invalid, 5 ledger error.
)"},
};

// The options each command accepts; anything else is a usage error, so a
// typo never silently falls back to a default.
const std::map<std::string, std::vector<std::string>> kCommandOptions = {
    {"check-config", {"config", "mapping", "adapter"}},
    {"rewrite", {"config", "mapping", "ledger", "adapter", "actor", "request", "decision", "now"}},
    {"record", {"config", "mapping", "ledger", "adapter", "actor", "request", "response", "now"}},
    {"export", {"config", "mapping", "ledger", "adapter", "actor", "from", "to", "group-by", "format", "output"}},
    {"verify", {"config", "mapping", "ledger", "adapter", "actor"}},
    {"experiments", {"config", "mapping", "ledger", "adapter", "actor", "experiment", "format", "output"}},
    {"simulate", {"config", "ledger", "actor", "experiment", "requesters", "orders", "base-share", "effect", "seed",
                  "format"}},
};

struct Args {
  std::string command;
  std::map<std::string, std::string> options;
  bool help = false;

  std::optional<std::string> get(const std::string& name, const char* env = nullptr) const {
    if (auto it = options.find(name); it != options.end()) return it->second;
    if (env != nullptr) {
      if (const char* value = std::getenv(env); value != nullptr && *value != '\0') return std::string(value);
    }
    return std::nullopt;
  }
};

int usage(const std::string& message) {
  std::cerr << "socialdefault: " << message << "\nRun `socialdefault --help` for usage.\n";
  return kUsage;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

std::string read_stdin() {
  std::string out((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  return out;
}

sd::UtcSeconds now_or(const Args& args, bool& ok) {
  ok = true;
  if (auto text = args.get("now")) {
    auto parsed = sd::parse_utc_timestamp(*text);
    if (!parsed) {
      std::cerr << "socialdefault: --now: " << parsed.error().describe() << "\n";
      ok = false;
      return {};
    }
    return *parsed;
  }
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

int exit_for(const sd::Error& error) {
  switch (error.code) {
    case sd::ErrorCode::config: return kConfig;
    case sd::ErrorCode::xml:
    case sd::ErrorCode::unsupported:
    case sd::ErrorCode::mapping:
    case sd::ErrorCode::signed_content:
    case sd::ErrorCode::invalid_argument: return kInput;
    case sd::ErrorCode::tampered: return kTampered;
    default: return kLedger;
  }
}

int report(const sd::Error& error) {
  std::cerr << "socialdefault: " << error.describe() << "\n";
  return exit_for(error);
}

std::unique_ptr<sd::Engine> open_engine(const Args& args, int& code) {
  sd::EngineOptions options;
  auto config = args.get("config", "SD_CONFIG");
  auto mapping = args.get("mapping", "SD_MAPPING");
  auto ledger = args.get("ledger", "SD_LEDGER");
  // The standard-document adapters need no mapping; the engine then has no
  // default adapter and `record` creates the one asked for.
  const bool standard = args.command == "record" && args.get("adapter").value_or("soap") != "soap";
  // Only the commands that read SOAP messages need the mapping; export,
  // verify and experiments read the ledger alone.
  const bool needs_mapping = (args.command == "rewrite" || args.command == "record") && !standard;
  if (!config || !ledger) {
    code = usage("--config and --ledger are required for " + args.command);
    return nullptr;
  }
  if (needs_mapping && !mapping) {
    code = usage("--mapping is required for " + args.command + " (the ERP's SOAP mapping)");
    return nullptr;
  }
  options.config = *config;
  if (mapping && !standard) options.mapping = *mapping;
  options.ledger = *ledger;
  if (auto adapter = args.get("adapter"); adapter && !standard) options.adapter = *adapter;
  if (auto actor = args.get("actor")) options.actor = *actor;
  auto engine = sd::Engine::open(options);
  if (!engine) {
    code = report(engine.error());
    return nullptr;
  }
  return std::move(engine).value();
}

int check_config(const Args& args) {
  auto config = args.get("config", "SD_CONFIG");
  if (!config) return usage("check-config needs --config");
  auto policy = sd::load_policy(*config);
  if (!policy) return report(policy.error());
  const sd::Policy& p = **policy;
  if (auto mapping = args.get("mapping", "SD_MAPPING")) {
    auto adapter = sd::AdapterRegistry::builtin().create(args.get("adapter").value_or("soap"),
                                                         sd::AdapterSettings{*mapping, sd::Limits{}});
    if (!adapter) return report(adapter.error());
    std::cout << *mapping << ": mapping valid\n";
  }
  std::size_t social = 0;
  for (const sd::Supplier& s : p.suppliers) social += s.social ? 1 : 0;
  std::cout << *config << ": valid: " << p.organisation.name << ", " << p.categories.size() << " categories, "
            << p.suppliers.size() << " suppliers (" << social << " social), zone " << p.organisation.time_zone
            << ", reporting in " << p.organisation.reporting_currency << "\n";
  return kOk;
}

int rewrite(const Args& args) {
  bool ok = true;
  const sd::UtcSeconds now = now_or(args, ok);
  if (!ok) return kUsage;
  std::string request;
  auto request_path = args.get("request");
  if (request_path && !read_file(*request_path, request)) return usage("cannot read --request " + *request_path);
  int code = kOk;
  auto engine = open_engine(args, code);
  if (!engine) return code;
  const std::string response = read_stdin();
  auto result = engine->rewrite(response, request_path ? std::optional<std::string_view>(request) : std::nullopt, now);
  std::cout.write(result.body.data(), static_cast<std::streamsize>(result.body.size()));
  std::cout.flush();
  if (result.error.has_value()) {
    std::cerr << "socialdefault: passed the message through unchanged: " << result.error->describe() << "\n";
  }
  if (auto decision = args.get("decision")) {
    const std::string json = sd::decision_json(result, engine->keys()) + "\n";
    if (*decision == "-") {
      std::cerr << json;
    } else {
      std::ofstream out(*decision, std::ios::binary);
      out << json;
      if (!out) return report(sd::make_error(sd::ErrorCode::io, "cannot write " + *decision));
    }
  }
  return kOk;
}

// A PunchOut cart posted as a form rather than XML: the gateway tells by
// the content type, a file has none, so by its first byte (XML starts with
// '<', possibly after a byte-order mark and white space).
bool punchout_form(std::string_view request) {
  if (request.starts_with("\xEF\xBB\xBF")) return false;
  const std::size_t first = request.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && request[first] != '<';
}

int record(const Args& args) {
  bool ok = true;
  const sd::UtcSeconds now = now_or(args, ok);
  if (!ok) return kUsage;
  std::string request, response;
  if (auto path = args.get("request")) {
    if (!read_file(*path, request)) return usage("cannot read --request " + *path);
  } else {
    request = read_stdin();
  }
  auto response_path = args.get("response");
  if (response_path && !read_file(*response_path, response)) return usage("cannot read --response " + *response_path);
  int code = kOk;
  auto engine = open_engine(args, code);
  if (!engine) return code;
  const std::optional<std::string_view> answer =
      response_path ? std::optional<std::string_view>(response) : std::nullopt;
  sd::Result<std::vector<sd::ChoiceRecord>> records = std::vector<sd::ChoiceRecord>{};
  if (const std::string name = args.get("adapter").value_or("soap"); name != "soap") {
    // Only an explicit --mapping: SD_MAPPING names the SOAP adapter's file.
    auto adapter = engine->make_adapter(name, args.get("mapping").value_or(""), sd::Limits{});
    if (!adapter) return report(adapter.error());
    if (name == "cxml" && punchout_form(request)) {
      auto decoded = sd::cxml::decode_punchout_form(request, sd::Limits{}.max_bytes);
      if (!decoded) {
        if (decoded.error().code != sd::ErrorCode::not_found) return report(decoded.error());
        return report(sd::make_error(sd::ErrorCode::unsupported,
                                     "the request is neither XML nor a PunchOut form: " + decoded.error().message));
      }
      request = std::move(decoded).value();
    }
    auto message = (*adapter)->recognise(request);
    if (!message) return report(message.error());
    if ((*message)->kind() == sd::MessageKind::order_response && !answer) {
      auto status = engine->record_order_status(**adapter, request, now);
      if (!status) return report(status.error());
      std::cout << "recorded status of order " << status->order_ref;
      // Named by its document alone: the ledger found the order number.
      if (!status->order_document_ref.empty()) std::cout << " (document \"" << status->order_document_ref << "\")";
      std::cout << ": " << sd::to_string(status->status) << "\n";
      return kOk;
    }
    records = engine->prepare_choices(**adapter, request, answer, now);
    if (records && !records->empty()) {
      if (auto stored = engine->ledger().append_choices(*records); !stored) return report(stored.error());
    }
  } else {
    records = engine->record(request, answer, now);
  }
  if (!records) return report(records.error());
  if (records->empty()) std::cout << "nothing recorded: the ERP did not accept the order\n";
  for (const sd::ChoiceRecord& c : *records) {
    std::cout << "recorded " << c.correlation_id << " line " << c.line << ": "
              << (c.chosen_supplier.empty() ? c.chosen_identifiers : c.chosen_supplier) << " ("
              << (c.social ? "social" : "regular") << ", " << sd::to_string(c.outcome) << ") "
              << sd::format_decimal(c.amount) << " " << c.amount.currency << ", " << c.department << ", "
              << c.category_code_system << " " << c.category;
    if (c.order_version > 0) std::cout << ", version " << c.order_version << " of order " << c.order_ref;
    std::cout << "\n";
  }
  return kOk;
}

int export_command(const Args& args) {
  auto from = args.get("from");
  auto to = args.get("to");
  if (!from || !to) return usage("export needs --from and --to");
  auto query = sd::parse_export_query(*from, *to, args.get("group-by").value_or(""));
  if (!query) return usage(query.error().describe());
  auto format = sd::parse_export_format(args.get("format").value_or("csv"));
  if (!format) return usage("--format: " + format.error().describe());
  int code = kOk;
  auto engine = open_engine(args, code);
  if (!engine) return code;
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (auto output = args.get("output")) {
    std::ofstream out(*output, std::ios::binary);
    if (!out) return report(sd::make_error(sd::ErrorCode::io, "cannot write " + *output));
    auto written = engine->export_report(*query, *format, out, now);
    if (!written) return report(written.error());
    out.flush();
    if (!out) return report(sd::make_error(sd::ErrorCode::io, "cannot write " + *output));
    return kOk;
  }
  auto written = engine->export_report(*query, *format, std::cout, now);
  if (!written) return report(written.error());
  return kOk;
}

int experiments_command(const Args& args) {
  auto format = sd::parse_export_format(args.get("format").value_or("csv"));
  if (!format) return usage("--format: " + format.error().describe());
  int code = kOk;
  auto engine = open_engine(args, code);
  if (!engine) return code;
  const std::string id = args.get("experiment").value_or("");
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (auto output = args.get("output")) {
    std::ostringstream text;
    auto written = engine->experiment_report(id, *format, text, now);
    if (!written) return report(written.error());
    std::ofstream out(*output, std::ios::binary);
    out << text.str();
    out.flush();
    if (!out) return report(sd::make_error(sd::ErrorCode::io, "cannot write " + *output));
    return kOk;
  }
  auto written = engine->experiment_report(id, *format, std::cout, now);
  if (!written) return report(written.error());
  return kOk;
}

// A whole number for an option, or nullopt.
std::optional<std::int64_t> whole(const std::string& text) {
  if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(text);
}

// Percentage points as a probability: "10" -> 0.10, "-2.5" -> -0.025.
std::optional<double> points(const std::string& text) {
  if (text.empty() || text.find_first_not_of("-0123456789.") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v / 100;
}

int simulate(const Args& args) {
  sd::SimulationModel model;
  auto config = args.get("config", "SD_CONFIG");
  auto ledger = args.get("ledger");
  auto experiment = args.get("experiment");
  if (!config || !ledger || !experiment) return usage("simulate needs --config, --ledger and --experiment");
  model.experiment = *experiment;
  if (auto v = args.get("requesters")) {
    auto n = whole(*v);
    if (!n || *n < 1) return usage("--requesters: expected a whole number of at least 1");
    model.requesters = *n;
  }
  if (auto v = args.get("orders")) {
    auto n = whole(*v);
    if (!n || *n < 1) return usage("--orders: expected a whole number of at least 1");
    model.orders_per_requester = *n;
  }
  if (auto v = args.get("seed")) {
    auto n = whole(*v);
    if (!n) return usage("--seed: expected a whole number");
    model.seed = static_cast<std::uint64_t>(*n);
  }
  if (auto v = args.get("base-share")) {
    auto p = points(*v);
    if (!p || *p < 0 || *p > 1) return usage("--base-share: expected a percentage from 0 to 100, such as 30");
    model.base_share = *p;
  }
  if (auto v = args.get("effect")) {
    std::istringstream list(*v);
    for (std::string item; std::getline(list, item, ',');) {
      const auto eq = item.find('=');
      auto p = eq == std::string::npos ? std::nullopt : points(item.substr(eq + 1));
      if (!p) return usage("--effect: \"" + item + "\" is not ARM=POINTS, such as impact=10");
      model.effect[item.substr(0, eq)] = *p;
    }
  }
  auto format = sd::parse_export_format(args.get("format").value_or("csv"));
  if (!format) return usage("--format: " + format.error().describe());
  sd::EngineOptions options;
  options.config = *config;
  options.ledger = *ledger;
  options.actor = args.get("actor").value_or("simulate");
  auto result = sd::run_simulation(options, model);
  if (!result) return result.error().code == sd::ErrorCode::invalid_argument ? usage(result.error().describe())
                                                                            : report(result.error());
  auto written = sd::write_experiment_report(result->report, *format, std::cout,
                                             std::chrono::time_point_cast<std::chrono::seconds>(
                                                 std::chrono::system_clock::now()));
  if (!written) return report(written.error());
  for (const sd::SimulationCheck& c : result->checks) {
    char line[256];
    if (c.interval) {
      std::snprintf(line, sizeof line, "arm %s: effect given %+.2f points, measured %+.2f [%+.2f, %+.2f]: %s",
                    c.arm.c_str(), c.given * 100, *c.measured * 100, c.interval->lower * 100, c.interval->upper * 100,
                    c.recovered ? "recovered" : "NOT recovered");
    } else {
      std::snprintf(line, sizeof line, "arm %s: no orders in the arm or the control", c.arm.c_str());
    }
    std::cerr << "simulate: " << line << "\n";
  }
  std::cerr << "simulate: " << result->orders << " synthetic orders in " << *ledger << "\n";
  return kOk;
}

int verify(const Args& args) {
  int code = kOk;
  auto engine = open_engine(args, code);
  if (!engine) return code;
  auto verified = engine->verify();
  if (!verified) return report(verified.error());
  const sd::VerifyReport& v = *verified;
  std::cout << sd::verify_report_json(v) << "\n";
  if (!v.intact) {
    std::cerr << "socialdefault: ledger tampered: " << v.detail << "\n";
    return kTampered;
  }
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  Args args;
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
    std::cout << kMainHelp;
    return words.empty() ? kUsage : kOk;
  }
  if (words[0] == "--version") {
    std::cout << "socialdefault " << SD_VERSION_STRING << "\n";
    return kOk;
  }
  args.command = words[0];
  if (kCommandHelp.find(args.command) == kCommandHelp.end()) return usage("unknown command \"" + args.command + "\"");
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "--help" || w == "-h") {
      args.help = true;
      continue;
    }
    if (w.rfind("--", 0) != 0) return usage("unexpected argument \"" + w + "\"");
    std::string name = w.substr(2), value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else {
      if (i + 1 >= words.size()) return usage("--" + name + " needs a value");
      value = words[++i];
    }
    const auto& known = kCommandOptions.at(args.command);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return usage(args.command + " has no option --" + name);
    }
    args.options[name] = value;
  }
  if (args.help) {
    std::cout << kCommandHelp.at(args.command);
    return kOk;
  }
  if (args.command == "check-config") return check_config(args);
  if (args.command == "rewrite") return rewrite(args);
  if (args.command == "record") return record(args);
  if (args.command == "export") return export_command(args);
  if (args.command == "experiments") return experiments_command(args);
  if (args.command == "simulate") return simulate(args);
  return verify(args);
}
