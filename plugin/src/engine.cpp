#include "socialdefault/engine.hpp"

#include <pwd.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "socialdefault/experiment_report.hpp"
#include <cstdlib>
#include <exception>

namespace socialdefault {

namespace {

std::string default_actor() {
  if (const char* sudo = std::getenv("SUDO_USER"); sudo != nullptr && *sudo != '\0') return sudo;
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return "uid " + std::to_string(geteuid());
}

std::string rotation_key(const CategoryRef& category) { return category.code_system + '\x1f' + category.code; }

std::string evidence_text(const Evidence& e) {
  std::string text = std::string(to_string(e.kind)) + " " + format_date(e.valid_from) + ".." + format_date(e.valid_until);
  if (!e.reference.empty()) text += " " + e.reference;
  return text;
}

bool category_addressable(const Category* category, const Policy& policy, LocalDate day) {
  if (category == nullptr) return false;
  for (const std::string& id : category->social_suppliers) {
    const Supplier* s = policy.find_supplier(id);
    if (s != nullptr && s->social_on(day)) return true;
  }
  return false;
}

// The supplier of an order line: by the ERP's id, else by any identifier.
const Supplier* resolve_supplier(const Policy& policy, const OrderChoice& line) {
  if (!line.supplier_id.empty()) {
    if (const Supplier* s = policy.find_supplier(line.supplier_id)) return s;
  }
  for (const SupplierIdentifier& id : line.supplier_identifiers) {
    if (const Supplier* s = policy.find_supplier_by_identifier(id.scheme, id.value)) return s;
  }
  return nullptr;
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::open(const EngineOptions& options) {
  auto policy = load_policy(options.config);
  if (!policy) return std::move(policy).error();
  auto keys = Keys::from_file((*policy)->organisation.key_file);
  if (!keys) return std::move(keys).error();
  std::shared_ptr<const Adapter> adapter;
  if (!options.mapping.empty()) {
    auto created = AdapterRegistry::builtin().create(options.adapter, AdapterSettings{options.mapping, options.limits});
    if (!created) return std::move(created).error();
    adapter = std::move(created).value();
  }
  auto ledger = open_sqlite_ledger(options.ledger, *keys);
  if (!ledger) return std::move(ledger).error();

  std::unique_ptr<Engine> engine(new Engine());
  engine->options_ = options;
  if (engine->options_.actor.empty()) engine->options_.actor = default_actor();
  engine->policy_ = std::move(policy).value();
  engine->keys_ = std::move(keys).value();
  engine->adapter_ = std::move(adapter);
  engine->ledger_ = std::move(ledger).value();
  engine->offer_writer_ = std::make_unique<GroupCommitter>(*engine->ledger_, nullptr);
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (auto noted = engine->note_config(*engine->policy_, engine->options_.actor, now); !noted) {
    return std::move(noted).error();
  }
  return engine;
}

Engine::~Engine() {
  // Offers still queued are written before the ledger closes, so the CLI and
  // the C API find their offer in the ledger once the engine is closed.
  if (offer_writer_) offer_writer_->stop();
}

Result<void> Engine::note_config(const Policy& policy, const std::string& actor, UtcSeconds now) {
  auto last = ledger_->last_config_change();
  if (!last) return std::move(last).error();
  if (last->has_value() && (*last)->sha256 == policy.source_sha256) return {};
  ConfigChangeRecord change;
  change.at = now;
  change.actor = actor;
  change.file = policy.source.filename().string();
  change.sha256 = policy.source_sha256;
  change.summary = std::to_string(policy.categories.size()) + " categories, " +
                   std::to_string(policy.suppliers.size()) + " suppliers";
  auto appended = ledger_->append_config_change(change);
  if (!appended) return std::move(appended).error();
  return {};
}

Result<void> Engine::reload(const std::string& actor, UtcSeconds now) {
  auto policy = load_policy(options_.config);
  if (!policy) return std::move(policy).error();
  if (auto noted = note_config(**policy, actor.empty() ? options_.actor : actor, now); !noted) {
    return std::move(noted).error();
  }
  std::atomic_store(&policy_, std::move(policy).value());
  return {};
}

Result<std::uint64_t> Engine::next_rotation(const CategoryRef& category) {
  std::lock_guard lock(rotation_mutex_);
  const std::string key = rotation_key(category);
  if (auto it = rotation_.find(key); it != rotation_.end()) return it->second;
  auto counted = ledger_->count_offers(category.code_system, category.code);
  if (!counted) return std::move(counted).error();
  rotation_.emplace(key, *counted);
  return *counted;
}

void Engine::commit_rotation(const CategoryRef& category) {
  std::lock_guard lock(rotation_mutex_);
  ++rotation_[rotation_key(category)];
}

std::optional<NormFigures> Engine::norm_figures(const Shortlist& shortlist, const NormSettings& settings,
                                                LocalDate today, UtcSeconds now) {
  constexpr auto kRefresh = std::chrono::seconds{60};
  // The group is the department and the configured category the shortlist
  // resolves to, so "CPV 03121200-7" and a code sent without its system
  // are one group. The policy is the current snapshot: the one the ledger's
  // rows are resolved with below.
  const std::shared_ptr<const Policy> policy = this->policy();
  const Category* category =
      policy->find_category(shortlist.category.code_system, shortlist.category.code, shortlist.department);
  if (category == nullptr) return std::nullopt;
  const std::string group = shortlist.department + '\x1f' + category->code_system + '\x1f' + category->code;
  {
    std::lock_guard lock(norm_mutex_);
    if (auto it = norm_cache_.find(group); it != norm_cache_.end() && it->second.today == today &&
                                           it->second.window_days == settings.window_days &&
                                           now >= it->second.fetched && now - it->second.fetched < kRefresh) {
      return it->second.figures;
    }
  }
  // Counted without holding the cache's lock, so other groups' hits do not
  // wait for it; two threads may count the same group once, harmlessly.
  // Every order of the category has its code (categories match codes
  // exactly), so the ledger counts the department's orders with that code,
  // per code system as the ERP sent it (through an index, rejected orders
  // left out as in the export), and each code system is resolved to its
  // configured category as the order line was: orders sent with another code
  // system, or none, count when they resolve to this category.
  const LocalDate first{std::chrono::sys_days{today} - std::chrono::days{settings.window_days - 1}};
  auto counted = ledger_->count_orders_by_system(shortlist.department, category->code, first, today);
  if (!counted) return std::nullopt;
  NormFigures figures;
  for (const CodeSystemCount& row : *counted) {
    if (policy->find_category(row.category_code_system, category->code, shortlist.department) == category) {
      figures.orders += row.count.orders;
      figures.social_orders += row.count.social_orders;
    }
  }
  std::lock_guard lock(norm_mutex_);
  norm_cache_[group] = CachedNorm{figures, now, today, settings.window_days};
  return figures;
}

Result<Decision> Engine::decide_for(const Policy& policy, const Shortlist& shortlist, const std::string& pseudonym,
                                    UtcSeconds now) {
  auto rotation = next_rotation(shortlist.category);
  if (!rotation) return std::move(rotation).error();
  DecisionContext context(policy.zone.local_date(now), *rotation);
  if (const Category* category =
          policy.find_category(shortlist.category.code_system, shortlist.category.code, shortlist.department)) {
    unsigned nudges = category->nudges.shown;
    // Requesters without an id cannot be assigned stably: they get the
    // category's own nudges and stay out of the experiment's report.
    if (const Experiment* e = policy.find_experiment(*category, context.date); e != nullptr && !pseudonym.empty()) {
      context.experiment = e;
      context.arm = &e->arm_for(keys_.assignment_bucket(e->id, pseudonym));
      nudges = context.arm->nudges;
    }
    if ((nudges & nudge_bit(NudgeKind::norm)) != 0 && !shortlist.department.empty()) {
      context.norm = norm_figures(shortlist, category->nudges.norm.value_or(policy.nudges.norm), context.date, now);
    }
  }
  return decide(policy, shortlist, context);
}

void Engine::queue_offer(const Shortlist& shortlist, const Decision& decision, std::string pseudonym,
                         std::string_view adapter_name, UtcSeconds now) {
  OfferRecord offer;
  offer.at = now;
  offer.correlation_id = shortlist.correlation_id;
  offer.requester_pseudonym = std::move(pseudonym);
  offer.department = shortlist.department;
  offer.category_code_system = shortlist.category.code_system;
  offer.category = shortlist.category.code;
  offer.default_supplier = decision.default_supplier_id;
  offer.reason = to_string(decision.reason);
  offer.arm = decision.arm;
  offer.adapter = std::string(adapter_name);
  // Queued, not written: the rewritten list goes back without waiting for
  // an fsync. The writer retries a refused batch and counts what it drops;
  // a lost offer only makes the later choice "not-offered".
  offer_writer_->enqueue_offer(std::move(offer));
  commit_rotation(shortlist.category);
}

Result<Decision> Engine::offer(const Shortlist& shortlist, std::string_view adapter_name, UtcSeconds now) {
  const std::shared_ptr<const Policy> policy = this->policy();
  std::string pseudonym = shortlist.requester.empty() ? "" : keys_.pseudonymise(shortlist.requester);
  auto decision = decide_for(*policy, shortlist, pseudonym, now);
  if (!decision) return decision;
  queue_offer(shortlist, *decision, std::move(pseudonym), adapter_name, now);
  // The category pointer is valid while the policy lives; this snapshot may
  // be replaced by a reload, so it is not handed out.
  decision->category = nullptr;
  return decision;
}

Result<std::shared_ptr<const Adapter>> Engine::make_adapter(std::string_view kind, const std::filesystem::path& mapping,
                                                           const Limits& limits) const {
  return AdapterRegistry::builtin().create(kind, AdapterSettings{mapping, limits});
}

RewriteResult Engine::rewrite(std::string_view response, std::optional<std::string_view> request, UtcSeconds now) {
  if (adapter_ == nullptr) {
    RewriteResult result;
    result.body.assign(response);
    result.outcome = "fail-open";
    result.error = make_error(ErrorCode::invalid_argument, "the engine was opened without a mapping");
    return result;
  }
  return rewrite(*adapter_, response, request, now);
}

namespace {

// The original bytes, unchanged: the answer to every error (fail open) and
// to a response that is no shortlist.
RewriteResult passed_through(std::shared_ptr<const Policy> policy, std::string_view original,
                             std::optional<Error> error) {
  RewriteResult result;
  result.policy = std::move(policy);
  result.body.assign(original);
  result.outcome = error.has_value() ? "fail-open" : "not-a-shortlist";
  result.error = std::move(error);
  return result;
}

Error unexpected(const std::exception* e) {
  return make_error(ErrorCode::internal, e != nullptr ? std::string("unexpected failure: ") + e->what()
                                                      : std::string("unexpected failure"));
}

}  // namespace

RewriteResult Engine::rewrite(const Adapter& adapter, std::string_view response,
                              std::optional<std::string_view> request, UtcSeconds now) {
  try {
    // The messages live only in this call, so they may point into the bytes.
    auto message = adapter.recognise_borrowed(response);
    if (!message) return passed_through(policy(), response, std::move(message).error());
    // The request is not parsed when the response is no shortlist.
    if ((*message)->kind() != MessageKind::shortlist_response) return passed_through(policy(), response, {});
    std::unique_ptr<Message> request_message;
    if (request.has_value()) {
      auto parsed = adapter.recognise_borrowed(*request);
      if (!parsed) return passed_through(policy(), response, std::move(parsed).error());
      request_message = std::move(parsed).value();
    }
    return rewrite(adapter, **message, request_message.get(), now);
  } catch (const std::exception& e) {
    return passed_through(policy(), response, unexpected(&e));
  } catch (...) {
    return passed_through(policy(), response, unexpected(nullptr));
  }
}

RewriteResult Engine::rewrite(const Adapter& adapter, std::string_view response, const Message* request,
                              UtcSeconds now, RewriteScratch* scratch) {
  try {
    auto message = adapter.recognise_borrowed(response);  // lives only in this call
    if (!message) return passed_through(policy(), response, std::move(message).error());
    return rewrite(adapter, **message, request, now, scratch);
  } catch (const std::exception& e) {
    return passed_through(policy(), response, unexpected(&e));
  } catch (...) {
    return passed_through(policy(), response, unexpected(nullptr));
  }
}

RewriteResult Engine::rewrite(const Adapter& adapter, const Message& response, const Message* request,
                              UtcSeconds now, RewriteScratch* scratch) {
  std::shared_ptr<const Policy> snapshot = policy();
  const std::string_view original = response.bytes();
  try {
    if (response.kind() != MessageKind::shortlist_response) return passed_through(std::move(snapshot), original, {});
    // Read into the host's scratch when it keeps one, else into the result.
    RewriteResult result;
    if (scratch != nullptr && scratch->shortlist.candidates.capacity() > RewriteScratch::kKeptCandidates) {
      scratch->shortlist = Shortlist{};
    }
    Shortlist& shortlist = scratch != nullptr ? scratch->shortlist : result.shortlist.emplace();
    auto read = adapter.read_shortlist_into(response, request, shortlist);
    if (!read) return passed_through(std::move(snapshot), original, std::move(read).error());

    const Policy& policy = *snapshot;
    std::string pseudonym = shortlist.requester.empty() ? "" : keys_.pseudonymise(shortlist.requester);
    auto decided = decide_for(policy, shortlist, pseudonym, now);
    if (!decided) return passed_through(std::move(snapshot), original, std::move(decided).error());
    Decision decision = std::move(decided).value();

    if (decision.changes_document()) {
      auto applied = adapter.apply_decision(response, shortlist, decision, policy);
      if (!applied) return passed_through(std::move(snapshot), original, std::move(applied).error());
      result.body = std::move(applied).value();
    } else {
      result.body.assign(original);
    }

    queue_offer(shortlist, decision, std::move(pseudonym), adapter.name(), now);

    result.rewritten = decision.changes_document();
    result.outcome = to_string(decision.reason);
    result.decision = std::move(decision);
    result.policy = std::move(snapshot);
    return result;
  } catch (const std::exception& e) {
    return passed_through(policy(), original, unexpected(&e));
  } catch (...) {
    return passed_through(policy(), original, unexpected(nullptr));
  }
}

Result<std::vector<ChoiceRecord>> Engine::record(std::string_view request, std::optional<std::string_view> response,
                                                 UtcSeconds now) {
  if (adapter_ == nullptr) return make_error(ErrorCode::invalid_argument, "the engine was opened without a mapping");
  auto records = prepare_choices(*adapter_, request, response, now);
  if (!records) return records;
  if (!records->empty()) {
    auto stored = ledger_->append_choices(*records);
    if (!stored) return std::move(stored).error();
  }
  return records;
}

Result<std::vector<ChoiceRecord>> Engine::prepare_choices(const Adapter& adapter, std::string_view request,
                                                          std::optional<std::string_view> response, UtcSeconds now) {
  auto message = adapter.recognise(request);
  if (!message) return std::move(message).error();
  if ((*message)->kind() != MessageKind::order_request) {
    return make_error(ErrorCode::unsupported, std::string("not an order request: the ") + std::string(adapter.name()) + " adapter reads it as " +
                                                  to_string((*message)->kind()));
  }
  std::unique_ptr<Message> response_message;
  if (response.has_value()) {
    auto parsed = adapter.recognise(*response);
    if (!parsed) return std::move(parsed).error();
    response_message = std::move(parsed).value();
  }
  auto lines = adapter.read_choice(**message, response_message.get());
  if (!lines) return std::move(lines).error();

  return resolve_choices(*lines, adapter.name(), now);
}

Result<std::vector<ChoiceRecord>> Engine::resolve_choices(std::span<const OrderChoice> lines,
                                                          std::string_view adapter_name, UtcSeconds now) {
  const std::shared_ptr<const Policy> policy = this->policy();
  const LocalDate today = policy->zone.local_date(now);
  std::vector<ChoiceRecord> records;
  for (const OrderChoice& line : lines) {
    if (!line.accepted) continue;
    ChoiceRecord c;
    c.at = now;
    c.local_date = today;
    c.correlation_id = line.correlation_id;
    c.order_ref = line.order_ref;
    c.line = line.line;
    c.requester_pseudonym = line.requester.empty() ? "" : keys_.pseudonymise(line.requester);
    c.department = line.department;
    c.category_code_system = line.category.code_system;
    c.category = line.category.code;
    c.adapter = std::string(adapter_name);
    if (!line.document_version.empty()) c.adapter += "/" + line.document_version;
    c.order_version = line.order_version;
    c.document_ref = line.document_ref;
    // An order without an amount still counts as an order; its spend is zero
    // in the reporting currency rather than a guess.
    c.amount = line.amount.value_or(Money{0, policy->organisation.reporting_currency});

    const Supplier* supplier = resolve_supplier(*policy, line);
    if (supplier != nullptr) {
      c.chosen_supplier = supplier->id;
      if (const Evidence* e = supplier->social ? supplier->evidence_on(today) : nullptr) {
        c.social = true;
        c.evidence = evidence_text(*e);
      }
    } else {
      c.chosen_supplier = line.supplier_id;
      for (const SupplierIdentifier& id : line.supplier_identifiers) {
        c.chosen_identifiers += (c.chosen_identifiers.empty() ? "" : ";") + id.scheme + ":" + id.value;
      }
    }
    const Category* category = policy->find_category(line.category.code_system, line.category.code, line.department);
    c.addressable = category_addressable(category, *policy, today);

    std::optional<OfferRecord> offer;
    if (!line.correlation_id.empty()) {
      // A queued offer is newer than any in the ledger; looking there first
      // spares the choice a wait for the offer batch's fsync.
      offer = offer_writer_->find_pending_offer(line.correlation_id);
      if (!offer.has_value()) {
        auto found = ledger_->find_offer(line.correlation_id);
        if (!found) return std::move(found).error();
        offer = std::move(found).value();
      }
    }
    if (offer.has_value()) c.arm = offer->arm;
    if (offer.has_value() && !offer->default_supplier.empty()) {
      c.default_offered = offer->default_supplier;
      c.outcome = c.chosen_supplier == offer->default_supplier ? Outcome::kept_default
                  : c.social                                    ? Outcome::other_social
                                                                : Outcome::regular;
    } else {
      c.outcome = Outcome::not_offered;
    }
    records.push_back(std::move(c));
  }
  return records;
}

Result<OrderStatusRecord> Engine::record_order_status(const Adapter& adapter, std::string_view response,
                                                      UtcSeconds now) {
  auto message = adapter.recognise(response);
  if (!message) return std::move(message).error();
  if ((*message)->kind() != MessageKind::order_response) {
    return make_error(ErrorCode::unsupported, std::string("not an order response: the ") + std::string(adapter.name()) +
                                                  " adapter reads it as " + to_string((*message)->kind()));
  }
  auto update = adapter.read_order_status(**message);
  if (!update) return std::move(update).error();
  OrderStatusRecord record;
  record.at = now;
  record.order_ref = update->order_ref;
  record.status = update->status;
  record.response_ref = update->response_ref;
  record.code = update->code;
  record.adapter = std::string(adapter.name());
  record.order_document_ref = update->order_document_ref;
  if (record.order_ref.empty() && !record.order_document_ref.empty()) {
    // Named only by the document that carried it: the caller is told which
    // order the status went to.
    auto order = ledger_->order_of_document(record.order_document_ref);
    if (!order) return std::move(order).error();
    record.order_ref = std::move(order).value();
  }
  auto stored = ledger_->append_order_status(record);
  if (!stored) return std::move(stored).error();
  return record;
}

Result<void> Engine::export_report(const ExportQuery& query, ExportFormat format, std::ostream& out, UtcSeconds now) {
  const std::shared_ptr<const Policy> policy = this->policy();
  ExportHeader header;
  header.organisation = policy->organisation.name;
  header.time_zone = policy->organisation.time_zone;
  header.reporting_currency = policy->organisation.reporting_currency;
  header.query = query;
  header.generated_at = now;
  return write_export(*ledger_, header, format, out);
}

Result<void> Engine::experiment_report(std::string_view id, ExportFormat format, std::ostream& out, UtcSeconds now) {
  return write_experiment_reports(*ledger_, *policy(), id, format, out, now);
}

Result<VerifyReport> Engine::verify() { return ledger_->verify(); }

std::string verify_report_json(const VerifyReport& v) {
  boost::json::object o{{"intact", v.intact}, {"rows_checked", v.rows_checked}};
  if (!v.intact) {
    o["table"] = v.first_broken_table;
    o["row"] = v.first_broken_row;
    o["problem"] = v.problem;
    o["detail"] = v.detail;
  }
  return boost::json::serialize(o);
}

std::string decision_json(const RewriteResult& result, const Keys& keys) {
  boost::json::object o;
  o["outcome"] = result.outcome;
  o["rewritten"] = result.rewritten;
  if (result.error.has_value()) {
    o["error"] = {{"code", to_string(result.error->code)}, {"message", result.error->describe()}};
  }
  if (result.shortlist.has_value()) {
    const Shortlist& s = *result.shortlist;
    o["correlation_id"] = s.correlation_id;
    o["category"] = {{"code_system", s.category.code_system}, {"code", s.category.code}};
    o["department"] = s.department;
    o["requester_pseudonym"] = s.requester.empty() ? "" : keys.pseudonymise(s.requester);
  }
  if (result.decision.has_value()) {
    const Decision& d = *result.decision;
    o["reason"] = to_string(d.reason);
    o["default_supplier"] = d.default_supplier_id;
    o["arm"] = d.arm;
    o["language"] = to_string(d.language);
    if (d.category != nullptr) o["category_name"] = d.category->name;
    boost::json::array order;
    for (const Placement& p : d.order) {
      boost::json::object item{{"supplier_id", p.supplier_id},
                               {"injected", p.injected},
                               {"social", p.social},
                               {"preselected", p.preselected}};
      if (p.source.has_value()) item["source_index"] = *p.source;
      order.push_back(std::move(item));
    }
    o["order"] = std::move(order);
    boost::json::array notes;
    for (const Note& n : d.notes) {
      notes.push_back({{"target", n.target == NoteTarget::candidate ? "candidate" : "message"},
                       {"supplier_id", n.supplier_id},
                       {"kind", n.kind},
                       {"text", n.text}});
    }
    o["notes"] = std::move(notes);
  }
  return boost::json::serialize(o);
}

}  // namespace socialdefault
