// The console's page, script and style, compiled into the daemon
// (console_embed.cmake writes console_assets.cpp from adapters/gateway/console/
// at build time), so no install path has to be found at run time.
#pragma once

#include <string_view>

namespace socialdefault::gateway {

struct ConsoleAsset {
  std::string_view name;          // "index.html", "console.js", ...
  std::string_view content_type;
  std::string_view bytes;
};

// The asset of that file name; null when there is none.
const ConsoleAsset* find_console_asset(std::string_view name) noexcept;

}  // namespace socialdefault::gateway
