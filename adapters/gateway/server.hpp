// The daemon's network side: the gateway and admin listeners, their
// sessions (Beast, keep-alive, a timeout on every read and write, body and
// header limits, a connection cap), the worker pool that runs the blocking
// upstream and ledger calls, signals and the graceful stop.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "admin_handler.hpp"
#include "request_handler.hpp"

namespace socialdefault::gateway {

class SessionBase;
class Acceptor;

struct ServerOptions {
  // Plain http:// routes are called with Beast on the io threads
  // (AsioUpstream); false: every route goes to the given Upstream on the
  // worker pool.
  bool asio_upstream = true;
  std::size_t max_response_bytes = std::size_t{64} << 20;
};

class Server {
 public:
  // generation: the configuration to serve; the backend, upstream,
  // committer, metrics and log outlive the server.
  Server(std::shared_ptr<const Generation> generation, Backend& backend, Upstream& upstream,
         GroupCommitter& committer, Metrics& metrics, JsonLog& log, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listeners and starts the io and worker threads.
  Result<void> start();
  // SIGHUP reloads; SIGTERM and SIGINT stop gracefully.
  void handle_signals();
  // Stops accepting, lets the requests in flight finish (at most grace),
  // then stops the threads. Safe from any thread, also from a signal handler's
  // completion; returns at once.
  void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(30000));
  // Blocks until the server has stopped.
  void wait();

  // Reloads the gateway configuration from its file, and the policy; on
  // any error the running configuration stays.
  Result<void> reload(const std::string& actor);

  std::uint16_t port() const noexcept { return port_; }
  std::uint16_t admin_port() const noexcept { return admin_port_; }
  std::shared_ptr<const Generation> generation() const { return std::atomic_load(&generation_); }
  bool draining() const noexcept { return draining_.load(); }

  // Used by the sessions.
  struct Role {
    bool admin = false;
  };
  // home: the io_context of the session, where a plain http upstream call
  // runs (its thread is the only one that touches the session). The answer
  // goes to session->respond(): a pointer the request carries along, where
  // a std::function holding it would be allocated for every request.
  void dispatch(Role role, std::shared_ptr<Request> request, bool client_verified, boost::asio::io_context& home,
                std::shared_ptr<SessionBase> session);
  void track(const std::shared_ptr<SessionBase>& session);
  void untrack(SessionBase* session);
  Metrics& metrics() noexcept { return metrics_; }
  JsonLog& log() noexcept { return log_; }
  // The first io thread's context: listeners, signals, timers and its share
  // of the sessions.
  boost::asio::io_context& io() noexcept { return io_; }
  // The context a new connection is bound to: the io threads in turn.
  boost::asio::io_context& next_io() noexcept;

 private:
  void finish_shutdown(std::chrono::steady_clock::time_point deadline);
  // The gateway's requests: prepared and completed where they arrived (an
  // io thread) when the ERP is reached without blocking; the blocking parts
  // (libcurl, the ledger) on the worker pool.
  void dispatch_gateway(std::shared_ptr<Request> request, boost::asio::io_context& home,
                        std::shared_ptr<SessionBase> session);
  // A gateway request between prepare() and complete() (server.cpp).
  struct InFlight;
  void complete_gateway(InFlight& flight, UpstreamResult answer);
  void flush_logs_periodically();

  // Declared before io_ so that sessions destroyed with io_'s pending
  // handlers can still untrack themselves.
  std::shared_ptr<const Generation> generation_;
  Backend& backend_;
  Metrics& metrics_;
  JsonLog& log_;
  Upstream& upstream_;
  RequestHandler handler_;
  AdminHandler admin_;
  std::mutex sessions_mutex_;
  std::map<SessionBase*, std::weak_ptr<SessionBase>> sessions_;
  std::mutex reload_mutex_;
  std::mutex stop_mutex_;
  bool joined_ = false;
  // One io_context per io thread, each run by that thread alone: a session
  // and its upstream connection live on one context, so nothing needs a
  // strand and the streams use the context's own executor type.
  boost::asio::io_context io_{1};
  std::vector<std::unique_ptr<boost::asio::io_context>> more_io_;  // io threads 2..n
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> io_guards_;
  std::atomic<std::size_t> next_io_{0};
  std::unique_ptr<AsioUpstream> asio_upstream_;  // after the contexts: its connections go first
  std::optional<boost::asio::thread_pool> workers_;
  std::vector<std::thread> io_threads_;
  std::shared_ptr<Acceptor> listener_;
  std::shared_ptr<Acceptor> admin_listener_;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<bool> started_{false};
  std::unique_ptr<struct SignalState> signals_;
};

}  // namespace socialdefault::gateway
