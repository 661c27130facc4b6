// Writes a Policy back as a configuration file (urn:socialdefault:config:1)
// that load_policy reads into an equal Policy. The console uses it to turn
// an edited configuration into the file the loader checks and the daemon
// reloads, keeping the comments of the file it replaces.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "socialdefault/policy.hpp"

namespace socialdefault {

// One element per line, indented by two spaces, UTF-8. The key file is
// written relative to base_dir (the folder the file will live in) when it
// lies below it, else as the absolute path. Templates equal to the built-in
// ones (builtin_template) are left out, as the loader fills those in.
std::string write_policy(const Policy& policy, const std::filesystem::path& base_dir);

// The same, as a change of original_xml (the file being replaced): every
// comment of the original is kept, before the element it preceded (matched
// by identity: a supplier's or experiment's id, a category's code system,
// code and departments, ...) or, when that element is gone, before the next
// one that stays; an element whose content did not change is kept as the
// original spells it, unless that would load differently. Layout is the
// writer's (two-space indent). Loading the result gives the same Policy as
// write_policy(policy, base_dir). An original that is not XML is ignored.
std::string write_policy(const Policy& policy, const std::filesystem::path& base_dir, std::string_view original_xml);

// 1500 basis points as "15", 750 as "7.5", 25 as "0.25": the percentage
// form the configuration uses.
std::string format_percentage(std::uint32_t basis_points);

}  // namespace socialdefault
