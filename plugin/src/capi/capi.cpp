// The only place with extern "C" definitions. Every entry point catches
// everything and turns it into an sd_status.
#include "socialdefault/socialdefault.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>
#include <string>

#include "socialdefault/engine.hpp"

struct sd_engine {
  std::unique_ptr<socialdefault::Engine> engine;
};

struct sd_error {
  sd_status status = SD_INTERNAL;
  std::string message;
  std::string where;
};

namespace {

using socialdefault::Error;
using socialdefault::ErrorCode;

sd_status status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return SD_INVALID_ARGUMENT;
    case ErrorCode::config: return SD_CONFIG;
    case ErrorCode::xml: return SD_XML;
    case ErrorCode::unsupported: return SD_UNSUPPORTED;
    case ErrorCode::mapping: return SD_MAPPING;
    case ErrorCode::signed_content: return SD_SIGNED_CONTENT;
    case ErrorCode::io: return SD_IO;
    case ErrorCode::database: return SD_DATABASE;
    case ErrorCode::crypto: return SD_CRYPTO;
    case ErrorCode::tampered: return SD_TAMPERED;
    case ErrorCode::not_found: return SD_NOT_FOUND;
    case ErrorCode::internal: return SD_INTERNAL;
  }
  return SD_INTERNAL;
}

sd_status fail(sd_error** out, sd_status status, std::string message, std::string where = {}) {
  if (out != nullptr) {
    *out = new (std::nothrow) sd_error{status, std::move(message), std::move(where)};
  }
  return status;
}

sd_status fail(sd_error** out, const Error& error) {
  return fail(out, status_of(error.code), error.describe(), error.where);
}

// Copies bytes into a malloc'd, NUL-terminated buffer owned by the caller.
sd_status give(const std::string& bytes, char** out, size_t* out_size, sd_error** error) {
  if (out == nullptr) return SD_OK;
  char* buffer = static_cast<char*>(std::malloc(bytes.size() + 1));
  if (buffer == nullptr) return fail(error, SD_NO_MEMORY, "out of memory");
  std::memcpy(buffer, bytes.data(), bytes.size());
  buffer[bytes.size()] = '\0';
  *out = buffer;
  if (out_size != nullptr) *out_size = bytes.size();
  return SD_OK;
}

socialdefault::UtcSeconds time_of(int64_t at) {
  if (at != 0) return socialdefault::UtcSeconds{std::chrono::seconds{at}};
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

template <typename F>
sd_status guarded(sd_error** error, F&& body) {
  if (error != nullptr) *error = nullptr;
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return fail(error, SD_NO_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(error, SD_INTERNAL, std::string("unexpected failure: ") + e.what());
  } catch (...) {
    return fail(error, SD_INTERNAL, "unexpected failure");
  }
}

}  // namespace

