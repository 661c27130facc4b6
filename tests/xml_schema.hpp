// Validation of an XML file against one of the project's schemas with
// xmllint (libxml2-utils), for the tests of every format that has an XSD.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>

namespace socialdefault::testing {

inline bool have_xmllint() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

// xmllint's exit status and output for xml checked against schemas/<schema>.
inline std::pair<int, std::string> validate_against_schema(const std::filesystem::path& xml,
                                                           const std::string& schema) {
  const std::string command = "xmllint --noout --schema '" +
                              (std::filesystem::path(SD_SOURCE_DIR) / "schemas" / schema).string() + "' '" +
                              xml.string() + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace socialdefault::testing
