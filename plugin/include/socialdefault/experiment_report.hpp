// The report of an experiment: per arm the orders, the social share with a
// 95 % Wilson interval, the difference to the control arm with a 95 %
// Newcombe hybrid score interval, and the orders still needed to detect the
// configured minimum effect. docs/nudges.md states the formulas.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "socialdefault/export.hpp"
#include "socialdefault/ledger.hpp"
#include "socialdefault/policy.hpp"

namespace socialdefault {

// Two-sided standard normal quantiles: 95 % confidence, and 80 % power.
inline constexpr double kZ95 = 1.959963984540054;
inline constexpr double kZ80Power = 0.8416212335729143;

struct Interval {
  double lower = 0;
  double upper = 0;
};

// The Wilson score interval of successes / n (no continuity correction);
// Newcombe (1998), Statistics in Medicine 17:857-872, method 3. n > 0.
Interval wilson_interval(std::int64_t successes, std::int64_t n, double z = kZ95);

// The interval of p1 - p2 by Newcombe's hybrid score method (method 10 of
// Newcombe 1998, Statistics in Medicine 17:873-890), built from the two
// Wilson intervals. n1, n2 > 0.
Interval newcombe_difference(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2, double z = kZ95);

// Orders per arm for a two-sided test of two proportions, base p0 against
// p0 + delta (p0 - delta when that would pass 1), normal approximation
// without continuity correction (Fleiss): n = (z_a sqrt(2 pbar qbar) +
// z_b sqrt(p1 q1 + p2 q2))^2 / delta^2, rounded up.
std::int64_t orders_per_arm(double p0, double delta, double z_alpha = kZ95, double z_beta = kZ80Power);

struct ArmReport {
  std::string arm;
  bool control = false;
  std::uint32_t weight = 1;
  OrderCount count;
  std::optional<Interval> share;        // empty without orders
  std::optional<double> difference;     // share - control share; empty for the control or without orders
  std::optional<Interval> difference_interval;
  std::int64_t orders_needed = 0;       // per arm, to detect the minimum effect
  std::int64_t more_orders_needed = 0;  // orders_needed minus the arm's orders, at least 0
};

struct ExperimentReport {
  std::string experiment;
  LocalDate from;
  LocalDate until;
  std::uint32_t minimum_effect_basis_points = 0;
  double base_share = 0;                // the control's share the orders needed are computed for
  bool base_share_assumed = false;      // no control orders yet: the worst case was assumed
  std::vector<ArmReport> arms;          // in the configuration's order
};

// The report from the ledger's counts for the experiment's days.
Result<ExperimentReport> experiment_report(Ledger& ledger, const Experiment& experiment);

// Every experiment of the policy (or only `id`, when not empty) in one
// document: CSV (one row per arm), XML or JSON. An unknown id is not_found.
Result<void> write_experiment_reports(Ledger& ledger, const Policy& policy, std::string_view id, ExportFormat format,
                                      std::ostream& out, UtcSeconds now);
// One report already made, in the same document form.
Result<void> write_experiment_report(const ExperimentReport& report, ExportFormat format, std::ostream& out,
                                     UtcSeconds now);

}  // namespace socialdefault
