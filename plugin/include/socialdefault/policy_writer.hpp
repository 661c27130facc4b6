// Writes a Policy back as a configuration file (urn:socialdefault:config:1)
// that load_policy reads into an equal Policy. The console uses it to turn
// an edited configuration into the file the loader checks and the daemon
// reloads; comments and the layout of a hand-written file are not kept.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "socialdefault/policy.hpp"

namespace socialdefault {

// One element per line, indented by two spaces, UTF-8. The key file is
// written relative to base_dir (the folder the file will live in) when it
// lies below it, else as the absolute path. Templates equal to the built-in
// ones (builtin_template) are left out, as the loader fills those in.
std::string write_policy(const Policy& policy, const std::filesystem::path& base_dir);

// 1500 basis points as "15", 750 as "7.5", 25 as "0.25": the percentage
// form the configuration uses.
std::string format_percentage(std::uint32_t basis_points);

}  // namespace socialdefault
