#include <boost/beast/core/string.hpp>
#include <curl/curl.h>

#include <mutex>

#include "json_log.hpp"
#include "upstream.hpp"

namespace socialdefault::gateway {

namespace {

struct EasyHandle {
  CURL* easy = nullptr;
  EasyHandle() : easy(curl_easy_init()) {}
  ~EasyHandle() {
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

struct Collect {
  UpstreamResult* result;
  std::size_t limit;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* c = static_cast<Collect*>(user);
  const size_t n = size * count;
  if (c->result->body.size() + n > c->limit) {
    c->too_large = true;
    return 0;  // aborts the transfer
  }
  c->result->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* c = static_cast<Collect*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    c->result->headers.clear();  // a new response (after 100 Continue or a proxy's CONNECT)
    return n;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view name = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  c->result->headers.emplace_back(std::string(name), std::string(value));
  return n;
}

// The DNS cache and the TLS session cache, shared by the easy handles of all
// worker threads, so a TLS connection one worker opens resumes the session
// another negotiated. Connections are not shared: libcurl does not support
// a connection cache used by concurrent threads (CURLSHOPT_SHARE; under load
// it corrupted the heap), so each worker's handle keeps its own connections
// to the ERP alive.
struct SharedCaches {
  CURLSH* share = nullptr;
  std::mutex locks[CURL_LOCK_DATA_LAST];
  SharedCaches() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    share = curl_share_init();
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &SharedCaches::lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &SharedCaches::unlock);
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<SharedCaches*>(user)->locks[data].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) { static_cast<SharedCaches*>(user)->locks[data].unlock(); }
};

// Lives for the process: easy handles of worker threads may be cleaned up
// at thread exit after any static object of ours would be gone.
SharedCaches& shared_caches() {
  static SharedCaches* caches = new SharedCaches();
  return *caches;
}

void global_init() { (void)shared_caches(); }

}  // namespace

bool is_hop_by_hop(std::string_view name) noexcept {
  for (std::string_view h : {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
                             "upgrade", "proxy-authorization", "proxy-authenticate", "host", "content-length",
                             "expect"}) {
    if (boost::beast::iequals(name, h)) return true;
  }
  return false;
}

CurlUpstream::CurlUpstream(std::size_t max_response_bytes) : max_response_bytes_(max_response_bytes) { global_init(); }

UpstreamResult CurlUpstream::call(const Route& route, const UpstreamRequest& request) {
  thread_local EasyHandle handle;
  UpstreamResult result;
  CURL* easy = handle.easy;
  if (easy == nullptr) {
    result.failure = UpstreamFailure::other;
    result.message = "libcurl could not create a handle";
    return result;
  }
  curl_easy_reset(easy);  // keeps the connection cache
  Collect collect{&result, max_response_bytes_};
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_slist* headers = nullptr;
  bool has_content_type = false, has_accept = false;
  for (const auto& [name, value] : request.headers) {
    if (boost::beast::iequals(name, "accept-encoding")) continue;  // the engine reads identity bodies only
    if (boost::beast::iequals(name, "content-type")) has_content_type = true;
    if (boost::beast::iequals(name, "accept")) has_accept = true;
    const std::string line = name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  // Stop curl adding headers the client did not send.
  headers = curl_slist_append(headers, "Expect:");
  if (!has_content_type) headers = curl_slist_append(headers, "Content-Type:");
  if (!has_accept) headers = curl_slist_append(headers, "Accept:");

  curl_easy_setopt(easy, CURLOPT_SHARE, shared_caches().share);
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  if (request.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(route.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(route.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, route.tls.verify ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, route.tls.verify ? 2L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  if (!route.tls.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, route.tls.ca_file.c_str());
  if (!route.tls.client_certificate.empty()) {
    curl_easy_setopt(easy, CURLOPT_SSLCERT, route.tls.client_certificate.c_str());
    curl_easy_setopt(easy, CURLOPT_SSLKEY, route.tls.client_key.c_str());
  }
  // An explicit empty proxy also ignores the http_proxy environment: the
  // configuration is the one place that says where the ERP is reached.
  curl_easy_setopt(easy, CURLOPT_PROXY, route.proxy.c_str());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &collect);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &collect);

  const auto started = std::chrono::steady_clock::now();
  const CURLcode rc = curl_easy_perform(easy);
  result.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  curl_slist_free_all(headers);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);

  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    result.status = static_cast<unsigned>(status);
    return result;
  }
  const std::string where = redact_url(request.url);
  const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      result.failure = UpstreamFailure::timeout;
      result.message = "the ERP at " + where + " did not answer within " + std::to_string(route.timeout.count()) +
                       " ms";
      break;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      result.failure = UpstreamFailure::connect;
      result.message = "the ERP at " + where + " cannot be reached: " + detail;
      break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      result.failure = UpstreamFailure::tls;
      result.message = "TLS with the ERP at " + where + " failed: " + detail;
      break;
    case CURLE_WRITE_ERROR:
      if (collect.too_large) {
        result.failure = UpstreamFailure::too_large;
        result.message = "the ERP's answer exceeds " + std::to_string(max_response_bytes_) + " bytes";
        break;
      }
      [[fallthrough]];
    default:
      result.failure = UpstreamFailure::other;
      result.message = "the call to the ERP at " + where + " failed: " + detail;
  }
  // Curl's message may repeat the URL with its credentials.
  if (route.upstream.find('@') != std::string::npos) {
    result.message = "the call to the ERP at " + where + " failed (" + curl_easy_strerror(rc) + ")";
  }
  result.headers.clear();
  result.body.clear();
  return result;
}

}  // namespace socialdefault::gateway