extern "C" {

SD_API const char* sd_version(void) { return SD_VERSION_STRING; }

SD_API const char* sd_status_name(sd_status status) {
  switch (status) {
    case SD_OK: return "ok";
    case SD_INVALID_ARGUMENT: return "invalid_argument";
    case SD_CONFIG: return "config";
    case SD_XML: return "xml";
    case SD_UNSUPPORTED: return "unsupported";
    case SD_MAPPING: return "mapping";
    case SD_SIGNED_CONTENT: return "signed_content";
    case SD_IO: return "io";
    case SD_DATABASE: return "database";
    case SD_CRYPTO: return "crypto";
    case SD_TAMPERED: return "tampered";
    case SD_NOT_FOUND: return "not_found";
    case SD_INTERNAL: return "internal";
    case SD_NO_MEMORY: return "no_memory";
  }
  return "unknown";
}

SD_API sd_status sd_error_status(const sd_error* error) { return error != nullptr ? error->status : SD_OK; }
SD_API const char* sd_error_message(const sd_error* error) { return error != nullptr ? error->message.c_str() : ""; }
SD_API const char* sd_error_where(const sd_error* error) { return error != nullptr ? error->where.c_str() : ""; }
SD_API void sd_error_free(sd_error* error) { delete error; }
SD_API void sd_buffer_free(char* buffer) { std::free(buffer); }

SD_API sd_status sd_engine_open(const char* config_path, const char* mapping_path, const char* ledger_path,
                                const char* adapter, sd_engine** engine, sd_error** error) {
  return guarded(error, [&]() -> sd_status {
    if (config_path == nullptr || mapping_path == nullptr || ledger_path == nullptr || engine == nullptr) {
      return fail(error, SD_INVALID_ARGUMENT, "sd_engine_open: config_path, mapping_path, ledger_path and engine are required");
    }
    *engine = nullptr;
    socialdefault::EngineOptions options;
    options.config = config_path;
    options.mapping = mapping_path;
    options.ledger = ledger_path;
    if (adapter != nullptr && *adapter != '\0') options.adapter = adapter;
    auto opened = socialdefault::Engine::open(options);
    if (!opened) return fail(error, opened.error());
    *engine = new sd_engine{std::move(opened).value()};
    return SD_OK;
  });
}

SD_API void sd_engine_close(sd_engine* engine) {
  try {
    delete engine;
  } catch (...) {
    // A destructor that throws has nowhere to report to; the handle is gone either way.
  }
}

SD_API sd_status sd_rewrite(sd_engine* engine, const char* response, size_t response_size, const char* request,
                            size_t request_size, int64_t at, char** out, size_t* out_size, char** decision_json,
                            size_t* decision_json_size, sd_error** error) {
  return guarded(error, [&]() -> sd_status {
    if (engine == nullptr || response == nullptr || out == nullptr) {
      return fail(error, SD_INVALID_ARGUMENT, "sd_rewrite: engine, response and out are required");
    }
    std::optional<std::string_view> req;
    if (request != nullptr) req = std::string_view(request, request_size);
    auto result = engine->engine->rewrite(std::string_view(response, response_size), req, time_of(at));
    std::string json;
    if (decision_json != nullptr) json = socialdefault::decision_json(result, engine->engine->keys());
    if (sd_status s = give(result.body, out, out_size, error); s != SD_OK) return s;
    if (decision_json != nullptr) {
      if (sd_status s = give(json, decision_json, decision_json_size, error); s != SD_OK) {
        sd_buffer_free(*out);
        *out = nullptr;
        return s;
      }
    }
    return SD_OK;
  });
}

SD_API sd_status sd_record(sd_engine* engine, const char* request, size_t request_size, const char* response,
                           size_t response_size, int64_t at, size_t* recorded, sd_error** error) {
  return guarded(error, [&]() -> sd_status {
    if (engine == nullptr || request == nullptr) {
      return fail(error, SD_INVALID_ARGUMENT, "sd_record: engine and request are required");
    }
    std::optional<std::string_view> resp;
    if (response != nullptr) resp = std::string_view(response, response_size);
    auto records = engine->engine->record(std::string_view(request, request_size), resp, time_of(at));
    if (!records) return fail(error, records.error());
    if (recorded != nullptr) *recorded = records->size();
    return SD_OK;
  });
}

SD_API sd_status sd_export(sd_engine* engine, const char* from, const char* to, const char* group_by,
                           const char* format, char** out, size_t* out_size, sd_error** error) {
  return guarded(error, [&]() -> sd_status {
    if (engine == nullptr || from == nullptr || to == nullptr || format == nullptr || out == nullptr) {
      return fail(error, SD_INVALID_ARGUMENT, "sd_export: engine, from, to, format and out are required");
    }
    auto query = socialdefault::parse_export_query(from, to, group_by != nullptr ? group_by : "");
    if (!query) return fail(error, query.error());
    auto fmt = socialdefault::parse_export_format(format);
    if (!fmt) return fail(error, fmt.error());
    std::ostringstream text;
    auto written = engine->engine->export_report(*query, *fmt, text, time_of(0));
    if (!written) return fail(error, written.error());
    return give(text.str(), out, out_size, error);
  });
}

SD_API sd_status sd_verify(sd_engine* engine, char** report, size_t* report_size, sd_error** error) {
  return guarded(error, [&]() -> sd_status {
    if (engine == nullptr) return fail(error, SD_INVALID_ARGUMENT, "sd_verify: engine is required");
    auto verified = engine->engine->verify();
    if (!verified) return fail(error, verified.error());
    const socialdefault::VerifyReport& v = *verified;
    if (report != nullptr) {
      if (sd_status s = give(socialdefault::verify_report_json(v), report, report_size, error); s != SD_OK) return s;
    }
    if (!v.intact) {
      return fail(error, SD_TAMPERED, v.detail);
    }
    return SD_OK;
  });
}

SD_API sd_status sd_experiments_report(sd_engine* engine, const char* experiment, const char* format, char** out,
                                       size_t* out_size, sd_error** error) {
  return guarded(error, [&]() -> sd_status {
    if (engine == nullptr || format == nullptr || out == nullptr) {
      return fail(error, SD_INVALID_ARGUMENT, "sd_experiments_report: engine, format and out are required");
    }
    auto fmt = socialdefault::parse_export_format(format);
    if (!fmt) return fail(error, fmt.error());
    std::ostringstream text;
    auto written =
        engine->engine->experiment_report(experiment != nullptr ? experiment : "", *fmt, text, time_of(0));
    if (!written) return fail(error, written.error());
    return give(text.str(), out, out_size, error);
  });
}

}  // extern "C"

