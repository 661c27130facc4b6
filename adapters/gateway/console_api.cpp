#include "console_api.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "admin_handler.hpp"
#include "console_assets.hpp"
#include "console_config.hpp"
#include "socialdefault/decision.hpp"
#include "socialdefault/policy_writer.hpp"

namespace socialdefault::gateway {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

Response reply(const Request& request, http::status status, std::string_view type, std::string body) {
  Response response{status, request.version()};
  response.set(http::field::content_type, type);
  response.set(http::field::server, "socialdefaultd");
  response.set(http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_reply(const Request& request, http::status status, const json::value& value) {
  return reply(request, status, "application/json", json::serialize(value) + "\n");
}

Response error_reply(const Request& request, http::status status, std::string message) {
  return json_reply(request, status, json::object{{"error", std::move(message)}});
}

Result<std::string> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::io, file.string() + ": cannot be read; expected the policy file");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Result<void> fsync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::io, path.string() + ": cannot be opened to sync (" + std::strerror(errno) + ")");
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return make_error(ErrorCode::io, path.string() + ": fsync failed (" + std::strerror(err) + ")");
  return {};
}

json::object problems_json(const std::vector<FieldProblem>& problems) {
  json::array list;
  for (const FieldProblem& p : problems) {
    list.push_back(json::object{{"field", p.field}, {"message", p.message}, {"line", p.line}});
  }
  return {{"saved", false}, {"problems", std::move(list)}};
}

}  // namespace

Result<void> write_file_atomically(const fs::path& file, std::string_view bytes) {
  const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  std::string pattern = (folder / ("." + file.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    return make_error(ErrorCode::io, folder.string() + ": cannot create a temporary file (" + std::strerror(errno) +
                                         "); expected a folder the daemon may write");
  }
  const auto fail = [&](const std::string& what) {
    const int err = errno;
    ::close(fd);
    ::unlink(pattern.c_str());
    return make_error(ErrorCode::io, pattern + ": " + what + " (" + std::strerror(err) + ")");
  };
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write failed");
    }
    written += static_cast<std::size_t>(n);
  }
  // The file keeps the permissions of the one it replaces.
  std::error_code ec;
  const fs::perms perms = fs::status(file, ec).permissions();
  if (!ec && perms != fs::perms::unknown) ::fchmod(fd, static_cast<mode_t>(perms));
  if (::fsync(fd) != 0) return fail("fsync failed");
  ::close(fd);
  if (::rename(pattern.c_str(), file.c_str()) != 0) {
    const int err = errno;
    ::unlink(pattern.c_str());
    return make_error(ErrorCode::io, file.string() + ": cannot be replaced (" + std::strerror(err) + ")");
  }
  return fsync_path(folder, O_RDONLY | O_DIRECTORY);
}

std::optional<Response> ConsoleApi::serve_asset(const Request& request, std::string_view path) const {
  std::string_view name;
  if (path == "/console" || path == "/console/") {
    name = "index.html";
  } else if (path.substr(0, 9) == "/console/" && path.substr(0, 13) != "/console/api/") {
    name = path.substr(9);
  } else {
    return std::nullopt;
  }
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return error_reply(request, http::status::method_not_allowed, "use GET");
  }
  const ConsoleAsset* asset = find_console_asset(name);
  if (asset == nullptr) return error_reply(request, http::status::not_found, "no such console file");
  Response r = reply(request, http::status::ok, asset->content_type, std::string(asset->bytes));
  // Script and style come only from the daemon itself; no frames.
  r.set("Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'");
  r.set("Referrer-Policy", "no-referrer");
  return r;
}

Response ConsoleApi::handle(const GatewayConfig& config, const Request& request, std::string_view path,
                            std::string_view query, const std::string& actor, const Reload& reload) {
  const std::string_view name = path.substr(std::string_view("/console/api/").size());
  const bool get = request.method() == http::verb::get;
  const bool post = request.method() == http::verb::post;
  if (name == "whoami" && get) return json_reply(request, http::status::ok, json::object{{"actor", actor}});
  if (name == "config") {
    if (get) return get_config(config, request);
    if (request.method() == http::verb::put) return put_config(config, request, actor, reload, true);
    return error_reply(request, http::status::method_not_allowed, "use GET or PUT");
  }
  if (name == "check") {
    if (post) return put_config(config, request, actor, reload, false);
    return error_reply(request, http::status::method_not_allowed, "use POST");
  }
  if (name == "stats" && get) return stats(config, request, query);
  if (name == "changes" && get) return changes(request, query);
  if (name == "experiments" && get) return experiments(request);
  if (name == "preview") {
    if (post) return preview(config, request);
    return error_reply(request, http::status::method_not_allowed, "use POST");
  }
  if (name == "whoami" || name == "stats" || name == "changes" || name == "experiments") {
    return error_reply(request, http::status::method_not_allowed, "use GET");
  }
  return error_reply(request, http::status::not_found, "no such console resource");
}

