// The experiment report: interval arithmetic and the three writers. Shares
// are floating point here on purpose: they are estimates with intervals,
// not money, and are printed with two decimals.
#include "socialdefault/experiment_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace socialdefault {

Interval wilson_interval(std::int64_t successes, std::int64_t n, double z) {
  const auto x = static_cast<double>(successes);
  const auto total = static_cast<double>(n);
  const double p = x / total;
  const double z2 = z * z;
  const double denominator = 2 * (total + z2);
  const double centre = 2 * x + z2;
  const double half = z * std::sqrt(z2 + 4 * x * (1 - p));
  return Interval{std::clamp((centre - half) / denominator, 0.0, 1.0),
                  std::clamp((centre + half) / denominator, 0.0, 1.0)};
}

Interval newcombe_difference(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2, double z) {
  const double p1 = static_cast<double>(x1) / static_cast<double>(n1);
  const double p2 = static_cast<double>(x2) / static_cast<double>(n2);
  const Interval a = wilson_interval(x1, n1, z);
  const Interval b = wilson_interval(x2, n2, z);
  const double d = p1 - p2;
  const double below = std::sqrt((p1 - a.lower) * (p1 - a.lower) + (b.upper - p2) * (b.upper - p2));
  const double above = std::sqrt((a.upper - p1) * (a.upper - p1) + (p2 - b.lower) * (p2 - b.lower));
  return Interval{d - below, d + above};
}

std::int64_t orders_per_arm(double p0, double delta, double z_alpha, double z_beta) {
  if (!(delta > 0)) return 0;
  const double p1 = p0;
  const double p2 = p0 + delta <= 1 ? p0 + delta : p0 - delta;
  const double pbar = (p1 + p2) / 2;
  const double root = z_alpha * std::sqrt(2 * pbar * (1 - pbar)) + z_beta * std::sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  // The epsilon keeps an exact whole result (up to rounding) from going one up.
  return static_cast<std::int64_t>(std::ceil(root * root / (delta * delta) - 1e-9));
}

Result<ExperimentReport> experiment_report(Ledger& ledger, const Experiment& experiment) {
  auto counts = ledger.count_arms(experiment.id, experiment.from, experiment.until);
  if (!counts) return std::move(counts).error();
  ExperimentReport report;
  report.experiment = experiment.id;
  report.from = experiment.from;
  report.until = experiment.until;
  report.minimum_effect_basis_points = experiment.minimum_effect_basis_points;
  // Arms that the configuration no longer has are left out: their orders
  // belong to another design of the experiment.
  for (const ExperimentArm& arm : experiment.arms) {
    ArmReport r;
    r.arm = arm.name;
    r.control = arm.control;
    r.weight = arm.weight;
    for (const ArmCount& c : *counts) {
      if (c.arm == arm.name) r.count = c.count;
    }
    if (r.count.orders > 0) r.share = wilson_interval(r.count.social_orders, r.count.orders);
    report.arms.push_back(std::move(r));
  }
  const double delta = experiment.minimum_effect_basis_points / 10000.0;
  const auto control = std::find_if(report.arms.begin(), report.arms.end(), [](const ArmReport& a) { return a.control; });
  if (control != report.arms.end() && control->count.orders > 0) {
    report.base_share = static_cast<double>(control->count.social_orders) / static_cast<double>(control->count.orders);
  } else {
    // Without control orders, the base share that needs the most orders.
    report.base_share = std::max(0.0, 0.5 - delta / 2);
    report.base_share_assumed = true;
  }
  const std::int64_t needed = orders_per_arm(report.base_share, delta);
  for (ArmReport& r : report.arms) {
    r.orders_needed = needed;
    r.more_orders_needed = std::max<std::int64_t>(0, needed - r.count.orders);
    if (r.control || control == report.arms.end() || control->count.orders == 0 || r.count.orders == 0) continue;
    const double share = static_cast<double>(r.count.social_orders) / static_cast<double>(r.count.orders);
    r.difference = share - report.base_share;
    r.difference_interval =
        newcombe_difference(r.count.social_orders, r.count.orders, control->count.social_orders, control->count.orders);
  }
  return report;
}

