// The socialdefaultd process itself: command line, --check, and with the
// real engine on the example files: a round trip, SIGTERM, and kill -9 under
// load (every order the client saw accepted is in the ledger afterwards).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <future>
#include <set>

#include "gateway_fakes.hpp"
#include "socialdefault/keys.hpp"
#include "socialdefault/ledger.hpp"
#include "test_files.hpp"

extern char** environ;

namespace socialdefault::gateway::testing {
namespace {

using namespace std::chrono_literals;

std::filesystem::path daemon_path() {
  // The test runs from build/<dir>/tests; the daemon is built beside it.
  const auto self = std::filesystem::read_symlink("/proc/self/exe");
  return self.parent_path().parent_path() / "adapters" / "gateway" / "socialdefaultd";
}

std::filesystem::path example(const std::string& name) { return std::filesystem::path(SD_SOURCE_DIR) / "examples" / name; }

using socialdefault::testing::read_file;

// Runs the daemon with its stdout (and stderr) on a pipe read by a thread.
class Daemon {
 public:
  explicit Daemon(std::vector<std::string> args) {
    int out[2];
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out[1], 2);
    const std::string path = daemon_path().string();
    std::vector<char*> argv{const_cast<char*>(path.c_str())};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    reader_ = std::thread([this, fd = out[0]] {
      char buf[4096];
      for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        std::lock_guard lock(mutex_);
        output_.append(buf, static_cast<std::size_t>(n));
      }
      ::close(fd);
    });
  }
  ~Daemon() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    if (reader_.joinable()) reader_.join();
  }
  // The port from the "listening" log line, 0 when it did not come in time.
  std::uint16_t wait_listening(std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex_);
        std::istringstream lines(output_);
        std::string line;
        while (std::getline(lines, line)) {
          if (line.find("\"event\":\"listening\"") == std::string::npos) continue;
          boost::system::error_code ec;
          auto v = boost::json::parse(line, ec);
          if (!ec) return static_cast<std::uint16_t>(v.at("port").to_number<int>());
        }
      }
      std::this_thread::sleep_for(20ms);
    }
    return 0;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exited_ = true;
    return status;
  }
  // After wait(): the whole output, once the pipe is at its end.
  std::string final_output() {
    if (reader_.joinable()) reader_.join();
    return output();
  }
  std::string output() {
    std::lock_guard lock(mutex_);
    return output_;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  std::thread reader_;
  std::mutex mutex_;
  std::string output_;
};

struct ProcessRun {
  int exit_code = -1;
  std::string output;
};

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(daemon_path())) {
      GTEST_SKIP() << "socialdefaultd is not built (build the socialdefaultd target first)";
    }
  }
  ProcessRun run(std::vector<std::string> args) {
    Daemon d(std::move(args));
    const int status = d.wait();
    ProcessRun r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.output = d.final_output();
    return r;
  }
  TempDir dir;
};

TEST_F(DaemonTest, Help) {
  const ProcessRun r = run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("usage: socialdefaultd --config FILE [--check]"), std::string::npos);
}

TEST_F(DaemonTest, ConfigIsRequired) {
  const ProcessRun r = run({});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("socialdefaultd: --config FILE is required"), std::string::npos);
}

TEST_F(DaemonTest, UnknownOption) {
  const ProcessRun r = run({"--frobnicate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("socialdefaultd: unknown or incomplete option \"--frobnicate\""), std::string::npos);
}

