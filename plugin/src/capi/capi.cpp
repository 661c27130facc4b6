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