// --- Hosts that read their own documents: sd_offer, sd_record_choices ---
// The JSON is read here, at the boundary, into the core's Shortlist and
// OrderChoice; every error names the field path (sd_error_where).
#include <boost/json.hpp>

namespace {

using socialdefault::ErrorCode;
using socialdefault::Result;

// Reads one JSON object field by field, keeping the path for messages.
class JsonFields {
 public:
  JsonFields(const boost::json::object& object, std::string path) : object_(object), path_(std::move(path)) {}

  Result<std::string> text(std::string_view key, bool required) const {
    const boost::json::value* v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) {
      if (required) return wrong(key, "required, a string");
      return std::string();
    }
    if (!v->is_string()) return wrong(key, "expected a string");
    return std::string(v->get_string());
  }

  Result<bool> flag(std::string_view key, bool default_value) const {
    const boost::json::value* v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) return default_value;
    if (!v->is_bool()) return wrong(key, "expected true or false");
    return v->get_bool();
  }

  // A whole number >= 1; default_value when absent.
  Result<int> line_number(std::string_view key, int default_value) const {
    const boost::json::value* v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) return default_value;
    if (!v->is_int64() || v->get_int64() < 1 || v->get_int64() > 1000000) {
      return wrong(key, "expected a whole number from 1 to 1000000");
    }
    return static_cast<int>(v->get_int64());
  }

  Result<const boost::json::object*> object(std::string_view key, bool required) const {
    const boost::json::value* v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) {
      if (required) return wrong(key, "required, an object");
      return static_cast<const boost::json::object*>(nullptr);
    }
    if (!v->is_object()) return wrong(key, "expected an object");
    return &v->get_object();
  }

  Result<const boost::json::array*> array(std::string_view key) const {
    const boost::json::value* v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) return static_cast<const boost::json::array*>(nullptr);
    if (!v->is_array()) return wrong(key, "expected an array");
    return &v->get_array();
  }

  // "price" and "currency" as Money; absent when the decimal is absent.
  Result<std::optional<socialdefault::Money>> money(std::string_view decimal_key) const {
    auto decimal = text(decimal_key, false);
    if (!decimal) return std::move(decimal).error();
    if (decimal->empty()) return std::optional<socialdefault::Money>();
    auto currency = text("currency", false);
    if (!currency) return std::move(currency).error();
    if (currency->empty()) return wrong("currency", "required with " + std::string(decimal_key) + ", an ISO 4217 code");
    auto parsed = socialdefault::parse_money(*decimal, *currency);
    if (!parsed) return wrong(decimal_key, "\"" + *decimal + "\": " + parsed.error().message);
    return std::optional<socialdefault::Money>(std::move(parsed).value());
  }

  std::string at(std::string_view key) const { return path_ + "." + std::string(key); }
  const std::string& path() const { return path_; }

 private:
  socialdefault::Error wrong(std::string_view key, const std::string& expected) const {
    return socialdefault::make_error(ErrorCode::invalid_argument, expected, at(key));
  }

  const boost::json::object& object_;
  std::string path_;
};