Response ConsoleApi::get_config(const GatewayConfig& config, const Request& request) {
  auto bytes = read_bytes(config.policy);
  if (!bytes) return error_reply(request, http::status::internal_server_error, bytes.error().describe());
  auto policy = parse_policy(*bytes, config.policy.filename().string(), config.policy.parent_path());
  if (!policy) {
    // The file on disk is broken (edited by hand since the last reload): say
    // so rather than show a configuration that is not the file's.
    return error_reply(request, http::status::conflict, policy.error().describe());
  }
  return json_reply(request, http::status::ok,
                    json::object{{"version", (*policy)->source_sha256},
                                 {"file", config.policy.filename().string()},
                                 {"today", format_date((*policy)->zone.local_date(now()))},
                                 {"config", policy_to_json(**policy, config.policy.parent_path())}});
}

Response ConsoleApi::put_config(const GatewayConfig& config, const Request& request, const std::string& actor,
                                const Reload& reload, bool save) {
  json::error_code ec;
  const json::value body = json::parse(request.body(), ec);
  if (ec || !body.is_object() || !body.as_object().contains("config")) {
    return error_reply(request, http::status::bad_request,
                       "the body is not a JSON object with \"config\"; expected {\"version\": ..., \"config\": {...}}");
  }
  std::lock_guard lock(save_mutex_);
  const fs::path base = config.policy.parent_path();
  const std::string file_name = config.policy.filename().string();
  auto old_bytes = read_bytes(config.policy);
  if (!old_bytes) return error_reply(request, http::status::internal_server_error, old_bytes.error().describe());
  const std::string old_version = sha256_hex_of(*old_bytes);
  if (save) {
    const json::value* version = body.as_object().if_contains("version");
    if (version == nullptr || !version->is_string() || version->as_string() != old_version) {
      return json_reply(request, http::status::conflict,
                        json::object{{"saved", false},
                                     {"error", file_name + " changed since it was read; expected the version " +
                                                   old_version + ": load the configuration again"},
                                     {"version", old_version}});
    }
  }

  std::vector<FieldProblem> problems;
  const Policy edited = policy_from_json(body.as_object().at("config"), base, problems);
  if (!problems.empty()) return json_reply(request, http::status::unprocessable_entity, problems_json(problems));
  // The pseudonymisation secret stays where IT put it: a change from the
  // browser would silently change every requester's pseudonym.
  if (auto current = parse_policy(*old_bytes, file_name, base);
      current && (*current)->organisation.key_file.lexically_normal() != edited.organisation.key_file.lexically_normal()) {
    const std::string kept(policy_to_json(**current, base).at("organisation").at("key_file").as_string());
    const std::vector<FieldProblem> refused{
        {"organisation.key_file",
         "the key file cannot be changed from the console; expected \"" + kept + "\" as in " + file_name, 0}};
    return json_reply(request, http::status::unprocessable_entity, problems_json(refused));
  }
  // Written as a change of the file on disk, so its comments stay.
  const std::string xml = write_policy(edited, base, *old_bytes);
  auto checked = parse_policy(xml, file_name, base);
  if (!checked) {
    return json_reply(request, http::status::unprocessable_entity,
                      problems_json(map_loader_problems(xml, checked.error().describe())));
  }
  json::object before;
  if (auto old_policy = parse_policy(*old_bytes, file_name, base)) before = policy_to_json(**old_policy, base);
  const std::string summary = describe_change(before, policy_to_json(**checked, base));
  if (!save) return json_reply(request, http::status::ok, json::object{{"valid", true}, {"summary", summary}});
  if (summary == "no change") {
    return json_reply(request, http::status::ok,
                      json::object{{"saved", false}, {"version", old_version}, {"summary", summary}});
  }

  if (auto kept = write_file_atomically(fs::path(config.policy.string() + ".previous"), *old_bytes); !kept) {
    return error_reply(request, http::status::internal_server_error, kept.error().describe());
  }
  if (auto written = write_file_atomically(config.policy, xml); !written) {
    return error_reply(request, http::status::internal_server_error, written.error().describe());
  }
  // Recorded before the reload, with what changed: the engine then sees the
  // file's digest already in the ledger and does not add a second row.
  ConfigChangeRecord change;
  change.at = now();
  change.actor = actor;
  change.file = file_name;
  change.sha256 = (*checked)->source_sha256;
  change.summary = "console: " + summary;
  if (auto recorded = backend_.ledger().append_config_change(change); !recorded) {
    (void)write_file_atomically(config.policy, *old_bytes);
    return error_reply(request, http::status::internal_server_error,
                       "the change was not recorded in the ledger, so it is not applied: " + recorded.error().describe());
  }
  auto reloaded = reload ? reload(actor) : Result<void>(make_error(ErrorCode::internal, "no reload"));
  if (!reloaded) {
    // Put the running configuration's file back so disk and daemon agree,
    // and say so in the ledger, whose last row names the refused file.
    (void)write_file_atomically(config.policy, *old_bytes);
    ConfigChangeRecord revert = change;
    revert.sha256 = old_version;
    revert.summary = "console: reverted, the reload refused the change: " + reloaded.error().message;
    (void)backend_.ledger().append_config_change(revert);
    return json_reply(request, http::status::unprocessable_entity,
                      json::object{{"saved", false},
                                   {"error", reloaded.error().describe()},
                                   {"note", "the file was restored; the running configuration keeps serving"}});
  }
  log_.write(LogLevel::info, "console-config-changed", {{"actor", actor}, {"summary", summary}});
  return json_reply(request, http::status::ok,
                    json::object{{"saved", true}, {"version", (*checked)->source_sha256}, {"summary", summary}});
}

