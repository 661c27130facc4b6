// The durable spool for choice records the ledger refused: one JSON object
// per line, appended and fdatasync'ed before the order is acknowledged.
// Drained back into the ledger at start and periodically (by the group
// committer's thread). Delivery into the ledger is at least once: a crash
// between the ledger's commit and the removal of the drained file replays
// that file again. Each spooled record carries a random record id, and the
// ledger skips a record whose id it already holds, so the replay is
// idempotent and the ledger never holds a spooled order twice.
#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>

#include "socialdefault/group_commit.hpp"

namespace socialdefault::gateway {

class Spool final : public CommitFallback {
 public:
  // Creates the folder when absent and counts what is already spooled.
  static Result<std::unique_ptr<Spool>> open(const std::filesystem::path& folder);
  ~Spool() override;

  Result<void> keep(std::span<const ChoiceRecord> records) override;
  Result<std::size_t> drain(Ledger& ledger) override;
  std::size_t depth() const override { return depth_.load(); }
  // Lines that could not be read back (a torn last line after a crash).
  std::size_t unreadable() const { return unreadable_.load(); }
  // Records the ledger refused as invalid, moved to choices.rejected.
  std::size_t rejected() const { return rejected_.load(); }

  const std::filesystem::path& folder() const noexcept { return folder_; }

 private:
  explicit Spool(std::filesystem::path folder) : folder_(std::move(folder)) {}
  Result<void> open_append();
  Result<std::size_t> drain_file(Ledger& ledger, const std::filesystem::path& file);
  Result<void> reject(const ChoiceRecord& record, const Error& why);

  std::filesystem::path folder_;
  int fd_ = -1;
  std::atomic<std::size_t> depth_{0};
  std::atomic<std::size_t> unreadable_{0};
  std::atomic<std::size_t> rejected_{0};
};

std::string choice_to_json(const ChoiceRecord& record);
// "spool-" and 32 hex digits from the CSPRNG.
std::string new_record_id();
Result<ChoiceRecord> choice_from_json(std::string_view line);

}  // namespace socialdefault::gateway
