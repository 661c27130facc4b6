// Hand-made tz database files, so that tests do not depend on the tzdata
// installed on the machine.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>

namespace socialdefault::testing {

// A TZif header with one local time type of four abbreviation bytes and no
// transitions, followed by its body. Version '\0' is TZif version 1.
inline std::string tzif_block(char version) {
  std::string b = "TZif";
  b += version;
  b += std::string(15, '\0');
  const auto count = [&](unsigned char v) { b += std::string("\0\0\0", 3) + static_cast<char>(v); };
  count(0);  // isut
  count(0);  // isstd
  count(0);  // leap
  count(0);  // time
  count(1);  // type
  count(4);  // chars
  b += std::string("\0\0\x0e\x10\0\0", 6);  // +3600, not dst, abbreviation 0
  b += std::string("CET\0", 4);
  return b;
}

// A version 2 file whose footer is the given POSIX rule.
inline std::string tzif_v2(const std::string& footer) {
  return tzif_block('2') + tzif_block('2') + "\n" + footer + "\n";
}

// A scratch directory removed when the test ends.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& stem)
      : dir_(std::filesystem::temp_directory_path() / (stem + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return dir_; }
  void write(const std::string& name, const std::string& bytes) const {
    std::filesystem::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }

 private:
  std::filesystem::path dir_;
};

// Points TZDIR somewhere else for the lifetime of the guard.
class TzdirGuard {
 public:
  explicit TzdirGuard(const std::filesystem::path& dir) {
    if (const char* v = std::getenv("TZDIR")) old_ = v;
    setenv("TZDIR", dir.c_str(), 1);
  }
  ~TzdirGuard() {
    if (old_) {
      setenv("TZDIR", old_->c_str(), 1);
    } else {
      unsetenv("TZDIR");
    }
  }
  TzdirGuard(const TzdirGuard&) = delete;
  TzdirGuard& operator=(const TzdirGuard&) = delete;

 private:
  std::optional<std::string> old_;
};

}  // namespace socialdefault::testing