TEST_F(DaemonTest, CheckNamesFileAndLine) {
  dir.write("policy.xml", "<config/>");
  const auto file = dir.write("gateway.xml",
                              "<gateway xmlns=\"urn:socialdefault:gateway:1\">\n"
                              "  <engine policy=\"policy.xml\" ledger=\"l.db\" spool=\"s\"/>\n"
                              "  <listener port=\"99999\"/>\n</gateway>\n");
  const ProcessRun r = run({"--config", file.string(), "--check"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("gateway.xml:3: listener: port \"99999\" is not a port number (0-65535; 0 picks a free one)"),
            std::string::npos)
      << r.output;
}

// The example deployment: the example policy and mapping, a loopback ERP.
class DaemonWithEngine : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    if (IsSkipped()) return;
    for (const char* name : {"config.xml", "erp/mapping.xml", "erp/order-request.xml", "erp/order-response.xml",
                             "erp/shortlist-request.xml", "erp/shortlist-response.xml"}) {
      if (!std::filesystem::exists(example(name))) GTEST_SKIP() << "examples/" << name << " is not in this tree yet";
    }
    order_request_ = read_file(example("erp/order-request.xml"));
    order_response_ = read_file(example("erp/order-response.xml"));
    shortlist_response_ = read_file(example("erp/shortlist-response.xml"));
    erp_ = std::make_unique<FixtureUpstream>([this](const Request& request) {
      if (request.body().find("SubmitRequisition") != std::string::npos) {
        std::string answer = order_response_;
        const std::string id = between(request.body(), "RequisitionId>", "</");
        const std::size_t at = answer.find("REQ-2026-004711");
        if (at != std::string::npos && !id.empty()) answer.replace(at, 15, id);
        return soap_response(answer);
      }
      return soap_response(shortlist_response_);
    });
    config_ = dir.write("gateway.xml",
                        "<gateway xmlns=\"urn:socialdefault:gateway:1\">\n"
                        "  <engine policy=\"" + example("config.xml").string() +
                            "\" ledger=\"ledger.db\" spool=\"spool\"/>\n"
                            "  <listener port=\"0\"/>\n"
                            "  <limits worker-threads=\"16\"/>\n"
                            "  <route path=\"/purchasing\" upstream=\"" + erp_->url("/purchasing") +
                            "\" mapping=\"" + example("erp/mapping.xml").string() + "\"/>\n"
                            "</gateway>\n");
    const ProcessRun check = run({"--config", config_.string(), "--check"});
    if (check.exit_code != 0) GTEST_SKIP() << "the example does not check yet: " << check.output;
  }
  std::string order(const std::string& id) const {
    std::string body = order_request_;
    body.replace(body.find("REQ-2026-004711"), 15, id);
    return body;
  }
  std::set<std::string> recorded_ids() {
    std::set<std::string> ids;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2((dir.path() / "ledger.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return ids;
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT correlation_id FROM choices", -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) ids.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return ids;
  }

  std::string order_request_, order_response_, shortlist_response_;
  std::unique_ptr<FixtureUpstream> erp_;
  std::filesystem::path config_;
};

TEST_F(DaemonWithEngine, RewritesRecordsAndStopsOnSigterm) {
  Daemon daemon({"--config", config_.string()});
  const std::uint16_t port = daemon.wait_listening();
  ASSERT_NE(port, 0) << daemon.output();
  const Response shortlist = http_call(port, soap_request("/purchasing", read_file(example("erp/shortlist-request.xml"))));
  EXPECT_EQ(shortlist.result(), http::status::ok);
  EXPECT_NE(shortlist.body(), shortlist_response_) << "the shortlist was not rewritten: " << daemon.output();
  for (const char* id : {"FLR-100", "FLR-200", "BLOEM-01", "BLOEM-02"}) {
    EXPECT_NE(shortlist.body().find(id), std::string::npos) << id << " was dropped";
  }
  const Response accepted = http_call(port, soap_request("/purchasing", order("REQ-E2E-1")));
  EXPECT_EQ(accepted.result(), http::status::ok);
  daemon.signal(SIGTERM);
  const int status = daemon.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << daemon.output();
  EXPECT_EQ(recorded_ids().count("REQ-E2E-1"), 1u) << daemon.output();
}

TEST_F(DaemonWithEngine, KillNineLosesNoAcceptedOrder) {
  Daemon daemon({"--config", config_.string()});
  const std::uint16_t port = daemon.wait_listening();
  ASSERT_NE(port, 0) << daemon.output();
  std::mutex mutex;
  std::set<std::string> accepted;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; !stop && i < 10000; ++i) {
        const std::string id = "REQ-K9-" + std::to_string(c) + "-" + std::to_string(i);
        try {
          const Response r = http_call(port, soap_request("/purchasing", order(id)), 5s);
          if (r.result() == http::status::ok && r.body().find("OrderNumber") != std::string::npos) {
            std::lock_guard lock(mutex);
            accepted.insert(id);
          }
        } catch (const std::exception&) {
          return;  // the gateway is gone
        }
      }
    });
  }
  std::this_thread::sleep_for(1500ms);
  daemon.signal(SIGKILL);
  daemon.wait();
  stop = true;
  for (auto& t : clients) t.join();
  ASSERT_GT(accepted.size(), 10u) << daemon.output();
  const std::set<std::string> recorded = recorded_ids();
  std::size_t missing = 0;
  for (const auto& id : accepted) missing += recorded.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0u) << missing << " of " << accepted.size() << " accepted orders are not in the ledger";
  std::cout << "kill -9 after " << accepted.size() << " accepted orders; " << recorded.size()
            << " choices in the ledger\n";

  // The ledger's chain survived, and the daemon starts again on it.
  auto keys = Keys::from_file(example("pseudonym.key"));
  ASSERT_TRUE(keys) << keys.error().describe();
  auto ledger = open_sqlite_ledger(dir.path() / "ledger.db", *keys);
  ASSERT_TRUE(ledger) << ledger.error().describe();
  auto report = (*ledger)->verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->intact) << report->first_broken_table << " " << report->first_broken_row << " " << report->problem;
  ledger->reset();
  Daemon again({"--config", config_.string()});
  EXPECT_NE(again.wait_listening(), 0) << again.output();
  again.signal(SIGTERM);
  EXPECT_EQ(again.wait(), 0);
}

}  // namespace
}  // namespace socialdefault::gateway::testing
