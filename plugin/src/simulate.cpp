// The simulation behind `socialdefault simulate`: see simulate.hpp. It uses
// the engine's protocol-neutral phases (offer, resolve_choices), so every
// step but the XML is the one real orders take.
#include "socialdefault/simulate.hpp"

#include <algorithm>
#include <random>

namespace socialdefault {

namespace {

constexpr const char* kAdapter = "simulate";
constexpr const char* kDepartment = "Simulatie";
constexpr const char* kRegular = "SIM-REGULAR";
constexpr std::size_t kBatch = 1000;  // choices per durable append

}  // namespace

Result<SimulationResult> run_simulation(const EngineOptions& options, const SimulationModel& model) {
  if (model.requesters < 1 || model.orders_per_requester < 1) {
    return make_error(ErrorCode::invalid_argument, "requesters and orders per requester must be at least 1");
  }
  if (!(model.base_share >= 0 && model.base_share <= 1)) {
    return make_error(ErrorCode::invalid_argument, "base share must be from 0 to 1");
  }
  std::error_code ec;
  if (std::filesystem::exists(options.ledger, ec) || ec) {
    return make_error(ErrorCode::invalid_argument,
                      "the ledger exists; simulate writes synthetic orders and needs a new ledger file",
                      options.ledger.string());
  }
  // The model is checked against the configuration before the ledger is
  // created, so a mistake leaves no file behind.
  auto loaded = load_policy(options.config);
  if (!loaded) return std::move(loaded).error();
  std::shared_ptr<const Policy> policy = std::move(loaded).value();

  const auto experiment = std::find_if(policy->experiments.begin(), policy->experiments.end(),
                                       [&](const Experiment& e) { return e.id == model.experiment; });
  if (experiment == policy->experiments.end()) {
    return make_error(ErrorCode::not_found,
                      "experiment \"" + model.experiment + "\" is not in the configuration; expected the id of an "
                                                           "<experiment>");
  }
  for (const auto& entry : model.effect) {
    // Named, not a structured binding: clang 14 (the fuzz preset) cannot
    // capture a structured binding in a lambda.
    const std::string& arm = entry.first;
    const double effect = entry.second;
    const bool known = std::any_of(experiment->arms.begin(), experiment->arms.end(),
                                   [&](const ExperimentArm& a) { return a.name == arm && !a.control; });
    if (!known) {
      return make_error(ErrorCode::invalid_argument,
                        "effect for \"" + arm + "\": not a treatment arm of experiment \"" + experiment->id + "\"");
    }
    if (!(effect >= -1 && effect <= 1)) {
      return make_error(ErrorCode::invalid_argument, "effect for \"" + arm + "\" must be from -1 to 1");
    }
  }
  // The category: the experiment's first, else the policy's first general one.
  const Category* category = nullptr;
  for (const Category& c : policy->categories) {
    if (!c.departments.empty()) continue;
    if (experiment->categories.empty() || experiment->covers(c.code_system, c.code)) {
      category = &c;
      break;
    }
  }
  if (category == nullptr) {
    return make_error(ErrorCode::invalid_argument,
                      "experiment \"" + experiment->id + "\" has no category without a department scope to simulate");
  }

  // Copied before the first snapshot (which `category` points into) goes.
  const std::string category_code_system = category->code_system;
  const std::string category_code = category->code;
  auto opened = Engine::open(options);
  if (!opened) return std::move(opened).error();
  Engine& engine = **opened;
  // The engine's own snapshot: the one its decisions point into.
  policy = engine.policy();
  category = policy->find_category(category_code_system, category_code, kDepartment);
  const Experiment* running = nullptr;
  for (const Experiment& e : policy->experiments) {
    if (e.id == model.experiment) running = &e;
  }
  if (category == nullptr || running == nullptr) {
    return make_error(ErrorCode::config, "the configuration changed while the simulation started", options.config.string());
  }

  std::mt19937_64 random(model.seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const auto first_day = std::chrono::sys_days{running->from};
  const auto days = (std::chrono::sys_days{running->until} - first_day).count() + 1;
  std::vector<ChoiceRecord> pending;
  SimulationResult result;

  for (std::int64_t r = 0; r < model.requesters; ++r) {
    const std::string requester = "SIM-" + std::to_string(r);
    for (std::int64_t k = 0; k < model.orders_per_requester; ++k) {
      const std::int64_t n = r * model.orders_per_requester + k;
      // Noon UTC is the same local day in every zone from UTC-11 to UTC+11.
      const UtcSeconds now = std::chrono::time_point_cast<std::chrono::seconds>(first_day + std::chrono::days{n % days}) +
                             std::chrono::hours{12};
      Shortlist shortlist;
      shortlist.correlation_id = requester + "-" + std::to_string(k);
      shortlist.category = CategoryRef{category->code_system, category->code};
      shortlist.requester = requester;
      shortlist.department = kDepartment;
      for (const std::string& id : category->social_suppliers) {
        shortlist.candidates.push_back(Candidate{id, id, Money{1000, policy->organisation.reporting_currency}, false, {}});
      }
      shortlist.candidates.push_back(
          Candidate{kRegular, kRegular, Money{1000, policy->organisation.reporting_currency}, true, {}});

      auto decision = engine.offer(shortlist, kAdapter, now);
      if (!decision) return std::move(decision).error();
      const std::string arm_name = decision->arm.substr(decision->arm.find('/') + 1);
      const auto effect = model.effect.find(arm_name);
      const double p = std::clamp(model.base_share + (effect == model.effect.end() ? 0.0 : effect->second), 0.0, 1.0);

      OrderChoice line;
      line.correlation_id = shortlist.correlation_id;
      line.category = shortlist.category;
      line.requester = requester;
      line.department = kDepartment;
      line.amount = Money{1000, policy->organisation.reporting_currency};
      if (uniform(random) < p) {
        // The social option the requester saw (the control saw none set: the first valid one).
        line.supplier_id = decision->default_supplier_id;
        if (line.supplier_id.empty()) {
          const LocalDate today = policy->zone.local_date(now);
          for (const std::string& id : category->social_suppliers) {
            const Supplier* s = policy->find_supplier(id);
            if (s != nullptr && s->social_on(today)) {
              line.supplier_id = id;
              break;
            }
          }
        }
      }
      if (line.supplier_id.empty()) line.supplier_id = kRegular;
      auto records = engine.resolve_choices(std::span<const OrderChoice>(&line, 1), kAdapter, now);
      if (!records) return std::move(records).error();
      for (ChoiceRecord& c : *records) pending.push_back(std::move(c));
      if (pending.size() >= kBatch) {
        auto stored = engine.ledger().append_choices(pending);
        if (!stored) return std::move(stored).error();
        pending.clear();
      }
      ++result.orders;
    }
  }
  if (!pending.empty()) {
    auto stored = engine.ledger().append_choices(pending);
    if (!stored) return std::move(stored).error();
  }
  engine.flush_offers();

  auto report = experiment_report(engine.ledger(), *running);
  if (!report) return std::move(report).error();
  result.report = std::move(report).value();
  for (const ArmReport& a : result.report.arms) {
    if (a.control) continue;
    SimulationCheck check;
    check.arm = a.arm;
    if (const auto e = model.effect.find(a.arm); e != model.effect.end()) {
      // The probability is clamped, so the effect the data can show is too.
      check.given = std::clamp(model.base_share + e->second, 0.0, 1.0) - model.base_share;
    }
    check.measured = a.difference;
    check.interval = a.difference_interval;
    check.recovered = a.difference_interval.has_value() && a.difference_interval->lower <= check.given &&
                      check.given <= a.difference_interval->upper;
    result.checks.push_back(std::move(check));
  }
  return result;
}

}  // namespace socialdefault