Response ConsoleApi::stats(const GatewayConfig& config, const Request& request, std::string_view query) {
  auto parsed = parse_export_query(query_parameter(query, "from"), query_parameter(query, "to"), "month,category,department");
  if (!parsed) return error_reply(request, http::status::bad_request, parsed.error().describe());
  json::array rows;
  const auto row_json = [](const ExportRow& row) {
    return json::object{{"currency", row.currency},
                        {"orders", row.orders},
                        {"spend", row.spend},
                        {"social_orders", row.social_orders},
                        {"social_spend", row.social_spend},
                        {"offered", row.offered},
                        {"kept_default", row.kept_default},
                        {"other_social", row.other_social},
                        {"regular", row.regular},
                        {"addressable_orders", row.addressable_orders},
                        {"addressable_spend", row.addressable_spend},
                        {"addressable_social_spend", row.addressable_social_spend}};
  };
  auto grouped = backend_.ledger().export_rows(*parsed, [&](const ExportRow& row) -> Result<void> {
    json::object o = row_json(row);
    o["month"] = row.keys.at(0);
    o["category"] = row.keys.at(1);
    o["department"] = row.keys.at(2);
    rows.push_back(std::move(o));
    return {};
  });
  if (!grouped) return error_reply(request, http::status::internal_server_error, grouped.error().describe());
  ExportQuery by_supplier = *parsed;
  by_supplier.group_by = {GroupBy::supplier};
  auto policy = load_policy(config.policy);
  json::array suppliers;
  auto listed = backend_.ledger().export_rows(by_supplier, [&](const ExportRow& row) -> Result<void> {
    if (row.social_orders == 0) return {};
    json::object o = row_json(row);
    o["supplier"] = row.keys.at(0);
    const Supplier* s = policy ? (*policy)->find_supplier(row.keys.at(0)) : nullptr;
    o["name"] = s != nullptr ? s->name : std::string();
    suppliers.push_back(std::move(o));
    return {};
  });
  if (!listed) return error_reply(request, http::status::internal_server_error, listed.error().describe());
  std::sort(suppliers.begin(), suppliers.end(), [](const json::value& a, const json::value& b) {
    return a.at("social_spend").as_int64() > b.at("social_spend").as_int64();
  });
  if (suppliers.size() > 10) suppliers.resize(10);
  json::object names;
  if (policy) {
    for (const Category& c : (*policy)->categories) {
      if (c.departments.empty()) names[c.code_system + ":" + c.code] = c.name;
    }
  }
  return json_reply(request, http::status::ok,
                    json::object{{"from", format_date(parsed->from)},
                                 {"to", format_date(parsed->to)},
                                 {"rows", std::move(rows)},
                                 {"top_social_suppliers", std::move(suppliers)},
                                 {"category_names", std::move(names)}});
}

