// The process-level object: an immutable Policy snapshot (swapped atomically
// on reload), the keys, the ledger and the adapter. rewrite() and record()
// are the two phases of one order; both are safe to call from many threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "socialdefault/adapter.hpp"
#include "socialdefault/decision.hpp"
#include "socialdefault/export.hpp"
#include "socialdefault/group_commit.hpp"
#include "socialdefault/keys.hpp"
#include "socialdefault/ledger.hpp"
#include "socialdefault/policy.hpp"

namespace socialdefault {

struct EngineOptions {
  std::filesystem::path config;    // the purchasing department's configuration
  std::filesystem::path mapping;   // the default adapter's mapping; empty: adapters come per call
  std::filesystem::path ledger;    // SQLite file; created when absent
  std::string adapter = "soap";
  std::string actor;               // recorded with configuration changes; defaults to the OS user
  Limits limits;
};

// What rewrite() did. body is always safe to send on: the rewritten message,
// or the original bytes when socialdefault failed open.
struct RewriteResult {
  std::string body;
  bool rewritten = false;
  std::string outcome;             // to_string(Reason), "not-a-shortlist", or "fail-open"
  std::optional<Error> error;      // why it failed open
  std::optional<Shortlist> shortlist;
  std::optional<Decision> decision;
  std::shared_ptr<const Policy> policy;  // keeps decision->category valid
};

// What a host that rewrites one response after another on one thread keeps
// between rewrites (the gateway: one per io thread), so that their storage
// is reused instead of allocated anew: the shortlist read last (its
// candidates, their strings and identifiers keep their capacity). A rewrite
// given a scratch leaves RewriteResult::shortlist empty; the shortlist is
// in the scratch until the next rewrite with it.
struct RewriteScratch {
  // A shortlist with more candidates than this is not kept: the next
  // rewrite starts from empty storage, so one huge answer does not pin its
  // memory to the thread.
  static constexpr std::size_t kKeptCandidates = 1024;
  Shortlist shortlist;
};

// The decision as JSON (for the CLI's --decision and the C API); requester is
// never included, only its pseudonym.
std::string decision_json(const RewriteResult& result, const Keys& keys);

// A verification report as JSON: intact, rows_checked, and for a broken
// chain the table, row, problem and detail.
std::string verify_report_json(const VerifyReport& report);

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> open(const EngineOptions& options);

  // An adapter for another route or protocol, created from the built-in
  // registry; the engine's own adapter comes from EngineOptions.
  Result<std::shared_ptr<const Adapter>> make_adapter(std::string_view kind, const std::filesystem::path& mapping,
                                                     const Limits& limits) const;

  // Rewrites a shortlist response; request (optional) supplies context the
  // response lacks. Never fails: errors fail open. The offer is queued for
  // the background offer writer (batched, not durable on return), so a
  // ledger error no longer fails the rewrite open: see docs/ledger.md.
  RewriteResult rewrite(std::string_view response, std::optional<std::string_view> request, UtcSeconds now);
  RewriteResult rewrite(const Adapter& adapter, std::string_view response, std::optional<std::string_view> request,
                        UtcSeconds now);
  // The same, for a host that has recognised the request already (the
  // gateway does, to know what the answer will be): the request is not
  // parsed a second time. request may be null; it must come from `adapter`.
  // scratch (optional) is the host's RewriteScratch for this thread.
  RewriteResult rewrite(const Adapter& adapter, std::string_view response, const Message* request, UtcSeconds now,
                        RewriteScratch* scratch = nullptr);
  // The same with the response recognised too (by `adapter`); the body to
  // fail open with is response.bytes().
  RewriteResult rewrite(const Adapter& adapter, const Message& response, const Message* request, UtcSeconds now,
                        RewriteScratch* scratch = nullptr);

  // The protocol-neutral phases of rewrite() and prepare_choices(), for
  // hosts and tools that read messages themselves (`simulate`): decide on a
  // shortlist and queue its offer (recorded under adapter_name); resolve
  // order lines against the policy and link them to their offers (not yet
  // written). Errors are the ledger's (the rotation counter, an offer look-up).
  // The returned decision's category is null: it would point into a policy
  // snapshot that a reload may free.
  Result<Decision> offer(const Shortlist& shortlist, std::string_view adapter_name, UtcSeconds now);
  Result<std::vector<ChoiceRecord>> resolve_choices(std::span<const OrderChoice> lines, std::string_view adapter_name,
                                                    UtcSeconds now);

