// socialdefaultd: the gateway between the ordering screen and the ERP's SOAP
// endpoint. See `socialdefaultd --help` and docs/gateway.md.

#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "allocator.hpp"
#include "backend.hpp"
#include "gateway_config.hpp"
#include "json_log.hpp"
#include "metrics.hpp"
#include "server.hpp"
#include "socialdefault/adapter.hpp"
#include "socialdefault/group_commit.hpp"
#include "socialdefault/policy.hpp"
#include "spool.hpp"
#include "upstream.hpp"

namespace sd = socialdefault;
namespace gw = socialdefault::gateway;

namespace {

enum Exit {
  kOk = 0,
  kUsage = 1,
  kConfig = 2,   // gateway configuration, policy or mapping invalid
  kRuntime = 5,  // ledger, spool or listener could not be opened
};

constexpr const char* kHelp = R"(usage: socialdefaultd --config FILE [--check]

The socialdefault gateway: an HTTP(S) reverse proxy between the ordering
screen and the ERP's SOAP endpoint. Shortlist responses are rewritten so a
social enterprise is the default; accepted orders are recorded durably
before the ERP's answer goes back. Whatever socialdefault cannot do passes
through unchanged.

  --config FILE   the gateway configuration (urn:socialdefault:gateway:1)
  --check         check the gateway configuration, the policy and every
                  route's mapping, print a summary and exit
  --help          this text
  --version       the version

Signals: SIGHUP reloads (a bad configuration is refused and the running
one keeps serving); SIGTERM and SIGINT stop accepting, finish the requests
in flight and exit 0.
Logs: one JSON object per line on stdout.
Exit codes: 0 ok, 1 usage, 2 configuration invalid, 5 ledger, spool or
            listener could not be opened.
)";

#ifndef SD_VERSION_STRING
#define SD_VERSION_STRING "0"
#endif

int check(const gw::GatewayConfig& config) {
  auto policy = sd::load_policy(config.policy);
  if (!policy) {
    std::cerr << policy.error().describe() << "\n";
    return kConfig;
  }
  const sd::AdapterRegistry registry = sd::AdapterRegistry::builtin();
  for (const gw::Route& route : config.routes) {
    sd::Limits limits;
    limits.max_bytes = config.limits.max_body_bytes;
    limits.max_depth = config.limits.max_xml_depth;
    auto adapter = registry.create(route.adapter, sd::AdapterSettings{route.mapping, limits});
    if (!adapter) {
      std::cerr << config.source.filename().string() << ":" << route.line << ": route \"" << route.path
                << "\": " << adapter.error().describe() << "\n";
      return kConfig;
    }
  }
  std::cout << config.source.filename().string() << ": ok: " << config.routes.size() << " route(s), listener "
            << config.listener.address << ":" << config.listener.port
            << (config.listener.tls ? " (TLS)" : "") << ", policy " << config.policy.filename().string() << "\n";
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_file;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kHelp;
      return kOk;
    } else if (arg == "--version") {
      std::cout << "socialdefaultd " << SD_VERSION_STRING << "\n";
      return kOk;
    } else if (arg == "--check") {
      check_only = true;
    } else if (arg == "--config" && i + 1 < argc) {
      config_file = argv[++i];
    } else {
      std::cerr << "socialdefaultd: unknown or incomplete option \"" << arg << "\"\n" << kHelp;
      return kUsage;
    }
  }
  if (config_file.empty()) {
    std::cerr << "socialdefaultd: --config FILE is required\n" << kHelp;
    return kUsage;
  }
  auto config = gw::load_gateway_config(config_file);
  if (!config) {
    std::cerr << config.error().describe() << "\n";
    return kConfig;
  }
  if (check_only) return check(**config);

  std::signal(SIGPIPE, SIG_IGN);
  gw::JsonLog log(std::cout, (*config)->logging.level);
  // Before the threads start, so that every arena is made with it.
  log.write(gw::LogLevel::info, "allocator",
            {{"tuning", gw::tune_allocator(gw::AllocatorTuning{}, std::getenv("GLIBC_TUNABLES"))}});
  {
    std::error_code ec;
    std::filesystem::create_directories((*config)->ledger.parent_path(), ec);
    if (ec) {
      log.write(gw::LogLevel::error, "start-failed",
                {{"reason", (*config)->ledger.parent_path().string() + ": cannot create the ledger's folder: " +
                                ec.message()}});
      return kRuntime;
    }
  }
  auto backend = gw::open_engine_backend(**config);
  if (!backend) {
    log.write(gw::LogLevel::error, "start-failed", {{"reason", backend.error().describe()}});
    return backend.error().code == sd::ErrorCode::config ? kConfig : kRuntime;
  }
  auto spool = gw::Spool::open((*config)->spool);
  if (!spool) {
    log.write(gw::LogLevel::error, "start-failed", {{"reason", spool.error().describe()}});
    return kRuntime;
  }
  sd::GroupCommitter committer((*backend)->ledger(), spool->get());
  // Whatever an earlier run had to spool goes into the ledger first.
  if ((*spool)->depth() > 0) {
    auto drained = committer.drain_fallback();
    if (drained) {
      log.write(gw::LogLevel::info, "spool-replayed", {{"records", *drained}});
    } else {
      log.write(gw::LogLevel::warning, "spool-replay-failed",
                {{"reason", drained.error().describe()}, {"depth", (*spool)->depth()}});
    }
  }
  auto generation = gw::build_generation(*config, **backend);
  if (!generation) {
    log.write(gw::LogLevel::error, "start-failed", {{"reason", generation.error().describe()}});
    return kConfig;
  }
  gw::Metrics metrics;
  gw::Spool* spool_ptr = spool->get();
  metrics.spool_depth = [spool_ptr] { return spool_ptr->depth(); };
  metrics.offer_stats = [engine = backend->get()] { return engine->offer_stats(); };
  gw::CurlUpstream upstream(std::size_t{64} << 20);
  gw::Server server(std::move(generation).value(), **backend, upstream, committer, metrics, log);
  // Signals are taken over before "listening" is logged: whoever starts the
  // daemon may stop it as soon as it says it listens.
  server.handle_signals();
  if (auto started = server.start(); !started) {
    log.write(gw::LogLevel::error, "start-failed", {{"reason", started.error().describe()}});
    return kRuntime;
  }
  server.wait();
  committer.stop();
  log.write(gw::LogLevel::info, "exit", {{"spool_depth", (*spool)->depth()}});
  log.flush();
  return kOk;
}