// The latest configuration changes, through the Ledger interface, so that
// whichever backend holds the chain serves the list.
Response ConsoleApi::changes(const Request& request, std::string_view query) {
  int limit = 20;
  if (const std::string l = query_parameter(query, "limit"); !l.empty()) limit = std::clamp(std::atoi(l.c_str()), 1, 500);
  auto recent = backend_.ledger().recent_config_changes(static_cast<std::size_t>(limit));
  if (!recent) {
    return error_reply(request,
                       recent.error().code == ErrorCode::unsupported ? http::status::not_implemented
                                                                     : http::status::internal_server_error,
                       "the configuration changes cannot be read: " + recent.error().describe());
  }
  json::array list;
  for (const StoredConfigChange& stored : *recent) {
    const ConfigChangeRecord& c = stored.change;
    list.push_back(json::object{{"row", stored.row},
                                {"at", format_utc(c.at)},
                                {"actor", c.actor},
                                {"file", c.file},
                                {"sha256", c.sha256},
                                {"summary", c.summary}});
  }
  return json_reply(request, http::status::ok, json::object{{"changes", std::move(list)}});
}

Response ConsoleApi::experiments(const Request& request) {
  std::ostringstream out;
  auto reported = backend_.experiment_report("", "json", out, now());
  if (!reported) {
    return error_reply(request, reported.error().code == ErrorCode::unsupported ? http::status::not_found
                                                                                 : http::status::internal_server_error,
                       reported.error().describe());
  }
  return reply(request, http::status::ok, "application/json", std::move(out).str());
}

// What the ordering screen would show: the decision on a sample shortlist
// for a category and department, with today's date and no colleague norm
// (the preview does not read the ledger).
Response ConsoleApi::preview(const GatewayConfig& config, const Request& request) {
  json::error_code ec;
  const json::value body = json::parse(request.body(), ec);
  if (ec || !body.is_object()) {
    return error_reply(request, http::status::bad_request,
                       "the body is not a JSON object; expected {\"code_system\", \"code\", \"department\", \"candidates\"}");
  }
  const json::object& o = body.as_object();
  const auto text = [&](const json::object& from, std::string_view key) {
    const json::value* v = from.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string{};
  };
  auto policy = load_policy(config.policy);
  if (!policy) return error_reply(request, http::status::conflict, policy.error().describe());
  Shortlist shortlist;
  shortlist.correlation_id = "console-preview";
  shortlist.category = {text(o, "code_system"), text(o, "code")};
  shortlist.department = text(o, "department");
  shortlist.language = text(o, "language");
  if (const json::value* list = o.if_contains("candidates"); list != nullptr && list->is_array()) {
    for (const json::value& c : list->as_array()) {
      if (!c.is_object()) continue;
      Candidate candidate;
      candidate.supplier_id = text(c.as_object(), "supplier_id");
      if (const Supplier* s = (*policy)->find_supplier(candidate.supplier_id)) candidate.name = s->name;
      if (const std::string price = text(c.as_object(), "price"); !price.empty()) {
        auto money = parse_money(price, (*policy)->organisation.reporting_currency);
        if (!money) return error_reply(request, http::status::bad_request, "price " + money.error().message);
        candidate.price = *money;
      }
      if (const json::value* p = c.as_object().if_contains("preselected"); p != nullptr && p->is_bool()) {
        candidate.preselected = p->as_bool();
      }
      shortlist.candidates.push_back(std::move(candidate));
    }
  }
  LocalDate day = (*policy)->zone.local_date(now());
  if (const std::string d = text(o, "date"); !d.empty()) {
    auto parsed = parse_date(d);
    if (!parsed) return error_reply(request, http::status::bad_request, "date: " + parsed.error().message);
    day = *parsed;
  }
  const Decision decision = decide(**policy, shortlist, DecisionContext(day, 0));
  json::array order, notes;
  for (const Placement& p : decision.order) {
    const Supplier* s = (*policy)->find_supplier(p.supplier_id);
    order.push_back(json::object{{"supplier_id", p.supplier_id},
                                 {"name", s != nullptr ? s->name : std::string()},
                                 {"social", p.social},
                                 {"preselected", p.preselected},
                                 {"injected", p.injected}});
  }
  for (const Note& n : decision.notes) {
    notes.push_back(json::object{{"target", n.target == NoteTarget::message ? "message" : "candidate"},
                                 {"supplier_id", n.supplier_id},
                                 {"kind", n.kind},
                                 {"text", n.text}});
  }
  return json_reply(request, http::status::ok,
                    json::object{{"reason", to_string(decision.reason)},
                                 {"category", decision.category != nullptr ? decision.category->name : std::string()},
                                 {"default_supplier", decision.default_supplier_id},
                                 {"language", to_string(decision.language)},
                                 {"date", format_date(day)},
                                 {"order", std::move(order)},
                                 {"notes", std::move(notes)}});
}

}  // namespace socialdefault::gateway