Result<boost::json::value> parse_json(const char* text, size_t size, const std::string& what) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(std::string_view(text, size), ec);
  if (ec) return socialdefault::make_error(ErrorCode::invalid_argument, "not JSON: " + ec.message(), what);
  return value;
}

Result<socialdefault::CategoryRef> read_category(const JsonFields& fields) {
  auto category = fields.object("category", true);
  if (!category) return std::move(category).error();
  const JsonFields c(**category, fields.at("category"));
  auto system = c.text("code_system", false);
  if (!system) return std::move(system).error();
  auto code = c.text("code", true);
  if (!code) return std::move(code).error();
  return socialdefault::CategoryRef{std::move(system).value(), std::move(code).value()};
}

Result<std::vector<socialdefault::SupplierIdentifier>> read_identifiers(const JsonFields& fields) {
  std::vector<socialdefault::SupplierIdentifier> out;
  auto list = fields.array("identifiers");
  if (!list) return std::move(list).error();
  if (*list == nullptr) return out;
  for (size_t i = 0; i < (*list)->size(); ++i) {
    const std::string path = fields.at("identifiers") + "[" + std::to_string(i) + "]";
    const boost::json::value& v = (**list)[i];
    if (!v.is_object()) return socialdefault::make_error(ErrorCode::invalid_argument, "expected an object", path);
    const JsonFields id(v.get_object(), path);
    auto scheme = id.text("scheme", true);
    if (!scheme) return std::move(scheme).error();
    auto value = id.text("value", true);
    if (!value) return std::move(value).error();
    out.push_back({std::move(scheme).value(), std::move(value).value()});
  }
  return out;
}

Result<socialdefault::Shortlist> read_shortlist(const boost::json::value& json) {
  if (!json.is_object()) return socialdefault::make_error(ErrorCode::invalid_argument, "expected an object", "shortlist");
  const JsonFields f(json.get_object(), "shortlist");
  socialdefault::Shortlist s;
  for (auto [key, target] : {std::pair{"correlation_id", &s.correlation_id}, std::pair{"requester", &s.requester},
                             std::pair{"department", &s.department}, std::pair{"language", &s.language}}) {
    auto value = f.text(key, false);
    if (!value) return std::move(value).error();
    *target = std::move(value).value();
  }
  auto category = read_category(f);
  if (!category) return std::move(category).error();
  s.category = std::move(category).value();
  auto list = f.array("candidates");
  if (!list) return std::move(list).error();
  if (*list == nullptr) return s;
  for (size_t i = 0; i < (*list)->size(); ++i) {
    const std::string path = "shortlist.candidates[" + std::to_string(i) + "]";
    const boost::json::value& v = (**list)[i];
    if (!v.is_object()) return socialdefault::make_error(ErrorCode::invalid_argument, "expected an object", path);
    const JsonFields c(v.get_object(), path);
    socialdefault::Candidate candidate;
    auto id = c.text("supplier_id", true);
    if (!id) return std::move(id).error();
    candidate.supplier_id = std::move(id).value();
    auto name = c.text("name", false);
    if (!name) return std::move(name).error();
    candidate.name = std::move(name).value();
    auto price = c.money("price");
    if (!price) return std::move(price).error();
    candidate.price = std::move(price).value();
    auto preselected = c.flag("preselected", false);
    if (!preselected) return std::move(preselected).error();
    candidate.preselected = *preselected;
    auto identifiers = read_identifiers(c);
    if (!identifiers) return std::move(identifiers).error();
    candidate.identifiers = std::move(identifiers).value();
    s.candidates.push_back(std::move(candidate));
  }
  return s;
}