namespace {

// A proportion as a percentage with two decimals; never "-0.00".
std::string percent(double proportion) {
  double v = std::round(proportion * 10000) / 100;
  if (v == 0) v = 0;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  return buffer;
}

std::string basis_points(std::uint32_t bp) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%u.%02u", bp / 100, bp % 100);
  return buffer;
}

struct Columns {
  std::string share, share_lower, share_upper, difference, difference_lower, difference_upper;
};

Columns columns(const ArmReport& a) {
  Columns c;
  if (a.share) {
    c.share = percent(static_cast<double>(a.count.social_orders) / static_cast<double>(a.count.orders));
    c.share_lower = percent(a.share->lower);
    c.share_upper = percent(a.share->upper);
  }
  if (a.difference) {
    c.difference = percent(*a.difference);
    c.difference_lower = percent(a.difference_interval->lower);
    c.difference_upper = percent(a.difference_interval->upper);
  }
  return c;
}

constexpr const char* kAlpha = "0.05";
constexpr const char* kPower = "0.80";

void write_csv(const std::vector<ExperimentReport>& reports, std::ostream& out) {
  out << "experiment,from,until,minimum_effect,alpha,power,base_share,base_share_assumed,arm,control,weight,orders,"
         "social_orders,social_share,social_share_lower,social_share_upper,difference,difference_lower,"
         "difference_upper,orders_needed,more_orders_needed\r\n";
  for (const ExperimentReport& r : reports) {
    for (const ArmReport& a : r.arms) {
      const Columns c = columns(a);
      // Ids and names are letters, digits, "-", "_" and ".": no quoting needed.
      out << r.experiment << ',' << format_date(r.from) << ',' << format_date(r.until) << ','
          << basis_points(r.minimum_effect_basis_points) << ',' << kAlpha << ',' << kPower << ','
          << percent(r.base_share) << ',' << (r.base_share_assumed ? "true" : "false") << ',' << a.arm << ','
          << (a.control ? "true" : "false") << ',' << a.weight << ',' << a.count.orders << ','
          << a.count.social_orders << ',' << c.share << ',' << c.share_lower << ',' << c.share_upper << ','
          << c.difference << ',' << c.difference_lower << ',' << c.difference_upper << ',' << a.orders_needed << ','
          << a.more_orders_needed << "\r\n";
    }
  }
}

void write_xml(const std::vector<ExperimentReport>& reports, std::ostream& out, UtcSeconds now) {
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<experiment-report xmlns=\"urn:socialdefault:experiment-report:1\" version=\"1\" generated-at=\""
      << format_utc(now) << "\" alpha=\"" << kAlpha << "\" power=\"" << kPower << "\">\n";
  for (const ExperimentReport& r : reports) {
    out << "  <experiment id=\"" << r.experiment << "\" from=\"" << format_date(r.from) << "\" until=\""
        << format_date(r.until) << "\" minimum-effect=\"" << basis_points(r.minimum_effect_basis_points)
        << "\" base-share=\"" << percent(r.base_share) << "\" base-share-assumed=\""
        << (r.base_share_assumed ? "true" : "false") << "\">\n";
    for (const ArmReport& a : r.arms) {
      const Columns c = columns(a);
      out << "    <arm name=\"" << a.arm << "\" control=\"" << (a.control ? "true" : "false") << "\" weight=\""
          << a.weight << "\">\n"
          << "      <orders>" << a.count.orders << "</orders>\n"
          << "      <social-orders>" << a.count.social_orders << "</social-orders>\n";
      if (a.share) {
        out << "      <social-share lower=\"" << c.share_lower << "\" upper=\"" << c.share_upper << "\">" << c.share
            << "</social-share>\n";
      }
      if (a.difference) {
        out << "      <difference lower=\"" << c.difference_lower << "\" upper=\"" << c.difference_upper << "\">"
            << c.difference << "</difference>\n";
      }
      out << "      <orders-needed>" << a.orders_needed << "</orders-needed>\n"
          << "      <more-orders-needed>" << a.more_orders_needed << "</more-orders-needed>\n"
          << "    </arm>\n";
    }
    out << "  </experiment>\n";
  }
  out << "</experiment-report>\n";
}

