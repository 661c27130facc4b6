// The purchasing console's view of the configuration: the Policy as JSON
// (what the browser edits) and back. Values keep the configuration file's
// forms (dates YYYY-MM-DD, percentages "7.5") so that what the browser
// shows is what the file says. Checking is the loader's (policy_loader.cpp):
// the console writes the edited Policy as XML (policy_writer.hpp), loads
// that text, and maps each problem's line back to the JSON field it came from.
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "socialdefault/policy.hpp"

namespace socialdefault::gateway {

// A problem with one field of the edited configuration: path is the JSON
// path ("categories[2].price_tolerance", "suppliers[0].evidence[1]"), the
// message the loader's (or, for a value of the wrong JSON type, ours).
struct FieldProblem {
  std::string field;
  std::string message;
  int line = 0;  // in the written file; 0 for a problem found before writing
};

boost::json::object policy_to_json(const Policy& policy, const std::filesystem::path& base_dir);

// The Policy the JSON describes; problems of form (a date that is not
// YYYY-MM-DD, a number that is not one) are added to problems and the
// field keeps its default, so one pass reports them all.
Policy policy_from_json(const boost::json::value& json, const std::filesystem::path& base_dir,
                        std::vector<FieldProblem>& problems);

// Splits the loader's describe() text ("file:line: subject: ...", one per
// line) into problems and gives each the JSON path of the element written
// on that line of xml (the text write_policy produced).
std::vector<FieldProblem> map_loader_problems(std::string_view xml, std::string_view loader_text);

// One line for the ledger: what changed between two configurations, e.g.
// "category CPV 03121200-7 Bloemen: social_suppliers; supplier BLOEM-09 added".
std::string describe_change(const boost::json::object& before, const boost::json::object& after);

}  // namespace socialdefault::gateway