Result<std::vector<socialdefault::OrderChoice>> read_order_lines(const boost::json::value& json) {
  if (!json.is_array()) return socialdefault::make_error(ErrorCode::invalid_argument, "expected an array", "lines");
  std::vector<socialdefault::OrderChoice> lines;
  const boost::json::array& list = json.get_array();
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = "lines[" + std::to_string(i) + "]";
    if (!list[i].is_object()) return socialdefault::make_error(ErrorCode::invalid_argument, "expected an object", path);
    const JsonFields f(list[i].get_object(), path);
    socialdefault::OrderChoice c;
    for (auto [key, target] : {std::pair{"correlation_id", &c.correlation_id}, std::pair{"order_ref", &c.order_ref},
                               std::pair{"requester", &c.requester}, std::pair{"department", &c.department},
                               std::pair{"description", &c.description}}) {
      auto value = f.text(key, false);
      if (!value) return std::move(value).error();
      *target = std::move(value).value();
    }
    auto supplier = f.text("supplier_id", true);
    if (!supplier) return std::move(supplier).error();
    c.supplier_id = std::move(supplier).value();
    auto line = f.line_number("line", static_cast<int>(i) + 1);
    if (!line) return std::move(line).error();
    c.line = *line;
    auto category = read_category(f);
    if (!category) return std::move(category).error();
    c.category = std::move(category).value();
    auto identifiers = read_identifiers(f);
    if (!identifiers) return std::move(identifiers).error();
    c.supplier_identifiers = std::move(identifiers).value();
    auto amount = f.money("amount");
    if (!amount) return std::move(amount).error();
    c.amount = std::move(amount).value();
    // An absent "accepted" means accepted: the host records what it confirmed.
    auto accepted = f.flag("accepted", true);
    if (!accepted) return std::move(accepted).error();
    c.accepted = *accepted;
    lines.push_back(std::move(c));
  }
  return lines;
}

std::string_view adapter_or_host(const char* adapter_name) {
  return adapter_name != nullptr && *adapter_name != '\0' ? std::string_view(adapter_name) : std::string_view("host");
}

}  // namespace

extern "C" {

SD_API sd_status sd_offer(sd_engine* engine, const char* shortlist_json, size_t shortlist_json_size,
                          const char* adapter_name, int64_t at, char** decision_json, size_t* decision_json_size,
                          sd_error** error) {
  return guarded(error, [&]() -> sd_status {
    if (engine == nullptr || shortlist_json == nullptr || decision_json == nullptr) {
      return fail(error, SD_INVALID_ARGUMENT, "sd_offer: engine, shortlist_json and decision_json are required");
    }
    auto json = parse_json(shortlist_json, shortlist_json_size, "shortlist");
    if (!json) return fail(error, json.error());
    auto shortlist = read_shortlist(*json);
    if (!shortlist) return fail(error, shortlist.error());
    const auto now = time_of(at);
    auto decision = engine->engine->offer(*shortlist, adapter_or_host(adapter_name), now);
    if (!decision) return fail(error, decision.error());
    socialdefault::RewriteResult result;
    result.outcome = socialdefault::to_string(decision->reason);
    result.rewritten = decision->changes_document();
    result.shortlist = std::move(shortlist).value();
    result.decision = std::move(decision).value();
    return give(socialdefault::decision_json(result, engine->engine->keys()), decision_json, decision_json_size, error);
  });
}

SD_API sd_status sd_record_choices(sd_engine* engine, const char* lines_json, size_t lines_json_size,
                                   const char* adapter_name, int64_t at, size_t* recorded, char** records_json,
                                   size_t* records_json_size, sd_error** error) {
  return guarded(error, [&]() -> sd_status {
    if (engine == nullptr || lines_json == nullptr) {
      return fail(error, SD_INVALID_ARGUMENT, "sd_record_choices: engine and lines_json are required");
    }
    auto json = parse_json(lines_json, lines_json_size, "lines");
    if (!json) return fail(error, json.error());
    auto lines = read_order_lines(*json);
    if (!lines) return fail(error, lines.error());
    auto records = engine->engine->resolve_choices(*lines, adapter_or_host(adapter_name), time_of(at));
    if (!records) return fail(error, records.error());
    if (!records->empty()) {
      auto stored = engine->engine->ledger().append_choices(*records);
      if (!stored) return fail(error, stored.error());
    }
    if (recorded != nullptr) *recorded = records->size();
    if (records_json == nullptr) return SD_OK;
    boost::json::array out;
    for (const socialdefault::ChoiceRecord& r : *records) {
      out.push_back({{"correlation_id", r.correlation_id},
                     {"line", r.line},
                     {"chosen_supplier", r.chosen_supplier},
                     {"default_offered", r.default_offered},
                     {"social", r.social},
                     {"outcome", socialdefault::to_string(r.outcome)}});
    }
    return give(boost::json::serialize(out), records_json, records_json_size, error);
  });
}

}  // extern "C"
