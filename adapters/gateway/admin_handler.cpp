#include "admin_handler.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <sstream>

namespace socialdefault::gateway {

std::string sha256_hex_of(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string url_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      const int hi = i + 1 < text.size() ? hex(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hex(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        out += c;
      } else {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
      }
    } else {
      out += c;
    }
  }
  return out;
}

std::string query_parameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (url_decode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string{} : url_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

namespace {

Response text_response(const Request& request, http::status status, std::string_view content_type, std::string body) {
  Response response{status, request.version()};
  response.set(http::field::content_type, content_type);
  response.set(http::field::server, "socialdefaultd");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(const Request& request, http::status status, const boost::json::object& o) {
  return text_response(request, status, "application/json", boost::json::serialize(o) + "\n");
}

}  // namespace

Response AdminHandler::handle(const GatewayConfig& config, const Request& request, bool client_certificate_verified) {
  const std::string_view target = request.target();
  const std::size_t qmark = target.find('?');
  const std::string_view path = target.substr(0, qmark);
  const std::string_view query = qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
  std::string actor;

  const auto finish = [&](Response response) {
    log_.write(LogLevel::info, "admin",
               {{"path", std::string(path)},
                {"method", std::string(request.method_string())},
                {"status", response.result_int()},
                {"actor", actor}});
    return response;
  };

  // Probes carry no credentials.
  if (path == "/healthz") return finish(text_response(request, http::status::ok, "text/plain", "ok\n"));
  if (path == "/readyz") {
    const bool ready = !hooks_.ready || hooks_.ready();
    return finish(text_response(request, ready ? http::status::ok : http::status::service_unavailable, "text/plain",
                                ready ? "ready\n" : "not ready\n"));
  }

  // The console's page holds no data; its API below needs the token.
  if (auto asset = console_.serve_asset(request, path)) return finish(std::move(*asset));

  // Everything else needs a token or a verified client certificate.
  if (client_certificate_verified && config.admin.tls && config.admin.tls->require_client_certificate) {
    actor = "client-certificate";
  } else {
    const std::string_view authorization = request[http::field::authorization];
    if (authorization.empty()) {
      Response r = json_response(request, http::status::unauthorized, {{"error", "a bearer token is required"}});
      r.set(http::field::www_authenticate, "Bearer realm=\"socialdefaultd admin\"");
      return finish(std::move(r));
    }
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.size() <= kBearer.size() ||
        authorization.substr(0, kBearer.size()) != kBearer) {
      return finish(json_response(request, http::status::forbidden, {{"error", "the token is not valid"}}));
    }
    const std::string digest = sha256_hex_of(authorization.substr(kBearer.size()));
    for (const AdminToken& token : config.admin.tokens) {
      // Constant time, so the comparison does not leak how much matched.
      if (token.sha256.size() == digest.size() &&
          CRYPTO_memcmp(token.sha256.data(), digest.data(), digest.size()) == 0) {
        actor = token.name;
      }
    }
    if (actor.empty()) {
      return finish(json_response(request, http::status::forbidden, {{"error", "the token is not valid"}}));
    }
  }

  if (path == "/metrics") {
    if (request.method() != http::verb::get) {
      return finish(json_response(request, http::status::method_not_allowed, {{"error", "use GET"}}));
    }
    return finish(
        text_response(request, http::status::ok, "text/plain; version=0.0.4; charset=utf-8", metrics_.render()));
  }
  if (path == "/admin/reload") {
    if (request.method() != http::verb::post) {
      return finish(json_response(request, http::status::method_not_allowed, {{"error", "use POST"}}));
    }
    auto reloaded = hooks_.reload ? hooks_.reload(actor) : Result<void>(make_error(ErrorCode::internal, "no reload"));
    if (!reloaded) {
      return finish(json_response(request, http::status::unprocessable_entity,
                                  {{"reloaded", false},
                                   {"error", reloaded.error().describe()},
                                   {"note", "the running configuration keeps serving"}}));
    }
    return finish(json_response(request, http::status::ok, {{"reloaded", true}}));
  }
  if (path == "/admin/export") {
    if (request.method() != http::verb::get) {
      return finish(json_response(request, http::status::method_not_allowed, {{"error", "use GET"}}));
    }
    const std::string from = query_parameter(query, "from");
    const std::string to = query_parameter(query, "to");
    const std::string group_by = query_parameter(query, "group-by");
    std::string format = query_parameter(query, "format");
    if (format.empty()) format = "csv";
    if (from.empty() || to.empty()) {
      return finish(json_response(request, http::status::bad_request,
                                  {{"error", "from and to are required, e.g. ?from=2026-01-01&to=2026-12-31"}}));
    }
    std::ostringstream out;
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    auto exported = backend_.export_report(from, to, group_by, format, out, now);
    if (!exported) {
      const auto status = exported.error().code == ErrorCode::invalid_argument ? http::status::bad_request
                                                                               : http::status::internal_server_error;
      return finish(json_response(request, status, {{"error", exported.error().describe()}}));
    }
    const std::string_view type = format == "json" ? "application/json"
                                  : format == "xml" ? "application/xml"
                                                    : "text/csv; charset=utf-8";
    return finish(text_response(request, http::status::ok, type, std::move(out).str()));
  }
  if (path == "/admin/experiments") {
    if (request.method() != http::verb::get) {
      return finish(json_response(request, http::status::method_not_allowed, {{"error", "use GET"}}));
    }
    std::string format = query_parameter(query, "format");
    if (format.empty()) format = "json";
    std::ostringstream out;
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    auto reported = backend_.experiment_report(query_parameter(query, "experiment"), format, out, now);
    if (!reported) {
      const ErrorCode code = reported.error().code;
      const auto status = code == ErrorCode::invalid_argument ? http::status::bad_request
                          : code == ErrorCode::not_found      ? http::status::not_found
                                                              : http::status::internal_server_error;
      return finish(json_response(request, status, {{"error", reported.error().describe()}}));
    }
    const std::string_view type = format == "csv" ? "text/csv; charset=utf-8"
                                  : format == "xml" ? "application/xml"
                                                    : "application/json";
    return finish(text_response(request, http::status::ok, type, std::move(out).str()));
  }
  if (path == "/admin/verify") {
    if (request.method() != http::verb::get) {
      return finish(json_response(request, http::status::method_not_allowed, {{"error", "use GET"}}));
    }
    auto report = backend_.verify();
    if (!report) {
      return finish(json_response(request, http::status::internal_server_error, {{"error", report.error().describe()}}));
    }
    boost::json::object o{{"intact", report->intact}, {"rows_checked", report->rows_checked}};
    if (!report->intact) {
      o["first_broken_table"] = report->first_broken_table;
      o["first_broken_row"] = report->first_broken_row;
      o["problem"] = report->problem;
    }
    return finish(json_response(request, report->intact ? http::status::ok : http::status::conflict, o));
  }
  if (path.substr(0, 13) == "/console/api/") {
    return finish(console_.handle(config, request, path, query, actor, hooks_.reload));
  }
  return finish(json_response(request, http::status::not_found, {{"error", "no such admin resource"}}));
}

}  // namespace socialdefault::gateway