  // Reads an order request (and, when given, the ERP's response) into the
  // choice records to append: resolved against the policy and linked to the
  // offer (queued offers first, then the ledger), but not yet written.
  // Empty when the ERP refused the order.
  Result<std::vector<ChoiceRecord>> prepare_choices(const Adapter& adapter, std::string_view request,
                                                    std::optional<std::string_view> response, UtcSeconds now);
  // prepare_choices, then one durable append.
  Result<std::vector<ChoiceRecord>> record(std::string_view request, std::optional<std::string_view> response,
                                           UtcSeconds now);

  // Reads an order response that travels on its own (a UBL OrderResponse)
  // and appends its status event durably. The export leaves out an order
  // whose latest status is rejected.
  Result<OrderStatusRecord> record_order_status(const Adapter& adapter, std::string_view response, UtcSeconds now);

  Result<void> export_report(const ExportQuery& query, ExportFormat format, std::ostream& out, UtcSeconds now);
  // The report of every experiment in the configuration, or of one (id not
  // empty; an unknown id is not_found): see experiment_report.hpp.
  Result<void> experiment_report(std::string_view id, ExportFormat format, std::ostream& out, UtcSeconds now);
  Result<VerifyReport> verify();

  // Waits until every offer queued so far is in the ledger (or dropped after
  // its retries). The destructor does this too.
  void flush_offers() { offer_writer_->flush_offers(); }
  // Offers queued, written, retried and dropped (offer_* fields).
  GroupCommitStats offer_stats() const { return offer_writer_->stats(); }

  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads and checks the configuration again; on error the old one stays.
  Result<void> reload(const std::string& actor, UtcSeconds now);

  std::shared_ptr<const Policy> policy() const { return std::atomic_load(&policy_); }
  const Keys& keys() const noexcept { return keys_; }
  const Adapter* adapter() const noexcept { return adapter_.get(); }
  Ledger& ledger() noexcept { return *ledger_; }

 private:
  Engine() = default;
  Result<void> note_config(const Policy& policy, const std::string& actor, UtcSeconds now);
  // The decision for a shortlist (rotation, experiment arm, norm figures),
  // and the offer of a decision queued for the writer.
  Result<Decision> decide_for(const Policy& policy, const Shortlist& shortlist, const std::string& pseudonym,
                              UtcSeconds now);
  void queue_offer(const Shortlist& shortlist, const Decision& decision, std::string pseudonym,
                   std::string_view adapter_name, UtcSeconds now);
  // The rotation counter of a category: the ledger's offer count the first
  // time, then counted here, so the hot path does not query the ledger.
  Result<std::uint64_t> next_rotation(const CategoryRef& category);
  void commit_rotation(const CategoryRef& category);
  // The colleague norm's figures for a department and the configured
  // category the shortlist resolves to, over the trailing window ending on
  // `today`: one indexed ledger count of the group's orders per code system
  // (Ledger::count_orders_by_system), resolved as order lines are, cached
  // per group for a minute, so the hot path rarely queries the ledger. Empty
  // when the ledger cannot say (the norm is then not shown).
  std::optional<NormFigures> norm_figures(const Shortlist& shortlist, const NormSettings& settings, LocalDate today,
                                          UtcSeconds now);

  EngineOptions options_;
  std::shared_ptr<const Policy> policy_;
  Keys keys_;
  std::shared_ptr<const Adapter> adapter_;
  std::unique_ptr<Ledger> ledger_;
  // Writes the offers in batches; declared after ledger_ so that it is
  // stopped (and its queue written) before the ledger closes.
  std::unique_ptr<GroupCommitter> offer_writer_;
  std::mutex rotation_mutex_;
  std::map<std::string, std::uint64_t> rotation_;
  // One entry per group ("<department>\x1f<code system>\x1f<code>" of the
  // configured category); a hit needs the same day and window length.
  struct CachedNorm {
    NormFigures figures;
    UtcSeconds fetched{};
    LocalDate today;
    std::uint32_t window_days = 0;
  };
  std::mutex norm_mutex_;
  std::map<std::string, CachedNorm> norm_cache_;
};

}  // namespace socialdefault
