// `socialdefault simulate`: synthetic requesters and orders under a stated
// behaviour model, run through the engine (assignment, decision, offer,
// choice) and a fresh ledger, then the experiment report. It checks the
// measurement pipeline: that the report recovers the effect it was given
// within its interval. It makes no claim about real people.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "socialdefault/engine.hpp"
#include "socialdefault/experiment_report.hpp"

namespace socialdefault {

// The behaviour model. Every order of a requester in arm a goes to a social
// supplier with probability base_share + effect[a] (clamped to [0, 1]),
// independently; otherwise to a regular supplier outside the policy. Arms
// not in `effect` have no effect (the control always has none).
struct SimulationModel {
  std::string experiment;                 // an experiment id of the configuration
  std::int64_t requesters = 1000;
  std::int64_t orders_per_requester = 2;
  double base_share = 0.30;
  std::map<std::string, double> effect;   // arm name -> added probability, e.g. 0.10 for 10 points
  std::uint64_t seed = 1;
};

// One arm: the effect it was given and what the report measured.
struct SimulationCheck {
  std::string arm;
  double given = 0;                       // the model's effect (difference to control)
  std::optional<double> measured;         // the report's difference
  std::optional<Interval> interval;       // its 95 % interval
  bool recovered = false;                 // the interval holds the given effect
};

struct SimulationResult {
  ExperimentReport report;
  std::vector<SimulationCheck> checks;    // one per arm but the control
  std::int64_t orders = 0;
};

// Opens an engine on options.config and a NEW ledger (options.ledger must
// not exist: synthetic orders never enter a real ledger), runs the model
// with a deterministic generator (seed), and reports. Orders fall on the
// experiment's days in turn. Errors: invalid_argument for a bad model or an
// existing ledger, not_found for an unknown experiment.
Result<SimulationResult> run_simulation(const EngineOptions& options, const SimulationModel& model);

}  // namespace socialdefault
