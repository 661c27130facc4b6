// Files the tests read: whole files as bytes, the shared corpus of public
// documents (SD_CORPUS_DIR, else the folder beside the project's root that
// the build names), and an order document read through an adapter. One
// place for every suite.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "socialdefault/adapter.hpp"

namespace socialdefault::testing {

// The whole file; a file that cannot be opened fails the test and reads as "".
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::filesystem::path corpus_dir() {
  const char* env = std::getenv("SD_CORPUS_DIR");
  return env != nullptr && *env != '\0' ? std::filesystem::path(env) : std::filesystem::path(SD_DEFAULT_CORPUS_DIR);
}

// recognise + read_choice, with an optional response.
inline Result<std::vector<OrderChoice>> read_order(const Adapter& adapter, std::string_view order,
                                                   std::string_view response = {}) {
  auto request = adapter.recognise(order);
  if (!request) return std::move(request).error();
  std::unique_ptr<Message> answer;
  if (!response.empty()) {
    auto parsed = adapter.recognise(response);
    if (!parsed) return std::move(parsed).error();
    answer = std::move(parsed).value();
  }
  return adapter.read_choice(**request, answer.get());
}

}  // namespace socialdefault::testing