// Counts are numbers; shares are decimal strings, as in the MVI export;
// an undefined share is null.
void write_json(const std::vector<ExperimentReport>& reports, std::ostream& out, UtcSeconds now) {
  const auto text = [](const std::string& s) { return s.empty() ? std::string("null") : "\"" + s + "\""; };
  out << "{\"format\":\"socialdefault-experiment-report\",\"version\":1,\"generated_at\":\"" << format_utc(now)
      << "\",\"alpha\":\"" << kAlpha << "\",\"power\":\"" << kPower << "\",\"experiments\":[";
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const ExperimentReport& r = reports[i];
    out << (i ? "," : "") << "\n{\"id\":\"" << r.experiment << "\",\"from\":\"" << format_date(r.from)
        << "\",\"until\":\"" << format_date(r.until) << "\",\"minimum_effect\":\""
        << basis_points(r.minimum_effect_basis_points) << "\",\"base_share\":\"" << percent(r.base_share)
        << "\",\"base_share_assumed\":" << (r.base_share_assumed ? "true" : "false") << ",\"arms\":[";
    for (std::size_t k = 0; k < r.arms.size(); ++k) {
      const ArmReport& a = r.arms[k];
      const Columns c = columns(a);
      out << (k ? "," : "") << "\n{\"arm\":\"" << a.arm << "\",\"control\":" << (a.control ? "true" : "false")
          << ",\"weight\":" << a.weight << ",\"orders\":" << a.count.orders
          << ",\"social_orders\":" << a.count.social_orders << ",\"social_share\":" << text(c.share)
          << ",\"social_share_lower\":" << text(c.share_lower) << ",\"social_share_upper\":" << text(c.share_upper)
          << ",\"difference\":" << text(c.difference) << ",\"difference_lower\":" << text(c.difference_lower)
          << ",\"difference_upper\":" << text(c.difference_upper) << ",\"orders_needed\":" << a.orders_needed
          << ",\"more_orders_needed\":" << a.more_orders_needed << "}";
    }
    out << "]}";
  }
  out << (reports.empty() ? "]}\n" : "\n]}\n");
}

}  // namespace

namespace {

Result<void> write_reports(const std::vector<ExperimentReport>& reports, ExportFormat format, std::ostream& out,
                           UtcSeconds now) {
  switch (format) {
    case ExportFormat::csv: write_csv(reports, out); break;
    case ExportFormat::xml: write_xml(reports, out, now); break;
    case ExportFormat::json: write_json(reports, out, now); break;
  }
  out.flush();
  if (!out) return make_error(ErrorCode::io, "cannot write the experiment report: the output failed");
  return {};
}

}  // namespace

Result<void> write_experiment_reports(Ledger& ledger, const Policy& policy, std::string_view id, ExportFormat format,
                                      std::ostream& out, UtcSeconds now) {
  std::vector<ExperimentReport> reports;
  for (const Experiment& e : policy.experiments) {
    if (!id.empty() && e.id != id) continue;
    auto report = experiment_report(ledger, e);
    if (!report) return std::move(report).error();
    reports.push_back(std::move(report).value());
  }
  if (!id.empty() && reports.empty()) {
    return make_error(ErrorCode::not_found,
                      "experiment \"" + std::string(id) + "\" is not in the configuration; expected the id of an "
                                                          "<experiment>");
  }
  return write_reports(reports, format, out, now);
}

Result<void> write_experiment_report(const ExperimentReport& report, ExportFormat format, std::ostream& out,
                                     UtcSeconds now) {
  return write_reports({report}, format, out, now);
}

}  // namespace socialdefault
